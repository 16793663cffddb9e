/* probe/verdict.c without a network: a server that refused every hello with
 * the SNI by unrecognized_name is unrecognized_name (error, the SNI named,
 * whether it answers without SNI), not protocol_mismatch; a server that
 * accepted nothing without that alert stays protocol_mismatch. */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#include "probe/internal.h"

/* Refused all: no version accepted. */
static void refused_all(struct td_probe_result *r, bool unrecognized, bool none_answered)
{
    memset(r, 0, sizeof *r);
    r->client_auth = "none";
    r->sni_sent = true;
    snprintf(r->sni, sizeof r->sni, "%s", "other.test");
    r->sni_unrecognized = unrecognized;
    r->sni_none_answered = none_answered;
}

static void test_unrecognized_name(void **state)
{
    (void)state;
    for (int none = 0; none < 2; none++) {
        static struct td_probe_result res;
        struct td_probe_result *r = &res;
        refused_all(r, true, none);
        td_probe_verdict(r);
        assert_int_equal(r->num_findings, 1);
        assert_int_equal(r->findings[0].cause, TD_CAUSE_UNRECOGNIZED_NAME);
        assert_int_equal(r->findings[0].sev, TD_SEV_ERROR);
        assert_non_null(strstr(r->findings[0].message, "SNI other.test with unrecognized_name (112)"));
        assert_non_null(strstr(r->findings[0].message, none ? "without SNI it answers" : "does not answer either"));
        assert_int_equal(td_probe_errors(r), 1);
        td_probe_result_free(r);
    }
}

static void test_other_refusal_is_protocol_mismatch(void **state)
{
    (void)state;
    static struct td_probe_result r;
    refused_all(&r, false, false);
    td_probe_verdict(&r);
    assert_int_equal(r.num_findings, 1);
    assert_int_equal(r.findings[0].cause, TD_CAUSE_PROTOCOL_MISMATCH);
    td_probe_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unrecognized_name),
        cmocka_unit_test(test_other_refusal_is_protocol_mismatch),
    };
    return tl_run_tests("probe/verdict", tests);
}
