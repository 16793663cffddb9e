/* A whole capture file (pcap or pcapng) through the engine, the diagnosis and
 * both renderers. */
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "engine/engine.h"
#include "fuzz.h"
#include "report/report.h"

static void on_conn(void *ctx, const struct td_tls_conn *c)
{
    (void)ctx;
    struct td_facts f;
    struct td_verdict v;
    struct td_diag_opts o = {0};
    td_facts_from_conn(&f, c, &o, true);
    td_diagnose(&f, NULL, &v);
    struct td_buf b = {0};
    struct td_render_opts ro = {.verbose = true};
    td_render_conn_text(&b, c, &ro);
    td_render_verdict_text(&b, &v, c->stream, &ro);
    td_render_conn_json(&b, c, &ro);
    td_buf_free(&b);
    td_facts_free(&f);
}

static void on_problem(void *ctx, const char *file, uint64_t frame, long long offset, const char *what)
{
    (void)ctx, (void)file, (void)frame, (void)offset, (void)what;
}

static void on_http(void *ctx, const struct td_tls_conn *c)
{
    (void)ctx;
    struct td_http_error h;
    td_http_error_from_conn(&h, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = td_fuzz_path(data, size);
    if (!path) {
        return 0;
    }
    struct td_limits lim;
    td_limits_default(&lim);
    struct td_keylog *kl = td_keylog_new();
    struct td_engine_cb cb = {NULL, on_conn, on_problem, NULL, on_http, kl};
    struct td_run_stats st;
    memset(&st, 0, sizeof st);
    char err[256];
    td_engine_pcap(path, &lim, &cb, &st, err, sizeof err);
    td_keylog_free(kl);
    td_cert_cache_clear();
    return 0;
}
