/* tlsdiag probe --client: a server's chain judged as one client stack would
 * judge it, with that client's truststore and certificate rules (the rules and
 * the roots each client lacks are data, config/profile_trust.c; this is the
 * judge). The chain is the one the server sent (probe/chain.c fetches it);
 * the checks are tlsdiag cert's (td_chain_check, td_verify_chain), the verdict
 * one cause with the sentence and the fix in the client's own terms. */
#ifndef TD_CERT_CLIENT_TRUST_H
#define TD_CERT_CLIENT_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cause.h"
#include "cert/audit.h"

/* A well-known root that a client of some versions does not hold although
 * this machine's store does: by its public key (SPKI SHA-256, hex). */
struct td_root_gap {
    const char *subject;     /* its CN, for the message */
    const char *spki_sha256; /* 64 hex digits */
    const char *absent;      /* "Java 8 before 8u141": the clients that lack it */
};

#define TD_CLIENT_MAX_GAPS 8

struct td_client_rules {
    bool reject_sha1;      /* certificates below the anchor signed with SHA-1 refused */
    bool sha1_public_only; /* ... only in chains to the stack's own roots (Java's "SHA1 jdkCA") */
    bool cn_fallback;      /* a leaf without subjectAltName matched by its CN */
    bool partial_chain;    /* any truststore entry ends a chain (Java), not only self-signed roots */
    bool max_398_days;     /* a leaf issued from 2020-09-01 valid for more than 398 days refused (public roots only) */
    bool path_as_sent;     /* the path follows the chain as sent, the store searched last (OpenSSL 1.0.2) */
    const char *distrust;  /* the word td_distrusted_ca's stores name this client by ("Java", "Chrome"), or NULL */
    const struct td_root_gap *gaps[TD_CLIENT_MAX_GAPS];
    size_t num_gaps;
};

/* Whose store, and how a root is added to it (the words of the fix). */
struct td_client_store {
    const struct td_certset *set; /* NULL: OpenSSL's default store of this machine */
    const char *name;             /* "Java's cacerts (/etc/ssl/certs/java/cacerts)" */
    const char *add;              /* "keytool -importcert -cacerts -alias NAME -file ROOT.pem" */
    bool user;                    /* given by the user (--trust, a configured truststore): no gap applies */
};

struct td_trust_verdict {
    bool checked; /* a chain was there to judge */
    bool ok;
    enum td_cause cause;
    char anchor[256]; /* the CN (or DN) of the root the chain ends at, when it verified */
    char why[500];
    char fix[500];
};

/* sent: the chain as the server sent it (leaf first, td_certset_add_sent_chain);
 * host: the name the client connects to; at: epoch seconds. */
void td_client_trust_judge(const struct td_certset *sent, const char *client, const char *host, int64_t at,
                           const struct td_client_store *store, const struct td_client_rules *rules,
                           struct td_trust_verdict *out);

/* The SPKI SHA-256 of a DER certificate, hex into out (65 bytes); false when it does not decode. */
bool td_cert_spki_sha256(const uint8_t *der, size_t len, char out[65]);

#endif
