/* tlsdiag probe, one real libssl handshake (on a socket from td_probe_dial:
 * through --proxy, after STARTTLS), configured by a td_probe_hs_req: what the
 * chain, client authentication and the extra checks need. After it, an HTTP
 * request when asked, whose status line (and nginx's <title>) is read with
 * the cursor: nginx asks for client certificates and refuses their absence
 * only in HTTP (400 "No required SSL certificate was sent"). */
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/cursor.h"
#include "base/mem.h"
#include "probe/internal.h"

#include "base/banned.h"

/* TLS 1.3 servers refuse a client certificate (or its absence) after the
 * handshake: how long their alert (or the HTTP answer) is waited for. */
#define AFTER_HANDSHAKE_WAIT_US 500000
/* Bytes of the HTTP answer read, at most: the status line and nginx's title. */
#define HTTP_READ_MAX 4096

struct ssl_seen {
    bool requested;
    char alert[64]; /* the last alert received */
};

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
    (void)x509, (void)pkey;
    struct ssl_seen *s = SSL_get_app_data(ssl);
    s->requested = true;
    return 0; /* no certificate */
}

static void info_cb(const SSL *ssl, int where, int ret)
{
    struct ssl_seen *s = SSL_get_app_data(ssl);
    /* close_notify (0) ends a refusal sent in HTTP: not the reason itself */
    if ((where & SSL_CB_READ_ALERT) && s && (ret & 0xff) != 0) {
        td_strcopy(s->alert, sizeof s->alert, SSL_alert_desc_string_long(ret));
    }
}

/* With a certificate, libssl calls no callback: whether it was asked for is
 * seen from the message callback (a CertificateRequest received). */
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg)
{
    (void)version, (void)arg;
    struct td_cur c;
    uint8_t type;
    td_cur_init(&c, buf, len);
    struct ssl_seen *s = SSL_get_app_data(ssl);
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && td_cur_get_u8(&c, &type) && type == 13 && s) {
        s->requested = true; /* RFC 8446 4.3.2 / RFC 5246 7.4.4: certificate_request(13) */
    }
}

static SSL_CTX *client_ctx(const struct td_probe_opts *o, const struct td_probe_hs_req *q)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        return NULL;
    }
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, q->kx_only ? "kECDHE:kDHE:@SECLEVEL=0" : "ALL:@SECLEVEL=0");
    SSL_CTX_set_min_proto_version(ctx, q->min_version ? q->min_version : TLS1_VERSION);
    if (q->max_version) {
        SSL_CTX_set_max_proto_version(ctx, q->max_version);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_info_callback(ctx, info_cb);
    SSL_CTX_set_msg_callback(ctx, msg_cb);
    /* a server without RFC 5746 is a finding (no_secure_renegotiation), not a
     * reason to see nothing else of it; padding (RFC 7685) keeps the hello out
     * of the 256-511 bytes F5 BIG-IP hangs on, as the probe's own hellos */
    SSL_CTX_set_options(ctx,
                        SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_TLSEXT_PADDING | (q->no_ticket ? SSL_OP_NO_TICKET : 0));
    if (q->sigalgs && SSL_CTX_set1_sigalgs_list(ctx, q->sigalgs) != 1) {
        SSL_CTX_free(ctx);
        return NULL; /* not one this libssl knows */
    }
    if (q->with_cert && o->cert_path && o->key_path) {
        if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_path) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, o->key_path, SSL_FILETYPE_PEM) != 1) {
            SSL_CTX_free(ctx);
            return NULL;
        }
    } else {
        SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
    }
    return ctx;
}

/* "HTTP/1.1 400 Bad Request" ... "<title>400 No required SSL certificate was sent</title>". */
static void parse_http(const uint8_t *data, size_t len, struct td_probe_hs *h)
{
    struct td_cur c, ver;
    td_cur_init(&c, data, len);
    uint8_t d[3], sp;
    if (!td_cur_get_bytes(&c, &ver, 5) || !td_mem_eq(td_cur_data(&ver), "HTTP/", 5) || !td_cur_skip(&c, 3) ||
        !td_cur_get_u8(&c, &sp) || sp != ' ' || !td_cur_copy(&c, d, 3)) {
        return;
    }
    for (int i = 0; i < 3; i++) {
        if (d[i] < '0' || d[i] > '9') {
            return;
        }
    }
    h->http_status = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
    size_t k = 0;
    uint8_t ch;
    td_cur_skip(&c, 1);
    while (td_cur_get_u8(&c, &ch) && ch != '\r' && ch != '\n' && k + 1 < sizeof h->http_reason) {
        h->http_reason[k++] = (ch < 0x20 || ch > 0x7e) ? '.' : (char)ch;
    }
    h->http_reason[k] = '\0';
    /* nginx: the body's <title> names the client-certificate refusal */
    static const char tag_open[] = "<title>", tag_close[] = "</title>";
    size_t from = 0, to = 0;
    for (size_t i = 0; i + sizeof tag_open - 1 <= len && !from; i++) {
        from = td_mem_eq(&data[i], tag_open, sizeof tag_open - 1) ? i + sizeof tag_open - 1 : 0;
    }
    for (size_t i = from; from && i + sizeof tag_close - 1 <= len && !to; i++) {
        to = td_mem_eq(&data[i], tag_close, sizeof tag_close - 1) ? i : 0;
    }
    if (to > from + 4 && data[from + 3] == ' ' && td_mem_eq(&data[from], d, 3)) {
        from += 4; /* "<title>400 No required...": the status again */
    }
    if (to > from) {
        k = 0;
        for (size_t i = from; i < to && k + 1 < sizeof h->http_reason; i++) {
            h->http_reason[k++] = (data[i] < 0x20 || data[i] > 0x7e) ? '.' : (char)data[i];
        }
        h->http_reason[k] = '\0';
    }
}

