#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "tls/names.h"
#include "tls/tls.h"

static void test_client_hello_fields(void **state)
{
    (void)state;
    struct td_buf body = {0};
    struct td_cur c;
    const char *err = NULL;
    size_t off = 0;
    tl_client_hello(&body, "api.example.com");
    td_cur_init(&c, body.data, body.len);
    struct td_client_hello *ch = td_parse_client_hello(&c, &err, &off);
    assert_non_null(ch);
    assert_int_equal(ch->legacy_version, 0x0303);
    assert_int_equal(ch->session_id_len, 32);
    assert_int_equal(ch->suites.n, 3);
    assert_int_equal(ch->suites.v[0], 0x1301);
    assert_true(td_is_grease(ch->suites.v[2]));
    assert_string_equal(ch->sni, "api.example.com");
    assert_int_equal(ch->versions.n, 2);
    assert_int_equal(ch->versions.v[0], 0x0304);
    assert_int_equal(ch->groups.n, 2);
    assert_int_equal(ch->key_shares.n, 1);
    assert_int_equal(ch->key_shares.v[0], 29);
    assert_int_equal(ch->alpn.n, 1);
    assert_string_equal(ch->alpn.v[0], "h2");
    assert_int_equal(ch->exts.n, 6);
    assert_int_equal(ch->exts.v[5].type, 0x1234); /* unknown ones are kept by number */
    td_client_hello_free(ch);
    td_buf_free(&body);
}

/* Every strict prefix of a ClientHello is malformed: the parser must say so,
 * with an offset inside the input, and never read past it (ASan checks). */
static void test_client_hello_truncated_everywhere(void **state)
{
    (void)state;
    struct td_buf body = {0};
    tl_client_hello(&body, "api.example.com");
    for (size_t n = 0; n < body.len; n++) {
        uint8_t *copy = td_memdup(body.data, n); /* exact-size heap copy: ASan sees overreads */
        struct td_cur c;
        const char *err = NULL;
        size_t off = 0;
        td_cur_init(&c, copy, n);
        struct td_client_hello *ch = td_parse_client_hello(&c, &err, &off);
        if (ch) {
            /* Only a cut right before the extensions block is a valid ClientHello. */
            assert_int_equal(ch->exts.n, 0);
            td_client_hello_free(ch);
        } else {
            assert_true(err != NULL || ch->compression.len > 0); /* no error: a valid hello without extensions */
            assert_true(off <= n);
        }
        free(copy);
    }
    td_buf_free(&body);
}

static void test_client_hello_rejects_odd_suites(void **state)
{
    (void)state;
    struct td_buf body = {0};
    tl_client_hello(&body, NULL);
    /* suites length at offset 2+32+1+32 = 67: make it odd */
    body.data[68] = 5;
    struct td_cur c;
    const char *err = NULL;
    size_t off = 0;
    td_cur_init(&c, body.data, body.len);
    assert_null(td_parse_client_hello(&c, &err, &off));
    assert_non_null(strstr(err, "cipher_suites"));
    td_buf_free(&body);
}

/* A ClientHello whose extensions each carry a well-formed structure, one of
 * them followed by extra bytes inside its extension_data. */
static void hello_with_trailing(struct td_buf *out, bool trailing)
{
    struct td_bld b;
    uint8_t random[32] = {7};
    td_bld_init(&b, out);
    td_bld_u16(&b, TD_VERSION_TLS1_2);
    td_bld_bytes(&b, random, 32);
    td_bld_open(&b, 1);
    td_bld_close(&b);
    td_bld_open(&b, 2);
    td_bld_u16(&b, 0xc02f);
    td_bld_close(&b);
    td_bld_open(&b, 1);
    td_bld_u8(&b, 0);
    td_bld_close(&b);
    td_bld_open(&b, 2);
    td_bld_u16(&b, TD_EXT_SUPPORTED_GROUPS);
    td_bld_open(&b, 2);
    td_bld_open(&b, 2);
    td_bld_u16(&b, TD_GROUP_X25519);
    td_bld_close(&b);
    if (trailing) {
        td_bld_u8(&b, 0xee); /* after the NamedGroupList, inside the extension */
        td_bld_u8(&b, 0xee);
    }
    td_bld_close(&b);
    td_bld_u16(&b, TD_EXT_EXTENDED_MASTER_SECRET);
    td_bld_open(&b, 2);
    if (trailing) {
        td_bld_u8(&b, 0); /* RFC 7627 5.1: extension_data is empty */
    }
    td_bld_close(&b);
    td_bld_u16(&b, TD_EXT_PADDING); /* opaque: never trailing */
    td_bld_open(&b, 2);
    td_bld_u16(&b, 0);
    td_bld_close(&b);
    td_bld_close(&b);
    assert_true(td_bld_finish(&b));
}

/* Bytes left after an extension's structure are recorded per extension; the
 * hello is still read, with the same fields. */
