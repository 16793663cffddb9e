/* The packets of chosen connections (--write-failed): every TCP frame is kept
 * with its flow (both directions, by 5-tuple) until the caller decides the
 * flow: written (the kept frames, then the flow's later frames as they come)
 * or dropped. Memory is bounded: at most per_conn bytes per flow (the flow is
 * then "cut": its first frames only) and TD_KEEP_MAX_BYTES in all, at most
 * TD_KEEP_MAX_FLOWS flows (the least recently active are forgotten first),
 * and flows idle for TD_KEEP_IDLE_SECS of capture time are forgotten. A SYN
 * on a decided 5-tuple starts a new, undecided flow (port reuse).
 * A written flow's TLS key log lines go before its first frame in each file
 * (capture/pcapng_write.h); when the file may rotate they stay with the flow
 * (at most TD_KEEP_MAX_SECRETS, counted in TD_KEEP_MAX_BYTES; wiped when the
 * flow is forgotten), otherwise they are wiped once its kept frames are out. */
#ifndef TD_CAPTURE_KEEP_H
#define TD_CAPTURE_KEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/net.h"
#include "capture/pcapng_write.h"

#define TD_KEEP_MAX_FLOWS 16384
#define TD_KEEP_MAX_BYTES (64u << 20)
#define TD_KEEP_IDLE_SECS 300
#define TD_KEEP_MAX_SECRETS 4096

struct td_keep_stats {
    uint64_t conns_written, packets_written;
    uint64_t conns_cut;       /* written, with frames left out past the per-flow bound */
    uint64_t flows_forgotten; /* undecided flows whose frames were let go (bounds, idle) */
    uint64_t conns_keyed;     /* written with key log lines */
    uint64_t keys_let_go;     /* of those, lines not kept for later files (bounds): those files lack them */
    bool write_error;
};

struct td_keep;

/* Frames of written flows go to w (owned by the caller, closed after td_keep_free). */
struct td_keep *td_keep_new(struct td_pcapngw *w, size_t per_conn);
void td_keep_frame(struct td_keep *k, int dlt, const struct td_time *ts, const uint8_t *data, size_t caplen,
                   size_t wirelen);
/* The flow between the two endpoints (either order): write it or drop it.
 * When written, secrets (NULL, or secrets_len bytes of NSS key log lines)
 * decrypt it. false when no frame of it is known. */
bool td_keep_decide(struct td_keep *k, const struct td_addr *a, uint16_t a_port, const struct td_addr *b,
                    uint16_t b_port, bool write, const uint8_t *secrets, size_t secrets_len);
void td_keep_stats(const struct td_keep *k, struct td_keep_stats *out);
/* Undecided flows are dropped. */
void td_keep_free(struct td_keep *k);

#endif
