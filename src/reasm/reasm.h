/* TCP flow table and per-direction stream reassembly.
 *
 * Flows are numbered like Wireshark's tcp.stream: in order of their first
 * packet, with a new number when a SYN reuses the ports of a conversation
 * whose base sequence number in that direction differs from the SYN's (a SYN
 * retransmitted after an RST or a FIN, same ISN, stays in its stream).
 *
 * Reassembly hands in-order bytes to the application through callbacks as
 * soon as they are contiguous; only out-of-order bytes are copied, up to
 * limits.ooo_bytes per direction. Bytes that were never captured are reported
 * as a gap (when the peer acknowledges past them, when the out-of-order buffer
 * fills up, at FIN/RST or at the end of the capture), never papered over.
 *
 * Once the application says a flow is done (td_flow_release), its buffers and
 * application state are freed and a small tombstone keeps its number until it
 * has been idle for limits.tombstone_idle_sec of capture time. */
#ifndef TD_REASM_H
#define TD_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/coverage.h"
#include "base/limits.h"
#include "capture/capture.h"

struct td_ooo;

struct td_tcpdir {
    bool have_base;   /* base (and next) known: SYN or first data seen */
    bool fin_pending; /* FIN seen, not yet reached in order */
    bool fin_done;    /* FIN reached in order */
    bool syn;
    uint32_t base_seq; /* ISN (or first seq seen when the SYN was missed) */
    uint32_t next_seq; /* next byte expected */
    uint32_t fin_seq;
    bool acked_valid; /* the peer has acknowledged some of our bytes */
    bool rst_sent;
    uint32_t acked;     /* highest acknowledgement the peer sent for our bytes */
    struct td_ooo *ooo; /* sorted list of out-of-order segments */
    size_t ooo_bytes;
    uint64_t delivered; /* stream offset of next_seq, in bytes */
    uint64_t retrans;   /* segments that carried only bytes already seen */
    uint64_t gaps, gap_bytes;
    /* Coverage: what the capture holds of this direction (td_flow_coverage). */
    uint64_t segments;                /* segments captured from this side */
    uint64_t payload_bytes;           /* payload bytes captured (snap length cuts excluded) */
    uint64_t first_frame;             /* its first captured segment */
    uint64_t snap_frames, snap_bytes; /* segments cut by the snap length, and the bytes cut */
    uint64_t acked_gap_bytes;         /* gap bytes the peer had acknowledged (sent, never captured) */
    bool ack_seen;                    /* the peer acknowledged something of ours (even with no base) */
    uint32_t ack_first, ack_max;      /* its first and highest acknowledgement */
    bool data_seen, from_start;       /* first payload captured; it was the first byte sent (SYN, or the peer's ACK) */
    /* Wireshark's base_seq, which alone decides port reuse: its first SYN's
     * sequence number, else the first segment's minus one, else the peer's
     * first acknowledgement minus one. */
    bool ws_base_set;
    uint32_t ws_base;
    struct td_ip_mark syn_ip, rst_ip; /* the IP TTL and ID of its SYN (or SYN-ACK) and of its first RST */
};

enum td_flow_state { TD_FLOW_LIVE, TD_FLOW_RELEASED };

struct td_flow {
    /* Endpoint 0 is the one that sent the flow's first packet. */
    struct td_addr addr[2];
    uint16_t port[2];
    uint32_t stream; /* Wireshark tcp.stream */
    uint64_t first_frame;
    struct td_time first_ts, last_ts;
    enum td_flow_state state;
    bool rst, fin[2];
    int syn_from;    /* endpoint that sent the SYN without ACK, or -1 */
    int synack_from; /* endpoint that sent SYN+ACK, or -1 */
    struct td_tcpdir dir[2];
    void *app; /* owned by the application (engine) */
    /* table links */
    struct td_flow *hnext;
    struct td_flow *lprev, *lnext; /* LRU by last_ts: head = most recent */
    uint32_t hash;
};

/* Everything the table tells the application. `from` is the sending endpoint. */
struct td_reasm_ops {
    void (*on_new)(void *ctx, struct td_flow *f);
    void (*on_data)(void *ctx, struct td_flow *f, int from, const uint8_t *p, size_t n);
    void (*on_gap)(void *ctx, struct td_flow *f, int from, uint64_t bytes, const char *why);
    void (*on_flags)(void *ctx, struct td_flow *f, int from, uint8_t flags); /* FIN/RST, once each, in order */
    /* The flow is about to be dropped (idle, evicted, end of capture) while the
     * application still holds state: finish it. */
    void (*on_end)(void *ctx, struct td_flow *f, const char *why);
};

/* Coverage of endpoint `ep`'s direction of f, so far. */
void td_flow_dir_coverage(const struct td_flow *f, int ep, struct td_dir_coverage *out);

struct td_flowtab;

struct td_flowtab *td_flowtab_new(const struct td_limits *lim, const struct td_reasm_ops *ops, void *ctx);
/* Feed one TCP segment from frame `frame` at time ts. Callbacks fire with the
 * current frame still being `frame`. */
void td_flowtab_segment(struct td_flowtab *t, const struct td_tcpseg *seg, const struct td_time *ts, uint64_t frame);
/* The application is done with the flow: free its buffers, keep its number. */
void td_flow_release(struct td_flowtab *t, struct td_flow *f);
/* During a callback: the frame and time in which the bytes delivered (or
 * the gap, FIN, RST reported) arrived. Out-of-order bytes keep their own
 * segment's, not the frame that made them contiguous. */
void td_flowtab_data_at(const struct td_flowtab *t, uint64_t *frame, struct td_time *ts);
/* Take the next tcp.stream number without a flow (Wireshark gives one to
 * conversations that other dissectors open, see engine/internal.h). */
void td_flowtab_skip_stream(struct td_flowtab *t);
/* End of capture: report gaps of every live flow, call on_end, free all. */
void td_flowtab_finish(struct td_flowtab *t);
void td_flowtab_free(struct td_flowtab *t);

struct td_flowtab_stats {
    uint64_t streams; /* tcp.stream numbers handed out */
    uint64_t live, live_peak;
    uint64_t tombstones;
    uint64_t evicted; /* live flows dropped for max_live_flows */
    uint64_t timed_out;
};
void td_flowtab_stats(const struct td_flowtab *t, struct td_flowtab_stats *out);

/* Sequence-space comparison (RFC 9293 section 3.4: modulo 2^32). */
static inline int32_t td_seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

#endif
