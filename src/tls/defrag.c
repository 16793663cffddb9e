/* Handshake messages reassembled across records (and several in one record),
 * each parsed when its last byte is in; what the hellos tell the connection. */
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "tls/internal.h"

#include "base/banned.h"

void td_conn_on_client_hello(struct td_tls_conn *c, struct td_msg *m, struct td_client_hello *ch)
{
    m->u.ch = ch;
    if (!c->have_client_random && !ch->sslv2_format) {
        td_memcopy(c->client_random, ch->random, 32);
        c->have_client_random = true;
    }
    if (!c->sni && ch->sni) {
        c->sni = td_strndup(ch->sni, strlen(ch->sni));
    }
}

static void on_server_hello(struct td_tls_conn *c, struct td_msg *m, struct td_server_hello *sh)
{
    m->u.sh = sh;
    if (sh->hrr) {
        m->hs_type = TD_HS_HELLO_RETRY_REQUEST;
        c->hrr = true;
        return;
    }
    c->version = sh->version;
    c->suite = sh->suite;
    td_memcopy(c->server_random, sh->random, 32);
    /* TLS 1.3, its drafts and the Facebook/Google experiments: encrypted after
     * ServerHello. An unknown version is not assumed to be any of them. */
    uint16_t v = sh->version;
    bool is13 = td_version_is_tls13_family(v);
    if ((is13 && sh->has_supported_versions) || sh->tls13_draft) {
        /* RFC 8446 2: everything the server sends after ServerHello is encrypted. */
        c->tls13 = true;
    }
    td_conn_setup_keys(c);
}

static void parse_message(struct td_tls_conn *c, enum td_role from, uint8_t type, struct td_cur *body, uint64_t offset,
                          const struct td_at *at)
{
    struct td_msg *m = td_conn_add_msg(c, TD_M_HANDSHAKE, from, at);
    const char *err = NULL;
    size_t err_off = 0;
    if (!m) {
        return;
    }
    m->hs_type = type;
    m->length = (uint32_t)td_cur_len(body);
    c->cert_requested |= type == TD_HS_CERTIFICATE_REQUEST;
    m->offset = offset;
    m->record_version = c->dir[from].rec_version;
    switch (type) {
    case TD_HS_CLIENT_HELLO: {
        struct td_client_hello *ch = td_parse_client_hello_partial(body, &err, &err_off);
        if (ch) {
            td_conn_on_client_hello(c, m, ch);
        }
        break;
    }
    case TD_HS_SERVER_HELLO: {
        struct td_server_hello *sh = td_parse_server_hello_partial(body, &err, &err_off);
        if (sh) {
            on_server_hello(c, m, sh);
        }
        break;
    }
    case TD_HS_CERTIFICATE:
        m->u.cert = td_parse_certificate(body, c->tls13, c->lim->max_certs, &err, &err_off);
        break;
    case TD_HS_SERVER_KEY_EXCHANGE:
        m->u.ske = td_parse_server_key_exchange(body, c->suite, c->version, &err, &err_off);
        break;
    case TD_HS_CERTIFICATE_REQUEST:
        m->u.cr = td_parse_certificate_request(body, c->version, &err, &err_off);
        break;
    case TD_HS_NEW_SESSION_TICKET:
        td_parse_new_session_ticket(body, c->tls13, &m->u.nst, &err, &err_off);
        break;
    case TD_HS_SERVER_HELLO_DONE:
        if (td_cur_len(body) != 0) {
            err = "ServerHelloDone is not empty";
        }
        break;
    case TD_HS_FINISHED:
        c->dir[from].finished = true;
        if (c->decrypting && c->tls13) {
            c->dir[from].switch_keys = true;
        }
        break;
    default:
        break;
    }
    if (err) {
        const char *name = td_hstype_name(type);
        /* a ClientHello read up to the error stays a ClientHello, marked malformed */
        m->malformed = (type == TD_HS_CLIENT_HELLO && m->u.ch) || (type == TD_HS_SERVER_HELLO && m->u.sh);
        m->kind = m->malformed ? TD_M_HANDSHAKE : TD_M_MALFORMED;
        td_conn_set_text(m, "%s: %s (message offset %zu, stream offset %llu)", name ? name : "handshake message", err,
                         err_off, (unsigned long long)(offset + 4 + err_off));
        if (!c->complete) {
            td_conn_fail(c, "malformed handshake message");
        }
    }
}

/* Parse every complete handshake message buffered in this direction. */
void td_conn_drain_handshake(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    size_t used = 0;
    while (d->mode == TD_DIR_TLS && d->hs.len - used >= 4) {
        struct td_cur all, body;
        uint8_t type = 0;
        uint32_t len = 0;
        td_cur_init(&all, d->hs.data + used, d->hs.len - used);
        td_cur_get_u8(&all, &type);
        td_cur_get_u24(&all, &len);
        if (len > c->lim->hs_message_max) {
            /* a length TLS allows (2^24) but more than tlsdiag keeps: not malformed */
            const char *name = td_hstype_name(type);
            char why[160];
            snprintf(why, sizeof why, "length over the limit (%u bytes; tlsdiag reassembles up to %zu)", len,
                     c->lim->hs_message_max);
            td_conn_malformed(c, from, at, d->hs_offset + used, name ? name : "handshake message", why);
            if (c->last && c->last->kind == TD_M_MALFORMED) {
                c->last->over_limit = true;
                c->last->hs_type = type;
                c->last->length = len;
            }
            if (c->fail_reason && strcmp(c->fail_reason, "malformed TLS") == 0) {
                c->fail_reason = "handshake message over the limit";
            }
            break;
        }
        if (!td_cur_get_bytes(&all, &body, len)) {
            break; /* continues in the next record */
        }
        body.base = body.p; /* offsets in errors are relative to the message body */
        parse_message(c, from, type, &body, d->hs_offset + used, at);
        used += 4 + (size_t)len;
    }
    td_buf_consume(&d->hs, used);
    d->hs_offset += used;
}
