/* Preambles before TLS: one row per protocol (see preamble.h). */
#include <stdio.h>
#include <string.h>

#include "tls/preamble.h"

#include "base/banned.h"

struct td_pre_proto {
    const char *name;
    bool proxy;
    /* first bytes of one side -> is it this protocol? */
    enum td_pre_match (*match)(enum td_role from, const struct td_cur *in, uint16_t port);
    /* length of the next whole message (0: need more, SIZE_MAX: not this protocol) */
    size_t (*frame)(const struct td_preamble *pr, enum td_role from, const struct td_cur *in);
    /* what a whole message means */
    void (*message)(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len);
};

/* ---- helpers over the cursor ---- */

static bool byte_at(const struct td_cur *c, size_t i, uint8_t *out) { return td_cur_peek_u8(c, i, out); }

static char lower(uint8_t ch) { return (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch); }

/* Does c start with s (ASCII, case-insensitive)? TD_PRE_MORE when c is a
 * proper prefix of s. */
static enum td_pre_match prefix_ci(const struct td_cur *c, size_t at, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = 0;
        if (!byte_at(c, at + i, &ch)) {
            return TD_PRE_MORE;
        }
        if (lower(ch) != lower((uint8_t)s[i])) {
            return TD_PRE_NO;
        }
    }
    return TD_PRE_YES;
}

static bool has_prefix_ci(const struct td_cur *c, size_t at, const char *s) { return prefix_ci(c, at, s) == TD_PRE_YES; }

/* Is s somewhere in the first `within` bytes of c? */
static bool contains_ci(const struct td_cur *c, const char *s, size_t within)
{
    size_t n = td_cur_len(c) < within ? td_cur_len(c) : within;
    for (size_t i = 0; i < n; i++) {
        if (has_prefix_ci(c, i, s)) {
            return true;
        }
    }
    return false;
}

/* Length of the line at the start of c, '\n' included: 0 when incomplete. */
static size_t line_len(const struct td_cur *c)
{
    size_t n = td_cur_len(c);
    for (size_t i = 0; i < n && i < TD_PRE_MSG_MAX; i++) {
        uint8_t ch = 0;
        byte_at(c, i, &ch);
        if (ch == '\n') {
            return i + 1;
        }
        if (ch == 0) {
            return SIZE_MAX; /* text protocols carry no NUL */
        }
    }
    return n >= TD_PRE_MSG_MAX ? SIZE_MAX : 0;
}

static size_t frame_line(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    (void)pr;
    (void)from;
    return line_len(in);
}

/* A printable copy of the message (a line without its CR LF). */
static void printable(const struct td_cur *msg, char *out, size_t len)
{
    size_t k = 0, n = td_cur_len(msg);
    for (size_t i = 0; i < n && k + 5 < len; i++) {
        uint8_t ch = 0;
        byte_at(msg, i, &ch);
        if (ch == '\r' || ch == '\n') {
            continue;
        }
        if (ch >= 0x20 && ch < 0x7f) {
            out[k++] = (char)ch;
        } else {
            k += (size_t)snprintf(out + k, len - k, "\\x%02x", ch);
        }
    }
    if (len > 0) {
        out[k < len ? k : len - 1] = '\0';
    }
}

/* A three-digit reply code at the start (SMTP, FTP; RFC 5321 4.2), 0 if none.
 * *final is false for a continuation line ("250-"). */
static int reply_code(const struct td_cur *c, bool *final)
{
    int code = 0;
    for (size_t i = 0; i < 3; i++) {
        uint8_t ch = 0;
        if (!byte_at(c, i, &ch) || ch < '0' || ch > '9') {
            return 0;
        }
        code = code * 10 + (ch - '0');
    }
    uint8_t sep = ' ';
    byte_at(c, 3, &sep);
    *final = sep != '-';
    return code;
}

static void refuse(struct td_preamble *pr, const char *desc)
{
    if (!pr->refused && !pr->accepted) {
        pr->refused = true;
        snprintf(pr->refusal, sizeof pr->refusal, "%s", desc);
    }
}

/* A server answer to the upgrade request: accepted when ok, refused when not. */
static void answer(struct td_preamble *pr, bool ok, const char *desc)
{
    if (!pr->asked || pr->accepted || pr->refused) {
        return;
    }
    if (ok) {
        pr->accepted = true;
    } else {
        refuse(pr, desc);
    }
}

/* ---- SMTP / LMTP (RFC 3207) and FTP (RFC 4217): reply codes ---- */

