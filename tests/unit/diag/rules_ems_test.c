/* ems_required (diag/rules_ems.c) on hand-built facts: a ClientHello without
 * extended_master_secret refused by a server whose TLS 1.2 handshakes in the
 * capture all had it. */
#include "testlib.h"

#include <string.h>

#include "diag/diag.h"
#include "facts_fixture.h"

static uint16_t suites[] = {0xc02b, 0xc02f, 0x009c};
static uint16_t other_suites[] = {0xc02b, 0xc030};

/* A TLS 1.2-only hello (frame 4) without EMS, refused with handshake_failure. */
static void refused(struct td_facts *f, uint16_t *s, size_t n)
{
    fx_hello(f, s, n, "fips.example.com");
    f->ch_max = 0x0303;
    fx_server_alert(f, 40, 0x0303);
}

/* A server view holding one TLS 1.2 handshake with EMS (ServerHello at frame
 * 30) for the hello refused() builds, EMS added; no_ems: one without. */
static void server(struct td_server_view *sv, bool no_ems)
{
    struct td_facts ok;
    memset(sv, 0, sizeof *sv);
    refused(&ok, suites, 3);
    memset(ok.alert, 0, sizeof ok.alert);
    ok.outcome = TD_OUTCOME_OK;
    ok.ch_ems = ok.sh_ems = true;
    ok.have_sh = true;
    ok.sh_frame = 30;
    ok.version = 0x0303;
    ok.suite = 0xc02b;
    td_server_view_add(sv, &ok);
    if (no_ems) {
        ok.sh_ems = ok.ch_ems = false;
        td_server_view_add(sv, &ok);
    }
}

static void test_same_hello_accepted_with_ems_is_high(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_server_view sv;
    struct td_verdict v;
    server(&sv, false);
    refused(&f, suites, 3);
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_EMS_REQUIRED);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.fix_side, TD_SIDE_CLIENT);
    assert_int_equal(v.aborted_by, TD_SIDE_SERVER);
    assert_true(fx_evidence_has(&v, "without extended_master_secret"));
    assert_true(fx_evidence_has(&v, "same versions, suites"));
    assert_int_equal(v.num_candidates, 0);
    assert_non_null(v.changed);
    assert_non_null(strstr(v.changed->restore, "NO-ENFORCE-EMS"));
}

static void test_other_hello_is_medium(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_server_view sv;
    struct td_verdict v;
    server(&sv, false);
    refused(&f, other_suites, 2); /* shares 0xc02b with what the server took */
    td_diagnose(&f, &sv, &v);
    assert_int_equal(v.cause, TD_CAUSE_EMS_REQUIRED);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_int_equal(v.candidates[0], TD_CAUSE_CIPHER_MISMATCH);
}

static void test_not_ems(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_server_view sv;
    struct td_verdict v;
    static uint16_t disjoint[] = {0x0035};
    /* the server also completed a TLS 1.2 handshake without EMS */
    server(&sv, true);
    refused(&f, suites, 3);
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_EMS_REQUIRED);
    /* the client did offer EMS */
    server(&sv, false);
    refused(&f, suites, 3);
    f.ch_ems = true;
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_EMS_REQUIRED);
    /* another alert than handshake_failure */
    refused(&f, suites, 3);
    f.alert_desc[1] = 70; /* protocol_version */
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_EMS_REQUIRED);
    /* nothing in common with what the server took: not the extension alone */
    refused(&f, disjoint, 1);
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_EMS_REQUIRED);
    /* TLS 1.3 offered to a server that speaks it: EMS plays no part */
    refused(&f, suites, 3);
    f.ch_max = 0x0304;
    sv.versions_ok |= 1u << 4;
    td_diagnose(&f, &sv, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_EMS_REQUIRED);
    /* nothing known about the server */
    refused(&f, suites, 3);
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_EMS_REQUIRED);
}

static void test_shape(void **state)
{
    (void)state;
    struct td_facts a, b;
    refused(&a, suites, 3);
    refused(&b, suites, 3);
    strcpy(b.sni_name, "other.example.com");
    b.ch_ems = true;
    assert_int_equal(td_hello_shape(&a), td_hello_shape(&b)); /* the name and the extension do not count */
    strcpy(b.ch_alpn, "h2");
    assert_int_not_equal(td_hello_shape(&a), td_hello_shape(&b));
    refused(&b, suites, 2);
    assert_int_not_equal(td_hello_shape(&a), td_hello_shape(&b));
    refused(&b, suites, 3);
    b.ch_min = 0x0301;
    assert_int_not_equal(td_hello_shape(&a), td_hello_shape(&b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_hello_accepted_with_ems_is_high),
        cmocka_unit_test(test_other_hello_is_medium),
        cmocka_unit_test(test_not_ems),
        cmocka_unit_test(test_shape),
    };
    return tl_run_tests("diag/rules_ems", tests);
}
