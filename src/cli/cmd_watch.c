/* tlsdiag watch [-i IFACE] [-B KiB] [-Z USER] [--json] [--interval S] [FILTER...]
 * A live capture through libpcap into the analysis (src/analyse), verdicts
 * given as they settle; a rolling summary (analyse/tally.h, rendered by
 * report/render_watch.c) on stderr; here only options, privileges, signals,
 * what is shown and the exit status. */
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyse/analyse.h"
#include "analyse/tally.h"
#include "base/mem.h"
#include "capture/capture.h"
#include "cli/cli.h"
#include "cli/metrics_http.h"
#include "cli/opts.h"
#include "cli/write_failed.h"
#include "crypto/crypto.h"
#include "crypto/keylog_follow.h"
#include "report/report.h"

#include "base/banned.h"

/* -B by default: libpcap's 2 MiB ring dropped 12% of packets at 550 handshakes/s on a
 * loaded 2-core machine (bench/live.sh), 32 MiB none. */
#define DEFAULT_BUFFER_KIB 32768

/* The TLS ports tlsdiag knows (engine td_is_tls_port), 4433 (openssl
 * s_server), 5671 (AMQPS), and a gateway's plain HTTP side. */
#define DEFAULT_FILTER                                                                                                 \
    "tcp port (443 or 465 or 563 or 636 or 853 or 989 or 990 or 992 or 993 or 994 or 995 or 1443 or 2376 or 3269 "     \
    "or 4433 or 4443 or 5061 or 5223 or 5671 or 5986 or 6443 or 6697 or 8443 or 9443 or 10443 or 80 or 8080)"

/* A failure shown at once, remembered for its revision at the end. */
struct shown {
    char community_id[TD_COMMUNITY_ID_LEN];
    struct shown *next;
};

struct watch_run {
    bool json, all;
    long interval; /* seconds between rolling summaries; 0: none */
    struct td_term term;
    struct td_render_opts ro;
    struct td_tally tally;
    struct td_reader *rd;
    struct td_analysis *an;
    int64_t next_summary; /* monotonic seconds */
    bool failed_seen;
    struct shown *shown; /* freed with the summary */
    size_t num_shown;    /* at most TD_ANALYSIS_MAX_HELD: the analysis holds (and revises) no more */
    struct cli_write_failed wf;
    struct cli_metrics metrics;
    struct td_keylog *keylog; /* --keylog, followed as clients append to it; NULL without */
};

/* How long a lookup waits at most for a session's key log line not written
 * yet: the client writes it on reading the ServerHello, milliseconds after
 * the capture saw it: 100 ms missed some on a loaded 2-core machine (load 7,
 * t2305), 250 ms none. A client that does not log its keys costs at most one
 * such wait, then none for a while (crypto/keylog_follow.h: its address pair
 * is remembered, and waits take at most 10% of the time). */
#define KEYLOG_WAIT_MS 250

static int64_t now_wall(void) { return (int64_t)time(NULL); }

static int64_t now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

static void drops(const struct watch_run *w, struct td_watch_drops *d)
{
    td_memzero(d, sizeof *d);
    d->kernel_known = td_reader_live_drops(w->rd, &d->kernel_received, &d->kernel_dropped);
    const struct td_run_stats *st = td_analysis_stats(w->an);
    d->ours = st->evicted;
    d->keylog = td_keylog_wait_stats(w->keylog, &d->keylog_waits);
}

static void write_out(struct td_buf *b)
{
    cli_write_buf(b);
    fflush(stdout);
}

static bool is_failure(const struct td_conn_result *res)
{
    return td_facts_outcome(res->facts) == TD_OUTCOME_FAILED || res->rejected_after;
}

static void *on_conn(void *ctx, const struct td_conn_result *res)
{
    struct watch_run *w = ctx;
    cli_write_failed_conn(&w->wf, res);
    if (!res->verdict) {
        return NULL; /* not with verdicts at once */
    }
    bool failed = is_failure(res);
    td_tally_add(&w->tally, now_wall(), td_facts_outcome(res->facts), failed, res->verdict->cause, res->facts->server);
    w->failed_seen |= failed;
    if (!failed && !w->json && !w->all) {
        return NULL;
    }
    struct td_buf b = {0};
    struct td_render_opts o = w->ro;
    o.rejected_after_handshake = res->facts->rejected_after_handshake;
    td_render_result_open(&b, res->conn, w->json, &o);
    td_render_result_close(&b, res, w->json, &o);
    write_out(&b);
    if (!failed || w->num_shown >= TD_ANALYSIS_MAX_HELD) {
        return NULL;
    }
    w->num_shown++;
    struct shown *k = td_calloc(1, sizeof *k);
    const struct td_tls_conn *c = res->conn;
    td_community_id(&c->addr[TD_CLIENT], c->port[TD_CLIENT], &c->addr[TD_SERVER], c->port[TD_SERVER], TD_IPPROTO_TCP, 0,
                    k->community_id);
    k->next = w->shown;
    w->shown = k;
    return k;
}

