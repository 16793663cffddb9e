/* A side that does not speak TLS: its first bytes kept as text, the HTTP
 * request or status line in them, and what a server's page says about TLS
 * (plain HTTP sent to a TLS port). */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "tls/internal.h"

#include "base/banned.h"

static void sanitize(struct td_buf *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = p[i];
        if (ch == '\r') {
            continue;
        }
        if (ch == '\n') {
            td_buf_puts(out, "\\n");
        } else if (ch >= 0x20 && ch < 0x7f) {
            td_buf_putc(out, (char)ch);
        } else {
            td_buf_printf(out, "\\x%02x", ch);
        }
    }
}

/* The first line of an HTTP/1.x request or response, if the text starts
 * with one (RFC 9112 3, 4): "GET /path HTTP/1.1", "HTTP/1.1 503 Service ...". */
void td_conn_http_line(struct td_tls_conn *c, enum td_role from, const struct td_buf *t, const struct td_at *at)
{
    size_t n = 0;
    while (n < t->len && t->data[n] != '\r' && t->data[n] != '\n') {
        n++;
    }
    if (n == t->len) {
        return; /* the line is not complete yet */
    }
    const char *l = (const char *)t->data;
    if (from == TD_SERVER && !c->http_status && n >= 12 && td_mem_eq(l, "HTTP/1.", 7) && l[8] == ' ') {
        uint16_t code = 0;
        for (size_t i = 9; i < 12; i++) {
            if (l[i] < '0' || l[i] > '9') {
                return;
            }
            code = (uint16_t)(code * 10 + (uint16_t)(l[i] - '0'));
        }
        c->http_status = code;
        c->http_status_frame = at->frame;
        c->http_status_ts = at->ts;
        size_t r = n > 13 ? n - 13 : 0;
        r = r < sizeof c->http_reason - 1 ? r : sizeof c->http_reason - 1;
        for (size_t i = 0; i < r; i++) {
            char ch = l[13 + i];
            c->http_reason[i] = ch >= 0x20 && ch < 0x7f ? ch : '?';
        }
        c->http_reason[r] = '\0';
    } else if (from == TD_CLIENT && !c->http_request[0] && n >= 14 && td_mem_eq(l + n - 9, " HTTP/1.", 8)) {
        size_t k = n < sizeof c->http_request - 1 ? n : sizeof c->http_request - 1;
        for (size_t i = 0; i < k; i++) {
            char ch = l[i];
            if (ch < 0x20 || ch >= 0x7f) {
                return;
            }
            c->http_request[i] = ch;
        }
        c->http_request[k] = '\0';
        c->http_request_frame = at->frame;
        c->http_request_ts = at->ts;
    }
}

static bool has_text(const uint8_t *p, size_t n, const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i + len <= n; i++) {
        if (td_mem_eq(p + i, s, len)) {
            return true;
        }
    }
    return false;
}

void td_conn_feed_other(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (from == TD_SERVER && d->offset < 4096 && !c->http_said_tls_port) {
        c->http_said_tls_port = has_text(p, n < 4096 ? n : 4096, "plain HTTP request was sent to HTTPS port") ||
                                has_text(p, n < 4096 ? n : 4096, "speaking plain HTTP to an SSL-enabled");
    }
    d->offset += n;
    if (d->text.len < 160) {
        size_t take = n < 160 - d->text.len ? n : 160 - d->text.len;
        struct td_buf t = {0};
        td_buf_append(&t, d->text.data, d->text.len);
        td_buf_append(&t, p, take);
        td_conn_http_line(c, from, &t, at);
        td_buf_free(&t);
    }
    if (from == TD_SERVER && c->http_status >= 400 && !c->http_tls_hint && c->http_scanned < TD_HTTP_HINT_SCAN) {
        /* A phrase cut by a segment boundary is missed: error pages are
         * small and come in one segment. */
        c->http_tls_hint = td_http_tls_hint(p, n);
        c->http_scanned += (uint32_t)(n < TD_HTTP_HINT_SCAN ? n : TD_HTTP_HINT_SCAN);
    }
    if (d->text.len >= 160) {
        return;
    }
    size_t take = n < 160 - d->text.len ? n : 160 - d->text.len;
    td_buf_append(&d->text, p, take);
    if (!d->text_msg) {
        d->text_msg = td_conn_add_msg(c, TD_M_NOT_TLS, from, at);
        if (c->tls_seen && !c->complete) {
            td_conn_fail(c, "the peer does not speak TLS");
        }
    }
    if (d->text_msg) {
        struct td_buf s = {0};
        sanitize(&s, d->text.data, d->text.len);
        free(d->text_msg->text);
        d->text_msg->text = td_strndup(td_buf_cstr(&s), s.len);
        d->text_msg->length = (uint32_t)d->offset;
        td_buf_free(&s);
    }
}
