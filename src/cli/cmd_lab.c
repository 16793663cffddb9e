/* tlsdiag lab [SCENARIO...] [-w DIR] [--json] | --list
 * Reproduces each failure in-process, writes the capture, diagnoses it with
 * the same engine and rules as tlsdiag pcap, and says whether the verdict is
 * the intended one. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "diag/diag.h"
#include "engine/engine.h"
#include "lab/lab.h"

#include "base/banned.h"

/* 2026-01-01T00:00:00Z: the captures' clock; certificates are dated from it. */
#define LAB_T0 1767225600LL
#define MAX_CONNS 8

struct lab_diag {
    struct td_facts facts[MAX_CONNS];
    uint32_t stream[MAX_CONNS];
    size_t n;
    struct td_server_view view;
    uint64_t problems;
    struct td_http_error http;
    bool have_http;
};

static void on_http_error(void *ctx, const struct td_tls_conn *c)
{
    struct lab_diag *d = ctx;
    if (!d->have_http) {
        td_http_error_from_conn(&d->http, c);
        d->have_http = true;
    }
}

static void on_conn(void *ctx, const struct td_tls_conn *c)
{
    struct lab_diag *d = ctx;
    if (d->n == MAX_CONNS) {
        return;
    }
    struct td_diag_opts o = {0};
    td_facts_from_conn(&d->facts[d->n], c, &o, true);
    td_server_view_add(&d->view, &d->facts[d->n]);
    d->stream[d->n++] = c->stream;
}

static void on_problem(void *ctx, const char *file, uint64_t frame, long long offset, const char *what)
{
    struct lab_diag *d = ctx;
    d->problems++;
    fprintf(stderr, "tlsdiag lab: %s: frame %llu, offset %lld: %s\n", file, (unsigned long long)frame, offset, what);
}

struct lab_result {
    struct td_verdict v;
    uint32_t stream;
    size_t conns;
    bool http_linked;     /* an HTTP 5xx was answered because of this connection */
};

/* The verdict of the last connection of the capture (the one the scenario is
 * about), and whether a gateway's 5xx is linked to it. */
static bool diagnose(const char *path, const char *keys, struct lab_result *res, char *err, size_t err_len)
{
    struct td_keylog *kl = NULL;
    if (keys) {
        kl = td_keylog_new();
        if (!td_keylog_load(kl, keys, err, err_len)) {
            td_keylog_free(kl);
            return false;
        }
    }
    struct lab_diag d;
    td_memzero(&d, sizeof d);
    struct td_limits lim;
    td_limits_default(&lim);
    struct td_engine_cb cb = {&d, on_conn, on_problem, NULL, on_http_error, kl};
    struct td_run_stats st;
    td_memzero(&st, sizeof st);
    int rc = td_engine_pcap(path, &lim, &cb, &st, err, err_len);
    td_memzero(res, sizeof *res);
    res->conns = d.n;
    res->v.cause = TD_CAUSE_UNKNOWN;
    size_t last = 0;
    for (size_t i = 0; i < d.n; i++) {
        if (d.stream[i] >= d.stream[last]) {
            last = i;
        }
    }
    if (d.n) {
        td_diagnose(&d.facts[last], &d.view, &res->v);
        res->stream = d.stream[last];
        if (d.have_http) {
            const struct td_facts *fs[MAX_CONNS];
            for (size_t i = 0; i < d.n; i++) {
                fs[i] = &d.facts[i];
            }
            res->http_linked = td_link_upstream(&d.http, fs, d.n) == (long)last;
        }
    }
    for (size_t i = 0; i < d.n; i++) {
        td_facts_free(&d.facts[i]);
    }
    td_keylog_free(kl);
    return rc == 0 && d.problems == 0 && d.n > 0;
}

