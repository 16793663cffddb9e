/* tlsdiag watch's rolling summary: handshakes by outcome, drops, and the
 * failures by cause and server over the last minute and since the start. */
#include <stdio.h>
#include <stdlib.h>

#include "analyse/tally.h"
#include "report/report.h"

#include "base/banned.h"

#define TOP_SHOWN 10

struct ranked {
    size_t key;
    uint64_t n;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->n != y->n) {
        return x->n > y->n ? -1 : 1;
    }
    return x->key < y->key ? -1 : x->key > y->key;
}

/* The pairs with failures, most first; returns how many. */
static size_t rank(const struct td_tally *t, const uint64_t *counts, struct ranked *out)
{
    size_t n = 0;
    for (size_t k = 0; k <= t->num_keys && k <= TD_TALLY_KEYS; k++) {
        size_t key = k == t->num_keys ? TD_TALLY_KEYS : k;
        if (counts[key]) {
            out[n].key = key;
            out[n++].n = counts[key];
        }
    }
    qsort(out, n, sizeof *out, cmp_ranked);
    return n;
}

static void window_text(struct td_buf *b, const struct td_tally *t, const char *label, const uint64_t *counts,
                        uint64_t sum, bool cut)
{
    struct ranked r[TD_TALLY_KEYS + 1];
    size_t n = rank(t, counts, r);
    td_buf_printf(b, "  %s: %s%llu failed\n", label, cut ? "at least " : "", (unsigned long long)sum);
    for (size_t i = 0; i < n && i < TOP_SHOWN; i++) {
        if (r[i].key == TD_TALLY_KEYS) {
            td_buf_printf(b, "    %6llu  (other causes and servers)\n", (unsigned long long)r[i].n);
            continue;
        }
        const struct td_tally_key *k = &t->keys[r[i].key];
        td_buf_printf(b, "    %6llu  %-24s %s\n", (unsigned long long)r[i].n, td_cause_info(k->cause)->slug, k->server);
    }
    if (n > TOP_SHOWN) {
        td_buf_printf(b, "    (%zu more)\n", n - TOP_SHOWN);
    }
}

static void drops_text(struct td_buf *b, const struct td_watch_drops *d)
{
    if (d->kernel_known) {
        td_buf_printf(b, "drops: kernel %llu of %llu packets, tlsdiag %llu", (unsigned long long)d->kernel_dropped,
                      (unsigned long long)(d->kernel_received + d->kernel_dropped), (unsigned long long)d->ours);
    } else {
        td_buf_printf(b, "drops: kernel unknown, tlsdiag %llu", (unsigned long long)d->ours);
    }
}

/* watch --keylog: the lookups that stalled the capture loop to wait for a session's lines, and those that did not. */
static void keylog_text(struct td_buf *b, const struct td_watch_drops *d)
{
    const struct td_keylog_wait_stats *k = &d->keylog_waits;
    td_buf_printf(b, "; key log: %llu waits (%llu found), %.2f s waited, %llu not waited for",
                  (unsigned long long)k->waits, (unsigned long long)k->found, (double)k->waited_ms / 1000,
                  (unsigned long long)(k->skipped_idle + k->skipped_peer + k->skipped_budget));
}

void td_render_watch_text(struct td_buf *b, const struct td_tally *t, int64_t now, const struct td_watch_drops *d)
{
    int64_t up = now - t->start;
    td_buf_printf(
        b, "tlsdiag watch: up %lldm%02llds: %llu TLS (%llu ok, %llu failed, %llu incomplete); ", (long long)(up / 60),
        (long long)(up % 60), (unsigned long long)(t->by_outcome[0] + t->by_outcome[1] + t->by_outcome[2]),
        (unsigned long long)t->by_outcome[TD_OUTCOME_OK], (unsigned long long)t->by_outcome[TD_OUTCOME_FAILED],
        (unsigned long long)t->by_outcome[TD_OUTCOME_INCOMPLETE]);
    drops_text(b, d);
    if (d->keylog) {
        keylog_text(b, d);
    }
    td_buf_putc(b, '\n');
    uint64_t counts[TD_TALLY_KEYS + 1];
    bool cut;
    uint64_t sum = td_tally_window(t, now, 60, counts, &cut);
    window_text(b, t, "last minute", counts, sum, cut);
    sum = td_tally_window(t, now, 3600, counts, &cut);
    window_text(b, t, "last hour", counts, sum, cut);
    for (size_t k = 0; k < t->num_keys; k++) {
        counts[k] = t->keys[k].total;
    }
    counts[TD_TALLY_KEYS] = t->other_keys;
    window_text(b, t, "since start", counts, t->failures, false);
}

