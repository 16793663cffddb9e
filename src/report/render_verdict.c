/* The verdict of a connection, as text under its ladder and as JSON fields. */
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "base/json.h"
#include "report/internal.h"

#include "base/banned.h"

/* The verdict's texts embed what the wire said (names, subjects, alert and
 * HTTP texts): each is escaped whole. */
static void cert_line(struct td_buf *out, const struct td_verdict *v)
{
    struct td_esc e = {0};
    td_buf_printf(out, "  Cert     %s certificate %s, issuer %s, serial %s, valid %s to %s\n", v->cert_role,
                  td_esc(&e, v->cert.subject), td_esc(&e, v->cert.issuer), td_esc(&e, v->cert.serial),
                  td_esc(&e, v->cert.not_before), td_esc(&e, v->cert.not_after));
    td_esc_free(&e);
}

void td_render_verdict_text(struct td_buf *out, const struct td_verdict *v, uint32_t stream,
                            const struct td_render_opts *o)
{
    const struct td_cause_info *ci = td_cause_info(v->cause);
    if (v->cause == TD_CAUSE_NONE && !v->explanation[0]) {
        return;
    }
    struct td_esc e = {0};
    td_buf_printf(out, "  %sCause%s    %s%s%s (%s)", td_col(o, TD_COL_BOLD), td_col(o, TD_COL_RESET),
                  td_col(o, v->cause == TD_CAUSE_NONE ? TD_COL_GREEN : TD_COL_RED), ci->title, td_col(o, TD_COL_RESET),
                  td_confidence_name(v->confidence));
    if (v->explanation[0]) {
        td_buf_printf(out, ": %s", td_esc(&e, v->explanation));
    }
    td_buf_printf(out, "  [%s]\n", ci->slug);
    if (v->num_candidates) {
        td_buf_puts(out, "  Or       ");
        for (size_t i = 0; i < v->num_candidates; i++) {
            td_buf_printf(out, "%s%s", i ? ", " : "", td_cause_info(v->candidates[i])->slug);
        }
        td_buf_putc(out, '\n');
    }
    for (size_t i = 0; i < v->num_also; i++) {
        td_buf_printf(out, "  %s %s%s%s: %s  [%s]\n", i == 0 ? "Also    " : "        ", td_col(o, TD_COL_RED),
                      td_cause_info(v->also[i])->title, td_col(o, TD_COL_RESET), td_esc(&e, v->also_why[i]),
                      td_cause_info(v->also[i])->slug);
    }
    for (size_t i = 0; i < v->num_evidence; i++) {
        td_buf_printf(out, "  %s #%-6llu %s\n", i == 0 ? "Evidence" : "        ",
                      (unsigned long long)v->evidence[i].frame, td_esc(&e, v->evidence[i].what));
    }
    if (v->has_cert) {
        cert_line(out, v);
    }
    if (v->aborted_by != TD_SIDE_NONE) {
        td_buf_printf(out, "  Aborted  by the %s\n", td_side_name(v->aborted_by));
    }
    if (v->fix[0] || v->cause != TD_CAUSE_NONE) {
        td_buf_printf(out, "  %sFix%s      %s\n", td_col(o, TD_COL_YELLOW), td_col(o, TD_COL_RESET),
                      td_esc(&e, v->fix));
        td_buf_printf(out, "           %s\n", ci->resolution);
    }
    if (v->changed) {
        td_buf_printf(out, "  Changed  %s; to restore it: %s\n", v->changed->what, v->changed->restore);
    }
    td_esc_free(&e);
    td_buf_puts(out, "  Look     tshark -r ");
    td_shell_word(out, o->file ? o->file : "FILE");
    td_buf_printf(out, " -Y 'tcp.stream eq %u'\n", stream);
}

void td_render_verdict_json(struct td_json *j, const struct td_verdict *v)
{
    const struct td_cause_info *ci = td_cause_info(v->cause);
    td_json_str(j, "cause", ci->slug);
    td_json_str(j, "confidence", td_confidence_name(v->confidence));
    td_json_arr_begin(j, "candidates");
    for (size_t i = 0; i < v->num_candidates; i++) {
        td_json_str(j, NULL, td_cause_info(v->candidates[i])->slug);
    }
    td_json_arr_end(j);
    /* Faults that remain once the cause is fixed, in the order to fix them. */
    td_json_arr_begin(j, "also");
    for (size_t i = 0; i < v->num_also; i++) {
        td_json_obj_begin(j, NULL);
        td_json_str(j, "cause", td_cause_info(v->also[i])->slug);
        td_json_str(j, "explanation", v->also_why[i]);
        td_json_obj_end(j);
    }
    td_json_arr_end(j);
    td_json_bool(j, "rejected_after_handshake", v->rejected_after_handshake);
    td_json_str(j, "aborted_by", v->aborted_by == TD_SIDE_NONE ? NULL : td_side_name(v->aborted_by));
    td_json_str(j, "fix_side", v->fix_side == TD_SIDE_NONE ? NULL : td_side_name(v->fix_side));
    td_json_str(j, "explanation", v->explanation[0] ? v->explanation : NULL);
    td_json_arr_begin(j, "evidence");
    for (size_t i = 0; i < v->num_evidence; i++) {
        td_json_obj_begin(j, NULL);
        td_json_u64(j, "frame", v->evidence[i].frame);
        td_json_str(j, "what", v->evidence[i].what);
        td_json_obj_end(j);
    }
    td_json_arr_end(j);
    if (v->cause != TD_CAUSE_NONE) {
        struct td_buf r = {0};
        if (v->fix[0]) {
            td_buf_printf(&r, "%s ", v->fix);
        }
        td_buf_puts(&r, ci->resolution);
        td_json_str(j, "resolution", td_buf_cstr(&r));
        td_buf_free(&r);
    } else {
        td_json_null(j, "resolution");
    }
    if (v->changed) { /* the default change that broke it, and the switch that restores it */
        td_json_obj_begin(j, "changed");
        td_json_str(j, "what", v->changed->what);
        td_json_str(j, "restore", v->changed->restore);
        td_json_obj_end(j);
    } else {
        td_json_null(j, "changed");
    }
    if (v->has_cert) {
        td_json_obj_begin(j, "certificate");
        td_json_str(j, "role", v->cert_role);
        td_json_str(j, "subject", v->cert.subject);
        td_json_str(j, "issuer", v->cert.issuer);
        td_json_str(j, "serial", v->cert.serial);
        td_json_str(j, "not_before", v->cert.not_before);
        td_json_str(j, "not_after", v->cert.not_after);
        td_json_obj_end(j);
    } else {
        td_json_null(j, "certificate");
    }
}

/* The southbound side of a gateway pair: one line under the failed TLS
 * connection's verdict, or a JSON object. */
void td_render_downstream_text(struct td_buf *out, const struct td_http_error *h, const struct td_render_opts *o)
{
    struct td_esc e = {0};
    td_buf_printf(out, "  %sEffect%s   the gateway answered its client %s HTTP %u %s (tcp.stream %u, #%llu)\n",
                  td_col(o, TD_COL_BOLD), td_col(o, TD_COL_RESET), h->client, h->status, td_esc(&e, h->reason),
                  h->stream, (unsigned long long)h->status_frame);
    td_esc_free(&e);
}

void td_render_downstream_json(struct td_json *j, const struct td_http_error *h)
{
    td_json_obj_begin(j, "downstream");
    td_json_u64(j, "stream", h->stream);
    td_json_str(j, "client", h->client);
    td_json_u64(j, "status", h->status);
    td_json_u64(j, "frame", h->status_frame);
    td_json_obj_end(j);
}
