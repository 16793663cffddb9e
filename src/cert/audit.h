/* tlsdiag cert: certificates, keys, keystores and truststores from files of
 * any common format (PEM, DER, PKCS#7, PKCS#12, JKS/JCEKS, directories,
 * Apigee certInfo JSON), chains built from them, and every check made on them.
 * The types here carry no OpenSSL type, so that report/ and cli/ use them. */
#ifndef TD_CERT_AUDIT_H
#define TD_CERT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert/cert.h"

enum td_purpose { TD_PURPOSE_SERVER, TD_PURPOSE_CLIENT };

#define TD_MAX_PASSWORDS 4

/* What was given: certificates with where they came from, private keys. */
struct td_certset;

struct td_certset *td_certset_new(void);
void td_certset_free(struct td_certset *s);
/* Passwords to try, in order, on PKCS#12 files, JKS integrity and encrypted
 * keys. The strings must outlive the set. */
void td_certset_add_password(struct td_certset *s, const char *pw);
/* Adds everything PATH holds (a file or a directory). false, with err, when the
 * input is unreadable, corrupt or locked by a password that was not given. */
bool td_certset_add_path(struct td_certset *s, const char *path, char *err, size_t err_len);
/* A private key for the leaf (--key): PEM, DER, PKCS#12 or a keystore. */
bool td_certset_add_key_path(struct td_certset *s, const char *path, char *err, size_t err_len);
/* A chain as a peer sent it (DER, leaf first): one group named GROUP whose
 * order matters, certificate i coming from "certificate i GROUP". Certificates
 * that do not decode are left out. (For tlsdiag probe's libssl handshake.) */
void td_certset_add_sent_chain(struct td_certset *s, const char *group, const struct td_der *certs, size_t n);
size_t td_certset_num_certs(const struct td_certset *s);
/* Notes from loading (an encrypted key skipped for lack of a password, ...). */
size_t td_certset_num_notes(const struct td_certset *s);
const char *td_certset_note(const struct td_certset *s, size_t i);

struct td_audit_opts {
    const char *host; /* --host, or NULL */
    int64_t at;       /* epoch seconds */
    enum td_purpose purpose;
    const struct td_certset *ca; /* --ca (or the truststore of --compare), or NULL */
    bool system_ca;              /* --system-ca */
    int warn_days;               /* expiring within: warning */
    bool compare;                /* --compare: say whether the truststore accepts the chain */
};

struct td_cert_node {
    struct td_cert_info info;
    char origin[320]; /* "chain.pem#2", "store.jks:alias#1" */
    const char *role; /* "leaf", "intermediate", "root", "trust anchor", "other" */
    int chain;        /* which chain (0-based), -1 when in none */
    int issuer;       /* node index of its issuer, -1 */
    const char *link; /* "good", "self-signed", "anchor" (issuer in the truststore), "missing", "bad-signature", "" */
    char basic_constraints[48];
    char key_usage[160];
    char ext_key_usage[160];
    char aia[256];  /* caIssuers URL */
    bool valid_at;  /* within its validity at the audit time */
    bool degraded;  /* from certInfo JSON: names and dates only */
    bool key_given; /* a private key matching it was given */
};

struct td_cert_finding {
    enum td_cause cause; /* base/causes.def: its slug is the stable identifier */
    enum td_sev sev;
    int cert; /* node index, -1 for the set as a whole */
    char message[800];
    char resolution[600];
};

#define TD_CHAIN_MAX 16

struct td_cert_chain {
    size_t nodes[TD_CHAIN_MAX]; /* leaf first */
    size_t len;
};

struct td_cert_report {
    struct td_cert_node *nodes;
    size_t num_nodes;
    struct td_cert_finding *findings;
    size_t num_findings, cap_findings;
    struct td_cert_chain *chains;
    size_t num_chains;
    int64_t at;
    bool trust_checked;
    bool compare, accepted; /* --compare: the verdict */
    char anchor[520];       /* the truststore certificate the chain ends at */
};

void td_cert_audit(const struct td_certset *s, const struct td_audit_opts *o, struct td_cert_report *r);
void td_cert_report_free(struct td_cert_report *r);
size_t td_cert_report_count(const struct td_cert_report *r, enum td_sev sev);

/* RFC 6125 6.4 name matching for the certInfo input (no X.509 at hand):
 * case-insensitive, a wildcard only as the whole left-most label, matching
 * exactly one label, never over a public suffix of a single label. */
bool td_host_matches(const char *pattern, const char *host);

#endif
