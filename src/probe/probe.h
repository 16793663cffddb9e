/* tlsdiag probe: what a live server accepts, found with ClientHellos built
 * here (any version, any suite of the IANA registry, whatever the local
 * OpenSSL allows) and answers read by the same TLS layer as tlsdiag pcap; the
 * chain it sends, fetched with libssl and checked by tlsdiag cert's module. */
#ifndef TD_PROBE_H
#define TD_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert/audit.h"

#define TD_PROBE_MAX_SUITES 128
#define TD_PROBE_MAX_GROUPS 16

/* The plain-text protocol spoken before TLS (openssl s_client -starttls). */
enum td_probe_starttls {
    TD_STARTTLS_AUTO, /* from the port: 25/587 smtp, 143 imap, 110 pop3, 21 ftp, 389 ldap, 5222 xmpp, ... */
    TD_STARTTLS_NONE,
    TD_STARTTLS_SMTP,
    TD_STARTTLS_IMAP,
    TD_STARTTLS_POP3,
    TD_STARTTLS_FTP,
    TD_STARTTLS_LDAP,
    TD_STARTTLS_XMPP,
    TD_STARTTLS_POSTGRES,
    TD_STARTTLS_MYSQL,
};
/* "smtp" .. "mysql", "none": false for another word. */
bool td_probe_starttls_parse(const char *name, enum td_probe_starttls *out);
const char *td_probe_starttls_name(enum td_probe_starttls s);

struct td_probe_opts {
    const char *sni; /* NULL: the host name (none for an IP address) */
    bool no_sni;
    int timeout_ms;              /* per step */
    const struct td_certset *ca; /* NULL: the system store */
    const char *cert_path, *key_path;
    size_t address_index; /* which of the name's addresses (A and AAAA, in resolver order) */
    enum td_probe_starttls starttls;
    const char *proxy;    /* "host:port" of an HTTP CONNECT proxy, or NULL */
    int http;             /* HEAD / after the handshake: 1 yes, 0 no, -1 by the port (443, 8443) */
    bool check_middlebox; /* --check middlebox: the hellos of middlebox.c (five more connections) */
};

/* What an extra check found: yes, no, or not known (not applicable, or the
 * server refused the probe for another reason). */
enum td_probe_tri { TD_TRI_UNKNOWN, TD_TRI_YES, TD_TRI_NO };

#define TD_PROBE_MAX_SIGALGS 24
#define TD_PROBE_MAX_ALPN 4

/* The checks sslscan and testssl.sh users look for. */
struct td_probe_checks {
    uint16_t sigalgs12[TD_PROBE_MAX_SIGALGS], sigalgs13[TD_PROBE_MAX_SIGALGS]; /* accepted, one offered at a time */
    size_t num_sigalgs12, num_sigalgs13;
    enum td_probe_tri fallback_scsv;     /* a lower version with TLS_FALLBACK_SCSV refused (inappropriate_fallback) */
    enum td_probe_tri secure_reneg;      /* renegotiation_info in the TLS 1.2 (or lower) ServerHello */
    enum td_probe_tri ems_required;      /* that hello accepted, the same without extended_master_secret refused */
    uint8_t ems_alert;                   /* the alert that refused it, 0: none (a close) */
    enum td_probe_tri ocsp_stapling;     /* a stapled OCSP response to status_request */
    enum td_probe_tri resume_ticket;     /* a second connection resumed with the session ticket */
    enum td_probe_tri resume_id;         /* ... with the session id (TLS 1.2, tickets off) */
    const char *alpn[TD_PROBE_MAX_ALPN]; /* selected when offered alone (h2, http/1.1) */
    size_t num_alpn;
    const char *alpn_refused[TD_PROBE_MAX_ALPN]; /* handshake refused (no_application_protocol) */
    size_t num_alpn_refused;
};

/* The key exchange of 2024-2026 (kex.c): RSA key exchange only, and the
 * group picked when post-quantum ones are offered first. */
struct td_probe_kex {
    enum td_probe_tri rsa_kex_only; /* only TLS_RSA_* suites, and a hello with ECDHE suites alone refused */
    bool rsa_refusal_alert;         /* that refusal was an alert (rsa_refusal_desc), else no answer */
    uint8_t rsa_refusal_desc;
    enum td_probe_tri pq_selected; /* X25519MLKEM768 or X25519Kyber768Draft00 named by the HelloRetryRequest */
    uint16_t pq_group;             /* the group it named (0: not tested, TLS 1.3 not spoken, or refused) */
    bool pq_refused;               /* TLS 1.3 spoken, but that hello got no HelloRetryRequest */
    bool pq_refusal_alert;         /* ... but an alert (pq_refusal_desc) */
    uint8_t pq_refusal_desc;
};

