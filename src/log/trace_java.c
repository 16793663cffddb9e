/* Java's javax.net.debug handshake traces, rebuilt into messages:
 * JDK 11+ (and 8u261+): "javax.net.ssl|DEBUG|...|Produced ClientHello handshake message (" then a JSON-like
 *   block ("client version", "cipher suites": "[NAME(0x1302), ...]", one "name (type)": { ... } per extension)
 *   closed by ")"; "Consuming ..." for what the peer sent; "Received alert message (" with "level" and
 *   "description"; "Fatal (NAME): words" for an alert the program sends; with javax.net.debug=all also
 *   "Raw write (" / "Raw read (" dumps of the records as sent, fed as they are (the rebuilt ones forgotten).
 * JDK 8 before the new stack (trace_jdk8.c): "*** ClientHello, TLSv1.2", "Cipher Suites: [...]",
 *   "Extension server_name, server_name: [type=host_name (0), value=...]", "main, RECV TLSv1.2 ALERT:  fatal,
 *   handshake_failure", "[Raw write]: length = N" dumps.
 * The program is the client unless it consumed the ClientHello. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "log/internal.h"
#include "log/trace_internal.h"
#include "log/trace_java.h"

#include "base/banned.h"

struct td_log_jtrace *td_log_jtrace_new(void)
{
    struct td_log_jtrace *j = td_calloc(1, sizeof *j);
    j->local = TD_CLIENT;
    j->alert_desc = -1;
    return j;
}

void td_log_jtrace_free(struct td_log_jtrace *j) { free(j); }

bool td_log_jfind(const char *s, size_t n, const char *word, size_t *at)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++) {
        if (td_mem_eq(s + i, word, w)) {
            if (at) {
                *at = i;
            }
            return true;
        }
    }
    return false;
}

/* The text after `key` up to the line's end (trailing quotes, commas and blanks cut). */
bool td_log_jvalue(const char *s, size_t n, const char *key, const char **v, size_t *vn)
{
    size_t at;
    if (!td_log_jfind(s, n, key, &at)) {
        return false;
    }
    size_t i = at + strlen(key);
    while (i < n && (s[i] == ' ' || s[i] == ':' || s[i] == '"' || s[i] == '[')) {
        i++;
    }
    size_t e = n;
    while (e > i && (s[e - 1] == ' ' || s[e - 1] == ',' || s[e - 1] == '"' || s[e - 1] == ']')) {
        e--;
    }
    *v = s + i;
    *vn = e - i;
    return true;
}

/* Every "(0xHHHH)" of s: the suites of "cipher suites" and "cipher suite". */
static void suites_in(struct td_log_msg *m, const char *s, size_t n)
{
    for (size_t i = 0; i + 8 <= n && m->num_suites < TD_LOG_MSG_SUITES; i++) {
        if (s[i] == '(' && s[i + 1] == '0' && s[i + 2] == 'x' && s[i + 7] == ')') {
            char h[5] = {s[i + 3], s[i + 4], s[i + 5], s[i + 6], 0};
            char *end;
            unsigned long v = strtoul(h, &end, 16);
            if (*end == '\0') {
                m->suites[m->num_suites++] = (uint16_t)v;
            }
        }
    }
}

