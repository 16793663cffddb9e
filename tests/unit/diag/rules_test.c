#include "testlib.h"

#include <string.h>

#include <stdio.h>

#include "diag/diag.h"
#include "facts_fixture.h"

static uint16_t suites_a[] = {0xc02f, 0xc030};

/* A TLS 1.2-1.3 ClientHello at frame 4 with SNI, to 10.0.0.2:443. */
static void base(struct td_facts *f) { fx_hello(f, suites_a, 2, "api.example.com"); }

static void server_alert(struct td_facts *f, uint8_t desc, uint16_t rec_version)
{
    fx_server_alert(f, desc, rec_version);
}

static void client_alert(struct td_facts *f, uint8_t desc) { fx_client_alert(f, desc); }

static bool evidence_at(const struct td_verdict *v, uint64_t frame)
{
    for (size_t i = 0; i < v->num_evidence; i++) {
        if (v->evidence[i].frame == frame) {
            return true;
        }
    }
    return false;
}

static void test_cause_table(void **state)
{
    (void)state;
    for (int i = 0; i < TD_CAUSE_COUNT; i++) {
        const struct td_cause_info *a = td_cause_info((enum td_cause)i);
        assert_true(a->slug[0] && a->title[0] && a->resolution[0]);
        for (int j = i + 1; j < TD_CAUSE_COUNT; j++) {
            assert_string_not_equal(a->slug, td_cause_info((enum td_cause)j)->slug);
        }
    }
    assert_string_equal(td_cause_info(TD_CAUSE_SNI_REQUIRED)->slug, "sni_required");
}

static void test_completed_is_none(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    f.outcome = TD_OUTCOME_OK;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NONE);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
}

/* The seed's example: a TLS 1.0-only backend answers a TLS 1.2 ClientHello
 * with an alert (close_notify) whose record version is TLS 1.0. */
static void test_protocol_by_alert_record_version(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    server_alert(&f, 0, 0x0301);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_PROTOCOL_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.aborted_by, TD_SIDE_SERVER);
    assert_int_equal(v.fix_side, TD_SIDE_SERVER);
    assert_non_null(strstr(v.explanation, "at most TLSv1.0"));
    assert_true(evidence_at(&v, 4) && evidence_at(&v, 6));
}

static void test_old_client_vs_modern_server(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    struct td_server_view sv;
    base(&f);
    f.ch_supported_versions = false;
    f.ch_min = 0x0300, f.ch_max = 0x0301;
    server_alert(&f, 40, 0x0301); /* handshake_failure, not protocol_version */
    memset(&sv, 0, sizeof sv);
    sv.ok = 5;
    sv.versions_ok = 1u << 3; /* TLS 1.2 accepted from others */
    sv.example_frame = 120;
    td_diagnose(&f, &sv, &v);
    /* Others got TLS 1.2: that does not prove TLS 1.0 is refused (it may be
     * the suites), so no more than medium, with the alternative named. */
    assert_int_equal(v.cause, TD_CAUSE_PROTOCOL_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_int_equal(v.fix_side, TD_SIDE_CLIENT);
    assert_true(v.num_candidates > 0 && v.candidates[0] == TD_CAUSE_CIPHER_MISMATCH);
    assert_true(evidence_at(&v, 120));
}

/* Found by the benchmark's traffic: a TLS 1.2-only client with two suites
 * against a server that negotiated only TLS 1.3 with others. Neither the
 * version nor the suites can be proven: never high. */
static void test_tls13_peers_prove_nothing_about_tls12(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    struct td_server_view sv;
    base(&f);
    f.ch_supported_versions = false;
    f.ch_min = 0x0300, f.ch_max = 0x0303;
    server_alert(&f, 40, 0x0303);
    memset(&sv, 0, sizeof sv);
    sv.ok = 40;
    sv.versions_ok = 1u << 4;
    sv.suites[0] = 0x1302;
    sv.suite_is13[0] = true;
    sv.num_suites = 1;
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_CIPHER_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
}

static void test_cipher_needs_the_server_view(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    struct td_server_view sv;
    base(&f);
    server_alert(&f, 40, 0x0303);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CIPHER_MISMATCH); /* alone: medium, with alternatives */
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_true(v.num_candidates > 0);
    memset(&sv, 0, sizeof sv);
    sv.ok = 3;
    sv.versions_ok = 1u << 3;
    sv.suites[0] = 0x009c; /* TLS_RSA_WITH_AES_128_GCM_SHA256: not offered */
    sv.num_suites = 1;
    td_diagnose(&f, &sv, &v);
    /* an ECDHE-only client against a server that took only RSA key
     * exchange: the named cause (rules_defaults_test.c has the rest) */
    assert_int_equal(v.cause, TD_CAUSE_RSA_KEX_REMOVED);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    sv.suites[0] = 0xc02b; /* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: not offered either */
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_CIPHER_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    sv.suites[1] = 0xc030; /* offered: then it is not the suites */
    sv.num_suites = 2;
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_CIPHER_MISMATCH);
}

