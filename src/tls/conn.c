/* One TCP connection seen as TLS: the connection object, its message list,
 * recognition by content, and feed_dir, which hands each side's bytes to the
 * reader of its mode (internal.h says which file holds which).
 *
 * Messages are stamped with the frame in which the record holding their last
 * byte completed, which is where Wireshark shows them (it reassembles TLS
 * records before dissecting the messages in them). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "tls/internal.h"
#include "tls/preamble.h"

#include "base/banned.h"

void td_tls_conn_init(struct td_tls_conn *c, const struct td_limits *lim)
{
    td_memzero(c, sizeof *c);
    c->lim = lim;
}

void td_tls_conn_free(struct td_tls_conn *c)
{
    struct td_msg *m = c->msgs, *next;
    for (; m; m = next) {
        next = m->next;
        if (m->in_slab) {
            td_msg_free_parts(m);
        } else {
            td_msg_free(m);
        }
    }
    free(c->slab);
    c->slab = NULL;
    c->msgs = c->last = NULL;
    for (int i = 0; i < 2; i++) {
        td_buf_free(&c->dir[i].hs);
        td_buf_free(&c->dir[i].text);
        td_buf_free(&c->dir[i].pre);
        td_aead_free(c->dir[i].dec);
        c->dir[i].dec = NULL;
        td_memzero(c->dir[i].rec.data, c->dir[i].rec.len);
        td_buf_free(&c->dir[i].rec);
    }
    free(c->sni);
    c->sni = NULL;
    free(c->client_hello_raw.p);
    c->client_hello_raw.p = NULL;
    c->client_hello_raw.len = 0;
}

void td_tls_set_roles(struct td_tls_conn *c, const struct td_addr *client, uint16_t cport, const struct td_addr *server,
                      uint16_t sport, bool from_syn)
{
    c->addr[TD_CLIENT] = *client;
    c->addr[TD_SERVER] = *server;
    c->port[TD_CLIENT] = cport;
    c->port[TD_SERVER] = sport;
    c->roles_known = true;
    c->roles_from_syn = from_syn;
}

static bool is_http_request(const uint8_t *p, size_t n)
{
    static const char *const methods[] = {"GET ",     "POST ",    "HEAD ",  "PUT ",   "DELETE ",
                                          "OPTIONS ", "CONNECT ", "PATCH ", "TRACE ", "PRI * HTTP/2"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        size_t k = strlen(methods[i]);
        if (n >= k && td_mem_eq(p, methods[i], k)) {
            return true;
        }
        if (n < k && n >= 3 && td_mem_eq(p, methods[i], n)) {
            return true;
        }
    }
    return false;
}

bool td_tls_guess_client(const uint8_t *p, size_t n, bool *is_client)
{
    if (n >= 6 && p[0] == TD_CT_HANDSHAKE && p[1] == TD_VERSION_SSL3 >> 8) {
        if (p[5] == TD_HS_CLIENT_HELLO) {
            *is_client = true;
            return true;
        }
        if (p[5] == TD_HS_SERVER_HELLO) {
            *is_client = false;
            return true;
        }
    }
    if (n >= 3 && (p[0] & 0x80) && p[2] == TD_SSL2_MT_CLIENT_HELLO) {
        *is_client = true;
        return true;
    }
    if (is_http_request(p, n)) {
        *is_client = true;
        return true;
    }
    if (n >= 5 && td_mem_eq(p, "HTTP/", 5)) {
        *is_client = false;
        return true;
    }
    return false;
}

struct td_msg *td_conn_add_msg(struct td_tls_conn *c, enum td_msg_kind kind, enum td_role from, const struct td_at *at)
{
    if (c->num_msgs >= c->lim->max_messages) {
        c->dropped_msgs++;
        return NULL;
    }
    /* the first message alone (a connection that stops at its ClientHello
     * keeps no more), the next TD_MSG_SLAB in one allocation */
    bool in_slab = c->num_msgs >= 1 && c->num_msgs <= TD_MSG_SLAB;
    if (in_slab && !c->slab) {
        c->slab = td_calloc(TD_MSG_SLAB, sizeof *c->slab);
    }
    struct td_msg *m = in_slab ? &c->slab[c->num_msgs - 1] : td_calloc(1, sizeof *m);
    m->in_slab = in_slab;
    m->kind = kind;
    m->from = from;
    m->decrypted = c->decrypting;
    m->frame = at->frame;
    m->ts = at->ts;
    if (c->last) {
        c->last->next = m;
    } else {
        c->msgs = m;
    }
    c->last = m;
    c->num_msgs++;
    return m;
}
void td_conn_set_text(struct td_msg *m, const char *fmt, ...)
{
    struct td_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    char tmp[512];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    td_buf_puts(&b, tmp);
    free(m->text);
    m->text = td_strndup(td_buf_cstr(&b), b.len);
    td_buf_free(&b);
}

