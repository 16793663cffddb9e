/* The analysis pipeline on already-decoded connections: what waits for the
 * end of the input, what is revised, what the summary counts. */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#include "analyse/analyse.h"
#include "capture/capture.h"
#include "tls/tls.h"

#define MAX_SEEN 8

struct seen {
    int conns, conns_with_verdict, verdicts, revised, summaries;
    uint32_t stream[MAX_SEEN];
    enum td_cause cause[MAX_SEEN];
    enum td_confidence conf[MAX_SEEN];
    bool was_revised[MAX_SEEN];
    uint32_t summary_causes[TD_CAUSE_COUNT];
    size_t servers;
    uint32_t server_ok, server_failed;
};

static void record(struct seen *s, const struct td_conn_result *r)
{
    assert_non_null(r->verdict);
    assert_non_null(r->desc);
    if (s->verdicts < MAX_SEEN) {
        s->stream[s->verdicts] = r->stream;
        s->cause[s->verdicts] = r->verdict->cause;
        s->conf[s->verdicts] = r->verdict->confidence;
        s->was_revised[s->verdicts] = r->revised;
    }
    s->verdicts++;
    s->revised += r->revised;
}

static void *on_conn(void *ctx, const struct td_conn_result *r)
{
    struct seen *s = ctx;
    assert_non_null(r->conn);
    s->conns++;
    if (r->verdict) {
        s->conns_with_verdict++;
        record(s, r);
    }
    return s;
}

static void on_verdict(void *ctx, const struct td_conn_result *r, void *keep)
{
    struct seen *s = ctx;
    assert_ptr_equal(keep, s);
    assert_null(r->conn);
    record(s, r);
}

static void on_summary(void *ctx, const struct td_analysis_summary *sum)
{
    struct seen *s = ctx;
    s->summaries++;
    td_memcopy(s->summary_causes, sum->causes, sizeof s->summary_causes);
    s->servers = sum->num_servers;
    if (sum->num_servers) {
        s->server_ok = sum->servers[0]->view.ok;
        s->server_failed = sum->servers[0]->view.failed;
    }
}

static struct td_analysis_cb callbacks(struct seen *s)
{
    struct td_analysis_cb cb = {.ctx = s, .on_conn = on_conn, .on_verdict = on_verdict, .on_summary = on_summary};
    return cb;
}

/* One connection to 192.0.2.1:443: a ClientHello (with or without SNI); the
 * server either completes a TLS 1.3 handshake or closes at once. */
static void make_conn(struct td_tls_conn *c, const struct td_limits *lim, uint32_t stream, const char *sni,
                      bool completes)
{
    struct td_addr cl = {4, {198, 51, 100, 7}}, sv = {4, {192, 0, 2, 1}};
    td_tls_conn_init(c, lim);
    c->stream = stream;
    td_tls_set_roles(c, &cl, (uint16_t)(40000 + stream), &sv, 443, true);
    struct td_buf ch = {0}, rec = {0};
    struct td_at at = {stream * 10 + 1, {1767225600 + stream, 0}};
    tl_client_hello(&ch, sni);
    tl_records(&rec, 22, 1, &ch, 16384);
    td_tls_feed(c, TD_CLIENT, rec.data, rec.len, &at);
    at.frame++;
    if (completes) {
        struct td_buf sh = {0}, body = {0}, out = {0};
        tl_server_hello(&sh, true, 0x1301);
        tl_records(&out, 22, 2, &sh, 16384);
        td_buf_putc(&body, 1);
        tl_records(&out, 20, 0, &body, 16384);
        td_buf_reset(&body);
        for (int i = 0; i < 900; i++) {
            td_buf_putc(&body, (char)i);
        }
        tl_records(&out, 23, 0, &body, 16384);
        td_tls_feed(c, TD_SERVER, out.data, out.len, &at);
        at.frame++;
        td_buf_reset(&out);
        body.len = 53; /* the client's Finished */
        tl_records(&out, 23, 0, &body, 16384);
        body.len = 300;
        tl_records(&out, 23, 0, &body, 16384);
        td_tls_feed(c, TD_CLIENT, out.data, out.len, &at);
        at.frame++;
        td_buf_reset(&out);
        tl_records(&out, 23, 0, &body, 16384);
        td_tls_feed(c, TD_SERVER, out.data, out.len, &at);
        td_buf_free(&sh);
        td_buf_free(&body);
        td_buf_free(&out);
    } else {
        td_tls_flags(c, TD_SERVER, TD_TCP_FIN, &at);
        at.frame++;
        td_tls_flags(c, TD_CLIENT, TD_TCP_FIN, &at);
    }
    td_tls_end(c, "end of capture");
    td_buf_free(&ch);
    td_buf_free(&rec);
}