static enum td_pre_match greeting_220(const struct td_cur *in, bool want_ftp, uint16_t port)
{
    enum td_pre_match m = prefix_ci(in, 0, "220");
    if (m != TD_PRE_YES) {
        return m;
    }
    size_t l = line_len(in);
    if (l == 0 && td_cur_len(in) < 512) {
        return TD_PRE_MORE; /* the whole greeting line tells SMTP from FTP */
    }
    bool ftp = port == 21 || contains_ci(in, "FTP", l ? l : 512);
    bool smtp = contains_ci(in, "SMTP", l ? l : 512) || contains_ci(in, "LMTP", l ? l : 512);
    if (smtp && !want_ftp) {
        return TD_PRE_YES;
    }
    return ftp == want_ftp ? TD_PRE_YES : TD_PRE_NO;
}

static enum td_pre_match match_smtp(enum td_role from, const struct td_cur *in, uint16_t port)
{
    if (from == TD_SERVER) {
        return greeting_220(in, false, port);
    }
    static const char *const cmds[] = {"EHLO ", "HELO ", "LHLO "};
    enum td_pre_match best = TD_PRE_NO;
    for (size_t i = 0; i < 3; i++) {
        enum td_pre_match m = prefix_ci(in, 0, cmds[i]);
        if (m == TD_PRE_YES) {
            return m;
        }
        if (m == TD_PRE_MORE) {
            best = m;
        }
    }
    return best;
}

static void msg_smtp(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    printable(msg, out, len);
    if (from == TD_CLIENT) {
        if (has_prefix_ci(msg, 0, "LHLO")) {
            pr->name = "LMTP";
        }
        if (has_prefix_ci(msg, 0, "STARTTLS")) {
            pr->asked = true;
        }
        return;
    }
    bool final = true;
    int code = reply_code(msg, &final);
    if (pr->asked && final && code) {
        answer(pr, code == 220, out);
    }
}

static enum td_pre_match match_ftp(enum td_role from, const struct td_cur *in, uint16_t port)
{
    if (from == TD_SERVER) {
        return greeting_220(in, true, port);
    }
    enum td_pre_match a = prefix_ci(in, 0, "AUTH TLS"), b = prefix_ci(in, 0, "AUTH SSL");
    if (a == TD_PRE_YES || b == TD_PRE_YES) {
        return TD_PRE_YES;
    }
    return a == TD_PRE_MORE || b == TD_PRE_MORE ? TD_PRE_MORE : TD_PRE_NO;
}

static void msg_ftp(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    printable(msg, out, len);
    if (from == TD_CLIENT) {
        if (has_prefix_ci(msg, 0, "AUTH TLS") || has_prefix_ci(msg, 0, "AUTH SSL")) {
            pr->asked = true;
        }
        return;
    }
    bool final = true;
    int code = reply_code(msg, &final);
    if (pr->asked && final && code) {
        answer(pr, code == 234, out); /* RFC 4217 4: 234 security data exchange complete */
    }
}

/* ---- IMAP (RFC 3501 6.2.1) ---- */

/* The tag and the command word after it: "a1 STARTTLS". */
static bool imap_command(const struct td_cur *msg, const char *cmd, char *tag, size_t tag_len)
{
    size_t n = td_cur_len(msg), i = 0;
    for (; i < n && i + 1 < tag_len; i++) {
        uint8_t ch = 0;
        byte_at(msg, i, &ch);
        if (ch == ' ') {
            break;
        }
        if (ch < 0x21 || ch > 0x7e) {
            return false;
        }
        if (tag) {
            tag[i] = (char)ch;
        }
    }
    if (i == 0 || i >= n) {
        return false;
    }
    if (tag) {
        tag[i] = '\0';
    }
    return has_prefix_ci(msg, i + 1, cmd);
}

static enum td_pre_match match_imap(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    if (from == TD_SERVER) {
        enum td_pre_match a = prefix_ci(in, 0, "* OK"), b = prefix_ci(in, 0, "* PREAUTH");
        if (a == TD_PRE_YES || b == TD_PRE_YES) {
            return TD_PRE_YES;
        }
        return a == TD_PRE_MORE || b == TD_PRE_MORE ? TD_PRE_MORE : TD_PRE_NO;
    }
    size_t l = line_len(in);
    for (size_t i = 0; i < td_cur_len(in) && i < 64; i++) {
        uint8_t ch = 0;
        byte_at(in, i, &ch);
        if ((ch < 0x20 && ch != '\r' && ch != '\n') || ch > 0x7e) {
            return TD_PRE_NO; /* not a text command */
        }
    }
    if (l == 0) {
        return td_cur_len(in) < 64 ? TD_PRE_MORE : TD_PRE_NO;
    }
    return imap_command(in, "STARTTLS", NULL, 16) || imap_command(in, "CAPABILITY", NULL, 16) ? TD_PRE_YES
                                                                                               : TD_PRE_NO;
}

