/* openssl s_client -trace: every record with its header, every message with
 * every field, e.g.
 *     Sent Record
 *     Header:
 *       Version = TLS 1.0 (0x301)
 *       Content Type = Handshake (22)
 *       Length = 312
 *         ClientHello, Length=308
 *           client_version=0x303 (TLS 1.2)
 *           cipher_suites (len=62)
 *             {0x13, 0x02} TLS_AES_256_GCM_SHA384
 *           extensions, length = 173
 *             extension_type=supported_groups(10), length=22
 *               ecdh_x25519 (29)
 *             extension_type=server_name(0), length=16
 *               0000 - 00 0e 00 00 0b 73 65 72-76 65 72 2e 74 65 73   .....server.tes
 *     Received Record
 *       ...
 *         Level=fatal(2), description=unrecognized name(112)
 * Extensions printed as a dump are taken as they are, the others rebuilt
 * from the values in parentheses. The program is the client (s_client)
 * unless it received the ClientHello (s_server): "Sent" is the local side's.
 * A ServerHello with the HelloRetryRequest random (or so named) is one; what
 * follows a TLS 1.3 ServerHello is encrypted on the wire and not fed. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "log/internal.h"
#include "log/trace_internal.h"

#include "base/banned.h"

struct td_log_otrace {
    int local; /* enum td_role of the program that wrote the trace (s_client, s_server) */
    bool sent; /* the record is a "Sent Record" */
    int dir;   /* the record's sender, -1: none */
    int ctype; /* its content type */
    uint64_t line;
    struct td_log_msg msg;
    bool in_ext, empty_cert;
    uint16_t ext_type;
    unsigned long ext_len;
    uint8_t raw[1024]; /* the extension's dump */
    size_t raw_len;
    uint16_t vals[TD_LOG_MSG_LIST]; /* its "(N)" values */
    size_t num_vals;
    char alpn[512];
    size_t alpn_len;
};

struct td_log_otrace *td_log_otrace_new(void)
{
    struct td_log_otrace *o = td_calloc(1, sizeof *o);
    o->dir = -1;
    o->local = TD_CLIENT;
    return o;
}

void td_log_otrace_free(struct td_log_otrace *o) { free(o); }

static bool starts(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    return n >= k && td_mem_eq(s, w, k);
}

/* The number in the parentheses that end the line: "(29)", "(0x0403)". */
static bool last_value(const char *s, size_t n, unsigned long *v)
{
    while (n > 0 && s[n - 1] == ' ') {
        n--;
    }
    if (n < 3 || s[n - 1] != ')') {
        return false;
    }
    size_t p = n - 1;
    while (p > 0 && s[p - 1] != '(') {
        p--;
    }
    if (p == 0 || p == n - 1) {
        return false;
    }
    char b[16];
    size_t k = n - 1 - p;
    if (k >= sizeof b) {
        return false;
    }
    td_memcopy(b, s + p, k);
    b[k] = '\0';
    char *end;
    *v = strtoul(b, &end, 0);
    return *end == '\0' && *v <= 0xffff;
}

