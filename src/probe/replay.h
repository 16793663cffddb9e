/* tlsdiag probe --replay: the failing ClientHello of a capture sent again to
 * its server, byte for byte but for what must be fresh (random, session id,
 * key shares regenerated for the same groups), then again with one change at
 * a time (SNI, a version, a suite, a group, no post-quantum share, one
 * extension less, split across two segments, padded). The first change the
 * server accepts proves the cause.
 *
 * Safety: only the server given, at most opts.max_connections connections,
 * the probe's timeout per exchange, and never more than a ClientHello sent
 * (no application data, no handshake completed). */
#ifndef TD_PROBE_REPLAY_H
#define TD_PROBE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cause.h"
#include "tls/tls.h"

#define TD_REPLAY_MAX_HELLO 16384 /* bytes of ClientHello kept per connection (td_limits.keep_client_hello) */
#define TD_REPLAY_MAX_VARIANTS 48
#define TD_REPLAY_MAX_LEARNED 16

/* How a server answered a ClientHello. */
enum td_replay_answer {
    TD_RA_NONE,     /* not sent (--dry-run, over the connection budget) */
    TD_RA_ACCEPTED, /* ServerHello or HelloRetryRequest */
    TD_RA_ALERT,
    TD_RA_CLOSED, /* FIN or RST, no alert */
    TD_RA_TIMEOUT,
    TD_RA_NOT_TLS,
    TD_RA_NO_CONNECT,
};

struct td_replay_outcome {
    enum td_replay_answer answer;
    uint8_t alert_desc;
    uint16_t version, suite, group; /* when accepted */
    bool hrr;
};

/* What the server did in the capture, and what the capture says it accepts. */
struct td_replay_input {
    uint32_t stream;
    char server[80]; /* "addr:port", "[v6]:port" */
    uint8_t *hello;  /* the ClientHello body (owned) */
    size_t hello_len;
    struct td_replay_outcome captured;
    bool answered;        /* the server sent a ServerHello in the capture: the failure came later */
    const char *preamble; /* "SMTP", "HTTP CONNECT"...: TLS began after plain text, not replayed; NULL */
    char sni[256];        /* the hello's SNI, "" when none */
    enum td_cause pcap_cause;
    const char *pcap_confidence;
};

/* Learned from the capture's other connections to a server. */
struct td_replay_hints {
    char server[80];
    uint16_t suites[TD_REPLAY_MAX_LEARNED], groups[TD_REPLAY_MAX_LEARNED];
    size_t num_suites, num_groups;
    char sni[256]; /* a name other clients sent it */
};

struct td_replay_opts {
    const char *target; /* HOST[:PORT] instead of the captured server, or NULL */
    const char *sni;    /* the name for the SNI variant (else the hints') */
    int timeout_ms;
    unsigned max_connections; /* 0: 40 */
    bool dry_run;
};

enum td_variant_kind {
    TD_VK_BASELINE,
    TD_VK_SNI,
    TD_VK_VERSION,
    TD_VK_SUITE,
    TD_VK_GROUP,
    TD_VK_DROP_PQ,
    TD_VK_DROP_EXT,
    TD_VK_SPLIT,
    TD_VK_PAD,
};

struct td_replay_variant {
    enum td_variant_kind kind;
    uint16_t value;   /* the version, suite, group or extension; the padded size */
    char what[160];   /* "SNI server.test added" */
    size_t hello_len; /* bytes of the record sent */
    struct td_replay_outcome got;
    double ms;
};

struct td_replay_result {
    char server[80]; /* the one replayed to */
    uint32_t stream;
    bool skipped;
    char skip_why[420];
    char notes[400]; /* shares dropped, extensions that cannot be replayed */
    struct td_replay_variant v[TD_REPLAY_MAX_VARIANTS];
    size_t num_v;
    struct td_replay_outcome captured;
    bool same_refusal; /* the baseline was refused as in the capture */
    bool changed;      /* ... or not: the server's behaviour changed since the capture */
    size_t proof[4];   /* indexes in v of the variants accepted (each a fix) */
    size_t num_proofs;
    enum td_cause cause; /* proven (confidence high), TD_CAUSE_NONE if none */
    char evidence[400];
    char fix_client[400], fix_server[400];
    enum td_cause pcap_cause;
    const char *pcap_confidence;
    unsigned connections;
    bool budget_reached;
    double seconds;
    char when[32]; /* UTC, ISO 8601 */
};

/* From a settled connection whose client_hello_raw was kept: in (hello owned,
 * free with td_replay_input_free). false when it has no ClientHello. */
bool td_replay_input_from_conn(struct td_replay_input *in, const struct td_tls_conn *c);
void td_replay_input_free(struct td_replay_input *in);
/* A completed connection: what its server accepted, added to the hints of its server. */
void td_replay_learn(struct td_replay_hints *h, size_t *num, size_t cap, const struct td_tls_conn *c);
const struct td_replay_hints *td_replay_hints_find(const struct td_replay_hints *h, size_t num, const char *server);

/* The experiment. false only on a usage error (err filled): a bad target. */
bool td_replay(const struct td_replay_input *in, const struct td_replay_hints *hints, const struct td_replay_opts *o,
               struct td_replay_result *r, char *err, size_t err_len);
/* The cause a variant's acceptance proves. */
enum td_cause td_replay_cause_of(const struct td_replay_variant *v);
const char *td_replay_answer_str(const struct td_replay_outcome *o, char *buf, size_t len);

#endif
