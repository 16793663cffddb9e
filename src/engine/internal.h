#ifndef TD_ENGINE_INTERNAL_H
#define TD_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

/* The engine's side of engine/pipeline.c. */
/* Read r to its end (or the stop flag) and finish: 0, or 1 on damage. */
int td_engine_loop(struct td_engine *e, struct td_reader *r);
/* From now on: cb's callbacks, counts into stats, and each connection
 * reported handed to take (with cb->ctx; http: an HTTP error answer, else a
 * TLS connection), which frees it with td_engine_conn_free when done. */
void td_engine_divert(struct td_engine *e, const struct td_engine_cb *cb, struct td_run_stats *stats,
                      void (*take)(void *ctx, struct td_tls_conn *c, bool http));
void td_engine_conn_free(struct td_tls_conn *c);

/* Wireshark's SOCKS dissector (TCP port 1080) hands the bytes after a
 * completed SOCKS CONNECT to the next dissector under the target's port,
 * which opens a conversation of its own and so takes a tcp.stream number:
 * one per proxied connection, in the frame of the first byte after the
 * proxy's reply. td_socks_num follows the SOCKS 4/4a/5 handshake (RFC 1928,
 * RFC 1929) only to find that byte. */
#define TD_SOCKS_PORT 1080

struct td_socks_num {
    uint8_t step;    /* messages completed so far */
    uint8_t version; /* 4 or 5, 0 until the client's first byte */
    uint8_t method;  /* SOCKS 5 method the proxy chose */
    bool done, gave_up;
    uint8_t buf[300]; /* the message being collected */
    size_t len;
};

/* Feed in-order bytes of the side `client` (true) or the proxy. Returns true
 * once, when these bytes hold the first byte after the handshake: Wireshark's
 * extra tcp.stream is taken now. */
bool td_socks_num_feed(struct td_socks_num *s, bool client, const uint8_t *p, size_t n);

#endif