static void ext_end(struct td_log_otrace *o)
{
    if (!o->in_ext) {
        return;
    }
    o->in_ext = false;
    struct td_log_msg *m = &o->msg;
    bool sh = m->hs_type == TD_HS_SERVER_HELLO;
    uint16_t t = o->ext_type;
    size_t n = o->num_vals;
    if (o->raw_len > 0 && o->raw_len == o->ext_len) {
        td_log_msg_ext(m, t, o->raw, o->raw_len);
    } else if (o->ext_len == 0) {
        td_log_msg_ext(m, t, NULL, 0);
    } else if (t == TD_EXT_SUPPORTED_GROUPS || t == TD_EXT_SIGNATURE_ALGORITHMS ||
               t == TD_EXT_SIGNATURE_ALGORITHMS_CERT) {
        td_log_msg_ext_list(m, t, 2, 2, o->vals, n);
    } else if (t == TD_EXT_EC_POINT_FORMATS || t == TD_EXT_PSK_KEY_EXCHANGE_MODES) {
        td_log_msg_ext_list(m, t, 1, 1, o->vals, n);
    } else if (t == TD_EXT_SUPPORTED_VERSIONS) {
        m->tls13 |= sh && n > 0 && o->vals[0] == 0x0304;
        td_log_msg_ext_list(m, t, sh ? 0 : 1, 2, o->vals, sh && n > 1 ? 1 : n);
    } else if (t == TD_EXT_KEY_SHARE) {
        td_log_msg_ext_key_share(m, o->vals, n, sh);
    } else if (t == TD_EXT_APPLICATION_LAYER_PROTOCOL_NEGOTIATION) {
        td_log_msg_ext_alpn(m, o->alpn, o->alpn_len, ", ");
    }
}

static void msg_end(struct td_log_otrace *o, struct td_log_trace *t)
{
    ext_end(o);
    if (o->msg.hs_type && (o->msg.hs_type != TD_HS_CERTIFICATE || o->empty_cert)) {
        td_log_msg_feed(t, &o->msg);
    }
    o->msg.hs_type = 0;
    o->empty_cert = false;
}

static void ext_line(struct td_log_otrace *o, const char *s, size_t n)
{
    uint8_t b[16];
    int k = td_log_dump_line(s, n, b, sizeof b);
    unsigned long v;
    if (k > 0) {
        for (int i = 0; i < k && o->raw_len < sizeof o->raw; i++) {
            o->raw[o->raw_len++] = b[i];
        }
    } else if (o->ext_type == TD_EXT_APPLICATION_LAYER_PROTOCOL_NEGOTIATION) {
        while (n > 0 && *s == ' ') {
            s++, n--;
        }
        if (n > 0 && o->alpn_len + n + 1 < sizeof o->alpn) {
            td_memcopy(o->alpn + o->alpn_len, s, n);
            o->alpn_len += n;
            o->alpn[o->alpn_len++] = ',';
        }
    } else if (last_value(s, n, &v) && o->num_vals < TD_LOG_MSG_LIST) {
        o->vals[o->num_vals++] = (uint16_t)v;
    }
}

/* "extension_type=server_name(0), length=16". */
static bool ext_header(struct td_log_otrace *o, const char *s, size_t n)
{
    const char *p = memmem(s, n, "extension_type=", 15);
    const char *q = p ? memmem(p, n - (size_t)(p - s), "), length=", 10) : NULL;
    if (!q) {
        return false;
    }
    unsigned long v;
    if (!last_value(s, (size_t)(q - s) + 1, &v)) {
        return true; /* a header that does not read: the extension is left out */
    }
    ext_end(o);
    o->in_ext = true;
    o->ext_type = (uint16_t)v;
    o->ext_len = strtoul(q + 10, NULL, 10);
    o->raw_len = o->num_vals = o->alpn_len = 0;
    return true;
}

/* "{0x13, 0x02} TLS_AES_256_GCM_SHA384" (a list's line or cipher_suite's). */
static void suite_in(struct td_log_msg *m, const char *s, size_t n)
{
    const char *p = memchr(s, '{', n);
    if (!p || (size_t)(s + n - p) < 12 || m->num_suites >= TD_LOG_MSG_SUITES) {
        return;
    }
    char *end;
    unsigned long hi = strtoul(p + 1, &end, 16);
    if (*end != ',' || hi > 0xff) {
        return;
    }
    unsigned long lo = strtoul(end + 1, &end, 16);
    if (*end == '}' && lo <= 0xff) {
        m->suites[m->num_suites++] = (uint16_t)(hi << 8 | lo);
    }
}