static void msg_imap(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    printable(msg, out, len);
    if (from == TD_CLIENT) {
        char tag[sizeof pr->tag];
        if (imap_command(msg, "STARTTLS", tag, sizeof tag)) {
            pr->asked = true;
            snprintf(pr->tag, sizeof pr->tag, "%s", tag);
        }
        return;
    }
    if (pr->asked && pr->tag[0] && has_prefix_ci(msg, 0, pr->tag)) {
        size_t t = strlen(pr->tag);
        if (has_prefix_ci(msg, t, " OK")) {
            answer(pr, true, out);
        } else if (has_prefix_ci(msg, t, " NO") || has_prefix_ci(msg, t, " BAD")) {
            answer(pr, false, out);
        }
    }
}

/* ---- POP3 (RFC 2595 4) ---- */

static enum td_pre_match match_pop3(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    if (from == TD_SERVER) {
        return prefix_ci(in, 0, "+OK");
    }
    enum td_pre_match a = prefix_ci(in, 0, "CAPA"), b = prefix_ci(in, 0, "STLS");
    if (a == TD_PRE_YES || b == TD_PRE_YES) {
        return TD_PRE_YES;
    }
    return a == TD_PRE_MORE || b == TD_PRE_MORE ? TD_PRE_MORE : TD_PRE_NO;
}

static void msg_pop3(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    printable(msg, out, len);
    if (from == TD_CLIENT) {
        if (has_prefix_ci(msg, 0, "STLS")) {
            pr->asked = true;
        }
        return;
    }
    if (has_prefix_ci(msg, 0, "+OK")) {
        answer(pr, true, out);
    } else if (has_prefix_ci(msg, 0, "-ERR")) {
        answer(pr, false, out);
    }
}

/* ---- HTTP CONNECT (RFC 9110 9.3.6) ---- */

static enum td_pre_match match_connect(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    return from == TD_CLIENT ? prefix_ci(in, 0, "CONNECT ") : TD_PRE_NO;
}

static void msg_connect(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    printable(msg, out, len);
    if (from == TD_CLIENT) {
        if (has_prefix_ci(msg, 0, "CONNECT ")) {
            pr->asked = true;
        }
        return;
    }
    /* the status line: HTTP/1.x NNN reason */
    if (has_prefix_ci(msg, 0, "HTTP/1.") && pr->asked && !pr->accepted && !pr->refused) {
        uint8_t d;
        bool ok = byte_at(msg, 9, &d) && d == '2';
        answer(pr, ok, out);
    }
}

/* ---- HAProxy PROXY protocol (haproxy doc/proxy-protocol.txt) ---- */

static enum td_pre_match match_proxy1(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    return from == TD_CLIENT ? prefix_ci(in, 0, "PROXY ") : TD_PRE_NO;
}

static void msg_proxy1(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    printable(msg, out, len);
    if (from == TD_CLIENT) {
        pr->asked = pr->accepted = true; /* no answer in this protocol */
    }
}

