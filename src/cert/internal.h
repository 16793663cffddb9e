/* Inside src/cert: the certificate set with its OpenSSL objects. */
#ifndef TD_CERT_INTERNAL_H
#define TD_CERT_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cert/audit.h"

struct td_entry {
    X509 *x;                  /* NULL for a certInfo (degraded) entry */
    struct td_cert_info info; /* decoded (or, degraded, as far as certInfo tells) */
    char origin[320];
    int group;          /* one file's chain, one keystore entry's chain */
    int pos;            /* position inside the group */
    bool trusted_entry; /* a truststore entry (JKS trustedCertEntry, Java's PKCS#12 trusted attribute) */
    bool degraded;
    char bc[48]; /* certInfo's basicConstraints */
};

struct td_keyent {
    EVP_PKEY *k;
    char origin[320];
    int group; /* -1: given with --key */
};

struct td_group {
    bool order_matters; /* a PEM chain file or a keystore key entry: sent as stored */
    char name[320];
};

struct td_certset {
    struct td_entry *e;
    size_t n, cap;
    struct td_keyent *keys;
    size_t nk, capk;
    struct td_group *groups;
    size_t ng, capg;
    const char *passwords[TD_MAX_PASSWORDS];
    size_t npw;
    char *notes[16];
    size_t nnotes;
};

int td_set_group(struct td_certset *s, const char *name, bool order_matters);
/* Takes ownership of x. */
void td_set_add_x509(struct td_certset *s, X509 *x, int group, const char *origin, bool trusted);
void td_set_add_key(struct td_certset *s, EVP_PKEY *k, int group, const char *origin);
void td_set_note(struct td_certset *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct td_entry *td_set_add_degraded(struct td_certset *s, int group, const char *origin);

/* JKS / JCEKS (jks.c). Returns false with err on a corrupt store or a wrong password. */
bool td_jks_load(struct td_certset *s, const uint8_t *p, size_t len, const char *path, char *err, size_t err_len);
/* Apigee certInfo JSON (certinfo.c). */
bool td_certinfo_load(struct td_certset *s, const uint8_t *p, size_t len, const char *path, char *err, size_t err_len);

/* Shared with chain.c. */
void td_x509_covered_names(X509 *x, char *out, size_t len);
void td_x509_aia_ca_issuers(X509 *x, char *out, size_t len);
void td_x509_info(X509 *x, struct td_cert_info *info);

/* ---- the audit (audit.c runs build.c, checks.c and trust.c) ---- */

enum td_link { TD_LINK_NONE, TD_LINK_GOOD, TD_LINK_BADSIG };

/* The audit's working state: the set, the options, the report being filled,
 * and per-entry / per-node indexes. */
struct td_audit {
    const struct td_certset *s;
    const struct td_audit_opts *o;
    struct td_cert_report *r;
    size_t n;
    int *dup_of; /* entry -> first entry with the same certificate, or -1 */
    int *parent; /* entry -> issuing entry, -1 */
    enum td_link *plink;
    int *node_of;  /* entry -> node, -1 */
    int *entry_of; /* node -> entry */
};

struct td_cert_finding *td_audit_add(struct td_cert_report *r, enum td_cause cause, enum td_sev sev, int cert,
                                     const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* "[node] subject", or "the set" for -1. */
const char *td_audit_who(const struct td_audit *c, int node, char *buf, size_t cap);

/* Sets up the working state and builds the chains (r is reset); td_audit_end
 * frees the state, not the report. */
void td_audit_begin(struct td_audit *c, const struct td_certset *s, const struct td_audit_opts *o,
                    struct td_cert_report *r);
void td_audit_end(struct td_audit *c);

/* build.c */
bool td_dn_eq(const char *a, const char *b);
/* Does p issue c? Names and key identifiers, then the signature. */
enum td_link td_issues(const struct td_entry *p, const struct td_entry *c);
bool td_entry_self_signed(const struct td_entry *e);
int td_audit_new_node(struct td_audit *c, size_t e, const char *role, int chain);
/* Duplicates, issuers, leaves, chains, roles and links; every entry a node. */
void td_audit_build(struct td_audit *c);

/* checks.c */
void td_check_validity(struct td_audit *c, int node, bool in_chain, bool leaf);
void td_check_name(struct td_audit *c, int node);
void td_check_crypto(struct td_audit *c, int node, bool self);
void td_check_usage(struct td_audit *c, int node, size_t depth, bool leaf);
/* A certificate of the chain issued by a TLS-inspection proxy's CA (inspection.c's table). */
void td_check_inspection(struct td_audit *c, const struct td_cert_chain *ch);
void td_check_keys(struct td_audit *c, const struct td_cert_chain *ch, int leaf_entry);
void td_check_order(struct td_audit *c, const struct td_cert_chain *ch, int group);
/* X509_check_ip_asc, else X509_check_host (RFC 6125, no partial wildcards);
 * names: what the certificate covers, for the message. */
bool td_x509_host_ok(X509 *x, const char *host, char *names, size_t names_len);

/* trust.c */
void td_check_trust(struct td_audit *c, const struct td_cert_chain *ch);
void td_check_top_without_trust(struct td_audit *c, const struct td_cert_chain *ch);

/* One verification run, shared by tlsdiag cert (check_trust) and tlsdiag
 * pcap (td_chain_check): every error the verify callback saw, deduplicated by
 * (error, depth), in the order OpenSSL reported them. */
#define TD_MAX_VERIFY_ERRORS 32
struct td_verify_error {
    int depth, err;
    X509 *cert; /* owned (up-ref'd), may be NULL */
};
struct td_verify {
    struct td_verify_error e[TD_MAX_VERIFY_ERRORS];
    size_t n;
    bool ok;      /* X509_verify_cert succeeded with no error seen */
    X509 *anchor; /* owned: the top of the chain built, when ok */
};
/* ca: the truststore's certificates (NULL: none); system: also the system's
 * default paths. partial_chain: any truststore entry is an anchor (RFC 5280
 * 6.1, as Java does). at: the time to verify at (0: now). */
void td_verify_chain(const struct td_certset *ca, bool system, X509 *leaf, STACK_OF(X509) * untrusted, int64_t at,
                     bool partial_chain, struct td_verify *out);
void td_verify_free(struct td_verify *v);

/* Every "-----BEGIN X-----" of a PEM file has its END; false, with "PATH:
 * PEM block X (line B) truncated at line N" in err, when one is cut short. */
bool td_pem_blocks_whole(const uint8_t *p, size_t len, const char *path, char *err, size_t err_len);

/* A name as an RFC 2253 string keeping the certificate's own bytes (dn.c). */
void td_cert_name_str(const X509_NAME *n, char *out, size_t out_len);

#endif
