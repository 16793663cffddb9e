/* X.509 through libcrypto. The only folder that includes <openssl/...>. */
#ifndef TD_CERT_H
#define TD_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cause.h"

#define TD_CERT_MAX_SANS 64

struct td_cert_info {
    bool ok;           /* DER decoded */
    char subject[512]; /* RFC 2253 */
    char issuer[512];
    char serial[130];    /* hex */
    char not_before[64]; /* ISO 8601 UTC */
    char not_after[64];
    int64_t not_before_epoch, not_after_epoch;
    char sha256[65]; /* hex fingerprint of the DER */
    char key[96];    /* "RSA 2048", "EC prime256v1", "Ed25519" */
    char sig_alg[64];
    bool self_signed; /* subject == issuer and the signature verifies with its own key */
    bool is_ca;
    char *sans[TD_CERT_MAX_SANS]; /* "DNS:a.example", "IP:192.0.2.1" */
    size_t num_sans;
    size_t num_sans_total;
};

/* Decode a DER certificate. Always fills info (ok=false when undecodable). */
void td_cert_info_from_der(const uint8_t *der, size_t len, struct td_cert_info *info);
void td_cert_info_free(struct td_cert_info *info);
/* A cache of decoded certificates, owned by its caller: the pcap pipeline
 * makes one per run (servers send the same chain on every connection) and
 * passes it in td_diag_opts and td_render_opts. */
struct td_cert_cache;
struct td_cert_cache *td_cert_cache_new(void);
void td_cert_cache_free(struct td_cert_cache *c);
/* As td_cert_info_from_der, through the cache; cache NULL: no caching. */
void td_cert_info_from_der_cached(struct td_cert_cache *cache, const uint8_t *der, size_t len,
                                  struct td_cert_info *info);
/* A DER DistinguishedName (CertificateRequest) in RFC 2253 form. */
bool td_cert_dn_from_der(const uint8_t *der, size_t len, char *out, size_t out_len);

/* A certificate named in a finding. */
struct td_cert_id {
    char subject[512];
    char issuer[512];
    char serial[130];
    char not_before[64];
    char not_after[64];
};

struct td_der {
    const uint8_t *p;
    size_t len;
};

struct td_chain_check {
    size_t num_certs;
    bool undecodable;
    struct td_cert_id leaf;
    bool leaf_self_signed;
    bool expired, not_yet_valid; /* some certificate, at the given time */
    size_t bad_index;
    struct td_cert_id bad;    /* the one out of its validity */
    bool out_of_order;        /* the issuer is in the chain, at the wrong place */
    bool unrelated;           /* a certificate that certifies nothing in the chain */
    size_t link_broken_at;    /* index of the first certificate that does not certify the one before (0: none) */
    bool ends_self_signed;    /* the chain as sent reaches a self-signed certificate */
    char missing_issuer[512]; /* otherwise, the issuer that is not there */
    char aia_url[256];        /* its caIssuers URL, when the certificate gives one */
    bool name_checked, name_ok;
    char names[512]; /* what the leaf covers */
    bool trust_checked, trusted;
    int verify_error; /* first OpenSSL X509_V_ERR_* */
    char verify_text[160];
    /* The first error of tlsdiag cert's checks that no truststore can cure
     * (weak_signature, wrong_usage, invalid_ca, weak_key): its cause id, the
     * sentence and the fix, from the same module as tlsdiag cert. */
    enum td_cause unusable; /* TD_CAUSE_NONE: none */
    char unusable_msg[400];
    char unusable_fix[300];
};

/* The truststore is a certificate set (cert/audit.h), the same type for
 * tlsdiag cert --ca, probe --ca and pcap --ca. td_castore_load reads one from
 * PATH in any format td_certset_add_path reads (no password: JKS trusted
 * entries and unencrypted PKCS#12 only); NULL with err when it holds none. */
/* The TLS-inspection product whose CA issued a certificate, from its issuer
 * (or subject) DN: "Zscaler", "Netskope", ...; NULL when none matches. */
const char *td_inspection_vendor(const char *dn);
/* A public CA whose certificates issued after a cut-off (not_before, epoch)
 * browser and Java stores distrust although its root is still there: its
 * owner ("Entrust", ...) and, in *who, which stores since when; NULL: none. */
const char *td_distrusted_ca(const char *dn, int64_t not_before, const char **who);

struct td_certset;
struct td_certset *td_castore_load(const char *path, char *err, size_t err_len);
void td_castore_free(struct td_certset *s);
/* host: the name the client asked for (SNI or --host), or NULL. at_epoch: the
 * capture's time (0: do not check validity). ca: NULL for no trust check.
 * client: the chain is a client certificate's (clientAuth is required). */
void td_chain_check(const struct td_der *certs, size_t n, const char *host, int64_t at_epoch,
                    const struct td_certset *ca, bool client, struct td_chain_check *out);

#endif
