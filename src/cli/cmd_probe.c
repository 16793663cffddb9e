/* tlsdiag probe [options] HOST[:PORT]... */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/mem.h"
#include "cert/audit.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/jobs.h"
#include "probe/probe.h"
#include "report/report.h"

#include "base/banned.h"

static void help(FILE *f)
{
    fputs("usage: tlsdiag probe [options] HOST[:PORT]...\n"
          "\n"
          "Finds out, against a live server, which protocol versions, cipher suites (every one of the\n"
          "IANA registry, by elimination) and key-exchange groups it accepts, whether it needs SNI or\n"
          "chooses its certificate by it, what chain it sends and what is wrong with it, and whether it\n"
          "wants a client certificate; then which clients will fail and why.\n"
          "\n"
          "      --sni NAME         send NAME as SNI and check the certificate against it (default: HOST)\n"
          "      --no-sni           send no SNI\n"
          "      --ca PATH          truststore for the chain (PEM, directory, JKS, PKCS#12); default: the\n"
          "                         system store\n"
          "      --cert F --key F   a client certificate (PEM) to try: taken, or why not\n"
          "      --http, --no-http  GET / after the handshake and read the status (default: on for\n"
          "                         ports 443 and 8443): nginx refuses client certificates in HTTP\n"
          "      --starttls PROTO   smtp, imap, pop3, ftp, ldap, xmpp, postgres, mysql, none (default:\n"
          "                         from the port: 25, 587, 143, 110, 21, 389, 5222, 5432, 3306)\n"
          "      --proxy HOST:PORT  through an HTTP CONNECT proxy\n"
          "      --check middlebox  also send one hello with a post-quantum key share, split in two TCP\n"
          "                         segments, padded to 300 and 1500 bytes: what the path and server take\n"
          "                         (five more connections)\n"
          "      --timeout MS       per connection step (default 3000)\n"
          "  -f FILE                targets, one per line\n"
          "      --jobs N           probe up to N targets at once (default 8)\n"
          "      --shard K/N        only the targets whose name hashes into shard K of N (1..N): N machines\n"
          "                         split one list, each target probed by exactly one\n"
          "      --json             one JSON object per target\n"
          "      --html FILE        also write a self-contained HTML page of the reports ('-': the page\n"
          "                         instead of text)\n"
          "      --color WHEN       auto (default), always, never\n"
          "      --replay CAPTURE   replay the failed ClientHellos of CAPTURE (tlsdiag probe --replay --help)\n"
          "  -h, --help             this help\n"
          "\n"
          "Exit status: 0 nothing that makes clients fail, 1 error findings, 2 usage error.\n",
          f);
}

/* One job per address of each target. */
struct probe_job {
    const char *target;
    size_t addr;
};

struct probe_run {
    const struct probe_job *jobs;
    size_t n;
    const struct td_probe_opts *o;
    bool json;
    const struct td_render_opts *ro;
    bool progress; /* "probed N of M targets" on a terminal */
    int rc;
    FILE **html; /* --html: each job's section, in a file made before the jobs fork; or NULL */
    bool text_off;
};

static int merge_rc(int rc, int c)
{
    if (c == TD_EXIT_USAGE || rc == TD_EXIT_USAGE) {
        return TD_EXIT_USAGE;
    }
    return c == TD_EXIT_FAILURES ? TD_EXIT_FAILURES : rc;
}

/* One target, its report written to out; the exit status it deserves. */
static int probe_one(const char *target, size_t addr, const struct probe_run *pr, FILE *out, FILE *html)
{
    const struct td_probe_opts *o = pr->o;
    struct td_probe_result r;
    char err[400];
    struct td_probe_opts oa = *o;
    oa.address_index = addr;
    if (!td_probe(target, &oa, &r, err, sizeof err)) {
        cli_warn("tlsdiag probe: %s", err);
        return TD_EXIT_USAGE;
    }
    struct td_buf b = {0};
    if (pr->text_off) {
        /* the page is the output */
    } else if (pr->json) {
        td_render_probe_json(&b, &r);
    } else {
        td_render_probe_text(&b, &r, pr->ro);
    }
    if (html) {
        struct td_buf h = {0};
        td_render_probe_html(&h, &r);
        if (h.len) {
            fwrite(h.data, 1, h.len, html);
        }
        fflush(html);
        td_buf_free(&h);
    }
    if (b.len) {
        fwrite(b.data, 1, b.len, out);
    }
    td_buf_free(&b);
    int c = td_probe_errors(&r) ? TD_EXIT_FAILURES : TD_EXIT_OK;
    td_probe_result_free(&r);
    return c;
}

