/* Record protection for the decryption of captured TLS:
 *  - TLS 1.3 (RFC 8446 5.2-5.3, 7.3): key and iv = HKDF-Expand-Label(secret,
 *    "key"/"iv", "", len); nonce = iv XOR sequence number; AAD = the header.
 *  - TLS 1.2 (RFC 5246 6.3, RFC 5288, RFC 7905): key block = PRF(master,
 *    "key expansion", server_random + client_random); GCM nonce = 4-byte salt +
 *    8-byte explicit nonce; ChaCha20 nonce = iv XOR sequence number; AAD = seq,
 *    type, version, plaintext length. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "crypto/internal.h"

#include "base/banned.h"

#define TAG_LEN 16

struct td_aead {
    enum td_aead_alg alg;
    bool tls13;
    uint8_t key[32];
    size_t key_len;
    uint8_t iv[12]; /* TLS 1.3 and ChaCha20: the full iv; TLS 1.2 GCM: 4-byte salt */
    uint64_t seq;
    EVP_CIPHER_CTX *ctx;
};

static const EVP_CIPHER *cipher_of(enum td_aead_alg alg)
{
    switch (alg) {
    case TD_AEAD_AES128GCM:
        return EVP_aes_128_gcm();
    case TD_AEAD_AES256GCM:
        return EVP_aes_256_gcm();
    case TD_AEAD_CHACHA20:
        return EVP_chacha20_poly1305();
    default:
        return NULL;
    }
}

static size_t key_len_of(enum td_aead_alg alg) { return alg == TD_AEAD_AES128GCM ? 16 : 32; }

static const char *md_name(enum td_prf_hash h) { return h == TD_HASH_SHA384 ? "SHA384" : "SHA256"; }

/* RFC 8446 7.1: HKDF-Expand(secret, HkdfLabel, len). */
static bool expand_label(enum td_prf_hash h, const uint8_t *secret, size_t secret_len, const char *label, uint8_t *out,
                         size_t out_len)
{
    uint8_t info[2 + 1 + 255 + 1];
    size_t ll = 6 + strlen(label), n = 0;
    if (ll > 255) {
        return false;
    }
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)ll;
    td_memcopy(info + n, "tls13 ", 6);
    td_memcopy(info + n + 6, label, strlen(label));
    n += ll;
    info[n++] = 0; /* empty context */
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kc = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md_name(h), 0),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n),
        OSSL_PARAM_construct_end(),
    };
    bool ok = kc && EVP_KDF_derive(kc, out, out_len, params) > 0;
    EVP_KDF_CTX_free(kc);
    EVP_KDF_free(kdf);
    return ok;
}

/* RFC 5246 5: PRF(secret, label, seed) = P_<hash>(secret, label + seed). */
static bool prf12(enum td_prf_hash h, const uint8_t *secret, size_t secret_len, const char *label, const uint8_t *seed,
                  size_t seed_len, uint8_t *out, size_t out_len)
{
    uint8_t ls[128];
    size_t ll = strlen(label);
    if (ll + seed_len > sizeof ls) {
        return false;
    }
    td_memcopy(ls, label, ll);
    td_memcopy(ls + ll, seed, seed_len);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *kc = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md_name(h), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, ls, ll + seed_len),
        OSSL_PARAM_construct_end(),
    };
    bool ok = kc && EVP_KDF_derive(kc, out, out_len, params) > 0;
    EVP_KDF_CTX_free(kc);
    EVP_KDF_free(kdf);
    td_memzero(ls, sizeof ls);
    return ok;
}

static struct td_aead *new_aead(enum td_aead_alg alg, bool tls13)
{
    if (!cipher_of(alg)) {
        return NULL;
    }
    struct td_aead *a = td_calloc(1, sizeof *a);
    a->alg = alg;
    a->tls13 = tls13;
    a->key_len = key_len_of(alg);
    a->ctx = EVP_CIPHER_CTX_new();
    if (!a->ctx) {
        free(a);
        return NULL;
    }
    return a;
}

