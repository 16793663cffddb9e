/* The profiles' trust rows: every profile has one, the roots a client lacks
 * are named by the key this machine's copy of the root really has, the rules
 * say what the cited sources say, and the judge turns a root a client lacks
 * into unknown_ca for that client only. */
#include "testlib.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* A certificate for subject, signed by issuer's key (itself when NULL), valid from now for days. */
static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, long days, bool ca)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), days * 86400);
    X509_NAME *nm = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : nm);
    X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    const char *ext[][2] = {{"basicConstraints", "critical,CA:TRUE"},
                            {"keyUsage", "critical,keyCertSign,cRLSign"},
                            {"subjectAltName", "DNS:localhost"},
                            {"extendedKeyUsage", "serverAuth"}};
    for (size_t i = ca ? 0 : 2; i < (ca ? 2u : 4u); i++) {
        X509_EXTENSION *e = X509V3_EXT_conf(NULL, &ctx, ext[i][0], ext[i][1]);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    assert_true(X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0);
    return x;
}

static void add_x509(struct td_certset *s, X509 *x)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    struct td_der d = {der, (size_t)n};
    td_certset_add_sent_chain(s, "as sent", &d, 1);
    OPENSSL_free(der);
}

/* Chrome (public roots only) refuses a leaf valid 730 days; curl takes it; a store the user gave exempts it. */
static void test_judge_398(void **state)
{
    (void)state;
    EVP_PKEY *rk = EVP_EC_gen("P-256"), *lk = EVP_EC_gen("P-256");
    X509 *root = make_cert("398 Test Root", rk, NULL, NULL, 3650, true);
    X509 *leaf = make_cert("localhost", lk, root, rk, 730, false);
    X509 *short_leaf = make_cert("localhost", lk, root, rk, 397, false);
    struct td_certset *store = td_certset_new(), *sent = td_certset_new(), *sent_short = td_certset_new();
    add_x509(store, root);
    add_x509(sent, leaf);
    add_x509(sent_short, short_leaf);
    struct td_client_store st = {store, "the platform's store", "install it", false};
    enum td_trust_source src;
    struct td_client_rules chrome = rules_of("chrome", &src), curl = rules_of("curl", &src);
    struct td_trust_verdict v;
    int64_t now = (int64_t)time(NULL);
    td_client_trust_judge(sent, "chrome", "localhost", now, &st, &chrome, &v);
    assert_int_equal(v.cause, TD_CAUSE_VALIDITY_TOO_LONG);
    assert_non_null(strstr(v.why, "valid for 731 days"));
    td_client_trust_judge(sent_short, "chrome", "localhost", now, &st, &chrome, &v);
    assert_true(v.ok);
    td_client_trust_judge(sent, "curl", "localhost", now, &st, &curl, &v);
    assert_true(v.ok);
    st.user = true;
    td_client_trust_judge(sent, "chrome", "localhost", now, &st, &chrome, &v);
    assert_true(v.ok);
    td_certset_free(store);
    td_certset_free(sent);
    td_certset_free(sent_short);
    X509_free(root);
    X509_free(leaf);
    X509_free(short_leaf);
    EVP_PKEY_free(rk);
    EVP_PKEY_free(lk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_profile), cmocka_unit_test(test_rules),     cmocka_unit_test(test_gap_keys),
        cmocka_unit_test(test_judge_gap),     cmocka_unit_test(test_judge_398),
    };
    return tl_run_tests("config/profile_trust", tests);
}
