/* tlsdiag probe --client NAME|all HOST[:PORT]: as that client would connect. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "cli/client_trust.h"
#include "cli/opts.h"
#include "config/config.h"
#include "config/client_config.h"
#include "config/profiles.h"
#include "probe/client.h"
#include "report/render_client.h"

#include "base/banned.h"

static void help(FILE *f)
{
    fputs("usage: tlsdiag probe --client NAME|all [options] HOST[:PORT]...\n"
          "\n"
          "Sends each client profile's ClientHello (its versions, suites in order, groups, SNI rule) and\n"
          "says whether that client connects, and if not why and what to change; when the hello is\n"
          "accepted, the chain is judged with that client's trust store and certificate rules.\n"
          "\n"
          "      --client NAME      a profile (--client list shows them; with --json what each\n"
          "                         sends), or all: the matrix\n"
          "      --client-config F  build the client from configuration files (repeatable; Apigee\n"
          "                         TargetEndpoint/TargetServer, Java properties, nginx, HAProxy,\n"
          "                         Envoy) on top of --client NAME (default java8 for Apigee and Java\n"
          "                         files, else openssl-3.0); a failure names the line to change\n"
          "      --trust FILE       judge the chain with this truststore (PEM bundle, JKS, PKCS#12)\n"
          "                         instead of each client's own (system store, Java's cacerts)\n"
          "      --timeout MS       per connection (3000)\n"
          "      --json             one JSON object per client and target\n"
          "      --html FILE        also write a self-contained HTML page of the matrix ('-': the page\n"
          "                         instead of text)\n"
          "      --color WHEN       auto (default), always, never\n"
          "\n"
          "Exit status: 0 every client connects, 1 one does not, 2 usage error.\n",
          f);
}

static int list(bool json)
{
    struct td_buf out = {0};
    for (size_t i = 0; i < td_client_profile_count(); i++) {
        const struct td_client_profile *p = td_client_profile_at(i);
        struct td_client_plan plan;
        char err[300];
        if (!json) {
            td_buf_printf(&out, "%-24s %s\n", p->name, p->stack);
        } else if (td_client_profile_plan(p, &plan, err, sizeof err)) {
            td_render_client_profile_json(&out, p, &plan);
        }
    }
    return cli_write_buf(&out) ? TD_EXIT_OK : TD_EXIT_USAGE;
}

/* Where the results go: text or JSON on stdout (unless --html -), and the page. */
struct client_out {
    bool json, text_off;
    struct td_render_opts ro;
    struct td_buf *html;     /* --html: the page being built, or NULL */
    struct cli_trust *trust; /* the chain as each client judges it */
};

/* One profile against one target; its line into out, its row into the page. */
static bool run_one(const struct td_client_profile *p, const char *target, const struct td_probe_opts *po,
                    const struct client_out *co, struct td_buf *out, struct td_client_outcome *oc)
{
    struct td_client_plan plan;
    char err[300], host[256] = "";
    if (!td_client_profile_plan(p, &plan, err, sizeof err)) {
        cli_warn("tlsdiag probe: profile %s: %s", p->name, err);
        return false;
    }
    cli_host_of(target, host, sizeof host);
    struct td_client_spec spec = {p->name,         plan.versions,   plan.suites,
                                  plan.num_suites, plan.suites13,   plan.num_suites13,
                                  plan.groups,     plan.num_groups, td_client_sends_sni(p, host),
                                  plan.sigalgs,    plan.num_sigalgs};
    if (!td_probe_client(target, po, &spec, oc, err, sizeof err)) {
        cli_warn("tlsdiag probe: %s", err);
        return false;
    }
    cli_trust_judge(co->trust, target, p->name, spec.send_sni, po, oc);
    if (co->html) {
        td_html_client_row(co->html, p, oc);
    }
    if (co->text_off) {
        return true;
    }
    if (co->json) {
        td_render_client_json(out, target, p, oc, cli_trust_store_name(co->trust, p), cli_trust_confidence(co->trust));
    } else {
        td_render_client_text(out, p, oc, &co->ro);
    }
    return true;
}

