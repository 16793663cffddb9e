/* Diagnosis: names the cause of a failed handshake from facts about the
 * connection and what the capture showed about the same server. Rules are
 * pure functions of those facts (rules.c); facts.c extracts them. */
#ifndef TD_DIAG_H
#define TD_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert/cert.h"
#include "tls/tls.h"

enum td_cause {
#define CAUSE(id, slug, title, fix) TD_CAUSE_##id,
#include "diag/causes.def"
#undef CAUSE
    TD_CAUSE_COUNT
};

struct td_cause_info {
    const char *slug;
    const char *title;
    const char *resolution;
};
const struct td_cause_info *td_cause_info(enum td_cause c);

enum td_confidence { TD_CONF_HIGH, TD_CONF_MEDIUM, TD_CONF_LOW };
enum td_side { TD_SIDE_NONE, TD_SIDE_CLIENT, TD_SIDE_SERVER, TD_SIDE_NETWORK, TD_SIDE_BOTH };
const char *td_confidence_name(enum td_confidence c);
const char *td_side_name(enum td_side s);

#define TD_MAX_EVIDENCE 8
#define TD_MAX_CANDIDATES 4

struct td_evidence {
    uint64_t frame;
    char what[240];
};

struct td_verdict {
    enum td_cause cause;
    enum td_confidence confidence;
    enum td_cause candidates[TD_MAX_CANDIDATES];
    size_t num_candidates;
    enum td_side aborted_by, fix_side;
    char explanation[600];
    char fix[600];                 /* specific; the cause's generic resolution follows it */
    struct td_evidence evidence[TD_MAX_EVIDENCE];
    size_t num_evidence;
    bool has_cert;
    const char *cert_role;         /* "server" or "client" */
    struct td_cert_id cert;
};

/* What the whole capture shows about one server endpoint. */
#define TD_SRV_MAX_SUITES 64
struct td_server_view {
    uint32_t ok, failed;
    uint32_t ok_with_sni, ok_without_sni;
    uint16_t versions_ok;          /* bit (minor+1) per version accepted: SSLv3 = bit 0 ... TLS 1.3 = bit 4 */
    /* Suites accepted, kept apart for TLS 1.3 and for older versions: a TLS 1.3
     * suite says nothing about the TLS 1.2 ones the server takes. What a
     * server negotiated is a lower bound of what it supports, never the set. */
    uint16_t suites[TD_SRV_MAX_SUITES];
    bool suite_is13[TD_SRV_MAX_SUITES];
    size_t num_suites;
    uint16_t groups[16];
    size_t num_groups;
    uint64_t example_frame;        /* a successful ServerHello */
    char example[160];
};

/* Everything the rules look at, copied out of the connection (it is freed
 * before the end of the capture, when the rules run). */
struct td_facts {
    bool tls;
    enum td_outcome outcome;
    const char *reason, *note;
    bool tls13;
    /* ClientHello */
    bool have_ch, sslv2_hello;
    uint64_t ch_frame;
    uint16_t ch_min, ch_max;       /* non-GREASE versions offered */
    bool ch_supported_versions;    /* the extension was there (else: up to legacy_version) */
    struct td_u16s ch_suites, ch_groups, ch_key_shares;
    bool sni;
    char sni_name[256];
    /* ServerHello / HelloRetryRequest */
    bool have_sh, hrr;
    uint64_t sh_frame, hrr_frame;
    uint16_t version, suite, hrr_group, sh_group;
    /* server certificate */
    bool have_cert;
    uint64_t cert_frame;
    /* Checked on every handshake (from the decode cache, no path building):
     * certificate i is not issued by i+1, but by another one of the list. */
    bool chain_misordered;
    size_t misordered_at;          /* i */
    char misordered_subject[160];  /* certificate i+1, which is out of place */
    /* client authentication */
    bool cert_request;
    uint64_t cr_frame;
    bool client_cert_seen, client_cert_empty;
    uint64_t client_cert_frame;
    uint32_t client_flight_records; /* TLS 1.3 encrypted records before the client's Finished */
    /* alerts: the first fatal (or first) alert of each side */
    bool alert[2];
    uint8_t alert_level[2], alert_desc[2];
    uint16_t alert_version[2];
    bool alert_encrypted[2];
    uint64_t alert_frame[2];
    /* what each side sent, and how it ended */
    uint32_t server_msgs;          /* records or messages from the server */
    uint64_t last_server_frame;
    bool fin[2], rst[2];
    uint64_t fin_frame[2], rst_frame[2];
    bool not_tls[2];
    uint64_t not_tls_frame[2];
    char not_tls_text[2][80];
    bool gap;
    uint64_t gap_frame;
    uint64_t first_frame;
    int64_t when;                  /* the connection's capture time (epoch) */
    uint16_t server_port;
    char server[80];
    char client_ip[64];            /* the client's address without port */
    int64_t first_ns;              /* the connection's first frame, capture time in ns */
    /* What the capture holds (from TCP): a verdict never claims what was not
     * seen. cov.valid false (hand-built facts, lab) means "all of it". */
    struct td_coverage cov;
    bool gap_side[2];              /* a gap in that side's direction */
    uint64_t gap_side_frame[2];
    uint32_t client_msgs;          /* TLS records or messages from the client (not FIN/RST) */
    uint64_t first_client_frame, first_server_frame; /* first message of each side in the ladder */
    uint64_t client_later_frame;   /* the client's first message after its ClientHello (its flight goes on) */
    char client_later[48];         /* what it is: "ClientKeyExchange", "ApplicationData", ... */
    uint64_t client_appdata_frame; /* the client's first application data record */
    uint64_t skipped[2];           /* bytes of the handshake captured but unreadable (cut by a gap) */
    bool gap_in_handshake;         /* bytes were lost before the handshake completed */
    /* Last, and zeroed only when checked: they are most of the struct. */
    struct td_chain_check chain;
    struct td_chain_check client_chain;
};

struct td_diag_opts {
    const struct td_castore *ca;   /* the peer's truststore, or NULL */
    const char *host;              /* expected host name when the client sent no SNI */
};

/* Copy what the rules need out of a connection. The certificate checks cost
 * a libcrypto decode per certificate: with_chains false skips them (a
 * completed handshake needs none). */
void td_facts_from_conn(struct td_facts *f, const struct td_tls_conn *c, const struct td_diag_opts *o,
                        bool with_chains);
void td_facts_free(struct td_facts *f);
/* Fold a finished connection into its server's view. */
void td_server_view_add(struct td_server_view *v, const struct td_facts *f);
/* An HTTP 5xx answer on a plain connection: a gateway telling its client
 * (northbound) that its own connection to the backend (southbound) failed. */
struct td_http_error {
    uint32_t stream;
    char client[80], server[80], server_ip[64];
    char request[120];
    uint16_t status;
    char reason[48];
    uint64_t request_frame, status_frame;
    int64_t request_ns, status_ns;
};
void td_http_error_from_conn(struct td_http_error *h, const struct td_tls_conn *c);
/* The failed TLS connection that h's server opened as a client between the
 * request and its answer (the latest one): an index into facts, or -1. */
long td_link_upstream(const struct td_http_error *h, const struct td_facts *const *facts, size_t n);

/* The verdict. v may be NULL (nothing known about the server). */
void td_diagnose(const struct td_facts *f, const struct td_server_view *v, struct td_verdict *out);

#endif