static int run_job(void *ctx, size_t i, FILE *out)
{
    struct probe_run *pr = ctx;
    return probe_one(pr->jobs[i].target, pr->jobs[i].addr, pr, out, pr->html ? pr->html[i] : NULL);
}

static void job_done(void *ctx, size_t i, int status)
{
    struct probe_run *pr = ctx;
    pr->rc = merge_rc(pr->rc, status);
    if (pr->progress) {
        fprintf(stderr, "probed %zu of %zu targets\r", i + 1, pr->n);
    }
}

/* --html: the page's file, and one temporary file per job for its section
 * (jobs run in child processes: the files are opened before they fork). */
static bool html_begin(const char *path, struct cli_out *o, struct probe_run *pr)
{
    if (!cli_out_open("probe", "--html", path, o)) {
        return false;
    }
    pr->text_off = strcmp(path, "-") == 0;
    pr->html = td_calloc(pr->n ? pr->n : 1, sizeof *pr->html);
    for (size_t i = 0; i < pr->n; i++) {
        pr->html[i] = tmpfile();
    }
    return true;
}

static bool html_end(struct cli_out *o, struct probe_run *pr, char **targets, size_t n)
{
    struct td_buf page = {0};
    td_html_page_begin_targets(&page, "tlsdiag probe", targets, n);
    for (size_t i = 0; i < pr->n; i++) {
        char chunk[8192];
        size_t k;
        if (!pr->html[i]) {
            continue;
        }
        rewind(pr->html[i]);
        while ((k = fread(chunk, 1, sizeof chunk, pr->html[i])) > 0) {
            td_buf_append(&page, chunk, k);
        }
        fclose(pr->html[i]);
    }
    free(pr->html);
    td_html_page_end(&page);
    return cli_out_commit("probe", "--html", o, &page);
}

/* Appends the targets of file LIST ("-": stdin), one per line, # comments. */
static bool read_targets(const char *list, char ***targets, size_t *n, size_t *cap)
{
    FILE *f = strcmp(list, "-") == 0 ? stdin : fopen(list, "r");
    if (!f) {
        cli_warn("tlsdiag probe: -f %s: cannot read", list);
        return false;
    }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n#")] = '\0';
        char *s = line;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (!*s) {
            continue;
        }
        if (*n + 1 >= *cap) {
            *cap *= 2;
            *targets = td_realloc(*targets, *cap * sizeof **targets);
        }
        (*targets)[(*n)++] = td_strndup(s, strlen(s));
    }
    if (f != stdin) {
        fclose(f);
    }
    return true;
}

struct probe_args {
    struct td_probe_opts o;
    const char *ca_path, *list, *color, *html;
    bool json;
    size_t jobs_max;
    uint32_t shard_k, shard_n; /* --shard K/N; shard_n 0: all */
};

enum {
    OPT_SNI = 256,
    OPT_NOSNI,
    OPT_CA,
    OPT_CERT,
    OPT_KEY,
    OPT_TIMEOUT,
    OPT_JSON,
    OPT_COLOR,
    OPT_JOBS,
    OPT_HTML,
    OPT_SHARD,
    OPT_HTTP,
    OPT_NOHTTP,
    OPT_STARTTLS,
    OPT_PROXY,
    OPT_CHECK
};

static const struct option probe_longopts[] = {
    {"sni", required_argument, NULL, OPT_SNI},
    {"no-sni", no_argument, NULL, OPT_NOSNI},
    {"ca", required_argument, NULL, OPT_CA},
    {"cert", required_argument, NULL, OPT_CERT},
    {"key", required_argument, NULL, OPT_KEY},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"json", no_argument, NULL, OPT_JSON},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"html", required_argument, NULL, OPT_HTML},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"http", no_argument, NULL, OPT_HTTP},
    {"no-http", no_argument, NULL, OPT_NOHTTP},
    {"starttls", required_argument, NULL, OPT_STARTTLS},
    {"proxy", required_argument, NULL, OPT_PROXY},
    {"check", required_argument, NULL, OPT_CHECK},
    {NULL, 0, NULL, 0},
};

