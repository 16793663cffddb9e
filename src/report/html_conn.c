/* One connection of the HTML report: what failed (heading and ladder), why
 * (the verdict, its evidence linked to the ladder's rows, the chain with the
 * faulty link marked) and what to change (the fix per side, the tshark
 * command that opens the same frames). */
#include <stdio.h>
#include <string.h>

#include "report/html_internal.h"

#include "base/mem.h"

#include "base/banned.h"

static void heading(struct td_buf *out, const struct td_html_conn *c)
{
    td_buf_printf(out, "<h3>tcp.stream %u &middot; ", c->stream);
    td_html_esc(out, c->ladder.left + 7); /* after "client " */
    td_buf_puts(out, " &rarr; ");
    td_html_esc(out, c->ladder.right + 7);
    td_buf_puts(out, " &middot; SNI ");
    td_html_esc(out, c->sni[0] ? c->sni : "(none)");
    if (c->proto[0]) {
        td_buf_puts(out, " &middot; ");
        td_html_esc(out, c->proto);
    }
    td_buf_printf(out, " &middot; <span class=\"%s\">%s</span>", c->failed ? "bad" : "good",
                  c->failed ? "failed" : td_outcome_name(c->outcome));
    if (c->reason[0]) {
        td_buf_puts(out, " (");
        td_html_esc(out, c->reason);
        td_buf_putc(out, ')');
    }
    td_buf_puts(out, "</h3>\n");
    const char *label[] = {"capture: ", "note: ", "key log: "};
    const char *text[] = {c->coverage, c->note, c->keylog};
    for (int i = 0; i < 3; i++) {
        if (text[i][0]) {
            td_buf_printf(out, "<p class=\"note\">%s", label[i]);
            td_html_esc(out, text[i]);
            td_buf_puts(out, "</p>\n");
        }
    }
}

/* Root at the top, the leaf at the bottom; the certificate the verdict names
 * (or the first broken link) marked, and an issuer that was not sent shown
 * where it is missing. */
static void chain_tree(struct td_buf *out, const struct td_html_conn *c, enum td_role side)
{
    const struct td_html_chain *ch = &c->chain[side];
    const char *role = side == TD_SERVER ? "server" : "client";
    if (ch->num == 0) {
        return;
    }
    size_t fault = ch->num;
    for (size_t i = 0; i < ch->num && c->v.has_cert && strcmp(c->v.cert_role, role) == 0; i++) {
        if (strncmp(c->v.cert.subject, ch->certs[i].subject, sizeof ch->certs[i].subject - 1) == 0) {
            fault = i;
            break;
        }
    }
    if (fault == ch->num && ch->broken_at && ch->broken_at < ch->num) {
        fault = ch->broken_at;
    }
    if (ch->missing_issuer[0] && c->v.cause == TD_CAUSE_INCOMPLETE_CHAIN) {
        fault = ch->num; /* the fault is the link that is not there */
    }
    td_buf_printf(out, "<h4>The %s's certificate chain as sent (%zu certificate%s)</h4>\n<ul class=\"chain\">", role,
                  ch->total, ch->total == 1 ? "" : "s");
    size_t depth = 0;
    if (ch->missing_issuer[0] && c->v.cause == TD_CAUSE_INCOMPLETE_CHAIN) {
        td_buf_puts(out, "<li><span class=\"cert missing\">&#10007; missing, not sent: ");
        td_html_esc(out, ch->missing_issuer);
        td_buf_puts(out, "</span><ul>");
        depth++;
    } else if (ch->missing_issuer[0]) {
        td_buf_puts(out, "<li><span class=\"note\">not sent (a root usually is not): ");
        td_html_esc(out, ch->missing_issuer);
        td_buf_puts(out, "</span><ul>");
        depth++;
    }
    for (size_t k = ch->num; k-- > 0;) {
        const struct td_html_cert *ce = &ch->certs[k];
        td_buf_printf(out, "<li><span class=\"cert%s\">%s[%zu] ", k == fault ? " fault" : "",
                      k == fault ? "&#10007; " : "", k);
        td_html_esc(out, ce->subject);
        td_buf_puts(out, "</span> <span class=\"note\">issuer ");
        td_html_esc(out, ce->issuer);
        td_buf_puts(out, ", until ");
        td_html_esc(out, ce->not_after);
        td_buf_printf(out, "%s</span>", ce->self_signed ? ", self-signed" : "");
        if (k > 0) {
            td_buf_puts(out, "<ul>");
            depth++;
        }
    }
    for (size_t i = 0; i < depth; i++) {
        td_buf_puts(out, "</li></ul>");
    }
    td_buf_puts(out, "</li></ul>\n");
}

