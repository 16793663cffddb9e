#include "capture/keep.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/hash.h"
#include "base/mem.h"
#include "capture/capture.h"

#include "base/banned.h"

#define BUCKETS 4096u
#define FRAME_HDR 28 /* dlt, sec (8), nsec, caplen, wirelen, 4 spare: see put_frame */

enum state { PENDING, WRITE, DROP };

struct endpoint {
    struct td_addr addr;
    uint16_t port;
};

struct flow {
    struct endpoint ep[2]; /* the smaller first */
    enum state state;
    bool cut;
    int64_t last_sec;
    struct td_buf frames;           /* PENDING: the frames so far */
    struct td_pcapngw_secrets keys; /* WRITE: key log lines for its files */
    struct flow *next;              /* hash chain */
    struct flow *older, *newer;
};

struct td_keep {
    struct td_pcapngw *w;
    size_t per_conn;
    struct flow *buckets[BUCKETS];
    struct flow *oldest, *newest;
    size_t num_flows;
    uint64_t bytes;
    struct td_keep_stats st;
};

static size_t addr_len(const struct td_addr *a) { return a->family == 6 ? 16 : 4; }

static int ep_cmp(const struct endpoint *x, const struct endpoint *y)
{
    if (x->addr.family != y->addr.family) {
        return x->addr.family < y->addr.family ? -1 : 1;
    }
    for (size_t i = 0; i < addr_len(&x->addr); i++) {
        if (x->addr.a[i] != y->addr.a[i]) {
            return x->addr.a[i] < y->addr.a[i] ? -1 : 1;
        }
    }
    return x->port < y->port ? -1 : x->port > y->port;
}

static void make_key(struct endpoint key[2], const struct td_addr *a, uint16_t ap, const struct td_addr *b, uint16_t bp)
{
    td_memzero(key, 2 * sizeof *key);
    struct endpoint x = {.port = ap}, y = {.port = bp};
    x.addr.family = a->family;
    y.addr.family = b->family;
    td_memcopy(x.addr.a, a->a, addr_len(a));
    td_memcopy(y.addr.a, b->a, addr_len(b));
    bool swap = ep_cmp(&x, &y) > 0;
    key[0] = swap ? y : x;
    key[1] = swap ? x : y;
}

static uint32_t key_hash(const struct endpoint key[2])
{
    uint32_t h = TD_HASH32_INIT;
    for (int i = 0; i < 2; i++) {
        h = td_hash32_bytes(h, key[i].addr.a, addr_len(&key[i].addr));
        h = td_hash32_bytes(h, (const uint8_t *)&key[i].port, sizeof key[i].port);
    }
    return h % BUCKETS;
}

struct td_keep *td_keep_new(struct td_pcapngw *w, size_t per_conn)
{
    struct td_keep *k = td_calloc(1, sizeof *k);
    k->w = w;
    k->per_conn = per_conn;
    return k;
}

static void unlink_lru(struct td_keep *k, struct flow *f)
{
    if (f->older) {
        f->older->newer = f->newer;
    } else {
        k->oldest = f->newer;
    }
    if (f->newer) {
        f->newer->older = f->older;
    } else {
        k->newest = f->older;
    }
    f->older = f->newer = NULL;
}

static void push_newest(struct td_keep *k, struct flow *f)
{
    f->older = k->newest;
    if (k->newest) {
        k->newest->newer = f;
    } else {
        k->oldest = f;
    }
    k->newest = f;
}

static void release_frames(struct td_keep *k, struct flow *f)
{
    k->bytes -= f->frames.len;
    td_buf_free(&f->frames);
}

static void release_keys(struct td_keep *k, struct flow *f)
{
    k->bytes -= f->keys.lines.len;
    td_memzero(f->keys.lines.data, f->keys.lines.len);
    td_buf_free(&f->keys.lines);
}

static void forget(struct td_keep *k, struct flow *f)
{
    if (f->state == PENDING) {
        k->st.flows_forgotten++;
    }
    release_frames(k, f);
    release_keys(k, f);
    struct flow **p = &k->buckets[key_hash(f->ep)];
    while (*p != f) {
        p = &(*p)->next;
    }
    *p = f->next;
    unlink_lru(k, f);
    k->num_flows--;
    free(f);
}

static struct flow *find(struct td_keep *k, const struct endpoint key[2])
{
    for (struct flow *f = k->buckets[key_hash(key)]; f; f = f->next) {
        if (ep_cmp(&f->ep[0], &key[0]) == 0 && ep_cmp(&f->ep[1], &key[1]) == 0) {
            return f;
        }
    }
    return NULL;
}

static struct flow *add(struct td_keep *k, const struct endpoint key[2])
{
    if (k->num_flows >= TD_KEEP_MAX_FLOWS) {
        forget(k, k->oldest);
    }
    struct flow *f = td_calloc(1, sizeof *f);
    f->ep[0] = key[0];
    f->ep[1] = key[1];
    uint32_t h = key_hash(key);
    f->next = k->buckets[h];
    k->buckets[h] = f;
    push_newest(k, f);
    k->num_flows++;
    return f;
}

static void put_u32(uint8_t *p, uint32_t v) { td_memcopy(p, &v, 4); }
static uint32_t get_u32(const uint8_t *p)
{
    uint32_t v;
    td_memcopy(&v, p, 4);
    return v;
}

