/* X.509 through libcrypto. The only folder that includes <openssl/...>. */
#ifndef TD_CERT_H
#define TD_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TD_CERT_MAX_SANS 64

struct td_cert_info {
    bool ok;                 /* DER decoded */
    char subject[512];       /* RFC 2253 */
    char issuer[512];
    char serial[130];        /* hex */
    char not_before[64];     /* ISO 8601 UTC */
    char not_after[64];
    int64_t not_before_epoch, not_after_epoch;
    char sha256[65];         /* hex fingerprint of the DER */
    char key[96];            /* "RSA 2048", "EC prime256v1", "Ed25519" */
    char sig_alg[64];
    bool self_signed;        /* subject == issuer and the signature verifies with its own key */
    bool is_ca;
    char *sans[TD_CERT_MAX_SANS]; /* "DNS:a.example", "IP:192.0.2.1" */
    size_t num_sans;
    size_t num_sans_total;
};

/* Decode a DER certificate. Always fills info (ok=false when undecodable). */
void td_cert_info_from_der(const uint8_t *der, size_t len, struct td_cert_info *info);
void td_cert_info_free(struct td_cert_info *info);
/* A DER DistinguishedName (CertificateRequest) in RFC 2253 form. */
bool td_cert_dn_from_der(const uint8_t *der, size_t len, char *out, size_t out_len);

#endif