static void test_client_hello_trailing_ext_bytes(void **state)
{
    (void)state;
    for (int trailing = 0; trailing < 2; trailing++) {
        struct td_buf body = {0};
        struct td_cur c;
        const char *err = NULL;
        size_t off = 0;
        hello_with_trailing(&body, trailing);
        td_cur_init(&c, body.data, body.len);
        struct td_client_hello *ch = td_parse_client_hello(&c, &err, &off);
        assert_non_null(ch);
        assert_int_equal(ch->exts.n, 3);
        assert_int_equal(ch->groups.n, 1);
        assert_int_equal(ch->groups.v[0], TD_GROUP_X25519);
        assert_true(ch->has_ems);
        assert_int_equal(ch->padding_len, 2);
        assert_int_equal(ch->exts.v[0].trailing, trailing ? 2 : 0);
        assert_int_equal(ch->exts.v[1].trailing, trailing ? 1 : 0);
        assert_int_equal(ch->exts.v[2].trailing, 0);
        td_client_hello_free(ch);
        td_buf_free(&body);
    }
    /* the usual hello has none */
    struct td_buf body = {0};
    struct td_cur c;
    const char *err = NULL;
    size_t off = 0;
    tl_client_hello(&body, "api.example.com");
    td_cur_init(&c, body.data, body.len);
    struct td_client_hello *ch = td_parse_client_hello(&c, &err, &off);
    assert_non_null(ch);
    for (size_t i = 0; i < ch->exts.n; i++) {
        assert_int_equal(ch->exts.v[i].trailing, 0);
    }
    td_client_hello_free(ch);
    td_buf_free(&body);
}

static void test_server_hello_trailing_ext_bytes(void **state)
{
    (void)state;
    struct td_buf body = {0};
    struct td_bld b;
    uint8_t random[32] = {5};
    td_bld_init(&b, &body);
    td_bld_u16(&b, TD_VERSION_TLS1_2);
    td_bld_bytes(&b, random, 32);
    td_bld_open(&b, 1);
    td_bld_close(&b);
    td_bld_u16(&b, 0xc02f);
    td_bld_u8(&b, 0);
    td_bld_open(&b, 2);
    td_bld_u16(&b, TD_EXT_RENEGOTIATION_INFO); /* renegotiated_connection<0..255>, then one byte too many */
    td_bld_open(&b, 2);
    td_bld_u8(&b, 0);
    td_bld_u8(&b, 0x55);
    td_bld_close(&b);
    td_bld_u16(&b, TD_EXT_EXTENDED_MASTER_SECRET);
    td_bld_open(&b, 2);
    td_bld_close(&b);
    td_bld_close(&b);
    assert_true(td_bld_finish(&b));
    struct td_cur c;
    const char *err = NULL;
    size_t off = 0;
    td_cur_init(&c, body.data, body.len);
    struct td_server_hello *sh = td_parse_server_hello(&c, &err, &off);
    assert_non_null(sh);
    assert_true(sh->has_reneg);
    assert_true(sh->has_ems);
    assert_int_equal(sh->exts.v[0].trailing, 1);
    assert_int_equal(sh->exts.v[1].trailing, 0);
    td_server_hello_free(sh);
    td_buf_free(&body);
}

static void test_server_hello_tls13_and_hrr(void **state)
{
    (void)state;
    struct td_buf body = {0};
    struct td_cur c;
    const char *err = NULL;
    size_t off = 0;
    tl_server_hello(&body, true, 0x1302);
    td_cur_init(&c, body.data, body.len);
    struct td_server_hello *sh = td_parse_server_hello(&c, &err, &off);
    assert_non_null(sh);
    assert_int_equal(sh->version, 0x0304);
    assert_int_equal(sh->legacy_version, 0x0303);
    assert_int_equal(sh->suite, 0x1302);
    assert_int_equal(sh->key_share_group, 29);
    assert_false(sh->hrr);
    td_server_hello_free(sh);
    for (size_t n = 0; n < body.len; n++) {
        uint8_t *copy = td_memdup(body.data, n);
        td_cur_init(&c, copy, n);
        sh = td_parse_server_hello(&c, &err, &off);
        if (sh) {
            assert_int_equal(sh->exts.n, 0);
            td_server_hello_free(sh);
        }
        free(copy);
    }
    td_buf_free(&body);
}

/* draft-ietf-tls-tls13-18 ServerHello: version, random, suite, extensions;
 * no session id, no compression. Cut anywhere, never misread. */
