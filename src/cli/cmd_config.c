/* tlsdiag config: lint gateway and client TLS configuration files offline. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "config/config.h"
#include "report/render_config.h"

#include "base/banned.h"

static void help(FILE *f)
{
    fputs("usage: tlsdiag config [options] FILE...\n"
          "\n"
          "Reads the TLS settings of gateway and client configuration files, each kind told by\n"
          "content: Apigee Edge TargetEndpoint, TargetServer and VirtualHost XML (SSLInfo), the\n"
          "management API's TargetServer/VirtualHost JSON (sSLInfo), message-processor.properties,\n"
          "system.properties and java.security, nginx, HAProxy, Envoy YAML or JSON; says what will\n"
          "fail and which line to change.\n"
          "\n"
          "      --ca FILE          the truststore the client uses (JKS, PKCS#12, PEM, certInfo JSON)\n"
          "      --chain FILE       the backend's chain: is its issuer in the --ca truststore?\n"
          "      --keystore FILE    the keystore the configuration names: validity, extended key\n"
          "                         usage, the KeyAlias\n"
          "      --password-file F  first line of F: a keystore password (repeatable)\n"
          "      --at TIME          check validity at TIME (2026-01-31, @EPOCH); default now\n"
          "      --json             one JSON object: {\"files\", \"findings\", \"errors\", ...}\n"
          "      --color WHEN       auto (default), always, never (NO_COLOR is honoured)\n"
          "  -h, --help             this help\n"
          "\n"
          "Exit status: 0 no error found, 1 error findings, 2 usage error or input that could not\n"
          "be read (a file unreadable, malformed or of an unknown kind, an unknown protocol or\n"
          "cipher name, a store that would not open); the other files are still read.\n",
          f);
}

struct config_args {
    struct td_conf_opts o;
    const char *color;
    bool json;
    char passwords[4][1024];
};

static bool parse_at(const char *s, int64_t *out)
{
    if (s[0] == '@') {
        char *end;
        long long v = strtoll(s + 1, &end, 10);
        *out = v;
        return !*end && end != s + 1;
    }
    struct tm tm;
    td_memzero(&tm, sizeof tm);
    const char *end = strptime(s, "%Y-%m-%d", &tm);
    if (!end || *end) {
        return false;
    }
    *out = (int64_t)timegm(&tm);
    return true;
}

static bool read_password(struct config_args *a, const char *path)
{
    if (a->o.num_passwords >= 4) {
        fputs("tlsdiag config: at most 4 --password-file\n", stderr);
        return false;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_warn("tlsdiag config: %s: cannot read the password file", path);
        return false;
    }
    char *p = a->passwords[a->o.num_passwords];
    if (!fgets(p, sizeof a->passwords[0], f)) {
        p[0] = '\0';
    }
    fclose(f);
    p[strcspn(p, "\r\n")] = '\0';
    a->o.passwords[a->o.num_passwords++] = p;
    return true;
}

/* 0 to go on, -1 after --help, else the exit status of a usage error. */
static int parse_args(int argc, char **argv, struct config_args *a)
{
    enum { OPT_CA = 256, OPT_CHAIN, OPT_KS, OPT_PW, OPT_AT, OPT_JSON, OPT_COLOR };
    static const struct option longopts[] = {
        {"ca", required_argument, NULL, OPT_CA},
        {"chain", required_argument, NULL, OPT_CHAIN},
        {"keystore", required_argument, NULL, OPT_KS},
        {"password-file", required_argument, NULL, OPT_PW},
        {"at", required_argument, NULL, OPT_AT},
        {"json", no_argument, NULL, OPT_JSON},
        {"color", required_argument, NULL, OPT_COLOR},
        {"colour", required_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    a->o.at = (int64_t)time(NULL);
    a->color = "auto";
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            help(stdout);
            return -1;
        case OPT_CA:
            a->o.ca = optarg;
            break;
        case OPT_CHAIN:
            a->o.chain = optarg;
            break;
        case OPT_KS:
            a->o.keystore = optarg;
            break;
        case OPT_PW:
            if (!read_password(a, optarg)) {
                return TD_EXIT_USAGE;
            }
            break;
        case OPT_AT:
            if (!parse_at(optarg, &a->o.at)) {
                return cli_usage_error("config", "--at takes 2026-01-31 or @EPOCH, not '%s'", optarg);
            }
            break;
        case OPT_JSON:
            a->json = true;
            break;
        case OPT_COLOR:
            if (!cli_parse_color("config", optarg, &a->color)) {
                return TD_EXIT_USAGE;
            }
            break;
        default:
            return cli_try_help("config");
        }
    }
    if (optind >= argc) {
        return cli_usage_error("config", "no configuration file given");
    }
    if (!a->o.ca != !a->o.chain) {
        return cli_usage_error("config", "--ca and --chain go together (is the chain's issuer in the truststore?)");
    }
    return 0;
}

int cmd_config(int argc, char **argv)
{
    struct config_args *a = td_calloc(1, sizeof *a);
    int rc = parse_args(argc, argv, a);
    if (rc != 0) {
        td_memzero(a, sizeof *a);
        free(a);
        return rc < 0 ? TD_EXIT_OK : rc;
    }
    struct td_conf_report r;
    td_config_lint((const char *const *)(argv + optind), (size_t)(argc - optind), &a->o, &r);
    for (size_t i = 0; i < r.num_files; i++) {
        if (!r.files[i].ok) {
            cli_warn("tlsdiag config: %s: %s", r.files[i].path, r.files[i].err);
        }
    }
    struct td_term term;
    td_term_detect(&term, a->color);
    struct td_render_opts ro = {.color = term.color, .utf8 = term.utf8};
    struct td_buf out = {0};
    if (a->json) {
        td_render_config_json(&out, &r);
    } else {
        td_render_config_text(&out, &r, &ro);
    }
    bool written = cli_write_buf(&out) && fflush(stdout) == 0;
    rc = !written || r.input_errors               ? TD_EXIT_USAGE
         : td_conf_report_count(&r, TD_SEV_ERROR) ? TD_EXIT_FAILURES
                                                  : TD_EXIT_OK;
    td_conf_report_free(&r);
    td_memzero(a, sizeof *a);
    free(a);
    return rc;
}