/* After the handshake: an HTTP request (when asked), then one read, waited for
 * AFTER_HANDSHAKE_WAIT_US: the answer, or the alert of a server that refuses
 * the client's certificate (or its absence) after a TLS 1.3 handshake. */
static void after_handshake(struct td_probe_ctx *p, SSL *ssl, int fd, const struct td_probe_hs_req *q,
                            struct td_probe_hs *h)
{
    struct timeval tv2 = {0, AFTER_HANDSHAKE_WAIT_US};
    if (q->http) {
        tv2.tv_sec = p->o->timeout_ms / 1000;
        tv2.tv_usec = (p->o->timeout_ms % 1000) * 1000;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv2, sizeof tv2);
    char req[400];
    /* GET, not HEAD: an answer to HEAD has no body, and nginx names the
     * client-certificate refusal only in the body's title. */
    int n = snprintf(req, sizeof req, "%s / HTTP/1.%s\r\nHost: %s\r\nConnection: close\r\n\r\n",
                     q->http ? "GET" : "HEAD", q->http ? "1" : "0", p->sni ? p->sni : p->r->host);
    if (!q->read_after) {
        SSL_write(ssl, req, n);
    }
    uint8_t buf[HTTP_READ_MAX];
    size_t got = 0;
    while (got < sizeof buf) {
        int r = SSL_read(ssl, buf + got, (int)(sizeof buf - got));
        if (r <= 0) {
            h->failed_after = got == 0 && SSL_get_error(ssl, r) == SSL_ERROR_SSL;
            break;
        }
        got += (size_t)r;
        if (!q->http) {
            break;
        }
    }
    if (q->http) {
        parse_http(buf, got, h);
    }
}

void td_probe_handshake(struct td_probe_ctx *p, const struct td_probe_hs_req *q, struct td_probe_hs *h)
{
    td_memzero(h, sizeof *h);
    SSL_CTX *ctx = client_ctx(p->o, q);
    if (!ctx) {
        h->unusable = true;
        return;
    }
    int fd = td_probe_dial(p);
    if (fd < 0) {
        SSL_CTX_free(ctx);
        return;
    }
    h->connected = true;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    struct timeval tv = {p->o->timeout_ms / 1000, (p->o->timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct ssl_seen seen;
    td_memzero(&seen, sizeof seen);
    SSL *ssl = SSL_new(ctx);
    SSL_set_app_data(ssl, &seen);
    SSL_set_fd(ssl, fd);
    if (q->sni) {
        SSL_set_tlsext_host_name(ssl, q->sni);
    }
    if (q->alpn_len) {
        SSL_set_alpn_protos(ssl, q->alpn, (unsigned)q->alpn_len);
    }
    if (q->status_request) {
        SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
    }
    if (q->resume) {
        SSL_set_session(ssl, q->resume);
    }
    if (SSL_connect(ssl) == 1) {
        h->version = SSL_version(ssl);
        h->reused = SSL_session_reused(ssl) == 1;
        const unsigned char *sel = NULL;
        unsigned sel_len = 0;
        SSL_get0_alpn_selected(ssl, &sel, &sel_len);
        snprintf(h->alpn, sizeof h->alpn, "%.*s", (int)sel_len, sel ? (const char *)sel : "");
        if (q->http || seen.requested || q->with_cert || q->read_after) {
            after_handshake(p, ssl, fd, q, h);
        }
        if (q->want_session) {
            h->session = SSL_get1_session(ssl);
        }
        h->ok = !h->failed_after;
    }
    /* the chain and the CertificateRequest's names, also when the handshake
     * then failed (a TLS 1.2 server refusing the absence of a client certificate) */
    if (q->chain || q->leaf_sha) {
        td_probe_take_chain(ssl, q->chain, q->leaf_sha);
    }
    const unsigned char *ocsp = NULL;
    h->ocsp = q->status_request && SSL_get_tlsext_status_ocsp_resp(ssl, &ocsp) > 0 && ocsp;
    STACK_OF(X509_NAME) *cas = SSL_get_client_CA_list(ssl);
    h->ca_names = cas ? (size_t)sk_X509_NAME_num(cas) : 0;
    for (int i = 0; q->ca_names && i < sk_X509_NAME_num(cas) && i < 4; i++) {
        X509_NAME_oneline(sk_X509_NAME_value(cas, i), q->ca_names[i], sizeof q->ca_names[0]);
    }
    if (h->ok) {
        SSL_shutdown(ssl); /* close_notify: servers drop sessions of connections closed without it */
    }
    h->requested = seen.requested;
    td_strcopy(h->alert, sizeof h->alert, seen.alert);
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    ERR_clear_error();
}
