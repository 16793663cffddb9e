/* tlsdiag pcap [options] FILE...
 * Options in, one analysis per file (src/analyse), results rendered by
 * src/report; here only what is shown, in what order, and the exit status. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/analyse.h"
#include "base/escape.h"
#include "base/mem.h"
#include "cert/cert.h"
#include "cli/cli.h"
#include "cli/export_certs.h"
#include "cli/opts.h"
#include "cli/write_failed.h"
#include "cli/pcap_run.h"
#include "report/report.h"

#include "base/banned.h"

#define MAX_PROBLEMS_SHOWN 20
/* Output is held back and sorted by tcp.stream up to this size, then streamed. */
#define SORT_BUFFER_MAX (4u << 20)

static bool check_filter(const struct pcap_run *r, const struct td_run_stats *st, const char *file);

static int cmp_held(const void *a, const void *b)
{
    const struct held *x = a, *y = b;
    return x->stream < y->stream ? -1 : x->stream > y->stream;
}

static void flush_held(struct pcap_run *r)
{
    if (r->num_held == 0) {
        return;
    }
    qsort(r->held, r->num_held, sizeof *r->held, cmp_held);
    for (size_t i = 0; i < r->num_held; i++) {
        fwrite(r->held[i].text, 1, r->held[i].len, stdout);
        free(r->held[i].text);
    }
    free(r->held);
    r->held = NULL;
    r->num_held = r->cap_held = r->held_bytes = 0;
}

static bool host_is(const struct pcap_run *r, const char *addr_port)
{
    /* "addr:port" or "[v6]:port" against --host given as an address */
    size_t n = strlen(r->host);
    const char *a = addr_port[0] == '[' ? addr_port + 1 : addr_port;
    return strncmp(a, r->host, n) == 0 && (a[n] == ':' || a[n] == ']');
}

/* Filters choose what is shown, never what is diagnosed. */
static bool wanted(const struct pcap_run *r, const struct td_tls_conn *c, const struct td_facts *f)
{
    if (r->stream >= 0 && (long long)c->stream != r->stream) {
        return false;
    }
    if (r->failed_only && td_facts_outcome(f) != TD_OUTCOME_FAILED) {
        return false;
    }
    if (r->host) {
        char a[64];
        bool match = c->sni && strcmp(c->sni, r->host) == 0;
        for (int i = 0; i < 2 && !match; i++) {
            td_addr_str(&c->addr[i], a, sizeof a);
            match = strcmp(a, r->host) == 0;
        }
        if (!match) {
            return false;
        }
    }
    return true;
}

static void emit(struct pcap_run *r, uint32_t stream, struct td_buf *b)
{
    if (r->streaming) {
        fwrite(b->data, 1, b->len, stdout);
        if (r->at_once) {
            fflush(stdout); /* the reader of the pipe sees it now */
        }
        td_buf_free(b);
        return;
    }
    if (r->num_held == r->cap_held) { /* doubling: a copy per connection was most of the time here */
        r->cap_held = r->cap_held ? 2 * r->cap_held : 256;
        r->held = td_realloc(r->held, r->cap_held * sizeof *r->held);
    }
    r->held[r->num_held].stream = stream;
    r->held[r->num_held].text = (char *)b->data;
    r->held[r->num_held].len = b->len;
    r->num_held++;
    r->held_bytes += b->len;
    if (r->held_bytes > SORT_BUFFER_MAX) {
        flush_held(r);
        r->streaming = true;
    }
}

static void shown(struct pcap_run *r, const struct td_conn_result *res)
{
    r->shown++;
    if (res->verdict && res->verdict->cause == TD_CAUSE_NO_CLIENT_HELLO && !r->fail_on_empty) {
        return; /* a port check: counted in the summary, not a failed handshake */
    }
    r->failed_shown |= td_facts_outcome(res->facts) == TD_OUTCOME_FAILED || res->rejected_after;
}

static void drop_replay(struct td_replay_input **in)
{
    if (*in) {
        td_replay_input_free(*in);
        free(*in);
        *in = NULL;
    }
}

