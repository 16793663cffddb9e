#include "analyse/analyse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/servers.h"
#include "base/mem.h"

#include "base/banned.h"

/* A failed connection waiting for the end of its input (or, with verdicts at
 * once, kept so its verdict can be revised). */
struct held {
    struct td_facts facts;
    uint32_t stream;
    struct td_server_stat *srv;
    const struct td_http_error *down;
    struct td_verdict v;
    bool given; /* its verdict went out at once */
    /* Completed with a client certificate the server may have refused in
     * HTTP (nginx ssl_verify_client): held only so that a gateway's page
     * saying so can be tied to it. */
    bool cert_page_only;
    bool refused_at_conn; /* facts.rejected_after_handshake when on_conn saw it */
    char desc[180];
    void *keep; /* what on_conn returned */
};

struct td_analysis {
    struct td_analysis_opts o;
    struct td_analysis_cb cb;
    struct td_limits lim;
    const char *name;
    struct td_run_stats stats;
    struct td_server_table servers;
    struct held *held;
    size_t num_held;
    uint32_t causes[TD_CAUSE_COUNT];
    uint64_t rejected_after;
    uint64_t port_checks[3];
    struct td_http_error *http;
    bool *http_done;                 /* given at once (live): not again at the end */
    size_t num_http, http_pending;   /* live: errors not yet given */
    int64_t now_ns;                  /* live: the time of the last frame read */
    struct td_cert_cache *own_cache; /* when the caller gave none */
};

struct td_analysis *td_analysis_new(const struct td_analysis_opts *o, const struct td_analysis_cb *cb)
{
    struct td_analysis *a = td_calloc(1, sizeof *a);
    if (o) {
        a->o = *o;
    }
    if (cb) {
        a->cb = *cb;
    }
    if (a->o.limits) {
        a->lim = *a->o.limits;
    } else {
        td_limits_default(&a->lim);
    }
    if (a->o.max_held == 0) {
        a->o.max_held = TD_ANALYSIS_MAX_HELD;
    }
    if (!a->o.diag.cert_cache) {
        a->own_cache = td_cert_cache_new();
        a->o.diag.cert_cache = a->own_cache;
    }
    return a;
}

struct td_cert_cache *td_analysis_cert_cache(const struct td_analysis *a) { return a->o.diag.cert_cache; }

const struct td_run_stats *td_analysis_stats(const struct td_analysis *a) { return &a->stats; }

void td_analysis_set_verdicts_at_once(struct td_analysis *a, bool at_once) { a->o.verdicts_at_once = at_once; }

static void reset(struct td_analysis *a)
{
    for (size_t i = 0; i < a->num_held; i++) {
        td_facts_free(&a->held[i].facts);
    }
    free(a->held);
    a->held = NULL;
    a->num_held = 0;
    free(a->http);
    a->http = NULL;
    free(a->http_done);
    a->http_done = NULL;
    a->num_http = a->http_pending = 0;
    td_servers_clear(&a->servers);
    td_memzero(a->causes, sizeof a->causes);
    a->rejected_after = 0;
    td_memzero(a->port_checks, sizeof a->port_checks);
}

void td_analysis_free(struct td_analysis *a)
{
    if (!a) {
        return;
    }
    reset(a);
    td_cert_cache_free(a->own_cache);
    free(a);
}

void td_analysis_begin(struct td_analysis *a, const char *name)
{
    reset(a);
    a->name = name;
    td_memzero(&a->stats, sizeof a->stats);
}

static bool has_addr(const struct td_tls_conn *c, const char *addr)
{
    char s[64];
    for (int i = 0; i < 2; i++) {
        td_addr_str(&c->addr[i], s, sizeof s);
        if (strcmp(s, addr) == 0) {
            return true;
        }
    }
    return false;
}

static void count(struct td_analysis *a, const struct held *h, bool *rejected_after)
{
    a->causes[h->v.cause]++;
    if (h->v.cause == TD_CAUSE_NO_CLIENT_HELLO && (unsigned)h->facts.outcome < 3) {
        a->port_checks[h->facts.outcome]++;
    }
    *rejected_after = h->facts.rejected_after_handshake ||
                      (h->v.cause != TD_CAUSE_NONE && h->facts.outcome == TD_OUTCOME_OK);
    a->rejected_after += *rejected_after;
    if (h->srv) {
        h->srv->causes[h->v.cause]++;
    }
}

static void diagnose(const struct td_analysis *a, struct held *h)
{
    td_diagnose(&h->facts, h->srv ? &h->srv->view : NULL, &h->v);
    snprintf(h->desc, sizeof h->desc, "%s %s %s", h->facts.client_ip, a->o.utf8 ? "→" : "->", h->facts.server);
}

