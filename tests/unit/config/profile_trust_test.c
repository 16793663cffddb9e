/* The profiles' trust rows: every profile has one, the roots a client lacks
 * are named by the key this machine's copy of the root really has, the rules
 * say what the cited sources say, and the judge turns a root a client lacks
 * into unknown_ca for that client only. */
#include "testlib.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "cert/client_trust.h"
#include "config/profile_trust.h"
#include "config/profiles.h"

static void test_every_profile(void **state)
{
    (void)state;
    for (size_t i = 0; i < td_client_profile_count(); i++) {
        const char *name = td_client_profile_at(i)->name;
        enum td_trust_source src;
        struct td_client_rules r;
        if (!td_profile_trust(name, &src, &r)) {
            fail_msg("%s: no trust row", name);
        }
        assert_non_null(td_trust_source_slug(src));
        for (size_t g = 0; g < r.num_gaps; g++) {
            assert_int_equal(strlen(r.gaps[g]->spki_sha256), 64);
            assert_true(strlen(r.gaps[g]->absent) > 0);
        }
    }
    enum td_trust_source src;
    struct td_client_rules r;
    assert_false(td_profile_trust("java7", &src, &r));
}

static struct td_client_rules rules_of(const char *profile, enum td_trust_source *src)
{
    struct td_client_rules r;
    assert_true(td_profile_trust(profile, src, &r));
    return r;
}

static void test_rules(void **state)
{
    (void)state;
    enum td_trust_source src;
    struct td_client_rules r = rules_of("java8", &src);
    assert_int_equal(src, TD_TRUST_JAVA);
    assert_true(r.partial_chain && r.sha1_public_only && r.cn_fallback);
    assert_string_equal(r.distrust, "Java");
    r = rules_of("go-1.21", &src);
    assert_int_equal(src, TD_TRUST_SYSTEM);
    assert_true(r.reject_sha1 && !r.cn_fallback && !r.partial_chain); /* Go 1.18 SHA-1, Go 1.15 CN */
    r = rules_of("chrome", &src);
    assert_int_equal(src, TD_TRUST_PLATFORM);
    assert_false(r.cn_fallback);
    r = rules_of("firefox", &src);
    assert_int_equal(src, TD_TRUST_BUNDLED_MOZILLA);
    r = rules_of("openssl-1.0.2", &src);
    assert_false(r.reject_sha1); /* security level 1 counts SHA-1 as 80 bits */
    r = rules_of("openssl-3.0", &src);
    assert_true(r.reject_sha1 && r.cn_fallback && !r.sha1_public_only);
    r = rules_of("node-20", &src);
    assert_int_equal(src, TD_TRUST_BUNDLED_MOZILLA);
    assert_int_equal(rules_of("java17", &src).num_gaps, 1);    /* ISRG Root X2 */
    assert_int_equal(rules_of("android-7", &src).num_gaps, 2); /* X1 and X2 */
    assert_int_equal(rules_of("curl", &src).num_gaps, 0);
}

/* The root from this machine's ca-certificates, as DER. */
static size_t root_der(const char *file, unsigned char **der)
{
    char path[200];
    snprintf(path, sizeof path, "/usr/share/ca-certificates/mozilla/%s", file);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(x);
    *der = NULL;
    int n = i2d_X509(x, der);
    X509_free(x);
    assert_true(n > 0);
    return (size_t)n;
}

static void test_gap_keys(void **state)
{
    (void)state;
    enum td_trust_source src;
    struct td_client_rules r = rules_of("android-7", &src);
    const char *files[2] = {"ISRG_Root_X1.crt", "ISRG_Root_X2.crt"};
    for (size_t i = 0; i < 2; i++) {
        unsigned char *der;
        size_t n = root_der(files[i], &der);
        char spki[65];
        assert_true(td_cert_spki_sha256(der, n, spki));
        assert_string_equal(spki, r.gaps[i]->spki_sha256);
        OPENSSL_free(der);
    }
    char spki[65];
    assert_false(td_cert_spki_sha256((const uint8_t *)"junk", 4, spki));
}

/* The root itself sent as the chain: it verifies against the system store;
 * android-7 lacks it (unknown_ca, the gap named), curl holds it. */
static void test_judge_gap(void **state)
{
    (void)state;
    unsigned char *der;
    size_t n = root_der("ISRG_Root_X1.crt", &der);
    struct td_der d = {der, n};
    struct td_certset *sent = td_certset_new();
    td_certset_add_sent_chain(sent, "as sent", &d, 1);
    struct td_client_store st = {NULL, "the system store", "update-ca-certificates", false};
    enum td_trust_source src;
    struct td_client_rules r = rules_of("android-7", &src);
    struct td_trust_verdict v;
    td_client_trust_judge(sent, "android-7", NULL, 1767225600 /* 2026-01-01 */, &st, &r, &v);
    assert_true(v.checked);
    assert_false(v.ok);
    assert_int_equal(v.cause, TD_CAUSE_UNKNOWN_CA);
    assert_non_null(strstr(v.why, "ISRG Root X1, absent from Android before 7.1.1"));
    r = rules_of("curl", &src);
    td_client_trust_judge(sent, "curl", NULL, 1767225600, &st, &r, &v);
    /* trusted, but a root cannot sign a handshake: what no store cures comes next */
    assert_int_equal(v.cause, TD_CAUSE_WRONG_USAGE);
    assert_string_equal(v.anchor, "ISRG Root X1");
    st.user = true; /* --trust: the store is the user's, no gap applies */
    r = rules_of("android-7", &src);
    td_client_trust_judge(sent, "android-7", NULL, 1767225600, &st, &r, &v);
    assert_int_equal(v.cause, TD_CAUSE_WRONG_USAGE);
    td_client_trust_judge(NULL, "curl", NULL, 0, &st, &r, &v);
    assert_false(v.checked);
    td_certset_free(sent);
    OPENSSL_free(der);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_profile),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_gap_keys),
        cmocka_unit_test(test_judge_gap),
    };
    return tl_run_tests("config/profile_trust", tests);
}
