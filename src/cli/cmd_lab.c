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

#include "analyse/lab_check.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "lab/lab.h"
#include "report/report.h"

#include "base/banned.h"

/* 2026-01-01T00:00:00Z: the captures' clock; certificates are dated from it. */
#define LAB_T0 1767225600LL

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
    td_render_lab_list(&b, json);
    return cli_write_buf(&b) ? TD_EXIT_OK : TD_EXIT_USAGE;
}

static bool make_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        return S_ISDIR(st.st_mode);
    }
    return mkdir(dir, 0755) == 0;
}

struct lab_run {
    struct td_lab *lab;
    const char *dir;
    bool keep, json;
    struct td_render_opts ro;
    size_t ran, good;
};

/* One scenario: write its capture, diagnose it, say whether the verdict is
 * the intended one. 0, TD_EXIT_FAILURES when it is not, TD_EXIT_USAGE when
 * the capture could not be written. */
static int run_one(struct lab_run *l, size_t i)
{
    const struct td_lab_info *in = td_lab_info(i);
    char path[4096], keys[4096], err[600];
    snprintf(path, sizeof path, "%s/%s.pcap", l->dir, in->name);
    snprintf(keys, sizeof keys, "%s/%s.keys", l->dir, in->name);
    if (!td_lab_write(l->lab, i, path, keys, err, sizeof err)) {
        cli_warn("tlsdiag lab: %s", err);
        return TD_EXIT_USAGE;
    }
    struct td_lab_outcome res;
    /* A cause TLS 1.3 hides is diagnosed with the client's key log, as a
     * user would (tlsdiag pcap --keylog). */
    td_lab_check(path, in->hidden ? keys : NULL, in, &res, err, sizeof err);
    if (res.problems) {
        cli_warn("tlsdiag lab: %s: frame %llu, offset %lld: %s", path, (unsigned long long)res.problem_frame,
                 res.problem_offset, res.problem);
    }
    l->ran++;
    l->good += res.match;
    struct td_buf out = {0};
    if (l->json) {
        td_render_lab_json(&out, in, &res, l->keep ? path : NULL);
    } else {
        td_render_lab_text(&out, in, &res, &l->ro);
    }
    cli_write_buf(&out);
    if (!l->keep) {
        unlink(path);
        unlink(keys);
    }
    return res.match ? TD_EXIT_OK : TD_EXIT_FAILURES;
}

/* The scenarios named on the command line (want[i]); false after saying
 * which name is unknown. */
static bool pick(int argc, char **argv, bool *want, bool *any)
{
    for (int i = optind; i < argc; i++) {
        long k = td_lab_find(argv[i]);
        if (k < 0) {
            cli_warn("tlsdiag lab: no scenario '%s' (tlsdiag lab --list shows them)", argv[i]);
            return false;
        }
        want[k] = *any = true;
    }
    return true;
}

/* Without -w, the captures live in a private directory under $TMPDIR
 * (mkdtemp template) and are removed at the end. */
static const char *work_dir(const char *dir, char *tmpdir, size_t len)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(tmpdir, len, "%s/tlsdiag-lab.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    const char *d = dir ? dir : mkdtemp(tmpdir);
    if (!d || !make_dir(d)) {
        cli_warn("tlsdiag lab: %s: cannot create the directory: %s", d ? d : tmpdir, strerror(errno));
        return NULL;
    }
    return d;
}

/* One option loop, then the scenarios in order and their checks: 81 lines
 * read top to bottom as the command runs. */
int cmd_lab(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_LIST, OPT_COLOR };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, OPT_JSON},
        {"list", no_argument, NULL, OPT_LIST},
        {"color", required_argument, NULL, OPT_COLOR},
        {"colour", required_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
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
            if (!cli_parse_color("lab", optarg, &color)) {
                return TD_EXIT_USAGE;
            }
            break;
        default:
            return cli_try_help("lab");
        }
    }
    if (do_list) {
        return list(json);
    }
    size_t n = td_lab_count();
    bool *want = td_calloc(n, sizeof *want), any = false;
    char tmpdir[4096], err[600];
    struct lab_run l = {.keep = dir != NULL, .json = json};
    if (!pick(argc, argv, want, &any) || !(l.dir = work_dir(dir, tmpdir, sizeof tmpdir))) {
        free(want);
        return TD_EXIT_USAGE;
    }
    if (!(l.lab = td_lab_new(LAB_T0, err, sizeof err))) {
        cli_warn("tlsdiag lab: %s", err);
        free(want);
        return TD_EXIT_USAGE;
    }
    struct td_term term;
    td_term_detect(&term, color);
    l.ro.color = term.color;
    l.ro.utf8 = term.utf8;
    struct td_buf out = {0};
    if (!json) {
        td_render_lab_header(&out);
        cli_write_buf(&out);
    }
    int rc = TD_EXIT_OK;
    for (size_t i = 0; i < n && rc != TD_EXIT_USAGE; i++) {
        if (!any || want[i]) {
            int r = run_one(&l, i);
            rc = r == TD_EXIT_USAGE || rc == TD_EXIT_OK ? r : rc;
        }
    }
    if (!json) {
        td_render_lab_total(&out, l.good, l.ran, l.keep ? l.dir : NULL);
        cli_write_buf(&out);
    }
    if (!l.keep) {
        rmdir(l.dir);
    }
    td_lab_free(l.lab);
    free(want);
    return fflush(stdout) != 0 ? TD_EXIT_USAGE : rc;
}