/* An extension whose body is a list of names (groups, schemes, versions) or fixed. */
void td_log_jext(struct td_log_msg *m, uint16_t type, const char *s, size_t n)
{
    uint16_t v[TD_LOG_MSG_LIST];
    size_t k = 0;
    bool sh = m->hs_type == TD_HS_SERVER_HELLO;
    static const struct td_name formats[] = {
        {0, "uncompressed"}, {1, "ansiX962_compressed_prime"}, {2, "ansiX962_compressed_char2"}};
    static const struct td_name modes[] = {{0, "psk_ke"}, {1, "psk_dhe_ke"}};
    static const uint8_t ocsp[] = {1, 0, 0, 0, 0}, reneg[] = {0};
    switch (type) {
    case TD_EXT_SUPPORTED_GROUPS:
        k = td_log_names_in(s, n, td_group_names, td_group_names_len, v, 0, TD_LOG_MSG_LIST);
        td_log_msg_ext_list(m, type, 2, 2, v, k);
        break;
    case TD_EXT_SIGNATURE_ALGORITHMS:
    case TD_EXT_SIGNATURE_ALGORITHMS_CERT:
        k = td_log_names_in(s, n, td_sigscheme_names, td_sigscheme_names_len, v, 0, TD_LOG_MSG_LIST);
        td_log_msg_ext_list(m, type, 2, 2, v, k);
        break;
    case TD_EXT_EC_POINT_FORMATS:
        k = td_log_names_in(s, n, formats, 3, v, 0, TD_LOG_MSG_LIST);
        td_log_msg_ext_list(m, type, 1, 1, v, k);
        break;
    case TD_EXT_PSK_KEY_EXCHANGE_MODES:
        k = td_log_names_in(s, n, modes, 2, v, 0, TD_LOG_MSG_LIST);
        td_log_msg_ext_list(m, type, 1, 1, v, k);
        break;
    case TD_EXT_SUPPORTED_VERSIONS:
        for (size_t i = 0; i < n && k < TD_LOG_MSG_LIST; i++) {
            if ((i == 0 || !isalnum((unsigned char)s[i - 1])) && (s[i] == 'T' || s[i] == 'S')) {
                size_t e = i;
                while (e < n && (isalnum((unsigned char)s[e]) || s[e] == '.')) {
                    e++;
                }
                uint16_t ver = td_log_version_value(s + i, e - i);
                if (ver) {
                    v[k++] = ver;
                }
                i = e;
            }
        }
        m->tls13 |= sh && k > 0 && v[0] == 0x0304;
        td_log_msg_ext_list(m, type, sh ? 0 : 1, 2, v, sh && k > 1 ? 1 : k);
        break;
    case TD_EXT_KEY_SHARE:
        k = td_log_names_in(s, n, td_group_names, td_group_names_len, v, 0, TD_LOG_MSG_LIST);
        td_log_msg_ext_key_share(m, v, k, sh);
        break;
    case TD_EXT_STATUS_REQUEST:
        td_log_msg_ext(m, type, ocsp, sh ? 0 : sizeof ocsp);
        break;
    case TD_EXT_RENEGOTIATION_INFO:
        td_log_msg_ext(m, type, reneg, sizeof reneg);
        break;
    case TD_EXT_EXTENDED_MASTER_SECRET:
    case TD_EXT_SESSION_TICKET:
    case TD_EXT_ENCRYPT_THEN_MAC:
    case TD_EXT_POST_HANDSHAKE_AUTH:
    case TD_EXT_SIGNED_CERTIFICATE_TIMESTAMP:
        td_log_msg_ext(m, type, NULL, 0);
        break;
    default: /* not rebuilt: left out */
        break;
    }
}

/* The extension collected so far, rebuilt. */
static void ext_end(struct td_log_jtrace *j)
{
    if (!j->in_ext) {
        return;
    }
    j->in_ext = false;
    const char *s = j->text;
    size_t n = j->text_len;
    if (j->ext_type == TD_EXT_SERVER_NAME) {
        const char *v;
        size_t vn;
        if (td_log_jvalue(s, n, "value=", &v, &vn)) {
            size_t e = 0;
            while (e < vn && !strchr(" ,]}\n", v[e])) {
                e++;
            }
            td_log_msg_ext_sni(&j->msg, v, e);
        }
    } else if (j->ext_type == TD_EXT_APPLICATION_LAYER_PROTOCOL_NEGOTIATION) {
        size_t at;
        if (td_log_jfind(s, n, "[", &at)) {
            td_log_msg_ext_alpn(&j->msg, s + at, n - at, "[], \n}\"");
        }
    } else {
        td_log_jext(&j->msg, j->ext_type, s, n);
    }
    j->text_len = 0;
}

void td_log_jtext(struct td_log_jtrace *j, const char *s, size_t n)
{
    size_t room = sizeof j->text - j->text_len - 1;
    size_t k = n < room ? n : room;
    td_memcopy(j->text + j->text_len, s, k);
    j->text_len += k;
    if (j->text_len < sizeof j->text - 1) {
        j->text[j->text_len++] = '\n';
    }
}

