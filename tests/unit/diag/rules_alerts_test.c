/* The refusals whose alert names the ClientHello field (diag/rules_alerts.c):
 * alpn_mismatch, unrecognized_name, inappropriate_fallback, on hand-built facts. */
#include "testlib.h"

#include <string.h>

#include "diag/diag.h"
#include "facts_fixture.h"

static uint16_t suites_a[] = {0xc02f, 0xc030};
static uint16_t suites_fallback[] = {0xc02f, 0x5600}; /* TLS_FALLBACK_SCSV */

/* A TLS 1.2-1.3 ClientHello (frame 4) with SNI api.example.com, refused with
 * the fatal alert desc (frame 6). */
static void refused_with(struct td_facts *f, uint8_t desc)
{
    fx_hello(f, suites_a, 2, "api.example.com");
    fx_server_alert(f, desc, 0x0303);
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

static void test_alpn_mismatch(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    refused_with(&f, 120);
    f.ch_num_alpn = 1;
    strcpy(f.ch_alpn, "http/1.1");
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_ALPN_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_true(evidence_says(&v, 4, "ALPN http/1.1") && evidence_says(&v, 6, "no_application_protocol"));
    assert_non_null(strstr(v.explanation, "http/1.1"));
    assert_non_null(v.changed);
    assert_non_null(strstr(v.changed->restore, "GRPC_ENFORCE_ALPN_ENABLED"));
    /* no ALPN at all: the server requires one */
    f.ch_num_alpn = 0;
    f.ch_alpn[0] = '\0';
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_ALPN_MISMATCH);
    assert_true(evidence_says(&v, 4, "no ALPN"));
    /* without SNI: still the ALPN, not sni_required (curl by address) */
    f.sni = false;
    f.sni_name[0] = '\0';
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_ALPN_MISMATCH);
    /* a warning alert is no refusal */
    refused_with(&f, 120);
    f.alert_level[1] = 1;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_ALPN_MISMATCH);
    /* an encrypted alert's description is not known */
    refused_with(&f, 120);
    f.alert_encrypted[1] = true;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_ALPN_MISMATCH);
}

static void test_unrecognized_name(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    refused_with(&f, 112);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_UNRECOGNIZED_NAME);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_non_null(strstr(v.explanation, "api.example.com"));
    assert_non_null(strstr(v.fix, "api.example.com"));
    assert_true(evidence_says(&v, 6, "unrecognized_name"));
    assert_null(v.changed);
    /* with ECH the SNI in clear is the outer name: the evidence says so */
    f.ch_ech = true;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_UNRECOGNIZED_NAME);
    assert_true(evidence_says(&v, 4, "ECH: the outer, public name"));
    f.ch_ech = false;
    /* without SNI the name is missing, not unknown: sni_required */
    f.sni = false;
    f.sni_name[0] = '\0';
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_SNI_REQUIRED);
    /* another alert with SNI: not this rule */
    refused_with(&f, 40);
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_UNRECOGNIZED_NAME);
}

static void test_inappropriate_fallback(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    refused_with(&f, 86);
    f.ch_supported_versions = false;
    f.ch_min = 0x0300;
    f.ch_max = 0x0302;
    f.ch_suites.v = suites_fallback;
    f.alert_version[1] = 0x0302;
    td_diagnose(&f, NULL, &v);
    /* not the old client's protocol_mismatch: the downgrade was refused */
    assert_int_equal(v.cause, TD_CAUSE_INAPPROPRIATE_FALLBACK);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.fix_side, TD_SIDE_CLIENT);
    assert_true(evidence_says(&v, 4, "TLS_FALLBACK_SCSV"));
    assert_non_null(strstr(v.explanation, "TLSv1.1"));
    /* the alert without the SCSV in the hello: medium */
    f.ch_suites.v = suites_a;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_INAPPROPRIATE_FALLBACK);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    /* the SCSV with a protocol_version alert: the version rule's */
    f.ch_suites.v = suites_fallback;
    f.alert_desc[1] = 70;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_PROTOCOL_MISMATCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alpn_mismatch),
        cmocka_unit_test(test_unrecognized_name),
        cmocka_unit_test(test_inappropriate_fallback),
    };
    return tl_run_tests("rules_alerts", tests);
}
