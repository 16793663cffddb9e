/* The one HTML escaper: every string that came from the wire, a certificate
 * or a file (SNI, subjects, HTTP lines, explanations quoting them) goes
 * through it before it reaches a page. Markup characters become entities;
 * control characters and bytes that are not valid UTF-8 become the visible
 * text \xNN, so a hostile name can neither open an element nor hide. */
#include <stdio.h>
#include <string.h>

#include "report/report.h"

#include "base/banned.h"

/* The length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms,
 * no surrogates, nothing over U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < len; i++) {
        if (p[i] < 0x80 || p[i] > 0xbf) {
            return 0;
        }
    }
    return len;
}

static const char *entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

void td_html_esc_n(struct td_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        const char *e = entity(c);
        if (e) {
            td_buf_puts(out, e);
            i++;
        } else if (c >= 0x20 && c < 0x7f) {
            td_buf_putc(out, (char)c);
            i++;
        } else if (c >= 0x80 && utf8_seq(p + i, n - i)) {
            size_t k = utf8_seq(p + i, n - i);
            td_buf_append(out, p + i, k);
            i += k;
        } else {
            td_buf_printf(out, "\\x%02X", c);
            i++;
        }
    }
}

void td_html_esc(struct td_buf *out, const char *s)
{
    if (s) {
        td_html_esc_n(out, s, strlen(s));
    }
}
