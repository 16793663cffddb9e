/* The end of one input: the run's counts, verdicts by cause, and each server
 * with failures. */
#include <stdio.h>

#include "report/report.h"

#include "base/banned.h"

/* "causes: protocol_mismatch 2, sni_required 1" and one line per server with failures. */
static void causes_text(struct td_buf *b, const struct td_analysis_summary *s)
{
    bool any = false;
    for (int i = 1; i < TD_CAUSE_COUNT; i++) {
        if (s->causes[i]) {
            td_buf_printf(b, "%s%s %u", any ? ", " : "  causes: ", td_cause_info((enum td_cause)i)->slug, s->causes[i]);
            any = true;
        }
    }
    if (!any) {
        if (s->num_http) {
            td_buf_printf(b, "  HTTP 5xx answers: %zu, none explained by a failed TLS connection in this capture\n",
                          s->num_http);
        }
        return;
    }
    td_buf_putc(b, '\n');
    if (s->num_http) {
        td_buf_printf(b, "  HTTP 5xx answers: %zu, %zu explained by a failed TLS connection of the same gateway\n",
                      s->num_http, s->http_linked);
    }
    for (size_t k = 0; k < s->num_servers; k++) {
        const struct td_server_stat *sv = s->servers[k];
        bool failed = false;
        for (int i = 1; i < TD_CAUSE_COUNT; i++) {
            failed |= sv->causes[i] != 0;
        }
        if (!failed) {
            continue;
        }
        /* completed then refused: counted in the view's ok (the handshake
         * shows what the server accepts), shown as failed */
        td_buf_printf(b, "  %s: %u ok, %u failed:", sv->name, sv->view.ok - sv->view.rejected_after,
                      sv->view.failed + sv->view.rejected_after);
        for (int i = 1; i < TD_CAUSE_COUNT; i++) {
            if (sv->causes[i]) {
                td_buf_printf(b, " %s %u", td_cause_info((enum td_cause)i)->slug, sv->causes[i]);
            }
        }
        td_buf_putc(b, '\n');
    }
}

void td_render_analysis_text(struct td_buf *out, const struct td_analysis_summary *s, const struct td_render_opts *o)
{
    td_render_summary_text(out, s->stats, o);
    causes_text(out, s);
}

void td_render_analysis_json(struct td_buf *out, const struct td_analysis_summary *s, const struct td_render_opts *o)
{
    td_render_summary_json(out, s->stats, s->causes, o);
}
