/* The lab's PKI, made with the OpenSSL API at run time (nothing secret is
 * committed), dated relative to the capture's clock T0 so that what was valid
 * at T0 stays valid in the capture forever. */
#ifndef TD_LAB_PKI_H
#define TD_LAB_PKI_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdint.h>

enum td_lab_cert {
    LC_NONE,
    LC_GOOD, /* server.lab.test, *.wild.lab.test, under the intermediate */
    LC_EXPIRED,
    LC_FUTURE,
    LC_OTHER_CA, /* under a root nobody trusts */
    LC_SELF,     /* self-signed */
    LC_CLIENT,   /* clientAuth, under the intermediate */
    LC_CLIENT_OTHER,
    LC_CLIENT_EXPIRED,
    LC_WRONG_EKU, /* a server certificate with extendedKeyUsage clientAuth only */
    LC_RSA,       /* server.lab.test with an RSA-2048 key (RSA key exchange): made by td_lab_pki_rsa */
    LC_INSPECTED, /* server.lab.test re-signed by a TLS-inspection proxy's CA: made by td_lab_pki_inspected */
    LC_COUNT
};

struct td_lab_pki {
    EVP_PKEY *root_key, *inter_key, *oroot_key, *ointer_key;
    X509 *root, *inter, *oroot, *ointer;
    EVP_PKEY *zinter_key;
    X509 *zinter; /* "Zscaler Intermediate Root CA (lab)", under the root nobody trusts */
    X509 *cert[LC_COUNT];
    EVP_PKEY *key[LC_COUNT];
};

bool td_lab_pki_make(struct td_lab_pki *p, int64_t t0);
/* The RSA leaf (LC_RSA), made on first use: an RSA key costs a fifth of a
 * second, and only the RSA key exchange scenarios need one. */
bool td_lab_pki_rsa(struct td_lab_pki *p, int64_t t0);
/* The inspection proxy's intermediate and the leaf it signs (LC_INSPECTED). */
bool td_lab_pki_inspected(struct td_lab_pki *p, int64_t t0);
void td_lab_pki_free(struct td_lab_pki *p);

#endif
