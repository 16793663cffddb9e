/* tlsdiag probe, the real handshakes: libssl fetches the chain as sent (then
 * checked by tlsdiag cert's module against the name, the time and --ca or the
 * system store), tells whether a client certificate is requested, required or
 * optional, whether --cert is taken, and whether the certificate depends on SNI. */
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"
#include "cert/audit.h"
#include "probe/internal.h"

#include "base/banned.h"

/* TLS 1.3 servers refuse a client certificate (or its absence) after the
 * handshake: how long their alert is waited for. */
#define AFTER_HANDSHAKE_WAIT_US 500000

struct ssl_seen {
    bool requested;
};

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
    (void)x509, (void)pkey;
    struct ssl_seen *s = SSL_get_app_data(ssl);
    if (s) {
        s->requested = true;
    }
    return 0; /* no certificate */
}

/* What one handshake saw. */
struct hs_result {
    bool ok;           /* the handshake and a first read went through */
    bool requested;    /* a client certificate was asked for */
    bool failed_after; /* refused after the handshake (TLS 1.3) */
    size_t ca_names;
};

static SSL_CTX *client_ctx(const struct td_probe_opts *o, bool *with_cert)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        return NULL;
    }
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
    SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    *with_cert = o->cert_path && o->key_path;
    if (*with_cert) {
        if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_path) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, o->key_path, SSL_FILETYPE_PEM) != 1) {
            *with_cert = false;
        }
    } else {
        SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
    }
    return ctx;
}

/* The certificates as sent into chain (when not NULL), the leaf's SHA-256. */
static void take_chain(SSL *ssl, struct td_certset *chain, uint8_t leaf_sha[32])
{
    STACK_OF(X509) *sk = SSL_get_peer_cert_chain(ssl);
    int n = sk ? sk_X509_num(sk) : 0;
    struct td_der *der = td_calloc((size_t)n + 1, sizeof *der);
    for (int i = 0; i < n; i++) {
        X509 *x = sk_X509_value(sk, i);
        if (i == 0) {
            unsigned int l = 0;
            X509_digest(x, EVP_sha256(), leaf_sha, &l);
        }
        unsigned char *p = NULL;
        int len = i2d_X509(x, &p);
        der[i].p = p;
        der[i].len = len > 0 ? (size_t)len : 0;
    }
    if (chain) {
        td_certset_add_sent_chain(chain, "as sent", der, (size_t)n);
    }
    for (int i = 0; i < n; i++) {
        OPENSSL_free((void *)der[i].p);
    }
    free(der);
}

/* One real handshake (SNI sni, or none). */
static struct hs_result libssl_handshake(struct td_probe_ctx *p, const char *sni, struct td_certset *chain,
                                         uint8_t leaf_sha[32])
{
    struct hs_result res = {false};
    bool with_cert, timeout, refused;
    SSL_CTX *ctx = client_ctx(p->o, &with_cert);
    if (!ctx) {
        return res;
    }
    int fd = td_probe_dial(p, &timeout, &refused);
    if (fd < 0) {
        SSL_CTX_free(ctx);
        return res;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    struct timeval tv = {p->o->timeout_ms / 1000, (p->o->timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct ssl_seen seen = {false};
    SSL *ssl = SSL_new(ctx);
    SSL_set_app_data(ssl, &seen);
    SSL_set_fd(ssl, fd);
    if (sni) {
        SSL_set_tlsext_host_name(ssl, sni);
    }
    if (SSL_connect(ssl) == 1) {
        take_chain(ssl, chain, leaf_sha);
        STACK_OF(X509_NAME) *cas = SSL_get_client_CA_list(ssl);
        res.ca_names = cas ? (size_t)sk_X509_NAME_num(cas) : 0;
        /* TLS 1.3 servers refuse a client certificate (or its absence) only
         * after the handshake: their alert comes at once, or never. */
        if (seen.requested || with_cert) {
            struct timeval tv2 = {0, AFTER_HANDSHAKE_WAIT_US};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv2, sizeof tv2);
            static const char req[] = "HEAD / HTTP/1.0\r\n\r\n";
            char b[64];
            SSL_write(ssl, req, sizeof req - 1);
            int r = SSL_read(ssl, b, sizeof b);
            int e = r > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, r);
            res.failed_after = e == SSL_ERROR_SSL;
        }
        res.ok = !res.failed_after;
    }
    res.requested = seen.requested || (with_cert && SSL_get_client_CA_list(ssl) != NULL);
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return res;
}

void td_probe_chain(struct td_probe_ctx *p)
{
    struct td_probe_result *r = p->r;
    const struct td_probe_opts *o = p->o;
    uint8_t sha_sni[32] = {0}, sha_other[32] = {0};
    struct td_certset *chain = td_certset_new();
    struct hs_result hs = libssl_handshake(p, p->sni, chain, sha_sni);
    r->num_ca_names = hs.ca_names;
    if (td_certset_num_certs(chain) > 0) {
        struct td_audit_opts ao;
        td_memzero(&ao, sizeof ao);
        ao.host = o->sni ? o->sni : r->host;
        ao.at = (int64_t)time(NULL);
        ao.warn_days = 30;
        ao.ca = o->ca;
        ao.system_ca = o->ca == NULL;
        td_cert_audit(chain, &ao, &r->chain);
        r->have_chain = true;
    }
    td_certset_free(chain);
    if (hs.requested) {
        r->client_auth = hs.failed_after || !hs.ok ? "required" : "optional";
    }
    if (o->cert_path) {
        r->client_cert_tried = true;
        r->client_cert_accepted = hs.ok;
    }
    /* SNI and the certificate: the same handshake without SNI (and without --cert) */
    if (!r->sni_required && p->sni) {
        struct td_probe_opts o2 = *o;
        o2.cert_path = o2.key_path = NULL;
        p->o = &o2;
        libssl_handshake(p, NULL, NULL, sha_other);
        p->o = o;
        r->sni_selects_cert = !td_mem_eq(sha_sni, sha_other, 32);
    }
}
