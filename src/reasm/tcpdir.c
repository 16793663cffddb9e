/* One direction of a TCP connection: in-order delivery, out-of-order
 * buffering, retransmissions, overlaps and gaps.
 *
 * Callbacks may release the flow (td_flow_release frees the out-of-order
 * buffer), so after every callback we check that the flow is still live. */
#include <stdlib.h>

#include "base/mem.h"
#include "reasm/internal.h"

#include "base/banned.h"

#define LIVE(f) ((f)->state == TD_FLOW_LIVE)

static const char ACKED_MISSING[] = "bytes acknowledged by the peer but missing from the capture";

void td_tcpdir_free(struct td_tcpdir *d)
{
    struct td_ooo *o = d->ooo, *next;
    for (; o; o = next) {
        next = o->next;
        free(o);
    }
    d->ooo = NULL;
    d->ooo_bytes = 0;
}

static void emit(struct td_flowtab *t, struct td_flow *f, int from, const uint8_t *p, size_t n)
{
    struct td_tcpdir *d = &f->dir[from];
    d->next_seq += (uint32_t)n;
    d->delivered += n;
    if (n && t->ops.on_data) {
        t->ops.on_data(t->ctx, f, from, p, n);
    }
}

static void gap(struct td_flowtab *t, struct td_flow *f, int from, uint32_t n, const char *why)
{
    struct td_tcpdir *d = &f->dir[from];
    if (n == 0) {
        return;
    }
    d->gaps++;
    d->gap_bytes += n;
    if (why == ACKED_MISSING) {
        d->acked_gap_bytes += n;
    }
    d->next_seq += n;
    d->delivered += n;
    if (t->ops.on_gap) {
        t->ops.on_gap(t->ctx, f, from, n, why);
    }
}

static void check_fin(struct td_flowtab *t, struct td_flow *f, int from)
{
    struct td_tcpdir *d = &f->dir[from];
    if (d->fin_pending && !d->fin_done && td_seq_diff(d->next_seq, d->fin_seq) >= 0) {
        d->fin_done = true;
        if (t->ops.on_flags) {
            t->ops.on_flags(t->ctx, f, from, TD_TCP_FIN);
        }
    }
}

/* Deliver buffered segments that have become contiguous. */
static void drain(struct td_flowtab *t, struct td_flow *f, int from)
{
    struct td_tcpdir *d = &f->dir[from];
    while (LIVE(f) && d->ooo && td_seq_diff(d->ooo->seq, d->next_seq) <= 0) {
        struct td_ooo *o = d->ooo;
        d->ooo = o->next;
        d->ooo_bytes -= o->len;
        uint32_t skip = (uint32_t)td_seq_diff(d->next_seq, o->seq);
        if (skip < o->len) {
            t->data_frame = o->frame;
            t->data_ts = o->ts;
            emit(t, f, from, o->data + skip, o->len - skip);
            t->data_frame = t->frame;
            t->data_ts = t->ts;
        }
        free(o);
    }
    if (LIVE(f)) {
        check_fin(t, f, from);
    }
}

/* Skip the hole before the first buffered segment. */
static void skip_first_hole(struct td_flowtab *t, struct td_flow *f, int from, const char *why)
{
    struct td_tcpdir *d = &f->dir[from];
    if (!d->ooo) {
        return;
    }
    int32_t hole = td_seq_diff(d->ooo->seq, d->next_seq);
    if (hole > 0) {
        gap(t, f, from, (uint32_t)hole, why);
    }
    drain(t, f, from);
}

void td_tcpdir_flush(struct td_flowtab *t, struct td_flow *f, int from, const char *why)
{
    struct td_tcpdir *d = &f->dir[from];
    while (LIVE(f) && d->ooo) {
        skip_first_hole(t, f, from, why);
    }
    if (LIVE(f) && d->fin_pending && !d->fin_done && td_seq_diff(d->fin_seq, d->next_seq) > 0) {
        gap(t, f, from, (uint32_t)td_seq_diff(d->fin_seq, d->next_seq), why);
        if (LIVE(f)) {
            check_fin(t, f, from);
        }
    }
}