static void feed(struct td_analysis *a, uint32_t stream, const char *sni, bool completes)
{
    struct td_limits lim;
    td_limits_default(&lim);
    struct td_tls_conn c;
    make_conn(&c, &lim, stream, sni, completes);
    td_analysis_add_conn(a, &c);
    td_tls_conn_free(&c);
}

/* A failure without SNI waits for the end: a later client with SNI that gets
 * through decides it. */
static void test_failure_waits_for_the_end(void **state)
{
    (void)state;
    struct seen s = {0};
    struct td_analysis_cb cb = callbacks(&s);
    struct td_analysis *a = td_analysis_new(NULL, &cb);
    td_analysis_begin(a, "t");
    feed(a, 0, NULL, false);
    assert_int_equal(s.conns, 1);
    assert_int_equal(s.verdicts, 0); /* held */
    feed(a, 1, "a.example", true);
    assert_int_equal(s.verdicts, 1); /* the ok one, at once */
    assert_int_equal(s.cause[0], TD_CAUSE_NONE);
    td_analysis_end(a, NULL);
    assert_int_equal(s.verdicts, 2);
    assert_int_equal(s.stream[1], 0);
    assert_int_equal(s.cause[1], TD_CAUSE_SNI_REQUIRED);
    assert_int_equal(s.revised, 0);
    assert_int_equal(s.summaries, 1);
    assert_int_equal(s.summary_causes[TD_CAUSE_SNI_REQUIRED], 1);
    assert_int_equal(s.servers, 1);
    assert_int_equal(s.server_ok, 1);
    assert_int_equal(s.server_failed, 1);
    td_analysis_free(a);
}

/* Live input: the verdict goes out at once with what is known, and is
 * revised at the end when later traffic changed it. */
static void test_verdict_at_once_is_revised(void **state)
{
    (void)state;
    struct seen s = {0};
    struct td_analysis_cb cb = callbacks(&s);
    struct td_analysis_opts o = {.verdicts_at_once = true};
    struct td_analysis *a = td_analysis_new(&o, &cb);
    td_analysis_begin(a, "t");
    feed(a, 0, NULL, false);
    assert_int_equal(s.conns_with_verdict, 1);
    /* nothing known of the server yet: a guess, not proof */
    assert_int_not_equal(s.conf[0], TD_CONF_HIGH);
    feed(a, 1, "a.example", true);
    td_analysis_end(a, NULL);
    /* the server took a client with SNI: now proven, and said again */
    assert_int_equal(s.verdicts, 3);
    assert_true(s.was_revised[2]);
    assert_int_equal(s.stream[2], 0);
    assert_int_equal(s.cause[2], TD_CAUSE_SNI_REQUIRED);
    assert_int_equal(s.conf[2], TD_CONF_HIGH);
    /* counted once, with the final verdict */
    assert_int_equal(s.summary_causes[TD_CAUSE_SNI_REQUIRED], 1);
    assert_int_equal(s.summary_causes[TD_CAUSE_NONE], 1);
    td_analysis_free(a);
}

/* Memory is bounded: past max_held, failures are judged at once. */
static void test_held_failures_are_bounded(void **state)
{
    (void)state;
    struct seen s = {0};
    struct td_analysis_cb cb = callbacks(&s);
    struct td_analysis_opts o = {.max_held = 1};
    struct td_analysis *a = td_analysis_new(&o, &cb);
    td_analysis_begin(a, "t");
    feed(a, 0, NULL, false);
    feed(a, 1, NULL, false);
    assert_int_equal(s.conns_with_verdict, 1); /* the second, judged at once */
    assert_int_equal(s.stream[0], 1);
    td_analysis_end(a, NULL);
    assert_int_equal(s.verdicts, 2);
    assert_int_equal(s.stream[1], 0);
    td_analysis_free(a);
}

/* Each input starts afresh: servers and counts do not leak between files. */
static void test_inputs_are_independent(void **state)
{
    (void)state;
    struct seen s = {0};
    struct td_analysis_cb cb = callbacks(&s);
    struct td_analysis *a = td_analysis_new(NULL, &cb);
    td_analysis_begin(a, "one");
    feed(a, 0, "a.example", true);
    td_analysis_end(a, NULL);
    td_analysis_begin(a, "two");
    feed(a, 0, NULL, false);
    td_analysis_end(a, NULL);
    assert_int_equal(s.summaries, 2);
    /* the second file's server view and counts only */
    assert_int_equal(s.server_ok, 0);
    assert_int_equal(s.server_failed, 1);
    assert_int_equal(s.summary_causes[TD_CAUSE_NONE], 0);
    td_analysis_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failure_waits_for_the_end),
        cmocka_unit_test(test_verdict_at_once_is_revised),
        cmocka_unit_test(test_held_failures_are_bounded),
        cmocka_unit_test(test_inputs_are_independent),
    };
    return tl_run_tests("analyse/analyse", tests);
}
