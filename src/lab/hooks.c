#include "lab/hooks.h"

#include <string.h>

#include "base/builder.h"
#include "base/cursor.h"
#include "base/mem.h"

#include "base/banned.h"

#define LAB_NAME "server.lab.test"

int td_lab_need_sni_cb(SSL *s, int *alert, void *arg)
{
    (void)arg;
    if (!SSL_get_servername(s, TLSEXT_NAMETYPE_host_name)) {
        *alert = SSL_AD_UNRECOGNIZED_NAME; /* as nginx's ssl_reject_handshake */
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_OK;
}

int td_lab_only_name_cb(SSL *s, int *alert, void *arg)
{
    (void)arg;
    const char *n = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    if (n && strcmp(n, LAB_NAME) != 0) {
        *alert = SSL_AD_UNRECOGNIZED_NAME; /* as s_server -servername_fatal, nginx's ssl_reject_handshake */
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_OK;
}

int td_lab_need_ems_cb(SSL *s, int *alert, void *arg)
{
    (void)arg;
    const unsigned char *ext;
    size_t len;
    if (!SSL_client_hello_get0_ext(s, TLSEXT_TYPE_extended_master_secret, &ext, &len)) {
        *alert = SSL_AD_HANDSHAKE_FAILURE; /* as Java: "Extended Master Secret extension is required" */
        return SSL_CLIENT_HELLO_ERROR;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

/* A protocol list in ALPN's wire form (RFC 7301 3.1): length-prefixed names. */
static bool wire_one(const char *proto, unsigned char *wire, size_t cap, unsigned int *len)
{
    size_t n = strlen(proto);
    if (n == 0 || n + 1 > cap || n > 255) {
        return false;
    }
    wire[0] = (unsigned char)n;
    td_memcopy(wire + 1, proto, n);
    *len = (unsigned int)(n + 1);
    return true;
}

int td_lab_alpn_select_cb(SSL *s, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                          unsigned int inlen, void *arg)
{
    (void)s;
    unsigned char wire[64];
    unsigned int wl;
    unsigned char *sel = NULL;
    /* The client's list goes first: the selection points into the list given
     * first, and only in (libssl's) outlives this call. */
    if (!wire_one(arg, wire, sizeof wire, &wl) ||
        SSL_select_next_proto(&sel, outlen, in, inlen, wire, wl) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

bool td_lab_client_alpn(SSL *ssl, const char *proto)
{
    unsigned char wire[64];
    unsigned int wl;
    return wire_one(proto, wire, sizeof wire, &wl) && SSL_set_alpn_protos(ssl, wire, wl) == 0; /* 0: success */
}

static const unsigned char zeros[4096];

static int grow_add_cb(SSL *s, unsigned int ext_type, const unsigned char **out, size_t *outlen, int *al, void *arg)
{
    (void)s, (void)ext_type, (void)al;
    *out = zeros;
    *outlen = *(const size_t *)arg;
    return 1;
}

bool td_lab_client_grow(SSL_CTX *ctx, size_t n)
{
    static size_t len; /* the callback's argument outlives the call; every scenario passes the same table value */
    if (n > sizeof zeros) {
        return false;
    }
    len = n;
    return SSL_CTX_add_client_custom_ext(ctx, 0xea60, grow_add_cb, NULL, &len, NULL, NULL) == 1;
}

/* RFC 5246 7.4.1.3, the ServerHello up to its extensions:
 *   ProtocolVersion server_version; Random random; SessionID session_id<0..32>;
 *   CipherSuite cipher_suite; CompressionMethod compression_method;
 *   Extension extensions<0..2^16-1>; */
static bool sh_without_reneg(struct td_cur *sh, struct td_bld *b)
{
    struct td_cur head, sid, exts;
    uint16_t suite;
    uint8_t comp;
    if (!td_cur_get_bytes(sh, &head, 2 + 32) || !td_cur_get_u8_prefixed(sh, &sid) || !td_cur_get_u16(sh, &suite) ||
        !td_cur_get_u8(sh, &comp) || !td_cur_get_u16_prefixed(sh, &exts) || td_cur_len(sh) != 0) {
        return false;
    }
    td_bld_bytes(b, td_cur_data(&head), td_cur_len(&head));
    td_bld_open(b, 1);
    td_bld_bytes(b, td_cur_data(&sid), td_cur_len(&sid));
    td_bld_close(b);
    td_bld_u16(b, suite);
    td_bld_u8(b, comp);
    td_bld_open(b, 2);
    while (td_cur_len(&exts) > 0) {
        uint16_t type;
        struct td_cur body;
        if (!td_cur_get_u16(&exts, &type) || !td_cur_get_u16_prefixed(&exts, &body)) {
            return false;
        }
        if (type != 0xff01) { /* renegotiation_info (RFC 5746) */
            td_bld_u16(b, type);
            td_bld_open(b, 2);
            td_bld_bytes(b, td_cur_data(&body), td_cur_len(&body));
            td_bld_close(b);
        }
    }
    td_bld_close(b);
    return true;
}

bool td_lab_strip_reneg(const uint8_t *p, size_t len, struct td_buf *out)
{
    struct td_cur in, rec, msg;
    uint8_t type, hs;
    uint16_t version;
    td_cur_init(&in, p, len);
    /* the flight's first record, holding the ServerHello alone */
    if (!td_cur_get_u8(&in, &type) || type != 22 || !td_cur_get_u16(&in, &version) ||
        !td_cur_get_u16_prefixed(&in, &rec) || !td_cur_get_u8(&rec, &hs) || hs != 2 ||
        !td_cur_get_u24_prefixed(&rec, &msg) || td_cur_len(&rec) != 0) {
        return false;
    }
    struct td_bld b;
    td_bld_init(&b, out);
    td_bld_u8(&b, type);
    td_bld_u16(&b, version);
    td_bld_open(&b, 2);
    td_bld_u8(&b, hs);
    td_bld_open(&b, 3);
    bool ok = sh_without_reneg(&msg, &b);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_bytes(&b, td_cur_data(&in), td_cur_len(&in)); /* the rest of the flight as it was */
    return ok && td_bld_finish(&b);
}

bool td_lab_flip_ske(uint8_t *p, size_t len)
{
    struct td_cur in, rec, body;
    uint8_t type, hs;
    uint16_t version;
    td_cur_init(&in, p, len);
    while (td_cur_get_u8(&in, &type) && td_cur_get_u16(&in, &version) && td_cur_get_u16_prefixed(&in, &rec)) {
        while (type == 22 && td_cur_get_u8(&rec, &hs) && td_cur_get_u24_prefixed(&rec, &body)) {
            if (hs == 12 && td_cur_len(&body) > 0) { /* RFC 5246 7.4.3: the signature ends the message */
                p[(size_t)(td_cur_data(&body) - p) + td_cur_len(&body) - 1] ^= 0x01;
                return true;
            }
        }
    }
    return false;
}

static const unsigned char lab_psk[] = "lab-pre-shared-key-0123456789ab";
static const unsigned char other_psk[] = "another-pre-shared-key-01234567";

unsigned int td_lab_psk_server_cb(SSL *s, const char *identity, unsigned char *psk, unsigned int max_psk_len)
{
    (void)s;
    if (!identity || strcmp(identity, "lab") != 0 || max_psk_len < sizeof lab_psk - 1) {
        return 0;
    }
    td_memcopy(psk, lab_psk, sizeof lab_psk - 1);
    return sizeof lab_psk - 1;
}

static unsigned int client_psk(const unsigned char *key, char *identity, unsigned int max_identity_len,
                               unsigned char *psk, unsigned int max_psk_len)
{
    if (max_identity_len < 4 || max_psk_len < sizeof lab_psk - 1) {
        return 0;
    }
    td_memcopy(identity, "lab", 4);
    td_memcopy(psk, key, sizeof lab_psk - 1);
    return sizeof lab_psk - 1;
}

unsigned int td_lab_psk_good_cb(SSL *s, const char *hint, char *identity, unsigned int max_identity_len,
                                unsigned char *psk, unsigned int max_psk_len)
{
    (void)s, (void)hint;
    return client_psk(lab_psk, identity, max_identity_len, psk, max_psk_len);
}

unsigned int td_lab_psk_wrong_cb(SSL *s, const char *hint, char *identity, unsigned int max_identity_len,
                                 unsigned char *psk, unsigned int max_psk_len)
{
    (void)s, (void)hint;
    return client_psk(other_psk, identity, max_identity_len, psk, max_psk_len);
}
