/* One TCP connection seen as TLS: recognition by content, record framing,
 * handshake reassembly across records, and what the encrypted phase shows.
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

static void feed_dir(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at);

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
        td_msg_free(m);
    }
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
    if (n >= 6 && p[0] == TD_CT_HANDSHAKE && p[1] == 3) {
        if (p[5] == TD_HS_CLIENT_HELLO) {
            *is_client = true;
            return true;
        }
        if (p[5] == TD_HS_SERVER_HELLO) {
            *is_client = false;
            return true;
        }
    }
    if (n >= 3 && (p[0] & 0x80) && p[2] == 1) {
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

/* --- messages --- */

static struct td_msg *add_msg(struct td_tls_conn *c, enum td_msg_kind kind, enum td_role from, const struct td_at *at)
{
    if (c->num_msgs >= c->lim->max_messages) {
        c->dropped_msgs++;
        return NULL;
    }
    struct td_msg *m = td_calloc(1, sizeof *m);
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

static void set_text(struct td_msg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_text(struct td_msg *m, const char *fmt, ...)
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

static void fail(struct td_tls_conn *c, const char *why)
{
    if (!c->failed) {
        c->failed = true;
        c->fail_reason = why;
    }
}

static void malformed(struct td_tls_conn *c, enum td_role from, const struct td_at *at, uint64_t offset,
                      const char *what, const char *why)
{
    struct td_tls_dir *d = &c->dir[from];
    struct td_msg *m = add_msg(c, TD_M_MALFORMED, from, at);
    if (m) {
        m->offset = offset;
        set_text(m, "%s: %s (stream offset %llu)", what, why, (unsigned long long)offset);
    }
    d->mode = TD_DIR_DEAD;
    if (!c->complete) {
        fail(c, "malformed TLS");
    }
}

/* --- completion and settling --- */

static void check_settled(struct td_tls_conn *c)
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

static void check_complete(struct td_tls_conn *c)
{
    if (!c->complete && c->dir[TD_CLIENT].finished && c->dir[TD_SERVER].finished) {
        c->complete = true;
    }
}

/* --- handshake messages --- */

/* --- decryption with a key log --- */

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

static void setup_keys(struct td_tls_conn *c)
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
static void keys_after_ccs(struct td_tls_conn *c, enum td_role from)
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

static void on_client_hello(struct td_tls_conn *c, struct td_msg *m, struct td_client_hello *ch)
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
    bool is13 = v == 0x0304 || (v >> 8) == 0x7f || (v >> 8) == 0xfb || (v >= 0x7e01 && v <= 0x7e03);
    if ((is13 && sh->has_supported_versions) || sh->tls13_draft) {
        /* RFC 8446 2: everything the server sends after ServerHello is encrypted. */
        c->tls13 = true;
    }
    setup_keys(c);
}

static void parse_message(struct td_tls_conn *c, enum td_role from, uint8_t type, struct td_cur *body, uint64_t offset,
                          const struct td_at *at)
{
    struct td_msg *m = add_msg(c, TD_M_HANDSHAKE, from, at);
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
            on_client_hello(c, m, ch);
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
    case TD_HS_NEW_SESSION_TICKET: {
        struct td_cur t;
        if (!td_cur_get_u32(body, &m->u.nst.lifetime) || !td_cur_get_u16_prefixed(body, &t)) {
            err = "NewSessionTicket cut short";
            err_off = td_cur_offset(body);
        } else {
            m->u.nst.ticket_len = (uint16_t)td_cur_len(&t);
        }
        break;
    }
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
        set_text(m, "%s: %s (message offset %zu, stream offset %llu)", name ? name : "handshake message", err, err_off,
                 (unsigned long long)(offset + 4 + err_off));
        if (!c->complete) {
            fail(c, "malformed handshake message");
        }
    }
}