static void test_sni_required(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    struct td_server_view sv;
    base(&f);
    f.sni = false;
    f.sni_name[0] = '\0';
    server_alert(&f, 40, 0x0303);
    memset(&sv, 0, sizeof sv);
    sv.ok = sv.ok_with_sni = 7;
    sv.versions_ok = 1u << 3;
    sv.suites[0] = 0xc02f;
    sv.num_suites = 1;
    sv.example_frame = 50;
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_SNI_REQUIRED);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.fix_side, TD_SIDE_CLIENT);
    assert_non_null(strstr(v.explanation, "with SNI succeed"));
}

static void test_server_certificate_causes(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    f.version = 0x0303;
    f.have_sh = true;
    f.have_cert = true;
    f.server_msgs = 4; /* ServerHello, Certificate, ServerKeyExchange, ServerHelloDone */
    f.cert_frame = 6;
    f.chain.num_certs = 2;
    f.chain.ends_self_signed = false;
    strcpy(f.chain.leaf.subject, "CN=www.example.com");
    client_alert(&f, 42);
    /* host name */
    f.chain.name_checked = true;
    f.chain.name_ok = false;
    strcpy(f.chain.names, "www.example.com, example.com");
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_HOSTNAME_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_true(v.has_cert);
    assert_non_null(strstr(v.explanation, "api.example.com"));
    assert_int_equal(v.aborted_by, TD_SIDE_CLIENT);
    /* expiry wins over names */
    f.chain.expired = true;
    strcpy(f.chain.bad.subject, "CN=www.example.com");
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_EXPIRED_CERT);
    /* a lone self-signed leaf */
    f.chain.expired = false;
    f.chain.name_ok = true;
    f.chain.num_certs = 1;
    f.chain.leaf_self_signed = true;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_SELF_SIGNED);
    /* a lone leaf from an absent issuer */
    f.chain.leaf_self_signed = false;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_INCOMPLETE_CHAIN);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    /* out of order */
    f.chain.num_certs = 3;
    f.chain.out_of_order = true;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_INCORRECT_CHAIN);
    /* a complete chain with a defect no truststore cures (tlsdiag cert's checks) */
    f.chain.out_of_order = false;
    f.chain.num_certs = 2;
    f.chain.unusable = TD_CAUSE_WRONG_USAGE;
    strcpy(f.chain.unusable_msg, "[0] has extendedKeyUsage clientAuth but not serverAuth");
    client_alert(&f, 43); /* unsupported_certificate */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CERT_UNUSABLE);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_non_null(strstr(v.explanation, "clientAuth"));
    /* ... but an unknown_ca alert says trust */
    client_alert(&f, 48);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_UNKNOWN_CA);
}

/* A completed TLS 1.2 handshake whose chain was out of order: the client
 * coped, the server is still wrong. */
