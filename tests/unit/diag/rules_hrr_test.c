/* hrr_failed (diag/rules_hrr.c) on hand-built facts. */
#include "testlib.h"

#include <string.h>

#include "diag/diag.h"

static uint16_t suites_a[] = {0x1301, 0x1302};
static uint16_t groups_a[] = {29, 24}; /* x25519, secp384r1 */
static uint16_t share_a[] = {29};

/* A TLS 1.3 ClientHello (frame 4) with an x25519 share, answered by a
 * HelloRetryRequest for secp384r1 (frame 6). */
static void retried(struct td_facts *f)
{
    memset(f, 0, sizeof *f);
    f->tls = true;
    f->tls13 = true;
    f->outcome = TD_OUTCOME_FAILED;
    f->have_ch = true;
    f->ch_frame = 4;
    f->ch_min = f->ch_max = 0x0304;
    f->ch_supported_versions = true;
    f->ch_suites.v = suites_a;
    f->ch_suites.n = 2;
    f->ch_groups.v = groups_a;
    f->ch_groups.n = 2;
    f->ch_key_shares.v = share_a;
    f->ch_key_shares.n = 1;
    f->sni = true;
    strcpy(f->sni_name, "api.example.com"); /* test code: banned.h is not included */
    strcpy(f->server, "10.0.0.2:443");
    f->server_port = 443;
    f->hrr = true;
    f->hrr_frame = 6;
    f->hrr_group = 24;
    f->server_msgs = 1;
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

static void test_no_second_hello(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    retried(&f);
    f.fin[0] = true;
    f.fin_frame[0] = 8;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_HRR_FAILED);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.aborted_by, TD_SIDE_CLIENT);
    assert_true(evidence_says(&v, 6, "secp384r1"));
    assert_non_null(strstr(v.explanation, "cannot handle a HelloRetryRequest"));
    /* still open at the end of the capture: nothing proven */
    f.fin[0] = false;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_HRR_FAILED);
    /* a group the client does not list: the group rule's group_mismatch */
    retried(&f);
    f.fin[0] = true;
    f.fin_frame[0] = 8;
    f.hrr_group = 23;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_GROUP_MISMATCH);
}

static void test_second_hello(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    /* without the requested share: the client's fault (illegal_parameter from the server) */
    retried(&f);
    f.ch2_seen = true;
    f.ch2_frame = 8;
    f.alert[1] = true;
    f.alert_level[1] = 2;
    f.alert_desc[1] = 47;
    f.alert_frame[1] = 10;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_HRR_FAILED);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.fix_side, TD_SIDE_CLIENT);
    assert_true(evidence_says(&v, 8, "without a secp384r1 key share"));
    /* with it, and no answer: medium, the larger hello a candidate */
    f.ch2_has_hrr_share = true;
    f.alert[1] = false;
    f.fin[0] = true;
    f.fin_frame[0] = 12;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_HRR_FAILED);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_true(v.num_candidates > 0 && v.candidates[0] == TD_CAUSE_HELLO_TOO_LARGE);
    /* TCP shows the server's side never acknowledged it: lost on the path, high */
    f.cov.valid = true;
    f.cov.dir[0].segments = f.cov.dir[1].segments = 4;
    f.cov.dir[0].syn = f.cov.dir[1].syn = f.cov.dir[0].from_start = f.cov.dir[1].from_start = true;
    f.cov.dir[0].acked = f.cov.dir[1].acked = true;
    f.cov.dir[0].unacked_bytes = 520;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_HRR_FAILED);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.fix_side, TD_SIDE_NETWORK);
    assert_non_null(strstr(v.explanation, "never acknowledged that second ClientHello (the client's last 520 bytes)"));
    /* a completed retry: none */
    retried(&f);
    f.ch2_seen = f.ch2_has_hrr_share = true;
    f.have_sh = true;
    f.outcome = TD_OUTCOME_OK;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_second_hello),
        cmocka_unit_test(test_second_hello),
    };
    return tl_run_tests("rules_hrr", tests);
}