/* *in (--replay): replayed with the first verdict shown, then dropped. */
static void finish(struct pcap_run *r, const struct td_conn_result *res, struct td_buf *out,
                   struct td_replay_input **in)
{
    struct td_render_opts vo = r->ro;
    vo.file = r->file;
    struct td_conn_result replayed = *res;
    struct td_verdict *v = *in ? td_calloc(1, sizeof *v) : NULL;
    if (*in && cli_pcap_replay_verdict(r->replay, *in, res->verdict, v)) {
        replayed.verdict = v; /* proven (or annotated) by replay */
    }
    drop_replay(in);
    td_render_result_close(out, &replayed, r->json, &vo);
    free(v);
    emit(r, res->stream, out);
}

/* A verdict given at once that the end of the input may revise: shown now,
 * its start kept to show the revision. */
static void *show_given(struct pcap_run *r, const struct td_conn_result *res, struct kept *k)
{
    struct td_buf start = {0};
    if (r->json) {
        td_buf_append_slow(&start, k->out.data, k->out.len); /* start is empty: the inline path never applies */
    }
    finish(r, res, &k->out, &k->replay);
    k->out = start;
    k->given = true;
    k->next = r->given;
    r->given = k;
    r->num_given++;
    return k;
}

/* The revision of a verdict shown before: in JSON the record again with
 * "revised"; in text a line naming the stream, then the new verdict. */
static void show_revision(struct pcap_run *r, const struct td_conn_result *res, struct kept *k)
{
    struct td_buf b = k->out;
    td_memzero(&k->out, sizeof k->out);
    if (!r->json) {
        td_buf_printf(&b, "tcp.stream %u  %s  %s\n\n", res->stream, res->desc ? res->desc : "",
                      res->revised || res->outcome_revised
                          ? "revised: the verdict shown earlier changed"
                          : "the verdict shown earlier, now tied to a gateway's HTTP error");
    }
    finish(r, res, &b, &k->replay);
}

static void free_given(struct pcap_run *r)
{
    while (r->given) {
        struct kept *k = r->given;
        r->given = k->next;
        td_buf_free(&k->out);
        drop_replay(&k->replay);
        free(k);
    }
    r->num_given = 0;
    while (r->given_both) {
        struct both *b = r->given_both;
        r->given_both = b->next;
        free(b);
    }
}

static bool may_be_revised(const struct td_conn_result *res)
{
    return td_facts_outcome(res->facts) != TD_OUTCOME_OK || res->rejected_after || res->verdict->cause != TD_CAUSE_NONE;
}

/* --failed shows failed handshakes: a port check is not one (unless
 * --fail-on-empty); known only with the verdict. */
static bool hidden_port_check(const struct pcap_run *r, const struct td_conn_result *res)
{
    return r->failed_only && !r->fail_on_empty && res->verdict && res->verdict->cause == TD_CAUSE_NO_CLIENT_HELLO;
}

static void *text_conn(struct pcap_run *r, const struct td_conn_result *res)
{
    if (!wanted(r, res->conn, res->facts) || hidden_port_check(r, res)) {
        return NULL;
    }
    if (r->summary_only) {
        if (res->verdict) {
            shown(r, res);
        }
        return r; /* counted with its verdict */
    }
    struct kept *k = td_calloc(1, sizeof *k);
    struct td_render_opts lo = r->ro;
    lo.rejected_after_handshake = res->facts->rejected_after_handshake;
    td_render_result_open(&k->out, res->conn, r->json, &lo);
    k->replay = r->replay ? cli_pcap_replay_take(res->conn) : NULL;
    if (!res->verdict) {
        td_buf_shrink(&k->out); /* held until the end of the input (up to TD_ANALYSIS_MAX_HELD of them) */
        return k;
    }
    shown(r, res);
    if (r->at_once && may_be_revised(res) && r->num_given < TD_ANALYSIS_MAX_HELD) {
        return show_given(r, res, k);
    }
    finish(r, res, &k->out, &k->replay);
    free(k);
    return NULL;
}

static void text_verdict(struct pcap_run *r, const struct td_conn_result *res, void *keep)
{
    if (!keep) {
        return; /* not shown */
    }
    if (hidden_port_check(r, res)) {
        if (keep != r && !((struct kept *)keep)->given) { /* given ones are freed with the summary */
            td_buf_free(&((struct kept *)keep)->out);
            drop_replay(&((struct kept *)keep)->replay);
            free(keep);
        }
        return;
    }
    if (keep == r) {
        if (!r->at_once) {
            shown(r, res); /* --summary: counted only (at once: counted then) */
        }
        return;
    }
    struct kept *k = keep;
    if (k->given) {
        show_revision(r, res, k);
        return;
    }
    shown(r, res);
    finish(r, res, &k->out, &k->replay);
    free(k);
}

