#include "engine/engine.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "capture/capture.h"
#include "capture/reader.h"
#include "engine/internal.h"
#include "engine/pipeline.h"

#include "base/banned.h"

#define DLT_RAW_IP 101 /* LINKTYPE_RAW: a bare IP packet */

struct econn {
    struct td_tls_conn tls;
    struct td_socks_num socks; /* flows on TCP_PORT_SOCKS: Wireshark's extra tcp.stream */
    int client_ep;             /* flow endpoint that is the client, -1 until known */
    bool has_payload;
};

struct td_engine {
    struct td_limits lim;
    struct td_engine_cb cb;
    const char *file;
    struct td_run_stats *stats;
    struct td_flowtab *tab;
    uint64_t frame;
    struct td_time ts;
    uint64_t problems_reported;
    struct td_keylog *keylog; /* cb.keylog, or the engine's own for pcapng secrets */
    bool own_keylog;
    struct td_ipfrag *frag; /* IPv4 datagrams being reassembled */
    struct td_buf dgram;    /* the last one completed */
    uint64_t file_total;    /* the capture file's size (0: a stream) */
    /* engine/pipeline.c: connections handed over rather than shown (NULL: shown) */
    void (*take)(void *ctx, struct td_tls_conn *c, bool http);
};

/* Ports IANA assigns to protocols over TLS; plain text there is reported. */
bool td_is_tls_port(uint16_t port)
{
    static const uint16_t ports[] = {443,  465,  563,  636,  853,  989,  990,  992,  993,  994,  995,  1443,
                                     2376, 3269, 4443, 5061, 5223, 5986, 6443, 6697, 8443, 9443, 10443};
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
        if (ports[i] == port) {
            return true;
        }
    }
    return false;
}

static void problem(struct td_engine *e, uint64_t frame, long long offset, const char *what)
{
    e->stats->input_errors++;
    if (e->cb.on_problem) {
        e->cb.on_problem(e->cb.ctx, e->file, frame, offset, what);
    }
}

static struct td_at here(const struct td_engine *e)
{
    struct td_at at = {e->frame, e->ts};
    if (e->tab) {
        td_flowtab_data_at(e->tab, &at.frame, &at.ts);
    }
    return at;
}

static void ensure_roles(struct td_flow *f, struct econn *ec, int from, const uint8_t *p, size_t n)
{
    if (ec->client_ep >= 0) {
        return;
    }
    bool from_syn = false, is_client;
    if (f->syn_from >= 0) {
        ec->client_ep = f->syn_from;
        from_syn = true;
    } else if (f->synack_from >= 0) {
        ec->client_ep = 1 - f->synack_from;
        from_syn = true;
    } else if (p && td_tls_guess_client(p, n, &is_client)) {
        ec->client_ep = is_client ? from : 1 - from;
    } else {
        /* Nothing to go by: the endpoint on the higher port is the client. */
        ec->client_ep = f->port[0] >= f->port[1] ? 0 : 1;
    }
    int c = ec->client_ep;
    td_tls_set_roles(&ec->tls, &f->addr[c], f->port[c], &f->addr[1 - c], f->port[1 - c], from_syn);
}

static enum td_role role(const struct econn *ec, int from) { return from == ec->client_ep ? TD_CLIENT : TD_SERVER; }

/* Coverage by role, from the flow's TCP view. */
static void fill_coverage(struct td_flow *f, struct econn *ec, bool at_end)
{
    struct td_coverage *cov = &ec->tls.cov;
    int c = ec->client_ep >= 0 ? ec->client_ep : 0;
    td_flow_dir_coverage(f, c, &cov->dir[TD_CLIENT]);
    td_flow_dir_coverage(f, 1 - c, &cov->dir[TD_SERVER]);
    cov->valid = true;
    cov->midstream = f->syn_from < 0 && f->synack_from < 0;
    cov->open_at_end = at_end && !f->rst && !(f->fin[0] && f->fin[1]);
}

static void count_coverage(struct td_run_stats *st, const struct td_coverage *cov, uint16_t server_port)
{
    const struct td_dir_coverage *cl = &cov->dir[TD_CLIENT], *sv = &cov->dir[TD_SERVER];
    if (!st->poor_port && (cl->snap_frames || sv->snap_frames || !cl->segments || !sv->segments || cov->midstream ||
                           cl->acked_missing || sv->acked_missing)) {
        st->poor_port = server_port;
    }
    if (cl->snap_frames || sv->snap_frames) {
        st->snap_cut_conns++;
    }
    if (!cl->segments || !sv->segments) {
        st->one_sided_conns++;
    }
    if (cov->midstream) {
        st->midstream_conns++;
    }
    if (cl->acked_missing || sv->acked_missing) {
        st->acked_missing_conns++;
        st->acked_missing_bytes += cl->acked_missing + sv->acked_missing;
    }
    if (cov->open_at_end) {
        st->open_at_end_conns++;
    }
}

