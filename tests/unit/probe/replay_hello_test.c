/* probe/replay_hello.c: the captured ClientHello read into its parts and
 * written back, fresh where it must be and otherwise the same, with one edit;
 * every truncation of a hello refused with an offset, never read past; and
 * the TLS layer keeping the raw hello only when its limits ask. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "probe/replay_internal.h"
#include "tls/names.h"
#include "tls/tls.h"

/* The ClientHello body inside a record the replay built. */
static struct td_client_hello *reparse(const struct td_buf *rec)
{
    assert_true(rec->len > 9);
    assert_int_equal(rec->data[0], TD_CT_HANDSHAKE);
    assert_int_equal(((size_t)rec->data[3] << 8 | rec->data[4]) + 5, rec->len);
    assert_int_equal(rec->data[5], TD_HS_CLIENT_HELLO);
    struct td_cur c;
    td_cur_init(&c, rec->data + 9, rec->len - 9);
    const char *err = NULL;
    size_t off = 0;
    struct td_client_hello *ch = td_parse_client_hello(&c, &err, &off);
    assert_non_null(ch);
    return ch;
}

static bool has_u16(const struct td_u16s *l, uint16_t v)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i] == v) {
            return true;
        }
    }
    return false;
}

static void test_same_but_fresh(void **state)
{
    (void)state;
    struct td_buf body = {0}, out = {0};
    tl_client_hello(&body, NULL);
    struct td_rh h;
    const char *err;
    size_t off;
    assert_true(td_rh_parse(&h, body.data, body.len, &err, &off));
    struct td_rh_edit e = {0};
    char notes[200] = "";
    assert_true(td_rh_build(&h, &e, &out, notes, sizeof notes));
    assert_string_equal(notes, "");
    struct td_cur c;
    td_cur_init(&c, body.data, body.len);
    struct td_client_hello *a = td_parse_client_hello(&c, &err, &off), *b = reparse(&out);
    assert_int_equal(a->suites.n, b->suites.n);
    assert_int_equal(a->exts.n, b->exts.n);
    for (size_t i = 0; i < a->exts.n; i++) {
        assert_int_equal(a->exts.v[i].type, b->exts.v[i].type);
        assert_int_equal(a->exts.v[i].len, b->exts.v[i].len); /* an X25519 share is 32 bytes either way */
    }
    assert_memory_not_equal(a->random, b->random, 32);
    assert_int_equal(a->session_id_len, b->session_id_len);
    assert_int_equal(b->key_shares.n, 1);
    assert_int_equal(b->key_shares.v[0], TD_GROUP_X25519);
    assert_int_equal(td_rh_max_version(&h), TD_VERSION_TLS1_3);
    td_client_hello_free(a);
    td_client_hello_free(b);
    td_buf_free(&body);
    td_buf_free(&out);
}

static struct td_client_hello *edited(const struct td_rh_edit *e, size_t *len)
{
    struct td_buf body = {0}, out = {0};
    tl_client_hello(&body, NULL);
    struct td_rh h;
    const char *err;
    size_t off;
    assert_true(td_rh_parse(&h, body.data, body.len, &err, &off));
    assert_true(td_rh_build(&h, e, &out, NULL, 0));
    struct td_client_hello *ch = reparse(&out);
    *len = out.len;
    td_buf_free(&body);
    td_buf_free(&out);
    return ch;
}

static void test_one_edit_each(void **state)
{
    (void)state;
    size_t len;
    struct td_client_hello *ch = edited(&(struct td_rh_edit){.add_sni = "server.test"}, &len);
    assert_string_equal(ch->sni, "server.test");
    td_client_hello_free(ch);
    ch = edited(&(struct td_rh_edit){.add_group = TD_GROUP_SECP384R1}, &len);
    assert_true(has_u16(&ch->groups, TD_GROUP_SECP384R1) && has_u16(&ch->key_shares, TD_GROUP_SECP384R1));
    assert_true(has_u16(&ch->key_shares, TD_GROUP_X25519));
    td_client_hello_free(ch);
    ch = edited(&(struct td_rh_edit){.add_suite = 0xc02b}, &len);
    assert_int_equal(ch->suites.n, 4);
    assert_int_equal(ch->suites.v[3], 0xc02b);
    td_client_hello_free(ch);
    ch = edited(&(struct td_rh_edit){.drop_ext = TD_EXT_APPLICATION_LAYER_PROTOCOL_NEGOTIATION, .drop_ext_set = true},
                &len);
    assert_int_equal(ch->alpn.n, 0);
    assert_true(has_u16(&ch->key_shares, TD_GROUP_X25519));
    td_client_hello_free(ch);
    ch = edited(&(struct td_rh_edit){.pad_to = 512}, &len);
    assert_int_equal(len, 512 + 5); /* the handshake message is 512 bytes, in one record */
    assert_true(ch->padding_len > 0);
    td_client_hello_free(ch);
}