static void frame_ref(struct td_buf *out, const struct td_html_conn *c, uint64_t frame,
                      const struct td_html_frames *frames)
{
    const char *id = NULL;
    if (frame && td_html_ladder_has(&c->ladder, frame)) {
        id = c->ladder.id;
    } else if (frame && frames) {
        id = td_html_frame_find(frames, c->file, frame);
    }
    if (id) {
        td_buf_printf(out, "<a href=\"#%s-f%llu\">#%llu</a>", id, (unsigned long long)frame, (unsigned long long)frame);
    } else if (frame) {
        td_buf_printf(out, "#%llu", (unsigned long long)frame);
    }
}

const char *td_html_frame_find(const struct td_html_frames *f, size_t file, uint64_t frame)
{
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct td_html_frame_at *m = &f->v[mid];
        if (m->file < file || (m->file == file && m->frame < frame)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < f->n && f->v[lo].file == file && f->v[lo].frame == frame ? f->v[lo].id : NULL;
}

static void cause_line(struct td_buf *out, const struct td_verdict *v)
{
    const struct td_cause_info *ci = td_cause_info(v->cause);
    td_buf_printf(out, "<p class=\"cause\"><span class=\"%s\">", v->cause == TD_CAUSE_NONE ? "good" : "bad");
    td_html_esc(out, ci->title);
    td_buf_printf(out, "</span> (%s) <span class=\"slug\">[%s]</span></p>\n", td_confidence_name(v->confidence),
                  ci->slug);
    if (v->explanation[0]) {
        td_buf_puts(out, "<p>");
        td_html_esc(out, v->explanation);
        td_buf_puts(out, "</p>\n");
    }
    if (v->num_candidates) {
        td_buf_puts(out, "<p>Or:");
        for (size_t i = 0; i < v->num_candidates; i++) {
            td_buf_printf(out, " <span class=\"slug\">%s</span>", td_cause_info(v->candidates[i])->slug);
        }
        td_buf_puts(out, "</p>\n");
    }
    for (size_t i = 0; i < v->num_also; i++) {
        td_buf_printf(out, "<p>Also: <span class=\"bad\">%s</span> ", td_cause_info(v->also[i])->title);
        td_html_esc(out, v->also_why[i]);
        td_buf_printf(out, " <span class=\"slug\">[%s]</span></p>\n", td_cause_info(v->also[i])->slug);
    }
}

static void fix_block(struct td_buf *out, const struct td_verdict *v, enum td_cause cause, const char *fix)
{
    if (cause == TD_CAUSE_NONE && !fix[0]) {
        return;
    }
    td_buf_puts(out, "<div class=\"fix\"><b>Fix</b>");
    if (v->fix_side != TD_SIDE_NONE) {
        td_buf_printf(out, " <span class=\"note\">(to change: the %s)</span>", td_side_name(v->fix_side));
    }
    td_buf_puts(out, ": ");
    td_html_esc(out, fix);
    td_buf_puts(out, "<br>");
    td_html_esc(out, td_cause_info(cause)->resolution);
    td_buf_puts(out, "</div>\n");
}

static void look(struct td_buf *out, const char *file, const char *filter)
{
    td_buf_puts(out, "<p>Open the same frames: <code>tshark -r ");
    td_html_esc(out, file);
    td_buf_puts(out, " -Y &#39;");
    td_html_esc(out, filter);
    td_buf_puts(out, "&#39;</code></p>\n");
}

static void verdict_block(struct td_buf *out, const struct td_html_conn *c, const char *file,
                          const struct td_html_frames *frames)
{
    const struct td_verdict *v = &c->v;
    if (!c->have_verdict) {
        td_buf_puts(out, "<p class=\"note\">No verdict was given for this connection.</p>\n");
        return;
    }
    if (c->revised || c->outcome_revised) {
        td_buf_puts(out, "<p class=\"warn\">Revised by later traffic.</p>\n");
    }
    cause_line(out, v);
    if (v->num_evidence) {
        td_buf_puts(out, "<h4>Evidence</h4>\n<ul class=\"evidence\">");
        for (size_t i = 0; i < v->num_evidence; i++) {
            td_buf_puts(out, "<li>");
            frame_ref(out, c, v->evidence[i].frame, frames);
            td_buf_putc(out, ' ');
            td_html_esc(out, v->evidence[i].what);
            td_buf_puts(out, "</li>");
        }
        td_buf_puts(out, "</ul>\n");
    }
    if (v->has_cert) {
        td_buf_printf(out, "<p>Certificate (%s): ", v->cert_role);
        td_html_esc(out, v->cert.subject);
        td_buf_puts(out, ", issuer ");
        td_html_esc(out, v->cert.issuer);
        td_buf_puts(out, ", serial ");
        td_html_esc(out, v->cert.serial);
        td_buf_puts(out, ", valid ");
        td_html_esc(out, v->cert.not_before);
        td_buf_puts(out, " to ");
        td_html_esc(out, v->cert.not_after);
        td_buf_puts(out, "</p>\n");
    }
    chain_tree(out, c, TD_SERVER);
    chain_tree(out, c, TD_CLIENT);
    if (v->aborted_by != TD_SIDE_NONE) {
        td_buf_printf(out, "<p>Aborted by the %s.</p>\n", td_side_name(v->aborted_by));
    }
    fix_block(out, v, v->cause, v->fix);
    char filter[48];
    snprintf(filter, sizeof filter, "tcp.stream eq %u", c->stream);
    look(out, file, filter);
}

/* The gateway's own exchange with its client: the request and the 5xx. */
static void http_ladder(struct td_buf *out, const struct td_html_http *h)
{
    struct td_html_row rows[2] = {{0}};
    struct td_html_ladder l = {.rows = rows};
    snprintf(l.id, sizeof l.id, "c%zu-%u", h->file, h->h.stream);
    snprintf(l.left, sizeof l.left, "client %s", h->h.client);
    snprintf(l.right, sizeof l.right, "gateway %s", h->h.server);
    if (h->h.request_frame) {
        struct td_html_row *r = &rows[l.num_rows++];
        r->frame = h->h.request_frame;
        r->ns = h->h.request_ns;
        r->anchor = true;
        snprintf(r->name, sizeof r->name, "HTTP request");
        td_strcopy(r->detail, sizeof r->detail, h->h.request);
    }
    struct td_html_row *r = &rows[l.num_rows++];
    r->frame = h->h.status_frame;
    r->ns = h->h.status_ns;
    r->from_server = true;
    r->tone = TD_TONE_ALERT;
    r->anchor = true;
    snprintf(r->name, sizeof r->name, "HTTP %u", h->h.status);
    snprintf(r->detail, sizeof r->detail, "HTTP/1.1 %u %s", h->h.status, h->h.reason);
    td_html_ladder_svg(out, &l, "ladder");
}

static void http_head(struct td_buf *out, const struct td_html_http *h)
{
    td_buf_printf(out, "<h3 id=\"c%zu-%u\">Gateway answer: tcp.stream %u &middot; ", h->file, h->h.stream, h->h.stream);
    td_html_esc(out, h->h.client);
    td_buf_puts(out, " &rarr; ");
    td_html_esc(out, h->h.server);
    td_buf_printf(out, " &middot; <span class=\"bad\">HTTP %u ", h->h.status);
    td_html_esc(out, h->h.reason);
    td_buf_puts(out, "</span></h3>\n");
    http_ladder(out, h);
    if (h->h.body_says) {
        td_buf_puts(out, "<p>Its page says &quot;");
        td_html_esc(out, h->h.body_says);
        td_buf_puts(out, "&quot;: a TLS failure.</p>\n");
    }
}

void td_html_conn_section(struct td_buf *out, const struct td_html_conn *c, const struct td_html_http *const *up,
                          size_t num_up, const char *file, const struct td_html_frames *frames)
{
    td_buf_printf(out, "<section class=\"conn %s\" id=\"%s\">\n", c->failed ? "failed" : "ok", c->ladder.id);
    heading(out, c);
    for (size_t i = 0; i < num_up; i++) {
        td_buf_puts(out, "<div class=\"gateway\">");
        http_head(out, up[i]);
        td_buf_printf(out,
                      "<p>The gateway answered %u because its own TLS connection to the backend, drawn "
                      "below, failed.</p></div>\n",
                      up[i]->h.status);
    }
    td_html_ladder_svg(out, &c->ladder, c->failed ? "ladder" : "okladder");
    verdict_block(out, c, file, frames);
    td_buf_puts(out, "</section>\n");
}

void td_html_http_section(struct td_buf *out, const struct td_html_http *h, const char *file)
{
    td_buf_puts(out, "<section class=\"conn failed\">\n");
    http_head(out, h);
    char filter[64];
    if (h->up) {
        struct td_verdict v = {.cause = h->cause, .confidence = h->conf};
        td_strcopy(v.explanation, sizeof v.explanation, h->explanation);
        td_buf_printf(out, "<p>Owed to the failed TLS connection tcp.stream %u (not drawn here):</p>\n", h->up_stream);
        cause_line(out, &v);
        fix_block(out, &v, h->cause, h->fix);
        snprintf(filter, sizeof filter, "tcp.stream in {%u,%u}", h->h.stream, h->up_stream);
    } else {
        td_buf_printf(out,
                      "<p class=\"cause\">HTTP %u; no failed TLS connection from this server in the capture "
                      "explains it <span class=\"slug\">[%s]</span></p>\n<p>Capture its backend side too: tcpdump "
                      "on the gateway, any interface.</p>\n",
                      h->h.status, td_cause_info(TD_CAUSE_UNKNOWN)->slug);
        snprintf(filter, sizeof filter, "tcp.stream eq %u", h->h.stream);
    }
    look(out, file, filter);
    td_buf_puts(out, "</section>\n");
}

void td_html_ok_details(struct td_buf *out, const struct td_html_conn *c)
{
    td_buf_printf(out, "<details class=\"conn ok\" id=\"%s\"><summary>tcp.stream %u &middot; ", c->ladder.id,
                  c->stream);
    td_html_esc(out, c->ladder.left + 7);
    td_buf_puts(out, " &rarr; ");
    td_html_esc(out, c->ladder.right + 7);
    td_buf_puts(out, " &middot; SNI ");
    td_html_esc(out, c->sni[0] ? c->sni : "(none)");
    td_buf_printf(out, " &middot; %s</summary>\n", td_outcome_name(c->outcome));
    td_html_ladder_svg(out, &c->ladder, "okladder");
    if (c->have_verdict && (c->v.explanation[0] || c->v.cause != TD_CAUSE_NONE)) {
        cause_line(out, &c->v);
    }
    td_buf_puts(out, "</details>\n");
}
