/* tlsdiag lab: the scenario list and one line (or JSON object) per scenario. */
#include <stdio.h>

#include "report/internal.h"

#include "base/banned.h"

void td_render_lab_list(struct td_buf *out, bool json)
{
    for (size_t i = 0; i < td_lab_count(); i++) {
        const struct td_lab_info *in = td_lab_info(i);
        if (json) {
            struct td_json j;
            td_json_init(&j, out);
            td_json_obj_begin(&j, NULL);
            td_json_name(&j, "scenario", in->name);
            td_json_name(&j, "cause", td_cause_info(in->cause)->slug);
            td_json_name(&j, "version", in->version);
            td_json_str(&j, "about", in->about);
            td_json_obj_end(&j);
            td_buf_putc(out, '\n');
        } else {
            td_buf_printf(out, "%-28s %-22s %-8s %s\n", in->name, td_cause_info(in->cause)->slug, in->version,
                          in->about);
        }
    }
}

void td_render_lab_header(struct td_buf *out)
{
    td_buf_printf(out, "%-28s %-8s %-22s %-22s\n", "scenario", "version", "expected", "diagnosed");
}

void td_render_lab_json(struct td_buf *out, const struct td_lab_info *in, const struct td_lab_outcome *r,
                        const char *capture)
{
    struct td_json j;
    td_json_init(&j, out);
    td_json_obj_begin(&j, NULL);
    td_json_name(&j, "scenario", in->name);
    td_json_name(&j, "version", in->version);
    td_json_name(&j, "expected", td_cause_info(in->cause)->slug);
    td_json_name(&j, "diagnosed", td_cause_info(r->v.cause)->slug);
    td_json_bool(&j, "ok", r->match);
    td_json_name(&j, "confidence", td_confidence_name(r->v.confidence));
    td_json_bool(&j, "as_alternative", r->alternative);
    if (in->gateway) {
        td_json_bool(&j, "http_503_linked", r->http_linked);
    } else {
        td_json_null(&j, "http_503_linked"); /* not a gateway scenario */
    }
    td_json_u64(&j, "tcp_stream", r->stream);
    td_json_u64(&j, "connections", r->conns);
    td_json_str(&j, "capture", capture);
    td_json_obj_end(&j);
    td_buf_putc(out, '\n');
}

void td_render_lab_text(struct td_buf *out, const struct td_lab_info *in, const struct td_lab_outcome *r,
                        const struct td_render_opts *o)
{
    bool alt = r->alternative;
    const char *mark = r->match ? (alt ? (o->utf8 ? "≈" : "~") : (o->utf8 ? "✓" : "ok")) : (o->utf8 ? "✗" : "FAIL");
    const char *why = alt                             ? "  (TLS 1.3 hides it: listed as the alternative)"
                      : in->hidden                    ? "  (encrypted: read with the key log)"
                      : in->gateway && r->http_linked ? "  (the 503 is linked to it)"
                      : in->gateway                   ? "  (the 503 is NOT linked to it)"
                                                      : "";
    td_buf_printf(out, "%-28s %-8s %-22s %-22s %s%s%s%s\n", in->name, in->version, td_cause_info(in->cause)->slug,
                  td_cause_info(r->v.cause)->slug, td_col(o, r->match ? TD_COL_GREEN : TD_COL_RED), mark,
                  td_col(o, TD_COL_RESET), why);
}

void td_render_lab_total(struct td_buf *out, size_t good, size_t ran, const char *kept_in)
{
    td_buf_printf(out, "\n%zu of %zu scenarios diagnosed as intended%s%s\n", good, ran, kept_in ? "; captures in " : "",
                  kept_in ? kept_in : "");
}