void td_conn_fail(struct td_tls_conn *c, const char *why)
{
    if (!c->failed) {
        c->failed = true;
        c->fail_reason = why;
    }
}

void td_conn_malformed(struct td_tls_conn *c, enum td_role from, const struct td_at *at, uint64_t offset,
                       const char *what, const char *why)
{
    struct td_tls_dir *d = &c->dir[from];
    struct td_msg *m = td_conn_add_msg(c, TD_M_MALFORMED, from, at);
    if (m) {
        m->offset = offset;
        td_conn_set_text(m, "%s: %s (stream offset %llu)", what, why, (unsigned long long)offset);
    }
    d->mode = TD_DIR_DEAD;
    if (!c->complete) {
        td_conn_fail(c, "malformed TLS");
    }
}

void td_conn_check_settled(struct td_tls_conn *c)
{
    const struct td_tls_dir *cl = &c->dir[TD_CLIENT], *sv = &c->dir[TD_SERVER];
    if (cl->rst || sv->rst || (cl->fin && sv->fin)) {
        c->settled = true;
        return;
    }
    /* After client authentication the server may refuse in its first
     * answer and close (nginx ssl_verify_client: HTTP 400): wait for more. */
    bool one_each = cl->post_records >= 1 && sv->post_records >= 1 && !c->cert_requested;
    if (c->complete && (one_each || cl->post_records + sv->post_records >= 4)) {
        c->settled = true;
        return;
    }
    bool cdone = cl->mode == TD_DIR_OTHER || cl->mode == TD_DIR_DEAD || cl->fin;
    bool sdone = sv->mode == TD_DIR_OTHER || sv->mode == TD_DIR_DEAD || sv->fin;
    if (cdone && sdone) {
        c->settled = true;
    }
}

void td_conn_check_complete(struct td_tls_conn *c)
{
    if (!c->complete && c->dir[TD_CLIENT].finished && c->dir[TD_SERVER].finished) {
        c->complete = true;
    }
}

enum td_dir_mode td_conn_detect(const uint8_t *p, size_t n, bool *need_more)
{
    *need_more = false;
    if (n < 3) {
        *need_more = true;
        return TD_DIR_DETECT;
    }
    if (p[0] >= TD_CT_CHANGE_CIPHER_SPEC && p[0] <= TD_CT_HEARTBEAT && td_record_version_ok(p[1], p[2])) {
        return TD_DIR_TLS;
    }
    if ((p[0] & 0x80) && p[2] == TD_SSL2_MT_CLIENT_HELLO) {
        if (n < 5) {
            *need_more = true;
            return TD_DIR_DETECT;
        }
        if (td_record_version_ok(p[3], p[4]) || (p[3] << 8 | p[4]) == TD_VERSION_SSL2) {
            return TD_DIR_SSL2;
        }
    }
    if ((p[0] & 0x80) && p[2] == TD_SSL2_MT_SERVER_HELLO) { /* SSL 2.0 SERVER-HELLO: hit, cert type, version 0x0002 */
        if (n < 7) {
            *need_more = true;
            return TD_DIR_DETECT;
        }
        if ((p[5] << 8 | p[6]) == TD_VERSION_SSL2) {
            return TD_DIR_SSL2;
        }
    }
    if (p[0] == 0x80 && p[1] == 3 && p[2] == TD_SSL2_MT_ERROR) { /* SSL 2.0 ERROR */
        return TD_DIR_SSL2;
    }
    return TD_DIR_OTHER;
}