/* The middlebox check (middlebox.c, --check middlebox): one browser-like
 * hello in several forms, each on its own connection, with TCP segments of
 * at most TD_PROBE_MB_MSS bytes. */
#define TD_PROBE_MB_MSS 1460
enum td_probe_mb_form {
    TD_MB_BASE,  /* padded to 512 bytes (RFC 7685, as OpenSSL and browsers do) */
    TD_MB_PQ,    /* the same with an X25519MLKEM768 share (1,216 bytes) before the x25519 one */
    TD_MB_SPLIT, /* the base hello in two TCP segments, 200 ms apart */
    TD_MB_F5,    /* padded to 300 bytes: in the 256-511 range F5 BIG-IP hangs on */
    TD_MB_LARGE, /* padded to 1,500 bytes, no post-quantum share */
    TD_MB_FORMS
};
enum td_probe_answer { TD_ANS_NOT_RUN, TD_ANS_ANSWERED, TD_ANS_RESET, TD_ANS_CLOSED, TD_ANS_TIMEOUT };
struct td_probe_mb_try {
    enum td_probe_answer answer;
    size_t bytes;      /* the handshake message with its header (the record's payload) */
    unsigned segments; /* TCP segments it took at TD_PROBE_MB_MSS */
};
struct td_probe_middlebox {
    bool run;
    struct td_probe_mb_try t[TD_MB_FORMS];
};

/* index 0 SSLv3 .. 4 TLS 1.3 */
#define TD_PROBE_VERSIONS 5

struct td_probe_version {
    uint16_t version;
    bool accepted;
    uint16_t suites[TD_PROBE_MAX_SUITES]; /* in the server's order when it has one */
    size_t num_suites;
    bool server_order; /* the server picks by its own preference */
    uint16_t groups[TD_PROBE_MAX_GROUPS];
    size_t num_groups;
};

struct td_probe_result {
    char target[300]; /* as given */
    char host[256];
    uint16_t port;
    char address[80];    /* the one probed */
    char addresses[400]; /* all, as resolved */
    bool reachable;
    char error[400];               /* when not reachable or not TLS */
    enum td_cause transport_cause; /* TD_CAUSE_TCP_RESET, _NO_RESPONSE, _NOT_TLS; TD_CAUSE_NONE when reachable */
    struct td_probe_version v[TD_PROBE_VERSIONS];
    bool sni_sent;
    char sni[256];
    bool sni_required;       /* refused without SNI, accepted with it */
    bool sni_unrecognized;   /* every hello with the SNI refused with unrecognized_name (112) */
    bool sni_none_answered;  /* ... and the same hello without SNI answered with a ServerHello */
    bool sni_selects_cert;   /* another certificate without SNI or with another name */
    const char *client_auth; /* "none", "optional", "required" */
    size_t num_ca_names;
    char ca_names[4][200];
    bool client_cert_accepted, client_cert_tried; /* tried: --cert given and a certificate asked for */
    bool client_cert_given;
    char client_cert_alert[120]; /* the server's answer to --cert: its alert, or its HTTP status line */
    int http_status;             /* the answer to HEAD / (0: none) */
    char http_reason[160];       /* its reason phrase, or nginx's <title> when more telling */
    const char *starttls;        /* "smtp" .. when TLS followed a plain-text upgrade, else NULL */
    char upgrade[200];           /* the server's answer to the STARTTLS request */
    char proxy[300];             /* "host:port" of the CONNECT proxy used */
    struct td_probe_checks chk;
    struct td_probe_kex kex;
    struct td_probe_middlebox mb;
    char good[8][300]; /* what is right, in plain words (the chain trusted, the name covered, ...) */
    size_t num_good;
    struct td_cert_report chain; /* the chain as sent, checked as tlsdiag cert does */
    bool have_chain;
    struct td_cert_finding *findings; /* the verdict: what will make clients fail */
    size_t num_findings;
    unsigned connections; /* TCP connections opened */
    double seconds;
};

/* Probe one target "host", "host:port", "[v6]:port". Returns false only on a
 * usage error (err filled); an unreachable server is a result with findings. */
bool td_probe(const char *target, const struct td_probe_opts *o, struct td_probe_result *r, char *err, size_t err_len);
void td_probe_result_free(struct td_probe_result *r);
/* How many distinct addresses TARGET's host resolves to (0: it does not). */
size_t td_probe_num_addresses(const char *target);
size_t td_probe_errors(const struct td_probe_result *r);

#endif
