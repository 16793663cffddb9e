/* A gateway's HTTP 5xx (northbound) with the southbound TLS connection it is
 * owed to: the verdict it inherits, capped by how sure the link is. */
#include <stdio.h>

#include "base/escape.h"
#include "base/json.h"
#include "report/internal.h"

#include "base/banned.h"

/* The upstream verdict as the HTTP answer inherits it: never surer than the
 * link between the two. */
static struct td_verdict inherited(const struct td_http_result *r)
{
    struct td_verdict v = *r->up;
    if (r->link_confidence > v.confidence) {
        v.confidence = r->link_confidence;
    }
    return v;
}

static void ms_str(int64_t ns, char *out, size_t len)
{
    double ms = (double)(ns < 0 ? -ns : ns) / 1e6;
    snprintf(out, len, ms < 10 ? "%.1f ms" : "%.0f ms", ms);
}

static void link_text(struct td_buf *out, const struct td_http_result *r, const struct td_render_opts *o)
{
    const struct td_http_error *h = r->http;
    char when[32];
    ms_str(r->up_after_request_ns, when, sizeof when);
    const char *rel = r->up_after_request_ns >= 0 ? "after" : "before";
    const char *anchor = h->request_frame ? "the request" : "the answer";
    td_buf_printf(out, "  Link     tcp.stream %u started %s %s %s; ", r->up_stream, when, rel, anchor);
    if (r->link_confidence == TD_CONF_HIGH) {
        td_buf_printf(out, "the only failed TLS connection from %s between the request and the answer\n", h->server_ip);
    } else if (r->in_window > 1) {
        td_buf_printf(out,
                      "one of %zu failed TLS connections from %s between the request and the answer (the first "
                      "is taken)\n",
                      r->in_window, h->server_ip);
    } else {
        td_buf_printf(out,
                      "no failed TLS connection from %s started between the request and the answer, so the link "
                      "is a guess: capture on the gateway itself (tcpdump -i any) to tie them\n",
                      h->server_ip);
    }
    for (size_t i = 0; i < r->num_others; i++) {
        ms_str(r->others[i].after_request_ns, when, sizeof when);
        td_buf_printf(out, "           or tcp.stream %u, started %s %s %s: %s\n", r->others[i].stream, when,
                      r->others[i].after_request_ns >= 0 ? "after" : "before", anchor,
                      td_cause_info(r->others[i].cause)->slug);
    }
    (void)o;
}

/* The request line, the reason phrase, the page's words and the upstream
 * texts come from the wire: escaped through e. */
static void http_text(struct td_buf *out, const struct td_http_result *r, const struct td_render_opts *o,
                      struct td_esc *e)
{
    const struct td_http_error *h = r->http;
    const char *arrow = o->utf8 ? "→" : "->", *larrow = o->utf8 ? "←" : "<-";
    td_buf_printf(out, "tcp.stream %u  %s %s %s  HTTP  %s%u %s%s\n", h->stream, h->client, arrow, h->server,
                  td_col(o, TD_COL_RED), h->status, td_esc(e, h->reason), td_col(o, TD_COL_RESET));
    if (h->request_frame) {
        td_buf_printf(out, "  #%-6llu client %s server  %s\n", (unsigned long long)h->request_frame, arrow,
                      td_esc(e, h->request));
    }
    td_buf_printf(out, "  #%-6llu client %s server  HTTP/1.1 %u %s\n", (unsigned long long)h->status_frame, larrow,
                  h->status, td_esc(e, h->reason));
    if (!r->up) {
        if (h->body_says) {
            td_buf_printf(out, "  Evidence #%-6llu its page says \"%s\": a TLS failure\n",
                          (unsigned long long)h->status_frame, td_esc(e, h->body_says));
        }
        td_buf_printf(out,
                      "  %sCause%s    HTTP %u from %s; no failed TLS connection from it in this capture explains "
                      "it (capture its backend side too: tcpdump on the gateway, any interface)\n\n",
                      td_col(o, TD_COL_BOLD), td_col(o, TD_COL_RESET), h->status, h->server);
        return;
    }
    struct td_verdict up = inherited(r);
    const struct td_cause_info *ci = td_cause_info(up.cause);
    td_buf_printf(out,
                  "  %sCause%s    %s%s%s (%s): the gateway's own TLS connection to its backend failed, so it "
                  "answered %u  [%s]\n",
                  td_col(o, TD_COL_BOLD), td_col(o, TD_COL_RESET), td_col(o, TD_COL_RED), ci->title,
                  td_col(o, TD_COL_RESET), td_confidence_name(up.confidence), h->status, ci->slug);
    td_buf_printf(out, "  Evidence #%-6llu HTTP %u from %s to its client%s%s%s\n", (unsigned long long)h->status_frame,
                  h->status, h->server, h->body_says ? "; its page says \"" : "",
                  h->body_says ? td_esc(e, h->body_says) : "", h->body_says ? "\"" : "");
    td_buf_printf(out, "           tcp.stream %u  %s failed: %s\n", r->up_stream, td_esc(e, r->up_desc),
                  td_esc(e, up.explanation));
    link_text(out, r, o);
    td_buf_printf(out, "  %sFix%s      southbound (gateway %s backend): %s\n", td_col(o, TD_COL_YELLOW),
                  td_col(o, TD_COL_RESET), arrow, td_esc(e, up.fix));
    td_buf_printf(out, "           %s\n", ci->resolution);
    td_buf_puts(out, "  Look     tshark -r ");
    td_shell_word(out, o->file ? o->file : "FILE");
    td_buf_printf(out, " -Y 'tcp.stream in {%u,%u}'\n\n", h->stream, r->up_stream);
}

