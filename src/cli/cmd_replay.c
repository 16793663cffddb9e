/* tlsdiag probe --replay CAPTURE [--stream N] [HOST[:PORT]]: the capture read
 * by the one pipeline (src/analyse) with the first ClientHello of each
 * connection kept, the failed ones replayed by src/probe/replay.c, the
 * results rendered by src/report/render_replay.c. Here: options, the
 * connections chosen, the closing counts, the exit status. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/analyse.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "probe/replay.h"
#include "report/report.h"

#include "base/banned.h"

/* Failed connections replayed from one capture, at most; servers learned from. */
#define MAX_REPLAYS 64
#define MAX_SERVERS CLI_REPLAY_MAX_SERVERS

static void help(FILE *f)
{
    fputs("usage: tlsdiag probe --replay CAPTURE [options] [HOST[:PORT]]\n"
          "\n"
          "Sends the ClientHello of each failed connection of CAPTURE again to its server (or to HOST:PORT),\n"
          "with a fresh random, session id and key shares: is it still refused the same way? Then again with\n"
          "one change at a time (SNI, a version, a suite, a group, no post-quantum share, one extension\n"
          "less, split in two segments, padded): the first change the server accepts proves the cause.\n"
          "\n"
          "      --stream N          replay tcp.stream N only\n"
          "      --sni NAME          the name the SNI variant sends (default: one the capture shows)\n"
          "      --timeout MS        per connection (default 3000)\n"
          "      --max-connections N TCP connections per replayed connection, at most (default 40)\n"
          "      --dry-run           print the ClientHellos that would be sent; send nothing\n"
          "      --json              one JSON object per replayed connection, then a summary\n"
          "      --color WHEN        auto (default), always, never\n"
          "  -h, --help              this help\n"
          "\n"
          "Exit status: 0 no failed connection in the capture, 1 failed connections replayed, 2 usage or\n"
          "input error.\n",
          f);
}

struct replay_args {
    const char *capture, *target, *color;
    long long stream; /* -1: every failed connection */
    struct td_replay_opts o;
    bool json;
};

struct collect {
    long long stream;
    bool include_high; /* probe --replay: every failure; pcap --replay: not those already high */
    struct td_replay_input *items[MAX_REPLAYS];
    size_t n;
    size_t over;     /* failed connections past MAX_REPLAYS */
    size_t no_hello; /* failed without a ClientHello kept (none sent, SSLv2, over 16 KiB) */
    struct td_replay_hints hints[MAX_SERVERS];
    size_t num_hints;
    bool stream_seen;
};

static void set_verdict(struct td_replay_input *in, const struct td_verdict *v)
{
    in->pcap_cause = v->cause;
    in->pcap_confidence = td_confidence_name(v->confidence);
}

static void *on_conn(void *ctx, const struct td_conn_result *res)
{
    struct collect *c = ctx;
    const struct td_tls_conn *conn = res->conn;
    td_replay_learn(c->hints, &c->num_hints, MAX_SERVERS, conn);
    c->stream_seen |= c->stream >= 0 && (long long)conn->stream == c->stream;
    if (td_tls_outcome(conn) == TD_OUTCOME_OK || (c->stream >= 0 && (long long)conn->stream != c->stream)) {
        return NULL;
    }
    if (c->n == MAX_REPLAYS) {
        c->over++;
        return NULL;
    }
    struct td_replay_input *in = td_calloc(1, sizeof *in);
    if (!td_replay_input_from_conn(in, conn)) {
        free(in);
        c->no_hello++;
        return NULL;
    }
    c->items[c->n++] = in;
    if (res->verdict) {
        set_verdict(in, res->verdict);
    }
    return in;
}

static void on_verdict(void *ctx, const struct td_conn_result *res, void *keep)
{
    (void)ctx;
    if (keep && res->verdict) {
        set_verdict(keep, res->verdict);
    }
}

static void on_problem(void *ctx, const char *file, uint64_t frame, long long offset, const char *what)
{
    (void)ctx;
    cli_warn("tlsdiag: %s: frame %llu, offset %lld: %s", file, (unsigned long long)frame, offset, what);
}

/* 0 when the capture was read, else the exit status. */
static int collect_capture(const char *path, struct collect *c)
{
    struct td_limits lim;
    td_limits_default(&lim);
    lim.keep_client_hello = TD_REPLAY_MAX_HELLO;
    struct td_analysis_opts ao = {.limits = &lim};
    struct td_analysis_cb cb = {.ctx = c, .on_conn = on_conn, .on_verdict = on_verdict, .on_problem = on_problem};
    struct td_analysis *an = td_analysis_new(&ao, &cb);
    char err[512] = "";
    int rc = td_analyse_file(an, path, err, sizeof err);
    td_analysis_free(an);
    if (rc == 2) {
        cli_warn("tlsdiag: %s: %s", path, err);
        return TD_EXIT_USAGE;
    }
    if (c->stream >= 0 && !c->stream_seen) {
        return cli_usage_error("probe", "--stream %lld: %s has no such TLS connection", c->stream, path);
    }
    return 0;
}