/* A text record shown at once and kept for a revision that may never come
 * (freed with the summary, as its struct kept). */
static bool given_text(const struct pcap_run *r, const void *t)
{
    return t && t != r && ((const struct kept *)t)->given;
}

/* --html goes with the text (or JSON), as tcpdump's -w: both see the same
 * connections, the filters apply to both. */
static void *on_conn(void *ctx, const struct td_conn_result *res)
{
    struct pcap_run *r = ctx;
    cli_write_failed_conn(&r->wf, res);
    if (r->replay) {
        cli_pcap_replay_learn(r->replay, res->conn);
    }
    if (r->export_dir && wanted(r, res->conn, res->facts) && !cli_export_chains(r->export_dir, res->conn)) {
        r->export_error = true;
    }
    void *t = text_conn(r, res); /* --html -: counts only (summary_only) */
    if (!r->html) {
        return t;
    }
    void *h = wanted(r, res->conn, res->facts) && !hidden_port_check(r, res) ? td_html_conn(r->html, res) : NULL;
    if (!t && !h) {
        return NULL;
    }
    struct both *b = td_calloc(1, sizeof *b);
    b->text = t;
    b->html = h;
    if (given_text(r, t)) {
        b->next = r->given_both;
        r->given_both = b;
    }
    return b;
}

static void on_verdict(void *ctx, const struct td_conn_result *res, void *keep)
{
    struct pcap_run *r = ctx;
    if (!r->html) {
        text_verdict(r, res, keep);
        return;
    }
    struct both *b = keep;
    if (b) {
        bool given = given_text(r, b->text); /* text_verdict may free b->text */
        if (hidden_port_check(r, res)) {
            td_html_drop(r->html, b->html);
        } else {
            td_html_verdict(r->html, res, b->html);
        }
        text_verdict(r, res, b->text);
        if (!given) {
            free(b);
        }
    }
}

static void on_http(void *ctx, const struct td_http_result *h)
{
    struct pcap_run *r = ctx;
    cli_write_failed_http(&r->wf, h);
    if (r->stream >= 0 && h->http->stream != r->stream && !(h->up && h->up_stream == r->stream)) {
        return;
    }
    if (r->host && !host_is(r, h->http->client) && !host_is(r, h->http->server)) {
        return;
    }
    if (r->html) {
        td_html_http(r->html, h);
    }
    if (r->summary_only || r->text_off) {
        return;
    }
    r->shown++;
    struct td_buf b = {0};
    struct td_render_opts o = r->ro;
    o.file = r->file;
    if (r->json && o.ecs) {
        td_render_http_ecs(&b, h, &o);
    } else if (r->json) {
        td_render_http_json(&b, h, &o);
    } else {
        td_render_http_text(&b, h, &o);
    }
    emit(r, h->http->stream, &b);
}

static void on_summary(void *ctx, const struct td_analysis_summary *s)
{
    struct pcap_run *r = ctx;
    flush_held(r);
    free_given(r);
    r->streaming = false;
    if (r->html) {
        td_html_summary(r->html, s);
    }
    if (r->problems > MAX_PROBLEMS_SHOWN) {
        cli_warn("tlsdiag: %s: %llu more problems not shown", s->file,
                 (unsigned long long)(r->problems - MAX_PROBLEMS_SHOWN));
    }
    struct td_buf b = {0};
    struct td_render_opts so = r->ro;
    so.file = s->file;
    if (r->text_off) {
        /* the page is the output */
    } else if (r->json) {
        if (r->summary_only) {
            td_render_analysis_json(&b, s, &so);
        }
    } else {
        td_render_analysis_text(&b, s, &so);
        if (r->stream >= 0 || r->host || r->failed_only) {
            /* the counts are the whole file's: say how many the filters kept */
            td_buf_printf(&b, "  shown: %llu connection%s the filters kept; the counts above are the whole file's\n",
                          (unsigned long long)r->shown, r->shown == 1 ? "" : "s");
        }
    }
    cli_write_buf(&b);
    if (!check_filter(r, s->stats, s->file)) {
        r->filter_error = true;
    }
}

