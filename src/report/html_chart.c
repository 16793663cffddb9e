/* Failures over time: one bar per time bucket, stacked by cause (or by
 * server), with a legend; the same counts are in the cause x server table
 * beside it, which prints and reads without colours. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "report/html_internal.h"

#include "base/banned.h"

#define CW 960
#define CH 230
#define X0 60
#define X1 940
#define Y0 20
#define Y1 170
#define BUCKETS 40

#define SERIES (TD_CAUSE_COUNT > TD_HTML_CHART_SERVERS + 1 ? TD_CAUSE_COUNT : TD_HTML_CHART_SERVERS + 1)

struct chart {
    const char *const *servers; /* NULL: stacked by cause */
    size_t num_servers;
    int64_t tmin, tmax, width;
    uint32_t (*count)[SERIES];
    uint32_t total[BUCKETS];
    uint32_t max;
    bool present[SERIES];
};

/* The series a point counts in: its cause, or its server (the last one:
 * every other server). */
static unsigned series_of(const struct chart *c, const struct td_html_point *p)
{
    if (c->servers) {
        return p->server < c->num_servers ? p->server : TD_HTML_CHART_SERVERS;
    }
    return (unsigned)p->cause < TD_CAUSE_COUNT ? (unsigned)p->cause : TD_CAUSE_UNKNOWN;
}

static const char *series_color(const struct chart *c, unsigned k)
{
    return c->servers && k == TD_HTML_CHART_SERVERS ? "#9ca3af" : td_html_cause_color((enum td_cause)k);
}

static void series_name(struct td_buf *out, const struct chart *c, unsigned k)
{
    if (!c->servers) {
        td_buf_puts(out, td_cause_info((enum td_cause)k)->slug);
    } else if (k == TD_HTML_CHART_SERVERS) {
        td_buf_puts(out, "other servers");
    } else {
        td_html_esc(out, c->servers[k]);
    }
}

/* A round bucket width of at least ns: 1 ms, 2 ms, 5 ms ... 1 s ... 1 min ... 1 day. */
static int64_t bucket_width(int64_t ns)
{
    static const int64_t steps[] = {1,      2,      5,       10,      20,      50,       100,      200,     500,
                                    1000,   2000,   5000,    10000,   15000,   30000,    60000,    120000,  300000,
                                    600000, 900000, 1800000, 3600000, 7200000, 21600000, 43200000, 86400000};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (steps[i] * 1000000LL >= ns) {
            return steps[i] * 1000000LL;
        }
    }
    return (ns / 86400000000000LL + 1) * 86400000000000LL;
}

static void width_words(struct td_buf *out, int64_t ns)
{
    int64_t ms = ns / 1000000;
    if (ms < 1000) {
        td_buf_printf(out, "%lld ms", (long long)ms);
    } else if (ms < 60000) {
        td_buf_printf(out, "%lld s", (long long)(ms / 1000));
    } else if (ms < 3600000) {
        td_buf_printf(out, "%lld min", (long long)(ms / 60000));
    } else {
        td_buf_printf(out, "%lld h", (long long)(ms / 3600000));
    }
}

static void bucketise(struct chart *c, const struct td_html_point *p, size_t n)
{
    c->tmin = p[0].ns;
    c->tmax = p[0].ns;
    for (size_t i = 1; i < n; i++) {
        c->tmin = p[i].ns < c->tmin ? p[i].ns : c->tmin;
        c->tmax = p[i].ns > c->tmax ? p[i].ns : c->tmax;
    }
    c->width = bucket_width((c->tmax - c->tmin) / BUCKETS + 1);
    c->count = td_calloc(BUCKETS, sizeof *c->count);
    for (size_t i = 0; i < n; i++) {
        int64_t b = (p[i].ns - c->tmin) / c->width;
        b = b >= BUCKETS ? BUCKETS - 1 : b;
        unsigned k = series_of(c, &p[i]);
        c->count[b][k]++;
        c->total[b]++;
        c->present[k] = true;
        c->max = c->total[b] > c->max ? c->total[b] : c->max;
    }
}

static void bars(struct td_buf *out, const struct chart *c)
{
    double bw = (double)(X1 - X0) / BUCKETS;
    for (int b = 0; b < BUCKETS; b++) {
        double y = Y1;
        for (unsigned k = 0; k < SERIES; k++) {
            if (!c->count[b][k]) {
                continue;
            }
            double h = (double)(Y1 - Y0) * c->count[b][k] / c->max;
            y -= h;
            td_buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
                          X0 + b * bw + 1, y, bw - 2, h, series_color(c, k));
            series_name(out, c, k);
            td_buf_printf(out, ": %u</title></rect>", c->count[b][k]);
        }
    }
    td_buf_putc(out, '\n');
}

static void axes(struct td_buf *out, const struct chart *c)
{
    td_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", X0, Y1, X1, Y1);
    td_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", X0, Y0, X0, Y1);
    td_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%u</text>", X0 - 6, Y0 + 10, c->max);
    td_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>", X0 - 6, Y1);
    td_buf_printf(out, "<text x=\"%d\" y=\"%d\">", X0, Y1 + 16);
    td_html_time(out, c->tmin);
    td_buf_printf(out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", X1, Y1 + 16);
    td_html_time(out, c->tmin + BUCKETS * c->width); /* the axis's end, past the last failure */
    td_buf_printf(out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">failures per ",
                  (X0 + X1) / 2, Y1 + 16);
    width_words(out, c->width);
    td_buf_puts(out, "</text>\n");
}

static void legend(struct td_buf *out, const struct chart *c)
{
    int x = X0, y = Y1 + 40;
    struct td_buf name = {0};
    for (unsigned k = 0; k < SERIES; k++) {
        if (!c->present[k]) {
            continue;
        }
        td_buf_reset(&name);
        series_name(&name, c, k);
        int w = 24 + 8 * (int)name.len;
        if (x + w > X1) {
            x = X0;
            y += 18;
        }
        td_buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">",
                      x, y - 10, series_color(c, k), x + 16, y);
        td_buf_append(out, name.data, name.len);
        td_buf_puts(out, "</text>");
        x += w;
    }
    td_buf_free(&name);
    td_buf_putc(out, '\n');
}

void td_html_chart_svg(struct td_buf *out, const struct td_html_point *p, size_t n, const char *const *servers,
                       size_t num_servers)
{
    if (n == 0) {
        td_buf_puts(out, "<p class=\"note\">No failed connection: nothing to chart.</p>\n");
        return;
    }
    struct chart c = {.servers = servers, .num_servers = num_servers};
    bucketise(&c, p, n);
    td_buf_printf(out,
                  "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                  "height=\"%d\" role=\"img\"><title>failures over time, by %s</title>\n",
                  CW, CH + 20, CW, CH + 20, servers ? "server" : "cause");
    bars(out, &c);
    axes(out, &c);
    legend(out, &c);
    td_buf_puts(out, "</svg>\n");
    free(c.count);
}