/* Parse every complete handshake message buffered in this direction. */
static void drain_handshake(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
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
            malformed(c, from, at, d->hs_offset + used, name ? name : "handshake message", why);
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

/* --- records --- */

static void on_alert(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    struct td_msg *m = add_msg(c, TD_M_ALERT, from, at);
    uint8_t level = d->alert[0], desc = d->alert[1];
    if (m) {
        m->alert_level = level;
        m->alert_desc = desc;
        m->record_version = d->rec_version;
        m->offset = d->rec_offset;
        m->length = 2;
    }
    if (level == 2) {
        c->fatal_alert = true;
        fail(c, "fatal alert");
    } else if (!c->complete && (desc == 0 || desc == 90)) {
        /* close_notify / user_canceled while the handshake is running: the
         * sender gives up (the seed's "Close Notify" version mismatch). */
        fail(c, "alert during the handshake");
    }
}

static bool record_header_ok(const struct td_tls_dir *d)
{
    uint8_t type = d->hdr[0];
    return type >= TD_CT_CHANGE_CIPHER_SPEC && type <= TD_CT_HEARTBEAT && d->hdr[1] == 3 && d->hdr[2] <= 4 &&
           d->rec_len <= TD_RECORD_MAX;
}

static void start_record(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    d->rec_type = d->hdr[0];
    d->rec_version = (uint16_t)(d->hdr[1] << 8 | d->hdr[2]);
    d->rec_len = d->rec_left = (uint32_t)(d->hdr[3] << 8 | d->hdr[4]);
    d->rec_offset = d->offset - 5;
    if (!record_header_ok(d)) {
        char why[160];
        snprintf(why, sizeof why, "not a TLS record header: %02x %02x %02x %02x %02x", d->hdr[0], d->hdr[1], d->hdr[2],
                 d->hdr[3], d->hdr[4]);
        malformed(c, from, at, d->rec_offset, "record", why);
        return;
    }
    c->tls_seen = true;
    /* After ChangeCipherSpec (TLS <= 1.2) handshake and alert records are
     * encrypted; in TLS 1.3 encrypted records all travel as application_data,
     * so a handshake or alert record there is plaintext. */
    switch (d->rec_type) {
    case TD_CT_APPLICATION_DATA:
        d->rec_encrypted = true;
        break;
    case TD_CT_HANDSHAKE:
        d->rec_encrypted = d->ccs && !c->tls13 && !c->hrr;
        break;
    case TD_CT_ALERT:
        /* an empty alert record is malformed (flagged below), not encrypted */
        d->rec_encrypted = (d->ccs && !c->tls13 && !c->hrr) || (d->rec_len != 2 && d->rec_len != 0);
        break;
    default:
        d->rec_encrypted = false;
    }
    d->alert_len = 0;
    td_buf_reset(&d->rec);
    if (d->rec_len == 0 && d->rec_type != TD_CT_APPLICATION_DATA) {
        /* RFC 8446 5.1: zero-length fragments of these types MUST NOT be sent. */
        struct td_msg *m = add_msg(c, TD_M_MALFORMED, from, at);
        if (m) {
            m->offset = d->rec_offset;
            set_text(m, "zero-length record of content type %u (stream offset %llu)", d->rec_type,
                     (unsigned long long)d->rec_offset);
        }
    }
}

/* Records after the handshake: fold application data into one line. */
static void appdata(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (d->appdata && c->last == d->appdata) {
        d->appdata->count++;
        d->appdata->length += d->rec_len;
        d->appdata->frame = at->frame;
        return;
    }
    struct td_msg *m = add_msg(c, TD_M_APPDATA, from, at);
    if (m) {
        m->encrypted = true;
        m->count = 1;
        m->length = d->rec_len;
        m->offset = d->rec_offset;
        m->record_version = d->rec_version;
    }
    d->appdata = m;
}

/* An encrypted record whose meaning comes from its position (and, in TLS 1.3,
 * its size): `inferred` says so in the output. */
static void encrypted_msg(struct td_tls_conn *c, enum td_role from, enum td_msg_kind kind, uint8_t hs_type,
                          bool inferred, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    struct td_msg *m = add_msg(c, kind, from, at);
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

/* An encrypted alert as a side's first record after the handshake.
 *
 * From the server in TLS 1.3, before the client said anything more: the
 * server rejected the client's flight (its certificate, typically). From the
 * client, before any data: the client checked the server's certificate or
 * name only after the handshake and gave up (curl does) -- or it only wanted
 * the handshake (a health check, `gnutls-cli </dev/null`). Without keys the
 * two look the same, so the handshake stays `ok` and a note says so. */
static void after_handshake_alert(struct td_tls_conn *c, enum td_role from)
{
    c->dir[from].closed_first = true;
    if (from == TD_SERVER) {
        if (c->tls13 && !c->dir[TD_CLIENT].closed_first) {
            fail(c, "encrypted alert from the server right after the client's Finished");
        }
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
        encrypted_msg(c, TD_CLIENT, TD_M_ALERT, 0, true, at);
        fail(c, "encrypted alert from the client during the handshake");
        return;
    }
    if (d->rec_len == tls13_finished_record_len(c->suite) || d->enc_hs_records >= 2) {
        encrypted_msg(c, TD_CLIENT, TD_M_ENC_HANDSHAKE, TD_HS_FINISHED, true, at);
        d->finished = true;
        check_complete(c);
        return;
    }
    encrypted_msg(c, TD_CLIENT, TD_M_ENC_HANDSHAKE, 0, true, at);
    d->enc_hs_records++;
}

static void end_appdata_record(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (c->tls13 && !c->complete) {
        if (from == TD_CLIENT) {
            tls13_client_flight(c, at);
            return;
        }
        if (c->dir[TD_CLIENT].enc_hs_records == 0) {
            encrypted_msg(c, from, TD_M_ENC_HANDSHAKE, 0, true, at);
            d->finished = true;
            return;
        }
        /* The server speaks after the client's encrypted flight began: the
         * flight (coalesced into fewer records) is over. */
        c->dir[TD_CLIENT].finished = true;
        check_complete(c);
    }
    if (c->complete) {
        d->post_records++;
        if (c->tls13 && d->post_records == 1 && d->rec_len == TLS13_ALERT_RECORD_LEN) {
            if (from == TD_SERVER || c->dir[TD_CLIENT].post_records == 1) {
                encrypted_msg(c, from, TD_M_ALERT, 0, true, at);
                after_handshake_alert(c, from);
                return;
            }
        }
    }
    appdata(c, from, at);
}

static void http_line(struct td_tls_conn *c, enum td_role from, const struct td_buf *t, const struct td_at *at);

/* The server's first decrypted answer: its HTTP status line, and nginx's
 * pages for a refused client certificate (ssl_verify_client on answers with
 * HTTP 400 after a completed handshake rather than an alert). */
static void decrypted_answer(struct td_tls_conn *c, const uint8_t *p, size_t n, const struct td_at *at)
{
    static const char *const pages[] = {"No required SSL certificate was sent", "The SSL certificate error",
                                        "SSL certificate error"};
    struct td_buf t = {(uint8_t *)p, n < 512 ? n : 512, 0};
    http_line(c, TD_SERVER, &t, at);
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

/* An encrypted record opened with the key log's keys: its content goes
 * where the same content in clear would have gone. false when it does not
 * open (the record is then shown as encrypted, as without keys). */
static bool decrypted_record(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
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
            malformed(c, from, at, d->rec_offset, "record", "decrypted record without a content type");
            return true;
        }
        type = d->rec.data[--n];
    }
    c->decrypting = true;
    switch (type) {
    case TD_CT_HANDSHAKE:
        if (d->hs.len + n > c->lim->hs_message_max + 4) {
            malformed(c, from, at, d->rec_offset, "handshake", "reassembly buffer limit reached");
            break;
        }
        if (d->hs.len == 0) {
            d->hs_offset = d->rec_offset;
        }
        td_buf_append(&d->hs, d->rec.data, n);
        d->appdata = NULL;
        drain_handshake(c, from, at);
        break;
    case TD_CT_ALERT:
        for (size_t i = 0; i + 1 < n; i += 2) {
            d->alert[0] = d->rec.data[i];
            d->alert[1] = d->rec.data[i + 1];
            on_alert(c, from, at);
        }
        if (c->complete && ++d->post_records == 1) {
            /* Closing before any data is the same tell in clear (close_notify
             * right after the handshake: curl after its own name check). */
            after_handshake_alert(c, from);
            if (c->note && from == TD_CLIENT) {
                c->note = "the client closed right after the handshake, before sending any data: it may have "
                          "rejected the server's certificate or name after the handshake";
            }
        }
        d->appdata = NULL;
        break;
    case TD_CT_APPLICATION_DATA:
        if (c->complete) {
            d->post_records++;
        }
        if (from == TD_SERVER && d->post_records == 1) {
            decrypted_answer(c, d->rec.data, n, at);
        }
        appdata(c, from, at);
        if (d->appdata) {
            d->appdata->decrypted = true;
        }
        break;
    default:
        malformed(c, from, at, d->rec_offset, "record", "decrypted record of an unexpected content type");
        break;
    }
    c->decrypting = false;
    if (d->switch_keys) {
        keys_after_finished(c, from);
    }
    check_complete(c);
    return true;
}

static void end_record(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    struct td_msg *m;
    if (d->rec_encrypted && d->dec && !d->dec_bad && decrypted_record(c, from, at)) {
        return;
    }
    switch (d->rec_type) {
    case TD_CT_CHANGE_CIPHER_SPEC:
        m = add_msg(c, TD_M_CCS, from, at);
        if (m) {
            m->offset = d->rec_offset;
            m->length = d->rec_len;
            m->record_version = d->rec_version;
        }
        d->ccs = true;
        d->appdata = NULL;
        keys_after_ccs(c, from);
        break;
    case TD_CT_ALERT:
        if (d->rec_encrypted) {
            encrypted_msg(c, from, TD_M_ALERT, 0, false, at);
            if (!c->complete) {
                fail(c, "encrypted alert during the handshake");
            } else if (++d->post_records == 1) {
                after_handshake_alert(c, from);
            }
        }
        break; /* plaintext alerts are emitted as their bytes arrive */
    case TD_CT_HANDSHAKE:
        if (d->rec_encrypted) {
            /* RFC 5246 7.4.9: the first message after ChangeCipherSpec is Finished. */
            encrypted_msg(c, from, TD_M_ENC_HANDSHAKE, d->finished ? 0 : TD_HS_FINISHED, !d->finished, at);
            d->finished = true;
            check_complete(c);
        } else {
            d->appdata = NULL;
            drain_handshake(c, from, at);
        }
        break;
    case TD_CT_APPLICATION_DATA:
        end_appdata_record(c, from, at);
        break;
    case TD_CT_HEARTBEAT:
        m = add_msg(c, TD_M_HEARTBEAT, from, at);
        if (m) {
            m->length = d->rec_len;
            m->offset = d->rec_offset;
        }
        break;
    default:
        break;
    }
    check_complete(c);
}

static void feed_tls(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    while (n > 0 && d->mode == TD_DIR_TLS) {
        if (d->hdr_len < 5) {
            size_t take = 5 - d->hdr_len < n ? 5 - d->hdr_len : n;
            td_memcopy(d->hdr + d->hdr_len, p, take);
            d->hdr_len += take;
            d->offset += take;
            p += take;
            n -= take;
            if (d->hdr_len < 5) {
                return;
            }
            d->rec_len = (uint32_t)(d->hdr[3] << 8 | d->hdr[4]);
            start_record(c, from, at);
            if (d->mode != TD_DIR_TLS) {
                return;
            }
        }
        size_t take = d->rec_left < n ? d->rec_left : n;
        if (!d->rec_encrypted && d->rec_type == TD_CT_HANDSHAKE && d->hs_skip) {
            /* the rest of a handshake message a gap cut: known length, dropped */
            size_t drop = take < d->hs_skip ? take : d->hs_skip;
            d->hs_skip -= (uint32_t)drop;
            if (!c->complete) {
                d->resync_skipped += drop;
            }
            d->rec_left -= (uint32_t)drop;
            d->offset += drop;
            p += drop;
            n -= drop;
            if (d->rec_left == 0) {
                d->hdr_len = 0;
                end_record(c, from, at);
            }
            continue;
        }
        if (!d->rec_encrypted && d->rec_type == TD_CT_HANDSHAKE) {
            if (d->hs.len + take > c->lim->hs_message_max + 4) {
                malformed(c, from, at, d->offset, "handshake", "reassembly buffer limit reached");
                return;
            }
            if (d->hs.len == 0) {
                d->hs_offset = d->offset;
            }
            td_buf_append(&d->hs, p, take);
        } else if (d->rec_encrypted && d->dec && !d->dec_bad) {
            td_buf_append(&d->rec, p, take); /* rec_len <= 2^14 + 2048: bounded */
        } else if (!d->rec_encrypted && d->rec_type == TD_CT_ALERT) {
            for (size_t i = 0; i < take; i++) {
                d->alert[d->alert_len++] = p[i];
                if (d->alert_len == 2) {
                    d->alert_len = 0;
                    on_alert(c, from, at);
                }
            }
        }
        d->rec_left -= (uint32_t)take;
        d->offset += take;
        p += take;
        n -= take;
        if (d->rec_left == 0) {
            d->hdr_len = 0;
            end_record(c, from, at);
        }
    }
}

/* SSL 2.0 ERROR codes (draft-hickman-netscape-ssl-00 C) as the TLS alert that means the same. */
static uint8_t ssl2_error_alert(uint16_t code)
{
    switch (code) {
    case 1:
        return 40; /* NO-CIPHER-ERROR: handshake_failure */
    case 2:
        return 41; /* NO-CERTIFICATE-ERROR: no_certificate */
    case 4:
        return 42; /* BAD-CERTIFICATE-ERROR: bad_certificate */
    case 6:
        return 43; /* UNSUPPORTED-CERTIFICATE-TYPE-ERROR: unsupported_certificate */
    default:
        return 40;
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
        /* CLIENT-FINISHED, SERVER-VERIFY, SERVER-FINISHED, then data: all encrypted */
        if (++d->ssl2_enc_records <= 3) {
            struct td_msg *m = add_msg(c, TD_M_ENC_HANDSHAKE, from, at);
            if (m) {
                m->encrypted = true;
                m->length = (uint32_t)len;
                m->offset = offset;
                m->record_version = 0x0002;
            }
        }
        d->finished = true;
        check_complete(c);
        return;
    }
    td_cur_peek_u8(body, 0, &type);
    struct td_msg *m = add_msg(c, TD_M_HANDSHAKE, from, at);
    if (!m) {
        return;
    }
    m->length = (uint32_t)len;
    m->offset = offset;
    m->record_version = 0x0002;
    switch (type) {
    case 1: { /* CLIENT-HELLO */
        m->hs_type = TD_HS_CLIENT_HELLO;
        struct td_client_hello *ch = td_parse_sslv2_client_hello(body, &err, &err_off);
        if (ch) {
            on_client_hello(c, m, ch);
        }
        break;
    }
    case 4: { /* SERVER-HELLO: SSL 2.0 it is, both ways */
        struct td_cur cert;
        m->hs_type = TD_HS_SERVER_HELLO;
        struct td_server_hello *sh = td_parse_sslv2_server_hello(body, &cert, &err, &err_off);
        if (!sh) {
            break;
        }
        m->u.sh = sh;
        c->ssl2 = true;
        c->version = sh->version;
        c->suite = sh->suite;
        c->dir[TD_SERVER].ssl2_keyed = sh->session_id_len != 0; /* a resumed session: keys known */
        if (td_cur_len(&cert) > 0) {
            struct td_msg *cm = add_msg(c, TD_M_HANDSHAKE, from, at);
            if (cm) {
                cm->hs_type = TD_HS_CERTIFICATE;
                cm->length = (uint32_t)td_cur_len(&cert);
                cm->offset = offset;
                cm->record_version = 0x0002;
                cm->u.cert = td_calloc(1, sizeof *cm->u.cert);
                cm->u.cert->certs = td_calloc(1, sizeof *cm->u.cert->certs);
                cm->u.cert->certs[0].p = td_memdup(td_cur_data(&cert), td_cur_len(&cert));
                cm->u.cert->certs[0].len = td_cur_len(&cert);
                cm->u.cert->num_certs = cm->u.cert->num_certs_total = 1;
            }
        }
        break;
    }
    case 2: /* CLIENT-MASTER-KEY: the key exchange; what follows is encrypted both ways */
        m->hs_type = TD_HS_CLIENT_KEY_EXCHANGE;
        set_text(m, "SSLv2 CLIENT-MASTER-KEY");
        c->dir[TD_CLIENT].ssl2_keyed = c->dir[TD_SERVER].ssl2_keyed = true;
        break;
    case 0: { /* ERROR: the SSL 2.0 alert */
        uint16_t code = 0;
        struct td_cur e = *body;
        td_cur_skip(&e, 1);
        td_cur_get_u16(&e, &code);
        m->kind = TD_M_ALERT;
        m->alert_level = 2;
        m->alert_desc = ssl2_error_alert(code);
        set_text(m, "SSLv2 ERROR %u", code);
        c->fatal_alert = true;
        fail(c, "fatal alert");
        break;
    }
    default:
        err = "not an SSL 2.0 handshake message before the keys";
        break;
    }
    if (err) {
        m->kind = TD_M_MALFORMED;
        set_text(m, "SSLv2 record: %s (offset %zu, stream offset %llu)", err, err_off,
                 (unsigned long long)(offset + err_off));
        if (!c->complete) {
            fail(c, "malformed handshake message");
        }
    }
}

/* SSL 2.0 records: a 2-byte header with the top bit set (length up to 32767),
 * or a 3-byte one (length up to 16383, then the padding length). The
 * SSLv2-compatible ClientHello of TLS clients is one such record; after it
 * the client speaks TLS records, unless the server answered in SSL 2.0. */
static void feed_ssl2(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
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
                feed_dir(c, from, p, n, at);
            }
            return;
        }
    }
}

