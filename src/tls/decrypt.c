/* Decryption with a key log: the suite's AEAD and PRF hash, the keys of each
 * side (TLS 1.2 after ChangeCipherSpec, TLS 1.3 after ServerHello and again
 * after Finished), and a decrypted record's content sent where the same
 * content in clear would have gone. */
#include <string.h>

#include "base/mem.h"
#include "tls/internal.h"

#include "base/banned.h"

/* AEAD and PRF hash from the IANA name: TLS_AES_128_GCM_SHA256,
 * TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, ... */
static void suite_crypto(uint16_t suite, enum td_aead_alg *alg, enum td_prf_hash *hash)
{
    const char *n = td_suite_name(suite);
    *alg = TD_AEAD_NONE;
    *hash = TD_HASH_SHA256;
    if (!n) {
        return;
    }
    if (strstr(n, "_AES_128_GCM_")) {
        *alg = TD_AEAD_AES128GCM;
    } else if (strstr(n, "_AES_256_GCM_")) {
        *alg = TD_AEAD_AES256GCM;
    } else if (strstr(n, "_CHACHA20_POLY1305_")) {
        *alg = TD_AEAD_CHACHA20;
    }
    size_t l = strlen(n);
    if (l > 6 && strcmp(n + l - 6, "SHA384") == 0) {
        *hash = TD_HASH_SHA384;
    }
}

void td_conn_setup_keys(struct td_tls_conn *c)
{
    if (!c->keylog || !c->have_client_random) {
        return;
    }
    suite_crypto(c->suite, &c->dec_alg, &c->dec_hash);
    if (c->dec_alg == TD_AEAD_NONE) {
        c->keylog_status = "not decrypted: only AES-GCM and ChaCha20-Poly1305 suites are";
        return;
    }
    if (c->tls13) {
        c->dir[TD_SERVER].dec = td_aead_tls13(c->keylog, "SERVER_HANDSHAKE_TRAFFIC_SECRET", c->client_random,
                                              c->dec_alg, c->dec_hash);
        c->dir[TD_CLIENT].dec = td_aead_tls13(c->keylog, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", c->client_random,
                                              c->dec_alg, c->dec_hash);
        if (!c->dir[TD_SERVER].dec && !c->dir[TD_CLIENT].dec) {
            c->keylog_status = "no key for this session in the key log";
        }
    } else if (!td_keylog_has(c->keylog, "CLIENT_RANDOM", c->client_random)) {
        c->keylog_status = "no key for this session in the key log";
    }
    /* TLS 1.2 keys are made when each side sends ChangeCipherSpec. */
}

/* TLS 1.2: after ChangeCipherSpec from this side. */
void td_conn_keys_after_ccs(struct td_tls_conn *c, enum td_role from)
{
    struct td_tls_dir *d = &c->dir[from];
    if (!c->keylog || c->tls13 || d->dec || c->dec_alg == TD_AEAD_NONE || !c->have_client_random || !c->version) {
        return;
    }
    d->dec = td_aead_tls12(c->keylog, c->client_random, c->server_random, c->dec_alg, c->dec_hash, from == TD_SERVER);
}

/* TLS 1.3: once a side's Finished has been read, its records use the
 * application traffic keys (RFC 8446 7.1). */
static void keys_after_finished(struct td_tls_conn *c, enum td_role from)
{
    struct td_tls_dir *d = &c->dir[from];
    d->switch_keys = false;
    td_aead_free(d->dec);
    d->dec = td_aead_tls13(c->keylog, from == TD_SERVER ? "SERVER_TRAFFIC_SECRET_0" : "CLIENT_TRAFFIC_SECRET_0",
                           c->client_random, c->dec_alg, c->dec_hash);
}

/* The server's first decrypted answer: its HTTP status line, and nginx's
 * pages for a refused client certificate (ssl_verify_client on answers with
 * HTTP 400 after a completed handshake rather than an alert). */