static const uint8_t proxy2_sig[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

static enum td_pre_match match_proxy2(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    if (from != TD_CLIENT) {
        return TD_PRE_NO;
    }
    for (size_t i = 0; i < sizeof proxy2_sig; i++) {
        uint8_t ch = 0;
        if (!byte_at(in, i, &ch)) {
            return TD_PRE_MORE;
        }
        if (ch != proxy2_sig[i]) {
            return TD_PRE_NO;
        }
    }
    return TD_PRE_YES;
}

/* 12-byte signature, ver_cmd, fam, uint16 len, addresses and TLVs[len]. */
static size_t frame_proxy2(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    (void)pr;
    if (from != TD_CLIENT || pr->msgs[TD_CLIENT] > 0) {
        return SIZE_MAX;
    }
    struct td_cur c = *in;
    uint16_t n;
    if (!td_cur_skip(&c, 14) || !td_cur_get_u16(&c, &n)) {
        return 0;
    }
    return 16 + (size_t)n <= td_cur_len(in) ? 16 + (size_t)n : 0;
}

static void msg_proxy2(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    (void)from;
    uint8_t vc = 0, fam = 0;
    byte_at(msg, 12, &vc);
    byte_at(msg, 13, &fam);
    static const char *const fams[] = {"UNSPEC", "TCP4", "UDP4", "TCP6", "UDP6", "UNIX stream", "UNIX dgram"};
    size_t fi = fam == 0x00 ? 0 : fam == 0x11 ? 1 : fam == 0x12 ? 2 : fam == 0x21 ? 3 : fam == 0x22 ? 4 : fam == 0x31 ? 5 : 6;
    snprintf(out, len, "PROXY v2 header, %s, %s, %zu bytes", (vc & 0x0f) == 1 ? "PROXY" : "LOCAL", fams[fi],
             td_cur_len(msg));
    pr->asked = pr->accepted = true;
}

/* ---- SOCKS4/4a and SOCKS5 (RFC 1928, 1929) ---- */

static enum td_pre_match match_socks4(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    uint8_t v, cmd;
    if (from != TD_CLIENT) {
        return TD_PRE_NO;
    }
    if (!byte_at(in, 0, &v)) {
        return TD_PRE_MORE;
    }
    if (!byte_at(in, 1, &cmd)) {
        return v == 4 ? TD_PRE_MORE : TD_PRE_NO;
    }
    if (v != 4 || (cmd != 1 && cmd != 2)) {
        return TD_PRE_NO;
    }
    return td_cur_len(in) < 9 ? TD_PRE_MORE : TD_PRE_YES;
}

/* Length up to and including the NUL that ends a string at `at`, 0 if none yet. */
static size_t nul_end(const struct td_cur *c, size_t at)
{
    for (size_t i = at; i < td_cur_len(c) && i < at + 256; i++) {
        uint8_t ch = 0;
        byte_at(c, i, &ch);
        if (ch == 0) {
            return i + 1;
        }
    }
    return td_cur_len(c) >= at + 256 ? SIZE_MAX : 0;
}

/* Client: VN CD DSTPORT(2) DSTIP(4) USERID NUL [HOST NUL if DSTIP is 0.0.0.x]. Server: 8 bytes. */
static size_t frame_socks4(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    if (pr->msgs[from] > 0) {
        return SIZE_MAX;
    }
    if (from == TD_SERVER) {
        return td_cur_len(in) >= 8 ? 8 : 0;
    }
    struct td_cur c = *in;
    uint32_t ip;
    if (!td_cur_skip(&c, 4) || !td_cur_get_u32(&c, &ip)) {
        return 0;
    }
    size_t end = nul_end(in, 8);
    if (end == 0 || end == SIZE_MAX || ip == 0 || ip > 255) {
        return end;
    }
    return nul_end(in, end);
}

static void msg_socks4(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    struct td_cur c = *msg;
    uint8_t vn = 0, cd = 0;
    uint16_t port = 0;
    uint8_t ip[4] = {0};
    td_cur_get_u8(&c, &vn);
    td_cur_get_u8(&c, &cd);
    td_cur_get_u16(&c, &port);
    td_cur_copy(&c, ip, 4);
    if (from == TD_CLIENT) {
        pr->asked = true;
        char host[100] = "";
        size_t u = nul_end(msg, 8);
        if (ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0 && u != 0 && u != SIZE_MAX) {
            struct td_cur h = *msg;
            size_t e = nul_end(msg, u);
            if (e != 0 && e != SIZE_MAX && td_cur_skip(&h, u)) {
                h.len = e - 1 - u; /* without its NUL */
                printable(&h, host, sizeof host);
            }
        }
        if (host[0]) {
            snprintf(out, len, "SOCKS4a CONNECT %s:%u", host, port);
        } else {
            snprintf(out, len, "SOCKS4 CONNECT %u.%u.%u.%u:%u", ip[0], ip[1], ip[2], ip[3], port);
        }
        return;
    }
    snprintf(out, len, "SOCKS4 reply 0x%02x (%s)", cd, cd == 0x5a ? "granted" : "rejected or failed");
    answer(pr, cd == 0x5a, out);
}

static enum td_pre_match match_socks5(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    uint8_t v, n;
    if (from != TD_CLIENT) {
        return TD_PRE_NO;
    }
    if (!byte_at(in, 0, &v)) {
        return TD_PRE_MORE;
    }
    if (v != 5) {
        return TD_PRE_NO;
    }
    if (!byte_at(in, 1, &n)) {
        return TD_PRE_MORE;
    }
    if (n == 0 || n > 16) {
        return TD_PRE_NO;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t m;
        if (!byte_at(in, 2 + i, &m)) {
            return TD_PRE_MORE;
        }
        if (m > 0x09 && m < 0x80) {
            return TD_PRE_NO; /* not an IANA SOCKS method nor a private one */
        }
    }
    return TD_PRE_YES;
}

/* VER CMD/REP RSV ATYP ADDR PORT: the address length from ATYP. */
static size_t socks5_request_len(const struct td_cur *in)
{
    uint8_t atyp, n;
    if (!byte_at(in, 3, &atyp)) {
        return 0;
    }
    switch (atyp) {
    case 1:
        return 10;
    case 4:
        return 22;
    case 3:
        if (!byte_at(in, 4, &n)) {
            return 0;
        }
        return 7 + (size_t)n;
    default:
        return SIZE_MAX;
    }
}

static size_t frame_socks5(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    uint32_t k = pr->msgs[from];
    size_t need;
    uint8_t a, b;
    if (from == TD_CLIENT) {
        if (k == 0) {
            if (!byte_at(in, 1, &a)) {
                return 0;
            }
            need = 2 + (size_t)a;
        } else if (k == 1 && pr->socks_method == 2) {
            /* RFC 1929: VER ULEN UNAME PLEN PASSWD */
            if (!byte_at(in, 1, &a) || !byte_at(in, 2 + (size_t)a, &b)) {
                return 0;
            }
            need = 3 + (size_t)a + b;
        } else if (k <= 2) {
            need = socks5_request_len(in);
        } else {
            return SIZE_MAX;
        }
    } else {
        if (k == 0 || (k == 1 && pr->socks_method == 2)) {
            need = 2;
        } else if (k <= 2) {
            need = socks5_request_len(in);
        } else {
            return SIZE_MAX;
        }
    }
    if (need == 0 || need == SIZE_MAX) {
        return need;
    }
    return td_cur_len(in) >= need ? need : 0;
}

static void socks5_addr(const struct td_cur *msg, char *out, size_t len)
{
    struct td_cur c = *msg;
    uint8_t atyp = 0, a[16] = {0}, n = 0;
    uint16_t port = 0;
    td_cur_skip(&c, 3);
    td_cur_get_u8(&c, &atyp);
    if (atyp == 1 && td_cur_copy(&c, a, 4) && td_cur_get_u16(&c, &port)) {
        snprintf(out, len, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3], port);
    } else if (atyp == 4 && td_cur_copy(&c, a, 16) && td_cur_get_u16(&c, &port)) {
        snprintf(out, len, "[%x:%x:%x:%x:%x:%x:%x:%x]:%u", a[0] << 8 | a[1], a[2] << 8 | a[3], a[4] << 8 | a[5],
                 a[6] << 8 | a[7], a[8] << 8 | a[9], a[10] << 8 | a[11], a[12] << 8 | a[13], a[14] << 8 | a[15], port);
    } else if (atyp == 3 && td_cur_get_u8(&c, &n)) {
        struct td_cur h;
        char host[100];
        if (td_cur_get_bytes(&c, &h, n) && td_cur_get_u16(&c, &port)) {
            printable(&h, host, sizeof host);
            snprintf(out, len, "%s:%u", host, port);
        } else {
            snprintf(out, len, "?");
        }
    } else {
        snprintf(out, len, "?");
    }
}

