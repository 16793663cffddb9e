/* The analysis engine: reads a capture with libpcap, decodes frames, follows
 * TCP flows and hands each connection's TLS view to the caller once nothing
 * more can be learnt about its handshake. Memory is bounded by the number of
 * connections open at once, not by the length of the capture. */
#ifndef TD_ENGINE_H
#define TD_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "crypto/crypto.h"
#include "reasm/reasm.h"
#include "tls/tls.h"

struct td_run_stats {
    uint64_t frames, bytes;
    uint64_t tcp_segments, not_ip, not_tcp, fragments, truncated, malformed_frames;
    uint64_t tcp_streams;
    uint64_t tls_conns, ok, failed, incomplete;
    uint64_t other_conns; /* TCP connections with payload that is not TLS */
    uint64_t http_errors; /* of which HTTP 5xx answers */
    uint64_t not_tls_on_tls_port;
    uint64_t live_peak, evicted, timed_out;
    uint64_t input_errors;
    /* Capture quality: what the capture missed, over the connections reported
     * (TLS, or data on a TLS port). */
    uint64_t cut_frames;      /* frames shorter than on the wire (caplen < wirelen), headers or payload */
    uint64_t snap_cut_conns;  /* connections with segments cut by the snap length */
    uint64_t one_sided_conns; /* connections captured in one direction only */
    uint64_t midstream_conns; /* connections whose SYN was not captured */
    uint64_t acked_missing_conns, acked_missing_bytes; /* bytes ACKed by the peer, absent from the capture */
    uint64_t open_at_end_conns;                        /* still open when the capture ended */
    uint16_t poor_port; /* server port of the first connection the capture missed part of */
};

struct td_frame;

struct td_engine_cb {
    void *ctx;
    /* A finished connection (TLS, or not-TLS on a TLS port). Valid during the call only. */
    void (*on_conn)(void *ctx, const struct td_tls_conn *c);
    /* A problem with the input that is not part of a connection's ladder. */
    void (*on_problem)(void *ctx, const char *file, uint64_t frame, long long offset, const char *what);
    /* Progress for long work: bytes read so far of total (total 0 if unknown). */
    void (*on_progress)(void *ctx, uint64_t done, uint64_t total);
    /* A plain (not TLS) connection whose server answered HTTP 5xx: what a
     * gateway says to its client when its own TLS connection failed. */
    void (*on_http_error)(void *ctx, const struct td_tls_conn *c);
    /* Secrets to decrypt with (tlsdiag pcap --keylog), or NULL. Key log lines
     * in pcapng Decryption Secrets Blocks are added to it (or to the engine's
     * own when NULL). */
    struct td_keylog *keylog;
    /* Set asynchronously (a signal) to stop reading: what was read is
     * finished and reported. NULL: read to the end. */
    const volatile int *stop;
    /* Called while reading a live capture or a pipe, at each read timeout
     * (100 ms without a packet) and every 256 frames: time for the caller's
     * periodic work (a rolling summary, a metrics server). NULL: none. */
    void (*on_tick)(void *ctx);
    /* Each frame as read, before the engine takes it (--write-failed keeps
     * frames with their flow). NULL: none. */
    void (*on_frame)(void *ctx, const struct td_frame *f);
    /* --shard K/N: only the flows whose td_flow_sym_hash % shard_n is
     * shard_k (0-based) are followed; the others keep their tcp.stream
     * number and nothing else. shard_n 0 or 1: all. */
    uint32_t shard_k, shard_n;
    /* --threads: 1 one thread; 2, or 0 (the default), the engine on a
     * second thread (engine/pipeline.c) when the input is a capture file
     * (not a pipe or a live capture), two cores are online and neither
     * on_frame nor on_tick is set; the callbacks are still called on the calling thread,
     * in the same order, and the output is the same either way. */
    unsigned threads;
};

/* Analyse one capture file ("-" for standard input). Returns 0 when the whole
 * file was read, 1 when reading stopped early (the error went to on_problem;
 * what was read is still analysed and reported), 2 when it could not be
 * opened at all (errbuf says why). */
int td_engine_pcap(const char *path, const struct td_limits *lim, const struct td_engine_cb *cb,
                   struct td_run_stats *stats, char *errbuf, size_t errlen);

struct td_reader;
/* The same from an open reader (a file or a live capture); name labels the
 * problems. Returns 0 at the end of the input or on stop, 1 on damage. */
int td_engine_run(struct td_reader *r, const char *name, const struct td_limits *lim, const struct td_engine_cb *cb,
                  struct td_run_stats *stats);

/* Lower-level entry points (used by the pcap reader and by tests). */
struct td_engine;
struct td_engine *td_engine_new(const struct td_limits *lim, const struct td_engine_cb *cb, const char *file,
                                struct td_run_stats *stats);
void td_engine_frame(struct td_engine *e, int dlt, uint64_t frame, const struct td_time *ts, const uint8_t *data,
                     size_t caplen, size_t wirelen);
/* A frame td_decode_frame has decoded already (its views point into the frame). */
struct td_decoded {
    enum td_decode_result res;
    struct td_tcpseg seg;
    const char *why;
    size_t at;
};
void td_engine_decoded(struct td_engine *e, uint64_t frame, const struct td_time *ts, size_t caplen, size_t wirelen,
                       const struct td_decoded *d);
void td_engine_finish(struct td_engine *e);
void td_engine_free(struct td_engine *e);

bool td_is_tls_port(uint16_t port);

#endif