static void emit(struct td_engine *e, struct td_flow *f, struct econn *ec, bool at_end)
{
    struct td_tls_conn *c = &ec->tls;
    bool tls_port = td_is_tls_port(c->port[TD_SERVER]);
    fill_coverage(f, ec, at_end);
    /* TLS, a preamble that asked for it, or plain text the TLS port refused */
    if (td_tls_reportable(c) || (tls_port && ec->has_payload)) {
        count_coverage(e->stats, &c->cov, c->port[TD_SERVER]);
        if (!c->tls_seen && !c->pre.asked) {
            e->stats->not_tls_on_tls_port++;
            if (!c->failed) {
                c->failed = true;
                c->fail_reason = "not TLS on a TLS port";
            }
        }
        e->stats->tls_conns++;
        switch (td_tls_outcome(c)) {
        case TD_OUTCOME_OK:
            e->stats->ok++;
            break;
        case TD_OUTCOME_FAILED:
            e->stats->failed++;
            break;
        case TD_OUTCOME_INCOMPLETE:
            e->stats->incomplete++;
            break;
        }
        if (e->take) {
            e->take(e->cb.ctx, c, false);
            c = NULL;
        } else if (e->cb.on_conn) {
            e->cb.on_conn(e->cb.ctx, c);
        }
    } else if (ec->has_payload) {
        e->stats->other_conns++;
        if ((c->http_status >= 500 && c->http_status <= 599) ||
            (c->http_status >= 400 && c->http_status <= 499 && c->http_tls_hint)) {
            e->stats->http_errors++;
            if (e->take) {
                e->take(e->cb.ctx, c, true);
                c = NULL;
            } else if (e->cb.on_http_error) {
                e->cb.on_http_error(e->cb.ctx, c);
            }
        }
    }
    if (c) {
        td_engine_conn_free(c);
    }
    f->app = NULL;
    td_flow_release(e->tab, f);
}

void td_engine_conn_free(struct td_tls_conn *c)
{
    td_tls_conn_free(c);
    free((char *)c - offsetof(struct econn, tls));
}

void td_engine_divert(struct td_engine *e, const struct td_engine_cb *cb, struct td_run_stats *stats,
                      void (*take)(void *ctx, struct td_tls_conn *c, bool http))
{
    e->cb = *cb;
    e->stats = stats;
    e->take = take;
}

static void maybe_done(struct td_engine *e, struct td_flow *f)
{
    struct econn *ec = f->app;
    /* A SOCKS handshake in progress keeps the flow until Wireshark's extra
     * tcp.stream number is placed, even when the TLS layer has settled. */
    bool socks = (f->port[0] == TD_SOCKS_PORT || f->port[1] == TD_SOCKS_PORT) && ec && ec->has_payload &&
                 !ec->socks.gave_up;
    if (ec && ec->tls.settled && !socks) {
        emit(e, f, ec, false);
    }
}

static void on_new(void *ctx, struct td_flow *f)
{
    struct td_engine *e = ctx;
    if (e->cb.shard_n > 1 &&
        td_flow_sym_hash(&f->addr[0], f->port[0], &f->addr[1], f->port[1]) % e->cb.shard_n != e->cb.shard_k) {
        td_flow_release(e->tab, f); /* another shard's: numbered, not followed */
        return;
    }
    struct econn *ec = td_calloc(1, sizeof *ec);
    td_tls_conn_init(&ec->tls, &e->lim);
    ec->tls.keylog = e->keylog;
    ec->client_ep = -1;
    ec->tls.stream = f->stream;
    ec->tls.first_frame = f->first_frame;
    ec->tls.first_ts = f->first_ts;
    f->app = ec;
}

static void on_data(void *ctx, struct td_flow *f, int from, const uint8_t *p, size_t n)
{
    struct td_engine *e = ctx;
    struct econn *ec = f->app;
    if (!ec) {
        return;
    }
    ensure_roles(f, ec, from, p, n);
    ec->has_payload = true;
    if ((f->port[0] == TD_SOCKS_PORT || f->port[1] == TD_SOCKS_PORT) && !ec->socks.gave_up &&
        td_socks_num_feed(&ec->socks, role(ec, from) == TD_CLIENT, p, n)) {
        td_flowtab_skip_stream(e->tab);
    }
    struct td_at at = here(e);
    td_tls_feed(&ec->tls, role(ec, from), p, n, &at);
    maybe_done(e, f);
}

