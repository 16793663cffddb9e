/* Community ID v1 flow hashing (github.com/corelight/community-id-spec), so
 * that tlsdiag's records join with Zeek's, Suricata's and Arkime's: SHA-1 over
 * seed, the two addresses and ports with the smaller endpoint first, the
 * protocol and a zero byte, in base64 after "1:". */
#include <openssl/evp.h>
#include <stdio.h>

#include "base/mem.h"
#include "crypto/crypto.h"

#include "base/banned.h"

/* Is endpoint a before b: the smaller address, or the same address and the smaller port. */
static bool ordered(const struct td_addr *a, uint16_t a_port, const struct td_addr *b, uint16_t b_port)
{
    size_t n = a->family == 6 ? 16 : 4;
    for (size_t i = 0; i < n; i++) {
        if (a->a[i] != b->a[i]) {
            return a->a[i] < b->a[i];
        }
    }
    return a_port < b_port;
}

bool td_community_id(const struct td_addr *a, uint16_t a_port, const struct td_addr *b, uint16_t b_port, uint8_t proto,
                     uint16_t seed, char out[TD_COMMUNITY_ID_LEN])
{
    out[0] = '\0';
    if (a->family != b->family || (a->family != 4 && a->family != 6)) {
        return false;
    }
    if (!ordered(a, a_port, b, b_port)) {
        const struct td_addr *t = a;
        a = b;
        b = t;
        uint16_t p = a_port;
        a_port = b_port;
        b_port = p;
    }
    size_t n = a->family == 6 ? 16 : 4;
    uint8_t in[2 + 16 + 16 + 2 + 4];
    size_t len = 0;
    in[len++] = (uint8_t)(seed >> 8);
    in[len++] = (uint8_t)seed;
    td_memcopy(in + len, a->a, n);
    len += n;
    td_memcopy(in + len, b->a, n);
    len += n;
    in[len++] = proto;
    in[len++] = 0; /* padding */
    in[len++] = (uint8_t)(a_port >> 8);
    in[len++] = (uint8_t)a_port;
    in[len++] = (uint8_t)(b_port >> 8);
    in[len++] = (uint8_t)b_port;
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    if (EVP_Digest(in, len, md, &md_len, EVP_sha1(), NULL) != 1 || md_len != 20) {
        return false;
    }
    out[0] = '1';
    out[1] = ':';
    EVP_EncodeBlock((unsigned char *)out + 2, md, 20); /* 28 characters and a NUL */
    return true;
}
