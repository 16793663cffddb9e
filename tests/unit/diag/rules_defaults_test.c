/* The rules for a default dropped in an upgrade (diag/rules_defaults.c) and
 * the "what changed" line (diag/changes.c), on hand-built facts. */
#include "testlib.h"

#include <string.h>

#include "diag/diag.h"
#include "facts_fixture.h"

static uint16_t ecdhe_only[] = {0xc02f, 0xc030, 0x00ff}; /* ECDHE-RSA-AES-GCM, the renegotiation SCSV */
static uint16_t with_rsa[] = {0xc02f, 0x002f};           /* and TLS_RSA_WITH_AES_128_CBC_SHA */
static uint16_t with_rsa_psk[] = {0xc02f, 0x00ac};       /* TLS_RSA_PSK_WITH_AES_128_GCM_SHA256: not RSA kex */

/* A TLS 1.2-1.3 ClientHello (frame 4) without TLS_RSA_*, refused with a
 * handshake_failure (frame 6). */
static void refused(struct td_facts *f)
{
    fx_hello(f, ecdhe_only, 3, "legacy.example.com");
    fx_server_alert(f, 40, 0x0303);
}

/* A server that negotiated TLS_RSA_WITH_AES_128_GCM_SHA256 with 3 clients. */
static void rsa_only_server(struct td_server_view *sv)
{
    memset(sv, 0, sizeof *sv);
    sv->ok = 3;
    sv->versions_ok = 1u << 3;
    sv->suites[0] = 0x009c;
    sv->num_suites = 1;
    sv->example_frame = 120;
    strcpy(sv->example, "TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256");
}

static bool has_candidate(const struct td_verdict *v, enum td_cause c)
{
    for (size_t i = 0; i < v->num_candidates; i++) {
        if (v->candidates[i] == c) {
            return true;
        }
    }
    return false;
}

static bool evidence_at(const struct td_verdict *v, uint64_t frame)
{
    for (size_t i = 0; i < v->num_evidence; i++) {
        if (v->evidence[i].frame == frame) {
            return true;
        }
    }
    return false;
}

static void test_rsa_kex_removed_with_the_server_view(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_server_view sv;
    struct td_verdict v;
    refused(&f);
    rsa_only_server(&sv);
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_RSA_KEX_REMOVED);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.fix_side, TD_SIDE_BOTH);
    assert_true(evidence_at(&v, 4) && evidence_at(&v, 6) && evidence_at(&v, 120));
    assert_true(has_candidate(&v, TD_CAUSE_CIPHER_MISMATCH));
    assert_non_null(strstr(v.explanation, "Go >= 1.22"));
    assert_non_null(strstr(v.fix, "TLS_RSA_WITH_AES_128_GCM_SHA256"));
    /* the verdict names the default change and the switch */
    assert_non_null(v.changed);
    assert_non_null(strstr(v.changed->what, "Go 1.22"));
    assert_non_null(strstr(v.changed->restore, "GODEBUG=tlsrsakex=1"));
    /* no alert, only a close: the same */
    f.alert[1] = false;
    f.fin[1] = true;
    f.fin_frame[1] = 6;
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_RSA_KEX_REMOVED);
    /* a TLS 1.2-only client: the same */
    refused(&f);
    f.ch_supported_versions = false;
    f.ch_max = 0x0303;
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_RSA_KEX_REMOVED);
}

static void test_rsa_kex_removed_alone_is_a_candidate(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    refused(&f);
    td_diagnose(&f, NULL, &v);
    /* nothing known about the server: a cipher mismatch, RSA kex named */
    assert_int_equal(v.cause, TD_CAUSE_CIPHER_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_true(v.num_candidates > 0 && v.candidates[0] == TD_CAUSE_RSA_KEX_REMOVED);
    assert_null(v.changed);
    /* a client that offers RSA key exchange: not a candidate */
    f.ch_suites.v = with_rsa;
    f.ch_suites.n = 2;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CIPHER_MISMATCH);
    assert_false(has_candidate(&v, TD_CAUSE_RSA_KEX_REMOVED));
}

static void test_rsa_kex_removed_not_when(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_server_view sv;
    struct td_verdict v;
    /* the client offers an RSA suite the server did not take: the suites */
    refused(&f);
    f.ch_suites.v = with_rsa;
    f.ch_suites.n = 2;
    rsa_only_server(&sv);
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_CIPHER_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    /* TLS_RSA_PSK_* is not RSA key exchange */
    f.ch_suites.v = with_rsa_psk;
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_RSA_KEX_REMOVED);
    /* the server also took ECDHE from someone: not RSA-only */
    refused(&f);
    sv.suites[1] = 0xc02b;
    sv.num_suites = 2;
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_RSA_KEX_REMOVED);
    /* the server takes TLS 1.3 with a suite this client offers */
    static uint16_t with13[] = {0x1301, 0xc02f};
    rsa_only_server(&sv);
    sv.suites[1] = 0x1301;
    sv.suite_is13[1] = true;
    sv.num_suites = 2;
    f.ch_suites.v = with13;
    f.ch_suites.n = 2;
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_RSA_KEX_REMOVED);
    /* a TLS 1.3-only client: RSA key exchange does not exist there */
    refused(&f);
    f.ch_min = 0x0304;
    rsa_only_server(&sv);
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_RSA_KEX_REMOVED);
    /* an alert that says something else (unrecognized_name) */
    refused(&f);
    f.alert_desc[1] = 112;
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_RSA_KEX_REMOVED);
    /* the server answered: not a refused hello */
    refused(&f);
    f.have_sh = true;
    f.sh_frame = 6;
    f.version = 0x0303;
    f.suite = 0xc02f;
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_RSA_KEX_REMOVED);
}

