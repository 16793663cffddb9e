/* The page of tlsdiag pcap --html, from what render_html.c collected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "report/html_internal.h"
#include "report/internal.h"

#include "base/banned.h"

#define MAX_UP 8

static void row_u64(struct td_buf *out, const char *label, uint64_t v)
{
    td_buf_printf(out, "<tr><th>%s</th><td>%llu</td></tr>\n", label, (unsigned long long)v);
}

static void quality(struct td_buf *out, const struct td_run_stats *s)
{
    char cmd[200];
    td_buf_puts(out, "<tr><th>Capture quality</th><td>");
    if (!td_capture_advice(s, cmd, sizeof cmd)) {
        td_buf_puts(out, "<span class=\"good\">whole</span>: every connection seen both ways from its start, no "
                         "frame cut</td></tr>\n");
        return;
    }
    td_buf_printf(out,
                  "<span class=\"warn\">incomplete</span>: %llu frames cut by the snap length (%llu connections), "
                  "%llu connections seen one way, %llu started mid-stream, %llu with %llu bytes ACKed but not "
                  "captured, %llu still open at the end<br>capture properly: <code>",
                  (unsigned long long)s->cut_frames, (unsigned long long)s->snap_cut_conns,
                  (unsigned long long)s->one_sided_conns, (unsigned long long)s->midstream_conns,
                  (unsigned long long)s->acked_missing_conns, (unsigned long long)s->acked_missing_bytes,
                  (unsigned long long)s->open_at_end_conns);
    td_html_esc(out, cmd);
    td_buf_puts(out, "</code></td></tr>\n");
}

static void file_table(struct td_buf *out, const struct td_html_file *f)
{
    td_buf_puts(out, "<h3>");
    td_html_esc(out, f->name);
    td_buf_puts(out, "</h3>\n<table>\n");
    if (!f->have_summary) {
        td_buf_puts(out, "<tr><td>not read to its end</td></tr></table>\n");
        return;
    }
    const struct td_run_stats *s = &f->stats;
    row_u64(out, "Frames", s->frames);
    row_u64(out, "TCP connections", s->tcp_streams);
    td_buf_printf(out,
                  "<tr><th>TLS connections</th><td>%llu: <span class=\"good\">%llu ok</span>, <span "
                  "class=\"%s\">%llu failed</span>, %llu incomplete</td></tr>\n",
                  (unsigned long long)s->tls_conns, (unsigned long long)s->ok, s->failed ? "bad" : "good",
                  (unsigned long long)s->failed, (unsigned long long)s->incomplete);
    if (f->tmin) {
        td_buf_puts(out, "<tr><th>Time span</th><td>");
        td_html_time(out, f->tmin);
        td_buf_puts(out, " &ndash; ");
        td_html_time(out, f->tmax);
        td_buf_printf(out, " (%.3f s, connection starts)</td></tr>\n", (double)(f->tmax - f->tmin) / 1e9);
    }
    if (s->not_tls_on_tls_port) {
        row_u64(out, "Not TLS on a TLS port", s->not_tls_on_tls_port);
    }
    if (f->num_http) {
        td_buf_printf(out, "<tr><th>HTTP 5xx answers</th><td>%zu, %zu explained by a failed TLS connection</td></tr>\n",
                      f->num_http, f->http_linked);
    }
    if (s->fragments || s->truncated || s->malformed_frames || s->evicted) {
        td_buf_printf(out,
                      "<tr><th>Skipped</th><td>%llu IP fragments, %llu frames cut by the snap length, %llu "
                      "malformed frames, %llu connections evicted</td></tr>\n",
                      (unsigned long long)s->fragments, (unsigned long long)s->truncated,
                      (unsigned long long)s->malformed_frames, (unsigned long long)s->evicted);
    }
    quality(out, s);
    td_buf_puts(out, "</table>\n");
}

/* Causes present in any file, in the table's order. */
static size_t causes_present(const struct td_html *h, enum td_cause *out)
{
    size_t n = 0;
    for (int k = 1; k < TD_CAUSE_COUNT; k++) {
        uint64_t t = 0;
        for (size_t i = 0; i < h->num_files; i++) {
            t += h->files[i].causes[k];
        }
        if (t) {
            out[n++] = (enum td_cause)k;
        }
    }
    return n;
}