static void sanitize(struct td_buf *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = p[i];
        if (ch == '\r') {
            continue;
        }
        if (ch == '\n') {
            td_buf_puts(out, "\\n");
        } else if (ch >= 0x20 && ch < 0x7f) {
            td_buf_putc(out, (char)ch);
        } else {
            td_buf_printf(out, "\\x%02x", ch);
        }
    }
}

/* The first line of an HTTP/1.x request or response, if the text starts
 * with one (RFC 9112 3, 4): "GET /path HTTP/1.1", "HTTP/1.1 503 Service ...". */
static void http_line(struct td_tls_conn *c, enum td_role from, const struct td_buf *t, const struct td_at *at)
{
    size_t n = 0;
    while (n < t->len && t->data[n] != '\r' && t->data[n] != '\n') {
        n++;
    }
    if (n == t->len) {
        return; /* the line is not complete yet */
    }
    const char *l = (const char *)t->data;
    if (from == TD_SERVER && !c->http_status && n >= 12 && td_mem_eq(l, "HTTP/1.", 7) && l[8] == ' ') {
        uint16_t code = 0;
        for (size_t i = 9; i < 12; i++) {
            if (l[i] < '0' || l[i] > '9') {
                return;
            }
            code = (uint16_t)(code * 10 + (uint16_t)(l[i] - '0'));
        }
        c->http_status = code;
        c->http_status_frame = at->frame;
        c->http_status_ts = at->ts;
        size_t r = n > 13 ? n - 13 : 0;
        r = r < sizeof c->http_reason - 1 ? r : sizeof c->http_reason - 1;
        for (size_t i = 0; i < r; i++) {
            char ch = l[13 + i];
            c->http_reason[i] = ch >= 0x20 && ch < 0x7f ? ch : '?';
        }
        c->http_reason[r] = '\0';
    } else if (from == TD_CLIENT && !c->http_request[0] && n >= 14 && td_mem_eq(l + n - 9, " HTTP/1.", 8)) {
        size_t k = n < sizeof c->http_request - 1 ? n : sizeof c->http_request - 1;
        for (size_t i = 0; i < k; i++) {
            char ch = l[i];
            if (ch < 0x20 || ch >= 0x7f) {
                return;
            }
            c->http_request[i] = ch;
        }
        c->http_request[k] = '\0';
        c->http_request_frame = at->frame;
        c->http_request_ts = at->ts;
    }
}

