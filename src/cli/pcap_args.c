/* tlsdiag pcap's options: what they choose (filters, output, inputs), in
 * short functions; getopt_long over one table. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/export_certs.h"
#include "cli/opts.h"
#include "cli/pcap_run.h"

#include "base/banned.h"

enum {
    OPT_JSON = 256,
    OPT_STREAM,
    OPT_HOST,
    OPT_FAILED,
    OPT_SUMMARY,
    OPT_COLOR,
    OPT_CA,
    OPT_EXPECT,
    OPT_KEYLOG,
    OPT_FAIL_EMPTY,
    OPT_EXPORT,
    OPT_HTML,
    OPT_HTML_ALL,
    OPT_SHARD,
    OPT_ECS,
    OPT_REPLAY,
    OPT_THREADS
};

static const struct option pcap_longopts[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"verbose", no_argument, NULL, 'v'},
    {"stream", required_argument, NULL, OPT_STREAM},
    {"host", required_argument, NULL, OPT_HOST},
    {"failed", no_argument, NULL, OPT_FAILED},
    {"fail-on-empty", no_argument, NULL, OPT_FAIL_EMPTY},
    {"export-certs", required_argument, NULL, OPT_EXPORT},
    {"summary", no_argument, NULL, OPT_SUMMARY},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"ca", required_argument, NULL, OPT_CA},
    {"expect-host", required_argument, NULL, OPT_EXPECT},
    {"keylog", required_argument, NULL, OPT_KEYLOG},
    {"html", required_argument, NULL, OPT_HTML},
    {"html-all", no_argument, NULL, OPT_HTML_ALL},
    {"write-failed", required_argument, NULL, CLI_OPT_WRITE_FAILED},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"ecs", no_argument, NULL, OPT_ECS},
    {"replay", no_argument, NULL, OPT_REPLAY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* What to show and what counts as a failure. 0, or a usage error's status. */
static int filter_option(struct pcap_run *r, int opt, const char *arg)
{
    char *end;
    switch (opt) {
    case OPT_STREAM:
        r->stream = strtoll(arg, &end, 10);
        if (end == arg || *end || r->stream < 0) {
            cli_warn("tlsdiag pcap: --stream takes a tcp.stream number, not '%s'", arg);
            return TD_EXIT_USAGE;
        }
        break;
    case OPT_HOST:
        r->host = arg;
        break;
    case OPT_FAILED:
        r->failed_only = true;
        break;
    case OPT_FAIL_EMPTY:
        r->fail_on_empty = true;
        break;
    default:
        break;
    }
    return 0;
}

/* How to show it: JSON, detail, summary, colour, exported chains. */
static int output_option(struct pcap_run *r, struct pcap_args *a, int opt, const char *arg)
{
    switch (opt) {
    case OPT_JSON:
        r->json = true;
        break;
    case OPT_ECS:
        r->json = r->ro.ecs = true;
        break;
    case 'v':
        r->verbose = true;
        break;
    case OPT_SUMMARY:
        r->summary_only = true;
        break;
    case OPT_EXPORT:
        r->export_dir = arg;
        break;
    case OPT_HTML:
        a->html = arg;
        break;
    case OPT_HTML_ALL:
        a->html_all = true;
        break;
    case OPT_REPLAY:
        a->replay = true;
        break;
    case OPT_COLOR:
        if (!cli_parse_color("pcap", arg, &a->color)) {
            return TD_EXIT_USAGE;
        }
        break;
    default:
        break;
    }
    return 0;
}

/* What to read besides the captures: the captures given with -r, a
 * truststore, the name meant, a key log; which flows (--shard); how many
 * threads read a capture file (--threads). */
static int input_option(struct pcap_args *a, int opt, const char *arg)
{
    switch (opt) {
    case OPT_THREADS:
        if (strcmp(arg, "1") != 0 && strcmp(arg, "2") != 0) {
            return cli_usage_error("pcap", "--threads takes 1 or 2, not '%s'", arg);
        }
        a->threads = arg[0] == '1' ? 1 : 2;
        break;
    case OPT_SHARD:
        if (!cli_parse_shard("pcap", arg, &a->shard_k, &a->shard_n)) {
            return TD_EXIT_USAGE;
        }
        break;
    case 'r':
        a->files[a->num_files++] = arg;
        break;
    case OPT_CA:
        a->ca_path = arg;
        break;
    case OPT_EXPECT:
        a->expect_host = arg;
        break;
    case OPT_KEYLOG:
        a->keylog_path = arg;
        break;
    default:
        break;
    }
    return 0;
}

int pcap_parse_args(int argc, char **argv, struct pcap_run *r, struct pcap_args *a)
{
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "r:vhC:G:", pcap_longopts, NULL)) != -1) {
        int rc = 0;
        bool bad = false;
        if (cli_write_failed_opt(&r->wf, "pcap", opt, optarg, &bad)) {
            if (bad) {
                return TD_EXIT_USAGE;
            }
            continue;
        }
        switch (opt) {
        case 'h':
            cli_pcap_help(stdout);
            return -1;
        case OPT_STREAM:
        case OPT_HOST:
        case OPT_FAILED:
        case OPT_FAIL_EMPTY:
            rc = filter_option(r, opt, optarg);
            break;
        case OPT_JSON:
        case OPT_ECS:
        case 'v':
        case OPT_SUMMARY:
        case OPT_EXPORT:
        case OPT_HTML:
        case OPT_HTML_ALL:
        case OPT_REPLAY:
        case OPT_COLOR:
            rc = output_option(r, a, opt, optarg);
            break;
        case 'r':
        case OPT_CA:
        case OPT_EXPECT:
        case OPT_KEYLOG:
        case OPT_SHARD:
        case OPT_THREADS:
            rc = input_option(a, opt, optarg);
            break;
        default:
            return cli_try_help("pcap");
        }
        if (rc) {
            return rc;
        }
    }
    for (int i = optind; i < argc; i++) {
        a->files[a->num_files++] = argv[i];
    }
    if (a->num_files == 0) {
        return cli_usage_error("pcap", "no capture file given");
    }
    if (a->html_all && !a->html) {
        return cli_usage_error("pcap", "--html-all goes with --html FILE");
    }
    for (size_t i = 0; a->html && i < a->num_files; i++) {
        if (strcmp(a->html, a->files[i]) == 0 && strcmp(a->html, "-") != 0) {
            return cli_usage_error("pcap", "--html %s is a capture being read: choose another file", a->html);
        }
    }
    if (r->export_dir && !cli_export_dir(r->export_dir)) {
        return TD_EXIT_USAGE;
    }
    return 0;
}
