/* encrypted_client_hello (draft-ietf-tls-esni 5) in hand-built hellos: the
 * outer form's clear fields read, an inner one, a form that does not parse
 * (left unread: the extension's trailing bytes), every cut of the hello, a
 * HelloRetryRequest carrying the acceptance confirmation; and what the
 * verdict says of ECH without keys. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "base/builder.h"
#include "diag/diag.h"
#include "tls/names.h"
#include "tls/tls.h"

#include "../diag/facts_fixture.h"

enum ech_form { OUTER, INNER, BROKEN };

/* A TLS 1.3 ClientHello body: server_name "public.example.com", then ECH. */
static void hello_with_ech(struct td_buf *out, enum ech_form form)
{
    struct td_bld b;
    uint8_t random[32] = {7};
    td_bld_init(&b, out);
    td_bld_u16(&b, TD_VERSION_TLS1_2);
    td_bld_bytes(&b, random, 32);
    td_bld_open(&b, 1);
    td_bld_close(&b);
    td_bld_open(&b, 2);
    td_bld_u16(&b, 0x1301);
    td_bld_close(&b);
    td_bld_open(&b, 1);
    td_bld_u8(&b, 0);
    td_bld_close(&b);
    td_bld_open(&b, 2);
    td_bld_u16(&b, TD_EXT_SERVER_NAME);
    td_bld_open(&b, 2);
    td_bld_open(&b, 2);
    td_bld_u8(&b, 0);
    td_bld_open(&b, 2);
    td_bld_bytes(&b, "public.example.com", 18);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_u16(&b, TD_EXT_ENCRYPTED_CLIENT_HELLO);
    td_bld_open(&b, 2);
    td_bld_u8(&b, form == INNER ? 1 : 0);
    if (form != INNER) {
        td_bld_u16(&b, 0x0001); /* HKDF-SHA256 */
        td_bld_u16(&b, 0x0003); /* ChaCha20Poly1305 */
        td_bld_u8(&b, 0x2a);    /* config_id */
        td_bld_open(&b, 2);
        td_bld_bytes(&b, random, 32); /* enc: an X25519 public key's length */
        td_bld_close(&b);
        if (form == OUTER) {
            td_bld_open(&b, 2);
            for (int i = 0; i < 200; i++) {
                td_bld_u8(&b, (uint8_t)i);
            }
            td_bld_close(&b);
        } else {
            td_bld_u16(&b, 500); /* a payload length past the extension */
        }
    }
    td_bld_close(&b);
    td_bld_close(&b);
    assert_true(td_bld_finish(&b));
}

static struct td_client_hello *parse(const struct td_buf *body)
{
    struct td_cur c;
    const char *err = NULL;
    size_t off = 0;
    td_cur_init(&c, body->data, body->len);
    return td_parse_client_hello(&c, &err, &off);
}

static void test_outer(void **state)
{
    (void)state;
    struct td_buf body = {0};
    hello_with_ech(&body, OUTER);
    struct td_client_hello *ch = parse(&body);
    assert_non_null(ch);
    assert_true(ch->has_ech);
    assert_true(ch->ech.parsed);
    assert_int_equal(ch->ech.type, 0);
    assert_int_equal(ch->ech.config_id, 0x2a);
    assert_int_equal(ch->ech.enc_len, 32);
    assert_int_equal(ch->ech.payload_len, 200);
    char k[16], a[16];
    assert_string_equal(td_hpke_kdf_str(ch->ech.kdf_id, k, sizeof k), "HKDF-SHA256");
    assert_string_equal(td_hpke_aead_str(ch->ech.aead_id, a, sizeof a), "ChaCha20Poly1305");
    assert_string_equal(td_hpke_aead_str(0x0042, a, sizeof a), "0x0042");
    assert_string_equal(ch->sni, "public.example.com");
    assert_int_equal(ch->exts.v[1].trailing, 0);
    td_client_hello_free(ch);
    td_buf_free(&body);
}