static void cause_server_table(struct td_buf *out, const struct td_html *h)
{
    enum td_cause cs[TD_CAUSE_COUNT];
    size_t nc = causes_present(h, cs);
    if (nc == 0) {
        return;
    }
    td_buf_puts(out, "<table class=\"causes\">\n<tr><th>server</th>");
    for (size_t k = 0; k < nc; k++) {
        td_buf_printf(out, "<th><span style=\"color:%s\">&#9632;</span> %s</th>", td_html_cause_color(cs[k]),
                      td_cause_info(cs[k])->slug);
    }
    td_buf_puts(out, "<th>ok</th></tr>\n");
    for (size_t i = 0; i < h->num_files; i++) {
        const struct td_html_file *f = &h->files[i];
        for (size_t s = 0; s < f->num_servers; s++) {
            td_buf_puts(out, "<tr><td>");
            td_html_esc(out, f->servers[s].name);
            td_buf_puts(out, "</td>");
            for (size_t k = 0; k < nc; k++) {
                td_buf_printf(out, "<td class=\"n\">%u</td>", f->servers[s].causes[cs[k]]);
            }
            td_buf_printf(out, "<td class=\"n\">%u</td></tr>\n", f->servers[s].ok);
        }
        if (f->servers_more) {
            td_buf_printf(out, "<tr><td colspan=\"%zu\">%zu more servers with failures</td></tr>\n", nc + 2,
                          f->servers_more);
        }
    }
    td_buf_puts(out, "<tr><th>all</th>");
    for (size_t k = 0; k < nc; k++) {
        uint64_t t = 0;
        for (size_t i = 0; i < h->num_files; i++) {
            t += h->files[i].causes[cs[k]];
        }
        td_buf_printf(out, "<th class=\"n\">%llu</th>", (unsigned long long)t);
    }
    td_buf_puts(out, "<th></th></tr>\n</table>\n");
}

static int cmp_conn(const void *a, const void *b)
{
    const struct td_html_conn *x = *(const struct td_html_conn *const *)a, *y = *(const struct td_html_conn *const *)b;
    if (x->file != y->file) {
        return x->file < y->file ? -1 : 1;
    }
    return x->stream < y->stream ? -1 : x->stream > y->stream;
}

#define PER_GROUP 20
#define GROUP_EXAMPLES 12

/* In a large capture, the failures of one server with one cause are drawn
 * PER_GROUP times; the others are listed by stream. */
struct group {
    size_t file;
    const char *server;
    enum td_cause cause;
    size_t drawn, more;
    uint32_t examples[GROUP_EXAMPLES];
};

static struct group *group_of(struct group *g, size_t *n, const struct td_html_conn *c)
{
    enum td_cause cause = c->have_verdict ? c->v.cause : TD_CAUSE_UNKNOWN;
    for (size_t i = 0; i < *n; i++) {
        if (g[i].file == c->file && g[i].cause == cause && strcmp(g[i].server, c->ladder.right) == 0) {
            return &g[i];
        }
    }
    struct group *o = &g[(*n)++];
    td_memzero(o, sizeof *o);
    o->file = c->file;
    o->server = c->ladder.right;
    o->cause = cause;
    return o;
}

static size_t choose(const struct td_html *h, bool *draw, struct group *g, size_t *ng)
{
    bool big = !(h->o.all || h->conns < h->o.small);
    size_t undrawn = 0;
    for (size_t i = 0; i < h->num_failed; i++) {
        struct group *gr = group_of(g, ng, h->failed[i]);
        draw[i] = !big || gr->drawn < PER_GROUP;
        if (draw[i]) {
            gr->drawn++;
            continue;
        }
        if (gr->more < GROUP_EXAMPLES) {
            gr->examples[gr->more] = h->failed[i]->stream;
        }
        gr->more++;
        undrawn++;
    }
    return undrawn;
}

static void undrawn_table(struct td_buf *out, const struct td_html *h, const struct group *g, size_t ng)
{
    td_buf_printf(out,
                  "<h3>Not drawn</h3>\n<p class=\"note\">A large capture: at most %d failures of one server with "
                  "one cause are drawn (tlsdiag pcap --html-all draws every one).</p>\n<table>\n<tr><th>server</th>"
                  "<th>cause</th><th>drawn</th><th>not drawn</th><th>tcp.stream of those</th></tr>\n",
                  PER_GROUP);
    for (size_t i = 0; i < ng; i++) {
        if (!g[i].more) {
            continue;
        }
        td_buf_puts(out, "<tr><td>");
        td_html_esc(out, g[i].server + 7); /* after "server " */
        td_buf_printf(out, "</td><td class=\"slug\">%s</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td>",
                      td_cause_info(g[i].cause)->slug, g[i].drawn, g[i].more);
        for (size_t k = 0; k < g[i].more && k < GROUP_EXAMPLES; k++) {
            td_buf_printf(out, "%s%u", k ? ", " : "", g[i].examples[k]);
        }
        td_buf_printf(out, "%s</td></tr>\n", g[i].more > GROUP_EXAMPLES ? ", &hellip;" : "");
    }
    (void)h;
    td_buf_puts(out, "</table>\n");
}

