/* One connection of the analysis as the commands show it: the ladder,
 * rendered while the connection is alive, then its verdict, which may come
 * at the end of the input after the connection was freed. */
#include "report/report.h"

#include "base/banned.h"

void td_render_result_open(struct td_buf *out, const struct td_tls_conn *c, bool json, const struct td_render_opts *o)
{
    if (json && o->ecs) {
        td_render_ecs_open(out, c, o);
    } else if (json) {
        struct td_json j;
        td_json_init(&j, out);
        td_render_conn_json_open(&j, c, o);
    } else {
        td_render_conn_text(out, c, o);
    }
}

void td_render_result_close(struct td_buf *out, const struct td_conn_result *r, bool json,
                            const struct td_render_opts *o)
{
    if (json && o->ecs) {
        td_render_ecs_close(out, r, o);
        return;
    }
    if (json) {
        /* Resume the object td_render_conn_json_open left open: one level
         * deep, with members already written. */
        struct td_json j;
        td_json_init(&j, out);
        j.depth = 1;
        j.need_comma[1] = true;
        td_render_verdict_json(&j, r->verdict);
        /* every key always there, null when missing (man/tlsdiag.1) */
        td_json_bool(&j, "revised", r->revised);
        td_json_str(&j, "outcome_revised", r->outcome_revised ? "failed" : NULL);
        if (r->downstream) {
            td_render_downstream_json(&j, r->downstream);
        } else {
            td_json_null(&j, "downstream");
        }
        td_render_conn_json_close(&j);
        return;
    }
    if (out->len) {
        out->len--; /* the blank line that ends a ladder */
    }
    if (r->revised) {
        td_buf_printf(out, "  Revised  tcp.stream %u: later traffic changed this verdict\n", r->stream);
    }
    if (r->outcome_revised) {
        td_buf_printf(out, "  Outcome  failed: refused after the handshake, as the page the gateway relayed shows\n");
    }
    td_render_verdict_text(out, r->verdict, r->stream, o);
    if (r->downstream) {
        td_render_downstream_text(out, r->downstream, o);
    }
    td_buf_putc(out, '\n');
}
