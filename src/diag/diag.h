/* Diagnosis: names the cause of a failed handshake from facts about the
 * connection and what the capture showed about the same server. Rules are
 * pure functions of those facts (rules_*.c, run in order by rules.c); facts.c
 * extracts them. */
#ifndef TD_DIAG_H
#define TD_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cause.h"
#include "cert/cert.h"
#include "tls/tls.h"

enum td_confidence { TD_CONF_HIGH, TD_CONF_MEDIUM, TD_CONF_LOW };
enum td_side { TD_SIDE_NONE, TD_SIDE_CLIENT, TD_SIDE_SERVER, TD_SIDE_NETWORK, TD_SIDE_BOTH };
const char *td_confidence_name(enum td_confidence c);
const char *td_side_name(enum td_side s);

#define TD_MAX_EVIDENCE 8
#define TD_MAX_CANDIDATES 4
#define TD_MAX_ALSO 4

struct td_evidence {
    uint64_t frame;
    char what[240];
};

/* A default change a cause matches (diag/changes.c): what changed, in which
 * versions, and the switch that restores the old default. Static. */
struct td_facts;
struct td_change {
    enum td_cause cause;
    bool (*applies)(const struct td_facts *f); /* NULL: whenever the cause is the verdict */
    const char *what, *restore;
};
/* The change the verdict's cause and facts match; NULL: none known. */
const struct td_change *td_change_find(enum td_cause c, const struct td_facts *f);
/* The change a cause is known for, whatever the facts: for tlsdiag probe's
 * findings, whose experiment itself showed the cause (the first row of c). */
const struct td_change *td_change_of_cause(enum td_cause c);

struct td_verdict {
    enum td_cause cause;
    enum td_confidence confidence;
    enum td_cause candidates[TD_MAX_CANDIDATES];
    size_t num_candidates;
    enum td_side aborted_by, fix_side;
    char explanation[600];
    char fix[600]; /* specific; the cause's generic resolution follows it */
    struct td_evidence evidence[TD_MAX_EVIDENCE];
    size_t num_evidence;
    bool has_cert;
    const char *cert_role; /* "server" or "client" */
    struct td_cert_id cert;
    /* The handshake completed and was then refused (an alert or a close right
     * after it, an HTTP 400 about the certificate): the connection failed. */
    bool rejected_after_handshake;
    /* Other faults that would still fail the handshake once the cause is
     * fixed, in the order to fix them (expired, then the name, ...). */
    enum td_cause also[TD_MAX_ALSO];
    char also_why[TD_MAX_ALSO][200];
    size_t num_also;
    const struct td_change *changed; /* the default change this cause matches, or NULL */
};

/* What the whole capture shows about one server endpoint. */
#define TD_SRV_MAX_SUITES 64
struct td_server_view {
    uint32_t ok, failed;
    uint32_t ok_with_sni, ok_without_sni;
    uint16_t versions_ok; /* bit (minor+1) per version accepted: SSLv3 = bit 0 ... TLS 1.3 = bit 4 */
    /* Suites accepted, kept apart for TLS 1.3 and for older versions: a TLS 1.3
     * suite says nothing about the TLS 1.2 ones the server takes. What a
     * server negotiated is a lower bound of what it supports, never the set. */
    uint16_t suites[TD_SRV_MAX_SUITES];
    bool suite_is13[TD_SRV_MAX_SUITES];
    size_t num_suites;
    uint16_t groups[16];
    size_t num_groups;
    uint64_t example_frame; /* a successful ServerHello */
    char example[160];
    uint32_t rejected_after; /* completed, then refused (also counted in ok: the handshake worked) */
    /* Self-signed certificates this server sent to any client (their subject):
     * a lone leaf issued by one of them lacks a root, not an intermediate. */
    char roots[4][160];
    size_t num_roots;
    /* The schemes it signed its TLS 1.2 ServerKeyExchange with: they tell its key type. */
    uint16_t sigalgs[8];
    size_t num_sigalgs;
    uint64_t sigalg_frame; /* the first such ServerKeyExchange */
    /* Handshakes below TLS 1.3 with and without extended_master_secret (RFC
     * 7627), and the shapes (td_hello_shape) of the hellos it accepted with it. */
    uint32_t ok12_ems, ok12_no_ems;
    uint32_t ems_shapes[8];
    size_t num_ems_shapes;
    uint64_t ems_frame; /* a ServerHello with extended_master_secret */
};
/* A hash of what a ClientHello offers: versions, suites, groups, signature
 * schemes, ALPN (not its extensions' presence, nor the SNI's name). */