static void test_misordered_but_completed(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    f.outcome = TD_OUTCOME_OK;
    f.have_sh = true;
    f.version = 0x0303;
    f.have_cert = true;
    f.cert_frame = 6;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NONE);
    f.chain_misordered = true;
    strcpy(f.misordered_subject, "CN=Root");
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_INCORRECT_CHAIN);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_int_equal(v.aborted_by, TD_SIDE_NONE);
}

/* RFC 8446 5.1: a TLS 1.3 server's alert has record version TLS 1.2; that
 * says nothing against a TLS 1.3-only client. */
static void test_tls13_alert_record_version(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    f.ch_min = 0x0304;
    server_alert(&f, 40, 0x0303);
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_PROTOCOL_MISMATCH);
    server_alert(&f, 40, 0x0301); /* a TLS 1.0 record version does bound it */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_PROTOCOL_MISMATCH);
}

static void test_client_certificates(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    f.have_sh = true;
    f.version = 0x0303;
    f.cert_request = true;
    f.client_cert_seen = true;
    f.client_cert_empty = true;
    server_alert(&f, 40, 0x0303);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_MISSING);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    f.client_cert_empty = false;
    f.client_chain.expired = true;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_EXPIRED);
    f.client_chain.expired = false;
    f.alert_desc[1] = 48;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_UNTRUSTED);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    /* TLS 1.3, without keys: one encrypted record before Finished = empty Certificate */
    base(&f);
    f.tls13 = true;
    f.have_sh = true;
    f.server_msgs = 6;
    f.client_flight_records = 1;
    f.alert[1] = true;
    f.alert_encrypted[1] = true;
    f.alert_frame[1] = 12;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_MISSING);
    f.client_flight_records = 2;
    f.client_first_enc_len = 1100; /* a Certificate with a chain, then CertificateVerify */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_UNTRUSTED);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    /* a slow server: the client's next records went out before its alert, but the
     * first (41 bytes, Java's empty Certificate) holds no certificate */
    f.client_first_enc_len = 41;
    f.client_first_enc_frame = 10;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_MISSING);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_non_null(strstr(v.explanation, "frame 10, 41 bytes"));
    /* the empty Certificate alone, but the server's alert-sized record after the
     * client's FIN: it may be the close_notify of a server that took no
     * certificate and sends no tickets (the two cross on the wire): medium */
    f.client_flight_records = 1;
    f.fin[0] = true;
    f.fin_frame[0] = 11;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_MISSING);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_non_null(strstr(v.explanation, "after the client's FIN"));
    f.fin_frame[0] = 13; /* the FIN after the alert: the refusal, proven */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
}

static void test_transport(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    f.outcome = TD_OUTCOME_INCOMPLETE;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NO_RESPONSE);
    f.outcome = TD_OUTCOME_FAILED;
    f.rst[1] = true;
    f.rst_frame[1] = 5;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_TCP_RESET);
    assert_int_equal(v.aborted_by, TD_SIDE_SERVER);
    base(&f);
    f.tls = false;
    f.have_ch = false;
    f.not_tls[0] = true;
    strcpy(f.not_tls_text[0], "GET / HTTP/1.1");
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NOT_TLS);
    assert_int_equal(v.fix_side, TD_SIDE_CLIENT);
}

static void test_tls13_hidden_certificate(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    f.tls13 = true;
    f.have_sh = true;
    f.server_msgs = 6;
    client_alert(&f, 42); /* bad_certificate, sent before the client's keys changed */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CERTIFICATE_REJECTED);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM); /* never high without seeing the certificate */
    assert_true(v.num_candidates >= 2);
    f.alert_desc[0] = 48;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_UNKNOWN_CA);
    assert_int_not_equal(v.confidence, TD_CONF_HIGH);
}

/* A TLS 1.2 handshake that completed: ServerHello at 5, Certificate at 6. */
static void completed12(struct td_facts *f)
{
    base(f);
    f->outcome = TD_OUTCOME_OK;
    f->version = 0x0303;
    f->have_sh = true;
    f->sh_frame = 5;
    f->have_cert = true;
    f->cert_frame = 6;
    f->server_msgs = 6;
    f->chain.num_certs = 2;
    strcpy(f->chain.leaf.subject, "CN=www.example.com");
    strcpy(f->chain.leaf.issuer, "CN=Example CA");
}