static void ooo_insert(struct td_flowtab *t, struct td_flow *f, int from, uint32_t seq, const uint8_t *p, size_t n)
{
    struct td_tcpdir *d = &f->dir[from];
    if (n == 0) {
        return;
    }
    if (n > t->lim.ooo_bytes) {
        n = t->lim.ooo_bytes;
    }
    while (LIVE(f) && d->ooo && d->ooo_bytes + n > t->lim.ooo_bytes) {
        skip_first_hole(t, f, from, "out-of-order buffer full: bytes missing from the capture");
    }
    if (!LIVE(f)) {
        return;
    }
    if (td_seq_diff(seq, d->next_seq) <= 0) {
        /* The hole closed while making room. */
        uint32_t skip = (uint32_t)td_seq_diff(d->next_seq, seq);
        if (skip < n) {
            emit(t, f, from, p + skip, n - skip);
            drain(t, f, from);
        }
        return;
    }
    struct td_ooo **pp = &d->ooo;
    while (*pp && td_seq_diff((*pp)->seq, seq) < 0) {
        pp = &(*pp)->next;
    }
    if (*pp && (*pp)->seq == seq && (*pp)->len >= n) {
        return; /* a retransmission of a buffered segment */
    }
    struct td_ooo *o = td_malloc(sizeof *o + n);
    o->seq = seq;
    o->len = (uint32_t)n;
    o->frame = t->frame;
    o->ts = t->ts;
    td_memcopy(o->data, p, n);
    o->next = *pp;
    *pp = o;
    d->ooo_bytes += n;
}

static void data(struct td_flowtab *t, struct td_flow *f, int from, uint32_t seq, const uint8_t *p, size_t cap,
                 uint32_t wire_len)
{
    struct td_tcpdir *d = &f->dir[from];
    int32_t rel = td_seq_diff(seq, d->next_seq);
    if (rel > 0) {
        /* Ahead of what we have. If the peer already acknowledged up to here,
         * the hole was sent and received but never captured. */
        if (d->acked_valid && td_seq_diff(d->acked, seq) >= 0) {
            skip_first_hole(t, f, from, ACKED_MISSING);
            if (LIVE(f) && td_seq_diff(seq, d->next_seq) > 0) {
                gap(t, f, from, (uint32_t)td_seq_diff(seq, d->next_seq), ACKED_MISSING);
            }
            if (!LIVE(f)) {
                return;
            }
            rel = td_seq_diff(seq, d->next_seq);
        }
        if (rel > 0) {
            ooo_insert(t, f, from, seq, p, cap);
            return;
        }
    }
    uint32_t skip = 0u - (uint32_t)rel; /* |rel|, defined even for INT32_MIN */
    if (skip >= wire_len) {
        d->retrans++;
        return;
    }
    if (skip < cap) {
        emit(t, f, from, p + skip, cap - skip);
    }
    if (LIVE(f) && wire_len > cap) {
        uint32_t lost = wire_len - (skip > cap ? skip : (uint32_t)cap);
        gap(t, f, from, lost, "segment cut by the capture's snap length");
    }
    if (LIVE(f)) {
        drain(t, f, from);
    }
}

/* Long by nature: the order of the checks on one segment (flags, sequence
 * space, retransmission, overlap, out of order, snap cut) is the algorithm;
 * split, each piece would need the others' state (t1300 tests every path). */