static void add_conn(struct td_analysis *a, const struct td_tls_conn *c);
static void retry_http(struct td_analysis *a, bool timed_out);

void td_analysis_add_conn(struct td_analysis *a, const struct td_tls_conn *c)
{
    add_conn(a, c);
    if (a->http_pending) {
        retry_http(a, false); /* the failure a pending 5xx waited for may be this one */
    }
}

static void add_conn(struct td_analysis *a, const struct td_tls_conn *c)
{
    struct held h;
    td_memzero(&h, sizeof h);
    struct td_diag_opts o = a->o.diag;
    if (!c->sni && a->o.host_hint && !o.host && has_addr(c, a->o.host_hint)) {
        o.host = a->o.host_hint; /* the name the client should have asked for */
    }
    bool ok = td_tls_outcome(c) == TD_OUTCOME_OK && !c->note;
    td_facts_from_conn(&h.facts, c, &o, !ok);
    td_facts_settle(&h.facts);
    if (h.facts.rejected_after_handshake && td_tls_outcome(c) == TD_OUTCOME_OK && a->stats.ok) {
        a->stats.ok--; /* the engine counted the handshake; it was refused after */
        a->stats.failed++;
    }
    h.stream = c->stream;
    h.srv = td_servers_get(&a->servers, h.facts.server);
    if (h.srv) {
        td_server_view_add(&h.srv->view, &h.facts);
    }
    struct td_conn_result r = {.stream = c->stream, .conn = c, .facts = &h.facts};
    bool failed = !ok;
    if (ok) {
        /* Completed, then rejected (the verdict names a fault): a failure
         * like any other, checked with its chains, held for the end and
         * for the gateway links. */
        diagnose(a, &h);
        if (h.v.cause != TD_CAUSE_NONE) {
            td_facts_free(&h.facts);
            td_facts_from_conn(&h.facts, c, &o, true);
            td_facts_settle(&h.facts);
            failed = true;
        } else if (h.facts.cert_request && h.facts.client_cert_seen &&
                   (h.facts.client_cert_empty || h.facts.client_cert_unlisted)) {
            failed = true;
            h.cert_page_only = true;
        }
    }
    bool hold = failed && a->num_held < a->o.max_held;
    h.refused_at_conn = h.facts.rejected_after_handshake;
    if (hold && !a->o.verdicts_at_once) {
        void *keep = a->cb.on_conn ? a->cb.on_conn(a->cb.ctx, &r) : NULL;
        h.keep = keep;
    } else {
        diagnose(a, &h);
        r.verdict = &h.v;
        r.desc = h.desc;
        if (!hold) {
            count(a, &h, &r.rejected_after);
        } else {
            r.rejected_after = h.facts.rejected_after_handshake ||
                               (h.v.cause != TD_CAUSE_NONE && h.facts.outcome == TD_OUTCOME_OK);
            h.given = true;
        }
        h.keep = a->cb.on_conn ? a->cb.on_conn(a->cb.ctx, &r) : NULL;
        if (!hold) {
            td_facts_free(&h.facts);
            return;
        }
    }
    if (a->num_held % 64 == 0) {
        a->held = td_realloc(a->held, (a->num_held + 64) * sizeof *a->held);
    }
    a->held[a->num_held++] = h;
}

void td_analysis_add_http(struct td_analysis *a, const struct td_tls_conn *c)
{
    if (a->num_http >= TD_ANALYSIS_MAX_HTTP) {
        return;
    }
    if (a->num_http % 64 == 0) {
        a->http = td_realloc(a->http, (a->num_http + 64) * sizeof *a->http);
        a->http_done = td_realloc(a->http_done, (a->num_http + 64) * sizeof *a->http_done);
    }
    a->http_done[a->num_http] = false;
    td_http_error_from_conn(&a->http[a->num_http++], c);
    if (a->o.verdicts_at_once) {
        a->http_pending++;
        retry_http(a, false);
    }
}

/* The final verdict of a held connection, with everything the input showed. */
static void settle(struct td_analysis *a, struct held *h)
{
    struct td_verdict first = h->v;
    diagnose(a, h);
    struct td_conn_result r = {
        .stream = h->stream, .facts = &h->facts, .verdict = &h->v, .downstream = h->down, .desc = h->desc};
    count(a, h, &r.rejected_after);
    r.outcome_revised = h->facts.rejected_after_handshake && !h->refused_at_conn;
    if (h->given) {
        r.revised = first.cause != h->v.cause || first.confidence != h->v.confidence;
        if (!r.revised && !h->down) {
            return;
        }
    }
    if (a->cb.on_verdict) {
        a->cb.on_verdict(a->cb.ctx, &r, h->keep);
    }
}

