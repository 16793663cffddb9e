/* The end of one input: the run's counts, verdicts by cause, and each server
 * with failures. */
#include <stdio.h>

#include "base/escape.h"
#include "report/report.h"

#include "base/banned.h"

static uint64_t minus(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

/* The run's counts of connections that spoke TLS: port checks (no byte from
 * the client) and plain text to a TLS port (counted on their own) taken out. */
static struct td_run_stats spoke_tls(const struct td_analysis_summary *s, uint64_t *port_checks)
{
    struct td_run_stats st = *s->stats;
    const uint64_t *pc = s->port_checks;
    *port_checks = pc[TD_OUTCOME_OK] + pc[TD_OUTCOME_FAILED] + pc[TD_OUTCOME_INCOMPLETE];
    st.tls_conns = minus(st.tls_conns, *port_checks + st.not_tls_on_tls_port);
    st.ok = minus(st.ok, pc[TD_OUTCOME_OK]);
    st.failed = minus(st.failed, pc[TD_OUTCOME_FAILED] + st.not_tls_on_tls_port);
    st.incomplete = minus(st.incomplete, pc[TD_OUTCOME_INCOMPLETE]);
    return st;
}

/* One line per server with failures other than port checks. */
static void servers_text(struct td_buf *b, const struct td_analysis_summary *s)
{
    struct td_esc e = {0};
    for (size_t k = 0; k < s->num_servers; k++) {
        const struct td_server_stat *sv = s->servers[k];
        uint32_t checks = sv->causes[TD_CAUSE_NO_CLIENT_HELLO], failed = 0;
        for (int i = 1; i < TD_CAUSE_COUNT; i++) {
            failed += i == TD_CAUSE_NO_CLIENT_HELLO ? 0 : sv->causes[i];
        }
        if (!failed) {
            continue;
        }
        /* completed then refused: counted in the view's ok (the handshake
         * shows what the server accepts), shown as failed */
        td_buf_printf(b, "  %s: %u ok, %u failed:", td_esc(&e, sv->name), sv->view.ok - sv->view.rejected_after,
                      failed);
        for (int i = 1; i < TD_CAUSE_COUNT; i++) {
            if (sv->causes[i] && i != TD_CAUSE_NO_CLIENT_HELLO) {
                td_buf_printf(b, " %s %u", td_cause_info((enum td_cause)i)->slug, sv->causes[i]);
            }
        }
        if (checks) {
            td_buf_printf(b, "; %u port check%s", checks, checks == 1 ? "" : "s");
        }
        td_buf_putc(b, '\n');
    }
    td_esc_free(&e);
}

/* "causes: protocol_mismatch 2, sni_required 1" (port checks are in the
 * counts line) and one line per server with failures. */
static void causes_text(struct td_buf *b, const struct td_analysis_summary *s)
{
    bool any = false;
    for (int i = 1; i < TD_CAUSE_COUNT; i++) {
        if (s->causes[i] && i != TD_CAUSE_NO_CLIENT_HELLO) {
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
    servers_text(b, s);
}

void td_render_analysis_text(struct td_buf *out, const struct td_analysis_summary *s, const struct td_render_opts *o)
{
    uint64_t checks;
    struct td_run_stats st = spoke_tls(s, &checks);
    td_render_summary_text(out, &st, checks, o);
    causes_text(out, s);
}

void td_render_analysis_json(struct td_buf *out, const struct td_analysis_summary *s, const struct td_render_opts *o)
{
    uint64_t checks;
    struct td_run_stats st = spoke_tls(s, &checks);
    td_render_summary_json(out, &st, s->causes, checks, o);
}