struct totals {
    size_t replayed, proven, changed, skipped;
    unsigned connections;
    double seconds;
};

static void summary(struct td_buf *b, const struct totals *t, const struct collect *c, bool json)
{
    double per = t->replayed ? t->seconds * 1000.0 / (double)t->replayed : 0;
    if (json) {
        td_buf_printf(b,
                      "{\"type\":\"replay_summary\",\"replayed\":%zu,\"proven\":%zu,\"changed\":%zu,\"skipped\":%zu,"
                      "\"not_replayed_over_limit\":%zu,\"no_client_hello\":%zu,\"connections\":%u,\"seconds\":%.3f,"
                      "\"ms_per_replay\":%.1f}\n",
                      t->replayed, t->proven, t->changed, t->skipped, c->over, c->no_hello, t->connections, t->seconds,
                      per);
        return;
    }
    td_buf_printf(b,
                  "replayed %zu failed connection%s: %zu proven, %zu where the server changed, %zu not replayable; "
                  "%u TCP connections, %.3f s (%.1f ms per replayed connection)\n",
                  t->replayed, t->replayed == 1 ? "" : "s", t->proven, t->changed, t->skipped, t->connections,
                  t->seconds, per);
    if (c->no_hello) {
        td_buf_printf(b,
                      "%zu failed connection%s without a ClientHello to replay (none sent, SSLv2, or over %d bytes)\n",
                      c->no_hello, c->no_hello == 1 ? "" : "s", TD_REPLAY_MAX_HELLO);
    }
    if (c->over) {
        td_buf_printf(b, "%zu more failed connections not replayed (at most %d per capture)\n", c->over, MAX_REPLAYS);
    }
}

static int replay_all(const struct replay_args *a, struct collect *c)
{
    struct td_term term;
    td_term_detect(&term, a->color);
    struct td_render_opts ro = {.color = term.color && !a->json, .utf8 = term.utf8};
    struct totals t = {0};
    struct td_replay_result *r = td_calloc(1, sizeof *r);
    int rc = c->n ? TD_EXIT_FAILURES : TD_EXIT_OK;
    for (size_t i = 0; i < c->n; i++) {
        char err[400];
        const struct td_replay_input *in = c->items[i];
        if (!td_replay(in, td_replay_hints_find(c->hints, c->num_hints, in->server), &a->o, r, err, sizeof err)) {
            rc = cli_usage_error("probe", "%s", err);
            break;
        }
        struct td_buf b = {0};
        if (a->json) {
            td_render_replay_json(&b, r, a->o.dry_run);
        } else {
            td_render_replay_text(&b, r, a->o.dry_run, &ro);
        }
        cli_write_buf(&b);
        t.replayed++;
        t.proven += r->num_proofs > 0;
        t.changed += r->changed;
        t.skipped += r->skipped;
        t.connections += r->connections;
        t.seconds += r->seconds;
    }
    struct td_buf b = {0};
    summary(&b, &t, c, a->json);
    cli_write_buf(&b);
    free(r);
    return rc;
}

static int parse_args(int argc, char **argv, struct replay_args *a)
{
    enum { OPT_REPLAY = 256, OPT_STREAM, OPT_SNI, OPT_TIMEOUT, OPT_MAXC, OPT_DRY, OPT_JSON, OPT_COLOR };
    static const struct option longopts[] = {
        {"replay", required_argument, NULL, OPT_REPLAY},
        {"stream", required_argument, NULL, OPT_STREAM},
        {"sni", required_argument, NULL, OPT_SNI},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"max-connections", required_argument, NULL, OPT_MAXC},
        {"dry-run", no_argument, NULL, OPT_DRY},
        {"json", no_argument, NULL, OPT_JSON},
        {"color", required_argument, NULL, OPT_COLOR},
        {"colour", required_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long v;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            help(stdout);
            return -1;
        case OPT_REPLAY:
            a->capture = optarg;
            break;
        case OPT_STREAM:
            if (!cli_parse_long("probe", "--stream", optarg, 0, 0x7fffffff, &v)) {
                return TD_EXIT_USAGE;
            }
            a->stream = v;
            break;
        case OPT_SNI:
            a->o.sni = optarg;
            break;
        case OPT_TIMEOUT:
            if (!cli_parse_long("probe", "--timeout (milliseconds)", optarg, 10, 600000, &v)) {
                return TD_EXIT_USAGE;
            }
            a->o.timeout_ms = (int)v;
            break;
        case OPT_MAXC:
            if (!cli_parse_long("probe", "--max-connections", optarg, 1, 200, &v)) {
                return TD_EXIT_USAGE;
            }
            a->o.max_connections = (unsigned)v;
            break;
        case OPT_DRY:
            a->o.dry_run = true;
            break;
        case OPT_JSON:
            a->json = true;
            break;
        case OPT_COLOR:
            if (!cli_parse_color("probe", optarg, &a->color)) {
                return TD_EXIT_USAGE;
            }
            break;
        default:
            return cli_try_help("probe");
        }
    }
    if (optind + 1 < argc) {
        return cli_usage_error("probe", "--replay takes one HOST[:PORT] at most");
    }
    a->target = a->o.target = optind < argc ? argv[optind] : NULL;
    return 0;
}

