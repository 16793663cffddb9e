/* tlsdiag probe --client --html: the client-profile matrix of one target as a
 * table (profile, result, cause slug, why, fix), every string escaped. */
#include <stdio.h>

#include "report/internal.h"
#include "report/render_client.h"

#include "base/banned.h"

void td_html_client_begin(struct td_buf *out, const char *target)
{
    td_buf_puts(out, "<section class=\"conn clients\">\n<h2>");
    td_html_esc(out, target);
    td_buf_puts(out, ": as each client would connect</h2>\n<table class=\"clients\">\n<tr><th>profile</th>"
                     "<th>result</th><th>cause</th><th>why</th><th>fix</th></tr>\n");
}

static void result_cells(struct td_buf *out, const struct td_client_outcome *c)
{
    char vb[32], sb[32];
    if (c->connects) {
        td_buf_puts(out, "<td class=\"good\">connects</td><td class=\"slug\"></td><td class=\"mono\">");
        td_html_esc(out, td_version_str(c->version, vb, sizeof vb));
        td_buf_puts(out, " ");
        td_html_esc(out, td_suite_str(c->suite, sb, sizeof sb));
        td_buf_puts(out, "</td><td></td></tr>\n");
        return;
    }
    td_buf_puts(out, "<td class=\"bad\">fails</td><td class=\"slug\">");
    td_html_esc(out, td_cause_info(c->cause)->slug);
    td_buf_puts(out, "</td><td class=\"what\">");
    td_html_esc(out, c->why);
    td_buf_puts(out, "</td><td>");
}

void td_html_client_row(struct td_buf *out, const struct td_client_profile *p, const struct td_client_outcome *c)
{
    td_buf_puts(out, "<tr class=\"client\"><td class=\"mono\">");
    td_html_esc(out, p->name);
    td_buf_puts(out, "</td>");
    result_cells(out, c);
    if (!c->connects) {
        td_html_esc(out, c->fix);
        td_buf_puts(out, "</td></tr>\n");
    }
}

void td_html_client_config_row(struct td_buf *out, const struct td_client_config *cc, const struct td_client_outcome *c,
                               const struct td_conf_finding *blame)
{
    td_buf_puts(out, "<tr class=\"client\"><td class=\"mono\">the configured client (base ");
    td_html_esc(out, cc->base->name);
    td_buf_puts(out, ")</td>");
    result_cells(out, c);
    if (c->connects) {
        return;
    }
    if (blame->file[0]) {
        td_buf_puts(out, "<code>");
        td_html_esc(out, blame->file);
        td_buf_puts(out, "</code>");
        if (blame->line) {
            td_buf_printf(out, " line %u", blame->line);
        }
        if (blame->element[0]) {
            td_buf_puts(out, " <code>");
            td_html_esc(out, blame->element);
            td_buf_puts(out, "</code>");
        }
        td_buf_puts(out, ": ");
        td_html_esc(out, blame->message);
        td_buf_puts(out, ": ");
    }
    td_html_esc(out, blame->change[0] ? blame->change : c->fix);
    td_buf_puts(out, "</td></tr>\n");
}

void td_html_client_end(struct td_buf *out, size_t ok, size_t n, unsigned connections, double seconds)
{
    td_buf_printf(out,
                  "</table>\n<p class=\"note\">%zu of %zu clients connect (%u connections, %.2f s)</p>\n</section>\n",
                  ok, n, connections, seconds);
}