static void index_nav(struct td_buf *out, const struct td_html *h, const bool *draw)
{
    td_buf_puts(out, "<nav class=\"index\">");
    for (size_t i = 0; i < h->num_failed; i++) {
        const struct td_html_conn *c = h->failed[i];
        if (draw[i]) {
            td_buf_printf(out, "<a href=\"#%s\">%u&nbsp;%s</a> ", c->ladder.id, c->stream,
                          c->have_verdict ? td_cause_info(c->v.cause)->slug : "?");
        }
    }
    td_buf_puts(out, "</nav>\n");
}

static int cmp_frame(const void *a, const void *b)
{
    const struct td_html_frame_at *x = a, *y = b;
    if (x->file != y->file) {
        return x->file < y->file ? -1 : 1;
    }
    return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static void frames_add(struct td_html_frames *f, const struct td_html_conn *c)
{
    for (size_t i = 0; i < c->ladder.num_rows; i++) {
        if (c->ladder.rows[i].anchor) {
            if ((f->n & (f->n - 1)) == 0) {
                f->v = td_realloc(f->v, (f->n ? 2 * f->n : 64) * sizeof *f->v);
            }
            f->v[f->n++] = (struct td_html_frame_at){c->file, c->ladder.rows[i].frame, c->ladder.id};
        }
    }
}

/* Every row drawn on the page, by file and frame. */
static void frames_index(struct td_html_frames *f, const struct td_html *h, const bool *draw)
{
    for (size_t i = 0; i < h->num_failed; i++) {
        if (draw[i]) {
            frames_add(f, h->failed[i]);
        }
    }
    for (size_t i = 0; (h->o.all || h->conns < h->o.small) && i < h->num_ok; i++) {
        frames_add(f, h->ok[i]);
    }
    if (f->n > 1) {
        qsort(f->v, f->n, sizeof *f->v, cmp_frame);
    }
}

static void draw_failed(struct td_buf *out, struct td_html *h, const bool *draw, bool *http_drawn)
{
    struct td_html_frames frames = {0};
    frames_index(&frames, h, draw);
    for (size_t i = 0; i < h->num_failed; i++) {
        const struct td_html_conn *c = h->failed[i];
        const struct td_html_http *up[MAX_UP];
        size_t nu = 0;
        if (!draw[i]) {
            continue;
        }
        for (size_t k = 0; k < h->num_http && nu < MAX_UP; k++) {
            if (!http_drawn[k] && h->http[k].up && h->http[k].file == c->file && h->http[k].up_stream == c->stream) {
                up[nu++] = &h->http[k];
                http_drawn[k] = true;
            }
        }
        td_html_conn_section(out, c, up, nu, h->files[c->file].name, &frames);
    }
    for (size_t k = 0; k < h->num_http; k++) {
        if (!http_drawn[k]) {
            td_html_http_section(out, &h->http[k], h->files[h->http[k].file].name);
        }
    }
    free(frames.v);
}

static void failed_sections(struct td_buf *out, struct td_html *h, bool *http_drawn)
{
    if (h->num_failed > 1) {
        qsort(h->failed, h->num_failed, sizeof *h->failed, cmp_conn);
    }
    bool *draw = td_calloc(h->num_failed + 1, sizeof *draw);
    struct group *g = td_calloc(h->num_failed + 1, sizeof *g);
    size_t ng = 0;
    size_t undrawn = choose(h, draw, g, &ng);
    td_buf_printf(out, "<section id=\"failed\"><h2>Failed connections (%zu drawn", h->num_failed - undrawn);
    if (undrawn + h->failed_more) {
        td_buf_printf(out, "; %zu more counted above, not drawn", undrawn + h->failed_more);
    }
    td_buf_puts(out, ")</h2>\n");
    if (h->failed_more) {
        td_buf_printf(out,
                      "<p class=\"note\">The page keeps the first %zu failed connections; the chart and the "
                      "tables count them all (%zu more).</p>\n",
                      h->num_failed, h->failed_more);
    }
    index_nav(out, h, draw);
    draw_failed(out, h, draw, http_drawn);
    if (undrawn) {
        undrawn_table(out, h, g, ng);
    }
    free(draw);
    free(g);
    td_buf_puts(out, "</section>\n");
}

static int cmp_row(const void *a, const void *b)
{
    const struct td_html_okrow *x = a, *y = b;
    return x->n > y->n ? -1 : x->n < y->n;
}

static void ok_section(struct td_buf *out, struct td_html *h)
{
    td_buf_puts(out, "<section id=\"others\"><h2>Connections that did not fail</h2>\n");
    if (h->num_rows > 1) {
        qsort(h->rows, h->num_rows, sizeof *h->rows, cmp_row);
    }
    td_buf_puts(out, "<table>\n<tr><th>server</th><th>version</th><th>suite</th><th>outcome</th><th>connections</th>"
                     "</tr>\n");
    for (size_t i = 0; i < h->num_rows; i++) {
        const struct td_html_okrow *r = &h->rows[i];
        td_buf_puts(out, "<tr><td>");
        td_html_esc(out, r->server);
        td_buf_puts(out, "</td><td>");
        td_html_esc(out, r->version[0] ? r->version : "-");
        td_buf_puts(out, "</td><td>");
        td_html_esc(out, r->suite[0] ? r->suite : "-");
        td_buf_printf(out, "</td><td>%s</td><td class=\"n\">%u</td></tr>\n", td_outcome_name(r->outcome), r->n);
    }
    if (h->rows_other) {
        td_buf_printf(out, "<tr><td colspan=\"4\">other combinations</td><td class=\"n\">%llu</td></tr>\n",
                      (unsigned long long)h->rows_other);
    }
    td_buf_puts(out, "</table>\n");
    if (h->o.all || h->conns < h->o.small) {
        if (h->num_ok > 1) {
            qsort(h->ok, h->num_ok, sizeof *h->ok, cmp_conn);
        }
        for (size_t i = 0; i < h->num_ok; i++) {
            td_html_ok_details(out, h->ok[i]);
        }
        if (h->ok_more) {
            td_buf_printf(out, "<p class=\"note\">%zu more connections that did not fail are counted, not drawn.</p>\n",
                          h->ok_more);
        }
    } else if (h->num_rows) {
        td_buf_printf(out,
                      "<p class=\"note\">%llu connections: ladders of connections that did not fail are left "
                      "out (tlsdiag pcap --html-all draws them).</p>\n",
                      (unsigned long long)h->conns);
    }
    td_buf_puts(out, "</section>\n");
}

void td_html_write_pcap(struct td_buf *out, struct td_html *h)
{
    struct td_buf title = {0};
    td_buf_puts(&title, "tlsdiag pcap:");
    for (size_t i = 0; i < h->num_files; i++) {
        td_buf_printf(&title, " %s", h->files[i].name);
    }
    td_html_page_begin(out, td_buf_cstr(&title));
    td_buf_puts(out, "<h1>");
    td_html_esc(out, td_buf_cstr(&title));
    td_buf_puts(out, "</h1>\n<section id=\"capture\"><h2>Capture</h2>\n");
    td_buf_free(&title);
    for (size_t i = 0; i < h->num_files; i++) {
        file_table(out, &h->files[i]);
    }
    td_buf_puts(out, "</section>\n<section id=\"overview\"><h2>Failures over time, by cause and by server</h2>\n");
    if (h->num_chart_servers > 1) {
        td_buf_puts(out, "<h3>By cause</h3>\n");
    }
    td_html_chart_svg(out, h->pts, h->num_pts, NULL, 0);
    if (h->num_chart_servers > 1) {
        td_buf_puts(out, "<h3>By server</h3>\n");
        const char *names[TD_HTML_CHART_SERVERS];
        for (size_t i = 0; i < h->num_chart_servers; i++) {
            names[i] = h->chart_servers[i];
        }
        td_html_chart_svg(out, h->pts, h->num_pts, names, h->num_chart_servers);
    }
    if (h->pts_dropped) {
        td_buf_printf(out, "<p class=\"note\">%zu later failures are not in the chart (its limit).</p>\n",
                      h->pts_dropped);
    }
    cause_server_table(out, h);
    td_buf_puts(out, "</section>\n");
    bool *drawn = td_calloc(h->num_http ? h->num_http : 1, sizeof *drawn);
    failed_sections(out, h, drawn);
    free(drawn);
    ok_section(out, h);
    td_html_page_end(out);
}