static void test_inner_and_broken(void **state)
{
    (void)state;
    struct td_buf body = {0};
    hello_with_ech(&body, INNER);
    struct td_client_hello *ch = parse(&body);
    assert_non_null(ch);
    assert_true(ch->ech.parsed);
    assert_int_equal(ch->ech.type, 1);
    td_client_hello_free(ch);
    td_buf_free(&body);
    hello_with_ech(&body, BROKEN);
    ch = parse(&body);
    assert_non_null(ch); /* the hello is read; the extension is left unread, and said so */
    assert_true(ch->has_ech);
    assert_false(ch->ech.parsed);
    assert_int_equal(ch->exts.v[1].trailing, ch->exts.v[1].len);
    td_client_hello_free(ch);
    td_buf_free(&body);
}

/* Cut anywhere: a malformed hello or one without the cut extension, never
 * a read past the input (ASan). */
static void test_cut_everywhere(void **state)
{
    (void)state;
    struct td_buf body = {0};
    hello_with_ech(&body, OUTER);
    for (size_t n = 0; n < body.len; n++) {
        uint8_t *copy = td_memdup(body.data, n);
        struct td_cur c;
        const char *err = NULL;
        size_t off = 0;
        td_cur_init(&c, copy, n);
        struct td_client_hello *ch = td_parse_client_hello(&c, &err, &off);
        if (ch) {
            assert_false(ch->ech.parsed);
            td_client_hello_free(ch);
        } else {
            assert_true(off <= n);
        }
        free(copy);
    }
    td_buf_free(&body);
}

static void test_hrr_confirmation(void **state)
{
    (void)state;
    static const uint8_t hrr_random[32] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                           0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                           0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
    struct td_buf body = {0};
    struct td_bld b;
    td_bld_init(&b, &body);
    td_bld_u16(&b, TD_VERSION_TLS1_2);
    td_bld_bytes(&b, hrr_random, 32);
    td_bld_open(&b, 1);
    td_bld_close(&b);
    td_bld_u16(&b, 0x1301);
    td_bld_u8(&b, 0);
    td_bld_open(&b, 2);
    td_bld_u16(&b, TD_EXT_SUPPORTED_VERSIONS);
    td_bld_open(&b, 2);
    td_bld_u16(&b, TD_VERSION_TLS1_3);
    td_bld_close(&b);
    td_bld_u16(&b, TD_EXT_KEY_SHARE);
    td_bld_open(&b, 2);
    td_bld_u16(&b, TD_GROUP_SECP256R1);
    td_bld_close(&b);
    td_bld_u16(&b, TD_EXT_ENCRYPTED_CLIENT_HELLO);
    td_bld_open(&b, 2);
    td_bld_bytes(&b, hrr_random, 8); /* the confirmation */
    td_bld_close(&b);
    td_bld_close(&b);
    assert_true(td_bld_finish(&b));
    struct td_cur c;
    const char *err = NULL;
    size_t off = 0;
    td_cur_init(&c, body.data, body.len);
    struct td_server_hello *sh = td_parse_server_hello(&c, &err, &off);
    assert_non_null(sh);
    assert_true(sh->hrr);
    assert_true(sh->has_ech);
    td_server_hello_free(sh);
    td_buf_free(&body);
}

static void test_verdict_says_what_is_seen(void **state)
{
    (void)state;
    static uint16_t suites[] = {0x1301};
    struct td_facts f;
    struct td_verdict v;
    fx_hello(&f, suites, 1, "public.example.com");
    f.ch_ech = true;
    f.hrr = true;
    f.hrr_frame = 6;
    f.hrr_group = 23;
    f.ch2_seen = true;
    f.ch2_frame = 8;
    f.server_msgs = 1;
    fx_client_alert(&f, 40);
    td_diagnose(&f, NULL, &v);
    assert_true(fx_evidence_has(&v, "outer, public name"));
    assert_true(fx_evidence_has(&v, "HelloRetryRequest without encrypted_client_hello: the server did not accept ECH"));
    f.hrr_ech = true;
    td_diagnose(&f, NULL, &v);
    assert_true(fx_evidence_has(&v, "the server accepted ECH"));
    assert_int_equal(v.cause, TD_CAUSE_HRR_FAILED); /* ECH itself is no cause: nothing proves it failed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outer),
        cmocka_unit_test(test_inner_and_broken),
        cmocka_unit_test(test_cut_everywhere),
        cmocka_unit_test(test_hrr_confirmation),
        cmocka_unit_test(test_verdict_says_what_is_seen),
    };
    return tl_run_tests("tls/ech", tests);
}
