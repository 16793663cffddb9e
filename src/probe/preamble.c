/* tlsdiag probe, the plain-text talk before TLS (as openssl s_client -starttls
 * and -proxy): an HTTP CONNECT proxy, then SMTP, IMAP, POP3, FTP, LDAP, XMPP,
 * PostgreSQL or MySQL up to the point where the server expects a ClientHello.
 * Each protocol is a small state machine over what the server sends, read into
 * a bounded buffer and parsed with the cursor: the server's bytes are hostile
 * (too long, cut, garbage, silence all end in a finding, never a crash). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/cursor.h"
#include "base/mem.h"
#include "probe/internal.h"

#include "base/banned.h"

/* One answer of the server, at most (a long EHLO reply is about 500 bytes). */
#define TALK_MAX 8192

struct talk {
    struct td_probe_ctx *p;
    int fd;
    const char *proto;
    int64_t deadline;
    uint8_t buf[TALK_MAX + 1]; /* received, not yet consumed; NUL after the last byte */
    size_t len;
};

static const char *const starttls_names[] = {
    [TD_STARTTLS_AUTO] = "auto",   [TD_STARTTLS_NONE] = "none", [TD_STARTTLS_SMTP] = "smtp",
    [TD_STARTTLS_IMAP] = "imap",   [TD_STARTTLS_POP3] = "pop3", [TD_STARTTLS_FTP] = "ftp",
    [TD_STARTTLS_LDAP] = "ldap",   [TD_STARTTLS_XMPP] = "xmpp", [TD_STARTTLS_POSTGRES] = "postgres",
    [TD_STARTTLS_MYSQL] = "mysql",
};

bool td_probe_starttls_parse(const char *name, enum td_probe_starttls *out)
{
    for (size_t i = 0; i < sizeof starttls_names / sizeof starttls_names[0]; i++) {
        if (strcasecmp(name, starttls_names[i]) == 0) {
            *out = (enum td_probe_starttls)i;
            return true;
        }
    }
    return false;
}

const char *td_probe_starttls_name(enum td_probe_starttls s)
{
    return (size_t)s < sizeof starttls_names / sizeof starttls_names[0] ? starttls_names[s] : "?";
}

enum td_probe_starttls td_probe_starttls_for_port(uint16_t port)
{
    static const struct {
        uint16_t port;
        enum td_probe_starttls proto;
    } by_port[] = {
        {25, TD_STARTTLS_SMTP},       {587, TD_STARTTLS_SMTP},   {143, TD_STARTTLS_IMAP},  {110, TD_STARTTLS_POP3},
        {21, TD_STARTTLS_FTP},        {389, TD_STARTTLS_LDAP},   {5222, TD_STARTTLS_XMPP}, {5269, TD_STARTTLS_XMPP},
        {5432, TD_STARTTLS_POSTGRES}, {3306, TD_STARTTLS_MYSQL},
    };
    for (size_t i = 0; i < sizeof by_port / sizeof by_port[0]; i++) {
        if (by_port[i].port == port) {
            return by_port[i].proto;
        }
    }
    return TD_STARTTLS_NONE;
}

