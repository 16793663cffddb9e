/* A whole capture file (pcap or pcapng) through the analysis pipeline (the
 * engine, the per-server view, held failures, gateway links, the diagnosis)
 * and the renderers of every result and summary: text, JSON and the HTML
 * page (its collector and the page). */
#include <stdlib.h>
#include <string.h>

#include "analyse/analyse.h"
#include "fuzz.h"
#include "report/report.h"

struct kept {
    struct td_buf text, json;
    void *html; /* what the page's collector waits with */
};

struct run {
    struct td_html *html;
};

static const struct td_render_opts ro = {.verbose = true};

static void close_kept(struct kept *k, const struct td_conn_result *r)
{
    td_render_result_close(&k->text, r, false, &ro);
    td_render_result_close(&k->json, r, true, &ro);
    td_buf_free(&k->text);
    td_buf_free(&k->json);
    free(k);
}

static void *on_conn(void *ctx, const struct td_conn_result *r)
{
    struct run *run = ctx;
    struct kept *k = calloc(1, sizeof *k);
    if (!k) {
        abort();
    }
    struct td_render_opts lo = ro;
    lo.rejected_after_handshake = r->facts->rejected_after_handshake;
    td_render_result_open(&k->text, r->conn, false, &lo);
    td_render_result_open(&k->json, r->conn, true, &lo);
    k->html = td_html_conn(run->html, r);
    if (!r->verdict) {
        return k;
    }
    close_kept(k, r);
    return NULL;
}

static void on_verdict(void *ctx, const struct td_conn_result *r, void *keep)
{
    struct run *run = ctx;
    if (keep) {
        td_html_verdict(run->html, r, ((struct kept *)keep)->html);
        close_kept(keep, r);
    }
}

static void on_http(void *ctx, const struct td_http_result *h)
{
    struct run *run = ctx;
    td_html_http(run->html, h);
    struct td_buf b = {0};
    td_render_http_text(&b, h, &ro);
    td_render_http_json(&b, h, &ro);
    td_buf_free(&b);
}

static void on_summary(void *ctx, const struct td_analysis_summary *s)
{
    struct run *run = ctx;
    td_html_summary(run->html, s);
    struct td_buf b = {0};
    td_render_analysis_text(&b, s, &ro);
    td_render_analysis_json(&b, s, &ro);
    td_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = td_fuzz_path(data, size);
    if (!path) {
        return 0;
    }
    struct td_keylog *kl = td_keylog_new();
    struct td_analysis_opts o = {.keylog = kl};
    struct run run = {0};
    struct td_analysis_cb cb = {
        .ctx = &run, .on_conn = on_conn, .on_verdict = on_verdict, .on_http = on_http, .on_summary = on_summary};
    struct td_analysis *a = td_analysis_new(&o, &cb);
    struct td_html_opts ho = {.small = 4, .max_failed = 8}; /* the large-capture paths too */
    run.html = td_html_new(&ho, td_analysis_cert_cache(a));
    td_html_file(run.html, "fuzz <input>");
    char err[256];
    td_analyse_file(a, path, err, sizeof err);
    struct td_buf page = {0};
    td_html_page(run.html, &page);
    td_buf_free(&page);
    td_html_free(run.html);
    td_analysis_free(a);
    td_keylog_free(kl);
    return 0;
}