static void on_gap(void *ctx, struct td_flow *f, int from, uint64_t bytes, const char *why)
{
    struct td_engine *e = ctx;
    struct econn *ec = f->app;
    if (!ec) {
        return;
    }
    ensure_roles(f, ec, from, NULL, 0);
    struct td_at at = here(e);
    td_tls_gap(&ec->tls, role(ec, from), bytes, why, &at);
    maybe_done(e, f);
}

static void on_flags(void *ctx, struct td_flow *f, int from, uint8_t flags)
{
    struct td_engine *e = ctx;
    struct econn *ec = f->app;
    if (!ec) {
        return;
    }
    ensure_roles(f, ec, from, NULL, 0);
    struct td_at at = here(e);
    td_tls_flags(&ec->tls, role(ec, from), flags, &at);
    maybe_done(e, f);
}

static void on_end(void *ctx, struct td_flow *f, const char *why)
{
    struct td_engine *e = ctx;
    struct econn *ec = f->app;
    if (!ec) {
        return;
    }
    ensure_roles(f, ec, 0, NULL, 0);
    td_tls_end(&ec->tls, why);
    emit(e, f, ec, strcmp(why, "end of capture") == 0);
}

struct td_engine *td_engine_new(const struct td_limits *lim, const struct td_engine_cb *cb, const char *file,
                                struct td_run_stats *stats)
{
    struct td_engine *e = td_calloc(1, sizeof *e);
    static const struct td_reasm_ops ops = {on_new, on_data, on_gap, on_flags, on_end};
    e->lim = *lim;
    e->cb = *cb;
    e->file = file;
    e->stats = stats;
    e->tab = td_flowtab_new(&e->lim, &ops, e);
    e->keylog = cb->keylog;
    return e;
}

void td_engine_frame(struct td_engine *e, int dlt, uint64_t frame, const struct td_time *ts, const uint8_t *data,
                     size_t caplen, size_t wirelen)
{
    struct td_decoded d;
    d.res = td_decode_frame(dlt, data, caplen, &d.seg, &d.why, &d.at);
    td_engine_decoded(e, frame, ts, caplen, wirelen, &d);
}

void td_engine_decoded(struct td_engine *e, uint64_t frame, const struct td_time *ts, size_t caplen, size_t wirelen,
                       const struct td_decoded *d)
{
    struct td_tcpseg seg = d->seg;
    const char *why;
    size_t at;
    e->frame = frame;
    e->ts = *ts;
    e->stats->frames++;
    e->stats->bytes += wirelen;
    if (caplen < wirelen) {
        e->stats->cut_frames++;
    }
    switch (d->res) {
    case TD_DEC_TCP:
        e->stats->tcp_segments++;
        td_flowtab_segment(e->tab, &seg, ts, frame);
        return;
    case TD_DEC_NOT_IP:
        e->stats->not_ip++;
        return;
    case TD_DEC_NOT_TCP:
        e->stats->not_tcp++;
        return;
    case TD_DEC_FRAGMENT:
        e->stats->fragments++;
        if (!e->frag) {
            e->frag = td_ipfrag_new();
        }
        if (td_ipfrag_add(e->frag, &seg.frag_ip, &e->dgram) &&
            td_decode_frame(DLT_RAW_IP, e->dgram.data, e->dgram.len, &seg, &why, &at) == TD_DEC_TCP) {
            e->stats->tcp_segments++;
            td_flowtab_segment(e->tab, &seg, ts, frame); /* at its last fragment, as Wireshark shows it */
        }
        return;
    case TD_DEC_TRUNCATED:
        /* Headers cut by the snap length are common (tcpdump -s 96); count. */
        e->stats->truncated++;
        return;
    case TD_DEC_MALFORMED:
        e->stats->malformed_frames++;
        problem(e, frame, (long long)d->at, d->why);
        return;
    case TD_DEC_UNSUPPORTED_LINK:
        e->stats->not_ip++;
        return;
    }
}