static bool has_text(const uint8_t *p, size_t n, const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i + len <= n; i++) {
        if (td_mem_eq(p + i, s, len)) {
            return true;
        }
    }
    return false;
}

static void feed_other(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (from == TD_SERVER && d->offset < 4096 && !c->http_said_tls_port) {
        c->http_said_tls_port = has_text(p, n < 4096 ? n : 4096, "plain HTTP request was sent to HTTPS port") ||
                                has_text(p, n < 4096 ? n : 4096, "speaking plain HTTP to an SSL-enabled");
    }
    d->offset += n;
    if (d->text.len < 160) {
        size_t take = n < 160 - d->text.len ? n : 160 - d->text.len;
        struct td_buf t = {0};
        td_buf_append(&t, d->text.data, d->text.len);
        td_buf_append(&t, p, take);
        http_line(c, from, &t, at);
        td_buf_free(&t);
    }
    if (from == TD_SERVER && c->http_status >= 400 && !c->http_tls_hint && c->http_scanned < TD_HTTP_HINT_SCAN) {
        /* A phrase cut by a segment boundary is missed: error pages are
         * small and come in one segment. */
        c->http_tls_hint = td_http_tls_hint(p, n);
        c->http_scanned += (uint32_t)(n < TD_HTTP_HINT_SCAN ? n : TD_HTTP_HINT_SCAN);
    }
    if (d->text.len >= 160) {
        return;
    }
    size_t take = n < 160 - d->text.len ? n : 160 - d->text.len;
    td_buf_append(&d->text, p, take);
    if (!d->text_msg) {
        d->text_msg = add_msg(c, TD_M_NOT_TLS, from, at);
        if (c->tls_seen && !c->complete) {
            fail(c, "the peer does not speak TLS");
        }
    }
    if (d->text_msg) {
        struct td_buf s = {0};
        sanitize(&s, d->text.data, d->text.len);
        free(d->text_msg->text);
        d->text_msg->text = td_strndup(td_buf_cstr(&s), s.len);
        d->text_msg->length = (uint32_t)d->offset;
        td_buf_free(&s);
    }
}

