/* tlsdiag probe [options] HOST[:PORT]... */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cert/audit.h"
#include "cli/cli.h"
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
          "      --cert F --key F   a client certificate (PEM) to try\n"
          "      --timeout MS       per connection step (default 3000)\n"
          "  -f FILE                targets, one per line\n"
          "      --json             one JSON object per target\n"
          "      --color WHEN       auto (default), always, never\n"
          "  -h, --help             this help\n"
          "\n"
          "Exit status: 0 nothing that makes clients fail, 1 error findings, 2 usage error.\n",
          f);
}

int cmd_probe(int argc, char **argv)
{
    enum { OPT_SNI = 256, OPT_NOSNI, OPT_CA, OPT_CERT, OPT_KEY, OPT_TIMEOUT, OPT_JSON, OPT_COLOR };
    static const struct option longopts[] = {
        {"sni", required_argument, NULL, OPT_SNI},       {"no-sni", no_argument, NULL, OPT_NOSNI},
        {"ca", required_argument, NULL, OPT_CA},         {"cert", required_argument, NULL, OPT_CERT},
        {"key", required_argument, NULL, OPT_KEY},       {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"json", no_argument, NULL, OPT_JSON},           {"color", required_argument, NULL, OPT_COLOR},
        {"colour", required_argument, NULL, OPT_COLOR},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct td_probe_opts o;
    td_memzero(&o, sizeof o);
    o.timeout_ms = 3000;
    const char *ca_path = NULL, *list = NULL, *color = "auto";
    bool json = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            help(stdout);
            return TD_EXIT_OK;
        case 'f':
            list = optarg;
            break;
        case OPT_SNI:
            o.sni = optarg;
            break;
        case OPT_NOSNI:
            o.no_sni = true;
            break;
        case OPT_CA:
            ca_path = optarg;
            break;
        case OPT_CERT:
            o.cert_path = optarg;
            break;
        case OPT_KEY:
            o.key_path = optarg;
            break;
        case OPT_TIMEOUT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 10 || v > 600000) {
                fprintf(stderr, "tlsdiag probe: --timeout takes milliseconds (10 to 600000), not '%s'\n", optarg);
                return TD_EXIT_USAGE;
            }
            o.timeout_ms = (int)v;
            break;
        }
        case OPT_JSON:
            json = true;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                fputs("tlsdiag probe: --color takes auto, always or never\n", stderr);
                return TD_EXIT_USAGE;
            }
            color = optarg;
            break;
        default:
            fputs("Try 'tlsdiag probe --help'.\n", stderr);
            return TD_EXIT_USAGE;
        }
    }
    if ((o.cert_path != NULL) != (o.key_path != NULL)) {
        fputs("tlsdiag probe: --cert and --key go together\n", stderr);
        return TD_EXIT_USAGE;
    }
    char **targets = td_calloc((size_t)argc + 1, sizeof *targets);
    size_t n = 0, cap = (size_t)argc + 1;
    for (int i = optind; i < argc; i++) {
        targets[n++] = td_strndup(argv[i], strlen(argv[i]));
    }
    if (list) {
        FILE *f = strcmp(list, "-") == 0 ? stdin : fopen(list, "r");
        if (!f) {
            fprintf(stderr, "tlsdiag probe: -f %s: cannot read\n", list);
            for (size_t i = 0; i < n; i++) {
                free(targets[i]);
            }
            free(targets);
            return TD_EXIT_USAGE;
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
            if (n + 1 >= cap) {
                cap *= 2;
                targets = td_realloc(targets, cap * sizeof *targets);
            }
            targets[n++] = td_strndup(s, strlen(s));
        }
        if (f != stdin) {
            fclose(f);
        }
    }
    int rc = TD_EXIT_OK;
    struct td_certset *ca = NULL;
    if (n == 0) {
        fputs("tlsdiag probe: no target given\nTry 'tlsdiag probe --help'.\n", stderr);
        rc = TD_EXIT_USAGE;
        goto out;
    }
    if (ca_path) {
        char err[600];
        ca = td_certset_new();
        if (!td_certset_add_path(ca, ca_path, err, sizeof err)) {
            fprintf(stderr, "tlsdiag probe: --ca %s\n", err);
            rc = TD_EXIT_USAGE;
            goto out;
        }
        o.ca = ca;
    }
    struct td_term term;
    td_term_detect(&term, color);
    struct td_render_opts ro = {.color = term.color, .utf8 = term.utf8};
    for (size_t i = 0; i < n; i++) {
        struct td_probe_result r;
        char err[400];
        if (term.stderr_tty && !json) {
            fprintf(stderr, "probing %s...\r", targets[i]);
        }
        if (!td_probe(targets[i], &o, &r, err, sizeof err)) {
            fprintf(stderr, "tlsdiag probe: %s\n", err);
            rc = TD_EXIT_USAGE;
            continue;
        }
        if (term.stderr_tty && !json) {
            fputs("\033[K", stderr);
        }
        struct td_buf b = {0};
        if (json) {
            td_render_probe_json(&b, &r);
        } else {
            td_render_probe_text(&b, &r, &ro);
        }
        fwrite(b.data, 1, b.len, stdout);
        fflush(stdout);
        td_buf_free(&b);
        if (td_probe_errors(&r) && rc == TD_EXIT_OK) {
            rc = TD_EXIT_FAILURES;
        }
        td_probe_result_free(&r);
    }
out:
    td_certset_free(ca);
    for (size_t i = 0; i < n; i++) {
        free(targets[i]);
    }
    free(targets);
    td_cert_cache_clear();
    return rc;
}
