/* tlsdiag pcap [options] FILE... */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "report/report.h"

#include "base/banned.h"

#define MAX_PROBLEMS_SHOWN 20
/* Output is held back and sorted by tcp.stream up to this size, then streamed. */
#define SORT_BUFFER_MAX (4u << 20)

struct held {
    uint32_t stream;
    char *text;
    size_t len;
};

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
};

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

static void on_conn(void *ctx, const struct td_tls_conn *c)
{
    struct pcap_run *r = ctx;
    if (r->summary_only || !wanted(r, c)) {
        return;
    }
    struct td_buf b = {0};
    if (r->json) {
        td_render_conn_json(&b, c, &r->ro);
    } else {
        td_render_conn_text(&b, c, &r->ro);
    }
    r->shown++;
    if (r->streaming) {
        fwrite(b.data, 1, b.len, stdout);
        td_buf_free(&b);
        return;
    }
    r->held = td_realloc(r->held, (r->num_held + 1) * sizeof *r->held);
    r->held[r->num_held].stream = c->stream;
    r->held[r->num_held].text = (char *)b.data;
    r->held[r->num_held].len = b.len;
    r->num_held++;
    r->held_bytes += b.len;
    if (r->held_bytes > SORT_BUFFER_MAX) {
        flush_held(r);
        r->streaming = true;
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
          "      --summary        only the summary\n"
          "      --color WHEN     auto (default), always, never (NO_COLOR is honoured)\n"
          "  -h, --help           this help\n"
          "\n"
          "Exit status: 0 no failed handshake, 1 at least one failed, 2 usage or unreadable input.\n",
          f);
}

int cmd_pcap(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_STREAM, OPT_HOST, OPT_FAILED, OPT_SUMMARY, OPT_COLOR };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, OPT_JSON},       {"verbose", no_argument, NULL, 'v'},
        {"stream", required_argument, NULL, OPT_STREAM}, {"host", required_argument, NULL, OPT_HOST},
        {"failed", no_argument, NULL, OPT_FAILED},   {"summary", no_argument, NULL, OPT_SUMMARY},
        {"color", required_argument, NULL, OPT_COLOR}, {"colour", required_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    struct pcap_run r = {0};
    const char *color = "auto";
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
        struct td_engine_cb cb = {&r, on_conn, on_problem, on_progress};
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
                td_render_summary_json(&b, &st, &so);
            }
        } else {
            td_render_summary_text(&b, &st, &so);
        }
        if (b.len) {
            fwrite(b.data, 1, b.len, stdout);
        }
        td_buf_free(&b);
        if (st.failed) {
            any_failed = true;
        }
    }
    free(files);
    fflush(stdout);
    if (input_error) {
        exit_code = TD_EXIT_USAGE;
    } else if (any_failed) {
        exit_code = TD_EXIT_FAILURES;
    }
    return exit_code;
}