/* How to connect: the name, the trust, the client certificate, the timeout,
 * what to speak before and after TLS. 0, 1 if opt is not one of these, else a
 * usage error's status. */
static int connect_option(struct probe_args *a, int opt, const char *arg)
{
    struct td_probe_opts *o = &a->o;
    long v;
    switch (opt) {
    case OPT_SNI:
        o->sni = arg;
        break;
    case OPT_NOSNI:
        o->no_sni = true;
        break;
    case OPT_CA:
        a->ca_path = arg;
        break;
    case OPT_CERT:
        o->cert_path = arg;
        break;
    case OPT_KEY:
        o->key_path = arg;
        break;
    case OPT_TIMEOUT:
        if (!cli_parse_long("probe", "--timeout (milliseconds)", arg, 10, 600000, &v)) {
            return TD_EXIT_USAGE;
        }
        o->timeout_ms = (int)v;
        break;
    case OPT_HTTP:
    case OPT_NOHTTP:
        o->http = opt == OPT_HTTP;
        break;
    case OPT_STARTTLS:
        if (!td_probe_starttls_parse(arg, &o->starttls) || o->starttls == TD_STARTTLS_AUTO) {
            return cli_usage_error("probe", "--starttls: smtp, imap, pop3, ftp, ldap, xmpp, postgres, mysql or none");
        }
        break;
    case OPT_PROXY:
        o->proxy = arg;
        break;
    case OPT_CHECK:
        if (strcmp(arg, "middlebox") != 0) {
            return cli_usage_error("probe", "--check: middlebox");
        }
        o->check_middlebox = true;
        break;
    default:
        return 1;
    }
    return 0;
}

/* What to probe and how to show it: the target list, jobs, shard, JSON,
 * the page, colour. 0, 1 if opt is not one of these, else a usage error's status. */
static int run_option(struct probe_args *a, int opt, const char *arg)
{
    long v;
    switch (opt) {
    case 'f':
        a->list = arg;
        break;
    case OPT_JSON:
        a->json = true;
        break;
    case OPT_HTML:
        a->html = arg;
        break;
    case OPT_JOBS:
        if (!cli_parse_long("probe", "--jobs", arg, 1, 256, &v)) {
            return TD_EXIT_USAGE;
        }
        a->jobs_max = (size_t)v;
        break;
    case OPT_SHARD:
        return cli_parse_shard("probe", arg, &a->shard_k, &a->shard_n) ? 0 : TD_EXIT_USAGE;
    case OPT_COLOR:
        return cli_parse_color("probe", arg, &a->color) ? 0 : TD_EXIT_USAGE;
    default:
        return 1;
    }
    return 0;
}

/* 0 to go on, -1 after --help, else the exit status of a usage error. */
static int parse_args(int argc, char **argv, struct probe_args *a)
{
    a->o.timeout_ms = 3000;
    a->o.http = -1;
    a->color = "auto";
    a->jobs_max = 8;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:h", probe_longopts, NULL)) != -1) {
        if (opt == 'h') {
            help(stdout);
            return -1;
        }
        int rc = connect_option(a, opt, optarg);
        if (rc == 1) {
            rc = run_option(a, opt, optarg);
        }
        if (rc == 1) {
            return cli_try_help("probe");
        }
        if (rc != 0) {
            return rc;
        }
    }
    if ((a->o.cert_path != NULL) != (a->o.key_path != NULL)) {
        fputs("tlsdiag probe: --cert and --key go together\n", stderr);
        return TD_EXIT_USAGE;
    }
    return 0;
}

/* --shard: the targets of this shard first (in their order); returns how many. */
static size_t shard_targets(const struct probe_args *a, char **targets, size_t n)
{
    if (a->shard_n <= 1) {
        return n;
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (td_hash32_str(targets[i]) % a->shard_n == a->shard_k) {
            char *t = targets[kept];
            targets[kept++] = targets[i];
            targets[i] = t;
        }
    }
    return kept;
}