/* The page a backend answered inside TLS, relayed in clear by the gateway
 * (nginx's client-certificate 400s): what the key log would have shown. */
static void take_relayed_page(struct td_analysis *a, struct held *up, const struct td_http_error *h)
{
    if (up->facts.http_cert_error || up->facts.outcome != TD_OUTCOME_OK) {
        return;
    }
    up->facts.http_cert_error = h->body_says;
    up->facts.http_status = h->status;
    up->facts.http_status_frame = h->status_frame;
    td_facts_settle(&up->facts);
    if (up->facts.rejected_after_handshake && a->stats.ok) {
        a->stats.ok--;
        a->stats.failed++;
    }
}

/* Each HTTP error a gateway answered, tied to the TLS connection it made
 * meanwhile (link[k] for http[k]). Connections held only for a
 * client-certificate page are candidates for such pages alone: for the
 * others a non-TLS entry stands in for them. */
static void link_gateways(struct td_analysis *a, const struct td_facts **fs, struct td_link *link)
{
    static const struct td_facts not_linkable;
    const struct td_facts **plain = td_calloc(a->num_held + 1, sizeof *plain);
    for (size_t i = 0; i < a->num_held; i++) {
        plain[i] = a->held[i].cert_page_only ? &not_linkable : fs[i];
    }
    for (size_t k = 0; k < a->num_http; k++) {
        bool cert_page = a->http[k].body_says && td_http_cert_page(a->http[k].body_says);
        td_link_candidates(&a->http[k], cert_page ? fs : plain, a->num_held, &link[k]);
        if (!link[k].n) {
            continue;
        }
        struct held *up = &a->held[link[k].idx[0]];
        if (!up->down) {
            up->down = &a->http[k];
        }
        if (cert_page) {
            take_relayed_page(a, up, &a->http[k]);
        }
    }
    free(plain);
}

/* The HTTP answers, each with the verdict it inherits; returns how many
 * were tied to a TLS connection. */
static void report_one(struct td_analysis *a, size_t k, const struct td_link *l)
{
    const struct held *up = l->n ? &a->held[l->idx[0]] : NULL;
    struct td_http_result hr = {&a->http[k], up ? &up->v : NULL, up ? up->stream : 0, up ? up->desc : ""};
    hr.link_confidence = l->confidence;
    hr.up_after_request_ns = l->n ? l->after_request_ns[0] : 0;
    hr.in_window = l->in_window;
    for (size_t i = 1; i < l->n; i++) {
        const struct held *o = &a->held[l->idx[i]];
        hr.others[hr.num_others].stream = o->stream;
        hr.others[hr.num_others].cause = o->v.cause;
        hr.others[hr.num_others].after_request_ns = l->after_request_ns[i];
        hr.num_others++;
    }
    if (a->cb.on_http) {
        a->cb.on_http(a->cb.ctx, &hr);
    }
}

static size_t report_http(struct td_analysis *a, const struct td_link *link)
{
    size_t linked = 0;
    for (size_t k = 0; k < a->num_http; k++) {
        linked += link[k].n != 0;
        if (!a->http_done[k]) {
            report_one(a, k, &link[k]);
        }
    }
    return linked;
}

/* Live input: an HTTP error is given as soon as its connection is over, tied
 * to the failures seen so far (a gateway answers after its own handshake
 * failed, so that failure is already in). The end of the input links it
 * again for the verdicts (the downstream a failure caused), silently. */
static bool link_now(struct td_analysis *a, size_t k, bool anyway)
{
    static const struct td_facts not_linkable;
    const struct td_facts **fs = td_calloc(a->num_held + 1, sizeof *fs);
    bool cert_page = a->http[k].body_says && td_http_cert_page(a->http[k].body_says);
    for (size_t i = 0; i < a->num_held; i++) {
        fs[i] = a->held[i].cert_page_only && !cert_page ? &not_linkable : &a->held[i].facts;
    }
    struct td_link link;
    td_memzero(&link, sizeof link);
    td_link_candidates(&a->http[k], fs, a->num_held, &link);
    free(fs);
    if (!link.n && !anyway) {
        return false;
    }
    a->http_done[k] = true;
    a->http_pending--;
    report_one(a, k, &link);
    return true;
}

/* The gateway may close its client's connection (and so its 5xx is read)
 * before its own failed handshake to the backend is over: a 5xx without a
 * failure to tie it to waits for the next connections, at most
 * LIVE_HTTP_WAIT_NS of capture time, then is given alone. */
