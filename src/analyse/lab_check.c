#include "analyse/lab_check.h"

#include <stdio.h>
#include <string.h>

#include "analyse/analyse.h"
#include "base/mem.h"
#include "crypto/crypto.h"

#include "base/banned.h"

struct lab_run {
    struct td_lab_outcome *out;
    bool have;
};

static void keep_last(struct lab_run *l, const struct td_conn_result *r)
{
    l->out->conns++;
    if (!l->have || r->stream >= l->out->stream) {
        l->out->v = *r->verdict;
        l->out->stream = r->stream;
        l->have = true;
    }
}

static void *on_conn(void *ctx, const struct td_conn_result *r)
{
    if (r->verdict) {
        keep_last(ctx, r);
        return NULL;
    }
    return ctx;
}

static void on_verdict(void *ctx, const struct td_conn_result *r, void *keep)
{
    (void)keep;
    keep_last(ctx, r);
}

static void on_http(void *ctx, const struct td_http_result *h)
{
    struct lab_run *l = ctx;
    /* The scenario's one gateway answer: the first HTTP 5xx. */
    if (!l->out->http_linked && h->up && h->up_stream == l->out->stream) {
        l->out->http_linked = true;
    }
}

static void on_problem(void *ctx, const char *file, uint64_t frame, long long offset, const char *what)
{
    (void)file;
    struct lab_run *l = ctx;
    if (l->out->problems++ == 0) {
        l->out->problem_frame = frame;
        l->out->problem_offset = offset;
        td_strcopy(l->out->problem, sizeof l->out->problem, what);
    }
}

bool td_lab_check(const char *path, const char *keys, const struct td_lab_info *in, struct td_lab_outcome *out,
                  char *err, size_t err_len)
{
    td_memzero(out, sizeof *out);
    out->v.cause = TD_CAUSE_UNKNOWN;
    struct td_keylog *kl = NULL;
    if (keys) {
        kl = td_keylog_new();
        if (!td_keylog_load(kl, keys, err, err_len)) {
            td_keylog_free(kl);
            return false;
        }
    }
    struct lab_run l = {out, false};
    struct td_analysis_opts o = {.keylog = kl};
    struct td_analysis_cb cb = {
        .ctx = &l, .on_conn = on_conn, .on_verdict = on_verdict, .on_http = on_http, .on_problem = on_problem};
    struct td_analysis *a = td_analysis_new(&o, &cb);
    int rc = td_analyse_file(a, path, err, err_len);
    td_analysis_free(a);
    td_keylog_free(kl);
    if (rc == 2) {
        return false;
    }
    out->read_ok = rc == 0 && out->problems == 0 && out->conns > 0;
    out->match = out->read_ok && out->v.cause == in->cause && (!in->gateway || out->http_linked);
    /* TLS 1.3 hides some answers (the server's alert after the client's
     * certificate): the intended cause is then only an alternative. */
    for (size_t k = 0; out->read_ok && !out->match && k < out->v.num_candidates; k++) {
        out->alternative |= out->v.candidates[k] == in->cause;
    }
    out->match |= out->alternative && in->hidden;
    return true;
}