uint32_t td_hello_shape(const struct td_facts *f);

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
    uint16_t ch_min, ch_max;    /* non-GREASE versions offered */
    bool ch_supported_versions; /* the extension was there (else: up to legacy_version) */
    struct td_u16s ch_suites, ch_groups, ch_key_shares;
    bool sni;
    char sni_name[256];
    bool name_is_address; /* no SNI nor --host: the certificate was checked against server_ip */
    size_t ch_num_alpn;
    char ch_alpn[128];         /* the protocols offered, "h2, http/1.1" (cut at 127 bytes) */
    bool ch_reneg, ch_ems;     /* renegotiation_info (or its SCSV), extended_master_secret */
    bool ch_ech;               /* encrypted_client_hello (0xfe0d): the SNI above is the outer one */
    bool hrr_ech;              /* the HelloRetryRequest carries encrypted_client_hello: ECH accepted */
    struct td_u16s ch_sigalgs; /* signature_algorithms */
    uint32_t ch_len;           /* the ClientHello on the wire: record header, handshake header, body */
    uint16_t ch_pq_share;      /* the first post-quantum (hybrid) key share offered, 0: none */
    /* ServerHello / HelloRetryRequest */
    bool have_sh, hrr;
    uint64_t sh_frame, hrr_frame;
    uint16_t version, suite, hrr_group, sh_group;
    bool ch2_seen, ch2_has_hrr_share; /* the ClientHello after the HelloRetryRequest; its key share for hrr_group */
    uint64_t ch2_frame;
    bool sh_reneg, sh_ems; /* the ServerHello's renegotiation_info, extended_master_secret */
    uint16_t ske_sigalg;   /* TLS 1.2 ServerKeyExchange: the scheme the server signed with (0: none seen) */
    uint64_t ske_frame;
    /* server certificate */
    bool have_cert;
    uint64_t cert_frame;
    /* Checked on every handshake (from the decode cache, no path building):
     * certificate i is not issued by i+1, but by another one of the list. */
    bool chain_misordered;
    size_t misordered_at;         /* i */
    char misordered_subject[160]; /* certificate i+1, which is out of place */
    /* client authentication */
    bool cert_request;
    uint64_t cr_frame;
    bool client_cert_seen, client_cert_empty;
    uint64_t client_cert_frame;
    size_t cr_num_ca_names;         /* the CertificateRequest's certificate_authorities */
    bool client_cert_unlisted;      /* the CertificateRequest names CAs, and no certificate of the client's
                                     * chain is issued by (or is) one of them */
    uint32_t client_flight_records; /* TLS 1.3 encrypted records before the client's Finished */
    /* What each side's first fatal alert answered (diag/facts_alert.c): the
     * peer's last message before it, and the application data records the
     * alerting side had received by then. */
    char before_alert[2][32];
    uint64_t before_alert_frame[2];
    uint32_t appdata_before_alert[2];
    bool ch_psk;  /* the ClientHello offers pre_shared_key (RFC 8446 4.2.11) */
    bool resumed; /* TLS 1.2 abbreviated handshake: the server's ChangeCipherSpec before the client's second flight */
    char last_msg[2][32]; /* walk scratch: each side's last message so far */
    uint64_t last_msg_frame[2];
    char cr_ca_list[320];    /* the CertificateRequest's CA names (DNs), "; "-joined, cut to fit */
    uint16_t cr_sigalgs[24]; /* its signature_algorithms (the first 24) */
    size_t cr_num_sigalgs;
    /* alerts: the first fatal (or first) alert of each side; [2] arrays are indexed by enum td_role */
    bool alert[2];
    uint8_t alert_level[2], alert_desc[2];
    uint16_t alert_version[2];
    bool alert_encrypted[2];
    uint64_t alert_frame[2];
    /* what each side sent, and how it ended */
    uint32_t server_msgs; /* records or messages from the server */
    uint64_t last_server_frame;
    bool fin[2], rst[2];
    uint64_t fin_frame[2], rst_frame[2];
    uint32_t appdata[2];            /* application data records after the handshake */
    uint64_t appdata_frame[2];      /* the first of them */
    uint64_t server_flight_frame;   /* TLS 1.3: the server's last encrypted handshake record */
    uint32_t server_flight_records; /* TLS 1.3: its encrypted handshake records (EE, [CR,] Cert, CV, Finished) */
    uint32_t client_first_enc_len;  /* TLS 1.3: the client's first encrypted record before its Finished */
    uint64_t client_first_enc_frame;
    bool client_finished; /* TLS 1.3: the client's Finished was seen */
    /* What the server answered inside TLS (key log): the HTTP status, and the
     * nginx page naming a client-certificate failure. */
    uint16_t http_status;
    uint64_t http_status_frame;
    const char *http_cert_error;   /* static: "No required SSL certificate was sent", ... */
    bool rejected_after_handshake; /* set by td_facts_settle */
    bool not_tls[2];
    uint64_t not_tls_frame[2];
    char not_tls_text[2][80];
    bool gap;
    uint64_t gap_frame;
    uint64_t first_frame;
    int64_t when; /* the connection's capture time (epoch) */
    uint16_t server_port;
    char server[80];
    char client_ip[64];  /* the client's address without port */
    char server_ip[64];  /* the address the client connected to, without port */
    int64_t first_ns;    /* the connection's first frame, capture time in ns */
    char sent_root[160]; /* a self-signed certificate the server sent (its subject), or "" */
    /* the first message that breaks the protocol, or is over tlsdiag's limit */
    bool malformed, over_limit;
    int malformed_side;
    uint64_t malformed_frame;
    uint32_t over_limit_len;
    char malformed_text[200];
    /* plain text before TLS (STARTTLS, a proxy): protocol, and a refusal */
    bool preamble, preamble_proxy, upgrade_refused;
    char preamble_proto[16];
    uint64_t refused_frame;
    char refused_text[120];
    /* What the capture holds (from TCP): a verdict never claims what was not
     * seen. cov.valid false (hand-built facts, lab) means "all of it". */
    struct td_coverage cov;
    bool gap_side[2]; /* a gap in that side's direction */
    uint64_t gap_side_frame[2];
    uint32_t client_msgs;                            /* TLS records or messages from the client (not FIN/RST) */
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
    const struct td_certset *ca;      /* the peer's truststore (td_castore_load), or NULL */
    const char *host;                 /* expected host name when the client sent no SNI */
    struct td_cert_cache *cert_cache; /* decoded certificates, owned by the caller; NULL: none */
};

