/* The lab: a scenario is a row of the table in scenarios.c (server settings, up to
 * three client connections). run_tls() drives a real OpenSSL client and a
 * real OpenSSL server through memory BIOs; every flight each one writes goes
 * through the TCP simulator into the capture, and into the other's input. */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "lab/hooks.h"
#include "lab/internal.h"
#include "lab/tcpsim.h"

#include "base/banned.h"

struct td_lab {
    struct td_lab_pki pki;
    int64_t t0;
};

struct td_lab *td_lab_new(int64_t t0, char *err, size_t err_len)
{
    struct td_lab *lab = td_calloc(1, sizeof *lab);
    lab->t0 = t0;
    if (!td_lab_pki_make(&lab->pki, t0)) {
        snprintf(err, err_len, "could not make the lab's certificates (OpenSSL)");
        td_lab_pki_free(&lab->pki);
        free(lab);
        return NULL;
    }
    return lab;
}

void td_lab_free(struct td_lab *lab)
{
    if (lab) {
        td_lab_pki_free(&lab->pki);
        free(lab);
    }
}

/* ---- the two peers --------------------------------------------------------- */

struct peer {
    SSL *ssl;
    BIO *in, *out;
    int dir;
    bool client, done, failed, sent, got, closed;
    bool strip_reneg;         /* the next flight's ServerHello loses renegotiation_info */
    bool flip_ske;            /* the next flight's ServerKeyExchange has a bad signature */
    bool corrupt;             /* its first flight after the handshake reaches the peer altered */
    int flights, lose_flight; /* flights written; the one lost on the path (0: none) */
    bool lost;
};

static void keylog_cb(const SSL *s, const char *line)
{
    struct td_buf *b = SSL_get_app_data(s);
    if (b) {
        td_buf_puts(b, line);
        td_buf_putc(b, '\n');
    }
}

static bool versions(SSL_CTX *ctx, int min, int max)
{
    return (!min || SSL_CTX_set_min_proto_version(ctx, min)) && (!max || SSL_CTX_set_max_proto_version(ctx, max));
}

static X509 *chain_ca(const struct td_lab *lab, enum td_lab_cert c)
{
    if (c == LC_INSPECTED) {
        return lab->pki.zinter;
    }
    return c == LC_OTHER_CA || c == LC_CLIENT_OTHER ? lab->pki.ointer : lab->pki.inter;
}

