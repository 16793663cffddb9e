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

struct td_probe_opts {
    const char *sni; /* NULL: the host name (none for an IP address) */
    bool no_sni;
    int timeout_ms;              /* per step */
    const struct td_certset *ca; /* NULL: the system store */
    const char *cert_path, *key_path;
    size_t address_index; /* which of the name's addresses (A and AAAA, in resolver order) */
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
    bool sni_selects_cert;   /* another certificate without SNI or with another name */
    const char *client_auth; /* "none", "optional", "required" */
    size_t num_ca_names;
    char ca_names[4][200];
    bool client_cert_accepted, client_cert_tried;
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
