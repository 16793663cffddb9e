#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"
#include "cert/cert.h"
#include "cert/internal.h"

#include "base/banned.h"

static void time_str(const ASN1_TIME *t, char *out, size_t out_len, int64_t *epoch)
{
    struct tm tm;
    out[0] = '\0';
    *epoch = 0;
    if (!t || !ASN1_TIME_to_tm(t, &tm)) {
        return;
    }
    snprintf(out, out_len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec);
    *epoch = (int64_t)timegm(&tm);
}

static void key_str(X509 *x, char *out, size_t out_len)
{
    EVP_PKEY *k = X509_get0_pubkey(x);
    out[0] = '\0';
    if (!k) {
        snprintf(out, out_len, "unknown");
        return;
    }
    int id = EVP_PKEY_get_base_id(k);
    int bits = EVP_PKEY_get_bits(k);
    if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) {
        snprintf(out, out_len, "%s %d", id == EVP_PKEY_RSA ? "RSA" : "RSA-PSS", bits);
    } else if (id == EVP_PKEY_EC) {
        char curve[64] = "";
        size_t len = 0;
        EVP_PKEY_get_utf8_string_param(k, "group", curve, sizeof curve, &len);
        snprintf(out, out_len, "EC %s", curve[0] ? curve : "?");
    } else if (id == EVP_PKEY_ED25519) {
        snprintf(out, out_len, "Ed25519");
    } else if (id == EVP_PKEY_ED448) {
        snprintf(out, out_len, "Ed448");
    } else {
        snprintf(out, out_len, "%s %d", OBJ_nid2sn(id), bits);
    }
}

static void add_sans(X509 *x, struct td_cert_info *info)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    if (!names) {
        return;
    }
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        char buf[300];
        buf[0] = '\0';
        if (g->type == GEN_DNS) {
            const unsigned char *s = ASN1_STRING_get0_data(g->d.dNSName);
            snprintf(buf, sizeof buf, "DNS:%.*s", ASN1_STRING_length(g->d.dNSName), (const char *)s);
        } else if (g->type == GEN_IPADD) {
            const unsigned char *s = ASN1_STRING_get0_data(g->d.iPAddress);
            int n = ASN1_STRING_length(g->d.iPAddress);
            if (n == 4) {
                snprintf(buf, sizeof buf, "IP:%u.%u.%u.%u", s[0], s[1], s[2], s[3]);
            } else if (n == 16) {
                int o = snprintf(buf, sizeof buf, "IP:");
                for (int j = 0; j < 16; j += 2) {
                    o += snprintf(buf + o, sizeof buf - (size_t)o, "%s%x", j ? ":" : "", (s[j] << 8) | s[j + 1]);
                }
            }
        } else if (g->type == GEN_EMAIL) {
            snprintf(buf, sizeof buf, "email:%.*s", ASN1_STRING_length(g->d.rfc822Name),
                     (const char *)ASN1_STRING_get0_data(g->d.rfc822Name));
        } else if (g->type == GEN_URI) {
            snprintf(buf, sizeof buf, "URI:%.*s", ASN1_STRING_length(g->d.uniformResourceIdentifier),
                     (const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier));
        }
        if (!buf[0]) {
            continue;
        }
        info->num_sans_total++;
        if (info->num_sans < TD_CERT_MAX_SANS) {
            info->sans[info->num_sans++] = td_strndup(buf, strlen(buf));
        }
    }
    GENERAL_NAMES_free(names);
}

/* Servers send the same chain on every connection: a small cache of decoded
 * certificates, keyed by the DER itself (compared byte for byte), saves a
 * libcrypto decode and a SHA-256 per certificate per connection. The caller
 * owns it (one per run of the pipeline); nothing is kept between runs. */
#define CACHE_SLOTS 64
struct cached {
    uint8_t *der;
    size_t len;
    uint32_t hash;
    struct td_cert_info info;
    uint64_t used;
};

struct td_cert_cache {
    struct cached slot[CACHE_SLOTS];
    uint64_t clock;
};