static void on_problem(void *ctx, const char *file, uint64_t frame, long long offset, const char *what)
{
    struct pcap_run *r = ctx;
    r->problems++;
    if (r->problems > MAX_PROBLEMS_SHOWN) {
        return;
    }
    if (offset >= 0) {
        cli_warn("tlsdiag: %s: frame %llu, offset %lld: %s", file, (unsigned long long)frame, offset, what);
    } else {
        cli_warn("tlsdiag: %s: frame %llu: %s", file, (unsigned long long)frame, what);
    }
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct pcap_run *r = ctx;
    if (!r->term.stderr_tty || total < (64u << 20)) {
        return;
    }
    if (done >= total) {
        if (r->progress_shown) {
            fputs("\r\033[K", stderr);
        }
        return;
    }
    r->progress_shown = true;
    struct td_esc e = {0};
    fprintf(stderr, "\r%s: %3.0f%% (%llu MB)", td_esc(&e, r->file), 100.0 * (double)done / (double)total,
            (unsigned long long)(done >> 20));
    td_esc_free(&e);
}

static void on_frame(void *ctx, const struct td_frame *f)
{
    struct pcap_run *r = ctx;
    cli_write_failed_frame(&r->wf, f);
}

/* SIGINT, SIGTERM, SIGHUP end the input: what was read is judged and
 * summarised, and the exit status kept (tcpdump -w - | tlsdiag pcap -). */
