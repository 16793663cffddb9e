/* tlsdiag cert: certificates, chains, keystores and truststores, offline. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"
#include "cert/audit.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "report/report.h"

#include "base/banned.h"

static void help(FILE *f)
{
    fputs("usage: tlsdiag cert [options] FILE...\n"
          "       tlsdiag cert --compare [options] KEYSTORE TRUSTSTORE\n"
          "\n"
          "Reads certificates, keys, keystores and truststores in any of PEM (any number of\n"
          "certificates and keys), DER, PKCS#7, PKCS#12 (.p12/.pfx), JKS/JCEKS, OpenSSL hashed\n"
          "directories or folders of PEM/CRT files, and Apigee certInfo JSON; builds the chains,\n"
          "checks them and says how to fix what is wrong.\n"
          "\n"
          "      --host NAME        the name clients connect to (SAN dNSName/iPAddress, RFC 6125)\n"
          "      --ca PATH          truststore to check trust against (PEM bundle, directory, JKS,\n"
          "                         PKCS#12); may be repeated\n"
          "      --system-ca        also trust the system store (/etc/ssl/certs); never implied\n"
          "      --key FILE         the private key that goes with the leaf\n"
          "      --at TIME          check validity at TIME (2026-01-31, 2026-01-31T12:00:00Z, @EPOCH);\n"
          "                         default now\n"
          "      --purpose P        server (default) or client: the extended key usage required\n"
          "      --warn-days N      warn about certificates expiring within N days (30)\n"
          "      --password-file F  first line of F: the password of keystores and keys (repeatable)\n"
          "      --password-env VAR  the password from environment variable VAR (repeatable)\n"
          "      --password-stdin   the password from the first line of standard input\n"
          "                         (no option takes the password itself: ps would show it)\n"
          "      --compare          would a peer holding TRUSTSTORE accept what KEYSTORE presents?\n"
          "      --json             one JSON object: {\"chain\", \"chains\", \"findings\", ...}\n"
          "      --color WHEN       auto (default), always, never (NO_COLOR is honoured)\n"
          "  -h, --help             this help\n"
          "\n"
          "Exit status: 0 no error found, 1 error findings, 2 usage or unreadable input\n"
          "(a wrong password, a corrupt file).\n",
          f);
}

static bool parse_time(const char *s, int64_t *out)
{
    if (s[0] == '@') {
        char *end;
        long long v = strtoll(s + 1, &end, 10);
        *out = v;
        return !*end && end != s + 1;
    }
    static const char *const fmts[] = {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        struct tm tm;
        td_memzero(&tm, sizeof tm);
        const char *end = strptime(s, fmts[i], &tm);
        if (end && !*end) {
            *out = (int64_t)timegm(&tm);
            return true;
        }
    }
    return false;
}

/* What the command line asked for. */
struct cert_args {
    struct td_audit_opts ao;
    const char *cas[16], *keys[4], *color;
    size_t ncas, nkeys;
    bool json;
    char passwords[TD_MAX_PASSWORDS][1024];
    size_t num_passwords;
};

/* Passwords never need the command line (where ps shows them): a file, an
 * environment variable or standard input; path NULL reads standard input. */
static bool read_password(struct cert_args *a, const char *path)
{
    if (a->num_passwords >= TD_MAX_PASSWORDS) {
        cli_warn("tlsdiag cert: at most %d passwords (--password-file, --password-env, --password-stdin)",
                 TD_MAX_PASSWORDS);
        return false;
    }
    FILE *f = path ? fopen(path, "r") : stdin;
    if (!f) {
        cli_warn("tlsdiag cert: %s: cannot read the password file", path);
        return false;
    }
    char *p = a->passwords[a->num_passwords];
    if (!fgets(p, sizeof a->passwords[0], f)) {
        p[0] = '\0';
    }
    if (path) {
        fclose(f);
    }
    p[strcspn(p, "\r\n")] = '\0';
    a->num_passwords++;
    return true;
}

static bool env_password(struct cert_args *a, const char *var)
{
    const char *v = getenv(var);
    if (!v) {
        cli_warn("tlsdiag cert: --password-env %s: the variable is not set", var);
        return false;
    }
    if (a->num_passwords >= TD_MAX_PASSWORDS || strlen(v) >= sizeof a->passwords[0]) {
        cli_warn("tlsdiag cert: --password-env %s: too many passwords, or too long", var);
        return false;
    }
    td_strcopy(a->passwords[a->num_passwords++], sizeof a->passwords[0], v);
    return true;
}