void td_engine_finish(struct td_engine *e)
{
    struct td_flowtab_stats fs;
    td_flowtab_finish(e->tab);
    td_flowtab_stats(e->tab, &fs);
    e->stats->tcp_streams += fs.streams;
    if (fs.live_peak > e->stats->live_peak) {
        e->stats->live_peak = fs.live_peak;
    }
    e->stats->evicted += fs.evicted;
    e->stats->timed_out += fs.timed_out;
}

void td_engine_free(struct td_engine *e)
{
    if (!e) {
        return;
    }
    td_flowtab_free(e->tab);
    td_ipfrag_free(e->frag);
    td_buf_free(&e->dgram);
    if (e->own_keylog) {
        td_keylog_free(e->keylog);
    }
    free(e);
}

/* One frame as read: link type warning, pcapng secrets, the caller's
 * per-frame hooks, then the engine. */
static void take_frame(struct td_engine *e, struct td_reader *r, const struct td_frame *f, uint64_t *last_dlt_warned)
{
    const struct td_engine_cb *cb = &e->cb;
    if (!td_link_supported(f->dlt) && *last_dlt_warned != (uint64_t)f->dlt) {
        char what[128];
        snprintf(what, sizeof what, "link type %d is not supported: its frames are counted, not decoded", f->dlt);
        problem(e, f->number, -1, what);
        *last_dlt_warned = (uint64_t)f->dlt;
    }
    struct td_buf sec = {0};
    if (td_reader_take_secrets(r, &sec)) {
        if (!e->keylog) {
            e->keylog = td_keylog_new();
            e->own_keylog = true;
        }
        td_keylog_add_text(e->keylog, sec.data, sec.len);
        td_memzero(sec.data, sec.len);
        td_buf_free(&sec);
    }
    if (cb->on_frame) {
        cb->on_frame(cb->ctx, f);
    }
    td_engine_frame(e, f->dlt, f->number, &f->ts, f->data, f->caplen, f->wirelen);
    if (cb->on_tick && (f->number & 0xff) == 0) {
        cb->on_tick(cb->ctx);
    }
    if (cb->on_progress && (f->number & 0xffff) == 0) {
        cb->on_progress(cb->ctx, f->pos, e->file_total);
    }
}

/* Two threads for a capture file (pcap or pcapng; not a pipe or a live
 * capture) when asked (threads 2, or 0: by default) and two cores run them,
 * unless the caller wants each frame or a tick while reading (a live or
 * streamed input's work, on one thread). */
static bool use_pipeline(const struct td_engine_cb *cb, struct td_reader *r)
{
    return cb->threads != 1 && !cb->on_frame && !cb->on_tick && !td_reader_is_stream(r) && td_pipeline_cores() >= 2;
}

int td_engine_loop(struct td_engine *e, struct td_reader *r)
{
    const struct td_engine_cb *cb = &e->cb;
    struct td_frame f;
    char err[512];
    int rc = 0, ret = 0;
    uint64_t last_dlt_warned = (uint64_t)-1;
    while (!(cb->stop && *cb->stop)) {
        rc = td_reader_next(r, &f, err, sizeof err);
        if (rc == 2) {
            if (cb->on_tick) {
                cb->on_tick(cb->ctx);
            }
            continue; /* a live capture's read timeout: look at stop again */
        }
        if (rc != 1) {
            break;
        }
        take_frame(e, r, &f, &last_dlt_warned);
    }
    if (rc < 0 && !(cb->stop && *cb->stop)) { /* a read cut by the stop signal is no damage */
        problem(e, e->frame + 1, -1, err);
        ret = 1;
    }
    td_engine_finish(e);
    return ret;
}

int td_engine_run(struct td_reader *r, const char *name, const struct td_limits *lim, const struct td_engine_cb *cb,
                  struct td_run_stats *stats)
{
    struct td_engine *e = td_engine_new(lim, cb, name, stats);
    uint64_t done;
    td_reader_progress(r, &done, &e->file_total);
    int ret = use_pipeline(cb, r) ? td_pipeline_run(e, r, cb, stats) : td_engine_loop(e, r);
    if (cb->on_progress) {
        cb->on_progress(cb->ctx, e->file_total, e->file_total);
    }
    td_engine_free(e);
    return ret;
}

int td_engine_pcap(const char *path, const struct td_limits *lim, const struct td_engine_cb *cb,
                   struct td_run_stats *stats, char *errbuf, size_t errlen)
{
    struct td_reader *r = td_reader_open(path, errbuf, errlen);
    if (!r) {
        return 2;
    }
    int ret = td_engine_run(r, path, lim, cb, stats);
    td_reader_close(r);
    return ret;
}