static SSL_CTX *server_ctx(const struct td_lab *lab, const struct srv_cfg *s)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    enum td_lab_cert c = s->cert ? s->cert : LC_GOOD;
    bool ok = ctx && versions(ctx, s->min, s->max);
    ok = ok && SSL_CTX_use_certificate(ctx, lab->pki.cert[c]) && SSL_CTX_use_PrivateKey(ctx, lab->pki.key[c]);
    if (ok && c != LC_SELF && s->chain == CHAIN_FULL) {
        ok = SSL_CTX_add1_chain_cert(ctx, chain_ca(lab, c));
    } else if (ok && s->chain == CHAIN_WRONG_ORDER) {
        ok = SSL_CTX_add1_chain_cert(ctx, lab->pki.root) && SSL_CTX_add1_chain_cert(ctx, lab->pki.inter);
    }
    ok = ok && (!s->ciphers || SSL_CTX_set_cipher_list(ctx, s->ciphers));
    ok = ok && (!s->suites || SSL_CTX_set_ciphersuites(ctx, s->suites));
    ok = ok && (!s->groups || SSL_CTX_set1_groups_list(ctx, s->groups));
    if (ok && s->need_sni) {
        SSL_CTX_set_tlsext_servername_callback(ctx, td_lab_need_sni_cb);
    }
    if (ok && s->only_name) {
        SSL_CTX_set_tlsext_servername_callback(ctx, td_lab_only_name_cb);
    }
    if (ok && s->psk) {
        SSL_CTX_set_psk_server_callback(ctx, td_lab_psk_server_cb);
    }
    if (ok && s->need_ems) {
        SSL_CTX_set_client_hello_cb(ctx, td_lab_need_ems_cb, NULL);
    }
    if (ok && s->alpn) {
        SSL_CTX_set_alpn_select_cb(ctx, td_lab_alpn_select_cb, (void *)s->alpn);
    }
    if (ok && s->client_auth) {
        X509_STORE *st = SSL_CTX_get_cert_store(ctx);
        ok = X509_STORE_add_cert(st, lab->pki.root) && SSL_CTX_add_client_CA(ctx, lab->pki.root);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (s->client_auth_optional ? 0 : SSL_VERIFY_FAIL_IF_NO_PEER_CERT),
                           NULL);
    }
    /* Judge certificates at the capture's time, not the machine's. */
    X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(ctx), (time_t)lab->t0);
    SSL_CTX_set_num_tickets(ctx, 0);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static SSL_CTX *client_ctx(const struct td_lab *lab, const struct cli_cfg *c)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    bool ok = ctx && versions(ctx, c->min, c->max);
    ok = ok && X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), lab->pki.root);
    ok = ok && (!c->ciphers || SSL_CTX_set_cipher_list(ctx, c->ciphers));
    ok = ok && (!c->suites || SSL_CTX_set_ciphersuites(ctx, c->suites));
    ok = ok && (!c->groups || SSL_CTX_set1_groups_list(ctx, c->groups));
    ok = ok && (!c->sigalgs || SSL_CTX_set1_sigalgs_list(ctx, c->sigalgs));
    ok = ok && (!c->grow || td_lab_client_grow(ctx, c->grow));
    if (ok && c->cert) {
        ok = SSL_CTX_use_certificate(ctx, lab->pki.cert[c->cert]) &&
             SSL_CTX_use_PrivateKey(ctx, lab->pki.key[c->cert]) && SSL_CTX_add1_chain_cert(ctx, chain_ca(lab, c->cert));
    }
    if (c->psk) {
        SSL_CTX_set_psk_client_callback(ctx, c->psk == 1 ? td_lab_psk_good_cb : td_lab_psk_wrong_cb);
    }
    if (c->no_ems) {
        SSL_CTX_set_options(ctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(ctx), (time_t)lab->t0);
    SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static bool peer_init(struct peer *p, SSL_CTX *ctx, bool client)
{
    td_memzero(p, sizeof *p);
    p->ssl = SSL_new(ctx);
    p->in = BIO_new(BIO_s_mem());
    p->out = BIO_new(BIO_s_mem());
    if (!p->ssl || !p->in || !p->out) {
        return false;
    }
    BIO_set_mem_eof_return(p->in, -1);
    SSL_set_bio(p->ssl, p->in, p->out);
    p->client = client;
    p->dir = client ? TD_SIM_C2S : TD_SIM_S2C;
    if (client) {
        SSL_set_connect_state(p->ssl);
    } else {
        SSL_set_accept_state(p->ssl);
    }
    return true;
}

/* What from has written goes on the wire as one flight, and to the peer. */
static size_t pump(struct td_tcpsim *sim, struct peer *from, struct peer *to, bool lose_rest)
{
    struct td_buf flight = {0};
    uint8_t buf[16384];
    int n;
    while ((n = BIO_read(from->out, buf, sizeof buf)) > 0) {
        td_buf_append(&flight, buf, (size_t)n);
    }
    struct td_buf old = {0};
    if (from->strip_reneg && td_lab_strip_reneg(flight.data, flight.len, &old)) {
        struct td_buf t = flight; /* the flight as the pre-RFC 5746 server would have sent it */
        flight = old;
        old = t;
        from->strip_reneg = false;
    }
    td_buf_free(&old);
    if (from->flip_ske && td_lab_flip_ske(flight.data, flight.len)) {
        from->flip_ske = false;
    }
    size_t len = flight.len;
    if (len && ++from->flights == from->lose_flight) {
        td_tcpsim_data_unacked(sim, from->dir, flight.data, len); /* the peer never gets it */
        from->lost = true;
        td_buf_free(&flight);
        return 0;
    }
    if (len) {
        if (lose_rest) {
            td_tcpsim_data_lost(sim, from->dir, flight.data, len);
        } else {
            td_tcpsim_data(sim, from->dir, flight.data, len);
        }
        if (from->corrupt && from->done) {
            flight.data[len - 1] ^= 0x01; /* the capture has it as sent; the peer gets it altered */
            from->corrupt = false;
        }
        if (to && to->ssl) {
            BIO_write(to->in, flight.data, (int)len);
        }
    }
    td_buf_free(&flight);
    return len;
}

static const char request[] = "GET / HTTP/1.1\r\nHost: server.lab.test\r\nUser-Agent: tlsdiag-lab\r\n\r\n";
static const char response[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

/* One move of a peer; true when its state changed. */
static bool step(struct peer *p)
{
    if (p->failed || p->closed) {
        return false;
    }
    if (!p->done) {
        int r = SSL_do_handshake(p->ssl);
        if (r == 1) {
            p->done = true;
            return true;
        }
        int e = SSL_get_error(p->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            return false;
        }
        p->failed = true;
        return true;
    }
    if (p->client && !p->sent) {
        SSL_write(p->ssl, request, (int)(sizeof request - 1));
        p->sent = true;
        return true;
    }
    char buf[4096];
    int r = SSL_read(p->ssl, buf, sizeof buf);
    if (r > 0) {
        p->got = true;
        if (!p->client && !p->sent) {
            SSL_write(p->ssl, response, (int)(sizeof response - 1));
            p->sent = true;
        }
        return true;
    }
    int e = SSL_get_error(p->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        return false;
    }
    if (e == SSL_ERROR_ZERO_RETURN) {
        p->closed = true;
        return true;
    }
    p->failed = true;
    return true;
}

/* What the scenario makes the path (or a broken peer) do to the flights. */
static void path_faults(struct peer *c, struct peer *s, const struct scenario *sc, const struct cli_cfg *cc)
{
    s->strip_reneg = sc->srv.no_reneg;
    s->flip_ske = sc->srv.bad_ske;
    c->corrupt = cc->corrupt;
    c->lose_flight = cc->lose_flight;
}

/* One TLS connection of a scenario on an opened TCP connection. Returns false
 * on a set-up error; *failed says whether the handshake (or what followed)
 * failed. */
static bool run_tls(const struct td_lab *lab, const struct scenario *sc, const struct cli_cfg *cc,
                    struct td_tcpsim *sim, struct td_buf *keylog, bool *failed, char *err, size_t err_len)
{
    SSL_CTX *sctx = sc->srv.mode == SM_TLS ? server_ctx(lab, &sc->srv) : NULL;
    SSL_CTX *cctx = client_ctx(lab, cc);
    struct peer c, s;
    td_memzero(&s, sizeof s);
    bool ok = cctx && (sc->srv.mode != SM_TLS || sctx) && peer_init(&c, cctx, true) &&
              (!sctx || peer_init(&s, sctx, false));
    if (!ok) {
        snprintf(err, err_len, "%s: OpenSSL set-up failed: %s", sc->info.name,
                 ERR_reason_error_string(ERR_get_error()));
        goto out;
    }
    s.dir = TD_SIM_S2C;
    path_faults(&c, &s, sc, cc);
    SSL_set_app_data(c.ssl, keylog);
    if (cc->sni) {
        SSL_set_tlsext_host_name(c.ssl, cc->sni);
    }
    if (cc->host) {
        SSL_set1_host(c.ssl, cc->host);
    }
    if (cc->fallback_scsv) {
        SSL_set_mode(c.ssl, SSL_MODE_SEND_FALLBACK_SCSV);
    }
    if (cc->alpn && !td_lab_client_alpn(c.ssl, cc->alpn)) {
        snprintf(err, err_len, "%s: cannot set ALPN", sc->info.name);
        ok = false;
        goto out;
    }
    int first_fail = -1;
    if (cc->plain_http) {
        td_tcpsim_data(sim, TD_SIM_C2S, (const uint8_t *)request, sizeof request - 1);
        BIO_write(s.in, request, (int)(sizeof request - 1));
        step(&s);
        pump(sim, &s, NULL, false);
        td_tcpsim_close(sim, TD_SIM_S2C);
        *failed = true;
        goto out;
    }
    if (sc->srv.mode != SM_TLS) {
        step(&c);
        pump(sim, &c, NULL, sc->srv.mode == SM_DROP_SECOND);
        if (sc->srv.mode == SM_RESET) {
            td_tcpsim_rst(sim, TD_SIM_S2C);
        } else {
            td_tcpsim_wait(sim, 10000000000LL); /* the client gives up after 10 s */
            td_tcpsim_fin(sim, TD_SIM_C2S);
        }
        *failed = true;
        goto out;
    }
    for (int round = 0; round < 64; round++) {
        bool moved = step(&c);
        if (c.failed && first_fail < 0) {
            first_fail = TD_SIM_C2S;
        }
        moved |= pump(sim, &c, &s, false) > 0;
        moved |= step(&s);
        if (s.failed && first_fail < 0) {
            first_fail = TD_SIM_S2C;
        }
        moved |= pump(sim, &s, &c, false) > 0;
        if (!moved) {
            break;
        }
    }
    *failed = first_fail >= 0 || !c.done || !s.done;
    if (c.lost) {
        td_tcpsim_wait(sim, 10000000000LL); /* the client gives up after 10 s; the server still waits */
        td_tcpsim_fin(sim, TD_SIM_C2S);
    } else if (*failed) {
        td_tcpsim_close(sim, first_fail >= 0 ? first_fail : TD_SIM_C2S);
    } else {
        SSL_shutdown(c.ssl);
        pump(sim, &c, &s, false);
        step(&s);
        SSL_shutdown(s.ssl);
        pump(sim, &s, &c, false);
        td_tcpsim_close(sim, TD_SIM_C2S);
    }
out:
    if (c.ssl) {
        SSL_free(c.ssl);
    }
    if (s.ssl) {
        SSL_free(s.ssl);
    }
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    ERR_clear_error();
    return ok;
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static const char gw_request[] = "GET /v1/orders HTTP/1.1\r\nHost: api.lab.test\r\nUser-Agent: curl/7.88.1\r\n\r\n";
static const char gw_503[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 149\r\n"
    "Connection: close\r\n\r\n"
    "{\"fault\":{\"faultstring\":\"The Service is temporarily unavailable\",\"detail\":"
    "{\"errorcode\":\"messaging.adaptors.http.flow.ServiceUnavailable\",\"reason\":\"TARGET_CONNECT\"}}}";
static const char gw_200[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

bool td_lab_write(struct td_lab *lab, size_t i, const char *path, const char *keylog_path, char *err, size_t err_len)
{
    if (i >= td_lab_table_len) {
        snprintf(err, err_len, "no scenario %zu", i);
        return false;
    }
    const struct scenario *sc = &td_lab_table[i];
    if (sc->srv.cert == LC_INSPECTED && !td_lab_pki_inspected(&lab->pki, lab->t0)) {
        snprintf(err, err_len, "%s: could not make the inspection proxy's certificates (OpenSSL)", sc->info.name);
        return false;
    }
    if (sc->srv.cert == LC_RSA && !td_lab_pki_rsa(&lab->pki, lab->t0)) {
        snprintf(err, err_len, "%s: could not make the RSA certificate (OpenSSL)", sc->info.name);
        return false;
    }
    struct td_pcapw *w = td_pcapw_open(path, err, err_len);
    if (!w) {
        return false;
    }
    struct td_buf keylog = {0};
    int64_t t_ns = lab->t0 * 1000000000LL;
    bool ok = true, any_failed = false;
    uint32_t client_ip = IP(192, 0, 2, 10), server_ip = IP(198, 51, 100, 20), gw_ip = IP(203, 0, 113, 5);
    struct td_tcpsim north;
    if (sc->info.gateway) {
        td_tcpsim_init(&north, w, t_ns, client_ip, 41000, gw_ip, 80);
        td_tcpsim_open(&north);
        td_tcpsim_data(&north, TD_SIM_C2S, (const uint8_t *)gw_request, sizeof gw_request - 1);
        t_ns = north.t_ns + 2000000;
    }
    for (size_t k = 0; k < 3 && ok && sc->cli[k].used; k++) {
        struct td_tcpsim sim;
        td_tcpsim_init(&sim, w, t_ns, sc->info.gateway ? gw_ip : client_ip, (uint16_t)(50000 + 17 * k), server_ip, 443);
        td_tcpsim_open(&sim);
        bool failed = false;
        ok = run_tls(lab, sc, &sc->cli[k], &sim, &keylog, &failed, err, err_len);
        any_failed |= failed;
        t_ns = sim.t_ns + 500000000LL; /* the next connection half a second later */
    }
    if (ok && sc->info.gateway) {
        north.t_ns = t_ns;
        const char *r = any_failed ? gw_503 : gw_200;
        td_tcpsim_data(&north, TD_SIM_S2C, (const uint8_t *)r, strlen(r));
        td_tcpsim_close(&north, TD_SIM_S2C);
    }
    char e2[200];
    if (!td_pcapw_close(w, e2, sizeof e2) && ok) {
        snprintf(err, err_len, "%s: %s", path, e2);
        ok = false;
    }
    if (ok && keylog_path && keylog.len) {
        FILE *f = fopen(keylog_path, "w");
        if (!f || fwrite(keylog.data, 1, keylog.len, f) != keylog.len) {
            snprintf(err, err_len, "%s: cannot write the key log", keylog_path);
            ok = false;
        }
        if (f) {
            fclose(f);
        }
    }
    td_buf_free(&keylog);
    return ok;
}