static enum td_dir_mode detect(const uint8_t *p, size_t n, bool *need_more)
{
    *need_more = false;
    if (n < 3) {
        *need_more = true;
        return TD_DIR_DETECT;
    }
    if (p[0] >= TD_CT_CHANGE_CIPHER_SPEC && p[0] <= TD_CT_HEARTBEAT && p[1] == 3 && p[2] <= 4) {
        return TD_DIR_TLS;
    }
    if ((p[0] & 0x80) && p[2] == 1) {
        if (n < 5) {
            *need_more = true;
            return TD_DIR_DETECT;
        }
        if ((p[3] == 3 && p[4] <= 4) || (p[3] == 0 && p[4] == 2)) {
            return TD_DIR_SSL2;
        }
    }
    if ((p[0] & 0x80) && p[2] == 4) { /* SSL 2.0 SERVER-HELLO: hit, cert type, version 0x0002 */
        if (n < 7) {
            *need_more = true;
            return TD_DIR_DETECT;
        }
        if (p[5] == 0 && p[6] == 2) {
            return TD_DIR_SSL2;
        }
    }
    if (p[0] == 0x80 && p[1] == 3 && p[2] == 0) { /* SSL 2.0 ERROR */
        return TD_DIR_SSL2;
    }
    return TD_DIR_OTHER;
}