static void decrypted_answer(struct td_tls_conn *c, const uint8_t *p, size_t n, const struct td_at *at)
{
    static const char *const pages[] = {"No required SSL certificate was sent", "The SSL certificate error",
                                        "SSL certificate error"};
    struct td_buf t = {(uint8_t *)p, n < 512 ? n : 512, 0};
    td_conn_http_line(c, TD_SERVER, &t, at);
    for (size_t k = 0; k < sizeof pages / sizeof pages[0] && !c->http_cert_error; k++) {
        size_t len = strlen(pages[k]);
        for (size_t i = 0; i + len <= n && i < 4096; i++) {
            if (td_mem_eq(p + i, pages[k], len)) {
                c->http_cert_error = pages[k];
                break;
            }
        }
    }
}

/* Decrypted handshake bytes (a message may span records, several may share one). */
static void decrypted_handshake(struct td_tls_conn *c, enum td_role from, size_t n, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (d->hs.len + n > c->lim->hs_message_max + 4) {
        td_conn_malformed(c, from, at, d->rec_offset, "handshake", "reassembly buffer limit reached");
        return;
    }
    if (d->hs.len == 0) {
        d->hs_offset = d->rec_offset;
    }
    td_buf_append(&d->hs, d->rec.data, n);
    d->appdata = NULL;
    td_conn_drain_handshake(c, from, at);
}

static void decrypted_alerts(struct td_tls_conn *c, enum td_role from, size_t n, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    for (size_t i = 0; i + 1 < n; i += 2) {
        d->alert[0] = d->rec.data[i];
        d->alert[1] = d->rec.data[i + 1];
        td_conn_on_alert(c, from, at);
    }
    if (c->complete && ++d->post_records == 1) {
        if (from == TD_SERVER) {
            /* Decrypted, the alert says what it is: a refusal is fatal (failed
             * above); close_notify is an orderly close after a handshake the
             * server accepted (s_server at the end of its stdin), not the
             * refusal an encrypted alert in this place is taken for without
             * keys (td_conn_after_handshake_alert). */
            d->closed_first = true;
        } else {
            /* Closing before any data is the same tell in clear (close_notify
             * right after the handshake: curl after its own name check). */
            td_conn_after_handshake_alert(c, from);
            if (c->note) {
                c->note = "the client closed right after the handshake, before sending any data: it may have "
                          "rejected the server's certificate or name after the handshake";
            }
        }
    }
    d->appdata = NULL;
}

/* An encrypted record opened with the key log's keys: its content goes
 * where the same content in clear would have gone. false when it does not
 * open (the record is then shown as encrypted, as without keys). */
bool td_conn_decrypted_record(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    size_t n = 0;
    if (d->rec.len != d->rec_len || !td_aead_open(d->dec, d->hdr, d->rec.data, d->rec.len, &n)) {
        d->dec_bad = true;
        c->keylog_status = "the key log's keys do not decrypt this session (wrong key log?)";
        return false;
    }
    c->keylog_status = "decrypted";
    uint8_t type = d->rec_type;
    if (c->tls13) {
        /* RFC 8446 5.2: content, then its type, then zero padding. */
        while (n > 0 && d->rec.data[n - 1] == 0) {
            n--;
        }
        if (n == 0) {
            td_conn_malformed(c, from, at, d->rec_offset, "record", "decrypted record without a content type");
            return true;
        }
        type = d->rec.data[--n];
    }
    c->decrypting = true;
    switch (type) {
    case TD_CT_HANDSHAKE:
        decrypted_handshake(c, from, n, at);
        break;
    case TD_CT_ALERT:
        decrypted_alerts(c, from, n, at);
        break;
    case TD_CT_APPLICATION_DATA:
        if (c->complete) {
            d->post_records++;
        }
        if (from == TD_SERVER && d->post_records == 1) {
            decrypted_answer(c, d->rec.data, n, at);
        }
        td_conn_appdata(c, from, at);
        if (d->appdata) {
            d->appdata->decrypted = true;
        }
        break;
    default:
        td_conn_malformed(c, from, at, d->rec_offset, "record", "decrypted record of an unexpected content type");
        break;
    }
    c->decrypting = false;
    if (d->switch_keys) {
        keys_after_finished(c, from);
    }
    td_conn_check_complete(c);
    return true;
}