/* The targets on the command line, then those of -f. NULL (after saying why) if -f cannot be read. */
static char **gather_targets(const struct probe_args *a, int argc, char **argv, size_t *n)
{
    char **targets = td_calloc((size_t)argc + 1, sizeof *targets);
    size_t cap = (size_t)argc + 1;
    for (int i = optind; i < argc; i++) {
        targets[(*n)++] = td_strndup(argv[i], strlen(argv[i]));
    }
    if (a->list && !read_targets(a->list, &targets, n, &cap)) {
        for (size_t i = 0; i < *n; i++) {
            free(targets[i]);
        }
        free(targets);
        return NULL;
    }
    return targets;
}

/* One job per address of each target (a name with A and AAAA records is
 * probed on each: they may be different servers). */
static struct probe_job *make_jobs(const struct probe_args *a, char **targets, size_t n, size_t *nj)
{
    struct probe_job *jobs = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t na = a->o.proxy ? 1 : td_probe_num_addresses(targets[i]); /* the proxy resolves */
        for (size_t k = 0; k < (na ? na : 1); k++) {
            jobs = td_realloc(jobs, (*nj + 1) * sizeof *jobs);
            jobs[*nj].target = targets[i];
            jobs[*nj].addr = k;
            (*nj)++;
        }
    }
    return jobs;
}

int cmd_probe(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) { /* --replay CAPTURE: another command in all but name (cmd_replay.c) */
        if (strcmp(argv[i], "--replay") == 0 || strncmp(argv[i], "--replay=", 9) == 0) {
            return cmd_probe_replay(argc, argv);
        }
    }
    for (int i = 1; i < argc; i++) { /* --client NAME: as that client would connect (cmd_probe_client.c) */
        if (strcmp(argv[i], "--client") == 0 || strncmp(argv[i], "--client=", 9) == 0 ||
            strncmp(argv[i], "--client-config", 15) == 0) {
            return cmd_probe_client(argc, argv);
        }
    }
    struct probe_args args, *a = &args;
    td_memzero(a, sizeof *a);
    int prc = parse_args(argc, argv, a);
    if (prc != 0) {
        return prc < 0 ? TD_EXIT_OK : prc;
    }
    size_t n = 0;
    char **targets = gather_targets(a, argc, argv, &n);
    if (!targets) {
        return TD_EXIT_USAGE;
    }
    size_t ntargets = n;
    n = shard_targets(a, targets, n);
    int rc = TD_EXIT_OK;
    struct td_certset *ca = NULL;
    if (ntargets == 0) {
        rc = cli_usage_error("probe", "no target given");
        goto out;
    }
    if (n == 0) {
        goto out; /* none in this shard */
    }
    if (a->ca_path) {
        char err[600];
        ca = td_certset_new();
        if (!td_certset_add_path(ca, a->ca_path, err, sizeof err)) {
            cli_warn("tlsdiag probe: --ca %s", err);
            rc = TD_EXIT_USAGE;
            goto out;
        }
        a->o.ca = ca;
    }
    struct td_term term;
    td_term_detect(&term, a->color);
    struct td_render_opts ro = {.color = term.color, .utf8 = term.utf8};
    size_t nj = 0;
    struct probe_job *jobs = make_jobs(a, targets, n, &nj);
    bool parallel = nj > 1 && a->jobs_max > 1;
    struct probe_run pr = {jobs, nj, &a->o, a->json, &ro, parallel && term.stderr_tty && !a->json, TD_EXIT_OK};
    struct cli_out html_out;
    if (a->html && !html_begin(a->html, &html_out, &pr)) {
        free(jobs);
        rc = TD_EXIT_USAGE;
        goto out;
    }
    struct cli_jobs cj = {nj, a->jobs_max, run_job, job_done, &pr};
    cli_run_jobs(&cj);
    rc = pr.rc;
    if (a->html && !html_end(&html_out, &pr, targets, n)) {
        rc = TD_EXIT_USAGE;
    }
    if (pr.progress) {
        fputs("\033[K", stderr);
    }
    free(jobs);
out:
    td_certset_free(ca);
    for (size_t i = 0; i < ntargets; i++) {
        free(targets[i]);
    }
    free(targets);
    return rc;
}
