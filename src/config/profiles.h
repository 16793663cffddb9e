/* Client profiles as data: what a TLS client stack offers by default (versions,
 * suites in order, groups, SNI behaviour, trust store, certificate checks), one
 * row per profile in config/profiles.c with its sources. A profile's lists are
 * written as names (IANA, Java or OpenSSL; OpenSSL stacks as the cipher string
 * they use) and resolved here into code points, so that a row reads like the
 * stack's documentation. */
#ifndef TD_CONFIG_PROFILES_H
#define TD_CONFIG_PROFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* When the client sends server_name. */
enum td_sni_rule {
    TD_SNI_HOSTNAMES, /* every host name, never an IP address (RFC 6066 3) */
    TD_SNI_DOTTED,    /* Java: only names with a dot (none for IP addresses or dot-less names) */
};

struct td_client_profile {
    const char *name;     /* java8, openssl-3.0, ... */
    const char *stack;    /* "Java 8u261+ (SunJSSE)" */
    unsigned versions;    /* TD_V_* bits (config/config.h) */
    const char *suites;   /* TLS 1.2 and below, in order: a comma list of names, or an OpenSSL cipher string */
    bool openssl_string;  /* suites is an OpenSSL cipher string */
    const char *suites13; /* TLS 1.3 suites, comma list */
    const char *groups;   /* supported_groups, comma list of IANA names, in order */
    enum td_sni_rule sni;
    const char *trust;       /* the trust store it uses */
    const char *cert_checks; /* what it checks of the server's chain, in words */
    const char *sigalgs;     /* signature_algorithms, IANA names in order; NULL: not modelled (tlsdiag's own) */
};

size_t td_client_profile_count(void);
const struct td_client_profile *td_client_profile_at(size_t i);
/* By name; NULL when none has it. */
const struct td_client_profile *td_client_profile_find(const char *name);

#define TD_PLAN_MAX_SUITES 160
#define TD_PLAN_MAX_GROUPS 16
#define TD_PLAN_MAX_SIGALGS 32

/* A profile resolved into what its ClientHello carries. */
struct td_client_plan {
    unsigned versions;
    uint16_t suites[TD_PLAN_MAX_SUITES]; /* TLS 1.2 and below */
    size_t num_suites;
    uint16_t suites13[8];
    size_t num_suites13;
    uint16_t groups[TD_PLAN_MAX_GROUPS];
    size_t num_groups;
    uint16_t sigalgs[TD_PLAN_MAX_SIGALGS]; /* none: tlsdiag's own list */
    size_t num_sigalgs;
};

/* false with the first name that does not resolve in err. */
bool td_client_profile_plan(const struct td_client_profile *p, struct td_client_plan *out, char *err, size_t err_len);
/* Does the profile send server_name when connecting to host? */
bool td_client_sends_sni(const struct td_client_profile *p, const char *host);

#endif