/* A kept frame: its header (native byte order, never leaves memory), then its bytes. */
static void put_frame(struct td_keep *k, struct flow *f, int dlt, const struct td_time *ts, const uint8_t *data,
                      size_t caplen, size_t wirelen)
{
    if (f->frames.len + FRAME_HDR + caplen > k->per_conn || k->bytes + FRAME_HDR + caplen > TD_KEEP_MAX_BYTES) {
        f->cut = true;
        return;
    }
    uint8_t h[FRAME_HDR];
    uint64_t sec = (uint64_t)ts->sec;
    put_u32(h, (uint32_t)dlt);
    put_u32(h + 4, (uint32_t)(sec >> 32));
    put_u32(h + 8, (uint32_t)sec);
    put_u32(h + 12, ts->nsec);
    put_u32(h + 16, (uint32_t)caplen);
    put_u32(h + 20, (uint32_t)wirelen);
    put_u32(h + 24, 0);
    td_buf_append(&f->frames, h, sizeof h);
    td_buf_append(&f->frames, data, caplen);
    k->bytes += FRAME_HDR + caplen;
}

static void write_frame(struct td_keep *k, struct flow *f, int dlt, const struct td_time *ts, const uint8_t *data,
                        size_t caplen, size_t wirelen)
{
    char err[256];
    if (!td_pcapngw_packet(k->w, dlt, ts, data, caplen, wirelen, &f->keys, err, sizeof err)) {
        k->st.write_error = true;
        return;
    }
    k->st.packets_written++;
}

static void expire_idle(struct td_keep *k, int64_t now)
{
    while (k->oldest && now - k->oldest->last_sec > TD_KEEP_IDLE_SECS) {
        forget(k, k->oldest);
    }
}

void td_keep_frame(struct td_keep *k, int dlt, const struct td_time *ts, const uint8_t *data, size_t caplen,
                   size_t wirelen)
{
    struct td_tcpseg seg;
    const char *why;
    size_t at;
    if (td_decode_frame(dlt, data, caplen, &seg, &why, &at) != TD_DEC_TCP) {
        return; /* not TCP, or a fragment: not part of a connection's ladder */
    }
    expire_idle(k, ts->sec);
    struct endpoint key[2];
    make_key(key, &seg.src, seg.sport, &seg.dst, seg.dport);
    struct flow *f = find(k, key);
    bool syn = (seg.flags & TD_TCP_SYN) && !(seg.flags & TD_TCP_ACK);
    if (f && f->state != PENDING && syn) {
        forget(k, f); /* the 5-tuple again: a new connection */
        f = NULL;
    }
    if (!f) {
        f = add(k, key);
    } else {
        unlink_lru(k, f);
        push_newest(k, f);
    }
    f->last_sec = ts->sec;
    if (f->state == WRITE) {
        write_frame(k, f, dlt, ts, data, caplen, wirelen);
    } else if (f->state == PENDING) {
        put_frame(k, f, dlt, ts, data, caplen, wirelen);
    }
}

/* The lines go with the flow until a frame of it is written; kept after
 * that only for the files a rotation may open, within the bounds. */
static void take_keys(struct td_keep *k, struct flow *f, const uint8_t *secrets, size_t len)
{
    if (!secrets || len == 0) {
        return;
    }
    k->st.conns_keyed++;
    td_buf_append(&f->keys.lines, secrets, len);
    k->bytes += len;
}

static void settle_keys(struct td_keep *k, struct flow *f)
{
    if (f->keys.lines.len == 0 || (f->keys.in_file && !td_pcapngw_rotates(k->w))) {
        release_keys(k, f);
    } else if (f->keys.lines.len > TD_KEEP_MAX_SECRETS || k->bytes > TD_KEEP_MAX_BYTES) {
        k->st.keys_let_go++;
        release_keys(k, f);
    }
}

bool td_keep_decide(struct td_keep *k, const struct td_addr *a, uint16_t a_port, const struct td_addr *b,
                    uint16_t b_port, bool write, const uint8_t *secrets, size_t secrets_len)
{
    struct endpoint key[2];
    make_key(key, a, a_port, b, b_port);
    struct flow *f = find(k, key);
    if (!f || f->state != PENDING) {
        return f != NULL;
    }
    f->state = write ? WRITE : DROP;
    if (write) {
        k->st.conns_written++;
        k->st.conns_cut += f->cut;
        take_keys(k, f, secrets, secrets_len);
        const uint8_t *p = f->frames.data, *end = p + f->frames.len;
        while (p && p + FRAME_HDR <= end) {
            struct td_time ts = {(int64_t)((uint64_t)get_u32(p + 4) << 32 | get_u32(p + 8)), get_u32(p + 12)};
            size_t caplen = get_u32(p + 16);
            write_frame(k, f, (int)get_u32(p), &ts, p + FRAME_HDR, caplen, get_u32(p + 20));
            p += FRAME_HDR + caplen;
        }
        settle_keys(k, f);
    }
    release_frames(k, f);
    return true;
}

void td_keep_stats(const struct td_keep *k, struct td_keep_stats *out) { *out = k->st; }

void td_keep_free(struct td_keep *k)
{
    if (!k) {
        return;
    }
    while (k->oldest) {
        forget(k, k->oldest);
    }
    free(k);
}
