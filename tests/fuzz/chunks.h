/* What fuzz_tls and fuzz_preamble share: one TCP connection made of chunks,
 * fed to the TLS layer, then judged and rendered as tlsdiag pcap would. A
 * chunk is a byte (bit 7: from the server; bit 6: a FIN after it), a
 * big-endian u16 length, then that many bytes (fewer when the input ends). */
#ifndef TD_FUZZ_CHUNKS_H
#define TD_FUZZ_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "report/report.h"
#include "tls/tls.h"

/* A connection from 192.0.2.1:40000 to 192.0.2.2:port, seen from its SYN. */
static inline void td_fuzz_conn_init(struct td_tls_conn *c, const struct td_limits *lim, uint16_t port)
{
    td_tls_conn_init(c, lim);
    struct td_addr a = {4, {192, 0, 2, 1}}, b = {4, {192, 0, 2, 2}};
    td_tls_set_roles(c, &a, 40000, &b, port, true);
}

/* Every chunk of data into c, one frame each, step_ns apart; then the end. */
static inline void td_fuzz_feed_chunks(struct td_tls_conn *c, const uint8_t *data, size_t size, uint32_t step_ns)
{
    struct td_at at = {1, {1700000000, 0}};
    size_t off = 0;
    while (off < size) {
        uint8_t h = data[off++];
        size_t n = off + 2 <= size ? (size_t)(data[off] << 8 | data[off + 1]) : 0;
        off = off + 2 <= size ? off + 2 : size;
        if (n > size - off) {
            n = size - off;
        }
        enum td_role from = (h & 0x80) ? TD_SERVER : TD_CLIENT;
        td_tls_feed(c, from, data + off, n, &at);
        if (h & 0x40) {
            td_tls_flags(c, from, TD_TCP_FIN, &at);
        }
        off += n;
        at.frame++;
        at.ts.nsec += step_ns;
    }
    td_tls_end(c, "end of input");
}

/* The verdict and both renderings of c (o and cache may be NULL). */
static inline void td_fuzz_judge(const struct td_tls_conn *c, const struct td_diag_opts *o, struct td_cert_cache *cache)
{
    struct td_facts f;
    struct td_verdict v;
    td_facts_from_conn(&f, c, o, true);
    td_diagnose(&f, NULL, &v);
    struct td_buf out = {0};
    struct td_render_opts ro = {.verbose = true, .utf8 = true, .cert_cache = cache};
    td_render_conn_text(&out, c, &ro);
    td_render_conn_json(&out, c, &ro);
    td_buf_free(&out);
    td_facts_free(&f);
}

#endif
