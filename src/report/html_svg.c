/* The drawings of the HTML report, as inline SVG: a connection's handshake
 * as a ladder between client and server (arrows with frame numbers and
 * message names, alerts in red, FIN/RST dashed, gaps across), and failures
 * over time stacked by cause. Every text from the capture is escaped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"
#include "report/html_internal.h"
#include "report/internal.h"

#include "base/banned.h"

#define W 980
#define XC 200
#define XS 800
#define TOP 56
#define ROW 40
#define DETAIL_CHARS 80

static enum td_html_tone tone_of(const struct td_msg *m)
{
    switch (m->kind) {
    case TD_M_ALERT:
    case TD_M_MALFORMED:
    case TD_M_NOT_TLS:
        return TD_TONE_ALERT;
    case TD_M_TCP_FIN:
        return TD_TONE_FIN;
    case TD_M_TCP_RST:
        return TD_TONE_RST;
    case TD_M_GAP:
        return TD_TONE_GAP;
    case TD_M_APPDATA:
    case TD_M_CCS:
        return TD_TONE_QUIET;
    default:
        return TD_TONE_NORMAL;
    }
}

static void copy_cut(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) {
            n--;
        }
    }
    td_memcopy(dst, s, n);
    dst[n] = '\0';
}

void td_html_ladder_from_conn(struct td_html_ladder *l, const struct td_tls_conn *c, const struct td_render_opts *o)
{
    char a[80];
    struct td_render_opts mo = *o;
    mo.color = false;
    mo.verbose = false;
    td_addr_port_str(&c->addr[TD_CLIENT], c->port[TD_CLIENT], a, sizeof a);
    snprintf(l->left, sizeof l->left, "client %s", a);
    td_addr_port_str(&c->addr[TD_SERVER], c->port[TD_SERVER], a, sizeof a);
    snprintf(l->right, sizeof l->right, "server %s", a);
    size_t n = c->num_msgs < TD_HTML_MAX_ROWS ? c->num_msgs : TD_HTML_MAX_ROWS;
    l->rows = td_calloc(n ? n : 1, sizeof *l->rows);
    l->num_rows = 0;
    l->more_rows = c->dropped_msgs;
    struct td_buf d = {0};
    uint64_t last_frame = 0;
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        if (l->num_rows == n) {
            l->more_rows++;
            continue;
        }
        struct td_html_row *r = &l->rows[l->num_rows++];
        r->frame = m->frame;
        r->ns = m->ts.sec * 1000000000LL + m->ts.nsec;
        r->from_server = m->from == TD_SERVER;
        r->tone = tone_of(m);
        r->anchor = l->num_rows == 1 || m->frame != last_frame;
        last_frame = m->frame;
        const char *name = td_msg_type_name(m);
        copy_cut(r->name, sizeof r->name, name, strlen(name));
        td_buf_reset(&d);
        td_render_msg_summary(&d, m, &mo);
        copy_cut(r->detail, sizeof r->detail, (const char *)d.data, d.len);
    }
    td_buf_free(&d);
}

void td_html_copy(char *dst, size_t cap, const char *src) { copy_cut(dst, cap, src ? src : "", src ? strlen(src) : 0); }

void td_html_ladder_free(struct td_html_ladder *l)
{
    free(l->rows);
    l->rows = NULL;
    l->num_rows = 0;
}

bool td_html_ladder_has(const struct td_html_ladder *l, uint64_t frame)
{
    for (size_t i = 0; i < l->num_rows; i++) {
        if (l->rows[i].anchor && l->rows[i].frame == frame) {
            return true;
        }
    }
    return false;
}

static const char *tone_color(enum td_html_tone t)
{
    switch (t) {
    case TD_TONE_ALERT:
        return "#c62828";
    case TD_TONE_RST:
        return "#d84315";
    case TD_TONE_FIN:
    case TD_TONE_GAP:
    case TD_TONE_QUIET:
        return "#6b7280";
    default:
        return "#1f4e8c";
    }
}

/* Text cut to a width in characters (UTF-8 aware), the whole in a tooltip. */
static void svg_text_cut(struct td_buf *out, const char *s, size_t chars)
{
    size_t n = 0, i = 0, len = strlen(s);
    for (; i < len && n < chars; i++) {
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    }
    while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80) {
        i++;
    }
    td_html_esc_n(out, s, i);
    if (i < len) {
        td_buf_puts(out, "\xe2\x80\xa6<title>");
        td_html_esc(out, s);
        td_buf_puts(out, "</title>");
    }
}