void td_render_watch_json(struct td_buf *b, const struct td_tally *t, int64_t now, const struct td_watch_drops *d)
{
    struct td_json j;
    td_json_init(&j, b);
    td_json_obj_begin(&j, NULL);
    td_json_str(&j, "type", "watch_summary");
    td_json_i64(&j, "uptime_s", now - t->start);
    td_json_u64(&j, "ok", t->by_outcome[TD_OUTCOME_OK]);
    td_json_u64(&j, "failed", t->by_outcome[TD_OUTCOME_FAILED]);
    td_json_u64(&j, "incomplete", t->by_outcome[TD_OUTCOME_INCOMPLETE]);
    td_json_u64(&j, "failures", t->failures);
    td_json_obj_begin(&j, "drops");
    if (d->kernel_known) {
        td_json_u64(&j, "kernel", d->kernel_dropped);
        td_json_u64(&j, "kernel_received", d->kernel_received);
    } else {
        td_json_null(&j, "kernel");
    }
    td_json_u64(&j, "tlsdiag", d->ours);
    td_json_obj_end(&j);
    if (d->keylog) {
        const struct td_keylog_wait_stats *k = &d->keylog_waits;
        td_json_obj_begin(&j, "keylog_waits");
        td_json_u64(&j, "waits", k->waits);
        td_json_u64(&j, "found", k->found);
        td_json_u64(&j, "waited_ms", k->waited_ms);
        td_json_u64(&j, "skipped_idle", k->skipped_idle);
        td_json_u64(&j, "skipped_client", k->skipped_peer);
        td_json_u64(&j, "skipped_budget", k->skipped_budget);
        td_json_obj_end(&j);
    }
    td_json_arr_begin(&j, "failures_by");
    for (size_t k = 0; k < t->num_keys; k++) {
        td_json_obj_begin(&j, NULL);
        td_json_str(&j, "cause", td_cause_info(t->keys[k].cause)->slug);
        td_json_str(&j, "server", t->keys[k].server);
        td_json_u64(&j, "count", t->keys[k].total);
        td_json_obj_end(&j);
    }
    td_json_arr_end(&j);
    td_json_obj_end(&j);
    td_buf_putc(b, '\n');
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void label(struct td_buf *b, const char *name, const char *v, bool last)
{
    td_buf_printf(b, "%s=\"", name);
    for (; *v; v++) {
        if (*v == '\\' || *v == '"') {
            td_buf_putc(b, '\\');
            td_buf_putc(b, *v);
        } else if (*v == '\n') {
            td_buf_puts(b, "\\n");
        } else {
            td_buf_putc(b, *v);
        }
    }
    td_buf_puts(b, last ? "\"" : "\",");
}

static void keylog_metrics(struct td_buf *b, const struct td_keylog_wait_stats *k)
{
    td_buf_printf(b,
                  "# HELP tlsdiag_keylog_waits_total Lookups that stalled the capture to wait for a session's key log "
                  "lines, by result.\n"
                  "# TYPE tlsdiag_keylog_waits_total counter\n"
                  "tlsdiag_keylog_waits_total{result=\"found\"} %llu\n"
                  "tlsdiag_keylog_waits_total{result=\"missed\"} %llu\n",
                  (unsigned long long)k->found, (unsigned long long)(k->waits - k->found));
    td_buf_printf(b,
                  "# HELP tlsdiag_keylog_wait_seconds_total Time the capture loop spent waiting for key log lines.\n"
                  "# TYPE tlsdiag_keylog_wait_seconds_total counter\n"
                  "tlsdiag_keylog_wait_seconds_total %.3f\n",
                  (double)k->waited_ms / 1000);
    td_buf_printf(b,
                  "# HELP tlsdiag_keylog_skipped_waits_total Sessions not in the key log that were not waited for, "
                  "by reason.\n"
                  "# TYPE tlsdiag_keylog_skipped_waits_total counter\n"
                  "tlsdiag_keylog_skipped_waits_total{why=\"idle\"} %llu\n"
                  "tlsdiag_keylog_skipped_waits_total{why=\"client\"} %llu\n"
                  "tlsdiag_keylog_skipped_waits_total{why=\"budget\"} %llu\n",
                  (unsigned long long)k->skipped_idle, (unsigned long long)k->skipped_peer,
                  (unsigned long long)k->skipped_budget);
}

void td_render_watch_metrics(struct td_buf *b, const struct td_tally *t, const struct td_watch_drops *d)
{
    static const char *const outcomes[] = {"ok", "failed", "incomplete"};
    td_buf_puts(b, "# HELP tlsdiag_handshakes_total TLS connections seen, by outcome.\n"
                   "# TYPE tlsdiag_handshakes_total counter\n");
    for (int i = 0; i < 3; i++) {
        td_buf_printf(b, "tlsdiag_handshakes_total{outcome=\"%s\"} %llu\n", outcomes[i],
                      (unsigned long long)t->by_outcome[i]);
    }
    td_buf_puts(b, "# HELP tlsdiag_failures_total Failed handshakes (or refused right after), by cause and server.\n"
                   "# TYPE tlsdiag_failures_total counter\n");
    for (size_t k = 0; k < t->num_keys; k++) {
        td_buf_puts(b, "tlsdiag_failures_total{");
        label(b, "cause", td_cause_info(t->keys[k].cause)->slug, false);
        label(b, "server", t->keys[k].server, true);
        td_buf_printf(b, "} %llu\n", (unsigned long long)t->keys[k].total);
    }
    if (t->other_keys) {
        td_buf_printf(b, "tlsdiag_failures_total{cause=\"other\",server=\"other\"} %llu\n",
                      (unsigned long long)t->other_keys);
    }
    td_buf_puts(b, "# HELP tlsdiag_drops_total Packets the kernel dropped, connections tlsdiag gave up on.\n"
                   "# TYPE tlsdiag_drops_total counter\n");
    if (d->kernel_known) {
        td_buf_printf(b, "tlsdiag_drops_total{where=\"kernel\"} %llu\n", (unsigned long long)d->kernel_dropped);
    }
    td_buf_printf(b, "tlsdiag_drops_total{where=\"tlsdiag\"} %llu\n", (unsigned long long)d->ours);
    if (d->keylog) {
        keylog_metrics(b, &d->keylog_waits);
    }
}
