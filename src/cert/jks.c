/* Java keystores, read from their documented layout (OpenJDK
 * sun.security.provider.JavaKeyStore, com.sun.crypto.provider.JceKeyStore):
 *
 *   u32 magic (FEEDFEED JKS, CECECECE JCEKS)  u32 version (1, 2)  u32 count
 *   entries: u32 tag  UTF alias  u64 date(ms)
 *     tag 1 private key: u32 len, EncryptedPrivateKeyInfo; u32 n, n x ([v2: UTF type] u32 len, DER)
 *     tag 2 trusted certificate: [v2: UTF type] u32 len, DER
 *     tag 3 (JCEKS) secret key: a Java serialized object, not readable here
 *   20 bytes: SHA-1(password as UTF-16BE || "Mighty Aphrodite" || all of the above)
 *
 * UTF is Java's modified UTF-8 with a u16 length. Every read goes through the
 * bounded cursor; a store is rejected with the byte offset where it breaks. */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/mem.h"
#include "cert/internal.h"

#include "base/banned.h"

#define JKS_MAX_ENTRIES 100000
#define JKS_MAX_CHAIN 64

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

/* UTF-8 password to the UTF-16BE bytes Java hashes (char by char, high byte first). */
static size_t utf16be(const char *pw, uint8_t *out, size_t cap)
{
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)pw;
    while (*s && n + 4 <= cap) {
        uint32_t c = *s++;
        int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        c &= more == 3 ? 0x07 : more == 2 ? 0x0F : more == 1 ? 0x1F : 0x7F;
        for (; more > 0 && (*s & 0xC0) == 0x80; more--) {
            c = (c << 6) | (*s++ & 0x3F);
        }
        if (c >= 0x10000) {
            c -= 0x10000;
            uint32_t hi = 0xD800 + (c >> 10), lo = 0xDC00 + (c & 0x3FF);
            out[n++] = (uint8_t)(hi >> 8);
            out[n++] = (uint8_t)hi;
            out[n++] = (uint8_t)(lo >> 8);
            out[n++] = (uint8_t)lo;
        } else {
            out[n++] = (uint8_t)(c >> 8);
            out[n++] = (uint8_t)c;
        }
    }
    return n;
}

static bool integrity_ok(const uint8_t *p, size_t body_len, const uint8_t *digest, const char *pw)
{
    uint8_t pwb[1024];
    size_t pwl = utf16be(pw, pwb, sizeof pwb);
    static const char whitener[] = "Mighty Aphrodite";
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int mdl = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) && EVP_DigestUpdate(ctx, pwb, pwl) &&
              EVP_DigestUpdate(ctx, whitener, sizeof whitener - 1) && EVP_DigestUpdate(ctx, p, body_len) &&
              EVP_DigestFinal_ex(ctx, md, &mdl) && mdl == 20 && td_mem_eq(md, digest, 20);
    EVP_MD_CTX_free(ctx);
    return ok;
}

/* sun.security.provider.KeyProtector: protected = salt(20) || key XOR stream ||
 * check(20); stream blocks are SHA-1(password || previous block), starting
 * from the salt; check = SHA-1(password || key). The key is PKCS#8. */