static void msg_socks5(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    uint32_t k = pr->msgs[from];
    uint8_t b1 = 0;
    char addr[160];
    byte_at(msg, 1, &b1);
    if (from == TD_CLIENT) {
        if (k == 0) {
            snprintf(out, len, "SOCKS5 greeting, %u method%s", b1, b1 == 1 ? "" : "s");
        } else if (k == 1 && pr->socks_method == 2) {
            snprintf(out, len, "SOCKS5 username/password authentication");
        } else {
            static const char *const cmds[] = {"?", "CONNECT", "BIND", "UDP ASSOCIATE"};
            socks5_addr(msg, addr, sizeof addr);
            snprintf(out, len, "SOCKS5 %s %s", cmds[b1 <= 3 ? b1 : 0], addr);
            pr->asked = true;
        }
        return;
    }
    if (k == 0) {
        pr->socks_method = b1;
        snprintf(out, len, "SOCKS5 method 0x%02x%s", b1,
                 b1 == 0 ? " (no authentication)" : b1 == 2 ? " (username/password)" : b1 == 0xff ? " (none acceptable)" : "");
        if (b1 == 0xff) {
            pr->asked = true;
            answer(pr, false, out);
        }
    } else if (k == 1 && pr->socks_method == 2) {
        snprintf(out, len, "SOCKS5 authentication %s", b1 == 0 ? "succeeded" : "failed");
        if (b1 != 0) {
            pr->asked = true;
            answer(pr, false, out);
        }
    } else {
        static const char *const reps[] = {"succeeded", "general failure", "not allowed by ruleset",
                                           "network unreachable", "host unreachable", "connection refused",
                                           "TTL expired", "command not supported", "address type not supported"};
        socks5_addr(msg, addr, sizeof addr);
        snprintf(out, len, "SOCKS5 reply %s, bound %s", b1 < 9 ? reps[b1] : "unassigned", addr);
        answer(pr, b1 == 0, out);
    }
}