/* `    "server_name (0)": {`: an extension's first line; its type. */
static bool ext_header(const char *s, size_t n, uint16_t *type)
{
    size_t i = 0;
    while (i < n && s[i] == ' ') {
        i++;
    }
    size_t at;
    if (i >= n || s[i] != '"' || !td_log_jfind(s, n, ")\": {", &at)) {
        return false;
    }
    size_t p = at;
    while (p > i && (isdigit((unsigned char)s[p - 1]) || s[p - 1] == ',')) {
        p--;
    }
    if (p == at || p == 0 || s[p - 1] != '(') {
        return false;
    }
    unsigned long v = 0;
    for (size_t k = p; k < at; k++) {
        v = isdigit((unsigned char)s[k]) ? v * 10 + (unsigned long)(s[k] - '0') : v;
    }
    *type = (uint16_t)v;
    return v <= 0xffff;
}

/* A line inside a message's block. */
static void msg_line(struct td_log_jtrace *j, const char *s, size_t n)
{
    struct td_log_msg *m = &j->msg;
    const char *v;
    size_t vn;
    uint16_t type;
    if (ext_header(s, n, &type)) {
        ext_end(j);
        j->in_ext = true;
        j->ext_type = type;
    } else if (j->in_ext) {
        if (n >= 3 && strncmp(s, "  ]", 3) == 0) {
            ext_end(j);
        } else {
            td_log_jtext(j, s, n);
        }
    } else if (td_log_jvalue(s, n, "\"client version\"", &v, &vn) ||
               td_log_jvalue(s, n, "\"server version\"", &v, &vn)) {
        uint16_t ver = td_log_version_value(v, vn);
        m->version = ver ? ver : m->version;
    } else if (td_log_jfind(s, n, "\"HelloRetryRequest\": {", NULL) ||
               td_log_jfind(s, n, "\"CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C\"", NULL)) {
        m->hrr |= m->hs_type == TD_HS_SERVER_HELLO; /* Java names it, and prints its random */
    } else if (td_log_jfind(s, n, "\"cipher suite", NULL)) {
        suites_in(m, s, n);
    } else if (td_log_jvalue(s, n, "\"supported signature algorithms\"", &v, &vn)) {
        m->num_sigalgs = td_log_names_in(v, vn, td_sigscheme_names, td_sigscheme_names_len, m->sigalgs, 0,
                                         TD_LOG_MSG_LIST);
    } else if (td_log_jfind(s, n, "\"Certificates\": <empty list>", NULL)) {
        j->empty_cert = true;
    }
}

void td_log_jraw(struct td_log_jtrace *j, struct td_log_trace *t, const char *s, size_t n)
{
    uint8_t b[16];
    int k = td_log_dump_line(s, n, b, sizeof b);
    if (k > 0) {
        td_log_trace_raw(t, j->dir, b, (size_t)k, j->line);
    }
}

static void block_end(struct td_log_jtrace *j, struct td_log_trace *t)
{
    if (j->block == JB_MSG) {
        ext_end(j);
        if (j->msg.hs_type != TD_HS_CERTIFICATE || j->empty_cert) {
            td_log_msg_feed(t, &j->msg);
        }
    } else if (j->block == JB_ALERT && j->alert_desc >= 0) {
        td_log_trace_alert(t, j->dir, (uint8_t)(j->alert_level > 0 ? j->alert_level : 2), (uint8_t)j->alert_desc,
                           j->line);
    }
    j->block = JB_NONE;
    j->in_ext = j->empty_cert = false;
    j->text_len = 0;
    j->alert_desc = -1;
}

