#include "testlib.h"

#include <string.h>

#include "cert/audit.h"
#include "cert/internal.h"

/* RFC 6125 6.4.3, as tlsdiag applies it to certInfo names. */
static void test_host_matches(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *host;
        bool match;
    } cases[] = {
        {"a.domain.com", "a.domain.com", true},
        {"A.Domain.COM", "a.domain.com", true},
        {"*.domain.com", "a.domain.com", true},
        {"*.domain.com", "domain.com", false},
        {"*.domain.com", "a.b.domain.com", false},
        {"*.com", "domain.com", false},
        {"a*.domain.com", "ab.domain.com", false},
        {"*.domain.com.", "a.domain.com", true},
        {"domain.com", "a.domain.com", false},
        {"*.domain.com", ".domain.com", false},
        {"", "a", false},
        {"*.", "a.", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (td_host_matches(cases[i].pattern, cases[i].host) != cases[i].match) {
            fail_msg("%s vs %s", cases[i].pattern, cases[i].host);
        }
    }
}

/* A JKS with one trusted entry whose "certificate" is not DER: every prefix
 * of it, and the whole, fail with a message that names the byte offset. */
static void test_jks_truncated(void **state)
{
    (void)state;
    struct td_buf buf = {0};
    struct td_bld b;
    td_bld_init(&b, &buf);
    td_bld_u32(&b, 0xFEEDFEEDu);
    td_bld_u32(&b, 2);
    td_bld_u32(&b, 1);
    td_bld_u32(&b, 2);
    td_bld_open(&b, 2);
    td_bld_bytes(&b, "alias", 5);
    td_bld_close(&b);
    td_bld_u32(&b, 0);
    td_bld_u32(&b, 0);
    td_bld_open(&b, 2);
    td_bld_bytes(&b, "X.509", 5);
    td_bld_close(&b);
    td_bld_u32(&b, 4);
    td_bld_bytes(&b, "\x30\x02\x05\x00", 4);
    for (int i = 0; i < 20; i++) {
        td_bld_u8(&b, 0);
    }
    assert_true(td_bld_finish(&b));
    for (size_t len = 0; len <= buf.len; len++) {
        struct td_certset *s = td_certset_new();
        char err[300] = "";
        assert_false(td_jks_load(s, buf.data, len, "t.jks", err, sizeof err));
        assert_non_null(strstr(err, "offset"));
        assert_int_equal(td_certset_num_certs(s), 0);
        td_certset_free(s);
    }
    td_buf_free(&buf);
}

/* certInfo JSON: any prefix of the seed's sample is read without harm, and the
 * whole gives the certificate's names and dates. */
static void test_certinfo_prefixes(void **state)
{
    (void)state;
    static const char json[] =
        "{\"certInfo\": [{\"basicConstraints\": \"CA:FALSE\", \"expiryDate\": 1456258950000, \"isValid\": \"No\","
        "\"issuer\": \"CN=Go Daddy, O=\\\"GoDaddy.com, Inc.\\\"\", \"publicKey\": \"RSA Public Key, 2048 bits\","
        "\"serialNumber\": \"07:bc\", \"sigAlgName\": \"SHA1withRSA\", \"subject\": \"CN=something.domain.com\","
        "\"validFrom\": 1358287055000, \"version\": 3, \"subjectAlternativeNames\": [\"a.domain.com\"]}]}";
    for (size_t len = 0; len < sizeof json; len++) {
        struct td_certset *s = td_certset_new();
        char err[300] = "";
        bool ok = td_certinfo_load(s, (const uint8_t *)json, len, "c.json", err, sizeof err);
        assert_true(ok == (td_certset_num_certs(s) == 1));
        if (len == sizeof json - 1) {
            assert_true(ok);
            assert_string_equal(s->e[0].info.subject, "CN=something.domain.com");
            assert_string_equal(s->e[0].info.issuer, "CN=Go Daddy, O=\"GoDaddy.com, Inc.\"");
            assert_string_equal(s->e[0].info.not_after, "2016-02-23T20:22:30Z");
            assert_string_equal(s->e[0].info.key, "RSA 2048");
            assert_string_equal(s->e[0].info.sans[0], "DNS:a.domain.com");
        }
        td_certset_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_matches),
        cmocka_unit_test(test_jks_truncated),
        cmocka_unit_test(test_certinfo_prefixes),
    };
    return tl_run_tests("cert/audit", tests);
}