/* A verdict given at once, revised with what came later (at the end). */
static void on_verdict(void *ctx, const struct td_conn_result *res, void *keep)
{
    struct watch_run *w = ctx;
    const struct shown *k = keep;
    if (!k) {
        return;
    }
    w->failed_seen |= is_failure(res) || res->outcome_revised;
    struct td_buf b = {0};
    if (w->json) {
        struct td_json j;
        td_json_init(&j, &b);
        td_json_obj_begin(&j, NULL);
        if (w->ro.ecs) {
            td_json_obj_begin(&j, "tlsdiag"); /* td_render_result_close ends it, then the record */
        }
        td_json_str(&j, "type", "revision");
        td_json_u64(&j, "stream", res->stream);
        td_json_str(&j, "community_id", k->community_id[0] ? k->community_id : NULL);
        td_json_str(&j, "desc", res->desc);
    } else {
        td_buf_printf(&b, "tcp.stream %u  %s  revised: the verdict shown earlier changed\n\n", res->stream, res->desc);
    }
    td_render_result_close(&b, res, w->json, &w->ro);
    write_out(&b);
}

static void on_http(void *ctx, const struct td_http_result *h)
{
    struct watch_run *w = ctx;
    cli_write_failed_http(&w->wf, h);
    w->failed_seen |= h->up != NULL; /* a gateway's 5xx owed to a failed handshake */
    struct td_buf b = {0};
    if (w->json && w->ro.ecs) {
        td_render_http_ecs(&b, h, &w->ro);
    } else if (w->json) {
        td_render_http_json(&b, h, &w->ro);
    } else {
        td_render_http_text(&b, h, &w->ro);
    }
    write_out(&b);
}

static void rolling_summary(struct watch_run *w, bool json_too)
{
    struct td_watch_drops d;
    drops(w, &d);
    struct td_buf b = {0};
    td_render_watch_text(&b, &w->tally, now_wall(), &d);
    fwrite(b.data, 1, b.len, stderr);
    td_buf_free(&b);
    if (json_too && w->json) {
        td_render_watch_json(&b, &w->tally, now_wall(), &d);
        write_out(&b);
    }
}

static void on_summary(void *ctx, const struct td_analysis_summary *s)
{
    struct watch_run *w = ctx;
    struct td_buf b = {0};
    struct td_render_opts so = w->ro;
    so.file = s->file;
    if (w->json) {
        td_render_analysis_json(&b, s, &so);
    } else {
        td_render_analysis_text(&b, s, &so);
    }
    write_out(&b);
    rolling_summary(w, true);
    while (w->shown) {
        struct shown *k = w->shown;
        w->shown = k->next;
        free(k);
    }
}

static void on_problem(void *ctx, const char *file, uint64_t frame, long long offset, const char *what)
{
    (void)ctx;
    (void)offset;
    cli_warn("tlsdiag watch: %s: frame %llu: %s", file, (unsigned long long)frame, what);
}

/* Each frame before the engine reads it: kept for --write-failed, and with
 * --keylog its addresses given to the key log, whose lookups while the
 * engine reads this frame are for its connection (the pair whose sessions
 * were missed is not waited for again for a while). */
static void on_frame(void *ctx, const struct td_frame *f)
{
    struct watch_run *w = ctx;
    cli_write_failed_frame(&w->wf, f);
    if (w->keylog) {
        struct td_tcpseg seg;
        const char *why = NULL;
        size_t at = 0;
        bool tcp = td_decode_frame(f->dlt, f->data, f->caplen, &seg, &why, &at) == TD_DEC_TCP;
        td_keylog_follow_conn(w->keylog, tcp ? &seg.src : NULL, tcp ? &seg.dst : NULL);
    }
}

static void render_metrics(void *ctx, struct td_buf *out)
{
    struct watch_run *w = ctx;
    struct td_watch_drops d;
    drops(w, &d);
    td_render_watch_metrics(out, &w->tally, &d);
}

static void on_tick(void *ctx)
{
    struct watch_run *w = ctx;
    td_keylog_refresh(w->keylog, NULL, 0);
    cli_metrics_serve(&w->metrics, render_metrics, w);
    if (w->interval <= 0 || now_mono() < w->next_summary) {
        return;
    }
    w->next_summary = now_mono() + w->interval;
    rolling_summary(w, false);
}

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
    sa.sa_flags = 0;
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* As tcpdump -Z: the supplementary groups, group and user of USER, once the
 * capture handle is open. */
