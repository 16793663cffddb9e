/* Hard limits, one struct for the whole pipeline: what is kept per
 * connection and at once. Reaching one is a finding, never a crash. */
#ifndef TD_BASE_LIMITS_H
#define TD_BASE_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct td_limits {
    size_t ooo_bytes;            /* out-of-order bytes buffered per direction */
    size_t max_live_flows;       /* flows with full state at once; oldest idle evicted beyond */
    uint32_t idle_timeout_sec;   /* a live flow idle this long (capture time) is handed back */
    uint32_t tombstone_idle_sec; /* a released flow's number is forgotten after this */
    size_t hs_message_max;       /* largest handshake message reassembled (tls layer) */
    size_t max_messages;         /* messages listed per connection (tls layer) */
    size_t max_certs;            /* certificates kept per Certificate message */
    size_t keep_client_hello;    /* the client's first ClientHello kept as sent, up to this many bytes
                                    (tlsdiag probe --replay); 0 (the default): not kept */
};

void td_limits_default(struct td_limits *l);

#endif