static volatile int stop_requested;
static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void catch_signals(void)
{
    struct sigaction sa;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked read returns */
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* A filter that matched nothing says so: a --stream that the file does not
 * have is a usage error (2), one that is not a TLS connection is a note. */
static bool check_filter(const struct pcap_run *r, const struct td_run_stats *st, const char *file)
{
    if (r->shown || r->summary_only) {
        return true;
    }
    if (r->stream >= 0 && (uint64_t)r->stream >= st->tcp_streams) {
        cli_warn("tlsdiag pcap: %s: there is no tcp.stream %lld (the capture has %llu TCP streams%s)", file, r->stream,
                 (unsigned long long)st->tcp_streams, st->tcp_streams ? ", numbered from 0" : "");
        return false;
    }
    if (r->stream >= 0) {
        cli_warn("tlsdiag pcap: %s: tcp.stream %lld is not a TLS connection%s", file, r->stream,
                 r->failed_only || r->host ? " that the other filters keep" : "");
    } else if (r->host) {
        cli_warn("tlsdiag pcap: %s: no connection to or from %s%s", file, r->host, r->failed_only ? " failed" : "");
    }
    return true;
}

static bool load_keylog(const char *path, struct td_keylog **out)
{
    char err[512];
    struct td_keylog *keylog = td_keylog_new();
    if (!td_keylog_load(keylog, path, err, sizeof err)) {
        cli_warn("tlsdiag pcap: --keylog %s", err);
        td_keylog_free(keylog);
        return false;
    }
    if (td_keylog_count(keylog) == 0) {
        cli_warn("tlsdiag pcap: %s: no TLS secrets in it (%zu malformed lines)", path, td_keylog_bad_lines(keylog));
    } else if (td_keylog_bad_lines(keylog)) {
        cli_warn("tlsdiag pcap: %s: %zu malformed lines skipped", path, td_keylog_bad_lines(keylog));
    }
    *out = keylog;
    return true;
}

/* The truststore and key log the analysis reads besides the captures. false
 * (after saying why) when one cannot be read. */
static bool load_extras(struct pcap_args *args, struct td_analysis_opts *ao, struct td_certset **ca,
                        struct td_keylog **keylog)
{
    if (args->ca_path) {
        char err[512];
        *ca = td_castore_load(args->ca_path, err, sizeof err);
        if (!*ca) {
            cli_warn("tlsdiag pcap: --ca %s", err);
            return false;
        }
        ao->diag.ca = *ca;
    }
    if (!args->keylog_path) {
        const char *env = getenv("SSLKEYLOGFILE");
        args->keylog_path = env && env[0] ? env : NULL;
    }
    if (args->keylog_path && !load_keylog(args->keylog_path, keylog)) {
        return false;
    }
    ao->keylog = *keylog;
    return true;
}

/* Each capture in turn through the one analysis. true if one could not be opened. */
static bool analyse_files(struct pcap_run *r, struct td_analysis *an, const struct pcap_args *args, bool *any_failed)
{
    bool input_error = false;
    for (size_t i = 0; i < args->num_files && !stop_requested; i++) {
        char err[512] = "";
        struct td_reader *rd = td_reader_open(args->files[i], err, sizeof err);
        if (!rd) {
            cli_warn("tlsdiag: %s: %s", args->files[i], err);
            input_error = true;
            continue;
        }
        r->file = args->files[i];
        r->ro.file = args->num_files > 1 || r->json ? args->files[i] : NULL;
        r->problems = 0;
        r->shown = 0;
        r->failed_shown = false;
        if (r->html) {
            td_html_file(r->html, args->files[i]);
        }
        r->at_once = td_reader_is_stream(rd);
        r->streaming = r->at_once;
        td_analysis_set_verdicts_at_once(an, r->at_once);
        td_analyse_reader(an, rd, args->files[i]);
        input_error |= td_reader_io_error(rd); /* cut short while read: said by the problem line */
        td_reader_close(rd);
        *any_failed |= r->failed_shown;
    }
    return input_error;
}

/* After the last capture: the page, the replay summary, the failed-connection
 * file. false when one of them could not be written. */
static bool finish_outputs(struct pcap_run *r, struct cli_out *html_out)
{
    bool ok = true;
    if (r->html) {
        struct td_buf page = {0};
        td_html_page(r->html, &page);
        ok = cli_out_commit("pcap", "--html", html_out, &page);
        td_html_free(r->html);
    }
    if (r->replay && !r->json && !r->text_off) {
        struct td_buf rb = {0};
        cli_pcap_replay_summary(r->replay, &rb);
        cli_write_buf(&rb);
    }
    cli_pcap_replay_free(r->replay);
    return cli_write_failed_close(&r->wf, "pcap") && ok;
}

int cmd_pcap(int argc, char **argv)
{
    struct pcap_run r = {.stream = -1};
    struct pcap_args args = {.color = "auto"};
    args.files = td_calloc((size_t)argc + 1, sizeof *args.files);
    int rc = pcap_parse_args(argc, argv, &r, &args);
    struct td_analysis_opts ao = {
        .host_hint = r.host, .shard_k = args.shard_k, .shard_n = args.shard_n, .threads = args.threads};
    ao.diag.host = args.expect_host;
    struct td_certset *ca = NULL;
    struct td_keylog *keylog = NULL;
    struct cli_out html_out;
    if (rc == 0 && (!load_extras(&args, &ao, &ca, &keylog) ||
                    (args.html && !cli_out_open("pcap", "--html", args.html, &html_out)) ||
                    !cli_write_failed_open(&r.wf, "pcap"))) {
        rc = TD_EXIT_USAGE;
    }
    if (rc != 0) {
        td_castore_free(ca);
        td_keylog_free(keylog);
        free(args.files);
        return rc < 0 ? TD_EXIT_OK : rc;
    }
    td_term_detect(&r.term, args.color);
    r.ro.verbose = r.verbose;
    r.ro.color = r.term.color && !r.json;
    r.ro.utf8 = ao.utf8 = r.term.utf8;
    struct td_limits lim;
    td_limits_default(&lim);
    if (args.replay) { /* the failed hellos kept, sent again (cmd_replay.c) */
        lim.keep_client_hello = TD_REPLAY_MAX_HELLO;
        ao.limits = &lim;
        r.replay = cli_pcap_replay_new(3000);
    }
    ao.stop = &stop_requested;
    catch_signals();
    struct td_analysis_cb cb = {&r, on_conn, on_verdict, on_http, on_summary, on_problem, on_progress};
    cb.on_frame = r.wf.path ? on_frame : NULL;
    struct td_analysis *an = td_analysis_new(&ao, &cb);
    r.ro.cert_cache = td_analysis_cert_cache(an);
    if (args.html) {
        struct td_html_opts ho = {.all = args.html_all, .utf8 = r.term.utf8};
        r.html = td_html_new(&ho, r.ro.cert_cache);
        r.text_off = strcmp(args.html, "-") == 0;
        r.summary_only |= r.text_off;
    }
    bool any_failed = false;
    bool input_error = analyse_files(&r, an, &args, &any_failed);
    input_error |= !finish_outputs(&r, &html_out);
    td_analysis_free(an);
    free(args.files);
    td_castore_free(ca);
    td_keylog_free(keylog);
    fflush(stdout);
    if (input_error || r.filter_error || r.export_error) {
        return TD_EXIT_USAGE;
    }
    return any_failed ? TD_EXIT_FAILURES : TD_EXIT_OK;
}
