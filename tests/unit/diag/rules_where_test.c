/* The rules for TLS found wherever it is: a refused upgrade, a refused proxy
 * tunnel, a malformed message, a message over the limit (hand-built facts). */
#include "testlib.h"

#include <string.h>

#include "diag/diag.h"

static void base(struct td_facts *f)
{
    memset(f, 0, sizeof *f);
    f->outcome = TD_OUTCOME_FAILED;
    strcpy(f->server, "192.0.2.25:25"); /* test code: banned.h is not included */
    f->server_port = 25;
}

static void test_upgrade_refused(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    f.preamble = true;
    f.upgrade_refused = true;
    strcpy(f.preamble_proto, "SMTP");
    strcpy(f.refused_text, "454 4.7.0 TLS not available");
    f.refused_frame = 9;
    f.fin[0] = true;
    f.fin_frame[0] = 11;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_UPGRADE_REFUSED);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.aborted_by, TD_SIDE_SERVER);
    assert_int_equal(v.evidence[0].frame, 9);
    assert_non_null(strstr(v.explanation, "454"));
    /* a client that sends its ClientHello anyway (s_client does) changes nothing */
    f.have_ch = true;
    f.tls = true;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_UPGRADE_REFUSED);
    /* a proxy */
    f.preamble_proxy = true;
    strcpy(f.preamble_proto, "HTTP-CONNECT");
    strcpy(f.refused_text, "HTTP/1.1 403 Forbidden");
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_PROXY_REFUSED);
}

static void test_malformed_and_over_limit(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    base(&f);
    f.tls = true;
    f.have_ch = true;
    f.ch_frame = 2;
    f.malformed = true;
    f.malformed_side = 0;
    f.malformed_frame = 2;
    strcpy(f.malformed_text, "ClientHello: cipher_suites length is odd (message offset 35, stream offset 44)");
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_MALFORMED_MESSAGE);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_non_null(strstr(v.explanation, "malformed ClientHello"));
    assert_non_null(strstr(v.explanation, "stream offset 44"));
    /* the server's decode_error confirms it */
    f.alert[1] = true;
    f.alert_level[1] = 2;
    f.alert_desc[1] = 50;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    /* well formed but over the limit: not malformed, no invented cause */
    base(&f);
    f.tls = true;
    f.have_ch = true;
    f.over_limit = true;
    f.malformed_side = 1;
    f.over_limit_len = 2000000;
    strcpy(f.malformed_text, "Certificate: length over the limit (2000000 bytes; tlsdiag reassembles up to 1048576)");
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_OVER_LIMIT);
    assert_int_equal(v.confidence, TD_CONF_LOW);
    assert_non_null(strstr(v.explanation, "over the limit (2000000 bytes)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_upgrade_refused),
        cmocka_unit_test(test_malformed_and_over_limit),
    };
    return tl_run_tests("diag/rules_where", tests);
}