static void dispatch(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
{
    switch (c->dir[from].mode) {
    case TD_DIR_PREAMBLE:
        td_conn_feed_preamble(c, from, p, n, at);
        break;
    case TD_DIR_TLS:
        td_conn_feed_tls(c, from, p, n, at);
        break;
    case TD_DIR_SSL2:
        td_conn_feed_ssl2(c, from, p, n, at);
        break;
    case TD_DIR_OTHER:
        td_conn_feed_other(c, from, p, n, at);
        break;
    default:
        break;
    }
}

void td_conn_feed_dir(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (d->mode == TD_DIR_RESYNC) {
        if (!td_tls_resync_ok(p, n, c->lim->hs_message_max)) {
            d->offset += n; /* not a record start: wait for the next segment */
            if (!c->complete) {
                d->resync_skipped += n;
            }
            return;
        }
        d->mode = TD_DIR_TLS;
        d->hdr_len = 0;
        d->rec_left = 0;
        d->alert_len = 0;
        d->appdata = NULL;
        td_buf_reset(&d->hs);
        td_buf_reset(&d->rec);
    }
    if (d->mode == TD_DIR_DETECT) {
        size_t take = sizeof d->det - d->det_len < n ? sizeof d->det - d->det_len : n;
        td_memcopy(d->det + d->det_len, p, take);
        d->det_len += take;
        bool need_more;
        enum td_dir_mode mode = td_conn_detect(d->det, d->det_len, &need_more);
        if (c->ssl2 && (d->det[0] & 0x80 || d->ssl2_keyed)) {
            mode = TD_DIR_SSL2; /* CLIENT-MASTER-KEY and what follows */
            need_more = false;
        }
        if (need_more && take == n && (!c->pre.proto || td_conn_maybe_tls_start(d->det, d->det_len))) {
            return; /* a short preamble answer (PostgreSQL's 'S') cannot start TLS: no need to wait */
        }
        /* Not TLS: perhaps a preamble before it (STARTTLS, CONNECT, ...);
         * feed_preamble decides, and falls back to TD_DIR_OTHER. */
        d->mode = mode == TD_DIR_DETECT || mode == TD_DIR_OTHER ? TD_DIR_PREAMBLE : mode;
        uint8_t first[sizeof d->det];
        size_t first_len = d->det_len;
        td_memcopy(first, d->det, first_len);
        if (d->mode == TD_DIR_PREAMBLE) {
            /* one buffer for the whole segment: recognisers look past 8 bytes */
            struct td_buf all = {0};
            td_buf_append_slow(&all, first, first_len);
            td_buf_append_slow(&all, p + take, n - take); /* n >= take */
            dispatch(c, from, all.data, all.len, at);
            td_buf_free(&all);
            return;
        }
        dispatch(c, from, first, first_len, at);
        p += take;
        n -= take;
    }
    if (n > 0) {
        dispatch(c, from, p, n, at);
    }
}

void td_tls_feed(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
{
    if (n == 0 || c->settled) {
        return;
    }
    td_conn_feed_dir(c, from, p, n, at);
    td_conn_check_settled(c);
}

void td_tls_flags(struct td_tls_conn *c, enum td_role from, uint8_t flags, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (c->settled) {
        return;
    }
    bool rst = flags & TD_TCP_RST;
    td_conn_pre_flush(c, from, at);
    if (rst) {
        d->rst = true;
    } else {
        d->fin = true;
    }
    struct td_msg *m = td_conn_add_msg(c, rst ? TD_M_TCP_RST : TD_M_TCP_FIN, from, at);
    if (m) {
        m->offset = d->offset;
    }
    d->appdata = NULL;
    if (!c->complete && (c->tls_seen || c->dir[TD_CLIENT].mode != TD_DIR_DETECT)) {
        td_conn_fail(c, rst ? "connection reset during the handshake" : "connection closed during the handshake");
    }
    /* Node.js checks the certificate after the handshake and just closes:
     * no alert at all, only the TCP close, before any data. */
    if (c->complete && from == TD_CLIENT && d->post_records == 0 && !c->dir[TD_SERVER].closed_first && !c->note) {
        c->note = "the client closed the connection right after the handshake, before sending any data: it may "
                  "have rejected the server's certificate or name after the handshake";
    }
    td_conn_check_settled(c);
}

void td_tls_end(struct td_tls_conn *c, const char *why)
{
    if (!c->settled) {
        struct td_at at = {c->last ? c->last->frame : c->first_frame, c->last ? c->last->ts : c->first_ts};
        td_conn_pre_flush(c, TD_CLIENT, &at);
        td_conn_pre_flush(c, TD_SERVER, &at);
    }
    if (!c->complete && !c->failed && !c->fail_reason) {
        c->fail_reason = why;
    }
    c->settled = true;
}

enum td_outcome td_tls_outcome(const struct td_tls_conn *c)
{
    if (c->failed) {
        return TD_OUTCOME_FAILED;
    }
    if (c->complete) {
        return TD_OUTCOME_OK;
    }
    return TD_OUTCOME_INCOMPLETE;
}

/* Plain text from the client to a TLS port: the server closed first without
 * a byte, or said in plain text that the port speaks TLS. Reported as a
 * connection (not_tls), not only counted. */
static bool plain_to_tls_port(const struct td_tls_conn *c)
{
    if (!c->http_request[0] || c->dir[TD_CLIENT].mode != TD_DIR_OTHER) {
        return false;
    }
    if (c->http_said_tls_port) {
        return true;
    }
    if (c->dir[TD_SERVER].offset > 0) {
        return false;
    }
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        if (m->kind == TD_M_TCP_FIN || m->kind == TD_M_TCP_RST) {
            return m->from == TD_SERVER;
        }
    }
    return false;
}

bool td_tls_reportable(const struct td_tls_conn *c) { return c->tls_seen || c->pre.asked || plain_to_tls_port(c); }