static bool drop_privileges(const char *user)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        cli_warn("tlsdiag watch: -Z %s: no such user", user);
        return false;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        cli_warn("tlsdiag watch: -Z %s: cannot become %s (uid %u, gid %u)", user, user, (unsigned)pw->pw_uid,
                 (unsigned)pw->pw_gid);
        return false;
    }
    return true;
}

static void help(FILE *f)
{
    fputs("usage: tlsdiag watch [options] [BPF filter...]\n"
          "\n"
          "Captures live (libpcap) and shows each failed TLS handshake as soon as it is over, with its\n"
          "verdict; a rolling summary on stderr; at the end (SIGINT, SIGTERM) the summary.\n"
          "Default filter: the TLS ports and a gateway's HTTP ports 80 and 8080.\n"
          "\n"
          "  -i IFACE             capture on IFACE (default: any)\n"
          "  -B KiB               the kernel capture buffer, in KiB (default 32768)\n"
          "  -Z USER              after opening the capture, become USER (as tcpdump -Z)\n"
          "      --json           JSON Lines: every connection (not only failures), then the summaries\n"
          "      --ecs            JSON Lines under Elastic Common Schema names (implies --json)\n"
          "      --observer NAME  the name each JSON record gives this machine (default: the host name)\n"
          "      --all            text: show completed handshakes too\n"
          "      --interval S     rolling summary every S seconds (default 10 when stderr is a terminal)\n"
          "      --keylog FILE    decrypt with the NSS key log FILE (default $SSLKEYLOGFILE), followed as\n"
          "                       clients append to it (re-read from its start when replaced or truncated);\n"
          "                       the newest 65536 secrets kept, the oldest dropped first; a session's\n"
          "                       lines waited for up to 250 ms, in at most 10% of the time, not for\n"
          "                       clients that were missed lately\n"
          "      --write-failed FILE  pcapng of the failed connections' frames (the first 256 KiB of each);\n"
          "                       -C MB / -G SECONDS: a new file (FILE1, FILE2, ...) past that size or time\n"
          "      --metrics ADDR:PORT  serve Prometheus metrics (handshakes, failures by cause and server,\n"
          "                       drops) on ADDR:PORT, e.g. 127.0.0.1:9464\n"
          "  -v, --verbose        every field of each connection shown\n"
          "      --color WHEN     auto (default), always, never\n"
          "  -h, --help           this help\n"
          "\n"
          "Exit status: 0 no failed handshake seen, 1 at least one, 2 usage error or no capture.\n",
          f);
}

struct watch_args {
    const char *iface, *user, *color, *metrics, *keylog;
    long buffer_kib;
    char *filter;
};

static char *join_filter(int argc, char **argv)
{
    struct td_buf b = {0};
    for (int i = 0; i < argc; i++) {
        td_buf_printf(&b, "%s%s", i ? " " : "", argv[i]);
    }
    if (!b.len) {
        td_buf_puts(&b, DEFAULT_FILTER);
    }
    td_buf_cstr(&b);
    return (char *)b.data;
}

/* 0 to go on, -1 after help, else the exit status. */
static int parse_args(int argc, char **argv, struct watch_run *w, struct watch_args *a)
{
    enum { OPT_JSON = 256, OPT_ALL, OPT_INTERVAL, OPT_COLOR, OPT_METRICS, OPT_ECS, OPT_OBSERVER, OPT_KEYLOG };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, OPT_JSON},
        {"all", no_argument, NULL, OPT_ALL},
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"verbose", no_argument, NULL, 'v'},
        {"color", required_argument, NULL, OPT_COLOR},
        {"colour", required_argument, NULL, OPT_COLOR},
        {"write-failed", required_argument, NULL, CLI_OPT_WRITE_FAILED},
        {"metrics", required_argument, NULL, OPT_METRICS},
        {"ecs", no_argument, NULL, OPT_ECS},
        {"observer", required_argument, NULL, OPT_OBSERVER},
        {"keylog", required_argument, NULL, OPT_KEYLOG},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+i:B:Z:C:G:vh", longopts, NULL)) != -1) {
        bool bad = false;
        if (cli_write_failed_opt(&w->wf, "watch", opt, optarg, &bad)) {
            if (bad) {
                return TD_EXIT_USAGE;
            }
            continue;
        }
        switch (opt) {
        case 'i':
            a->iface = optarg;
            break;
        case 'B':
            if (!cli_parse_long("watch", "-B", optarg, 1, 4L << 20, &a->buffer_kib)) {
                return TD_EXIT_USAGE;
            }
            break;
        case 'Z':
            a->user = optarg;
            break;
        case 'v':
            w->ro.verbose = true;
            break;
        case 'h':
            help(stdout);
            return -1;
        case OPT_JSON:
            w->json = true;
            break;
        case OPT_ECS:
            w->json = w->ro.ecs = true;
            break;
        case OPT_OBSERVER:
            w->ro.observer = optarg;
            break;
        case OPT_ALL:
            w->all = true;
            break;
        case OPT_METRICS:
            a->metrics = optarg;
            break;
        case OPT_KEYLOG:
            a->keylog = optarg;
            break;
        case OPT_INTERVAL:
            if (!cli_parse_long("watch", "--interval", optarg, 1, 86400, &w->interval)) {
                return TD_EXIT_USAGE;
            }
            break;
        case OPT_COLOR:
            if (!cli_parse_color("watch", optarg, &a->color)) {
                return TD_EXIT_USAGE;
            }
            break;
        default:
            return cli_try_help("watch");
        }
    }
    a->filter = join_filter(argc - optind, argv + optind);
    return 0;
}