/* ---- PostgreSQL (protocol 53.2.10: SSLRequest, GSSENCRequest) ---- */

static enum td_pre_match match_pg(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    static const uint8_t ssl[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}, gss[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30};
    if (from != TD_CLIENT) {
        return TD_PRE_NO;
    }
    bool s = true, g = true;
    for (size_t i = 0; i < 8; i++) {
        uint8_t ch = 0;
        if (!byte_at(in, i, &ch)) {
            return s || g ? TD_PRE_MORE : TD_PRE_NO;
        }
        s = s && ch == ssl[i];
        g = g && ch == gss[i];
    }
    return s || g ? TD_PRE_YES : TD_PRE_NO;
}

/* Client: int32 length (itself included) then the body. Server: the one-byte
 * answer to SSLRequest; after 'N' the server speaks the normal protocol. */
static size_t frame_pg(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    if (from == TD_SERVER) {
        if (pr->refused || pr->accepted) {
            return SIZE_MAX;
        }
        return td_cur_len(in) >= 1 ? 1 : 0;
    }
    struct td_cur c = *in;
    uint32_t n;
    if (!td_cur_get_u32(&c, &n)) {
        return 0;
    }
    if (n < 8 || n > TD_PRE_MSG_MAX) {
        return SIZE_MAX;
    }
    return td_cur_len(in) >= n ? n : 0;
}

static void msg_pg(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    uint8_t b = 0;
    if (from == TD_CLIENT) {
        struct td_cur c = *msg;
        uint32_t n = 0, code = 0;
        td_cur_get_u32(&c, &n);
        td_cur_get_u32(&c, &code);
        if (code == 80877103) {
            snprintf(out, len, "SSLRequest");
            pr->asked = true;
        } else if (code == 80877104) {
            snprintf(out, len, "GSSENCRequest");
        } else {
            snprintf(out, len, "startup message, protocol %u.%u, %u bytes", code >> 16, code & 0xffff, n);
        }
        return;
    }
    byte_at(msg, 0, &b);
    if (b == 'S') {
        snprintf(out, len, "S (the server accepts TLS)");
    } else if (b == 'N') {
        snprintf(out, len, "N (the server does not accept TLS)");
    } else if (b == 'G') {
        snprintf(out, len, "G (the server accepts GSSAPI encryption)");
    } else {
        snprintf(out, len, "answer 0x%02x", b);
    }
    answer(pr, b == 'S', out);
}

/* ---- MySQL (Protocol::HandshakeV10, SSLRequest) ---- */

static enum td_pre_match match_mysql(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    uint8_t seq, proto, v;
    if (from != TD_SERVER) {
        return TD_PRE_NO;
    }
    if (td_cur_len(in) < 6) {
        return TD_PRE_MORE;
    }
    byte_at(in, 3, &seq);
    byte_at(in, 4, &proto);
    byte_at(in, 5, &v);
    return seq == 0 && proto == 0x0a && v >= '3' && v <= '9' ? TD_PRE_YES : TD_PRE_NO;
}

/* A packet: uint24 little-endian payload length, uint8 sequence id. */
static size_t frame_mysql(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    (void)pr;
    (void)from;
    uint8_t a = 0, b = 0, c = 0;
    if (!byte_at(in, 0, &a) || !byte_at(in, 1, &b) || !byte_at(in, 2, &c) || td_cur_len(in) < 4) {
        return 0;
    }
    size_t n = 4 + ((size_t)a | (size_t)b << 8 | (size_t)c << 16);
    if (n > TD_PRE_MSG_MAX) {
        return SIZE_MAX;
    }
    return td_cur_len(in) >= n ? n : 0;
}