static void msg_line(struct td_log_otrace *o, const char *s, size_t n)
{
    static const char hrr_bytes[] = "random_bytes (len=28): E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C";
    struct td_log_msg *m = &o->msg;
    const char *p;
    unsigned long v;
    if (ext_header(o, s, n)) {
        return;
    }
    if (o->in_ext) {
        ext_line(o, s, n);
    } else if (memmem(s, n, hrr_bytes, sizeof hrr_bytes - 1)) {
        m->hrr |= m->hs_type == TD_HS_SERVER_HELLO; /* the HelloRetryRequest random's last 28 bytes */
    } else if ((p = memmem(s, n, "_version=0x", 11)) != NULL) {
        v = strtoul(p + 9, NULL, 16);
        m->version = v && v <= 0xffff ? (uint16_t)v : m->version;
    } else if (memchr(s, '{', n) && memmem(s, n, "0x", 2)) {
        suite_in(m, s, n);
    } else if (m->hs_type == TD_HS_CERTIFICATE_REQUEST && last_value(s, n, &v) && v > 0xff &&
               m->num_sigalgs < TD_LOG_MSG_LIST) {
        m->sigalgs[m->num_sigalgs++] = (uint16_t)v;
    } else if (memmem(s, n, "certificate_list, length=0", 26)) {
        o->empty_cert = true;
    }
}

/* "    ClientHello, Length=308": a message of the record. */
static bool msg_header(struct td_log_otrace *o, struct td_log_trace *t, const char *s, size_t n, uint64_t line)
{
    size_t i = 0;
    while (i < n && s[i] == ' ') {
        i++;
    }
    if (i != 4 || !memmem(s, n, ", Length=", 9)) {
        return false;
    }
    msg_end(o, t);
    bool hrr = td_log_msg_is_hrr(s + i, n - i, ", Length=");
    uint8_t type = hrr ? TD_HS_SERVER_HELLO : td_log_msg_named(s + i, n - i, ", Length=");
    if (type == TD_HS_CLIENT_HELLO && o->ctype == TD_CT_HANDSHAKE) {
        o->local = o->sent ? TD_CLIENT : TD_SERVER; /* who sent the ClientHello tells who wrote the trace */
        o->dir = TD_CLIENT;
        td_log_trace_set_local(t, o->local);
    }
    if (type && o->ctype == TD_CT_HANDSHAKE) {
        td_log_msg_begin(&o->msg, type, o->dir, line);
        o->msg.hrr = hrr;
    }
    return true;
}

/* A record's header lines, its alert. */
static bool record_line(struct td_log_otrace *o, struct td_log_trace *t, const char *s, size_t n)
{
    unsigned long v;
    const char *p;
    if (starts(s, n, "  Content Type = ") && last_value(s, n, &v) && o->dir >= 0) {
        o->ctype = (int)v;
        if (v == TD_CT_CHANGE_CIPHER_SPEC) {
            td_log_trace_ccs(t, o->dir, o->line);
        }
        return true;
    }
    if (o->ctype == TD_CT_ALERT && starts(s, n, "    Level=") && (p = memmem(s, n, "description=", 12)) != NULL &&
        last_value(s, n, &v) && v <= 0xff) {
        td_log_trace_alert(t, o->dir, s[10] == 'f' ? 2 : 1, (uint8_t)v, o->line);
        return true;
    }
    return false;
}

bool td_log_otrace_line(struct td_log_otrace *o, struct td_log_trace *t, const char *s, size_t n, uint64_t line)
{
    bool sent = starts(s, n, "Sent Record"), recv = starts(s, n, "Received Record");
    if (sent || recv || starts(s, n, "---")) {
        msg_end(o, t);
        o->sent = sent;
        o->dir = sent ? o->local : recv ? 1 - o->local : -1;
        o->ctype = 0;
        o->line = line;
        return o->dir >= 0;
    }
    if (o->dir < 0) {
        return false;
    }
    if (!record_line(o, t, s, n) && !msg_header(o, t, s, n, line) && o->msg.hs_type) {
        msg_line(o, s, n);
    }
    return true;
}