static void help(FILE *f)
{
    fputs("usage: tlsdiag lab [SCENARIO...] [-w DIR] [--json]\n"
          "       tlsdiag lab --list\n"
          "\n"
          "Reproduces each failure tlsdiag diagnoses between a real OpenSSL client and a real\n"
          "OpenSSL server inside this process (no network, no root), writes what crossed the wire\n"
          "as a pcap, diagnoses it with tlsdiag pcap's engine and checks the verdict.\n"
          "\n"
          "  -w DIR        keep the captures (DIR/SCENARIO.pcap, and DIR/SCENARIO.keys: the client's\n"
          "                key log) instead of deleting them\n"
          "      --json    JSON Lines: one object per scenario\n"
          "      --list    the scenarios and the cause each one reproduces\n"
          "      --color WHEN  auto (default), always, never\n"
          "  -h, --help    this help\n"
          "\n"
          "Exit status: 0 every verdict is the intended one, 1 one differs, 2 usage error or a capture\n"
          "that could not be written.\n",
          f);
}

static int list(bool json)
{
    struct td_buf b = {0};
    for (size_t i = 0; i < td_lab_count(); i++) {
        const struct td_lab_info *in = td_lab_info(i);
        if (json) {
            struct td_json j;
            td_json_init(&j, &b);
            td_json_obj_begin(&j, NULL);
            td_json_name(&j, "scenario", in->name);
            td_json_name(&j, "cause", in->cause);
            td_json_name(&j, "version", in->version);
            td_json_str(&j, "about", in->about);
            td_json_obj_end(&j);
            td_buf_putc(&b, '\n');
        } else {
            td_buf_printf(&b, "%-28s %-22s %-8s %s\n", in->name, in->cause, in->version, in->about);
        }
    }
    fwrite(b.data, 1, b.len, stdout);
    td_buf_free(&b);
    return TD_EXIT_OK;
}

static bool make_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        return S_ISDIR(st.st_mode);
    }
    return mkdir(dir, 0755) == 0;
}

