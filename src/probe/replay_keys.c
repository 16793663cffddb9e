/* Fresh randoms and key shares for the replayed ClientHello (libcrypto): the
 * server must see a new key exchange for each group the client offered, as
 * a client would have generated it. The private halves are thrown away at
 * once: the replay never completes a handshake. */
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "probe/replay_internal.h"
#include "tls/names.h"

#include "base/banned.h"

void td_replay_random(uint8_t *p, size_t n)
{
    if (RAND_bytes(p, (int)n) != 1) {
        td_memzero(p, n); /* still a valid hello; a server cannot tell */
    }
}

/* X25519 and X448 (RFC 8446 4.2.8.2): the raw public key. */
static size_t raw_share(const char *alg, uint8_t *out, size_t max)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, alg);
    size_t n = max;
    if (!k || EVP_PKEY_get_raw_public_key(k, out, &n) != 1) {
        n = 0;
    }
    EVP_PKEY_free(k);
    return n;
}

/* The NIST curves (RFC 8446 4.2.8.2): the uncompressed point. */
static size_t ec_share(const char *curve, uint8_t *out, size_t max)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
    unsigned char *pub = NULL;
    size_t n = k ? EVP_PKEY_get1_encoded_public_key(k, &pub) : 0;
    if (n > max) {
        n = 0;
    }
    if (n) {
        td_memcopy(out, pub, n);
    }
    OPENSSL_free(pub);
    EVP_PKEY_free(k);
    return n;
}

size_t td_replay_key_share(uint16_t group, uint8_t *out, size_t max)
{
    switch (group) {
    case TD_GROUP_X25519:
        return raw_share("X25519", out, max);
    case TD_GROUP_X448:
        return raw_share("X448", out, max);
    case TD_GROUP_SECP256R1:
        return ec_share("P-256", out, max);
    case TD_GROUP_SECP384R1:
        return ec_share("P-384", out, max);
    case TD_GROUP_SECP521R1:
        return ec_share("P-521", out, max);
    default:
        return 0; /* ML-KEM hybrids, FFDHE: dropped, and said so */
    }
}