static void print_notes(const struct td_certset *s)
{
    for (size_t i = 0; i < td_certset_num_notes(s); i++) {
        cli_warn("tlsdiag cert: note: %s", td_certset_note(s, i));
    }
}

static struct td_certset *new_set(const struct cert_args *a)
{
    struct td_certset *s = td_certset_new();
    for (size_t i = 0; i < a->num_passwords; i++) {
        td_certset_add_password(s, a->passwords[i]);
    }
    return s;
}

enum {
    OPT_HOST = 256,
    OPT_CA,
    OPT_SYSCA,
    OPT_KEY,
    OPT_AT,
    OPT_PURPOSE,
    OPT_PW,
    OPT_PW_ENV,
    OPT_PW_STDIN,
    OPT_COMPARE,
    OPT_JSON,
    OPT_COLOR,
    OPT_WARN
};

static const struct option cert_longopts[] = {
    {"host", required_argument, NULL, OPT_HOST},
    {"ca", required_argument, NULL, OPT_CA},
    {"system-ca", no_argument, NULL, OPT_SYSCA},
    {"key", required_argument, NULL, OPT_KEY},
    {"at", required_argument, NULL, OPT_AT},
    {"purpose", required_argument, NULL, OPT_PURPOSE},
    {"password-file", required_argument, NULL, OPT_PW},
    {"password-env", required_argument, NULL, OPT_PW_ENV},
    {"password-stdin", no_argument, NULL, OPT_PW_STDIN},
    {"compare", no_argument, NULL, OPT_COMPARE},
    {"json", no_argument, NULL, OPT_JSON},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"warn-days", required_argument, NULL, OPT_WARN},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* What to read besides the files: truststores, keys, passwords. 0, or the
 * exit status of a usage error. */
static int input_option(struct cert_args *a, int opt, const char *arg)
{
    switch (opt) {
    case OPT_CA:
        if (a->ncas == sizeof a->cas / sizeof a->cas[0]) {
            fputs("tlsdiag cert: too many --ca\n", stderr);
            return TD_EXIT_USAGE;
        }
        a->cas[a->ncas++] = arg;
        break;
    case OPT_SYSCA:
        a->ao.system_ca = true;
        break;
    case OPT_KEY:
        if (a->nkeys == sizeof a->keys / sizeof a->keys[0]) {
            fputs("tlsdiag cert: too many --key\n", stderr);
            return TD_EXIT_USAGE;
        }
        a->keys[a->nkeys++] = arg;
        break;
    case OPT_PW:
    case OPT_PW_STDIN:
        if (!read_password(a, opt == OPT_PW ? arg : NULL)) {
            return TD_EXIT_USAGE;
        }
        break;
    case OPT_PW_ENV:
        if (!env_password(a, arg)) {
            return TD_EXIT_USAGE;
        }
        break;
    default:
        break;
    }
    return 0;
}

/* --purpose server|client. */
static bool parse_purpose(const char *arg, enum td_purpose *out)
{
    if (strcmp(arg, "server") == 0) {
        *out = TD_PURPOSE_SERVER;
    } else if (strcmp(arg, "client") == 0) {
        *out = TD_PURPOSE_CLIENT;
    } else {
        cli_warn("tlsdiag cert: --purpose takes server or client, not '%s'", arg);
        return false;
    }
    return true;
}

/* What to check the certificates against: name, time, purpose, a peer's
 * truststore. 0, or the exit status of a usage error. */
static int check_option(struct td_audit_opts *ao, int opt, const char *arg)
{
    long v;
    switch (opt) {
    case OPT_HOST:
        ao->host = arg;
        break;
    case OPT_AT:
        if (!parse_time(arg, &ao->at)) {
            cli_warn("tlsdiag cert: --at takes 2026-01-31, 2026-01-31T12:00:00Z or @EPOCH, not '%s'", arg);
            return TD_EXIT_USAGE;
        }
        break;
    case OPT_PURPOSE:
        if (!parse_purpose(arg, &ao->purpose)) {
            return TD_EXIT_USAGE;
        }
        break;
    case OPT_WARN:
        if (!cli_parse_long("cert", "--warn-days", arg, 0, 36500, &v)) {
            return TD_EXIT_USAGE;
        }
        ao->warn_days = (int)v;
        break;
    case OPT_COMPARE:
        ao->compare = true;
        break;
    default:
        break;
    }
    return 0;
}

/* How to show the report. 0, or the exit status of a usage error. */
static int output_option(struct cert_args *a, int opt, const char *arg)
{
    if (opt == OPT_JSON) {
        a->json = true;
    } else if (opt == OPT_COLOR && !cli_parse_color("cert", arg, &a->color)) {
        return TD_EXIT_USAGE;
    }
    return 0;
}

