/* The TCP flow table: lookup, Wireshark stream numbering, LRU expiry. */
#include <stdlib.h>

#include "base/mem.h"
#include "reasm/internal.h"

#include "base/banned.h"

static uint32_t hash_bytes(uint32_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u; /* FNV-1a */
    }
    return h;
}

/* Symmetric: both directions of a flow hash alike. */
static uint32_t flow_hash(const struct td_addr *a, uint16_t pa, const struct td_addr *b, uint16_t pb)
{
    size_t alen = a->family == 4 ? 4 : 16;
    uint32_t ha = hash_bytes(2166136261u, a->a, alen) ^ (uint32_t)pa * 2654435761u;
    uint32_t hb = hash_bytes(2166136261u, b->a, alen) ^ (uint32_t)pb * 2654435761u;
    return (ha + hb) ^ ((ha ^ hb) >> 7) ^ a->family;
}

static bool addr_eq(const struct td_addr *a, const struct td_addr *b)
{
    return a->family == b->family && td_mem_eq(a->a, b->a, a->family == 4 ? 4 : 16);
}

struct td_flowtab *td_flowtab_new(const struct td_limits *lim, const struct td_reasm_ops *ops, void *ctx)
{
    struct td_flowtab *t = td_calloc(1, sizeof *t);
    t->lim = *lim;
    t->ops = *ops;
    t->ctx = ctx;
    t->nbuckets = 1024;
    t->buckets = td_calloc(t->nbuckets, sizeof *t->buckets);
    return t;
}

/* -- LRU lists: one for live flows, one for tombstones. -- */
static void lru_unlink(struct td_lru *l, struct td_flow *f)
{
    if (f->lprev) {
        f->lprev->lnext = f->lnext;
    } else {
        l->head = f->lnext;
    }
    if (f->lnext) {
        f->lnext->lprev = f->lprev;
    } else {
        l->tail = f->lprev;
    }
    f->lprev = f->lnext = NULL;
    l->count--;
}

static void lru_push(struct td_lru *l, struct td_flow *f)
{
    f->lprev = NULL;
    f->lnext = l->head;
    if (l->head) {
        l->head->lprev = f;
    } else {
        l->tail = f;
    }
    l->head = f;
    l->count++;
}

static struct td_lru *lru_of(struct td_flowtab *t, const struct td_flow *f)
{
    return f->state == TD_FLOW_LIVE ? &t->live : &t->dead;
}

