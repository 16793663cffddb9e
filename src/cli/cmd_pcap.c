/* tlsdiag pcap [options] FILE... */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "cert/cert.h"
#include "diag/diag.h"
#include "report/report.h"

#include "base/banned.h"

#define MAX_PROBLEMS_SHOWN 20
/* Output is held back and sorted by tcp.stream up to this size, then streamed. */
#define SORT_BUFFER_MAX (4u << 20)
/* Failed connections wait for the end of their file, so that the verdict can
 * use everything the capture shows about their server; beyond this many they
 * are judged at once with what is known so far. */
#define MAX_HELD_FAILURES 2048
#define MAX_SERVERS 65536

struct held {
    uint32_t stream;
    char *text;
    size_t len;
};

/* What the capture shows about one server endpoint, and its verdict counts. */
struct server {
    char name[80];
    struct td_server_view view;
    uint32_t causes[TD_CAUSE_COUNT];
    struct server *next;
};

struct pending {
    struct td_facts facts;
    struct td_buf out;  /* the rendered ladder, verdict still to come */
    uint32_t stream;
    struct server *srv;
    const struct td_http_error *down; /* the 5xx this failure made a gateway answer */
    struct td_verdict v;
    char desc[180];     /* "client -> server", kept after the facts are freed */
};

#define MAX_HTTP_ERRORS 4096

struct pcap_run {
    bool json, verbose, failed_only, summary_only;
    long long stream;            /* -1: all */
    const char *host;
    struct td_term term;
    struct td_render_opts ro;
    const char *file;
    uint64_t problems;
    struct held *held;
    size_t num_held, held_bytes;
    bool streaming;
    bool progress_shown;
    uint64_t shown;
    struct td_diag_opts diag;
    struct server *servers[4096];
    size_t num_servers;
    struct pending *pending;
    size_t num_pending;
    uint32_t causes[TD_CAUSE_COUNT];
    uint64_t rejected_after; /* completed handshakes whose verdict names a fault */
    struct td_http_error *http;
    size_t num_http, http_linked;
};

static struct server *server_of(struct pcap_run *r, const char *name)
{
    uint32_t h = 2166136261u;
    for (const char *p = name; *p; p++) {
        h = (h ^ (uint8_t)*p) * 16777619u;
    }
    struct server **slot = &r->servers[h % 4096];
    for (struct server *s = *slot; s; s = s->next) {
        if (strcmp(s->name, name) == 0) {
            return s;
        }
    }
    if (r->num_servers >= MAX_SERVERS) {
        return NULL;
    }
    struct server *s = td_calloc(1, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->next = *slot;
    *slot = s;
    r->num_servers++;
    return s;
}

static void free_servers(struct pcap_run *r)
{
    for (size_t i = 0; i < 4096; i++) {
        struct server *s = r->servers[i], *next;
        for (; s; s = next) {
            next = s->next;
            free(s);
        }
        r->servers[i] = NULL;
    }
    r->num_servers = 0;
}

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
    r->num_held = r->held_bytes = 0;
}

