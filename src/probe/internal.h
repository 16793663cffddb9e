/* Inside src/probe: one probe's state, and what its files share.
 *   net.c      the target, its addresses, one TCP connection and one exchange
 *   scan.c     the ClientHellos sent and the scans: versions, suites, groups, SNI
 *   chain.c    the libssl handshake: the chain, client authentication
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
    size_t split_at; /* td_probe_exchange sends the hello in two TCP segments, the first this long (0: one) */
};

/* What the server answered to one ClientHello. */
struct td_probe_exch {
    bool connected, sh, hrr, alert, closed, reset, timeout, not_tls, done;
    uint16_t version, suite, group;
    uint8_t alert_desc;
    bool cert_request;
};

/* net.c */
int64_t td_probe_now_ms(void);
/* A connected socket, or -1 (*timeout or *refused say why). Counts the connection. */
int td_probe_dial(struct td_probe_ctx *p, bool *timeout, bool *refused);
/* Sends hello on a new connection and reads the server's first flight, bounded in
 * bytes (TD_PROBE_MAX_FLIGHT) and time (the --timeout). */
void td_probe_exchange(struct td_probe_ctx *p, const struct td_buf *hello, struct td_probe_exch *x);
/* "host", "host:port", "[v6]:port", "v6" (port 443). */
bool td_probe_parse_target(const char *t, char *host, size_t host_len, uint16_t *port);
/* Resolves r->host: r->addresses (all), r->address and p->addr (the
 * o->address_index-th distinct one). false with r->error when it does not resolve. */
bool td_probe_resolve(struct td_probe_ctx *p);
bool td_probe_is_ip(const char *host);

/* scan.c: versions[i] is what r->v[i] is about (SSLv3 .. TLS 1.3). */
extern const uint16_t td_probe_versions[TD_PROBE_VERSIONS];
/* The first contact: TLS 1.2, every registered suite. */
void td_probe_first_contact(struct td_probe_ctx *p, struct td_probe_exch *x);
void td_probe_scan_version(struct td_probe_ctx *p, size_t vi);
void td_probe_scan_groups(struct td_probe_ctx *p, size_t vi);
/* The best version again, without SNI: refused? */
bool td_probe_sni_refused(struct td_probe_ctx *p, size_t vi);
/* Index of the highest version accepted, -1 for none. */
int td_probe_best_version(const struct td_probe_result *r);

/* chain.c: the chain as sent (checked as tlsdiag cert does), client
 * authentication, and whether the certificate depends on SNI. */
void td_probe_chain(struct td_probe_ctx *p);

/* verdict.c */
void td_probe_add_finding(struct td_probe_result *r, enum td_cause cause, enum td_sev sev, const char *fix,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The findings that make clients fail, from the scans and the chain. */
void td_probe_verdict(struct td_probe_result *r);

#endif
