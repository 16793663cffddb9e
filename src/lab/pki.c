#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "lab/pki.h"

#include "base/banned.h"

#define DAY (24 * 3600)

/* Ed25519: fixed-size keys and deterministic, fixed-size signatures, so that
 * every run gives records of the same sizes, hence the same frames. */
static EVP_PKEY *new_key(void) { return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"); }

static bool add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!e) {
        return false;
    }
    bool ok = X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

/* issuer NULL: self-signed. exts: "nid=value" pairs as NID_ and string. */
static X509 *new_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, int64_t from, int64_t to,
                      bool ca, const char *san, const char *eku, long serial)
{
    X509 *x = X509_new();
    bool ok = x && X509_set_version(x, X509_VERSION_3);
    ok = ok && ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME *n = X509_get_subject_name(x);
    ok = ok && X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"tlsdiag lab", -1, -1, 0);
    ok = ok && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    ok = ok && X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
    ok = ok && ASN1_TIME_set(X509_getm_notBefore(x), (time_t)from) && ASN1_TIME_set(X509_getm_notAfter(x), (time_t)to);
    ok = ok && X509_set_pubkey(x, key);
    X509 *iss = issuer ? issuer : x;
    ok = ok && add_ext(x, iss, NID_subject_key_identifier, "hash");
    if (issuer) {
        ok = ok && add_ext(x, iss, NID_authority_key_identifier, "keyid");
    }
    if (ca) {
        ok = ok && add_ext(x, iss, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(x, iss, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        ok = ok && add_ext(x, iss, NID_basic_constraints, "CA:FALSE") &&
             add_ext(x, iss, NID_key_usage, "critical,digitalSignature");
    }
    if (san) {
        ok = ok && add_ext(x, iss, NID_subject_alt_name, san);
    }
    if (eku) {
        ok = ok && add_ext(x, iss, NID_ext_key_usage, eku);
    }
    ok = ok && X509_sign(x, issuer_key ? issuer_key : key, NULL) > 0; /* Ed25519 takes no digest */
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

bool td_lab_pki_make(struct td_lab_pki *p, int64_t t0)
{
    td_memzero(p, sizeof *p);
    int64_t from = t0 - 30 * DAY, to = t0 + 365 * DAY;
    p->root_key = new_key();
    p->inter_key = new_key();
    p->oroot_key = new_key();
    p->ointer_key = new_key();
    if (!p->root_key || !p->inter_key || !p->oroot_key || !p->ointer_key) {
        return false;
    }
    p->root = new_cert("Lab Root CA", p->root_key, NULL, NULL, t0 - 3650 * DAY, t0 + 3650 * DAY, true, NULL, NULL, 1);
    p->inter = new_cert("Lab Intermediate CA", p->inter_key, p->root, p->root_key, t0 - 1000 * DAY, t0 + 2000 * DAY,
                        true, NULL, NULL, 2);
    p->oroot = new_cert("Other Root CA", p->oroot_key, NULL, NULL, t0 - 3650 * DAY, t0 + 3650 * DAY, true, NULL, NULL,
                        3);
    p->ointer = new_cert("Other Intermediate CA", p->ointer_key, p->oroot, p->oroot_key, t0 - 1000 * DAY,
                         t0 + 2000 * DAY, true, NULL, NULL, 4);
    static const char *const san = "DNS:server.lab.test,DNS:*.wild.lab.test";
    static const struct {
        int which;
        const char *cn;
        int issuer; /* 0 inter, 1 other inter, 2 self */
        int64_t from_off, to_off;
        bool client;
    } leaves[] = {
        {LC_GOOD, "server.lab.test", 0, 0, 0, false},
        {LC_EXPIRED, "server.lab.test", 0, -400 * DAY, -35 * DAY - 365 * DAY, false},
        {LC_FUTURE, "server.lab.test", 0, 60 * DAY, 0, false},
        {LC_OTHER_CA, "server.lab.test", 1, 0, 0, false},
        {LC_SELF, "server.lab.test", 2, 0, 0, false},
        {LC_CLIENT, "client.lab.test", 0, 0, 0, true},
        {LC_CLIENT_OTHER, "client.lab.test", 1, 0, 0, true},
        {LC_CLIENT_EXPIRED, "client.lab.test", 0, -400 * DAY, -35 * DAY - 365 * DAY, true},
        {LC_WRONG_EKU, "server.lab.test", 0, 0, 0, true},
    };
    for (size_t i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
        int w = leaves[i].which;
        p->key[w] = new_key();
        X509 *iss = leaves[i].issuer == 0 ? p->inter : leaves[i].issuer == 1 ? p->ointer : NULL;
        EVP_PKEY *ik = leaves[i].issuer == 0 ? p->inter_key : leaves[i].issuer == 1 ? p->ointer_key : NULL;
        p->cert[w] = new_cert(leaves[i].cn, p->key[w], iss, ik, from + leaves[i].from_off, to + leaves[i].to_off, false,
                              leaves[i].client && w != LC_WRONG_EKU ? NULL : san,
                              leaves[i].client ? "clientAuth" : "serverAuth", 100 + (long)i);
        if (!p->cert[w]) {
            return false;
        }
    }
    return p->root && p->inter && p->oroot && p->ointer;
}

bool td_lab_pki_rsa(struct td_lab_pki *p, int64_t t0)
{
    if (p->cert[LC_RSA]) {
        return true;
    }
    /* 2048 bits: a modulus of exactly that size, so that the certificate
     * and the ClientKeyExchange have the same length on every run. */
    p->key[LC_RSA] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    if (!p->key[LC_RSA]) {
        return false;
    }
    p->cert[LC_RSA] = new_cert("server.lab.test", p->key[LC_RSA], p->inter, p->inter_key, t0 - 30 * DAY, t0 + 365 * DAY,
                               false, "DNS:server.lab.test", "serverAuth", 120);
    return p->cert[LC_RSA] != NULL;
}

bool td_lab_pki_inspected(struct td_lab_pki *p, int64_t t0)
{
    if (p->cert[LC_INSPECTED]) {
        return true;
    }
    p->zinter_key = new_key();
    p->key[LC_INSPECTED] = new_key();
    if (!p->zinter_key || !p->key[LC_INSPECTED]) {
        return false;
    }
    /* the CN a Zscaler tenant's intermediate carries; O stays the lab's */
    p->zinter = new_cert("Zscaler Intermediate Root CA (lab)", p->zinter_key, p->oroot, p->oroot_key, t0 - 1000 * DAY,
                         t0 + 2000 * DAY, true, NULL, NULL, 5);
    p->cert[LC_INSPECTED] = p->zinter
                                ? new_cert("server.lab.test", p->key[LC_INSPECTED], p->zinter, p->zinter_key,
                                           t0 - 1 * DAY, t0 + 13 * DAY, false, "DNS:server.lab.test", "serverAuth", 121)
                                : NULL;
    return p->cert[LC_INSPECTED] != NULL;
}

void td_lab_pki_free(struct td_lab_pki *p)
{
    EVP_PKEY_free(p->zinter_key);
    X509_free(p->zinter);
    EVP_PKEY_free(p->root_key);
    EVP_PKEY_free(p->inter_key);
    EVP_PKEY_free(p->oroot_key);
    EVP_PKEY_free(p->ointer_key);
    X509_free(p->root);
    X509_free(p->inter);
    X509_free(p->oroot);
    X509_free(p->ointer);
    for (int i = 0; i < LC_COUNT; i++) {
        X509_free(p->cert[i]);
        EVP_PKEY_free(p->key[i]);
    }
    td_memzero(p, sizeof *p);
}
