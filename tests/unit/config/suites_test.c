/* Suite and version names as configuration files write them: every pair of
 * `openssl ciphers -stdname` (tests/data/config/openssl-names.txt) maps both
 * names to the one IANA code point; Java's SSL_ names; OpenSSL cipher strings
 * select what OpenSSL's rules say. Run from the repository root. */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "tls/names.h"

static uint16_t by_name(const char *n)
{
    uint16_t v = 0;
    if (!td_conf_suite_by_name(n, strlen(n), &v)) {
        fail_msg("no suite named %s", n);
    }
    return v;
}

static void test_openssl_pairs(void **state)
{
    (void)state;
    FILE *f = fopen("tests/data/config/openssl-names.txt", "r");
    assert_non_null(f);
    char iana[128], ossl[128], line[300];
    size_t pairs = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || sscanf(line, "%127s %127s", iana, ossl) != 2) {
            continue;
        }
        uint16_t a = by_name(iana), b = by_name(ossl);
        if (a != b) {
            fail_msg("%s is 0x%04x, %s is 0x%04x", iana, a, ossl, b);
        }
        char back[64];
        assert_string_equal(td_conf_suite_openssl_name(a, back, sizeof back), ossl);
        pairs++;
    }
    fclose(f);
    assert_true(pairs > 100);
}

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(by_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), 0xc02f);
    assert_int_equal(by_name("ecdhe-rsa-aes128-gcm-sha256"), 0xc02f); /* case does not matter */
    assert_int_equal(by_name("SSL_RSA_WITH_3DES_EDE_CBC_SHA"), 0x000a);
    assert_int_equal(by_name("DES-CBC3-SHA"), 0x000a);
    assert_int_equal(by_name("TLS_AES_128_GCM_SHA256"), 0x1301);
    uint16_t v;
    assert_false(td_conf_suite_by_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA265", 37, &v));
    assert_false(td_conf_suite_by_name("", 0, &v));
    assert_int_equal(td_conf_suite_versions(0x1301), TD_V_TLS13);
    assert_int_equal(td_conf_suite_versions(0xc02f), TD_V_TLS12);
    assert_true(td_conf_suite_versions(0x002f) & TD_V_TLS10); /* AES128-SHA */
    assert_int_equal(td_conf_version_bit("TLSv1", 5), TD_V_TLS10);
    assert_int_equal(td_conf_version_bit("TLSv1_2", 7), TD_V_TLS12);
    assert_int_equal(td_conf_version_bit("tlsv1.3", 7), TD_V_TLS13);
    assert_int_equal(td_conf_version_bit("TLSv1.4", 7), 0);
}

static bool has(const uint16_t *s, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == v) {
            return true;
        }
    }
    return false;
}

static void test_cipher_strings(void **state)
{
    (void)state;
    uint16_t s[TD_CONF_MAX_SUITES];
    char unknown[64];
    size_t n = td_conf_cipher_string("HIGH:!aNULL:!MD5", s, TD_CONF_MAX_SUITES, unknown, sizeof unknown);
    assert_string_equal(unknown, "");
    assert_true(has(s, n, 0xc02f) && has(s, n, 0x009c)); /* ECDHE-RSA-AES128-GCM-SHA256, AES128-GCM-SHA256 */
    assert_false(has(s, n, 0x00a6));                     /* ADH-AES128-GCM-SHA256: aNULL */
    assert_false(has(s, n, 0x000a));                     /* DES-CBC3-SHA: MEDIUM since OpenSSL 1.1.0 */
    assert_false(has(s, n, 0x1301));                     /* TLS 1.3 suites are not in cipher strings */
    n = td_conf_cipher_string("ECDHE+AESGCM", s, TD_CONF_MAX_SUITES, unknown, sizeof unknown);
    for (size_t i = 0; i < n; i++) {
        char name[64];
        td_conf_suite_openssl_name(s[i], name, sizeof name);
        assert_non_null(strstr(name, "ECDHE-"));
        assert_non_null(strstr(name, "-GCM-"));
    }
    assert_true(n >= 4);
    /* order and the operators: - removes (may come back), ! for good, + moves to the end */
    n = td_conf_cipher_string("AES128-SHA:AES256-SHA:-AES128-SHA:AES128-SHA", s, 8, unknown, sizeof unknown);
    assert_int_equal(n, 2);
    assert_int_equal(s[0], 0x0035);
    assert_int_equal(s[1], 0x002f);
    n = td_conf_cipher_string("AES128-SHA:AES256-SHA:!AES128-SHA:AES128-SHA", s, 8, unknown, sizeof unknown);
    assert_int_equal(n, 1);
    n = td_conf_cipher_string("AES128-SHA:AES256-SHA:+AES128-SHA", s, 8, unknown, sizeof unknown);
    assert_int_equal(s[1], 0x002f);
    n = td_conf_cipher_string("kRSA:!AESGCM:@STRENGTH:@SECLEVEL=0", s, TD_CONF_MAX_SUITES, unknown, sizeof unknown);
    assert_true(n > 0 && has(s, n, 0x002f) && !has(s, n, 0x009c));
    assert_string_equal(unknown, "");
    td_conf_cipher_string("HIGH:AES256GCM:kRSA+NOPE", s, TD_CONF_MAX_SUITES, unknown, sizeof unknown);
    assert_string_equal(unknown, "AES256GCM");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssl_pairs),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_cipher_strings),
    };
    return tl_run_tests("config/suites", tests);
}
