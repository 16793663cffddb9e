/* A whole capture file (pcap or pcapng) through the analysis pipeline (the
 * engine, the per-server view, held failures, gateway links, the diagnosis)
 * and both renderers of every result and summary. */
#include <stdlib.h>
#include <string.h>

#include "analyse/analyse.h"
#include "fuzz.h"
#include "report/report.h"

struct kept {
    struct td_buf text, json;
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
    (void)ctx;
    struct kept *k = calloc(1, sizeof *k);
    if (!k) {
        abort();
    }
    struct td_render_opts lo = ro;
    lo.rejected_after_handshake = r->facts->rejected_after_handshake;
    td_render_result_open(&k->text, r->conn, false, &lo);
    td_render_result_open(&k->json, r->conn, true, &lo);
    if (!r->verdict) {
        return k;
    }
    close_kept(k, r);
    return NULL;
}

static void on_verdict(void *ctx, const struct td_conn_result *r, void *keep)
{
    (void)ctx;
    if (keep) {
        close_kept(keep, r);
    }
}

static void on_http(void *ctx, const struct td_http_result *h)
{
    (void)ctx;
    struct td_buf b = {0};
    td_render_http_text(&b, h, &ro);
    td_render_http_json(&b, h, &ro);
    td_buf_free(&b);
}

static void on_summary(void *ctx, const struct td_analysis_summary *s)
{
    (void)ctx;
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
    struct td_analysis_cb cb = {
        .on_conn = on_conn, .on_verdict = on_verdict, .on_http = on_http, .on_summary = on_summary};
    struct td_analysis *a = td_analysis_new(&o, &cb);
    char err[256];
    td_analyse_file(a, path, err, sizeof err);
    td_analysis_free(a);
    td_keylog_free(kl);
    return 0;
}
