/* The generated constants (build/gen/iana.h, tools/gen_names.sh) name the
 * code points the registries give them: each constant's own name, spelled as
 * the registry spells it, is the name the table holds for its value. Checked
 * for the constants src/diag decides with. */
#include "testlib.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tls/names.h"

struct named {
    unsigned value;
    const char *name;
};

/* TD_SUITE_X is TLS_X in the registry. */
#define SUITE(x)                                                                                                       \
    {                                                                                                                  \
        TD_SUITE_##x, "TLS_" #x                                                                                        \
    }
/* TD_ALERT_X and TD_GROUP_X are x, in lower case. */
#define ALERT(x)                                                                                                       \
    {                                                                                                                  \
        TD_ALERT_##x, #x                                                                                               \
    }
#define GROUP(x)                                                                                                       \
    {                                                                                                                  \
        TD_GROUP_##x, #x                                                                                               \
    }

static void lower(char *s)
{
    for (; *s; s++) {
        *s = (char)tolower((unsigned char)*s);
    }
}

static void test_suites(void **state)
{
    (void)state;
    static const struct named suites[] = {
        SUITE(AES_128_GCM_SHA256),
        SUITE(AES_256_GCM_SHA384),
        SUITE(EMPTY_RENEGOTIATION_INFO_SCSV),
        SUITE(FALLBACK_SCSV),
        SUITE(ECDHE_RSA_WITH_AES_128_GCM_SHA256),
        SUITE(ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
        SUITE(ECDHE_RSA_WITH_AES_256_GCM_SHA384),
        SUITE(ECDHE_ECDSA_WITH_AES_256_GCM_SHA384),
        SUITE(RSA_WITH_AES_128_GCM_SHA256),
        SUITE(RSA_WITH_AES_128_CBC_SHA),
        SUITE(RSA_WITH_AES_256_CBC_SHA),
        SUITE(ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256),
    };
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        const char *n = td_suite_name((uint16_t)suites[i].value);
        assert_non_null(n);
        assert_string_equal(n, suites[i].name);
    }
    /* RFC 8446 B.4 and RFC 7507 give these two their values. */
    assert_int_equal(TD_SUITE_AES_128_GCM_SHA256, 0x1301);
    assert_int_equal(TD_SUITE_FALLBACK_SCSV, 0x5600);
}

static void test_alerts_and_groups(void **state)
{
    (void)state;
    static const struct named alerts[] = {
        ALERT(CLOSE_NOTIFY),
        ALERT(UNEXPECTED_MESSAGE),
        ALERT(HANDSHAKE_FAILURE),
        ALERT(BAD_CERTIFICATE),
        ALERT(UNSUPPORTED_CERTIFICATE),
        ALERT(CERTIFICATE_EXPIRED),
        ALERT(CERTIFICATE_UNKNOWN),
        ALERT(ILLEGAL_PARAMETER),
        ALERT(UNKNOWN_CA),
        ALERT(ACCESS_DENIED),
        ALERT(DECODE_ERROR),
        ALERT(DECRYPT_ERROR),
        ALERT(PROTOCOL_VERSION),
        ALERT(INSUFFICIENT_SECURITY),
        ALERT(CERTIFICATE_REQUIRED),
    };
    char want[64];
    for (size_t i = 0; i < sizeof alerts / sizeof alerts[0]; i++) {
        snprintf(want, sizeof want, "%s", alerts[i].name);
        lower(want);
        const char *n = td_alert_name((uint8_t)alerts[i].value);
        assert_non_null(n);
        assert_string_equal(n, want);
    }
    static const struct named groups[] = {GROUP(X25519), GROUP(SECP256R1)};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        snprintf(want, sizeof want, "%s", groups[i].name);
        lower(want);
        const char *n = td_group_name((uint16_t)groups[i].value);
        assert_non_null(n);
        assert_string_equal(n, want);
    }
    /* RFC 8446 6: AlertLevel, in no registry, written once by the generator. */
    assert_int_equal(TD_ALERT_LEVEL_WARNING, 1);
    assert_int_equal(TD_ALERT_LEVEL_FATAL, 2);
}

static void test_versions_and_handshake_types(void **state)
{
    (void)state;
    assert_string_equal(td_version_name(TD_VERSION_SSL3), "SSLv3");
    assert_string_equal(td_version_name(TD_VERSION_TLS1_1), "TLSv1.1");
    assert_string_equal(td_version_name(TD_VERSION_TLS1_2), "TLSv1.2");
    assert_string_equal(td_version_name(TD_VERSION_TLS1_3), "TLSv1.3");
    assert_int_equal(TD_VERSION_TLS1_3, 0x0304); /* RFC 8446 4.2.1 */
    static const struct named hs[] = {
        {TD_HS_CLIENT_HELLO, "client_hello"},
        {TD_HS_SERVER_HELLO, "server_hello"},
        {TD_HS_CERTIFICATE, "certificate"},
        {TD_HS_SERVER_KEY_EXCHANGE, "server_key_exchange"},
        {TD_HS_CERTIFICATE_REQUEST, "certificate_request"},
        {TD_HS_FINISHED, "finished"},
    };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) {
        const char *n = td_hstype_name((uint8_t)hs[i].value);
        assert_non_null(n);
        /* the registry writes ClientHello, server_hello or client_hello */
        char got[64];
        size_t k = 0;
        for (const char *p = n; *p && k + 2 < sizeof got; p++) {
            if (isupper((unsigned char)*p) && p != n) {
                got[k++] = '_';
            }
            got[k++] = (char)tolower((unsigned char)*p);
        }
        got[k] = '\0';
        assert_string_equal(got, hs[i].name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suites),
        cmocka_unit_test(test_alerts_and_groups),
        cmocka_unit_test(test_versions_and_handshake_types),
    };
    return tl_run_tests("tls/iana", tests);
}
