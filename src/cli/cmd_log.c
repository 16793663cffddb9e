/* tlsdiag log [FILE|-]...: TLS failures recognised in error messages and
 * logs. Reads each input in chunks into the log layer, renders, and exits 0
 * (nothing recognised), 1 (failures found) or 2 (usage, unreadable input). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "log/log.h"
#include "report/report.h"

#include "base/banned.h"

static void help(FILE *f)
{
    fputs("usage: tlsdiag log [options] [FILE|-]...\n"
          "\n"
          "Reads what people paste when a handshake fails - stack traces, curl -v, openssl s_client and\n"
          "verify, nginx/Apache/HAProxy error logs, Envoy and Apigee logs, Go, Python, Node, .NET and\n"
          "Schannel messages - and names each failure with the causes of tlsdiag pcap: how sure, who\n"
          "decided, who sent the alert, the evidence lines, what the log rules out, the fix, and the\n"
          "command that settles the rest. Without FILE (or with -), standard input.\n"
          "\n"
          "      --json             one JSON object per failure, then one summary object per input\n"
          "      --color WHEN       auto (default), always, never\n"
          "  -h, --help             this help\n"
          "\n"
          "Exit status: 0 no TLS failure recognised, 1 failures found, 2 usage error or unreadable input.\n",
          f);
}

struct log_args {
    bool json;
    const char *color;
};

static int parse_args(int argc, char **argv, struct log_args *a)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"color", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            a->json = true;
            break;
        case 'c':
            if (!cli_parse_color("log", optarg, &a->color)) {
                return TD_EXIT_USAGE;
            }
            break;
        case 'h':
            help(stdout);
            return -1;
        default:
            return cli_try_help("log");
        }
    }
    return TD_EXIT_OK;
}

/* One input through the log layer; false (after saying why) when unreadable. */
static bool read_input(const char *path, struct td_log *lg)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        cli_warn("tlsdiag log: %s: %s", path, strerror(errno));
        return false;
    }
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        td_log_push(lg, chunk, n);
    }
    bool ok = !ferror(f);
    if (!ok) {
        cli_warn("tlsdiag log: %s: read error: %s", path, strerror(errno));
    }
    if (!is_stdin) {
        fclose(f);
    }
    td_log_end(lg);
    return ok;
}

int cmd_log(int argc, char **argv)
{
    struct log_args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc != TD_EXIT_OK) {
        return rc < 0 ? TD_EXIT_OK : rc;
    }
    struct td_term term;
    td_term_detect(&term, a.color);
    struct td_render_opts o = {.color = term.color, .utf8 = term.utf8};
    static char *const stdin_only[] = {"-"};
    char *const *files = optind < argc ? argv + optind : stdin_only;
    int num = optind < argc ? argc - optind : 1;
    bool failures = false, bad = false;
    for (int i = 0; i < num; i++) {
        struct td_log *lg = td_log_new();
        const char *name = strcmp(files[i], "-") == 0 ? "(stdin)" : files[i];
        if (!read_input(files[i], lg)) {
            bad = true;
            td_log_free(lg);
            continue;
        }
        struct td_buf out = {0};
        if (a.json) {
            td_render_log_json(&out, name, lg);
        } else {
            td_render_log_text(&out, name, lg, &o);
        }
        failures |= td_log_num_findings(lg) > 0;
        td_log_free(lg);
        if (!cli_write_buf(&out)) {
            return TD_EXIT_USAGE;
        }
    }
    return bad ? TD_EXIT_USAGE : failures ? TD_EXIT_FAILURES : TD_EXIT_OK;
}