/* Copy what the rules need out of a connection. The certificate checks cost
 * a libcrypto decode per certificate: with_chains false skips them (a
 * completed handshake needs none). */
void td_facts_from_conn(struct td_facts *f, const struct td_tls_conn *c, const struct td_diag_opts *o,
                        bool with_chains);
void td_facts_free(struct td_facts *f);
/* diag/facts_cr.c: what a CertificateRequest asks (its CA names and
 * signature schemes), and whether the client's certificate (NULL: none seen)
 * is issued by one of the CAs it names. */
struct td_certificate_request;
struct td_certificate;
struct td_msg;
/* diag/facts_alert.c: called for each message in order, after the walk of
 * facts.c has taken it in: what each side's alert answered. */
void td_facts_alert_context(struct td_facts *f, const struct td_msg *m, enum td_role side);
void td_facts_cr(struct td_facts *f, const struct td_certificate_request *cr, const struct td_certificate *client_cert);
/* A completed handshake that was then refused: an alert after it, the
 * client leaving before any data, an HTTP 400 about the client certificate;
 * and a fault the rules name. Sets f->rejected_after_handshake. Call it
 * right after td_facts_from_conn (it needs the chains: with_chains true for
 * completed connections with a note), before rendering and filtering. */
void td_facts_settle(struct td_facts *f);
/* The outcome to show and count: the connection's, or failed when it was
 * rejected after the handshake. */
enum td_outcome td_facts_outcome(const struct td_facts *f);
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
    const char *body_says; /* a TLS-failure phrase of the error page, or NULL (static) */
};
void td_http_error_from_conn(struct td_http_error *h, const struct td_tls_conn *c);
/* The TLS connections a gateway's 5xx may be owed to, best first: from the
 * HTTP server's address, started after the request reached it and before it
 * answered (preferred, earliest first), or up to 1 s before the request
 * (clock skew between capture points), or, without the request, up to 60 s
 * before the answer. facts: the connections that failed or were rejected.
 * The link's own confidence: high when one connection alone fits the
 * request-to-answer window, medium when several do, low when only the skew
 * window or the answer alone places it. */
#define TD_MAX_LINKS 4
struct td_link {
    long idx[TD_MAX_LINKS];                 /* into facts */
    int64_t after_request_ns[TD_MAX_LINKS]; /* start minus the request (or the answer) */
    size_t n;
    size_t in_window; /* how many started between the request and the answer */
    enum td_confidence confidence;
};
void td_link_candidates(const struct td_http_error *h, const struct td_facts *const *facts, size_t n,
                        struct td_link *out);

/* The verdict. v may be NULL (nothing known about the server). */
void td_diagnose(const struct td_facts *f, const struct td_server_view *v, struct td_verdict *out);

#endif