struct td_aead *td_aead_tls13(const struct td_keylog *k, const char *label, const uint8_t client_random[32],
                              enum td_aead_alg alg, enum td_prf_hash hash)
{
    const struct td_keylog_entry *e = td_keylog_find(k, label, client_random);
    if (!e) {
        return NULL;
    }
    struct td_aead *a = new_aead(alg, true);
    if (a && (!expand_label(hash, e->secret, e->secret_len, "key", a->key, a->key_len) ||
              !expand_label(hash, e->secret, e->secret_len, "iv", a->iv, 12))) {
        td_aead_free(a);
        return NULL;
    }
    return a;
}

struct td_aead *td_aead_tls12(const struct td_keylog *k, const uint8_t client_random[32],
                              const uint8_t server_random[32], enum td_aead_alg alg, enum td_prf_hash hash,
                              bool server_side)
{
    const struct td_keylog_entry *e = td_keylog_find(k, "CLIENT_RANDOM", client_random);
    if (!e) {
        return NULL;
    }
    struct td_aead *a = new_aead(alg, false);
    if (!a) {
        return NULL;
    }
    size_t iv_len = alg == TD_AEAD_CHACHA20 ? 12 : 4;
    uint8_t seed[64], block[2 * 32 + 2 * 12];
    td_memcopy(seed, server_random, 32);
    td_memcopy(seed + 32, client_random, 32);
    size_t need = 2 * a->key_len + 2 * iv_len;
    if (!prf12(hash, e->secret, e->secret_len, "key expansion", seed, 64, block, need)) {
        td_aead_free(a);
        return NULL;
    }
    /* AEAD suites have no MAC keys: client key, server key, client iv, server iv. */
    td_memcopy(a->key, block + (server_side ? a->key_len : 0), a->key_len);
    td_memcopy(a->iv, block + 2 * a->key_len + (server_side ? iv_len : 0), iv_len);
    td_memzero(block, sizeof block);
    return a;
}

bool td_aead_open(struct td_aead *a, const uint8_t hdr[5], uint8_t *body, size_t len, size_t *out_len)
{
    uint8_t nonce[12], aad[13];
    size_t aad_len;
    size_t ct_len;
    if (a->tls13 || a->alg == TD_AEAD_CHACHA20) {
        if (len < TAG_LEN) {
            return false;
        }
        td_memcopy(nonce, a->iv, 12);
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] ^= (uint8_t)(a->seq >> (56 - 8 * i));
        }
        ct_len = len - TAG_LEN;
    } else { /* TLS 1.2 GCM: explicit nonce first */
        if (len < 8 + TAG_LEN) {
            return false;
        }
        td_memcopy(nonce, a->iv, 4);
        td_memcopy(nonce + 4, body, 8);
        /* In-place decryption needs input and output to coincide exactly. */
        td_memmove(body, body + 8, len - 8);
        ct_len = len - 8 - TAG_LEN;
    }
    if (a->tls13) {
        td_memcopy(aad, hdr, 5);
        aad_len = 5;
    } else {
        for (int i = 0; i < 8; i++) {
            aad[i] = (uint8_t)(a->seq >> (56 - 8 * i));
        }
        aad[8] = hdr[0];
        aad[9] = hdr[1];
        aad[10] = hdr[2];
        aad[11] = (uint8_t)(ct_len >> 8);
        aad[12] = (uint8_t)ct_len;
        aad_len = 13;
    }
    a->seq++;
    EVP_CIPHER_CTX *c = a->ctx;
    int n = 0, fin = 0;
    bool ok = EVP_DecryptInit_ex(c, cipher_of(a->alg), NULL, NULL, NULL) &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) &&
              EVP_DecryptInit_ex(c, NULL, NULL, a->key, nonce) && EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_len) &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, body + ct_len);
    ok = ok && EVP_DecryptUpdate(c, body, &n, body, (int)ct_len);
    ok = ok && EVP_DecryptFinal_ex(c, body + n, &fin) > 0;
    *out_len = ok ? (size_t)n + (size_t)fin : 0;
    return ok;
}

void td_aead_free(struct td_aead *a)
{
    if (a) {
        EVP_CIPHER_CTX_free(a->ctx);
        td_memzero(a, sizeof *a);
        free(a);
    }
}