static void msg_mysql(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    uint8_t f0 = 0, f1 = 0, kind = 0;
    byte_at(msg, 4, &kind);
    if (from == TD_SERVER) {
        if (kind == 0x0a && pr->msgs[TD_SERVER] == 0) {
            char ver[40];
            struct td_cur c = *msg, v;
            td_cur_skip(&c, 5);
            size_t e = nul_end(&c, 0);
            v = c;
            v.len = e && e != SIZE_MAX ? e - 1 : 0;
            printable(&v, ver, sizeof ver);
            snprintf(out, len, "server greeting, version %s", ver);
        } else if (kind == 0xff) {
            snprintf(out, len, "error packet");
            if (pr->asked) {
                answer(pr, false, out);
            }
        } else {
            snprintf(out, len, "packet, %zu bytes", td_cur_len(msg));
        }
        return;
    }
    /* HandshakeResponse41 / SSLRequest: uint32 capability flags, CLIENT_SSL = 0x800 */
    byte_at(msg, 4, &f0);
    byte_at(msg, 5, &f1);
    if (td_cur_len(msg) == 36 && (f1 & 0x08)) {
        snprintf(out, len, "SSL request (capabilities include CLIENT_SSL)");
        pr->asked = true;
    } else {
        snprintf(out, len, "packet, %zu bytes%s", td_cur_len(msg), (f1 & 0x08) ? "" : ", without CLIENT_SSL");
    }
    (void)f0;
}

/* ---- LDAP StartTLS (RFC 4511 4.14) ---- */

static const char ldap_oid[] = "1.3.6.1.4.1.1466.20037";

/* One BER TLV: tag, length (short or long form up to 4 bytes), value. */
static size_t ber_len(const struct td_cur *in)
{
    struct td_cur c = *in;
    uint8_t tag, l;
    if (!td_cur_get_u8(&c, &tag) || !td_cur_get_u8(&c, &l)) {
        return 0;
    }
    size_t hdr = 2, n = l;
    if (l & 0x80) {
        size_t k = l & 0x7f;
        if (k == 0 || k > 4) {
            return SIZE_MAX;
        }
        n = 0;
        for (size_t i = 0; i < k; i++) {
            uint8_t b;
            if (!td_cur_get_u8(&c, &b)) {
                return 0;
            }
            n = n << 8 | b;
        }
        hdr += k;
    }
    if (n > TD_PRE_MSG_MAX) {
        return SIZE_MAX;
    }
    return td_cur_len(in) >= hdr + n ? hdr + n : 0;
}

static enum td_pre_match match_ldap(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    uint8_t t;
    if (from != TD_CLIENT) {
        return TD_PRE_NO;
    }
    if (!byte_at(in, 0, &t)) {
        return TD_PRE_MORE;
    }
    if (t != 0x30) {
        return TD_PRE_NO;
    }
    size_t n = ber_len(in);
    if (n == 0) {
        return td_cur_len(in) < 64 ? TD_PRE_MORE : TD_PRE_NO;
    }
    if (n == SIZE_MAX) {
        return TD_PRE_NO;
    }
    return contains_ci(in, ldap_oid, n) ? TD_PRE_YES : TD_PRE_NO;
}

static size_t frame_ldap(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    (void)pr;
    (void)from;
    uint8_t t;
    if (byte_at(in, 0, &t) && t != 0x30) {
        return SIZE_MAX;
    }
    return ber_len(in);
}

static void msg_ldap(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    size_t n = td_cur_len(msg);
    if (from == TD_CLIENT) {
        if (contains_ci(msg, ldap_oid, n)) {
            snprintf(out, len, "StartTLS extended request");
            pr->asked = true;
        } else {
            snprintf(out, len, "LDAP message, %zu bytes", n);
        }
        return;
    }
    /* ExtendedResponse [APPLICATION 24] = 0x78, then resultCode ENUMERATED (0x0a 0x01 code). */
    for (size_t i = 0; i + 2 < n; i++) {
        uint8_t a = 0, b = 0, c = 0;
        byte_at(msg, i, &a);
        byte_at(msg, i + 1, &b);
        byte_at(msg, i + 2, &c);
        if (a == 0x78 && i + 4 < n) {
            struct td_cur r = *msg;
            td_cur_skip(&r, i);
            size_t h = 2;
            if (b & 0x80) {
                h += b & 0x7f;
            }
            uint8_t e0 = 0, e1 = 0, code = 0xff;
            byte_at(&r, h, &e0);
            byte_at(&r, h + 1, &e1);
            byte_at(&r, h + 2, &code);
            if (e0 == 0x0a && e1 == 1) {
                snprintf(out, len, "extended response, resultCode %u%s", code, code == 0 ? " (success)" : "");
                answer(pr, code == 0, out);
                return;
            }
        }
        (void)c;
    }
    snprintf(out, len, "LDAP message, %zu bytes", n);
}