/* TLS 1.2 client authentication: the server asked (frame 8), the client sent
 * a certificate (frame 10) the pcap's checks find without clientAuth, the
 * server alerted (frame 12). */
static void refused_client_cert(struct td_facts *f, uint8_t desc)
{
    refused(f);
    f->ch_max = 0x0303;
    f->ch_supported_versions = false;
    f->have_sh = true;
    f->sh_frame = 6;
    f->version = 0x0303;
    f->suite = 0xc02f;
    f->cert_request = true;
    f->cr_frame = 8;
    f->client_cert_seen = true;
    f->client_cert_frame = 10;
    strcpy(f->client_chain.leaf.subject, "CN=api-client.example.com");
    strcpy(f->client_chain.leaf.issuer, "CN=Public TLS CA");
    f->client_chain.unusable = TD_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH;
    strcpy(f->client_chain.unusable_msg, "certificate 0 has extendedKeyUsage serverAuth but not clientAuth");
    strcpy(f->client_chain.unusable_fix, "Reissue it with extendedKeyUsage clientAuth.");
    f->alert_desc[1] = desc;
    f->alert_frame[1] = 12;
}

static void test_client_cert_no_client_auth(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    refused_client_cert(&f, 43); /* unsupported_certificate: OpenSSL's word for a wrong purpose */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.fix_side, TD_SIDE_CLIENT);
    assert_true(evidence_at(&v, 10) && evidence_at(&v, 12));
    assert_string_equal(v.cert_role, "client");
    assert_non_null(strstr(v.explanation, "not clientAuth"));
    assert_non_null(v.changed);
    assert_non_null(strstr(v.changed->what, "2026"));
    /* an alert that says nothing of the certificate: medium */
    refused_client_cert(&f, 40);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    /* any other defect of the client's certificate stays cert_unusable */
    refused_client_cert(&f, 43);
    f.client_chain.unusable = TD_CAUSE_WEAK_KEY;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CERT_UNUSABLE);
}

static void test_no_secure_renegotiation(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    refused(&f); /* its suites carry the renegotiation SCSV */
    f.alert[1] = false;
    f.ch_reneg = true;
    f.have_sh = true;
    f.sh_frame = 6;
    f.version = 0x0303;
    f.suite = 0xc02f;
    f.alert[0] = true;
    f.alert_level[0] = 2;
    f.alert_desc[0] = 40;
    f.alert_version[0] = 0x0303;
    f.alert_frame[0] = 8;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NO_SECURE_RENEGOTIATION);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.fix_side, TD_SIDE_SERVER);
    assert_int_equal(v.aborted_by, TD_SIDE_CLIENT);
    assert_true(evidence_at(&v, 6) && evidence_at(&v, 8));
    assert_non_null(strstr(v.evidence[0].what, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"));
    assert_non_null(v.changed);
    assert_non_null(strstr(v.changed->restore, "UnsafeLegacyServerConnect"));
    /* the server sent renegotiation_info: something else */
    f.sh_reneg = true;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_NO_SECURE_RENEGOTIATION);
    /* another alert (a certificate refused by Go or Java): not this */
    f.sh_reneg = false;
    f.alert_desc[0] = 46;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_NO_SECURE_RENEGOTIATION);
    /* TLS 1.3 has no renegotiation */
    f.alert_desc[0] = 40;
    f.version = 0x0304;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_NO_SECURE_RENEGOTIATION);
    /* a client that did not offer it does not require it */
    f.version = 0x0303;
    f.ch_reneg = false;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_NO_SECURE_RENEGOTIATION);
}

static void test_change_table(void **state)
{
    (void)state;
    struct td_facts f;
    memset(&f, 0, sizeof f);
    assert_null(td_change_find(TD_CAUSE_NONE, &f));
    assert_null(td_change_find(TD_CAUSE_EXPIRED_CERT, &f));
    /* hello_too_large names the post-quantum change only with a PQ share */
    assert_null(td_change_find(TD_CAUSE_HELLO_TOO_LARGE, &f));
    f.ch_pq_share = 0x11ec;
    assert_non_null(td_change_find(TD_CAUSE_HELLO_TOO_LARGE, &f));
    /* protocol_mismatch names the TLS 1.0/1.1 removal only when one side is that old */
    f.have_ch = true;
    f.ch_min = 0x0303;
    f.ch_max = 0x0304;
    assert_null(td_change_find(TD_CAUSE_PROTOCOL_MISMATCH, &f));
    f.ch_min = 0x0301;
    f.ch_max = 0x0301;
    assert_non_null(td_change_find(TD_CAUSE_PROTOCOL_MISMATCH, &f));
    assert_non_null(strstr(td_change_find(TD_CAUSE_PROTOCOL_MISMATCH, &f)->what, "JDK 8u291"));
    for (int i = 0; i < TD_CAUSE_COUNT; i++) {
        const struct td_change *c = td_change_find((enum td_cause)i, &f);
        if (c) {
            assert_int_equal(c->cause, i);
            assert_true(c->what[0] && c->restore[0]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_kex_removed_with_the_server_view),
        cmocka_unit_test(test_rsa_kex_removed_alone_is_a_candidate),
        cmocka_unit_test(test_rsa_kex_removed_not_when),
        cmocka_unit_test(test_client_cert_no_client_auth),
        cmocka_unit_test(test_no_secure_renegotiation),
        cmocka_unit_test(test_change_table),
    };
    return tl_run_tests("rules_defaults", tests);
}
