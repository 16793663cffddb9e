#include "lab/hooks.h"

#include <string.h>

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