static void test_rejected_after_handshake(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    completed12(&f);
    f.chain.name_checked = true;
    f.chain.name_ok = false;
    strcpy(f.chain.names, "www.example.com");
    /* data flowed: nothing refused */
    f.appdata[0] = f.appdata[1] = 3;
    td_facts_settle(&f);
    assert_false(f.rejected_after_handshake);
    assert_int_equal(td_facts_outcome(&f), TD_OUTCOME_OK);
    /* curl: close_notify right after the handshake, before any data */
    f.appdata[0] = f.appdata[1] = 0;
    f.note = "the client closed right after the handshake";
    f.alert[0] = true;
    f.alert_level[0] = 1;
    f.alert_frame[0] = 12;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_HOSTNAME_MISMATCH);
    assert_true(v.rejected_after_handshake);
    assert_int_equal(v.aborted_by, TD_SIDE_CLIENT);
    td_facts_settle(&f);
    assert_true(f.rejected_after_handshake);
    assert_int_equal(td_facts_outcome(&f), TD_OUTCOME_FAILED);
    /* a health check: nothing wrong with the certificate, stays ok */
    f.chain.name_ok = true;
    td_facts_settle(&f);
    assert_false(f.rejected_after_handshake);
}

static void test_client_cert_http_400(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    completed12(&f);
    f.cert_request = true;
    f.cr_frame = 7;
    f.client_cert_seen = true;
    f.client_cert_empty = true;
    f.client_cert_frame = 9;
    f.appdata[0] = 1;
    f.appdata[1] = 1;
    f.appdata_frame[1] = 14;
    f.fin[1] = true;
    f.fin_frame[1] = 16;
    f.fin[0] = true;
    f.fin_frame[0] = 18;
    /* without keys: what an optional request looks like too, so nothing */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NONE);
    assert_false(v.rejected_after_handshake);
    /* with the key log: the page itself */
    f.http_status = 400;
    f.http_status_frame = 14;
    f.http_cert_error = "No required SSL certificate was sent";
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_MISSING);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_true(v.rejected_after_handshake);
    assert_int_equal(v.aborted_by, TD_SIDE_SERVER);
    assert_non_null(strstr(v.explanation, "400"));
    assert_true(evidence_at(&v, 14));
    /* a certificate from a CA the request does not list */
    f.client_cert_empty = false;
    f.client_cert_unlisted = true;
    f.http_cert_error = "The SSL certificate error";
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_UNTRUSTED);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    /* an accepted certificate: nothing */
    f.http_cert_error = NULL;
    f.client_cert_unlisted = false;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NONE);
    assert_false(v.rejected_after_handshake);
}

static uint16_t null_suites[] = {0x003b, 0x0002, 0x00ff}; /* NULL-SHA256, NULL-SHA, SCSV */
static uint16_t tls13_suites[] = {0x1301, 0x1302, 0xc02f};
static uint16_t p384_only[] = {24};
static uint16_t pq_only[] = {0x11ec};