void td_tcpdir_segment(struct td_flowtab *t, struct td_flow *f, int from, const struct td_tcpseg *s)
{
    struct td_tcpdir *d = &f->dir[from];
    struct td_tcpdir *peer = &f->dir[1 - from];
    uint32_t seq = s->seq;
    if (d->segments++ == 0) {
        d->first_frame = t->frame;
    }
    if (s->payload_wire_len > td_cur_len(&s->payload)) {
        d->snap_frames++;
        d->snap_bytes += s->payload_wire_len - td_cur_len(&s->payload);
    }
    d->payload_bytes += td_cur_len(&s->payload);
    if (s->flags & TD_TCP_ACK) {
        /* Kept even while the peer's direction has no base: a one-sided
         * capture still shows how much the peer sent. */
        if (!peer->ack_seen) {
            peer->ack_seen = true;
            peer->ack_first = peer->ack_max = s->ack;
        } else if (td_seq_diff(s->ack, peer->ack_max) > 0) {
            peer->ack_max = s->ack;
        }
    }
    if (s->flags & TD_TCP_SYN) {
        d->syn = true;
        if (!d->have_base) {
            d->have_base = true;
            d->base_seq = seq;
            d->next_seq = seq + 1;
        }
        seq += 1; /* the SYN occupies one sequence number */
    } else if (!d->have_base) {
        /* The SYN was not captured. When the peer already acknowledged up to
         * a point before this segment, the bytes in between were sent and are
         * missing: start there, so they are reported as a gap (unless they
         * still arrive out of order). Otherwise start where this segment
         * starts. */
        d->have_base = true;
        d->base_seq = d->next_seq = seq;
        int32_t behind = d->ack_seen ? td_seq_diff(seq, d->ack_first) : 0;
        if (s->payload_wire_len > 0 && behind > 0 && behind <= (1 << 24)) {
            d->base_seq = d->next_seq = d->ack_first;
            d->acked = d->ack_max;
            d->acked_valid = true;
        }
    }
    if (s->payload_wire_len > 0 && !d->data_seen) {
        d->data_seen = true;
        d->from_start = (d->syn && seq == d->base_seq + 1) || (d->ack_seen && seq == d->ack_first);
    }
    if ((s->flags & TD_TCP_ACK) && peer->have_base && (!peer->acked_valid || td_seq_diff(s->ack, peer->acked) > 0)) {
        peer->acked = s->ack;
        peer->acked_valid = true;
        /* Data after a hole has arrived, and now the hole is acknowledged:
         * it will never be captured. */
        if (peer->ooo && td_seq_diff(s->ack, peer->next_seq) > 0 && td_seq_diff(peer->ooo->seq, peer->next_seq) > 0) {
            uint32_t upto = td_seq_diff(s->ack, peer->ooo->seq) < 0 ? s->ack : peer->ooo->seq;
            gap(t, f, 1 - from, (uint32_t)td_seq_diff(upto, peer->next_seq), ACKED_MISSING);
            if (LIVE(f)) {
                drain(t, f, 1 - from);
            }
            if (!LIVE(f)) {
                return;
            }
        }
    }
    if (s->payload_wire_len > 0) {
        data(t, f, from, seq, td_cur_data(&s->payload), td_cur_len(&s->payload), s->payload_wire_len);
        if (!LIVE(f)) {
            return;
        }
    }
    if ((s->flags & TD_TCP_FIN) && !d->fin_pending) {
        d->fin_pending = true;
        d->fin_seq = seq + s->payload_wire_len;
        check_fin(t, f, from);
        if (!LIVE(f)) {
            return;
        }
    }
    if ((s->flags & TD_TCP_RST) && !d->rst_sent) {
        d->rst_sent = true;
        if (t->ops.on_flags) {
            t->ops.on_flags(t->ctx, f, from, TD_TCP_RST);
        }
    }
}

void td_flow_dir_coverage(const struct td_flow *f, int ep, struct td_dir_coverage *out)
{
    const struct td_tcpdir *d = &f->dir[ep];
    out->segments = d->segments;
    out->payload_bytes = d->payload_bytes;
    out->first_frame = d->first_frame;
    out->syn = d->syn;
    out->from_start = d->from_start;
    out->snap_frames = d->snap_frames;
    out->snap_bytes = d->snap_bytes;
    out->gap_bytes = d->gap_bytes;
    out->acked_missing = d->acked_gap_bytes;
    out->acked = d->ack_seen;
    out->syn_ip = d->syn_ip;
    out->rst_ip = d->rst_ip;
    if (d->ack_seen) {
        /* Acknowledged beyond the last byte captured (or, for a direction not
         * captured at all, beyond the peer's first acknowledgement). */
        uint32_t end = d->data_seen ? d->next_seq : d->syn ? d->base_seq + 1 : d->ack_first;
        if (d->fin_pending) {
            end += 1; /* the FIN occupies one sequence number */
        }
        int32_t beyond = td_seq_diff(d->ack_max, end);
        if (beyond > 0 && beyond < (1 << 30)) {
            out->acked_missing += (uint64_t)beyond;
        }
        int32_t short_of = d->data_seen ? td_seq_diff(d->next_seq, d->ack_max) : 0;
        out->unacked_bytes = short_of > 0 && short_of < (1 << 30) ? (uint64_t)short_of : 0;
    }
}
