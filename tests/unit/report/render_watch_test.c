/* report/render_watch: with --keylog, the rolling summary, its JSON record
 * and the Prometheus page say what the waits for key log lines cost (the
 * capture loop stalled); without it, nothing about them. */
#include "testlib.h"

#include <string.h>

#include "analyse/tally.h"
#include "report/report.h"

static struct td_tally t; /* large: not on the stack */

static const struct td_watch_drops with_keylog = {
    .keylog = true,
    .keylog_waits =
        {.waits = 5, .found = 2, .waited_ms = 1234, .skipped_idle = 1, .skipped_peer = 30, .skipped_budget = 4},
};

static void test_text(void **state)
{
    (void)state;
    td_tally_init(&t, 0);
    struct td_buf b = {0};
    td_render_watch_text(&b, &t, 10, &with_keylog);
    const char *first = td_buf_cstr(&b);
    assert_non_null(strstr(first, "tlsdiag 0; key log: 5 waits (2 found), 1.23 s waited, 35 not waited for\n"));
    td_buf_free(&b);
    struct td_watch_drops none = {0};
    td_render_watch_text(&b, &t, 10, &none);
    assert_null(strstr(td_buf_cstr(&b), "key log"));
    td_buf_free(&b);
}

static void test_json(void **state)
{
    (void)state;
    td_tally_init(&t, 0);
    struct td_buf b = {0};
    td_render_watch_json(&b, &t, 10, &with_keylog);
    assert_non_null(strstr(td_buf_cstr(&b), "\"keylog_waits\":{\"waits\":5,\"found\":2,\"waited_ms\":1234,"
                                            "\"skipped_idle\":1,\"skipped_client\":30,\"skipped_budget\":4}"));
    td_buf_free(&b);
    struct td_watch_drops none = {0};
    td_render_watch_json(&b, &t, 10, &none);
    assert_null(strstr(td_buf_cstr(&b), "keylog"));
    td_buf_free(&b);
}

static void test_prometheus(void **state)
{
    (void)state;
    td_tally_init(&t, 0);
    struct td_buf b = {0};
    td_render_watch_metrics(&b, &t, &with_keylog);
    const char *p = td_buf_cstr(&b);
    assert_non_null(strstr(p, "# TYPE tlsdiag_keylog_waits_total counter\n"));
    assert_non_null(strstr(p, "tlsdiag_keylog_waits_total{result=\"found\"} 2\n"));
    assert_non_null(strstr(p, "tlsdiag_keylog_waits_total{result=\"missed\"} 3\n"));
    assert_non_null(
        strstr(p, "# TYPE tlsdiag_keylog_wait_seconds_total counter\ntlsdiag_keylog_wait_seconds_total 1.234\n"));
    assert_non_null(strstr(p, "tlsdiag_keylog_skipped_waits_total{why=\"idle\"} 1\n"));
    assert_non_null(strstr(p, "tlsdiag_keylog_skipped_waits_total{why=\"client\"} 30\n"));
    assert_non_null(strstr(p, "tlsdiag_keylog_skipped_waits_total{why=\"budget\"} 4\n"));
    td_buf_free(&b);
    struct td_watch_drops none = {0};
    td_render_watch_metrics(&b, &t, &none);
    assert_null(strstr(td_buf_cstr(&b), "keylog"));
    td_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_prometheus),
    };
    return tl_run_tests("report/render_watch", tests);
}