void td_render_http_text(struct td_buf *out, const struct td_http_result *r, const struct td_render_opts *o)
{
    struct td_esc e = {0};
    http_text(out, r, o, &e);
    td_esc_free(&e);
}

static void messages_json(struct td_json *j, const struct td_http_error *h)
{
    td_json_arr_begin(j, "messages");
    for (int k = 0; k < 2; k++) {
        uint64_t frame = k ? h->status_frame : h->request_frame;
        int64_t ns = k ? h->status_ns : h->request_ns;
        if (!frame) {
            continue;
        }
        char ts[40];
        struct td_time t = {ns / 1000000000LL, (uint32_t)(ns % 1000000000LL)};
        td_time_str(&t, ts, sizeof ts);
        td_json_obj_begin(j, NULL);
        td_json_u64(j, "frame", frame);
        td_json_raw(j, "time", ts);
        td_json_name(j, "from", k ? "server" : "client");
        td_json_name(j, "type", k ? "HTTPResponse" : "HTTPRequest");
        if (k) {
            char line[80];
            snprintf(line, sizeof line, "%u %s", h->status, h->reason);
            td_json_str(j, "text", line);
        } else {
            td_json_str(j, "text", h->request);
        }
        td_json_obj_end(j);
    }
    td_json_arr_end(j);
}

static void link_json(struct td_json *j, const struct td_http_result *r)
{
    char ms[32];
    td_json_obj_begin(j, "link");
    td_json_name(j, "confidence", td_confidence_name(r->link_confidence));
    snprintf(ms, sizeof ms, "%.3f", (double)r->up_after_request_ns / 1e6);
    td_json_raw(j, r->http->request_frame ? "after_request_ms" : "after_answer_ms", ms);
    td_json_u64(j, "in_window", r->in_window);
    td_json_arr_begin(j, "others");
    for (size_t i = 0; i < r->num_others; i++) {
        td_json_obj_begin(j, NULL);
        td_json_u64(j, "stream", r->others[i].stream);
        td_json_name(j, "cause", td_cause_info(r->others[i].cause)->slug);
        snprintf(ms, sizeof ms, "%.3f", (double)r->others[i].after_request_ns / 1e6);
        td_json_raw(j, r->http->request_frame ? "after_request_ms" : "after_answer_ms", ms);
        td_json_obj_end(j);
    }
    td_json_arr_end(j);
    td_json_obj_end(j);
}

void td_render_http_json(struct td_buf *out, const struct td_http_result *r, const struct td_render_opts *o)
{
    const struct td_http_error *h = r->http;
    struct td_json j;
    td_json_init(&j, out);
    td_json_obj_begin(&j, NULL);
    td_json_str(&j, "file", o->file);
    if (o->observer) {
        td_json_str(&j, "observer", o->observer);
    }
    td_json_u64(&j, "stream", h->stream);
    td_json_str(&j, "client", h->client);
    td_json_str(&j, "server", h->server);
    struct td_addr ca, sa;
    uint16_t cp, sp;
    if (td_addr_port_parse(h->client, &ca, &cp) && td_addr_port_parse(h->server, &sa, &sp)) {
        td_render_community_id(&j, &ca, cp, &sa, sp);
    } else {
        td_json_null(&j, "community_id");
    }
    td_json_name(&j, "protocol", "http");
    td_json_obj_begin(&j, "http");
    td_json_str(&j, "request", h->request);
    td_json_u64(&j, "request_frame", h->request_frame);
    td_json_u64(&j, "status", h->status);
    td_json_str(&j, "reason", h->reason);
    td_json_u64(&j, "status_frame", h->status_frame);
    td_json_str(&j, "body_says", h->body_says);
    td_json_obj_end(&j);
    td_json_name(&j, "outcome", "failed");
    messages_json(&j, h);
    if (r->up) {
        struct td_verdict up = inherited(r);
        td_json_u64(&j, "upstream_stream", r->up_stream);
        link_json(&j, r);
        td_render_verdict_json(&j, &up);
    } else {
        /* the same keys as a linked answer: an unknown verdict, no link */
        struct td_verdict v;
        td_memzero(&v, sizeof v);
        v.cause = TD_CAUSE_UNKNOWN;
        snprintf(v.explanation, sizeof v.explanation, "%s",
                 "no failed TLS connection from this server in the capture explains the answer");
        td_json_null(&j, "upstream_stream");
        td_json_null(&j, "link");
        td_render_verdict_json(&j, &v);
    }
    td_json_obj_end(&j);
    td_buf_putc(out, '\n');
}