static void test_refusal_candidates_weighed(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    struct td_server_view sv;
    /* NULL suites only, no SNI: a cipher mismatch, not SNI */
    base(&f);
    f.sni = false;
    f.ch_max = 0x0303;
    f.ch_suites.v = null_suites;
    f.ch_suites.n = 3;
    server_alert(&f, 40, 0x0303);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CIPHER_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    /* unless this server took one of them from another client */
    memset(&sv, 0, sizeof sv);
    sv.ok = sv.ok_with_sni = 1;
    sv.suites[0] = 0x003b;
    sv.num_suites = 1;
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_CIPHER_MISMATCH);
    /* TLS 1.3, mandatory suites, P-384 only: a group mismatch */
    base(&f);
    f.ch_suites.v = tls13_suites;
    f.ch_suites.n = 3;
    f.ch_groups.v = p384_only;
    f.ch_groups.n = 1;
    server_alert(&f, 40, 0x0303);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_GROUP_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    /* unless this server took P-384 from another client */
    memset(&sv, 0, sizeof sv);
    sv.ok = sv.ok_with_sni = 1;
    sv.groups[0] = 24;
    sv.num_groups = 1;
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_GROUP_MISMATCH);
    f.ch_groups.v = pq_only;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_GROUP_MISMATCH);
    /* even without SNI */
    f.sni = false;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_GROUP_MISMATCH);
    /* a mainstream offer without SNI: SNI is the favourite */
    f.ch_groups.v = fx_groups;
    f.ch_groups.n = 2;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_SNI_REQUIRED);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    /* unless the same server took clients without SNI */
    memset(&sv, 0, sizeof sv);
    sv.ok = sv.ok_without_sni = 1;
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_SNI_REQUIRED);
    /* and it is high when only clients with SNI got through */
    sv.ok_without_sni = 0;
    sv.ok_with_sni = 2;
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_SNI_REQUIRED);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
}

static void test_optional_client_cert_request(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    completed12(&f);
    f.outcome = TD_OUTCOME_FAILED;
    f.cert_request = true; /* GnuTLS asks by default; the client never answered */
    f.cr_frame = 7;
    f.chain.expired = true;
    strcpy(f.chain.bad.subject, "CN=www.example.com");
    client_alert(&f, 45);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_EXPIRED_CERT);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    f.chain.expired = false;
    f.chain.num_certs = 1;
    client_alert(&f, 48);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_INCOMPLETE_CHAIN);
}

static void test_tls13_client_leaves_after_flight(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    f.tls13 = true;
    f.have_sh = true;
    f.sh_frame = 6;
    f.server_msgs = 6;
    f.server_flight_frame = 8;
    /* Node: a FIN, no alert */
    f.fin[0] = true;
    f.fin_frame[0] = 10;
    f.fin[1] = true;
    f.fin_frame[1] = 11;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CERTIFICATE_REJECTED);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_int_equal(v.aborted_by, TD_SIDE_CLIENT);
    assert_non_null(strstr(v.fix, "--keylog"));
    assert_non_null(strstr(v.fix, "tlsdiag probe"));
    assert_non_null(strstr(v.fix, "tlsdiag cert"));
    /* Java, Go: one alert-sized encrypted record */
    f.alert[0] = true;
    f.alert_encrypted[0] = true;
    f.alert_frame[0] = 10;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CERTIFICATE_REJECTED);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_int_equal(v.aborted_by, TD_SIDE_CLIENT);
}

static void test_lone_leaf_decided(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    struct td_server_view sv;
    completed12(&f);
    f.outcome = TD_OUTCOME_FAILED;
    f.chain.num_certs = 1;
    strcpy(f.chain.missing_issuer, "CN=Example CA");
    client_alert(&f, 48);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_INCOMPLETE_CHAIN);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_int_equal(v.candidates[0], TD_CAUSE_UNKNOWN_CA);
    /* the issuer is a self-signed root the server sent elsewhere */
    memset(&sv, 0, sizeof sv);
    strcpy(sv.roots[0], "CN=Example CA");
    sv.num_roots = 1;
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_UNKNOWN_CA);
    /* caIssuers names an intermediate to fetch */
    strcpy(f.chain.aia_url, "http://ca.example.com/int.crt");
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_INCOMPLETE_CHAIN);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    /* --ca without the issuer: said so */
    f.chain.aia_url[0] = '\0';
    f.chain.trust_checked = true;
    td_diagnose(&f, NULL, &v);
    assert_non_null(strstr(v.explanation, "--ca"));
    assert_non_null(strstr(v.explanation, "CN=Example CA"));
}

