/* Inside src/probe: one probe's state, and what its files share.
 *   net.c      the target, its addresses, one TCP connection and one exchange
 *   scan.c     the ClientHellos sent and the scans: versions, suites, groups, SNI
 *   chain.c    the libssl handshake: the chain, client authentication
 *   preamble.c the plain-text talk before TLS: an HTTP CONNECT proxy, STARTTLS
 *   checks.c   signature algorithms, fallback SCSV, renegotiation, OCSP, resumption, ALPN
 *   kex.c      RSA key exchange only, the group chosen among post-quantum ones
 *   middlebox.c the same hello with a post-quantum share, split, padded (--check middlebox)
 *   verdict.c  findings from what was seen
 *   probe.c    td_probe: the steps in order */
#ifndef TD_PROBE_INTERNAL_H
#define TD_PROBE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/mem.h"
#include "probe/probe.h"
#include "reasm/reasm.h"

/* Bytes read from the server per exchange, at most. */
#define TD_PROBE_MAX_FLIGHT (256u << 10)

struct td_probe_ctx {
    const struct td_probe_opts *o;
    struct td_probe_result *r;
    struct sockaddr_storage addr; /* the address probed */
    socklen_t addr_len;
    const char *sni; /* sent, or NULL */
    struct td_limits lim;
    enum td_probe_starttls starttls;    /* the one in effect (o->starttls, or from the port) */
    struct sockaddr_storage proxy_addr; /* --proxy */
    socklen_t proxy_addr_len;
    /* Why the last td_probe_dial failed: the kernel's errno (ETIMEDOUT for a
     * SYN left unanswered), or the plain-text talk's cause and message. */
    int dial_errno;
    enum td_cause dial_cause;
    char dial_error[300];
    size_t split_at;    /* td_probe_exchange sends the hello in two TCP segments, the first this long (0: one) */
    int split_delay_ms; /* between them (0: 20 ms) */
    int mss;            /* TCP_MAXSEG set before connecting (0: the kernel's) */
    /* td_probe_exchange resets (SO_LINGER 0) a connection whose hello got no
     * answer: a server that waits for the rest of a hello dropped on the way
     * (a one-connection-at-a-time s_server) is let go. */
    bool reset_on_timeout;
};

/* What the server answered to one ClientHello. */
struct td_probe_exch {
    bool connected, sh, hrr, alert, closed, reset, timeout, not_tls, done;
    uint16_t version, suite, group;
    uint8_t alert_desc;
    bool cert_request;
    bool reneg;     /* renegotiation_info in the ServerHello */
    char first[64]; /* the server's first bytes, printable ones only ('.' for others) */
    size_t first_len;
};

/* net.c */
int64_t td_probe_now_ms(void);
/* A connected socket (through --proxy, after STARTTLS), or -1 (p->dial_errno
 * or p->dial_cause say why). Counts the connection. */
int td_probe_dial(struct td_probe_ctx *p);
/* Sends hello on a new connection and reads the server's first flight, bounded in
 * bytes (TD_PROBE_MAX_FLIGHT) and time (the --timeout). */
void td_probe_exchange(struct td_probe_ctx *p, const struct td_buf *hello, struct td_probe_exch *x);
/* "host", "host:port", "[v6]:port", "v6" (port 443). */
bool td_probe_parse_target(const char *t, char *host, size_t host_len, uint16_t *port);
/* Resolves r->host: r->addresses (all), r->address and p->addr (the
 * o->address_index-th distinct one). false with r->error when it does not resolve. */
bool td_probe_resolve(struct td_probe_ctx *p);
bool td_probe_is_ip(const char *host);

/* preamble.c: the plain-text talk before TLS, on a connected socket. false
 * with p->dial_cause and p->dial_error when the server refuses or fails. */
bool td_probe_proxy_connect(struct td_probe_ctx *p, int fd);
bool td_probe_starttls(struct td_probe_ctx *p, int fd);
enum td_probe_starttls td_probe_starttls_for_port(uint16_t port);

/* scan.c: versions[i] is what r->v[i] is about (SSLv3 .. TLS 1.3). */
extern const uint16_t td_probe_versions[TD_PROBE_VERSIONS];
/* The ClientHello for VERSION (a row of tls/hello_build.c's probe profiles:
 * TLS 1.3 with an empty key_share, TLS 1.2, older), appended to out. */
void td_probe_hello(struct td_buf *out, uint16_t version, const uint16_t *suites, size_t num_suites,
                    const uint16_t *groups, size_t num_groups, const char *sni);