static void test_server_hello_draft18(void **state)
{
    (void)state;
    static const uint8_t head[] = {0x7f, 0x12};
    static const uint8_t tail[] = {0x13, 0x01, 0x00, 0x08, 0x00, 0x33, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x00};
    struct td_buf body = {0};
    td_buf_append(&body, head, sizeof head);
    for (int i = 0; i < 32; i++) {
        td_buf_putc(&body, (char)(i + 1));
    }
    td_buf_append(&body, tail, sizeof tail);
    struct td_cur c;
    const char *err = NULL;
    size_t off = 0;
    td_cur_init(&c, body.data, body.len);
    struct td_server_hello *sh = td_parse_server_hello(&c, &err, &off);
    assert_non_null(sh);
    assert_true(sh->tls13_draft);
    assert_int_equal(sh->version, 0x7f12);
    assert_int_equal(sh->suite, 0x1301);
    assert_int_equal(sh->key_share_group, 29);
    td_server_hello_free(sh);
    for (size_t n = 0; n < body.len; n++) {
        uint8_t *copy = td_memdup(body.data, n);
        td_cur_init(&c, copy, n);
        sh = td_parse_server_hello(&c, &err, &off);
        assert_true(sh == NULL || sh->exts.n == 0);
        td_server_hello_free(sh);
        free(copy);
    }
    td_buf_free(&body);
}

/* A ClientHello broken after its random is shown up to the error, with the
 * error and its offset; cut before the random, nothing. */
static void test_client_hello_partial(void **state)
{
    (void)state;
    struct td_buf body = {0};
    tl_client_hello(&body, "a.example");
    for (size_t n = 0; n < body.len; n++) {
        struct td_cur c;
        const char *err = NULL;
        size_t off = 0;
        td_cur_init(&c, body.data, n);
        struct td_client_hello *ch = td_parse_client_hello_partial(&c, &err, &off);
        if (n < 34) {
            assert_null(ch);
        } else {
            assert_non_null(ch);
            assert_true(err != NULL || ch->compression.len > 0); /* no error: a valid hello without extensions */
            assert_true(off <= n);
            assert_true(td_mem_eq(ch->random, body.data + 2, 32));
        }
        td_client_hello_free(ch);
    }
    td_buf_free(&body);
}

/* A ServerHello whose extensions are broken keeps version, random and suite. */
static void test_server_hello_partial(void **state)
{
    (void)state;
    struct td_buf body = {0};
    tl_server_hello(&body, false, 0xc02f);
    static const uint8_t broken[] = {0x00, 0x10, 0x00, 0x17, 0x00, 0x20}; /* extension runs past the block */
    td_buf_append(&body, broken, sizeof broken);
    struct td_cur c;
    const char *err = NULL;
    size_t off = 0;
    td_cur_init(&c, body.data, body.len);
    struct td_server_hello *sh = td_parse_server_hello_partial(&c, &err, &off);
    assert_non_null(sh);
    assert_non_null(err);
    assert_int_equal(sh->suite, 0xc02f);
    td_server_hello_free(sh);
    td_cur_init(&c, body.data, body.len);
    assert_null(td_parse_server_hello(&c, &err, &off));
    td_buf_free(&body);
}

static void test_names_from_iana(void **state)
{
    (void)state;
    char buf[48];
    assert_string_equal(td_suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
    assert_string_equal(td_suite_name(0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_string_equal(td_suite_name(0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    assert_null(td_suite_name(0x0a0a));
    assert_string_equal(td_suite_str(0x0a0a, buf, sizeof buf), "GREASE_0x0a0a");
    assert_string_equal(td_alert_name(40), "handshake_failure");
    assert_string_equal(td_alert_name(116), "certificate_required");
    assert_string_equal(td_group_name(29), "x25519");
    assert_string_equal(td_group_name(4588), "X25519MLKEM768");
    assert_string_equal(td_ext_name(65281), "renegotiation_info");
    assert_string_equal(td_sigscheme_name(0x0804), "rsa_pss_rsae_sha256");
    assert_string_equal(td_version_name(0x0303), "TLSv1.2");
    assert_string_equal(td_version_str(0x7f1c, buf, sizeof buf), "TLSv1.3-draft28");
    assert_string_equal(td_version_str(0xfb1a, buf, sizeof buf), "0xfb1a");
    assert_string_equal(td_version_str(0x7e02, buf, sizeof buf), "0x7e02");
    assert_string_equal(td_version_str(0x0305, buf, sizeof buf), "unknown_version_0x0305");
    assert_string_equal(td_hstype_name(4), "NewSessionTicket");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_hello_fields),
        cmocka_unit_test(test_client_hello_truncated_everywhere),
        cmocka_unit_test(test_client_hello_rejects_odd_suites),
        cmocka_unit_test(test_client_hello_trailing_ext_bytes),
        cmocka_unit_test(test_server_hello_trailing_ext_bytes),
        cmocka_unit_test(test_server_hello_tls13_and_hrr),
        cmocka_unit_test(test_server_hello_draft18),
        cmocka_unit_test(test_client_hello_partial),
        cmocka_unit_test(test_server_hello_partial),
        cmocka_unit_test(test_names_from_iana),
    };
    return tl_run_tests("tls/hello", tests);
}