static int run(const char *client, int argc, char **argv, const struct td_probe_opts *po, const struct client_out *co)
{
    bool text = !co->json && !co->text_off;
    int rc = TD_EXIT_OK;
    for (int t = optind; t < argc; t++) {
        size_t ok = 0, n = 0;
        unsigned conns = 0;
        double secs = 0;
        struct td_buf out = {0};
        if (text) {
            td_render_client_header(&out, argv[t]);
        }
        if (co->html) {
            td_html_client_begin(co->html, argv[t]);
        }
        for (size_t i = 0; i < td_client_profile_count(); i++) {
            const struct td_client_profile *p = td_client_profile_at(i);
            struct td_client_outcome oc;
            if (strcmp(client, "all") != 0 && strcmp(client, p->name) != 0) {
                continue;
            }
            if (!run_one(p, argv[t], po, co, &out, &oc)) {
                td_buf_free(&out);
                return TD_EXIT_USAGE;
            }
            n++, ok += oc.connects, conns += oc.connections, secs += oc.seconds;
            cli_write_buf(&out);
            fflush(stdout);
        }
        if (text) {
            td_render_client_total(&out, ok, n, conns, secs);
            cli_write_buf(&out);
        }
        if (co->html) {
            td_html_client_end(co->html, ok, n, conns, secs);
        }
        rc = ok < n ? TD_EXIT_FAILURES : rc;
    }
    return rc;
}

/* --client-config: one client, from the files, against each target. */
static int run_configured(const char *const *files, size_t nfiles, const char *base, int argc, char **argv,
                          const struct td_probe_opts *po, const struct client_out *co)
{
    struct td_client_config *cc = td_calloc(1, sizeof *cc);
    char err[600];
    int rc = TD_EXIT_OK;
    if (!td_client_config_build(files, nfiles, base, cc, err, sizeof err)) {
        cli_warn("tlsdiag probe: %s", err);
        td_client_config_free(cc);
        free(cc);
        return TD_EXIT_USAGE;
    }
    char tn[600];
    if (cc->trust_item && !co->trust->user) { /* a store the files name, when it is a file here */
        snprintf(tn, sizeof tn, "the truststore %.200s (`%.200s` line %u)", cc->trust_item->value, cc->trust_file->path,
                 cc->trust_item->line);
        (void)cli_trust_set_user(co->trust, cc->trust_item->value, tn, err, sizeof err);
    }
    for (int t = optind; t < argc && rc != TD_EXIT_USAGE; t++) {
        char host[256];
        cli_host_of(argv[t], host, sizeof host);
        struct td_client_spec spec = {
            "the configured client", cc->plan.versions,   cc->plan.suites,
            cc->plan.num_suites,     cc->plan.suites13,   cc->plan.num_suites13,
            cc->plan.groups,         cc->plan.num_groups, !cc->sni_off && td_client_sends_sni(cc->base, host),
            cc->plan.sigalgs,        cc->plan.num_sigalgs};
        struct td_client_outcome oc;
        struct td_conf_finding blame;
        if (!td_probe_client(argv[t], po, &spec, &oc, err, sizeof err)) {
            cli_warn("tlsdiag probe: %s", err);
            rc = TD_EXIT_USAGE;
            break;
        }
        cli_trust_judge(co->trust, argv[t], cc->base->name, spec.send_sni, po, &oc);
        enum td_blame what = oc.connects                              ? TD_BLAME_NONE
                             : oc.cause == TD_CAUSE_PROTOCOL_MISMATCH ? TD_BLAME_PROTOCOLS
                             : oc.cause == TD_CAUSE_CIPHER_MISMATCH   ? TD_BLAME_CIPHERS
                             : oc.cause == TD_CAUSE_SNI_REQUIRED      ? TD_BLAME_SNI
                             : oc.cause == TD_CAUSE_UNKNOWN_CA || oc.cause == TD_CAUSE_SELF_SIGNED ||
                                     oc.cause == TD_CAUSE_INCOMPLETE_CHAIN
                                 ? TD_BLAME_TRUST
                                 : TD_BLAME_NONE;
        td_client_config_blame(cc, what, oc.server_versions, oc.server_suite, &blame);
        struct td_buf out = {0};
        if (co->html) {
            td_html_client_begin(co->html, argv[t]);
            td_html_client_config_row(co->html, cc, &oc, &blame);
            td_html_client_end(co->html, oc.connects, 1, oc.connections, oc.seconds);
        }
        if (co->text_off) {
            /* the page only */
        } else if (co->json) {
            td_render_client_config_json(&out, argv[t], cc, &oc, &blame, cli_trust_store_name(co->trust, cc->base),
                                         cli_trust_confidence(co->trust));
        } else {
            td_render_client_config_text(&out, argv[t], cc, &oc, &blame, &co->ro);
        }
        cli_write_buf(&out);
        rc = oc.connects ? rc : TD_EXIT_FAILURES;
    }
    td_client_config_free(cc);
    free(cc);
    return rc;
}