static void feed_preamble(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at);

static void dispatch(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
{
    switch (c->dir[from].mode) {
    case TD_DIR_PREAMBLE:
        feed_preamble(c, from, p, n, at);
        break;
    case TD_DIR_TLS:
        feed_tls(c, from, p, n, at);
        break;
    case TD_DIR_SSL2:
        feed_ssl2(c, from, p, n, at);
        break;
    case TD_DIR_OTHER:
        feed_other(c, from, p, n, at);
        break;
    default:
        break;
    }
}

/* --- a plain-text preamble before TLS (tls/preamble.c has the protocols) --- */

/* One turn of speech of a side is one ladder step: "SMTP 220 ... STARTTLS". */
static void pre_step(struct td_tls_conn *c, enum td_role from, const char *desc, size_t bytes, uint64_t offset,
                     const struct td_at *at)
{
    struct td_msg *m = c->pre_turn;
    if (!m || m->from != from) {
        if (c->pre_turns >= 16) {
            return; /* a long plain-text session: the first turns tell the story */
        }
        m = add_msg(c, TD_M_PREAMBLE, from, at);
        c->pre_turn = m;
        if (!m) {
            return;
        }
        c->pre_turns++;
        m->offset = offset;
        snprintf(c->pre_turn_first, sizeof c->pre_turn_first, "%s", desc);
        set_text(m, "%s", desc);
    } else if (m->count == 1) {
        set_text(m, "%s ... %s", c->pre_turn_first, desc);
    } else {
        set_text(m, "%s ... (%u more) ... %s", c->pre_turn_first, m->count - 1, desc);
    }
    m->count++;
    m->label = c->pre.name;
    m->length += (uint32_t)bytes;
    m->frame = at->frame;
    m->ts = at->ts;
}

/* Not a preamble after all (or one we lost): what is buffered is plain text. */
static void pre_give_up(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    struct td_buf rest = d->pre;
    td_memzero(&d->pre, sizeof d->pre);
    d->mode = TD_DIR_OTHER;
    if (rest.len > 0) {
        feed_other(c, from, rest.data, rest.len, at);
    }
    td_buf_free(&rest);
}

/* Could these first bytes still begin a TLS record or an SSLv2 hello? */
static bool maybe_tls_start(const uint8_t *p, size_t n)
{
    return n > 0 && ((p[0] >= TD_CT_CHANGE_CIPHER_SPEC && p[0] <= TD_CT_HEARTBEAT) || (p[0] & 0x80));
}

static void feed_preamble(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    td_buf_append(&d->pre, p, n);
    size_t used = 0;
    for (;;) {
        struct td_cur rest;
        td_cur_init(&rest, d->pre.data + used, d->pre.len - used);
        size_t left = td_cur_len(&rest);
        if (left == 0) {
            break;
        }
        /* TLS starts at a message boundary, or not at all. */
        bool need_more = false;
        enum td_dir_mode mode = detect(td_cur_data(&rest), left, &need_more);
        if (need_more && maybe_tls_start(td_cur_data(&rest), left)) {
            break;
        }
        if (!need_more && (mode == TD_DIR_TLS || mode == TD_DIR_SSL2) && (c->pre.proto || used > 0)) {
            struct td_buf tls = {0};
            td_buf_append_slow(&tls, td_cur_data(&rest), left);
            d->offset += used;
            td_buf_free(&d->pre);
            d->mode = TD_DIR_DETECT;
            d->det_len = 0;
            c->pre_turn = NULL;
            feed_dir(c, from, tls.data, tls.len, at);
            td_buf_free(&tls);
            return;
        }
        if (!c->pre.proto) {
            const struct td_pre_proto *pp = NULL;
            enum td_pre_match r = td_pre_match(from, &rest, c->port[TD_SERVER], &pp);
            if (r == TD_PRE_MORE && left < 512) {
                break;
            }
            if (r != TD_PRE_YES) {
                pre_give_up(c, from, at);
                return;
            }
            td_pre_start(&c->pre, pp);
        }
        size_t mlen = td_pre_frame(&c->pre, from, &rest);
        if (mlen == 0) {
            break;
        }
        if (mlen == SIZE_MAX || mlen > left) {
            td_buf_consume(&d->pre, used);
            d->offset += used;
            pre_give_up(c, from, at);
            return;
        }
        struct td_cur msg;
        char desc[100];
        bool was_refused = c->pre.refused;
        td_cur_get_bytes(&rest, &msg, mlen);
        td_pre_message(&c->pre, from, &msg, desc, sizeof desc);
        if (!desc[0]) {
            snprintf(desc, sizeof desc, "(empty line)");
        }
        pre_step(c, from, desc, mlen, d->offset + used, at);
        if (c->pre.refused && !was_refused) {
            c->pre_refused_frame = at->frame;
            fail(c, c->pre.proxy ? "the proxy refused the tunnel" : "the server refused the TLS upgrade");
        }
        used += mlen;
    }
    td_buf_consume(&d->pre, used);
    d->offset += used;
    d->pre_total += n;
    if (d->pre.len > TD_PRE_MSG_MAX || d->pre_total > TD_PRE_TOTAL_MAX) {
        pre_give_up(c, from, at);
    }
}

/* The side stops (FIN, RST, end of capture): bytes still waiting for a
 * recogniser are plain text. */
static void pre_flush(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (d->mode == TD_DIR_DETECT && d->det_len > 0 && c->pre.proto) {
        /* a short last answer (PostgreSQL's one-byte 'N') waits in det: it is the preamble's */
        uint8_t first[sizeof d->det];
        size_t first_len = d->det_len;
        td_memcopy(first, d->det, first_len);
        d->mode = TD_DIR_PREAMBLE;
        feed_preamble(c, from, first, first_len, at);
    }
    if (d->mode == TD_DIR_PREAMBLE && !c->pre.proto && d->pre.len > 0) {
        pre_give_up(c, from, at);
    }
}

/* Bytes of one side, from wherever its mode stands (detection included). */
bool td_tls_resync_ok(const uint8_t *p, size_t n, size_t hs_message_max)
{
    static const uint8_t hs_types[] = {TD_HS_CLIENT_HELLO,         TD_HS_SERVER_HELLO,      TD_HS_NEW_SESSION_TICKET,
                                       TD_HS_ENCRYPTED_EXTENSIONS, TD_HS_CERTIFICATE,       TD_HS_SERVER_KEY_EXCHANGE,
                                       TD_HS_CERTIFICATE_REQUEST,  TD_HS_SERVER_HELLO_DONE, TD_HS_CERTIFICATE_VERIFY,
                                       TD_HS_CLIENT_KEY_EXCHANGE,  TD_HS_FINISHED,          TD_HS_CERTIFICATE_STATUS};
    struct td_cur in;
    uint8_t type, major, minor, hs_type;
    uint16_t len;
    uint32_t hs_len;
    td_cur_init(&in, p, n);
    if (!td_cur_get_u8(&in, &type) || !td_cur_get_u8(&in, &major) || !td_cur_get_u8(&in, &minor) ||
        !td_cur_get_u16(&in, &len)) {
        return false;
    }
    if (type < TD_CT_CHANGE_CIPHER_SPEC || type > TD_CT_HEARTBEAT || major != 3 || minor > 4 || len == 0 ||
        len > TD_RECORD_MAX) {
        return false;
    }
    if (type == TD_CT_CHANGE_CIPHER_SPEC) {
        return len == 1;
    }
    if (type != TD_CT_HANDSHAKE) {
        return true;
    }
    /* An encrypted Finished looks like any handshake record: its first bytes
     * must read as a message that fits, or the next segment is tried. */
    if (!td_cur_get_u8(&in, &hs_type) || !td_cur_get_u24(&in, &hs_len) || hs_len > hs_message_max ||
        (hs_len + 4 > len && len < 16384)) {
        return false;
    }
    for (size_t i = 0; i < sizeof hs_types; i++) {
        if (hs_types[i] == hs_type) {
            return true;
        }
    }
    return false;
}

static void feed_dir(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
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
        enum td_dir_mode mode = detect(d->det, d->det_len, &need_more);
        if (c->ssl2 && (d->det[0] & 0x80 || d->ssl2_keyed)) {
            mode = TD_DIR_SSL2; /* CLIENT-MASTER-KEY and what follows */
            need_more = false;
        }
        if (need_more && take == n && (!c->pre.proto || maybe_tls_start(d->det, d->det_len))) {
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
    feed_dir(c, from, p, n, at);
    check_settled(c);
}

/* A gap inside a plaintext handshake record, within the handshake message
 * being collected: both lengths are known, so the record and the next
 * message still start where they should (Wireshark reads on the same way).
 * Only that message is lost. */
static bool gap_in_handshake_message(struct td_tls_conn *c, enum td_role from, uint64_t bytes, const char *why,
                                     const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (d->mode != TD_DIR_TLS || d->hdr_len != 5 || d->rec_encrypted || d->rec_type != TD_CT_HANDSHAKE ||
        d->rec_left < bytes || d->hs.len < 4 || d->hs_skip) {
        return false;
    }
    struct td_cur h;
    uint8_t type;
    uint32_t len;
    td_cur_init(&h, d->hs.data, d->hs.len);
    if (!td_cur_get_u8(&h, &type) || !td_cur_get_u24(&h, &len) || len > c->lim->hs_message_max) {
        return false;
    }
    uint64_t left = (uint64_t)len + 4 - d->hs.len; /* of this message, not yet seen */
    if (bytes > left) {
        return false; /* the gap reaches into the next message: its start is unknown */
    }
    struct td_msg *m = add_msg(c, TD_M_GAP, from, at);
    if (m) {
        m->offset = d->offset;
        m->length = (uint32_t)bytes;
        set_text(m,
                 "%llu bytes missing from the capture at stream offset %llu (%s); the handshake message of "
                 "type %u being read there is lost, the next one is read",
                 (unsigned long long)bytes, (unsigned long long)d->offset, why, type);
    }
    if (!c->complete) {
        c->gap_in_handshake = true;
        d->resync_skipped += d->hs.len;
    }
    d->hs_skip = (uint32_t)(left - bytes);
    d->hs_offset += d->hs.len + bytes + d->hs_skip;
    td_buf_reset(&d->hs);
    d->rec_left -= (uint32_t)bytes;
    d->offset += bytes;
    if (d->rec_left == 0) {
        d->hdr_len = 0;
        end_record(c, from, at);
    }
    check_settled(c);
    return true;
}

void td_tls_gap(struct td_tls_conn *c, enum td_role from, uint64_t bytes, const char *why, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (c->settled) {
        return;
    }
    c->gaps++;
    /* A gap inside a record we only skip (encrypted data) costs nothing:
     * the record boundary is still known. */
    if (d->mode == TD_DIR_TLS && d->hdr_len == 5 && d->rec_encrypted && d->rec_left >= bytes) {
        d->rec_left -= (uint32_t)bytes;
        d->offset += bytes;
        if (d->rec_left == 0) {
            d->hdr_len = 0;
            end_record(c, from, at);
        }
        check_settled(c);
        return;
    }
    if (d->mode == TD_DIR_PREAMBLE) {
        pre_give_up(c, from, at); /* the next message boundary is lost */
    }
    if (d->mode == TD_DIR_OTHER) {
        d->offset += bytes;
        return;
    }
    if (gap_in_handshake_message(c, from, bytes, why, at)) {
        return;
    }
    /* TLS records resume at the next segment that starts one; the lost start
     * of a direction (DETECT) too, so that its middle is never taken for
     * plain text. */
    bool resync = d->mode == TD_DIR_TLS || d->mode == TD_DIR_DETECT || d->mode == TD_DIR_RESYNC;
    if (!c->complete) {
        c->gap_in_handshake = true;
        if (d->mode == TD_DIR_TLS) {
            /* the record (and handshake message) the gap cut: captured, never readable */
            d->resync_skipped += d->hdr_len + (d->hdr_len == 5 ? d->rec_len - d->rec_left : 0) + d->hs.len;
        }
    }
    bool quiet = d->mode == TD_DIR_RESYNC && c->last && c->last->kind == TD_M_GAP && c->last->from == from;
    struct td_msg *m = quiet ? c->last : add_msg(c, TD_M_GAP, from, at);
    if (m && quiet) {
        uint64_t total = (uint64_t)m->length + bytes;
        m->length = (uint32_t)(total > UINT32_MAX ? UINT32_MAX : total);
        m->frame = at->frame;
    }
    if (m && !quiet) {
        m->offset = d->offset;
        m->length = (uint32_t)(bytes > UINT32_MAX ? UINT32_MAX : bytes);
        set_text(m, "%llu bytes missing from the capture at stream offset %llu (%s); %s", (unsigned long long)bytes,
                 (unsigned long long)d->offset, why,
                 resync ? "decoding resumes at the next segment that starts a record"
                        : "the rest of this direction cannot be decoded");
    }
    d->offset += bytes;
    d->mode = resync ? TD_DIR_RESYNC : TD_DIR_DEAD;
    d->det_len = 0;
    d->hs_skip = 0;
    check_settled(c);
}

void td_tls_flags(struct td_tls_conn *c, enum td_role from, uint8_t flags, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (c->settled) {
        return;
    }
    bool rst = flags & TD_TCP_RST;
    pre_flush(c, from, at);
    if (rst) {
        d->rst = true;
    } else {
        d->fin = true;
    }
    struct td_msg *m = add_msg(c, rst ? TD_M_TCP_RST : TD_M_TCP_FIN, from, at);
    if (m) {
        m->offset = d->offset;
    }
    d->appdata = NULL;
    if (!c->complete && (c->tls_seen || c->dir[TD_CLIENT].mode != TD_DIR_DETECT)) {
        fail(c, rst ? "connection reset during the handshake" : "connection closed during the handshake");
    }
    /* Node.js checks the certificate after the handshake and just closes:
     * no alert at all, only the TCP close, before any data. */
    if (c->complete && from == TD_CLIENT && d->post_records == 0 && !c->dir[TD_SERVER].closed_first && !c->note) {
        c->note = "the client closed the connection right after the handshake, before sending any data: it may "
                  "have rejected the server's certificate or name after the handshake";
    }
    check_settled(c);
}

void td_tls_end(struct td_tls_conn *c, const char *why)
{
    if (!c->settled) {
        struct td_at at = {c->last ? c->last->frame : c->first_frame, c->last ? c->last->ts : c->first_ts};
        pre_flush(c, TD_CLIENT, &at);
        pre_flush(c, TD_SERVER, &at);
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
