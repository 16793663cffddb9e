/* SSL 2.0 records (draft-hickman-netscape-ssl-00): the SSLv2-compatible
 * ClientHello of TLS clients and servers that answer in SSL 2.0. */
#include "base/mem.h"
#include "tls/internal.h"

#include "base/banned.h"

/* SSL 2.0 ERROR codes (draft-hickman-netscape-ssl-00 C) as the TLS alert that means the same. */
static uint8_t ssl2_error_alert(uint16_t code)
{
    switch (code) {
    case TD_SSL2_PE_NO_CIPHER:
        return TD_ALERT_HANDSHAKE_FAILURE;
    case TD_SSL2_PE_NO_CERTIFICATE:
        return TD_ALERT_NO_CERTIFICATE;
    case TD_SSL2_PE_BAD_CERTIFICATE:
        return TD_ALERT_BAD_CERTIFICATE;
    case TD_SSL2_PE_UNSUPPORTED_CERTIFICATE_TYPE:
        return TD_ALERT_UNSUPPORTED_CERTIFICATE;
    default:
        return TD_ALERT_HANDSHAKE_FAILURE;
    }
}

/* CLIENT-FINISHED, SERVER-VERIFY, SERVER-FINISHED, then data: all encrypted */
static void ssl2_encrypted(struct td_tls_conn *c, enum td_role from, size_t len, uint64_t offset,
                           const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (++d->ssl2_enc_records <= 3) {
        struct td_msg *m = td_conn_add_msg(c, TD_M_ENC_HANDSHAKE, from, at);
        if (m) {
            m->encrypted = true;
            m->length = (uint32_t)len;
            m->offset = offset;
            m->record_version = TD_VERSION_SSL2;
        }
    }
    d->finished = true;
    td_conn_check_complete(c);
}

/* The server's certificate, carried in its SERVER-HELLO: a message of its own. */
static void ssl2_certificate(struct td_tls_conn *c, enum td_role from, const struct td_cur *cert, uint64_t offset,
                             const struct td_at *at)
{
    struct td_msg *cm = td_conn_add_msg(c, TD_M_HANDSHAKE, from, at);
    if (cm) {
        cm->hs_type = TD_HS_CERTIFICATE;
        cm->length = (uint32_t)td_cur_len(cert);
        cm->offset = offset;
        cm->record_version = TD_VERSION_SSL2;
        cm->u.cert = td_calloc(1, sizeof *cm->u.cert);
        cm->u.cert->certs = td_calloc(1, sizeof *cm->u.cert->certs);
        cm->u.cert->certs[0].p = td_memdup(td_cur_data(cert), td_cur_len(cert));
        cm->u.cert->certs[0].len = td_cur_len(cert);
        cm->u.cert->num_certs = cm->u.cert->num_certs_total = 1;
    }
}

static void ssl2_server_hello(struct td_tls_conn *c, enum td_role from, struct td_msg *m, struct td_server_hello *sh,
                              const struct td_cur *cert, uint64_t offset, const struct td_at *at)
{
    m->u.sh = sh;
    c->ssl2 = true;
    c->version = sh->version;
    c->suite = sh->suite;
    c->dir[TD_SERVER].ssl2_keyed = sh->session_id_len != 0; /* a resumed session: keys known */
    if (td_cur_len(cert) > 0) {
        ssl2_certificate(c, from, cert, offset, at);
    }
}

