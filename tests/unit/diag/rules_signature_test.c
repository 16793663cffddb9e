/* signature_mismatch (diag/rules_signature.c) on hand-built facts. */
#include "testlib.h"

#include <string.h>

#include "diag/diag.h"

static uint16_t suites_a[] = {0xc02b, 0xc02f};
static uint16_t groups_a[] = {29, 23};
static uint16_t pss_only[] = {0x0804};
static uint16_t pss_and_ecdsa[] = {0x0804, 0x0403};
static uint16_t rsa_no_sha1[] = {0x0401, 0x0804};
static uint16_t ed25519_only[] = {0x0807};

/* A TLS 1.2 ClientHello (frame 4) with the given signature_algorithms,
 * refused with handshake_failure (frame 6). */
static void refused(struct td_facts *f, uint16_t *sigalgs, size_t n)
{
    memset(f, 0, sizeof *f);
    f->tls = true;
    f->outcome = TD_OUTCOME_FAILED;
    f->have_ch = true;
    f->ch_frame = 4;
    f->ch_min = 0x0303;
    f->ch_max = 0x0303;
    f->ch_suites.v = suites_a;
    f->ch_suites.n = 2;
    f->ch_groups.v = groups_a;
    f->ch_groups.n = 2;
    f->ch_sigalgs.v = sigalgs;
    f->ch_sigalgs.n = n;
    f->sni = true;
    strcpy(f->sni_name, "api.example.com"); /* test code: banned.h is not included */
    strcpy(f->server, "10.0.0.2:443");
    f->server_port = 443;
    f->alert[1] = true;
    f->alert_level[1] = 2;
    f->alert_desc[1] = 40;
    f->alert_version[1] = 0x0303;
    f->alert_frame[1] = 6;
    f->server_msgs = 1;
}

/* A server that signed its ServerKeyExchange (frame 130) with scheme s. */
static void server_signing(struct td_server_view *sv, uint16_t s)
{
    memset(sv, 0, sizeof *sv);
    sv->ok = 2;
    sv->versions_ok = 1u << 3;
    sv->suites[0] = 0xc02b;
    sv->num_suites = 1;
    sv->example_frame = 128;
    sv->sigalgs[0] = s;
    sv->num_sigalgs = 1;
    sv->sigalg_frame = 130;
}

static bool evidence_says(const struct td_verdict *v, uint64_t frame, const char *what)
{
    for (size_t i = 0; i < v->num_evidence; i++) {
        if (v->evidence[i].frame == frame && strstr(v->evidence[i].what, what)) {
            return true;
        }
    }
    return false;
}

static void test_no_scheme_for_the_key(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_server_view sv;
    struct td_verdict v;
    refused(&f, pss_only, 1);
    server_signing(&sv, 0x0403);
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_SIGNATURE_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_true(evidence_says(&v, 4, "rsa_pss_rsae_sha256"));
    assert_true(evidence_says(&v, 130, "ecdsa_secp256r1_sha256"));
    assert_non_null(strstr(v.explanation, "ECDSA"));
    /* the same client also without the ECDSA suites (OpenSSL drops them): still the schemes */
    static uint16_t rsa_suites[] = {0xc02f};
    f.ch_suites.v = rsa_suites;
    f.ch_suites.n = 1;
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_SIGNATURE_MISMATCH);
    /* an Ed25519 key, a client without ed25519 */
    server_signing(&sv, 0x0807);
    refused(&f, pss_and_ecdsa, 2);
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_SIGNATURE_MISMATCH);
    assert_non_null(strstr(v.explanation, "Ed25519"));
    /* with it: something else */
    refused(&f, ed25519_only, 1);
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_SIGNATURE_MISMATCH);
}

static void test_not_without_proof(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_server_view sv;
    struct td_verdict v;
    /* the client offers the key's family */
    refused(&f, pss_and_ecdsa, 2);
    server_signing(&sv, 0x0403);
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_SIGNATURE_MISMATCH);
    /* nothing known about the server's key */
    refused(&f, pss_only, 1);
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_SIGNATURE_MISMATCH);
    server_signing(&sv, 0x0403);
    sv.num_sigalgs = 0;
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_SIGNATURE_MISMATCH);
    /* no signature_algorithms extension: TLS 1.2 defaults apply (RFC 5246 7.4.1.4.1) */
    refused(&f, NULL, 0);
    server_signing(&sv, 0x0403);
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_SIGNATURE_MISMATCH);
    /* an alert about something else */
    refused(&f, pss_only, 1);
    f.alert_desc[1] = 112;
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_SIGNATURE_MISMATCH);
}

static void test_sha1_only_server(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_server_view sv;
    struct td_verdict v;
    refused(&f, rsa_no_sha1, 2);
    server_signing(&sv, 0x0201); /* rsa_pkcs1_sha1 */
    sv.suites[0] = 0xc02f;
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_SIGNATURE_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_non_null(strstr(v.explanation, "SHA-1"));
    assert_non_null(strstr(v.fix, "SHA-256"));
}

static void test_server_key_exchange_not_offered(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    refused(&f, rsa_no_sha1, 2);
    f.alert[1] = false;
    f.have_sh = true;
    f.sh_frame = 6;
    f.version = 0x0303;
    f.suite = 0xc02f;
    f.ske_sigalg = 0x0201;
    f.ske_frame = 7;
    f.alert[0] = true;
    f.alert_level[0] = 2;
    f.alert_desc[0] = 47; /* illegal_parameter */
    f.alert_version[0] = 0x0303;
    f.alert_frame[0] = 9;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_SIGNATURE_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.fix_side, TD_SIDE_SERVER);
    assert_int_equal(v.aborted_by, TD_SIDE_CLIENT);
    assert_true(evidence_says(&v, 7, "rsa_pkcs1_sha1"));
    assert_non_null(strstr(v.explanation, "with rsa_pkcs1_sha1, outside"));
    /* a scheme the client offered: not this */
    f.ske_sigalg = 0x0401;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_SIGNATURE_MISMATCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_scheme_for_the_key),
        cmocka_unit_test(test_not_without_proof),
        cmocka_unit_test(test_sha1_only_server),
        cmocka_unit_test(test_server_key_exchange_not_offered),
    };
    return tl_run_tests("rules_signature", tests);
}
