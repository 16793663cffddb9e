/* Inside src/cert: the certificate set with its OpenSSL objects. */
#ifndef TD_CERT_INTERNAL_H
#define TD_CERT_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cert/audit.h"

struct td_entry {
    X509 *x;                       /* NULL for a certInfo (degraded) entry */
    struct td_cert_info info;      /* decoded (or, degraded, as far as certInfo tells) */
    char origin[320];
    int group;                     /* one file's chain, one keystore entry's chain */
    int pos;                       /* position inside the group */
    bool trusted_entry;            /* a truststore entry (JKS trustedCertEntry, Java's PKCS#12 trusted attribute) */
    bool degraded;
    char bc[48];                   /* certInfo's basicConstraints */
};

struct td_keyent {
    EVP_PKEY *k;
    char origin[320];
    int group;                     /* -1: given with --key */
};

struct td_group {
    bool order_matters;            /* a PEM chain file or a keystore key entry: sent as stored */
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

#endif