static void test_other_refusals(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    /* a TLS 1.2 ServerHello to a TLS 1.3-only ClientHello */
    base(&f);
    f.ch_min = 0x0304;
    f.have_sh = true;
    f.sh_frame = 5;
    f.version = 0x0303;
    f.server_msgs = 4;
    client_alert(&f, 70);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_PROTOCOL_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.aborted_by, TD_SIDE_CLIENT);
    /* no SNI: the certificate is checked against the address */
    completed12(&f);
    f.outcome = TD_OUTCOME_FAILED;
    f.sni = false;
    f.name_is_address = true;
    strcpy(f.server_ip, "10.0.0.2");
    f.chain.name_checked = true;
    f.chain.name_ok = false;
    strcpy(f.chain.names, "www.example.com");
    client_alert(&f, 42);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_HOSTNAME_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_non_null(strstr(v.explanation, "10.0.0.2"));
    /* mbed TLS: an empty client Certificate, then the server closes without an alert */
    completed12(&f);
    f.outcome = TD_OUTCOME_FAILED;
    f.cert_request = true;
    f.client_cert_seen = true;
    f.client_cert_empty = true;
    f.client_cert_frame = 9;
    f.fin[1] = true;
    f.fin_frame[1] = 11;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_MISSING);
    assert_int_equal(v.aborted_by, TD_SIDE_SERVER);
}

static void test_every_fault_listed(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    completed12(&f);
    f.outcome = TD_OUTCOME_FAILED;
    client_alert(&f, 45);
    f.chain.expired = true;
    strcpy(f.chain.bad.subject, "CN=www.example.com");
    f.chain.name_checked = true;
    f.chain.name_ok = false;
    strcpy(f.chain.names, "www.example.com");
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_EXPIRED_CERT);
    assert_int_equal(v.num_also, 1);
    assert_int_equal(v.also[0], TD_CAUSE_HOSTNAME_MISMATCH);
    /* and a missing intermediate after them */
    f.chain.num_certs = 1;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.num_also, 2);
    assert_int_equal(v.also[0], TD_CAUSE_HOSTNAME_MISMATCH);
    assert_int_equal(v.also[1], TD_CAUSE_INCOMPLETE_CHAIN);
    /* one fault: nothing else */
    f.chain.expired = false;
    f.chain.name_ok = true;
    f.chain.num_certs = 2;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.num_also, 0);
}

static void test_server_view_roots_and_rejections(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_server_view sv;
    memset(&sv, 0, sizeof sv);
    completed12(&f);
    strcpy(f.sent_root, "CN=Example Root");
    td_server_view_add(&sv, &f);
    td_server_view_add(&sv, &f);
    assert_int_equal(sv.num_roots, 1);
    assert_string_equal(sv.roots[0], "CN=Example Root");
    assert_int_equal(sv.ok, 2);
    /* a refusal after the handshake still shows what the server accepts */
    f.rejected_after_handshake = true;
    td_server_view_add(&sv, &f);
    assert_int_equal(sv.ok, 3);
    assert_int_equal(sv.rejected_after, 1);
    /* a fatal alert after data is the session's, not the handshake's (but
     * bad_record_mac: a record altered on the path, rules_integrity_test.c) */
    completed12(&f);
    f.appdata[0] = f.appdata[1] = 5;
    client_alert(&f, 10); /* unexpected_message */
    struct td_verdict v;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NONE);
    assert_false(v.rejected_after_handshake);
}

/* Both directions captured from their SYNs, whole. */
static void seen_whole(struct td_facts *f)
{
    memset(&f->cov, 0, sizeof f->cov);
    f->cov.valid = true;
    for (int i = 0; i < 2; i++) {
        f->cov.dir[i].segments = 3;
        f->cov.dir[i].syn = true;
        f->cov.dir[i].from_start = true;
        f->cov.dir[i].first_frame = (uint64_t)i + 1;
    }
}

