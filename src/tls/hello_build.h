/* ClientHellos built with the CBB-like builder (base/builder.h): the ones
 * tlsdiag probe sends (any version, any suite of the registry, whatever the
 * local OpenSSL allows) and the ones the unit tests parse. Each kind of hello
 * is a row of hello_profiles[] (hello_build.c): which extensions, in which
 * order, with what fixed content. What varies from one hello to the next
 * (version, suites, groups, SNI, random, key share) is in the spec. */
#ifndef TD_TLS_HELLO_BUILD_H
#define TD_TLS_HELLO_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/mem.h"

enum td_hello_profile {
    /* tlsdiag probe, SSLv3 to TLS 1.1: no signature_algorithms (RFC 5246 7.4.1.4.1: TLS 1.2 and up). */
    TD_HELLO_PROBE_LEGACY,
    /* tlsdiag probe, TLS 1.2: the same plus signature_algorithms. */
    TD_HELLO_PROBE_TLS12,
    /* tlsdiag probe, TLS 1.3 only, with an empty key_share: the server names the
     * group it wants in a HelloRetryRequest, and no key exchange is computed. */
    TD_HELLO_PROBE_TLS13,
    /* A TLS 1.3+1.2 client with a key share, ALPN "h2" and an unassigned
     * extension (0x1234): what the parsers' unit tests read. */
    TD_HELLO_SAMPLE_TLS13,
    /* tlsdiag probe's middlebox check: TLS 1.3 and 1.2 with key shares, as a
     * browser sends it, so that any current server answers with a ServerHello. */
    TD_HELLO_PROBE_MODERN,
};

struct td_hello_spec {
    enum td_hello_profile profile;
    uint16_t version;      /* the highest offered; legacy_version is min(version, TLS 1.2) */
    const uint8_t *random; /* 32 bytes, drawn by the caller (no randomness in tls/) */
    const uint16_t *suites;
    size_t num_suites;
    const uint16_t *groups; /* supported_groups */
    size_t num_groups;
    const char *sni;          /* server_name host_name, NULL: no server_name */
    uint16_t key_share_group; /* profiles with a key_share: 0 sends an empty client_shares */
    const uint8_t *key_share;
    size_t key_share_len;
    const uint16_t *sigalgs; /* signature_algorithms in place of the profile's (num_sigalgs 0: the profile's) */
    size_t num_sigalgs;
    uint16_t key_share2_group; /* a second share after the first (a post-quantum one, then x25519); 0: none */
    const uint8_t *key_share2;
    size_t key_share2_len;
    /* Probe profiles: a padding extension (RFC 7685) last, so that the record's
     * payload (the handshake message with its 4-byte header) is pad_to bytes
     * (a hello already longer: none); 0: a hello of 256-511 bytes is padded to
     * 512, out of the range F5 BIG-IP hangs on, as BoringSSL does. */
    size_t pad_to;
    bool no_pad; /* no padding at all: a client's own hello (tlsdiag probe --client), as most stacks send */
    bool no_ems; /* leave extended_master_secret out (the profile's other extensions stay) */
};

/* Appends the ClientHello that spec describes to out: a TLSPlaintext record
 * for the probe's profiles (the bytes to send), the bare ClientHello body (no
 * handshake header) for the sample. false when a length overflows its prefix
 * (out then holds a partial hello). */
bool td_build_client_hello(struct td_buf *out, const struct td_hello_spec *spec);

#endif