/* A legacy hello: TLS 1.0, no extensions at all. */
static void legacy_hello(struct td_buf *out)
{
    struct td_bld b;
    uint8_t random[32] = {7};
    td_bld_init(&b, out);
    td_bld_u16(&b, TD_VERSION_TLS1_0);
    td_bld_bytes(&b, random, 32);
    td_bld_open(&b, 1);
    td_bld_close(&b);
    td_bld_open(&b, 2);
    td_bld_u16(&b, 0xc013);
    td_bld_close(&b);
    td_bld_open(&b, 1);
    td_bld_u8(&b, 0);
    td_bld_close(&b);
    assert_true(td_bld_finish(&b));
}

static void test_version_added_to_a_legacy_hello(void **state)
{
    (void)state;
    struct td_buf body = {0}, out = {0};
    legacy_hello(&body);
    struct td_rh h;
    const char *err;
    size_t off;
    assert_true(td_rh_parse(&h, body.data, body.len, &err, &off));
    assert_false(h.has_exts_block);
    assert_int_equal(td_rh_max_version(&h), TD_VERSION_TLS1_0);
    assert_true(td_rh_build(&h, &(struct td_rh_edit){.version = TD_VERSION_TLS1_2}, &out, NULL, 0));
    struct td_client_hello *ch = reparse(&out);
    assert_int_equal(ch->legacy_version, TD_VERSION_TLS1_2);
    assert_true(ch->sigalgs.n > 0); /* TLS 1.2 needs signature_algorithms */
    td_client_hello_free(ch);
    out.len = 0;
    assert_true(td_rh_build(&h, &(struct td_rh_edit){0}, &out, NULL, 0));
    assert_int_equal(out.len, 5 + 4 + body.len); /* no extensions block added when none is needed */
    td_buf_free(&body);
    td_buf_free(&out);
}

/* A hello with an X25519MLKEM768 share (1216 bytes) and one for X25519. */
static void pq_hello(struct td_buf *out)
{
    struct td_bld b;
    static uint8_t share[1216];
    td_bld_init(&b, out);
    td_bld_u16(&b, TD_VERSION_TLS1_2);
    td_bld_bytes(&b, share, 32);
    td_bld_open(&b, 1);
    td_bld_close(&b);
    td_bld_open(&b, 2);
    td_bld_u16(&b, 0x1301);
    td_bld_close(&b);
    td_bld_open(&b, 1);
    td_bld_u8(&b, 0);
    td_bld_close(&b);
    td_bld_open(&b, 2);
    td_bld_u16(&b, TD_EXT_SUPPORTED_GROUPS);
    td_bld_open(&b, 2);
    td_bld_open(&b, 2);
    td_bld_u16(&b, TD_GROUP_X25519MLKEM768);
    td_bld_u16(&b, TD_GROUP_X25519);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_u16(&b, TD_EXT_KEY_SHARE);
    td_bld_open(&b, 2);
    td_bld_open(&b, 2);
    td_bld_u16(&b, TD_GROUP_X25519MLKEM768);
    td_bld_open(&b, 2);
    td_bld_bytes(&b, share, sizeof share);
    td_bld_close(&b);
    td_bld_u16(&b, TD_GROUP_X25519);
    td_bld_open(&b, 2);
    td_bld_bytes(&b, share, 32);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_close(&b);
    assert_true(td_bld_finish(&b));
}

static void test_pq_share_dropped_and_said(void **state)
{
    (void)state;
    struct td_buf body = {0}, out = {0};
    pq_hello(&body);
    struct td_rh h;
    const char *err;
    size_t off;
    assert_true(td_rh_parse(&h, body.data, body.len, &err, &off));
    char notes[200] = "";
    assert_true(td_rh_build(&h, &(struct td_rh_edit){0}, &out, notes, sizeof notes));
    assert_non_null(strstr(notes, "X25519MLKEM768"));
    struct td_client_hello *ch = reparse(&out);
    assert_int_equal(ch->key_shares.n, 1);
    assert_true(has_u16(&ch->groups, TD_GROUP_X25519MLKEM768)); /* still offered, no share */
    td_client_hello_free(ch);
    out.len = 0;
    assert_true(td_rh_build(&h, &(struct td_rh_edit){.drop_pq = true}, &out, NULL, 0));
    ch = reparse(&out);
    assert_false(has_u16(&ch->groups, TD_GROUP_X25519MLKEM768));
    td_client_hello_free(ch);
    td_buf_free(&body);
    td_buf_free(&out);
}