int cmd_lab(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_LIST, OPT_COLOR };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, OPT_JSON}, {"list", no_argument, NULL, OPT_LIST},
        {"color", required_argument, NULL, OPT_COLOR}, {"colour", required_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *color = "auto";
    bool json = false, do_list = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "w:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'w':
            dir = optarg;
            break;
        case 'h':
            help(stdout);
            return TD_EXIT_OK;
        case OPT_JSON:
            json = true;
            break;
        case OPT_LIST:
            do_list = true;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                fputs("tlsdiag lab: --color takes auto, always or never\n", stderr);
                return TD_EXIT_USAGE;
            }
            color = optarg;
            break;
        default:
            fputs("Try 'tlsdiag lab --help'.\n", stderr);
            return TD_EXIT_USAGE;
        }
    }
    if (do_list) {
        return list(json);
    }
    size_t n = td_lab_count();
    bool *want = td_calloc(n, sizeof *want);
    bool any = false;
    for (int i = optind; i < argc; i++) {
        long k = td_lab_find(argv[i]);
        if (k < 0) {
            fprintf(stderr, "tlsdiag lab: no scenario '%s' (tlsdiag lab --list shows them)\n", argv[i]);
            free(want);
            return TD_EXIT_USAGE;
        }
        want[k] = any = true;
    }
    /* Without -w, the captures live in a private directory under $TMPDIR
     * (mkdtemp template) and are removed at the end. */
    char tmpdir[4096];
    const char *tmp = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/tlsdiag-lab.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    bool keep = dir != NULL;
    if (!keep) {
        dir = mkdtemp(tmpdir);
    }
    if (!dir || !make_dir(dir)) {
        fprintf(stderr, "tlsdiag lab: %s: cannot create the directory: %s\n", dir ? dir : tmpdir, strerror(errno));
        free(want);
        return TD_EXIT_USAGE;
    }
    char err[600];
    struct td_lab *lab = td_lab_new(LAB_T0, err, sizeof err);
    if (!lab) {
        fprintf(stderr, "tlsdiag lab: %s\n", err);
        free(want);
        return TD_EXIT_USAGE;
    }
    struct td_term term;
    td_term_detect(&term, color);
    int rc = TD_EXIT_OK;
    size_t ran = 0, good = 0;
    if (!json) {
        printf("%-28s %-8s %-22s %-22s\n", "scenario", "version", "expected", "diagnosed");
    }
    for (size_t i = 0; i < n; i++) {
        if (any && !want[i]) {
            continue;
        }
        const struct td_lab_info *in = td_lab_info(i);
        char path[4096], keys[4096];
        snprintf(path, sizeof path, "%s/%s.pcap", dir, in->name);
        snprintf(keys, sizeof keys, "%s/%s.keys", dir, in->name);
        if (!td_lab_write(lab, i, path, keys, err, sizeof err)) {
            fprintf(stderr, "tlsdiag lab: %s\n", err);
            rc = TD_EXIT_USAGE;
            break;
        }
        struct lab_result res;
        /* A cause TLS 1.3 hides is diagnosed with the client's key log, as a
         * user would (tlsdiag pcap --keylog). */
        bool read_ok = diagnose(path, in->hidden ? keys : NULL, &res, err, sizeof err);
        const char *got = td_cause_info(res.v.cause)->slug;
        bool match = read_ok && strcmp(got, in->cause) == 0 && (!in->gateway || res.http_linked);
        /* TLS 1.3 hides some answers (the server's alert after the client's
         * certificate): the intended cause is then only an alternative. */
        bool alt = false;
        for (size_t k = 0; read_ok && !match && k < res.v.num_candidates; k++) {
            alt |= strcmp(td_cause_info(res.v.candidates[k])->slug, in->cause) == 0;
        }
        match |= alt && in->hidden;
        ran++;
        good += match;
        if (!match && rc == TD_EXIT_OK) {
            rc = TD_EXIT_FAILURES;
        }
        if (json) {
            struct td_buf b = {0};
            struct td_json j;
            td_json_init(&j, &b);
            td_json_obj_begin(&j, NULL);
            td_json_name(&j, "scenario", in->name);
            td_json_name(&j, "version", in->version);
            td_json_name(&j, "expected", in->cause);
            td_json_name(&j, "diagnosed", got);
            td_json_bool(&j, "ok", match);
            td_json_name(&j, "confidence", td_confidence_name(res.v.confidence));
            if (alt) {
                td_json_bool(&j, "as_alternative", true);
            }
            if (in->gateway) {
                td_json_bool(&j, "http_503_linked", res.http_linked);
            }
            td_json_u64(&j, "tcp_stream", res.stream);
            td_json_u64(&j, "connections", res.conns);
            if (keep) {
                td_json_str(&j, "capture", path);
            }
            td_json_obj_end(&j);
            td_buf_putc(&b, '\n');
            fwrite(b.data, 1, b.len, stdout);
            td_buf_free(&b);
        } else {
            const char *mark = match ? (alt ? (term.utf8 ? "≈" : "~") : (term.utf8 ? "✓" : "ok"))
                                     : (term.utf8 ? "✗" : "FAIL");
            const char *why = alt ? "  (TLS 1.3 hides it: listed as the alternative)"
                              : in->hidden ? "  (TLS 1.3 hides it: read with the key log)"
                              : in->gateway && res.http_linked ? "  (the 503 is linked to it)"
                              : in->gateway ? "  (the 503 is NOT linked to it)" : "";
            printf("%-28s %-8s %-22s %-22s %s%s%s%s\n", in->name, in->version, in->cause, got,
                   term.color ? (match ? "\033[32m" : "\033[31m") : "", mark, term.color ? "\033[0m" : "", why);
        }
        if (!keep) {
            unlink(path);
            unlink(keys);
        }
    }
    if (!json) {
        printf("\n%zu of %zu scenarios diagnosed as intended%s%s\n", good, ran, keep ? "; captures in " : "",
               keep ? dir : "");
    }
    if (!keep) {
        rmdir(dir);
    }
    td_lab_free(lab);
    td_cert_cache_clear();
    free(want);
    if (fflush(stdout) != 0) {
        return TD_EXIT_USAGE;
    }
    return rc;
}