/* "...|Produced ClientHello handshake message (": the message and its sender. */
static void msg_start(struct td_log_jtrace *j, struct td_log_trace *t, const char *s, size_t n, uint64_t line)
{
    size_t at, end;
    bool produced = td_log_jfind(s, n, "|Produced ", &at);
    if (!produced && !td_log_jfind(s, n, "|Consuming ", &at)) {
        return;
    }
    at += produced ? strlen("|Produced ") : strlen("|Consuming ");
    if (!td_log_jfind(s + at, n - at, " handshake message (", &end)) {
        return;
    }
    j->block = JB_OTHER;
    if (end > 7 && (td_mem_eq(s + at, "client ", 7) || td_mem_eq(s + at, "server ", 7))) {
        at += 7; /* "client Certificate" */
        end -= 7;
    }
    if (end > 5 && td_mem_eq(s + at + end - 5, "(HRR)", 5)) {
        end -= 5; /* "ClientHello(HRR)": the second ClientHello */
    }
    bool hrr = td_log_msg_is_hrr(s + at, end, NULL);
    uint8_t type = hrr ? TD_HS_SERVER_HELLO : td_log_msg_named(s + at, end, NULL);
    if (type) {
        if (type == TD_HS_CLIENT_HELLO) {
            j->local = produced ? TD_CLIENT : TD_SERVER;
            td_log_trace_set_local(t, j->local);
        }
        td_log_msg_begin(&j->msg, type, produced ? j->local : 1 - j->local, line);
        j->msg.hrr = hrr;
        j->block = JB_MSG;
    }
}

/* "Fatal (CERTIFICATE_UNKNOWN): words": the alert the program sends, unless
 * it is the one it received. */
static void fatal_line(struct td_log_jtrace *j, struct td_log_trace *t, const char *s, size_t n, uint64_t line)
{
    size_t at, end;
    if (!td_log_jfind(s, n, "|Fatal (", &at) || td_log_jfind(s, n, "Received fatal alert", NULL)) {
        return;
    }
    at += strlen("|Fatal (");
    if (!td_log_jfind(s + at, n - at, ")", &end)) {
        return;
    }
    uint32_t d;
    if (td_log_name_value(td_alert_names, td_alert_names_len, s + at, end, &d)) {
        td_log_trace_alert(t, j->local, 2, (uint8_t)d, line);
    }
}

static void header_line(struct td_log_jtrace *j, struct td_log_trace *t, const char *s, size_t n, uint64_t line)
{
    j->line = line;
    if (td_log_jfind(s, n, "|Raw write (", NULL) || td_log_jfind(s, n, "|Raw read (", NULL)) {
        j->block = JB_RAW;
        j->dir = td_log_jfind(s, n, "|Raw write (", NULL) ? j->local : 1 - j->local;
    } else if (td_log_jfind(s, n, "|Received alert message (", NULL)) {
        j->block = JB_ALERT;
        j->dir = 1 - j->local;
    } else if (td_log_jfind(s, n, "ChangeCipherSpec message", NULL)) {
        td_log_trace_ccs(t, td_log_jfind(s, n, "|Produced ", NULL) ? j->local : 1 - j->local, line);
    } else if (td_log_jfind(s, n, "|Fatal (", NULL)) {
        fatal_line(j, t, s, n, line);
    } else {
        msg_start(j, t, s, n, line);
    }
    if (j->block == JB_NONE && n > 0 && s[n - 1] == '(') {
        j->block = JB_OTHER; /* a block not read (a certificate's fields, a throwable) */
    }
}

static void alert_line(struct td_log_jtrace *j, const char *s, size_t n)
{
    const char *v;
    size_t vn;
    uint32_t d;
    if (td_log_jvalue(s, n, "\"level\"", &v, &vn)) {
        j->alert_level = vn >= 5 && strncmp(v, "fatal", 5) == 0 ? 2 : 1;
    } else if (td_log_jvalue(s, n, "\"description\"", &v, &vn) &&
               td_log_name_value(td_alert_names, td_alert_names_len, v, vn, &d)) {
        j->alert_desc = (int)d;
    }
}

bool td_log_jtrace_line(struct td_log_jtrace *j, struct td_log_trace *t, const char *s, size_t n, uint64_t line)
{
    if (td_log_jdk8_line(j, t, s, n, line)) {
        return true;
    }
    if (n >= 14 && td_mem_eq(s, "javax.net.ssl|", 14)) {
        block_end(j, t);
        header_line(j, t, s, n, line);
        return true;
    }
    bool in = j->block != JB_NONE;
    if (j->block != JB_NONE && n == 1 && s[0] == ')') {
        block_end(j, t);
    } else if (j->block == JB_MSG) {
        msg_line(j, s, n);
    } else if (j->block == JB_ALERT) {
        alert_line(j, s, n);
    } else if (j->block == JB_RAW) {
        td_log_jraw(j, t, s, n);
    }
    return in;
}
