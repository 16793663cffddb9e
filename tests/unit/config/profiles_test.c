/* The client profiles: every name of every row resolves (a typo in a suite or
 * group name fails here, not at a customer's), each row offers something for
 * each version it claims, names are unique, and the SNI rules hold. */
#include "testlib.h"

#include <string.h>

#include "config/config.h"
#include "config/profiles.h"
#include "tls/names.h"

static void test_rows(void **state)
{
    (void)state;
    static const char *const required[] = {
        "java8",       "java11",      "java17", "java21",  "openssl-1.0.2", "openssl-1.1.1",
        "openssl-3.0", "openssl-3.5", "curl",   "go-1.21", "go-1.22",       "go-1.24",
        "python-3.12", "node-20",     "chrome", "firefox", "android-7",     "windows-schannel-2012r2"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (!td_client_profile_find(required[i])) {
            fail_msg("no profile %s", required[i]);
        }
    }
    for (size_t i = 0; i < td_client_profile_count(); i++) {
        const struct td_client_profile *p = td_client_profile_at(i);
        struct td_client_plan plan;
        char err[200];
        if (!td_client_profile_plan(p, &plan, err, sizeof err)) {
            fail_msg("%s: %s", p->name, err);
        }
        assert_true(plan.num_groups > 0);
        if (p->versions & (TD_V_TLS12 | TD_V_TLS11 | TD_V_TLS10)) {
            assert_true(plan.num_suites > 0);
        }
        if (p->versions & TD_V_TLS13) {
            assert_true(plan.num_suites13 > 0);
        }
        for (size_t k = 0; k < plan.num_suites13; k++) {
            assert_int_equal(td_conf_suite_versions(plan.suites13[k]), TD_V_TLS13);
        }
        for (size_t j = i + 1; j < td_client_profile_count(); j++) {
            assert_string_not_equal(p->name, td_client_profile_at(j)->name);
        }
    }
    assert_null(td_client_profile_find("java7"));
}

/* Does the profile's plan hold v among its suites (sig false) or its signature schemes? */
static bool in_plan(const char *profile, bool sig, uint16_t v)
{
    struct td_client_plan plan;
    char err[200];
    assert_true(td_client_profile_plan(td_client_profile_find(profile), &plan, err, sizeof err));
    const uint16_t *list = sig ? plan.sigalgs : plan.suites;
    for (size_t i = 0, n = sig ? plan.num_sigalgs : plan.num_suites; i < n; i++) {
        if (list[i] == v) {
            return true;
        }
    }
    return false;
}

static bool offers(const char *profile, uint16_t suite) { return in_plan(profile, false, suite); }
static bool offers_sig(const char *profile, uint16_t scheme) { return in_plan(profile, true, scheme); }