int cmd_probe_replay(int argc, char **argv)
{
    struct replay_args a = {.color = "auto", .stream = -1};
    int rc = parse_args(argc, argv, &a);
    if (rc != 0) {
        return rc < 0 ? TD_EXIT_OK : rc;
    }
    struct collect *c = td_calloc(1, sizeof *c);
    c->stream = a.stream;
    c->include_high = true;
    rc = collect_capture(a.capture, c);
    if (rc == 0) {
        rc = replay_all(&a, c);
    }
    for (size_t i = 0; i < c->n; i++) {
        td_replay_input_free(c->items[i]);
        free(c->items[i]);
    }
    free(c);
    return rc;
}

/* tlsdiag pcap --replay: the same replay for each failed connection whose
 * verdict is not high, its verdict rewritten when a change proves the cause. */
struct cli_pcap_replay *cli_pcap_replay_new(int timeout_ms)
{
    struct cli_pcap_replay *pr = td_calloc(1, sizeof *pr);
    pr->o.timeout_ms = timeout_ms;
    return pr;
}

void cli_pcap_replay_free(struct cli_pcap_replay *pr) { free(pr); }

void cli_pcap_replay_learn(struct cli_pcap_replay *pr, const struct td_tls_conn *c)
{
    td_replay_learn(pr->hints, &pr->num_hints, CLI_REPLAY_MAX_SERVERS, c);
}

struct td_replay_input *cli_pcap_replay_take(const struct td_tls_conn *c)
{
    if (td_tls_outcome(c) == TD_OUTCOME_OK) {
        return NULL;
    }
    struct td_replay_input *in = td_calloc(1, sizeof *in);
    if (!td_replay_input_from_conn(in, c)) {
        free(in);
        return NULL;
    }
    return in;
}

static void rewrite(struct td_verdict *out, const struct td_verdict *v, const struct td_replay_result *r)
{
    *out = *v;
    char was[160];
    snprintf(was, sizeof was, "%s, %s", td_cause_info(v->cause)->slug, td_confidence_name(v->confidence));
    out->cause = r->cause;
    out->confidence = TD_CONF_HIGH;
    out->num_candidates = 0;
    out->fix_side = TD_SIDE_BOTH;
    snprintf(out->explanation, sizeof out->explanation,
             "proven by replay at %s (%u TCP connections to %s): %.250s%s; from the capture alone: %.80s", r->when,
             r->connections, r->server, r->evidence,
             r->changed ? " (but the hello as captured is now refused another way)" : "", was);
    snprintf(out->fix, sizeof out->fix, "client: %.280s; or server: %.280s.", r->fix_client, r->fix_server);
}

static void annotate(struct td_verdict *out, const struct td_verdict *v, const struct td_replay_result *r)
{
    *out = *v;
    size_t used = strlen(out->explanation);
    snprintf(out->explanation + used, sizeof out->explanation - used, " (replay at %s to %s: %.200s)", r->when,
             r->server,
             r->skipped ? r->skip_why
             : r->changed && r->v[0].got.answer == TD_RA_ACCEPTED
                 ? "the server now accepts this ClientHello: its behaviour changed since the capture"
                 : "no single change was accepted");
}

bool cli_pcap_replay_verdict(struct cli_pcap_replay *pr, const struct td_replay_input *in, const struct td_verdict *v,
                             struct td_verdict *out)
{
    if (!in || !v || v->confidence == TD_CONF_HIGH || v->cause == TD_CAUSE_NONE) {
        return false;
    }
    struct td_replay_result *r = td_calloc(1, sizeof *r);
    char err[400];
    bool ok = td_replay(in, td_replay_hints_find(pr->hints, pr->num_hints, in->server), &pr->o, r, err, sizeof err);
    if (ok) {
        pr->replayed++;
        pr->proven += r->num_proofs > 0;
        pr->connections += r->connections;
        pr->seconds += r->seconds;
        if (r->num_proofs) {
            rewrite(out, v, r);
        } else {
            annotate(out, v, r);
        }
    }
    free(r);
    return ok;
}

void cli_pcap_replay_summary(const struct cli_pcap_replay *pr, struct td_buf *b)
{
    td_buf_printf(b, "replay: %u connection%s replayed, %u proven; %u TCP connections, %.3f s\n", pr->replayed,
                  pr->replayed == 1 ? "" : "s", pr->proven, pr->connections, pr->seconds);
}
