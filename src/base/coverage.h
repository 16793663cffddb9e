/* What a capture holds of a connection, from TCP alone (filled by reasm,
 * read by tls, diag and report): never claim what was not seen. */
#ifndef TD_BASE_COVERAGE_H
#define TD_BASE_COVERAGE_H

#include <stdbool.h>
#include <stdint.h>

/* The IP header fields that tell which hop sent a packet: its TTL (IPv6
 * hop limit) and IPv4 identification. */
struct td_ip_mark {
    bool seen, has_id; /* has_id false: IPv6 */
    uint8_t ttl;
    uint16_t id;
};

/* What the capture holds of one direction of a connection, from TCP alone:
 * never claim what was not seen. */
struct td_dir_coverage {
    uint64_t segments;                /* 0: this direction is not in the capture */
    uint64_t payload_bytes;           /* payload bytes captured */
    uint64_t first_frame;             /* first segment captured, 0 if none */
    bool syn;                         /* its SYN (or SYN-ACK) was captured */
    bool from_start;                  /* its first payload byte was captured */
    uint64_t snap_frames;             /* its segments cut by the snap length */
    uint64_t snap_bytes;              /* payload bytes cut off them */
    uint64_t acked_missing;           /* bytes the peer acknowledged that the capture does not hold */
    uint64_t gap_bytes;               /* bytes missing for any reason */
    bool acked;                       /* the peer's ACKs for this direction were captured */
    uint64_t unacked_bytes;           /* bytes captured at the end of this direction that the peer's highest ACK never
                                       * covered (a segment lost on the path after the capture point) */
    struct td_ip_mark syn_ip, rst_ip; /* its SYN (or SYN-ACK) and its first RST */
};

struct td_coverage {
    bool valid; /* filled from TCP (false: nothing known) */
    struct td_dir_coverage dir[2];
    bool midstream;   /* no SYN of this connection captured: it began before the capture */
    bool open_at_end; /* neither FIN nor RST: the capture ended before the connection */
};

#endif