/* The facts the playbook's failures turn on. */
static void test_facts(void **state)
{
    (void)state;
    assert_true(offers("go-1.21", 0x009c));        /* TLS_RSA_WITH_AES_128_GCM_SHA256 */
    assert_false(offers("go-1.22", 0x009c));       /* RSA key exchange gone from the defaults */
    assert_false(offers("python-3.12", 0x009c));   /* ECDH+/DHE+ only */
    assert_true(offers("node-20", 0x009c));        /* HIGH */
    assert_true(offers("java8", 0xc030));          /* ECDHE-RSA-AES256-GCM-SHA384 */
    assert_false(offers("java8-limited", 0xc030)); /* no AES-256 without the unlimited policy */
    assert_false(offers("java8", 0xcca8));         /* no ChaCha20 before JDK 12 */
    assert_true(offers("java17", 0xcca8));
    assert_false(offers("windows-schannel-2012r2", 0xc02f)); /* no ECDHE_RSA with GCM */
    const struct td_client_profile *j = td_client_profile_find("java17"), *o = td_client_profile_find("openssl-3.0");
    assert_false(td_client_sends_sni(j, "localhost")); /* Java: none for dot-less names */
    assert_true(td_client_sends_sni(o, "localhost"));
    assert_true(td_client_sends_sni(j, "api.example.com"));
    assert_false(td_client_sends_sni(o, "192.0.2.1"));
    assert_false(td_client_sends_sni(o, "2001:db8::1"));
    assert_false(td_client_profile_find("java8")->versions & TD_V_TLS13);
    /* signature_algorithms as captured: OpenSSL 3 at level 2 offers no SHA-1, Java 17 and Go do; Go puts
     * rsa_pss_rsae_sha256 first */
    assert_false(offers_sig("openssl-3.0", TD_SIGSCHEME_RSA_PKCS1_SHA1));
    assert_true(offers_sig("openssl-3.0", TD_SIGSCHEME_ED448));
    assert_true(offers_sig("java17", TD_SIGSCHEME_RSA_PKCS1_SHA1));
    assert_true(offers_sig("go-1.21", TD_SIGSCHEME_ECDSA_SHA1));
    assert_false(offers_sig("go-1.24", TD_SIGSCHEME_ED448));
    struct td_client_plan g;
    char err[200];
    assert_true(td_client_profile_plan(td_client_profile_find("go-1.22"), &g, err, sizeof err));
    assert_int_equal(g.num_sigalgs, 12);
    assert_int_equal(g.sigalgs[0], TD_SIGSCHEME_RSA_PSS_RSAE_SHA256);
    assert_true(offers_sig("chrome", TD_SIGSCHEME_RSA_PKCS1_SHA256));
    assert_false(offers_sig("chrome", TD_SIGSCHEME_RSA_PKCS1_SHA1));           /* BoringSSL: none since Chrome 101 */
    assert_true(offers_sig("windows-schannel-2012r2", TD_SIGSCHEME_DSA_SHA1)); /* and no RSA-PSS */
    assert_false(offers_sig("windows-schannel-2012r2", TD_SIGSCHEME_RSA_PSS_RSAE_SHA256));
}

static struct td_client_plan plan_of(const char *profile)
{
    struct td_client_plan p;
    char err[200];
    assert_true(td_client_profile_plan(td_client_profile_find(profile), &p, err, sizeof err));
    return p;
}

static bool same_sigs(const struct td_client_plan *a, const struct td_client_plan *b)
{
    return a->num_sigalgs == b->num_sigalgs && memcmp(a->sigalgs, b->sigalgs, a->num_sigalgs * 2) == 0;
}

/* Every row sends its own signature_algorithms; the rows read from source code keep to it: SunJSSE's
 * enum order (jdk8u as Java 11, OpenJDK 21 as 17), OpenSSL 3.5's tls12_sigalgs as 3.0's with ML-DSA first
 * and the brainpool TLS 1.3 schemes after EdDSA. */
static void test_sigalgs_sources(void **state)
{
    (void)state;
    for (size_t i = 0; i < td_client_profile_count(); i++) {
        const struct td_client_profile *p = td_client_profile_at(i);
        struct td_client_plan plan = plan_of(p->name);
        if (plan.num_sigalgs == 0) {
            fail_msg("%s: no signature_algorithms of its own", p->name);
        }
    }
    struct td_client_plan j8 = plan_of("java8"), j11 = plan_of("java11"), j17 = plan_of("java17"),
                          j21 = plan_of("java21"), o30 = plan_of("openssl-3.0"), o35 = plan_of("openssl-3.5");
    assert_true(same_sigs(&j8, &j11));
    assert_true(same_sigs(&j21, &j17));
    assert_int_equal(o35.num_sigalgs, o30.num_sigalgs + 6);
    assert_int_equal(o35.sigalgs[0], TD_SIGSCHEME_MLDSA65);
    assert_memory_equal(o35.sigalgs + 3, o30.sigalgs, 5 * 2); /* ECDSA, EdDSA */
    assert_int_equal(o35.sigalgs[8], TD_SIGSCHEME_ECDSA_BRAINPOOLP256R1TLS13_SHA256);
    assert_memory_equal(o35.sigalgs + 11, o30.sigalgs + 5, (o30.num_sigalgs - 5) * 2);
    assert_false(offers_sig("java8", TD_SIGSCHEME_ED25519)); /* TLS 1.3 only in jdk8u, and TLS 1.3 off */
    assert_false(offers_sig("java8", TD_SIGSCHEME_RSA_MD5)); /* jdk.tls.disabledAlgorithms MD5withRSA */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_facts),
        cmocka_unit_test(test_sigalgs_sources),
    };
    return tl_run_tests("config/profiles", tests);
}