static EVP_PKEY *jks_recover_key(const uint8_t *prot, size_t len, const char *pw)
{
    if (len < 41) {
        return NULL;
    }
    uint8_t pwb[1024];
    size_t pwl = utf16be(pw, pwb, sizeof pwb);
    size_t klen = len - 40;
    uint8_t *key = td_malloc(klen);
    uint8_t block[20];
    td_memcopy(block, prot, 20);
    EVP_PKEY *k = NULL;
    bool ok = true;
    for (size_t off = 0; off < klen && ok; off += 20) {
        unsigned int l = 0;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) && EVP_DigestUpdate(ctx, pwb, pwl) &&
             EVP_DigestUpdate(ctx, block, 20) && EVP_DigestFinal_ex(ctx, block, &l);
        EVP_MD_CTX_free(ctx);
        for (size_t i = 0; i < 20 && off + i < klen; i++) {
            key[off + i] = prot[20 + off + i] ^ block[i];
        }
    }
    uint8_t check[EVP_MAX_MD_SIZE];
    unsigned int cl = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ok = ok && ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) && EVP_DigestUpdate(ctx, pwb, pwl) &&
         EVP_DigestUpdate(ctx, key, klen) && EVP_DigestFinal_ex(ctx, check, &cl) && cl == 20 &&
         td_mem_eq(check, prot + 20 + klen, 20);
    EVP_MD_CTX_free(ctx);
    if (ok) {
        const unsigned char *q = key;
        PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &q, (long)klen);
        k = p8 ? EVP_PKCS82PKEY(p8) : NULL;
        PKCS8_PRIV_KEY_INFO_free(p8);
    }
    td_memzero(key, klen);
    free(key);
    return k;
}

static EVP_PKEY *jks_key(const struct td_cur *epki, const struct td_certset *s, bool *protected_other)
{
    const unsigned char *q = td_cur_data(epki);
    X509_SIG *sig = d2i_X509_SIG(NULL, &q, (long)td_cur_len(epki));
    *protected_other = false;
    if (!sig) {
        return NULL;
    }
    const X509_ALGOR *alg;
    const ASN1_OCTET_STRING *data;
    X509_SIG_get0(sig, &alg, &data);
    char oid[64];
    OBJ_obj2txt(oid, sizeof oid, alg->algorithm, 1);
    EVP_PKEY *k = NULL;
    if (strcmp(oid, "1.3.6.1.4.1.42.2.17.1.1") == 0) {
        for (size_t i = 0; i < s->npw && !k; i++) {
            k = jks_recover_key(ASN1_STRING_get0_data(data), (size_t)ASN1_STRING_length(data), s->passwords[i]);
        }
    } else {
        *protected_other = true;
    }
    X509_SIG_free(sig);
    return k;
}

struct jks_ctx {
    struct td_certset *s;
    const char *path;
    uint32_t version;
    char *err;
    size_t err_len;
    struct td_cur *c;
};

static bool fail(struct jks_ctx *j, const char *what)
{
    snprintf(j->err, j->err_len, "%s: corrupt keystore: %s at byte offset %zu", j->path, what, td_cur_offset(j->c));
    return false;
}

static bool read_utf(struct td_cur *c, char *out, size_t cap)
{
    struct td_cur u;
    if (!td_cur_get_u16_prefixed(c, &u)) {
        return false;
    }
    size_t n = td_cur_len(&u) < cap - 1 ? td_cur_len(&u) : cap - 1;
    td_memcopy(out, td_cur_data(&u), n);
    out[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)out[i] < 0x20) {
            out[i] = '?';
        }
    }
    return true;
}

static bool read_cert(struct jks_ctx *j, int group, const char *origin, bool trusted)
{
    char type[64];
    if (j->version == 2 && !read_utf(j->c, type, sizeof type)) {
        return fail(j, "certificate type");
    }
    struct td_cur der;
    uint32_t len;
    if (!td_cur_get_u32(j->c, &len) || !td_cur_get_bytes(j->c, &der, len)) {
        return fail(j, "certificate length");
    }
    if (j->version == 2 && strcmp(type, "X.509") != 0) {
        td_set_note(j->s, "%s: certificate of type '%s' skipped", origin, type);
        return true;
    }
    const unsigned char *q = td_cur_data(&der);
    X509 *x = d2i_X509(NULL, &q, (long)td_cur_len(&der));
    if (!x) {
        return fail(j, "certificate that is not DER X.509");
    }
    td_set_add_x509(j->s, x, group, origin, trusted);
    return true;
}