/* ---- XMPP (RFC 6120 5.4) ---- */

static enum td_pre_match match_xmpp(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)from;
    enum td_pre_match a = prefix_ci(in, 0, "<?xml"), b = prefix_ci(in, 0, "<stream:stream");
    if (a == TD_PRE_YES) {
        size_t n = td_cur_len(in);
        if (contains_ci(in, "jabber", n) || contains_ci(in, "<stream:stream", n) || port == 5222 || port == 5269) {
            return TD_PRE_YES;
        }
        return n < 256 ? TD_PRE_MORE : TD_PRE_NO;
    }
    if (b == TD_PRE_YES) {
        return TD_PRE_YES;
    }
    return a == TD_PRE_MORE || b == TD_PRE_MORE ? TD_PRE_MORE : TD_PRE_NO;
}

/* XML is cut at each '>': TLS can only start after one. */
static size_t frame_xml(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    (void)pr;
    (void)from;
    size_t n = td_cur_len(in);
    for (size_t i = 0; i < n && i < TD_PRE_MSG_MAX; i++) {
        uint8_t ch = 0;
        byte_at(in, i, &ch);
        if (ch == '>') {
            return i + 1;
        }
    }
    return n >= TD_PRE_MSG_MAX ? SIZE_MAX : 0;
}

static void msg_xmpp(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    struct td_cur c = *msg;
    /* skip whitespace between elements */
    uint8_t ch = 0;
    while (td_cur_peek_u8(&c, 0, &ch) && (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t')) {
        td_cur_skip(&c, 1);
    }
    printable(&c, out, len);
    if (from == TD_CLIENT && has_prefix_ci(&c, 0, "<starttls")) {
        pr->asked = true;
    } else if (from == TD_SERVER && has_prefix_ci(&c, 0, "<proceed")) {
        answer(pr, true, out);
    } else if (from == TD_SERVER && has_prefix_ci(&c, 0, "<failure") && pr->asked) {
        answer(pr, false, out);
    }
}

/* ---- the table ---- */

/* Order matters where greetings look alike: FTP before SMTP (both "220"). */
static const struct td_pre_proto protos[] = {
    {"FTP", false, match_ftp, frame_line, msg_ftp},
    {"SMTP", false, match_smtp, frame_line, msg_smtp},
    {"IMAP", false, match_imap, frame_line, msg_imap},
    {"POP3", false, match_pop3, frame_line, msg_pop3},
    {"HTTP-CONNECT", true, match_connect, frame_line, msg_connect},
    {"PROXYv1", true, match_proxy1, frame_line, msg_proxy1},
    {"PROXYv2", true, match_proxy2, frame_proxy2, msg_proxy2},
    {"SOCKS4", true, match_socks4, frame_socks4, msg_socks4},
    {"SOCKS5", true, match_socks5, frame_socks5, msg_socks5},
    {"PostgreSQL", false, match_pg, frame_pg, msg_pg},
    {"MySQL", false, match_mysql, frame_mysql, msg_mysql},
    {"LDAP", false, match_ldap, frame_ldap, msg_ldap},
    {"XMPP", false, match_xmpp, frame_xml, msg_xmpp},
};

enum td_pre_match td_pre_match(enum td_role from, const struct td_cur *in, uint16_t server_port,
                               const struct td_pre_proto **out)
{
    enum td_pre_match best = TD_PRE_NO;
    *out = NULL;
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++) {
        enum td_pre_match m = protos[i].match(from, in, server_port);
        if (m == TD_PRE_YES && best != TD_PRE_MORE) {
            *out = &protos[i];
            return TD_PRE_YES;
        }
        if (m == TD_PRE_MORE) {
            best = TD_PRE_MORE; /* an earlier row may still match: wait */
        }
    }
    return best;
}

void td_pre_start(struct td_preamble *pr, const struct td_pre_proto *proto)
{
    td_memzero(pr, sizeof *pr);
    pr->proto = proto;
    pr->name = proto->name;
    pr->proxy = proto->proxy;
}

size_t td_pre_frame(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    return pr->proto ? pr->proto->frame(pr, from, in) : SIZE_MAX;
}

void td_pre_message(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t out_len)
{
    if (out_len > 0) {
        out[0] = '\0';
    }
    if (pr->proto) {
        pr->proto->message(pr, from, msg, out, out_len);
        pr->msgs[from]++;
    }
}