/* The first contact: TLS 1.2, every registered suite. */
void td_probe_first_contact(struct td_probe_ctx *p, struct td_probe_exch *x);
void td_probe_scan_version(struct td_probe_ctx *p, size_t vi);
void td_probe_scan_groups(struct td_probe_ctx *p, size_t vi);
/* The best version again, without SNI: refused? */
bool td_probe_sni_refused(struct td_probe_ctx *p, size_t vi);
/* No version accepted and the first contact (x) answered unrecognized_name:
 * sets r->sni_unrecognized, and tries the same hello without SNI. */
void td_probe_sni_unrecognized(struct td_probe_ctx *p, const struct td_probe_exch *x);
/* Index of the highest version accepted, -1 for none. */
int td_probe_best_version(const struct td_probe_result *r);

/* checks.c: one ClientHello of the probe's own (TLS 1.2 profile at TLS 1.2,
 * the legacy one below) with suites; no_ems leaves extended_master_secret out. */
void td_probe_raw_hello(struct td_probe_ctx *p, uint16_t version, const uint16_t *suites, size_t n, bool no_ems,
                        struct td_probe_exch *x);
/* ems.c: r->chk.ems_required, from one hello without extended_master_secret
 * after the secure renegotiation check's hello (which has it) was accepted. */
void td_probe_check_ems(struct td_probe_ctx *p, int best);

/* handshake.c: one real libssl handshake, as the request says. */
struct td_probe_hs_req {
    const char *sni;
    bool with_cert;               /* offer --cert/--key */
    bool http;                    /* GET / after the handshake, its status read */
    int min_version, max_version; /* TLS1_VERSION..; 0: libssl's bounds */
    const char *sigalgs;          /* an OpenSSL signature algorithms list, NULL: libssl's */
    const uint8_t *alpn;          /* wire format; alpn_len 0: no ALPN */
    size_t alpn_len;
    bool status_request;           /* ask for a stapled OCSP response */
    struct ssl_session_st *resume; /* a session to resume (not taken) */
    bool no_ticket;                /* resumption by session id only */
    bool kx_only;                  /* TLS 1.2: only (EC)DHE suites, whose key exchange is signed */
    bool read_after;               /* one read after the handshake (TLS 1.3 session tickets come then) */
    bool want_session;             /* h->session: the session, the caller frees it */
    struct td_certset *chain;      /* the certificates as sent go here when not NULL */
    uint8_t *leaf_sha;             /* 32 bytes: the leaf's SHA-256, when not NULL */
    char (*ca_names)[200];         /* up to 4 acceptable client-CA names, when not NULL */
};

struct td_probe_hs {
    bool unusable;     /* libssl refused the request itself (an unknown sigalg, an unreadable --cert) */
    bool connected;    /* TCP (and any preamble) went through */
    bool ok;           /* the handshake completed and was not refused right after */
    bool requested;    /* a CertificateRequest was received */
    bool failed_after; /* refused after the handshake (TLS 1.3 client certificates) */
    bool reused, ocsp;
    int version;
    size_t ca_names;
    char alert[64]; /* the last alert received, in OpenSSL's words */
    char alpn[32];  /* selected */
    int http_status;
    char http_reason[160];
    struct ssl_session_st *session;
};
void td_probe_handshake(struct td_probe_ctx *p, const struct td_probe_hs_req *q, struct td_probe_hs *h);

/* chain.c: the chain as sent (checked as tlsdiag cert does), client
 * authentication, and whether the certificate depends on SNI. */
void td_probe_chain(struct td_probe_ctx *p);
struct ssl_st;
void td_probe_take_chain(struct ssl_st *ssl, struct td_certset *chain, uint8_t leaf_sha[32]);
/* HTTP after the handshake: --http, or by the port (443, 8443). */
bool td_probe_wants_http(const struct td_probe_ctx *p);

/* checks.c: signature algorithms, fallback SCSV, renegotiation, OCSP, resumption, ALPN. */
void td_probe_checks(struct td_probe_ctx *p);

/* kex.c: r->kex, and its findings (rsa_kex_removed). */
void td_probe_kex(struct td_probe_ctx *p);
void td_probe_kex_verdict(struct td_probe_result *r);
/* middlebox.c: r->mb, and its findings (hello_too_large, hello_intolerance). */
void td_probe_middlebox(struct td_probe_ctx *p);
void td_probe_middlebox_verdict(struct td_probe_result *r);

/* verdict.c */
void td_probe_add_finding(struct td_probe_result *r, enum td_cause cause, enum td_sev sev, const char *fix,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The findings that make clients fail, from the scans and the chain. */
void td_probe_verdict(struct td_probe_result *r);

#endif