static void test_no_client_hello_needs_the_client_from_its_start(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    f.have_ch = false;
    f.tls = false;
    f.fin[0] = true;
    f.fin_frame[0] = 4;
    seen_whole(&f);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NO_CLIENT_HELLO); /* a port check, seen whole */
    assert_int_equal(v.confidence, TD_CONF_HIGH);

    f.cov.dir[0].segments = 0; /* the client's direction is not in the capture */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CAPTURE_GAP);
    assert_int_not_equal(v.confidence, TD_CONF_HIGH);

    seen_whole(&f);
    f.cov.dir[0].snap_frames = 1; /* its bytes cut by the snap length */
    f.cov.dir[0].snap_bytes = 200;
    f.cov.dir[0].payload_bytes = 54;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CAPTURE_GAP);
    assert_int_not_equal(v.confidence, TD_CONF_HIGH);

    seen_whole(&f);
    f.cov.dir[0].payload_bytes = 2; /* two bytes, too few to tell: not "nothing" */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_UNKNOWN);
    assert_int_not_equal(v.confidence, TD_CONF_HIGH);
}

/* One alert record mid-connection, nothing else. */
static void test_single_alert_midstream(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    f.have_ch = false;
    server_alert(&f, 70, 0x0303);
    f.first_server_frame = 6;
    f.cov.valid = true;
    f.cov.midstream = true;
    f.cov.dir[1].segments = 1;
    f.cov.dir[1].payload_bytes = 7;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CAPTURE_GAP);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_true(evidence_at(&v, 6));
}

static void test_no_response_needs_the_server_direction(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    seen_whole(&f);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NO_RESPONSE); /* seen, and silent */
    assert_int_equal(v.confidence, TD_CONF_HIGH);

    f.cov.dir[1].segments = 0; /* not captured, but the client acknowledged 3000 bytes */
    f.cov.dir[1].acked = true;
    f.cov.dir[1].acked_missing = 3000;
    f.client_later_frame = 9;
    snprintf(f.client_later, sizeof f.client_later, "ClientKeyExchange");
    f.fin[0] = true; /* the client closes: with the server unseen, who gave up first is not known */
    f.fin_frame[0] = 10;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CAPTURE_GAP);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_true(evidence_at(&v, 4) && evidence_at(&v, 9));
    assert_int_equal(v.aborted_by, TD_SIDE_NONE);
    f.fin[0] = false;

    f.cov.dir[1].acked_missing = 0; /* its ACKs never moved: it received nothing */
    f.client_later_frame = 0;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NO_RESPONSE);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);

    f.cov.dir[1].acked = false; /* nothing tells */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CAPTURE_GAP);
    assert_int_equal(v.confidence, TD_CONF_LOW);
    assert_int_equal(v.candidates[0], TD_CAUSE_NO_RESPONSE);
}

static void test_not_tls_needs_the_first_bytes(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    seen_whole(&f);
    f.server_msgs = 1;
    f.not_tls[1] = true;
    f.not_tls_frame[1] = 6;
    snprintf(f.not_tls_text[1], sizeof f.not_tls_text[1], "\\x8a\\x01garbage");
    f.cov.dir[1].payload_bytes = 1400;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NOT_TLS); /* its first bytes: plain text indeed */
    assert_int_equal(v.confidence, TD_CONF_HIGH);

    f.cov.dir[1].from_start = false; /* the middle of its stream: maybe mid-Certificate */
    f.cov.dir[1].syn = false;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CAPTURE_GAP);
    assert_int_not_equal(v.confidence, TD_CONF_HIGH);

    base(&f); /* nothing in the capture is TLS, seen mid-stream */
    f.tls = false;
    f.have_ch = false;
    f.cov.valid = true;
    f.cov.midstream = true;
    f.cov.dir[0].segments = 1;
    f.cov.dir[0].payload_bytes = 10;
    f.not_tls[0] = true;
    f.not_tls_frame[0] = 9;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_UNKNOWN);
    assert_int_equal(v.confidence, TD_CONF_LOW);
}

