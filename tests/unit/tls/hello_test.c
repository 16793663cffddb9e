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
            assert_non_null(err);
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
    assert_string_equal(td_hstype_name(4), "NewSessionTicket");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_hello_fields),
        cmocka_unit_test(test_client_hello_truncated_everywhere),
        cmocka_unit_test(test_client_hello_rejects_odd_suites),
        cmocka_unit_test(test_server_hello_tls13_and_hrr),
        cmocka_unit_test(test_names_from_iana),
    };
    return tl_run_tests("tls/hello", tests);
}
