/* tlsdiag probe --client: will this client get through? The client is given
 * as what its ClientHello carries (config/profiles.h resolves a profile into
 * it); tlsdiag sends that ClientHello with its own builder (tls/hello_build.h)
 * and, when the server refuses it, finds out why with a few more hellos: the
 * same with SNI, every suite, every group, each other version. */
#ifndef TD_PROBE_CLIENT_H
#define TD_PROBE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cause.h"
#include "probe/probe.h"

struct td_client_spec {
    const char *name;
    unsigned versions;      /* bits: 1 SSLv3, 2 TLS 1.0, 4 TLS 1.1, 8 TLS 1.2, 16 TLS 1.3 */
    const uint16_t *suites; /* TLS 1.2 and below, in order */
    size_t num_suites;
    const uint16_t *suites13;
    size_t num_suites13;
    const uint16_t *groups;
    size_t num_groups;
    bool send_sni;           /* does this client send server_name for this host */
    const uint16_t *sigalgs; /* signature_algorithms in its order; num_sigalgs 0: tlsdiag's own (every scheme) */
    size_t num_sigalgs;
};

struct td_client_outcome {
    bool reachable;
    bool connects;
    uint16_t version, suite, group; /* what the server chose when it connects */
    enum td_cause
        cause; /* why not: protocol_mismatch, cipher_mismatch, group_mismatch, sni_required, signature_mismatch, ... */
    unsigned server_versions; /* protocol_mismatch: the versions the server accepts (bits as above) */
    uint16_t server_suite;    /* cipher_mismatch: a suite the server accepts */
    char why[600];
    char fix[600];
    unsigned connections;
    double seconds;
};

/* false only for a target that is not HOST[:PORT] (err filled). */
bool td_probe_client(const char *target, const struct td_probe_opts *o, const struct td_client_spec *c,
                     struct td_client_outcome *out, char *err, size_t err_len);

/* The chain a full libssl handshake with sni (NULL: none) gets from target
 * (TLS 1.3 encrypts it, so the client's own hello cannot see it), added to
 * chain as sent (leaf first); the connections it took added to *connections.
 * false only for a target that is not HOST[:PORT]; no handshake: chain stays empty. */
struct td_certset;
bool td_probe_fetch_chain(const char *target, const struct td_probe_opts *o, const char *sni, struct td_certset *chain,
                          unsigned *connections, char *err, size_t err_len);

#endif