/* --keylog or $SSLKEYLOGFILE (as pcap), followed; false when it cannot be read. */
static bool follow_keylog(struct watch_run *w, const char *path)
{
    const char *env = getenv("SSLKEYLOGFILE");
    path = path ? path : env && env[0] ? env : NULL;
    if (!path) {
        return true;
    }
    char err[512] = "";
    w->keylog = td_keylog_new();
    if (!td_keylog_follow(w->keylog, path, TD_KEYLOG_FOLLOW_MAX, KEYLOG_WAIT_MS, err, sizeof err)) {
        cli_warn("tlsdiag watch: --keylog %s", err);
        return false;
    }
    cli_warn("tlsdiag watch: following the key log %s (%zu secrets now)", path, td_keylog_count(w->keylog));
    return true;
}

int cmd_watch(int argc, char **argv)
{
    struct watch_run w = {0};
    struct watch_args a = {.color = "auto", .buffer_kib = DEFAULT_BUFFER_KIB};
    int rc = parse_args(argc, argv, &w, &a);
    if (rc != 0) {
        return rc < 0 ? TD_EXIT_OK : rc;
    }
    char err[512] = "";
    w.rd = td_reader_open_live(a.iface, a.filter, 0, (int)(a.buffer_kib * 1024), err, sizeof err);
    if (!w.rd) {
        cli_warn("tlsdiag watch: %s", err);
        free(a.filter);
        return TD_EXIT_USAGE;
    }
    /* the files are created as USER, as tcpdump -Z -w does (rotation makes more of them later) */
    w.metrics.fd = -1; /* listening before the privileges go: a port below 1024 is fine */
    if ((a.metrics && !cli_metrics_listen(&w.metrics, a.metrics)) || (a.user && !drop_privileges(a.user)) ||
        !follow_keylog(&w, a.keylog) || !cli_write_failed_open(&w.wf, "watch")) {
        td_keylog_free(w.keylog);
        cli_metrics_close(&w.metrics);
        td_reader_close(w.rd);
        free(a.filter);
        return TD_EXIT_USAGE;
    }
    char host[256] = "";
    if (!w.ro.observer && gethostname(host, sizeof host - 1) == 0 && host[0]) {
        w.ro.observer = host;
    }
    td_term_detect(&w.term, a.color);
    w.ro.color = w.term.color && !w.json;
    w.ro.utf8 = w.term.utf8;
    w.ro.file = a.iface ? a.iface : "any"; /* JSON "file": what was read, as pcap names its capture */
    if (w.interval == 0 && w.term.stderr_tty) {
        w.interval = 10;
    }
    if (w.metrics.fd >= 0) {
        cli_warn("tlsdiag watch: metrics on http://%s/metrics", w.metrics.addr);
    }
    cli_warn("tlsdiag watch: listening on %s, filter %s", a.iface ? a.iface : "any", a.filter);
    td_tally_init(&w.tally, now_wall());
    w.next_summary = now_mono() + w.interval;
    catch_signals();
    struct td_analysis_opts ao = {.verdicts_at_once = true, .stop = &stop_requested, .utf8 = w.term.utf8};
    ao.keylog = w.keylog;
    struct td_analysis_cb cb = {&w, on_conn, on_verdict, on_http, on_summary, on_problem, NULL, on_tick};
    cb.on_frame = w.wf.path || w.keylog ? on_frame : NULL;
    w.an = td_analysis_new(&ao, &cb);
    w.ro.cert_cache = td_analysis_cert_cache(w.an);
    td_analyse_reader(w.an, w.rd, a.iface ? a.iface : "any");
    td_analysis_free(w.an);
    td_reader_close(w.rd);
    bool written = cli_write_failed_close(&w.wf, "watch");
    td_keylog_free(w.keylog);
    cli_metrics_close(&w.metrics);
    free(a.filter);
    if (!written) {
        return TD_EXIT_USAGE;
    }
    return w.failed_seen ? TD_EXIT_FAILURES : TD_EXIT_OK;
}