/* The page around the sections run() or run_configured() left in co->html,
 * written whole (cli_out_commit) or, after a usage error, not at all. */
static int finish_page(struct cli_out *o, struct td_buf *sections, char **targets, int n, int rc)
{
    if (rc == TD_EXIT_USAGE) {
        td_buf_free(sections);
        cli_out_discard(o);
        return rc;
    }
    struct td_buf page = {0};
    td_html_page_begin_targets(&page, "tlsdiag probe --client", targets, (size_t)n);
    td_buf_append(&page, sections->data, sections->len);
    td_buf_free(sections);
    td_html_page_end(&page);
    return cli_out_commit("probe", "--html", o, &page) ? rc : TD_EXIT_USAGE;
}

int cmd_probe_client(int argc, char **argv)
{
    enum { OPT_CLIENT = 256, OPT_TIMEOUT, OPT_JSON, OPT_COLOR, OPT_CONFIG, OPT_HTML, OPT_TRUST };
    static const struct option longopts[] = {
        {"client", required_argument, NULL, OPT_CLIENT},
        {"client-config", required_argument, NULL, OPT_CONFIG},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"json", no_argument, NULL, OPT_JSON},
        {"color", required_argument, NULL, OPT_COLOR},
        {"html", required_argument, NULL, OPT_HTML},
        {"trust", required_argument, NULL, OPT_TRUST},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct td_probe_opts po = {.timeout_ms = 3000};
    const char *client = NULL, *color = "auto", *html = NULL, *trust = NULL, *files[32];
    size_t nfiles = 0;
    bool json = false;
    int opt;
    long v;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            help(stdout);
            return TD_EXIT_OK;
        case OPT_CLIENT:
            client = optarg;
            break;
        case OPT_CONFIG:
            if (nfiles == sizeof files / sizeof files[0]) {
                return cli_usage_error("probe", "at most 32 --client-config files");
            }
            files[nfiles++] = optarg;
            break;
        case OPT_TIMEOUT:
            if (!cli_parse_long("probe", "--timeout", optarg, 1, 600000, &v)) {
                return TD_EXIT_USAGE;
            }
            po.timeout_ms = (int)v;
            break;
        case OPT_JSON:
            json = true;
            break;
        case OPT_HTML:
            html = optarg;
            break;
        case OPT_TRUST:
            trust = optarg;
            break;
        case OPT_COLOR:
            if (!cli_parse_color("probe", optarg, &color)) {
                return TD_EXIT_USAGE;
            }
            break;
        default:
            return cli_try_help("probe");
        }
    }
    if (!nfiles && client && strcmp(client, "list") == 0) {
        return html ? cli_usage_error("probe", "--html goes with --client all or NAME, not list") : list(json);
    }
    if (nfiles && client && !td_client_profile_find(client)) {
        return cli_usage_error("probe", "--client with --client-config takes a profile name (%s is none)", client);
    }
    if (!nfiles && (!client || (strcmp(client, "all") != 0 && !td_client_profile_find(client)))) {
        return cli_usage_error("probe", "--client takes all, list or a profile name (%s is none)",
                               client ? client : "");
    }
    if (optind >= argc) {
        return cli_usage_error("probe", "no target given");
    }
    struct td_term term;
    td_term_detect(&term, color);
    struct cli_trust ct = {0};
    struct client_out co = {.json = json, .ro = {.color = term.color, .utf8 = term.utf8}, .trust = &ct};
    struct td_buf sections = {0};
    struct cli_out page;
    char err[700], name[600];
    snprintf(name, sizeof name, "the truststore %s (--trust)", trust ? trust : "");
    if (trust && !cli_trust_set_user(&ct, trust, name, err, sizeof err)) {
        return cli_usage_error("probe", "--trust: %s", err);
    }
    if (html) {
        if (!cli_out_open("probe", "--html", html, &page)) {
            cli_trust_free(&ct);
            return TD_EXIT_USAGE;
        }
        co.html = &sections;
        co.text_off = strcmp(html, "-") == 0;
    }
    int rc = nfiles ? run_configured(files, nfiles, client, argc, argv, &po, &co) : run(client, argc, argv, &po, &co);
    cli_trust_free(&ct);
    return html ? finish_page(&page, &sections, argv + optind, argc - optind, rc) : rc;
}