static bool fail(struct talk *t, enum td_cause cause, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(struct talk *t, enum td_cause cause, const char *fmt, ...)
{
    struct td_probe_ctx *p = t->p;
    if (p->dial_cause != TD_CAUSE_NONE) {
        return false; /* the first failure tells */
    }
    p->dial_cause = cause;
    int n = snprintf(p->dial_error, sizeof p->dial_error, "%s: ", t->proto);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->dial_error + n, sizeof p->dial_error - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static bool say(struct talk *t, const void *data, size_t len)
{
    if (send(t->fd, data, len, MSG_NOSIGNAL) != (ssize_t)len) {
        return fail(t, TD_CAUSE_TCP_RESET, "the connection broke while sending (%s)", strerror(errno));
    }
    return true;
}

/* More bytes from the server into t->buf; false (with the finding) on
 * silence, a close, a reset or an answer over TALK_MAX. */
static bool fill(struct talk *t)
{
    if (t->len >= TALK_MAX) {
        return fail(t, TD_CAUSE_NOT_TLS, "the server's answer runs over %u bytes without ending", TALK_MAX);
    }
    for (;;) {
        int left = (int)(t->deadline - td_probe_now_ms());
        struct pollfd pf = {t->fd, POLLIN, 0};
        if (left <= 0 || poll(&pf, 1, left) <= 0) {
            return fail(t, TD_CAUSE_NO_RESPONSE, "no answer within %d ms (%zu bytes received)", t->p->o->timeout_ms,
                        t->len);
        }
        ssize_t n = recv(t->fd, t->buf + t->len, TALK_MAX - t->len, 0);
        if (n > 0) {
            t->len += (size_t)n;
            t->buf[t->len] = '\0';
            return true;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        return fail(t, TD_CAUSE_TCP_RESET, "the server closed the connection%s", n < 0 ? " (reset)" : "");
    }
}

/* Drops the first n bytes of t->buf (consumed). */
static void consume(struct talk *t, size_t n)
{
    td_memmove(t->buf, t->buf + n, t->len - n);
    t->len -= n;
    t->buf[t->len] = '\0';
}

/* The index of word in t->buf at or after from; false when absent. */
static bool find(const struct talk *t, const char *word, size_t from, size_t *out_at)
{
    size_t n = strlen(word);
    for (size_t i = from; n && i + n <= t->len; i++) {
        if (td_mem_eq(&t->buf[i], word, n)) {
            *out_at = i;
            return true;
        }
    }
    return false;
}

/* One line (without its CR LF) into line, NUL-terminated, consumed. Control
 * bytes are shown as '.', so that the line can go into a message. */
static bool get_line(struct talk *t, char *line, size_t cap)
{
    for (;;) {
        struct td_cur c;
        td_cur_init(&c, t->buf, t->len);
        size_t n = 0;
        uint8_t ch = 0;
        while (td_cur_get_u8(&c, &ch) && ch != '\n') {
            n++;
        }
        if (ch == '\n') {
            size_t k = 0;
            for (size_t i = 0; i < n && k + 1 < cap; i++) {
                uint8_t b = t->buf[i];
                if (b != '\r') {
                    line[k++] = (b < 0x20 || b > 0x7e) ? '.' : (char)b;
                }
            }
            line[k] = '\0';
            consume(t, n + 1);
            return true;
        }
        if (!fill(t)) {
            return false;
        }
    }
}

/* A reply of numbered lines (SMTP, FTP: "250-first", "250 last"): its code,
 * its last line in last, and whether any line holds WORD (NULL: none wanted). */
static bool get_reply(struct talk *t, int *code, char *last, size_t cap, const char *word, bool *has_word)
{
    char line[512];
    for (int lines = 0; lines < 100; lines++) {
        if (!get_line(t, line, sizeof line)) {
            return false;
        }
        if (word && strcasestr(line, word)) {
            *has_word = true;
        }
        bool digits = line[0] >= '1' && line[0] <= '5' && line[1] >= '0' && line[1] <= '9' && line[2] >= '0' &&
                      line[2] <= '9';
        if (!digits) {
            return fail(t, TD_CAUSE_NOT_TLS, "the server does not speak %s: \"%.80s\"", t->proto, line);
        }
        if (line[3] != '-') {
            *code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
            td_strcopy(last, cap, line);
            return true;
        }
    }
    return fail(t, TD_CAUSE_NOT_TLS, "a reply of more than 100 lines");
}

static bool refused(struct talk *t, const char *answer)
{
    snprintf(t->p->r->upgrade, sizeof t->p->r->upgrade, "%.199s", answer);
    return fail(t, TD_CAUSE_UPGRADE_REFUSED, "the server refused to start TLS: \"%.150s\"", answer);
}

static bool accepted(struct talk *t, const char *answer)
{
    snprintf(t->p->r->upgrade, sizeof t->p->r->upgrade, "%.199s", answer);
    return true;
}

/* SMTP (RFC 3207) and FTP (RFC 4217): greeting, [EHLO], the command, its reply. */
static bool numbered(struct talk *t, bool smtp)
{
    int code = 0;
    char last[512];
    bool offered = false;
    if (!get_reply(t, &code, last, sizeof last, NULL, NULL)) {
        return false;
    }
    if (code != 220) {
        return refused(t, last);
    }
    if (smtp) {
        static const char ehlo[] = "EHLO tlsdiag.invalid\r\n";
        if (!say(t, ehlo, sizeof ehlo - 1) || !get_reply(t, &code, last, sizeof last, "STARTTLS", &offered)) {
            return false;
        }
        if (code != 250 || !offered) {
            return refused(t, code != 250 ? last : "STARTTLS not among the EHLO extensions");
        }
    }
    const char *cmd = smtp ? "STARTTLS\r\n" : "AUTH TLS\r\n";
    if (!say(t, cmd, strlen(cmd)) || !get_reply(t, &code, last, sizeof last, NULL, NULL)) {
        return false;
    }
    return code == (smtp ? 220 : 234) ? accepted(t, last) : refused(t, last);
}

/* IMAP (RFC 3501 6.2.1) and POP3 (RFC 2595 4): greeting, the command, its status. */
static bool tagged(struct talk *t, bool imap)
{
    char line[512];
    if (!get_line(t, line, sizeof line)) {
        return false;
    }
    if (strncmp(line, imap ? "* OK" : "+OK", imap ? 4 : 3) != 0) {
        return fail(t, TD_CAUSE_NOT_TLS, "the server does not greet as %s: \"%.80s\"", t->proto, line);
    }
    const char *cmd = imap ? "td1 STARTTLS\r\n" : "STLS\r\n";
    if (!say(t, cmd, strlen(cmd))) {
        return false;
    }
    for (int lines = 0; lines < 100; lines++) {
        if (!get_line(t, line, sizeof line)) {
            return false;
        }
        if (imap && strncmp(line, "td1 ", 4) != 0) {
            continue; /* untagged data before the status */
        }
        bool ok = strncmp(line, imap ? "td1 OK" : "+OK", imap ? 6 : 3) == 0;
        return ok ? accepted(t, line) : refused(t, line);
    }
    return fail(t, TD_CAUSE_NOT_TLS, "no tagged status after 100 lines");
}

/* PostgreSQL SSLRequest (protocol 3, 53.2.10): 'S' goes on, 'N' refuses. */
static bool postgres(struct talk *t)
{
    static const uint8_t ssl_request[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
    if (!say(t, ssl_request, sizeof ssl_request) || !fill(t)) {
        return false;
    }
    uint8_t b = t->buf[0];
    if (t->len != 1 && b == 'S') {
        return fail(t, TD_CAUSE_NOT_TLS, "%zu bytes after 'S' before the handshake", t->len - 1);
    }
    consume(t, 1);
    return b == 'S'   ? accepted(t, "S (SSL accepted)")
           : b == 'N' ? refused(t, "N (SSL not supported: ssl = off)")
                      : fail(t, TD_CAUSE_NOT_TLS, "answer 0x%02x to the SSLRequest, not S or N", b);
}

/* Reads one MySQL packet (3-byte little-endian length, sequence id) into pl. */
static bool mysql_packet(struct talk *t, struct td_cur *pl, size_t *out_total)
{
    for (;;) {
        struct td_cur c;
        td_cur_init(&c, t->buf, t->len);
        uint8_t l0, l1, l2, seq;
        if (td_cur_get_u8(&c, &l0) && td_cur_get_u8(&c, &l1) && td_cur_get_u8(&c, &l2) && td_cur_get_u8(&c, &seq)) {
            size_t len = (size_t)l0 | (size_t)l1 << 8 | (size_t)l2 << 16;
            if (len > TALK_MAX - 4) {
                return fail(t, TD_CAUSE_NOT_TLS, "a greeting of %zu bytes", len);
            }
            if (td_cur_get_bytes(&c, pl, len)) {
                *out_total = 4 + len;
                return true; /* pl points into t->buf, read before the next fill */
            }
        }
        if (!fill(t)) {
            return false;
        }
    }
}

/* MySQL: the server's Handshake v10 must set CLIENT_SSL; the client answers
 * with an SSLRequest (capabilities, max packet, charset, 23 zero bytes). */
static bool mysql(struct talk *t)
{
    enum { CLIENT_PROTOCOL_41 = 0x200, CLIENT_SSL = 0x800, CLIENT_SECURE_CONNECTION = 0x8000 };
    struct td_cur pl = {0}, ver;
    uint8_t proto, lo, hi;
    size_t total = 0;
    if (!mysql_packet(t, &pl, &total)) {
        return false;
    }
    if (!td_cur_get_u8(&pl, &proto) || proto == 0xff) {
        return refused(t, "an error packet instead of the greeting");
    }
    size_t vlen = 0;
    td_cur_init(&ver, td_cur_data(&pl), td_cur_len(&pl));
    uint8_t ch = 1;
    while (td_cur_get_u8(&pl, &ch) && ch != 0) {
        vlen++;
    }
    /* thread id (4), auth-plugin-data part 1 (8), filler (1), capabilities (2, low) */
    if (proto != 10 || ch != 0 || !td_cur_skip(&pl, 13) || !td_cur_get_u8(&pl, &lo) || !td_cur_get_u8(&pl, &hi)) {
        return fail(t, TD_CAUSE_NOT_TLS, "not a MySQL protocol 10 greeting");
    }
    char version[64];
    snprintf(version, sizeof version, "%.*s", (int)(vlen < 40 ? vlen : 40), (const char *)td_cur_data(&ver));
    uint16_t caps = (uint16_t)(lo | hi << 8);
    if (!(caps & CLIENT_SSL)) {
        return refused(t, "the greeting does not offer CLIENT_SSL (SSL not enabled)");
    }
    uint8_t req[36] = {32, 0, 0, 1};
    uint32_t want = CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_SECURE_CONNECTION;
    req[4] = (uint8_t)want, req[5] = (uint8_t)(want >> 8), req[6] = (uint8_t)(want >> 16);
    req[10] = 0x01; /* max packet 16 MiB */
    req[12] = 33;   /* utf8_general_ci */
    consume(t, total);
    char answer[100];
    snprintf(answer, sizeof answer, "server %s offers CLIENT_SSL", version);
    return say(t, req, sizeof req) && accepted(t, answer);
}

/* LDAP StartTLS (RFC 4511 4.14): an ExtendedRequest with the StartTLS OID,
 * answered by an ExtendedResponse whose resultCode is success (0). */
static bool ber_get(struct td_cur *c, uint8_t want_tag, struct td_cur *out)
{
    uint8_t tag, l0;
    uint32_t len = 0;
    if (!td_cur_get_u8(c, &tag) || tag != want_tag || !td_cur_get_u8(c, &l0)) {
        return false;
    }
    if (l0 < 0x80) {
        len = l0;
    } else if (l0 == 0x81 || l0 == 0x82) {
        uint8_t b;
        for (int i = 0; i < (l0 & 0x7f); i++) {
            if (!td_cur_get_u8(c, &b)) {
                return false;
            }
            len = len << 8 | b;
        }
    } else {
        return false;
    }
    return td_cur_get_bytes(c, out, len);
}

static bool ldap(struct talk *t)
{
    static const char oid[] = "1.3.6.1.4.1.1466.20037";
    uint8_t req[64] = {0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16};
    td_memcopy(req + 9, oid, sizeof oid - 1);
    if (!say(t, req, 9 + sizeof oid - 1)) {
        return false;
    }
    for (;;) {
        struct td_cur c, msg, resp, code;
        td_cur_init(&c, t->buf, t->len);
        if (ber_get(&c, 0x30, &msg)) {
            struct td_cur id;
            uint8_t rc;
            if (!ber_get(&msg, 0x02, &id) || !ber_get(&msg, 0x78, &resp) || !ber_get(&resp, 0x0a, &code) ||
                !td_cur_get_u8(&code, &rc)) {
                return fail(t, TD_CAUSE_NOT_TLS, "not an LDAP ExtendedResponse (offset %zu)", td_cur_offset(&c));
            }
            consume(t, td_cur_offset(&c));
            char answer[80];
            snprintf(answer, sizeof answer, "resultCode %u%s", rc,
                     rc == 0   ? " (success)"
                     : rc == 2 ? " (protocolError: StartTLS not supported)"
                               : "");
            return rc == 0 ? accepted(t, answer) : refused(t, answer);
        }
        bool bad_len = t->len >= 2 && t->buf[1] > 0x82; /* lengths over 64 KiB: not a StartTLS answer */
        if (t->len >= 2 && (t->buf[0] != 0x30 || bad_len)) {
            return fail(t, TD_CAUSE_NOT_TLS, "the server does not answer in LDAP (bytes 0x%02x 0x%02x)", t->buf[0],
                        t->buf[1]);
        }
        if (!fill(t)) {
            return false;
        }
    }
}

/* Reads until one of the strings is in t->buf; its index, or -1 (failed). */
static int until(struct talk *t, const char *const *words, size_t n)
{
    for (;;) {
        for (size_t i = 0; i < n; i++) {
            if (strstr((const char *)t->buf, words[i])) {
                return (int)i;
            }
        }
        if (!fill(t)) {
            return -1;
        }
    }
}

/* XMPP (RFC 6120 5.4): the stream header, <starttls/> among the features, then <proceed/>. */
static bool xmpp(struct talk *t)
{
    char open[400];
    int n = snprintf(open, sizeof open,
                     "<?xml version='1.0'?><stream:stream to='%s' xmlns='jabber:client' "
                     "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>",
                     t->p->sni ? t->p->sni : t->p->r->host);
    static const char *const features[] = {"</stream:features>", "<stream:features/>", "</stream:stream>"};
    int f = say(t, open, (size_t)n) ? until(t, features, 3) : -1;
    size_t at = 0;
    if (f < 0 || !find(t, features[f], 0, &at)) {
        return false;
    }
    if (!strstr((const char *)t->buf, "<starttls")) {
        return refused(t, "<starttls/> not among the stream features");
    }
    consume(t, at + strlen(features[f]));
    static const char start[] = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
    static const char *const answers[] = {"<proceed", "<failure", "</stream:stream>"};
    if (!say(t, start, sizeof start - 1)) {
        return false;
    }
    int a = until(t, answers, 3);
    if (a != 0) {
        return a < 0 ? false : refused(t, a == 1 ? "<failure/>" : "</stream:stream>");
    }
    /* the element, whole (<proceed .../> or <proceed ...></proceed>): TLS starts after it */
    size_t p0 = 0, e = 0;
    while (!find(t, "<proceed", 0, &p0) || !find(t, ">", p0, &e) ||
           (t->buf[e - 1] != '/' && !find(t, "</proceed>", p0, &e))) {
        if (!fill(t)) {
            return false;
        }
    }
    consume(t, e + (t->buf[e] == '>' ? 1 : strlen("</proceed>")));
    return accepted(t, "<proceed/>");
}

bool td_probe_starttls(struct td_probe_ctx *p, int fd)
{
    struct talk *t = td_calloc(1, sizeof *t);
    t->p = p;
    t->fd = fd;
    t->proto = td_probe_starttls_name(p->starttls);
    t->deadline = td_probe_now_ms() + p->o->timeout_ms;
    bool ok = false;
    switch (p->starttls) {
    case TD_STARTTLS_SMTP:
    case TD_STARTTLS_FTP:
        ok = numbered(t, p->starttls == TD_STARTTLS_SMTP);
        break;
    case TD_STARTTLS_IMAP:
    case TD_STARTTLS_POP3:
        ok = tagged(t, p->starttls == TD_STARTTLS_IMAP);
        break;
    case TD_STARTTLS_LDAP:
        ok = ldap(t);
        break;
    case TD_STARTTLS_XMPP:
        ok = xmpp(t);
        break;
    case TD_STARTTLS_POSTGRES:
        ok = postgres(t);
        break;
    case TD_STARTTLS_MYSQL:
        ok = mysql(t);
        break;
    default:
        ok = true;
        break;
    }
    if (ok && t->len > 0) {
        ok = fail(t, TD_CAUSE_NOT_TLS, "%zu unexpected bytes after the server agreed to start TLS", t->len);
    }
    free(t);
    return ok;
}

/* HTTP CONNECT (RFC 9110 9.3.6): a 2xx status opens the tunnel. */
bool td_probe_proxy_connect(struct td_probe_ctx *p, int fd)
{
    struct talk *t = td_calloc(1, sizeof *t);
    t->p = p;
    t->fd = fd;
    t->proto = "proxy";
    t->deadline = td_probe_now_ms() + p->o->timeout_ms;
    char req[700], line[512], status[512] = "";
    const char *h = p->r->host;
    bool v6 = strchr(h, ':') != NULL;
    int n = snprintf(req, sizeof req, "CONNECT %s%s%s:%u HTTP/1.1\r\nHost: %s%s%s:%u\r\n\r\n", v6 ? "[" : "", h,
                     v6 ? "]" : "", p->r->port, v6 ? "[" : "", h, v6 ? "]" : "", p->r->port);
    bool ok = say(t, req, (size_t)n) && get_line(t, status, sizeof status);
    for (int lines = 0; ok && lines < 100; lines++) { /* the headers, to the empty line */
        ok = get_line(t, line, sizeof line);
        if (ok && !line[0]) {
            break;
        }
    }
    if (ok && !(strncmp(status, "HTTP/1.", 7) == 0 && status[8] == ' ' && status[9] == '2')) {
        ok = fail(t, TD_CAUSE_PROXY_REFUSED, "the proxy %s refused CONNECT %s:%u: \"%.120s\"", p->o->proxy, h,
                  p->r->port, status);
    }
    if (ok && t->len > 0) {
        ok = fail(t, TD_CAUSE_NOT_TLS, "%zu bytes from the proxy after its answer", t->len);
    }
    free(t);
    return ok;
}