static void test_gap_then_application_data_completed(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    seen_whole(&f);
    f.outcome = TD_OUTCOME_INCOMPLETE;
    f.server_msgs = 1;
    f.gap = true;
    f.gap_frame = 5;
    f.gap_side[1] = true;
    f.gap_side_frame[1] = 5;
    f.client_appdata_frame = 8;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NONE);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);

    f.client_appdata_frame = 0; /* the client stopped: nothing says it completed */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CAPTURE_GAP);
}

/* gnutls-cli against gnutls-serv's optional request: an empty client
 * Certificate, both Finished, then the client's close_notify (encrypted),
 * the server's answer and the server closing first. Nobody was refused
 * (this was client_cert_missing at high). */
static void test_client_close_after_optional_request(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    completed12(&f);
    f.note = "the client closed with an encrypted alert right after the handshake";
    f.cert_request = true;
    f.cr_frame = 30;
    f.client_cert_seen = f.client_cert_empty = true;
    f.client_cert_frame = 32;
    f.alert[0] = f.alert[1] = true;
    f.alert_encrypted[0] = f.alert_encrypted[1] = true;
    f.alert_frame[0] = 34;
    f.alert_frame[1] = 35;
    f.fin[0] = f.fin[1] = true;
    f.fin_frame[1] = 36;
    f.fin_frame[0] = 37;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_CLIENT_CERT_MISSING);
    assert_int_not_equal(v.confidence, TD_CONF_HIGH);
    /* the same, but the server alerts first: it refused */
    f.alert_frame[1] = 33;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_MISSING);
}

/* A complete chain, right names and dates, and a client that closes without
 * a word. TLS 1.2: a client that only wanted the certificate (it is in
 * clear) closes so too: no fault proven. TLS 1.3: it had to run the key
 * exchange to read it, so a refusal is the likely reading (Node, Java). */
static void test_silent_close_after_a_good_chain(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    completed12(&f);
    f.outcome = TD_OUTCOME_FAILED;
    f.fin[0] = true;
    f.fin_frame[0] = 9;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_UNKNOWN);
    assert_int_equal(v.confidence, TD_CONF_LOW);
    assert_int_equal(v.num_candidates, 2);
    assert_int_equal(v.candidates[0], TD_CAUSE_UNKNOWN_CA);
    f.tls13 = true;
    f.version = 0x0304;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_UNKNOWN_CA);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cause_table),
        cmocka_unit_test(test_completed_is_none),
        cmocka_unit_test(test_protocol_by_alert_record_version),
        cmocka_unit_test(test_old_client_vs_modern_server),
        cmocka_unit_test(test_tls13_peers_prove_nothing_about_tls12),
        cmocka_unit_test(test_cipher_needs_the_server_view),
        cmocka_unit_test(test_sni_required),
        cmocka_unit_test(test_server_certificate_causes),
        cmocka_unit_test(test_client_certificates),
        cmocka_unit_test(test_misordered_but_completed),
        cmocka_unit_test(test_tls13_alert_record_version),
        cmocka_unit_test(test_transport),
        cmocka_unit_test(test_tls13_hidden_certificate),
        cmocka_unit_test(test_rejected_after_handshake),
        cmocka_unit_test(test_client_cert_http_400),
        cmocka_unit_test(test_refusal_candidates_weighed),
        cmocka_unit_test(test_optional_client_cert_request),
        cmocka_unit_test(test_tls13_client_leaves_after_flight),
        cmocka_unit_test(test_lone_leaf_decided),
        cmocka_unit_test(test_other_refusals),
        cmocka_unit_test(test_every_fault_listed),
        cmocka_unit_test(test_server_view_roots_and_rejections),
        cmocka_unit_test(test_no_client_hello_needs_the_client_from_its_start),
        cmocka_unit_test(test_single_alert_midstream),
        cmocka_unit_test(test_no_response_needs_the_server_direction),
        cmocka_unit_test(test_not_tls_needs_the_first_bytes),
        cmocka_unit_test(test_gap_then_application_data_completed),
        cmocka_unit_test(test_client_close_after_optional_request),
        cmocka_unit_test(test_silent_close_after_a_good_chain),
    };
    return tl_run_tests("diag/rules", tests);
}