static uint32_t der_hash(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u ^ (uint32_t)n;
    size_t step = n > 256 ? n / 256 : 1;
    for (size_t i = 0; i < n; i += step) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

static void info_copy(struct td_cert_info *dst, const struct td_cert_info *src)
{
    *dst = *src;
    for (size_t i = 0; i < src->num_sans; i++) {
        dst->sans[i] = td_strndup(src->sans[i], strlen(src->sans[i]));
    }
}

static void decode_uncached(const uint8_t *der, size_t len, struct td_cert_info *info);

struct td_cert_cache *td_cert_cache_new(void) { return td_calloc(1, sizeof(struct td_cert_cache)); }

void td_cert_cache_free(struct td_cert_cache *c)
{
    if (!c) {
        return;
    }
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(c->slot[i].der);
        td_cert_info_free(&c->slot[i].info);
    }
    free(c);
}

void td_cert_info_from_der(const uint8_t *der, size_t len, struct td_cert_info *info)
{
    decode_uncached(der, len, info);
}

void td_cert_info_from_der_cached(struct td_cert_cache *cache, const uint8_t *der, size_t len,
                                  struct td_cert_info *info)
{
    if (!cache) {
        decode_uncached(der, len, info);
        return;
    }
    uint32_t h = der_hash(der, len);
    struct cached *victim = &cache->slot[0];
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct cached *c = &cache->slot[i];
        if (c->der && c->hash == h && c->len == len && td_mem_eq(c->der, der, len)) {
            c->used = ++cache->clock;
            info_copy(info, &c->info);
            return;
        }
        if (c->used < victim->used) {
            victim = c;
        }
    }
    decode_uncached(der, len, info);
    free(victim->der);
    td_cert_info_free(&victim->info);
    victim->der = td_memdup(der, len);
    victim->len = len;
    victim->hash = h;
    victim->used = ++cache->clock;
    info_copy(&victim->info, info);
}

static void decode_uncached(const uint8_t *der, size_t len, struct td_cert_info *info)
{
    td_memzero(info, sizeof *info);
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL) && mdlen == 32) {
        for (int i = 0; i < 32; i++) {
            snprintf(info->sha256 + 2 * i, 3, "%02X", md[i]);
        }
    }
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (!x) {
        return;
    }
    info->ok = true;
    td_cert_name_str(X509_get_subject_name(x), info->subject, sizeof info->subject);
    td_cert_name_str(X509_get_issuer_name(x), info->issuer, sizeof info->issuer);
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    if (bn) {
        char *hex = BN_bn2hex(bn);
        if (hex) {
            td_strcopy(info->serial, sizeof info->serial, hex);
            OPENSSL_free(hex);
        }
        BN_free(bn);
    }
    time_str(X509_get0_notBefore(x), info->not_before, sizeof info->not_before, &info->not_before_epoch);
    time_str(X509_get0_notAfter(x), info->not_after, sizeof info->not_after, &info->not_after_epoch);
    key_str(x, info->key, sizeof info->key);
    int sig_nid = X509_get_signature_nid(x);
    td_strcopy(info->sig_alg, sizeof info->sig_alg, sig_nid ? OBJ_nid2ln(sig_nid) : "unknown");
    info->is_ca = X509_check_ca(x) > 0;
    if (X509_check_issued(x, x) == X509_V_OK) {
        EVP_PKEY *k = X509_get0_pubkey(x);
        info->self_signed = k && X509_verify(x, k) == 1;
    }
    add_sans(x, info);
    X509_free(x);
}

void td_cert_info_free(struct td_cert_info *info)
{
    for (size_t i = 0; i < info->num_sans; i++) {
        free(info->sans[i]);
    }
    info->num_sans = 0;
}

bool td_cert_dn_from_der(const uint8_t *der, size_t len, char *out, size_t out_len)
{
    const unsigned char *p = der;
    X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)len);
    if (!n) {
        snprintf(out, out_len, "(undecodable name)");
        return false;
    }
    td_cert_name_str(n, out, out_len);
    X509_NAME_free(n);
    return true;
}