static void grow(struct td_flowtab *t)
{
    size_t n = t->nbuckets * 2;
    struct td_flow **b = td_calloc(n, sizeof *b);
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct td_flow *f = t->buckets[i], *next;
        for (; f; f = next) {
            next = f->hnext;
            f->hnext = b[f->hash & (n - 1)];
            b[f->hash & (n - 1)] = f;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

static void unhash(struct td_flowtab *t, struct td_flow *f)
{
    struct td_flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
    for (; *pp; pp = &(*pp)->hnext) {
        if (*pp == f) {
            *pp = f->hnext;
            t->nflows--;
            return;
        }
    }
}

static void destroy(struct td_flowtab *t, struct td_flow *f)
{
    lru_unlink(lru_of(t, f), f);
    unhash(t, f);
    td_tcpdir_free(&f->dir[0]);
    td_tcpdir_free(&f->dir[1]);
    free(f);
}

void td_flow_release(struct td_flowtab *t, struct td_flow *f)
{
    if (f->state != TD_FLOW_LIVE) {
        return;
    }
    lru_unlink(&t->live, f);
    f->state = TD_FLOW_RELEASED;
    f->app = NULL;
    td_tcpdir_free(&f->dir[0]);
    td_tcpdir_free(&f->dir[1]);
    lru_push(&t->dead, f);
}

/* Hand a live flow back to the application for good, then keep it as a tombstone. */
static void end_flow(struct td_flowtab *t, struct td_flow *f, const char *why)
{
    if (f->state != TD_FLOW_LIVE) {
        return;
    }
    td_tcpdir_flush(t, f, 0, why);
    td_tcpdir_flush(t, f, 1, why);
    if (f->state == TD_FLOW_LIVE && t->ops.on_end) {
        t->ops.on_end(t->ctx, f, why);
    }
    td_flow_release(t, f);
}

static bool older_than(const struct td_time *then, const struct td_time *now, uint32_t sec)
{
    return now->sec - then->sec > (int64_t)sec;
}

static void expire(struct td_flowtab *t)
{
    while (t->live.tail && older_than(&t->live.tail->last_ts, &t->now, t->lim.idle_timeout_sec)) {
        t->stats.timed_out++;
        end_flow(t, t->live.tail, "idle timeout");
    }
    /* Closed flows need their number only briefly (late ACKs, retransmitted FINs). */
    while (t->dead.tail) {
        struct td_flow *f = t->dead.tail;
        bool closed = f->rst || (f->fin[0] && f->fin[1]);
        uint32_t keep = closed ? t->lim.tombstone_idle_sec / 8 + 1 : t->lim.tombstone_idle_sec;
        if (!older_than(&f->last_ts, &t->now, keep) && t->dead.count <= t->lim.max_live_flows * 4) {
            break;
        }
        destroy(t, f);
    }
}

static struct td_flow *lookup(struct td_flowtab *t, const struct td_tcpseg *s, uint32_t h, int *from)
{
    for (struct td_flow *f = t->buckets[h & (t->nbuckets - 1)]; f; f = f->hnext) {
        if (f->hash != h) {
            continue;
        }
        if (f->port[0] == s->sport && f->port[1] == s->dport && addr_eq(&f->addr[0], &s->src) &&
            addr_eq(&f->addr[1], &s->dst)) {
            *from = 0;
            return f;
        }
        if (f->port[1] == s->sport && f->port[0] == s->dport && addr_eq(&f->addr[1], &s->src) &&
            addr_eq(&f->addr[0], &s->dst)) {
            *from = 1;
            return f;
        }
    }
    return NULL;
}

/* stream: the tcp.stream number to take, or -1 for the next one. */
static struct td_flow *create(struct td_flowtab *t, const struct td_tcpseg *s, uint32_t h, const struct td_time *ts,
                              int64_t stream)
{
    if (t->live.count >= t->lim.max_live_flows && t->live.tail) {
        t->stats.evicted++;
        end_flow(t, t->live.tail, "evicted: too many connections open at once");
    }
    struct td_flow *f = td_calloc(1, sizeof *f);
    f->addr[0] = s->src;
    f->addr[1] = s->dst;
    f->port[0] = s->sport;
    f->port[1] = s->dport;
    f->hash = h;
    f->stream = stream >= 0 ? (uint32_t)stream : (uint32_t)t->stats.streams++;
    f->first_frame = t->frame;
    f->first_ts = f->last_ts = *ts;
    f->syn_from = -1;
    f->synack_from = -1;
    f->state = TD_FLOW_LIVE;
    if (t->nflows >= t->nbuckets) {
        grow(t);
    }
    f->hnext = t->buckets[h & (t->nbuckets - 1)];
    t->buckets[h & (t->nbuckets - 1)] = f;
    t->nflows++;
    lru_push(&t->live, f);
    if (t->live.count > t->stats.live_peak) {
        t->stats.live_peak = t->live.count;
    }
    if (t->ops.on_new) {
        t->ops.on_new(t->ctx, f);
    }
    return f;
}

/* The first such packet's TTL and IP ID: a reset from another hop than the
 * server's SYN-ACK has another TTL (rules_middlebox.c, rules_transport.c). */
static void ip_mark(struct td_ip_mark *m, const struct td_tcpseg *s)
{
    if (!m->seen) {
        m->seen = true;
        m->ttl = s->ttl;
        m->has_id = s->has_ip_id;
        m->id = s->ip_id;
    }
}

void td_flowtab_segment(struct td_flowtab *t, const struct td_tcpseg *s, const struct td_time *ts, uint64_t frame)
{
    t->frame = t->data_frame = frame;
    t->ts = t->data_ts = *ts;
    if (ts->sec > t->now.sec || (ts->sec == t->now.sec && ts->nsec > t->now.nsec)) {
        t->now = *ts;
    }
    uint32_t h = flow_hash(&s->src, s->sport, &s->dst, s->dport);
    int from = 0;
    struct td_flow *f = lookup(t, s, h, &from);
    bool syn_only = (s->flags & (TD_TCP_SYN | TD_TCP_ACK)) == TD_TCP_SYN;
    int64_t reuse = -1;
    if (f && syn_only) {
        /* Wireshark (packet-tcp.c, 4.0) starts a new tcp.stream when a SYN's
         * sequence number is not the base_seq of its direction, closed or
         * not: a SYN retransmitted after an RST with the same ISN stays. */
        const struct td_tcpdir *d = &f->dir[from];
        if (d->ws_base_set && d->ws_base != s->seq) {
            end_flow(t, f, "ports reused by a new connection");
            destroy(t, f);
            f = NULL;
        } else if (f->state == TD_FLOW_RELEASED) {
            /* Same stream, but the connection we reported is over (the SYN
             * retried after an RST): follow the new one under that number. */
            reuse = f->stream;
            destroy(t, f);
            f = NULL;
        }
    }
    if (!f) {
        f = create(t, s, h, ts, reuse);
        from = 0;
    } else {
        lru_unlink(lru_of(t, f), f);
        lru_push(lru_of(t, f), f);
    }
    f->last_ts = *ts;
    struct td_tcpdir *fwd = &f->dir[from], *rev = &f->dir[1 - from];
    if (!fwd->ws_base_set) {
        fwd->ws_base_set = true;
        fwd->ws_base = (s->flags & TD_TCP_SYN) ? s->seq : s->seq - 1;
    }
    if (!rev->ws_base_set && (s->flags & TD_TCP_ACK)) {
        rev->ws_base_set = true;
        rev->ws_base = s->ack - 1;
    }
    if (s->flags & TD_TCP_RST) {
        f->rst = true;
        ip_mark(&fwd->rst_ip, s);
    }
    if (s->flags & TD_TCP_SYN) {
        ip_mark(&fwd->syn_ip, s);
    }
    if (s->flags & TD_TCP_FIN) {
        f->fin[from] = true;
    }
    if (syn_only) {
        f->syn_from = from;
    } else if ((s->flags & (TD_TCP_SYN | TD_TCP_ACK)) == (TD_TCP_SYN | TD_TCP_ACK)) {
        f->synack_from = from;
    }
    if (f->state == TD_FLOW_LIVE) {
        td_tcpdir_segment(t, f, from, s);
    }
    expire(t);
}

void td_flowtab_skip_stream(struct td_flowtab *t) { t->stats.streams++; }

void td_flowtab_data_at(const struct td_flowtab *t, uint64_t *frame, struct td_time *ts)
{
    *frame = t->data_frame;
    *ts = t->data_ts;
}

void td_flowtab_finish(struct td_flowtab *t)
{
    while (t->live.head) {
        end_flow(t, t->live.head, "end of capture");
    }
}

void td_flowtab_free(struct td_flowtab *t)
{
    if (!t) {
        return;
    }
    td_flowtab_finish(t);
    while (t->dead.head) {
        destroy(t, t->dead.head);
    }
    free(t->buckets);
    free(t);
}

void td_flowtab_stats(const struct td_flowtab *t, struct td_flowtab_stats *out)
{
    *out = t->stats;
    out->live = t->live.count;
    out->tombstones = t->dead.count;
}