/* A PrivateKeyEntry: the encrypted key, then its chain (sent as stored). */
static bool read_key_entry(struct jks_ctx *j, const char *origin, size_t *keys_missing)
{
    struct td_certset *s = j->s;
    uint32_t klen, ncerts;
    struct td_cur epki;
    if (!td_cur_get_u32(j->c, &klen) || !td_cur_get_bytes(j->c, &epki, klen)) {
        return fail(j, "private key length");
    }
    if (!td_cur_get_u32(j->c, &ncerts) || ncerts > JKS_MAX_CHAIN) {
        return fail(j, "chain length");
    }
    int g = td_set_group(s, origin, true);
    for (uint32_t k = 0; k < ncerts; k++) {
        char o2[340];
        snprintf(o2, sizeof o2, "%s#%u", origin, k + 1);
        if (!read_cert(j, g, o2, false)) {
            return false;
        }
    }
    bool other = false;
    EVP_PKEY *key = s->npw ? jks_key(&epki, s, &other) : NULL;
    if (key) {
        td_set_add_key(s, key, g, origin);
    } else {
        (*keys_missing)++;
        if (other && s->npw) {
            td_set_note(s, "%s: private key protected by an algorithm tlsdiag does not read (JCEKS)", origin);
        }
    }
    return true;
}

bool td_jks_load(struct td_certset *s, const uint8_t *p, size_t len, const char *path, char *err, size_t err_len)
{
    struct td_cur c;
    td_cur_init(&c, p, len);
    struct jks_ctx j = {s, path, 0, err, err_len, &c};
    uint32_t magic, count;
    if (!td_cur_get_u32(&c, &magic) || !td_cur_get_u32(&c, &j.version) || !td_cur_get_u32(&c, &count)) {
        return fail(&j, "header");
    }
    bool jceks = magic == 0xCECECECEu;
    if (j.version != 1 && j.version != 2) {
        return fail(&j, "unknown version");
    }
    if (count > JKS_MAX_ENTRIES) {
        return fail(&j, "entry count");
    }
    size_t first = s->n, keys_missing = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t tag;
        char alias[256], origin[320];
        uint64_t date_hi;
        uint32_t d1, d2;
        if (!td_cur_get_u32(&c, &tag)) {
            return fail(&j, "entry tag");
        }
        if (!read_utf(&c, alias, sizeof alias) || !td_cur_get_u32(&c, &d1) || !td_cur_get_u32(&c, &d2)) {
            return fail(&j, "entry alias or date");
        }
        date_hi = d1;
        (void)date_hi;
        (void)d2;
        snprintf(origin, sizeof origin, "%s:%s", base_name(path), alias);
        if (tag == 1) {
            if (!read_key_entry(&j, origin, &keys_missing)) {
                return false;
            }
        } else if (tag == 2) {
            int g = td_set_group(s, origin, false);
            if (!read_cert(&j, g, origin, true)) {
                return false;
            }
        } else if (tag == 3 && jceks) {
            snprintf(err, err_len,
                     "%s: JCEKS secret-key entry '%s' (a Java serialized object) cannot be read; "
                     "export the certificates with keytool -exportcert",
                     path, alias);
            return false;
        } else {
            return fail(&j, "unknown entry tag");
        }
    }
    size_t body = td_cur_offset(&c);
    struct td_cur digest;
    if (!td_cur_get_bytes(&c, &digest, 20)) {
        return fail(&j, "integrity digest");
    }
    if (s->npw) {
        bool ok = false;
        for (size_t i = 0; i < s->npw && !ok; i++) {
            ok = integrity_ok(p, body, td_cur_data(&digest), s->passwords[i]);
        }
        if (!ok) {
            snprintf(err, err_len,
                     "%s: keystore integrity check failed: the password is wrong, or the keystore was altered", path);
            return false;
        }
    } else if (keys_missing) {
        td_set_note(s, "%s: %zu private key(s) not read (give the password with --password-file to check them)", path,
                    keys_missing);
    }
    if (keys_missing && s->npw) {
        td_set_note(s, "%s: %zu private key(s) not decrypted with the password given (a different key password?)", path,
                    keys_missing);
    }
    (void)first;
    return true;
}