/* Every truncation and random corruptions: refused with an offset inside, or read, never past the end. */
static void test_hostile_hellos(void **state)
{
    (void)state;
    struct td_buf body = {0};
    tl_client_hello(&body, "server.test");
    struct td_rh h;
    const char *err;
    size_t off;
    for (size_t n = 0; n < body.len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exactly n bytes: ASan sees any read past */
        memcpy(copy, body.data, n);
        if (td_rh_parse(&h, copy, n, &err, &off)) {
            assert_false(h.has_exts_block); /* cut right after the compression methods: a hello without extensions */
        } else {
            assert_non_null(err);
            assert_true(off <= n);
        }
        free(copy);
    }
    srand(16);
    for (int k = 0; k < 2000; k++) {
        uint8_t *copy = malloc(body.len);
        memcpy(copy, body.data, body.len);
        copy[(size_t)rand() % body.len] = (uint8_t)rand();
        struct td_buf out = {0};
        if (td_rh_parse(&h, copy, body.len, &err, &off)) {
            td_rh_build(&h, &(struct td_rh_edit){.add_group = TD_GROUP_SECP256R1}, &out, NULL, 0);
        }
        td_buf_free(&out);
        free(copy);
    }
    td_buf_free(&body);
}

/* More suites than a struct td_rh holds: refused, not cut short (a shorter list would be another hello). */
static void test_too_many_suites(void **state)
{
    (void)state;
    struct td_buf body = {0};
    struct td_bld b;
    uint8_t random[32] = {0};
    td_bld_init(&b, &body);
    td_bld_u16(&b, TD_VERSION_TLS1_2);
    td_bld_bytes(&b, random, 32);
    td_bld_open(&b, 1);
    td_bld_close(&b);
    td_bld_open(&b, 2);
    for (uint16_t i = 0; i < TD_RH_MAX_SUITES + 1; i++) {
        td_bld_u16(&b, i);
    }
    td_bld_close(&b);
    td_bld_open(&b, 1);
    td_bld_u8(&b, 0);
    td_bld_close(&b);
    assert_true(td_bld_finish(&b));
    struct td_rh *h = malloc(sizeof *h);
    const char *err;
    size_t off;
    assert_false(td_rh_parse(h, body.data, body.len, &err, &off));
    assert_non_null(strstr(err, "512"));
    body.len -= 2; /* one suite less, then the compression methods again */
    body.data[35] = (uint8_t)((TD_RH_MAX_SUITES * 2) >> 8);
    body.data[36] = (uint8_t)(TD_RH_MAX_SUITES * 2);
    body.data[35 + 2 + TD_RH_MAX_SUITES * 2] = 1;
    body.data[35 + 3 + TD_RH_MAX_SUITES * 2] = 0;
    assert_true(td_rh_parse(h, body.data, body.len, &err, &off));
    assert_int_equal(h->num_suites, TD_RH_MAX_SUITES);
    free(h);
    td_buf_free(&body);
}

static void feed_hello(struct td_tls_conn *c, const struct td_limits *lim, const struct td_buf *body)
{
    struct td_buf rec = {0};
    tl_records(&rec, TD_CT_HANDSHAKE, TD_HS_CLIENT_HELLO, body, 16384);
    td_tls_conn_init(c, lim);
    struct td_at at = {1, {0, 0}};
    td_tls_feed(c, TD_CLIENT, rec.data, rec.len, &at);
    td_buf_free(&rec);
}

static void test_tls_keeps_the_hello_when_asked(void **state)
{
    (void)state;
    struct td_buf body = {0};
    tl_client_hello(&body, "server.test");
    struct td_limits lim;
    td_limits_default(&lim);
    struct td_tls_conn c;
    feed_hello(&c, &lim, &body);
    assert_null(c.client_hello_raw.p); /* off by default */
    td_tls_conn_free(&c);
    lim.keep_client_hello = body.len;
    feed_hello(&c, &lim, &body);
    assert_int_equal(c.client_hello_raw.len, body.len);
    assert_memory_equal(c.client_hello_raw.p, body.data, body.len);
    td_tls_conn_free(&c);
    lim.keep_client_hello = body.len - 1; /* longer than asked: not kept */
    feed_hello(&c, &lim, &body);
    assert_null(c.client_hello_raw.p);
    td_tls_conn_free(&c);
    td_buf_free(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_but_fresh),
        cmocka_unit_test(test_one_edit_each),
        cmocka_unit_test(test_version_added_to_a_legacy_hello),
        cmocka_unit_test(test_pq_share_dropped_and_said),
        cmocka_unit_test(test_hostile_hellos),
        cmocka_unit_test(test_too_many_suites),
        cmocka_unit_test(test_tls_keeps_the_hello_when_asked),
    };
    return tl_run_tests("probe/replay_hello", tests);
}