#define LIVE_HTTP_WAIT_NS 2000000000LL
static void retry_http(struct td_analysis *a, bool timed_out)
{
    for (size_t k = 0; k < a->num_http && a->http_pending; k++) {
        if (!a->http_done[k]) {
            link_now(a, k, timed_out && a->now_ns - a->http[k].status_ns > LIVE_HTTP_WAIT_NS);
        }
    }
}

static void summarise(struct td_analysis *a, const struct td_run_stats *stats, size_t linked)
{
    if (!a->cb.on_summary) {
        return;
    }
    struct td_analysis_summary s;
    td_memzero(&s, sizeof s);
    s.file = a->name;
    s.stats = stats ? stats : &a->stats;
    td_memcopy(s.causes, a->causes, sizeof s.causes);
    s.rejected_after = a->rejected_after;
    td_memcopy(s.port_checks, a->port_checks, sizeof s.port_checks);
    s.num_http = a->num_http;
    s.http_linked = linked;
    size_t n = 0;
    const struct td_server_stat **list = td_servers_list(&a->servers, &n);
    s.servers = list;
    s.num_servers = n;
    a->cb.on_summary(a->cb.ctx, &s);
    free(list);
}

void td_analysis_end(struct td_analysis *a, const struct td_run_stats *stats)
{
    const struct td_facts **fs = td_calloc(a->num_held + 1, sizeof *fs);
    struct td_link *link = td_calloc(a->num_http + 1, sizeof *link);
    for (size_t i = 0; i < a->num_held; i++) {
        fs[i] = &a->held[i].facts;
    }
    link_gateways(a, fs, link);
    for (size_t i = 0; i < a->num_held; i++) {
        settle(a, &a->held[i]);
    }
    size_t linked = report_http(a, link);
    free(fs);
    free(link);
    summarise(a, stats, linked);
    reset(a);
}

static void engine_conn(void *ctx, const struct td_tls_conn *c) { td_analysis_add_conn(ctx, c); }
static void engine_http(void *ctx, const struct td_tls_conn *c) { td_analysis_add_http(ctx, c); }

static void engine_problem(void *ctx, const char *file, uint64_t frame, long long offset, const char *what)
{
    struct td_analysis *a = ctx;
    if (a->cb.on_problem) {
        a->cb.on_problem(a->cb.ctx, file, frame, offset, what);
    }
}

static void engine_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct td_analysis *a = ctx;
    if (a->cb.on_progress) {
        a->cb.on_progress(a->cb.ctx, done, total);
    }
}

static void engine_tick(void *ctx)
{
    struct td_analysis *a = ctx;
    if (a->http_pending) {
        retry_http(a, true);
    }
    if (a->cb.on_tick) {
        a->cb.on_tick(a->cb.ctx);
    }
}

static void engine_frame(void *ctx, const struct td_frame *f)
{
    struct td_analysis *a = ctx;
    /* clamped as diag/facts.c clamps the HTTP times (a hostile capture's seconds) */
    const int64_t lim = INT64_MAX / 1000000000LL - 100;
    int64_t sec = f->ts.sec > lim ? lim : f->ts.sec < -lim ? -lim : f->ts.sec;
    a->now_ns = sec * 1000000000LL + (int64_t)(f->ts.nsec % 1000000000u);
    if (a->cb.on_frame) {
        a->cb.on_frame(a->cb.ctx, f);
    }
}

static struct td_engine_cb engine_cb(struct td_analysis *a)
{
    struct td_engine_cb cb = {a, engine_conn, engine_problem, engine_progress, engine_http, a->o.keylog};
    cb.stop = a->o.stop;
    cb.on_tick = a->cb.on_tick || a->o.verdicts_at_once ? engine_tick : NULL;
    cb.on_frame = a->cb.on_frame || a->o.verdicts_at_once ? engine_frame : NULL;
    cb.shard_k = a->o.shard_k;
    cb.shard_n = a->o.shard_n;
    cb.threads = a->o.threads;
    return cb;
}

int td_analyse_reader(struct td_analysis *a, struct td_reader *r, const char *name)
{
    td_analysis_begin(a, name);
    struct td_engine_cb cb = engine_cb(a);
    int rc = td_engine_run(r, name, &a->lim, &cb, &a->stats);
    td_analysis_end(a, &a->stats);
    return rc;
}

int td_analyse_file(struct td_analysis *a, const char *path, char *err, size_t err_len)
{
    struct td_reader *r = td_reader_open(path, err, err_len);
    if (!r) {
        return 2;
    }
    int rc = td_analyse_reader(a, r, path);
    td_reader_close(r);
    return rc;
}
