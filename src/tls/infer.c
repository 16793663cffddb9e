/* What the encrypted part of a connection still gives away without keys: a
 * record's position and size (TLS 1.3 Finished, alerts) tell what it holds,
 * and `inferred` says so in the output. */
#include <string.h>

#include "base/mem.h"
#include "tls/internal.h"

#include "base/banned.h"

/* An encrypted record whose meaning comes from its position (and, in TLS 1.3,
 * its size): `inferred` says so in the output. */
void td_conn_encrypted_msg(struct td_tls_conn *c, enum td_role from, enum td_msg_kind kind, uint8_t hs_type,
                           bool inferred, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    struct td_msg *m = td_conn_add_msg(c, kind, from, at);
    if (m) {
        m->encrypted = true;
        m->inferred = inferred;
        m->hs_type = hs_type;
        m->length = d->rec_len;
        m->offset = d->rec_offset;
        m->record_version = d->rec_version;
    }
    d->appdata = NULL;
}

/* RFC 8446 5.2: an encrypted alert is 2 bytes + 1 content-type byte + a
 * 16-byte AEAD tag, so a 19-byte record is an alert unless padded. */
#define TLS13_ALERT_RECORD_LEN 19

static const char server_refused[] = "encrypted alert from the server right after the client's Finished";

/* The client had closed its side before the server's alert: a FIN, or an
 * alert-sized record after its data (`echo | openssl s_client` sends a line,
 * then close_notify). The server's alert then answers that close. */
static bool client_closed(const struct td_tls_conn *c)
{
    const struct td_tls_dir *d = &c->dir[TD_CLIENT];
    return d->closed_first || d->fin || d->rst || (d->post_records > 0 && d->rec_len == TLS13_ALERT_RECORD_LEN);
}

/* TLS 1.3: the client's flight began with a record too small for a
 * certificate before its Finished: an empty Certificate, sent because the
 * server asked for one. */
static bool client_sent_empty_cert(const struct td_tls_conn *c)
{
    const struct td_tls_dir *d = &c->dir[TD_CLIENT];
    return d->enc_hs_records >= 1 && d->finished && d->first_enc_hs_len < TD_TLS13_MIN_CERT_RECORD;
}

/* An encrypted alert as a side's first record after the handshake.
 *
 * From the server in TLS 1.3, before the client said anything more: the
 * server rejected the client's flight (its certificate, typically) -- unless
 * the client closed first, or answers it with an alert of its own: a
 * close_notify is answered so, a refusal is not (RFC 8446 6.1, 6.2: no more
 * data after an error alert), or the client had sent an empty Certificate
 * (a server that requires one refuses it; one that does not would have
 * sent its tickets or data first). From the client, before any data: the client
 * checked the server's certificate or name only after the handshake and gave
 * up (curl does) -- or it only wanted the handshake (a health check,
 * `gnutls-cli </dev/null`). Without keys the two look the same, so the
 * handshake stays `ok` and a note says so. */
void td_conn_after_handshake_alert(struct td_tls_conn *c, enum td_role from)
{
    c->dir[from].closed_first = true;
    if (from == TD_SERVER) {
        if (c->tls13 && (!client_closed(c) || client_sent_empty_cert(c))) {
            td_conn_fail(c, server_refused);
        }
        return;
    }
    if (c->failed && c->fail_reason == server_refused) {
        c->failed = false;
        c->fail_reason = NULL;
        c->note = "the server closed with an encrypted alert right after the client's Finished and the client "
                  "answered with one: an orderly close (close_notify), not a refusal, which gets no answer";
        return;
    }
    if (!c->dir[TD_SERVER].closed_first) {
        c->note = "the client closed with an encrypted alert right after the handshake, before sending any data: "
                  "it may have rejected the server's certificate or name after the handshake";
    }
}

/* RFC 8446 4.4.4: Finished carries Hash.length bytes; as a record it is that
 * plus the 4-byte handshake header, the content-type byte and the tag. */
static uint32_t tls13_finished_record_len(uint16_t suite)
{
    const char *name = td_suite_name(suite);
    size_t n = name ? strlen(name) : 0;
    bool sha384 = n > 6 && strcmp(name + n - 6, "SHA384") == 0;
    return 4 + (sha384 ? 48 : 32) + 1 + 16;
}

/* A TLS 1.3 handshake record from the client: Certificate and
 * CertificateVerify (when asked for a certificate) come before Finished,
 * each in a record of its own in most stacks; Finished has a known size. */
static void tls13_client_flight(struct td_tls_conn *c, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[TD_CLIENT];
    if (d->rec_len == TLS13_ALERT_RECORD_LEN) {
        td_conn_encrypted_msg(c, TD_CLIENT, TD_M_ALERT, 0, true, at);
        td_conn_fail(c, "encrypted alert from the client during the handshake");
        return;
    }
    if (d->rec_len == tls13_finished_record_len(c->suite) || d->enc_hs_records >= 2) {
        td_conn_encrypted_msg(c, TD_CLIENT, TD_M_ENC_HANDSHAKE, TD_HS_FINISHED, true, at);
        d->finished = true;
        td_conn_check_complete(c);
        return;
    }
    td_conn_encrypted_msg(c, TD_CLIENT, TD_M_ENC_HANDSHAKE, 0, true, at);
    if (d->enc_hs_records++ == 0) {
        d->first_enc_hs_len = d->rec_len;
    }
}

void td_conn_end_appdata_record(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (c->tls13 && !c->complete) {
        if (from == TD_CLIENT) {
            tls13_client_flight(c, at);
            return;
        }
        if (c->dir[TD_CLIENT].enc_hs_records == 0) {
            td_conn_encrypted_msg(c, from, TD_M_ENC_HANDSHAKE, 0, true, at);
            d->finished = true;
            return;
        }
        /* The server speaks after the client's encrypted flight began: the
         * flight (coalesced into fewer records) is over. */
        c->dir[TD_CLIENT].finished = true;
        td_conn_check_complete(c);
    }
    if (c->complete) {
        d->post_records++;
        if (c->tls13 && d->post_records == 1 && d->rec_len == TLS13_ALERT_RECORD_LEN) {
            if (from == TD_SERVER || c->dir[TD_CLIENT].post_records == 1) {
                td_conn_encrypted_msg(c, from, TD_M_ALERT, 0, true, at);
                td_conn_after_handshake_alert(c, from);
                return;
            }
        }
    }
    td_conn_appdata(c, from, at);
}