static void row_svg(struct td_buf *out, const struct td_html_ladder *l, const struct td_html_row *r, int y, int64_t t0)
{
    const char *col = tone_color(r->tone);
    td_buf_puts(out, "<g class=\"msg\"");
    if (r->anchor) {
        td_buf_printf(out, " id=\"%s-f%llu\"", l->id, (unsigned long long)r->frame);
    }
    td_buf_printf(out, "><rect class=\"hl\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\"/>", y, W, ROW);
    double dt = (double)(r->ns - t0) / 1e9;
    td_buf_printf(out,
                  dt < 1 ? "<text x=\"8\" y=\"%d\" fill=\"#6b7280\">+%.1f ms</text>"
                         : "<text x=\"8\" y=\"%d\" fill=\"#6b7280\">+%.3f s</text>",
                  y + 26, dt < 1 ? dt * 1e3 : dt);
    if (r->tone == TD_TONE_GAP) {
        td_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-dasharray=\"2 4\"/>",
                      XC - 40, y + 22, XS + 40, y + 22, col);
    } else {
        int x1 = r->from_server ? XS : XC, x2 = r->from_server ? XC : XS, dx = r->from_server ? 10 : -10;
        td_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%s\"%s/>", x1,
                      y + 22, x2 + dx, y + 22, col, r->tone == TD_TONE_ALERT ? "2.5" : "1.5",
                      r->tone == TD_TONE_FIN || r->tone == TD_TONE_RST ? " stroke-dasharray=\"6 4\"" : "");
        td_buf_printf(out, "<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>", x2, y + 22, x2 + dx, y + 17, x2 + dx,
                      y + 27, col);
    }
    td_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"%s\">#%llu ",
                  (XC + XS) / 2, y + 16, col, (unsigned long long)r->frame);
    td_html_esc(out, r->name);
    td_buf_printf(out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"d\" fill=\"%s\">", (XC + XS) / 2,
                  y + 36, r->tone == TD_TONE_ALERT ? col : "#374151");
    svg_text_cut(out, r->detail, DETAIL_CHARS);
    td_buf_puts(out, "</text></g>\n");
}

void td_html_ladder_svg(struct td_buf *out, const struct td_html_ladder *l, const char *cls)
{
    int h = TOP + (int)l->num_rows * ROW + (l->more_rows ? 24 : 8);
    td_buf_printf(out,
                  "<svg class=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                  "height=\"%d\" role=\"img\"><title>handshake ladder</title>\n",
                  cls, W, h, W, h);
    td_buf_printf(out, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">", XC);
    td_html_esc(out, l->left);
    td_buf_printf(out, "</text><text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">", XS);
    td_html_esc(out, l->right);
    td_buf_puts(out, "</text>\n");
    for (int x = XC; x <= XS; x += XS - XC) {
        td_buf_printf(out, "<line x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%d\" stroke=\"#9ca3af\" stroke-width=\"2\"/>", x,
                      x, h - 4);
    }
    int64_t t0 = l->num_rows ? l->rows[0].ns : 0;
    for (size_t i = 0; i < l->num_rows; i++) {
        row_svg(out, l, &l->rows[i], TOP - 16 + (int)i * ROW, t0);
    }
    if (l->more_rows) {
        td_buf_printf(
            out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#6b7280\">%zu more messages not drawn</text>\n",
            (XC + XS) / 2, h - 8, l->more_rows);
    }
    td_buf_puts(out, "</svg>\n");
}

const char *td_html_cause_color(enum td_cause c)
{
    static const char *const palette[] = {"#c62828", "#1565c0", "#ef6c00", "#6a1b9a", "#2e7d32", "#00838f",
                                          "#ad1457", "#4e342e", "#9e9d24", "#283593", "#00695c", "#d84315"};
    return palette[(unsigned)c % (sizeof palette / sizeof palette[0])];
}

void td_html_time(struct td_buf *out, int64_t ns)
{
    time_t s = (time_t)(ns / 1000000000LL);
    struct tm tm;
    char b[40];
    if (!gmtime_r(&s, &tm) || !strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S", &tm)) {
        td_buf_printf(out, "%lld ns", (long long)ns);
        return;
    }
    td_buf_printf(out, "%s.%03d UTC", b, (int)((ns % 1000000000LL) / 1000000));
}