static bool wanted(const struct pcap_run *r, const struct td_tls_conn *c)
{
    if (r->stream >= 0 && (long long)c->stream != r->stream) {
        return false;
    }
    if (r->failed_only && td_tls_outcome(c) != TD_OUTCOME_FAILED) {
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
    r->shown++;
    if (r->streaming) {
        fwrite(b->data, 1, b->len, stdout);
        td_buf_free(b);
        return;
    }
    r->held = td_realloc(r->held, (r->num_held + 1) * sizeof *r->held);
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

/* Judge a connection whose ladder is already rendered (without its closing
 * brace, in JSON) and emit it. */
static void judge(struct pcap_run *r, struct pending *p)
{
    struct td_verdict v;
    td_diagnose(&p->facts, p->srv ? &p->srv->view : NULL, &v);
    p->v = v;
    snprintf(p->desc, sizeof p->desc, "%s %s %s", p->facts.client_ip, r->term.utf8 ? "→" : "->", p->facts.server);
    r->causes[v.cause]++;
    if (v.cause != TD_CAUSE_NONE && p->facts.outcome == TD_OUTCOME_OK) {
        r->rejected_after++;
    }
    if (p->srv) {
        p->srv->causes[v.cause]++;
    }
    if (r->json) {
        struct td_json j;
        td_json_init(&j, &p->out);
        j.depth = 1;
        j.need_comma[1] = true;
        td_render_verdict_json(&j, &v);
        if (p->down) {
            td_render_downstream_json(&j, p->down);
        }
        td_render_conn_json_close(&j);
    } else {
        if (p->out.len) {
            p->out.len--; /* the blank line that ends a block */
        }
        struct td_render_opts vo = r->ro;
        vo.file = r->file;
        td_render_verdict_text(&p->out, &v, p->stream, &vo);
        if (p->down) {
            td_render_downstream_text(&p->out, p->down, &vo);
        }
        td_buf_putc(&p->out, '\n');
    }
    td_facts_free(&p->facts);
    if (r->summary_only) {
        td_buf_free(&p->out);
        return;
    }
    emit(r, p->stream, &p->out);
}

/* At the end of a file: link each HTTP 5xx a gateway answered to the failed
 * TLS connection it made meanwhile, judge the held failures, then show the
 * gateway's side with the cause it inherits. */
static void judge_pending(struct pcap_run *r)
{
    const struct td_facts **fs = td_calloc(r->num_pending + 1, sizeof *fs);
    long *link = td_calloc(r->num_http + 1, sizeof *link);
    for (size_t i = 0; i < r->num_pending; i++) {
        fs[i] = &r->pending[i].facts;
    }
    for (size_t h = 0; h < r->num_http; h++) {
        link[h] = td_link_upstream(&r->http[h], fs, r->num_pending);
        if (link[h] >= 0 && !r->pending[link[h]].down) {
            r->pending[link[h]].down = &r->http[h];
        }
    }
    for (size_t i = 0; i < r->num_pending; i++) {
        judge(r, &r->pending[i]);
    }
    for (size_t h = 0; h < r->num_http; h++) {
        const struct pending *up = link[h] >= 0 ? &r->pending[link[h]] : NULL;
        r->http_linked += up != NULL;
        if (r->summary_only ||
            (r->stream >= 0 && r->http[h].stream != r->stream && !(up && up->stream == r->stream))) {
            continue;
        }
        struct td_buf b = {0};
        struct td_render_opts o = r->ro;
        o.file = r->file;
        if (r->json) {
            td_render_http_json(&b, &r->http[h], up ? &up->v : NULL, up ? up->stream : 0, &o);
        } else {
            td_render_http_text(&b, &r->http[h], up ? &up->v : NULL, up ? up->stream : 0, up ? up->desc : "", &o);
        }
        emit(r, r->http[h].stream, &b);
    }
    free(fs);
    free(link);
    free(r->pending);
    r->pending = NULL;
    r->num_pending = 0;
}

static void on_http_error(void *ctx, const struct td_tls_conn *c)
{
    struct pcap_run *r = ctx;
    if (r->num_http >= MAX_HTTP_ERRORS) {
        return;
    }
    if (r->num_http % 64 == 0) {
        r->http = td_realloc(r->http, (r->num_http + 64) * sizeof *r->http);
    }
    td_http_error_from_conn(&r->http[r->num_http++], c);
}

static void on_conn(void *ctx, const struct td_tls_conn *c)
{
    struct pcap_run *r = ctx;
    struct pending p;
    p.down = NULL;
    p.desc[0] = '\0';
    p.out.data = NULL;
    p.out.len = p.out.cap = 0;
    struct td_diag_opts o = r->diag;
    if (!c->sni && r->host && !o.host) {
        o.host = r->host; /* matched by address: the name the client should have asked for */
    }
    bool ok = td_tls_outcome(c) == TD_OUTCOME_OK && !c->note;
    td_facts_from_conn(&p.facts, c, &o, !ok);
    p.stream = c->stream;
    p.srv = server_of(r, p.facts.server);
    if (p.srv) {
        td_server_view_add(&p.srv->view, &p.facts);
    }
    if (!wanted(r, c)) {
        td_facts_free(&p.facts);
        return;
    }
    if (!r->summary_only) {
        if (r->json) {
            struct td_json j;
            td_json_init(&j, &p.out);
            td_render_conn_json_open(&j, c, &r->ro);
        } else {
            td_render_conn_text(&p.out, c, &r->ro);
        }
    }
    if (ok || r->num_pending >= MAX_HELD_FAILURES) {
        judge(r, &p);
        return;
    }
    r->pending = td_realloc(r->pending, (r->num_pending + 1) * sizeof *r->pending);
    r->pending[r->num_pending++] = p;
}

/* "causes: protocol_mismatch 2, sni_required 1" and one line per server with failures. */
static void causes_text(struct td_buf *b, const struct pcap_run *r)
{
    bool any = false;
    for (int i = 1; i < TD_CAUSE_COUNT; i++) {
        if (r->causes[i]) {
            td_buf_printf(b, "%s%s %u", any ? ", " : "  causes: ", td_cause_info((enum td_cause)i)->slug, r->causes[i]);
            any = true;
        }
    }
    if (!any) {
        if (r->num_http) {
            td_buf_printf(b, "  HTTP 5xx answers: %zu, none explained by a failed TLS connection in this capture\n",
                          r->num_http);
        }
        return;
    }
    td_buf_putc(b, '\n');
    if (r->num_http) {
        td_buf_printf(b, "  HTTP 5xx answers: %zu, %zu explained by a failed TLS connection of the same gateway\n",
                      r->num_http, r->http_linked);
    }
    for (size_t k = 0; k < 4096; k++) {
        for (const struct server *s = r->servers[k]; s; s = s->next) {
            bool failed = false;
            for (int i = 1; i < TD_CAUSE_COUNT; i++) {
                failed |= s->causes[i] != 0;
            }
            if (!failed) {
                continue;
            }
            td_buf_printf(b, "  %s: %u ok, %u failed:", s->name, s->view.ok, s->view.failed);
            for (int i = 1; i < TD_CAUSE_COUNT; i++) {
                if (s->causes[i]) {
                    td_buf_printf(b, " %s %u", td_cause_info((enum td_cause)i)->slug, s->causes[i]);
                }
            }
            td_buf_putc(b, '\n');
        }
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
        fprintf(stderr, "tlsdiag: %s: frame %llu, offset %lld: %s\n", file, (unsigned long long)frame, offset, what);
    } else {
        fprintf(stderr, "tlsdiag: %s: frame %llu: %s\n", file, (unsigned long long)frame, what);
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
    fprintf(stderr, "\r%s: %3.0f%% (%llu MB)", r->file, 100.0 * (double)done / (double)total,
            (unsigned long long)(done >> 20));
}

static void help(FILE *f)
{
    fputs("usage: tlsdiag pcap [options] FILE...\n"
          "\n"
          "Reads pcap/pcapng captures (tcpdump -w, Wireshark, dumpcap; '-' is standard input)\n"
          "and shows every TLS handshake as a ladder of messages with Wireshark's frame numbers.\n"
          "\n"
          "  -r FILE              read FILE (as tcpdump/tshark; FILE may also be given bare)\n"
          "      --json           JSON Lines: one object per connection\n"
          "  -v, --verbose        every field: each suite, extension and certificate\n"
          "      --stream N       only tcp.stream N\n"
          "      --host NAME      only connections whose SNI or address is NAME\n"
          "      --failed         only failed handshakes\n"
          "      --ca FILE|DIR    the peer's truststore (PEM bundle or hashed directory): proves\n"
          "                       unknown_ca / incomplete_chain instead of inferring them\n"
          "      --expect-host NAME  the host name clients meant, for connections without SNI\n"
          "      --keylog FILE    decrypt with the secrets of an NSS key log (SSLKEYLOGFILE); also read\n"
          "                       from $SSLKEYLOGFILE and from pcapng Decryption Secrets Blocks\n"
          "      --summary        only the summary\n"
          "      --color WHEN     auto (default), always, never (NO_COLOR is honoured)\n"
          "  -h, --help           this help\n"
          "\n"
          "Exit status: 0 no failed handshake, 1 at least one failed (or was rejected right after it\n"
          "completed), 2 usage or unreadable input.\n",
          f);
}

int cmd_pcap(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_STREAM, OPT_HOST, OPT_FAILED, OPT_SUMMARY, OPT_COLOR, OPT_CA, OPT_EXPECT, OPT_KEYLOG };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, OPT_JSON},       {"verbose", no_argument, NULL, 'v'},
        {"stream", required_argument, NULL, OPT_STREAM}, {"host", required_argument, NULL, OPT_HOST},
        {"failed", no_argument, NULL, OPT_FAILED},   {"summary", no_argument, NULL, OPT_SUMMARY},
        {"color", required_argument, NULL, OPT_COLOR}, {"colour", required_argument, NULL, OPT_COLOR},
        {"ca", required_argument, NULL, OPT_CA},     {"expect-host", required_argument, NULL, OPT_EXPECT},
        {"keylog", required_argument, NULL, OPT_KEYLOG},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    struct pcap_run r = {0};
    const char *color = "auto";
    const char *ca_path = NULL, *keylog_path = NULL;
    struct td_keylog *keylog = NULL;
    struct td_castore *ca = NULL;
    const char **files = td_calloc((size_t)argc + 1, sizeof *files);
    size_t num_files = 0;
    int opt;
    r.stream = -1;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "r:vh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'r':
            files[num_files++] = optarg;
            break;
        case 'v':
            r.verbose = true;
            break;
        case 'h':
            help(stdout);
            free(files);
            return TD_EXIT_OK;
        case OPT_JSON:
            r.json = true;
            break;
        case OPT_STREAM: {
            char *end;
            r.stream = strtoll(optarg, &end, 10);
            if (*end || r.stream < 0) {
                fprintf(stderr, "tlsdiag pcap: --stream takes a tcp.stream number, not '%s'\n", optarg);
                free(files);
                return TD_EXIT_USAGE;
            }
            break;
        }
        case OPT_HOST:
            r.host = optarg;
            break;
        case OPT_FAILED:
            r.failed_only = true;
            break;
        case OPT_SUMMARY:
            r.summary_only = true;
            break;
        case OPT_CA:
            ca_path = optarg;
            break;
        case OPT_EXPECT:
            r.diag.host = optarg;
            break;
        case OPT_KEYLOG:
            keylog_path = optarg;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                fprintf(stderr, "tlsdiag pcap: --color takes auto, always or never\n");
                free(files);
                return TD_EXIT_USAGE;
            }
            color = optarg;
            break;
        default:
            fputs("Try 'tlsdiag pcap --help'.\n", stderr);
            free(files);
            return TD_EXIT_USAGE;
        }
    }
    for (int i = optind; i < argc; i++) {
        files[num_files++] = argv[i];
    }
    if (num_files == 0) {
        fputs("tlsdiag pcap: no capture file given\nTry 'tlsdiag pcap --help'.\n", stderr);
        free(files);
        return TD_EXIT_USAGE;
    }
    if (ca_path) {
        char err[512];
        ca = td_castore_load(ca_path, err, sizeof err);
        if (!ca) {
            fprintf(stderr, "tlsdiag pcap: --ca %s\n", err);
            free(files);
            return TD_EXIT_USAGE;
        }
        r.diag.ca = ca;
    }
    if (!keylog_path) {
        const char *env = getenv("SSLKEYLOGFILE");
        keylog_path = env && env[0] ? env : NULL;
    }
    if (keylog_path) {
        char err[512];
        keylog = td_keylog_new();
        if (!td_keylog_load(keylog, keylog_path, err, sizeof err)) {
            fprintf(stderr, "tlsdiag pcap: --keylog %s\n", err);
            td_keylog_free(keylog);
            td_castore_free(ca);
            free(files);
            return TD_EXIT_USAGE;
        }
        if (td_keylog_count(keylog) == 0) {
            fprintf(stderr, "tlsdiag pcap: %s: no TLS secrets in it (%zu malformed lines)\n", keylog_path,
                    td_keylog_bad_lines(keylog));
        } else if (td_keylog_bad_lines(keylog)) {
            fprintf(stderr, "tlsdiag pcap: %s: %zu malformed lines skipped\n", keylog_path, td_keylog_bad_lines(keylog));
        }
    }
    td_term_detect(&r.term, color);
    r.ro.verbose = r.verbose;
    r.ro.color = r.term.color && !r.json;
    r.ro.utf8 = r.term.utf8;

    struct td_limits lim;
    td_limits_default(&lim);
    int exit_code = TD_EXIT_OK;
    bool any_failed = false, input_error = false;
    for (size_t i = 0; i < num_files; i++) {
        struct td_run_stats st = {0};
        struct td_engine_cb cb = {&r, on_conn, on_problem, on_progress, on_http_error, keylog};
        char err[512] = "";
        r.file = files[i];
        r.ro.file = num_files > 1 || r.json ? files[i] : NULL;
        r.problems = 0;
        int rc = td_engine_pcap(files[i], &lim, &cb, &st, err, sizeof err);
        if (rc == 2) {
            fprintf(stderr, "tlsdiag: %s: %s\n", files[i], err);
            input_error = true;
            continue;
        }
        judge_pending(&r);
        flush_held(&r);
        r.streaming = false;
        if (r.problems > MAX_PROBLEMS_SHOWN) {
            fprintf(stderr, "tlsdiag: %s: %llu more problems not shown\n", files[i],
                    (unsigned long long)(r.problems - MAX_PROBLEMS_SHOWN));
        }
        struct td_buf b = {0};
        struct td_render_opts so = r.ro;
        so.file = files[i];
        if (r.json) {
            if (r.summary_only) {
                td_render_summary_json(&b, &st, r.causes, &so);
            }
        } else {
            td_render_summary_text(&b, &st, &so);
            causes_text(&b, &r);
        }
        td_memzero(r.causes, sizeof r.causes);
        free_servers(&r);
        free(r.http);
        r.http = NULL;
        r.num_http = r.http_linked = 0;
        if (b.len) {
            fwrite(b.data, 1, b.len, stdout);
        }
        td_buf_free(&b);
        if (st.failed || r.rejected_after) {
            any_failed = true;
        }
        r.rejected_after = 0;
    }
    free(files);
    td_castore_free(ca);
    td_keylog_free(keylog);
    td_cert_cache_clear();
    fflush(stdout);
    if (input_error) {
        exit_code = TD_EXIT_USAGE;
    } else if (any_failed) {
        exit_code = TD_EXIT_FAILURES;
    }
    return exit_code;
}
