/* analyse/tally: counts by outcome, failures by (cause, server) since the
 * start and over a window, the window's bound said, pairs beyond the table
 * counted together; and the Prometheus page rendered from it. */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#include "analyse/tally.h"
#include "report/report.h"

static struct td_tally t; /* large: not on the stack */

static void test_windows(void **state)
{
    (void)state;
    td_tally_init(&t, 1000);
    td_tally_add(&t, 1000, TD_OUTCOME_OK, false, TD_CAUSE_NONE, "192.0.2.1:443");
    td_tally_add(&t, 1010, TD_OUTCOME_FAILED, true, TD_CAUSE_UNKNOWN_CA, "192.0.2.1:443");
    td_tally_add(&t, 1100, TD_OUTCOME_FAILED, true, TD_CAUSE_UNKNOWN_CA, "192.0.2.1:443");
    td_tally_add(&t, 1100, TD_OUTCOME_FAILED, true, TD_CAUSE_EXPIRED_CERT, "192.0.2.2:443");
    td_tally_add(&t, 1100, TD_OUTCOME_INCOMPLETE, false, TD_CAUSE_NONE, "192.0.2.2:443");
    assert_int_equal(t.by_outcome[TD_OUTCOME_OK], 1);
    assert_int_equal(t.by_outcome[TD_OUTCOME_FAILED], 3);
    assert_int_equal(t.by_outcome[TD_OUTCOME_INCOMPLETE], 1);
    assert_int_equal(t.failures, 3);
    assert_int_equal(t.num_keys, 2);
    assert_int_equal(t.keys[0].total, 2);
    static uint64_t counts[TD_TALLY_KEYS + 1];
    bool cut;
    assert_int_equal(td_tally_window(&t, 1100, 60, counts, &cut), 2); /* 1010 is out of the last minute */
    assert_false(cut);
    assert_int_equal(counts[0], 1);
    assert_int_equal(counts[1], 1);
    assert_int_equal(td_tally_window(&t, 1100, 3600, counts, &cut), 3);
    assert_int_equal(td_tally_window(&t, 5000, 60, counts, &cut), 0);
}

static void test_bounds(void **state)
{
    (void)state;
    td_tally_init(&t, 0);
    char server[32];
    for (int i = 0; i < TD_TALLY_KEYS + 10; i++) {
        snprintf(server, sizeof server, "198.51.100.%d:%d", i % 250, 443 + i);
        td_tally_add(&t, 1, TD_OUTCOME_FAILED, true, TD_CAUSE_TCP_RESET, server);
    }
    assert_int_equal(t.num_keys, TD_TALLY_KEYS);
    assert_int_equal(t.other_keys, 10);
    for (int i = 0; i < TD_TALLY_RECENT; i++) {
        td_tally_add(&t, 2, TD_OUTCOME_FAILED, true, TD_CAUSE_TCP_RESET, "198.51.100.1:443");
    }
    static uint64_t counts[TD_TALLY_KEYS + 1];
    bool cut;
    /* all remembered failures are in the window, and older ones were forgotten: a lower bound */
    assert_int_equal(td_tally_window(&t, 2, 60, counts, &cut), TD_TALLY_RECENT);
    assert_true(cut);
}

static void test_prometheus_page(void **state)
{
    (void)state;
    td_tally_init(&t, 0);
    td_tally_add(&t, 1, TD_OUTCOME_FAILED, true, TD_CAUSE_SNI_REQUIRED, "a\"b\\c:443");
    td_tally_add(&t, 1, TD_OUTCOME_OK, false, TD_CAUSE_NONE, "x:443");
    struct td_watch_drops d = {.kernel_known = true, .kernel_received = 10, .kernel_dropped = 3, .ours = 1};
    struct td_buf b = {0};
    td_render_watch_metrics(&b, &t, &d);
    const char *p = td_buf_cstr(&b);
    assert_non_null(strstr(p, "# TYPE tlsdiag_handshakes_total counter\n"));
    assert_non_null(strstr(p, "tlsdiag_handshakes_total{outcome=\"ok\"} 1\n"));
    assert_non_null(strstr(p, "tlsdiag_handshakes_total{outcome=\"failed\"} 1\n"));
    assert_non_null(strstr(p, "tlsdiag_failures_total{cause=\"sni_required\",server=\"a\\\"b\\\\c:443\"} 1\n"));
    assert_non_null(strstr(p, "tlsdiag_drops_total{where=\"kernel\"} 3\n"));
    assert_non_null(strstr(p, "tlsdiag_drops_total{where=\"tlsdiag\"} 1\n"));
    td_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_prometheus_page),
    };
    return tl_run_tests("analyse/tally", tests);
}