/* One whole SSL 2.0 record body (its header removed). */
static void ssl2_record(struct td_tls_conn *c, enum td_role from, struct td_cur *body, uint64_t offset,
                        const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    const char *err = NULL;
    size_t err_off = 0;
    uint8_t type = 0xff;
    size_t len = td_cur_len(body);
    c->tls_seen = true;
    if (d->ssl2_keyed) {
        ssl2_encrypted(c, from, len, offset, at);
        return;
    }
    td_cur_peek_u8(body, 0, &type);
    struct td_msg *m = td_conn_add_msg(c, TD_M_HANDSHAKE, from, at);
    if (!m) {
        return;
    }
    m->length = (uint32_t)len;
    m->offset = offset;
    m->record_version = TD_VERSION_SSL2;
    switch (type) {
    case TD_SSL2_MT_CLIENT_HELLO: {
        m->hs_type = TD_HS_CLIENT_HELLO;
        struct td_client_hello *ch = td_parse_sslv2_client_hello(body, &err, &err_off);
        if (ch) {
            td_conn_on_client_hello(c, m, ch);
        }
        break;
    }
    case TD_SSL2_MT_SERVER_HELLO: { /* SSL 2.0 it is, both ways */
        struct td_cur cert;
        m->hs_type = TD_HS_SERVER_HELLO;
        struct td_server_hello *sh = td_parse_sslv2_server_hello(body, &cert, &err, &err_off);
        if (sh) {
            ssl2_server_hello(c, from, m, sh, &cert, offset, at);
        }
        break;
    }
    case TD_SSL2_MT_CLIENT_MASTER_KEY: /* the key exchange; what follows is encrypted both ways */
        m->hs_type = TD_HS_CLIENT_KEY_EXCHANGE;
        td_conn_set_text(m, "SSLv2 CLIENT-MASTER-KEY");
        c->dir[TD_CLIENT].ssl2_keyed = c->dir[TD_SERVER].ssl2_keyed = true;
        break;
    case TD_SSL2_MT_ERROR: { /* the SSL 2.0 alert */
        uint16_t code = 0;
        struct td_cur e = *body;
        td_cur_skip(&e, 1);
        td_cur_get_u16(&e, &code);
        m->kind = TD_M_ALERT;
        m->alert_level = TD_ALERT_LEVEL_FATAL;
        m->alert_desc = ssl2_error_alert(code);
        td_conn_set_text(m, "SSLv2 ERROR %u", code);
        c->fatal_alert = true;
        td_conn_fail(c, "fatal alert");
        break;
    }
    default:
        err = "not an SSL 2.0 handshake message before the keys";
        break;
    }
    if (err) {
        m->kind = TD_M_MALFORMED;
        td_conn_set_text(m, "SSLv2 record: %s (offset %zu, stream offset %llu)", err, err_off,
                         (unsigned long long)(offset + err_off));
        if (!c->complete) {
            td_conn_fail(c, "malformed handshake message");
        }
    }
}

/* SSL 2.0 records: a 2-byte header with the top bit set (length up to 32767),
 * or a 3-byte one (length up to 16383, then the padding length). The
 * SSLv2-compatible ClientHello of TLS clients is one such record; after it
 * the client speaks TLS records, unless the server answered in SSL 2.0. */
void td_conn_feed_ssl2(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    while (n > 0 && d->mode == TD_DIR_SSL2) {
        uint8_t b0 = d->hs.len > 0 ? d->hs.data[0] : p[0];
        size_t hdr = (b0 & 0x80) ? 2 : 3, take;
        if (d->hs.len < hdr) {
            take = hdr - d->hs.len < n ? hdr - d->hs.len : n;
            td_buf_append(&d->hs, p, take);
            d->offset += take;
            p += take;
            n -= take;
            continue;
        }
        size_t need = hdr + (size_t)(hdr == 2 ? ((d->hs.data[0] & 0x7f) << 8) | d->hs.data[1]
                                              : ((d->hs.data[0] & 0x3f) << 8) | d->hs.data[1]);
        if (need == hdr) {
            td_buf_reset(&d->hs); /* an empty record */
            continue;
        }
        take = need - d->hs.len < n ? need - d->hs.len : n;
        td_buf_append(&d->hs, p, take);
        d->offset += take;
        p += take;
        n -= take;
        if (d->hs.len < need) {
            continue;
        }
        struct td_cur body;
        td_cur_init(&body, d->hs.data + hdr, need - hdr);
        uint64_t offset = d->offset - need;
        bool v2_client_hello = !c->ssl2 && from == TD_CLIENT && !d->ssl2_keyed;
        ssl2_record(c, from, &body, offset, at);
        td_buf_reset(&d->hs);
        if (v2_client_hello && !c->ssl2) {
            /* the next record says which: TLS (the usual compatible hello) or SSL 2.0 */
            d->mode = TD_DIR_DETECT;
            d->det_len = 0;
            if (n > 0) {
                td_conn_feed_dir(c, from, p, n, at);
            }
            return;
        }
    }
}