/* The files after the options: one or more, exactly two with --compare. */
static int check_files(const struct cert_args *a, int nfiles)
{
    if (a->ao.compare && (nfiles != 2 || a->ncas)) {
        return cli_usage_error("cert", "--compare takes exactly KEYSTORE TRUSTSTORE (and no --ca)");
    }
    if (nfiles < 1) {
        return cli_usage_error("cert", "no certificate file given");
    }
    return 0;
}

/* 0 to go on, -1 after --help, else the exit status of a usage error. */
static int parse_args(int argc, char **argv, struct cert_args *a)
{
    struct td_audit_opts *ao = &a->ao;
    ao->at = (int64_t)time(NULL);
    ao->warn_days = 30;
    ao->purpose = TD_PURPOSE_SERVER;
    a->color = "auto";
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", cert_longopts, NULL)) != -1) {
        int rc;
        switch (opt) {
        case 'h':
            help(stdout);
            return -1;
        case OPT_CA:
        case OPT_SYSCA:
        case OPT_KEY:
        case OPT_PW:
        case OPT_PW_ENV:
        case OPT_PW_STDIN:
            rc = input_option(a, opt, optarg);
            break;
        case OPT_HOST:
        case OPT_AT:
        case OPT_PURPOSE:
        case OPT_WARN:
        case OPT_COMPARE:
            rc = check_option(ao, opt, optarg);
            break;
        case OPT_JSON:
        case OPT_COLOR:
            rc = output_option(a, opt, optarg);
            break;
        default:
            return cli_try_help("cert");
        }
        if (rc) {
            return rc;
        }
    }
    return check_files(a, argc - optind);
}

/* Load what was given, audit it, render the report. */
static int run(int argc, char **argv, struct cert_args *a)
{
    struct td_certset *set = new_set(a), *ca = NULL;
    char err[700];
    int rc = TD_EXIT_OK;
    for (int i = optind; i < argc - (a->ao.compare ? 1 : 0); i++) {
        if (!td_certset_add_path(set, argv[i], err, sizeof err)) {
            cli_warn("tlsdiag cert: %s", err);
            rc = TD_EXIT_USAGE;
            goto out;
        }
    }
    for (size_t i = 0; i < a->nkeys; i++) {
        if (!td_certset_add_key_path(set, a->keys[i], err, sizeof err)) {
            cli_warn("tlsdiag cert: --key %s", err);
            rc = TD_EXIT_USAGE;
            goto out;
        }
    }
    if (a->ncas || a->ao.compare) {
        ca = new_set(a);
        for (size_t i = 0; i < (a->ao.compare ? 1 : a->ncas); i++) {
            const char *p = a->ao.compare ? argv[argc - 1] : a->cas[i];
            if (!td_certset_add_path(ca, p, err, sizeof err)) {
                cli_warn("tlsdiag cert: %s%s", a->ao.compare ? "" : "--ca ", err);
                rc = TD_EXIT_USAGE;
                goto out;
            }
        }
        a->ao.ca = ca;
        print_notes(ca);
    }
    print_notes(set);
    struct td_cert_report rep;
    td_cert_audit(set, &a->ao, &rep);
    struct td_term term;
    td_term_detect(&term, a->color);
    struct td_render_opts ro = {.color = term.color, .utf8 = term.utf8};
    struct td_buf out = {0};
    if (a->json) {
        td_render_cert_json(&out, &rep);
    } else {
        td_render_cert_text(&out, &rep, &ro);
    }
    fwrite(out.data, 1, out.len, stdout);
    td_buf_free(&out);
    rc = td_cert_report_count(&rep, TD_SEV_ERROR) || (rep.compare && !rep.accepted) ? TD_EXIT_FAILURES : TD_EXIT_OK;
    td_cert_report_free(&rep);
out:
    td_certset_free(set);
    td_certset_free(ca);
    if (fflush(stdout) != 0) {
        return TD_EXIT_USAGE;
    }
    return rc;
}

int cmd_cert(int argc, char **argv)
{
    struct cert_args *a = td_calloc(1, sizeof *a);
    int rc = parse_args(argc, argv, a);
    if (rc != 0) {
        td_memzero(a, sizeof *a);
        free(a);
        return rc < 0 ? TD_EXIT_OK : rc;
    }
    rc = run(argc, argv, a);
    td_memzero(a->passwords, sizeof a->passwords);
    free(a);
    return rc;
}
