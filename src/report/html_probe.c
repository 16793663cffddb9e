/* tlsdiag probe --html: one target's section, what the server accepts
 * (versions, suites, groups), the chain it sends as a tree with the
 * certificates findings name marked, and the findings with their fixes. */
#include <stdio.h>
#include <string.h>

#include "report/html_internal.h"
#include "report/internal.h"
#include "tls/names.h"

#include "base/banned.h"

static const char *vname(uint16_t v)
{
    const char *n = td_version_name(v);
    return n ? n : "?";
}

static void versions_table(struct td_buf *out, const struct td_probe_result *r)
{
    char buf[64];
    td_buf_puts(out, "<table class=\"probe\">\n<tr><th>version</th><th>accepted</th><th>suites</th><th>order</th>"
                     "<th>groups</th></tr>\n");
    for (int i = TD_PROBE_VERSIONS - 1; i >= 0; i--) {
        const struct td_probe_version *v = &r->v[i];
        td_buf_printf(out, "<tr><td>%s</td><td class=\"%s\">%s</td><td class=\"mono\">", vname(v->version),
                      v->accepted ? "good" : "note", v->accepted ? "yes" : "no");
        for (size_t k = 0; k < v->num_suites; k++) {
            td_buf_printf(out, "%s%s", k ? "<br>" : "", td_suite_str(v->suites[k], buf, sizeof buf));
        }
        td_buf_printf(out, "</td><td>%s</td><td class=\"mono\">",
                      !v->accepted        ? ""
                      : v->num_suites < 2 ? "one suite"
                      : v->server_order   ? "server"
                                          : "client");
        for (size_t k = 0; k < v->num_groups; k++) {
            td_buf_printf(out, "%s%s", k ? " " : "", td_group_str(v->groups[k], buf, sizeof buf));
        }
        td_buf_puts(out, "</td></tr>\n");
    }
    td_buf_puts(out, "</table>\n");
    td_buf_printf(out, "<p>SNI: %s; the certificate %s by SNI. Client certificates: %s",
                  r->sni_sent ? (r->sni_required ? "required" : "not required") : "not sent (an IP address)",
                  r->sni_selects_cert ? "is chosen" : "is not chosen", r->client_auth ? r->client_auth : "?");
    if (r->num_ca_names) {
        td_buf_printf(out, " (%zu acceptable CA name%s)", r->num_ca_names, r->num_ca_names == 1 ? "" : "s");
    }
    td_buf_puts(out, ".</p>\n");
}

static bool node_faulty(const struct td_probe_result *r, size_t node)
{
    for (size_t i = 0; i < r->num_findings; i++) {
        if (r->findings[i].sev == TD_SEV_ERROR && r->findings[i].cert == (int)node) {
            return true;
        }
    }
    return false;
}

/* The chain as sent, root at the top, each link's state said. */
static void chain_tree(struct td_buf *out, const struct td_probe_result *r)
{
    const struct td_cert_report *c = &r->chain;
    if (!r->have_chain || c->num_nodes == 0) {
        return;
    }
    td_buf_printf(out, "<h4>Chain as sent (%zu certificate%s)</h4>\n<ul class=\"chain\">", c->num_nodes,
                  c->num_nodes == 1 ? "" : "s");
    for (size_t k = c->num_nodes; k-- > 0;) {
        const struct td_cert_node *n = &c->nodes[k];
        bool bad = node_faulty(r, k);
        td_buf_printf(out, "<li><span class=\"cert%s\">%s[%zu] ", bad ? " fault" : "", bad ? "&#10007; " : "", k);
        td_html_esc(out, n->info.subject);
        td_buf_puts(out, "</span> <span class=\"note\">");
        td_html_esc(out, n->role);
        td_buf_puts(out, ", issuer ");
        td_html_esc(out, n->info.issuer);
        td_buf_puts(out, ", valid ");
        td_html_esc(out, n->info.not_before);
        td_buf_puts(out, " to ");
        td_html_esc(out, n->info.not_after);
        if (n->link && n->link[0]) {
            td_buf_puts(out, ", link: ");
            td_html_esc(out, n->link);
        }
        td_buf_puts(out, "</span>");
        if (k > 0) {
            td_buf_puts(out, "<ul>");
        }
    }
    for (size_t k = 1; k < c->num_nodes; k++) {
        td_buf_puts(out, "</li></ul>");
    }
    td_buf_puts(out, "</li></ul>\n");
}

static void findings(struct td_buf *out, const struct td_probe_result *r)
{
    if (r->num_findings == 0) {
        td_buf_puts(out, "<p class=\"good\">No finding: nothing here makes clients fail.</p>\n");
        return;
    }
    td_buf_puts(out, "<h4>Findings</h4>\n<table>\n<tr><th>severity</th><th>cause</th><th>what</th><th>fix</th></tr>\n");
    for (size_t i = 0; i < r->num_findings; i++) {
        const struct td_cert_finding *f = &r->findings[i];
        td_buf_printf(out, "<tr><td class=\"%s\">%s</td><td class=\"slug\">%s</td><td class=\"what\">",
                      f->sev == TD_SEV_ERROR     ? "bad"
                      : f->sev == TD_SEV_WARNING ? "warn"
                                                 : "note",
                      td_sev_name(f->sev), td_cause_info(f->cause)->slug);
        td_html_esc(out, f->message);
        td_buf_puts(out, "</td><td>");
        td_html_esc(out, f->resolution);
        const struct td_change *ch = td_change_of_cause(f->cause);
        if (ch) { /* the default change the cause is known for (diag/changes.c) */
            td_buf_puts(out, "<br><span class=\"note\">Changed: ");
            td_html_esc(out, ch->what);
            td_buf_puts(out, "; to restore it: ");
            td_html_esc(out, ch->restore);
            td_buf_puts(out, "</span>");
        }
        td_buf_puts(out, "</td></tr>\n");
    }
    td_buf_puts(out, "</table>\n");
}

void td_render_probe_html(struct td_buf *out, const struct td_probe_result *r)
{
    size_t errors = td_probe_errors(r);
    td_buf_printf(out, "<section class=\"conn %s\">\n<h2>", errors ? "failed" : "ok");
    td_html_esc(out, r->target);
    td_buf_puts(out, " &middot; ");
    td_html_esc(out, r->address);
    td_buf_puts(out, " &middot; SNI ");
    td_html_esc(out, r->sni_sent ? r->sni : "(none)");
    td_buf_printf(out, "</h2>\n<p class=\"note\">%u TCP connections, %.2f s", r->connections, r->seconds);
    if (strchr(r->addresses, ' ')) {
        td_buf_puts(out, "; the name's addresses: ");
        td_html_esc(out, r->addresses);
    }
    td_buf_puts(out, "</p>\n");
    if (r->reachable) {
        versions_table(out, r);
    } else if (r->error[0]) {
        td_buf_puts(out, "<p class=\"bad\">");
        td_html_esc(out, r->error);
        td_buf_puts(out, "</p>\n");
    }
    chain_tree(out, r);
    findings(out, r);
    td_buf_puts(out, "</section>\n");
}
