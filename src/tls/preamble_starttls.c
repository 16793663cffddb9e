/* Preamble rows for the STARTTLS commands of the application protocols:
 * SMTP/LMTP, FTP, IMAP, POP3, LDAP, XMPP (the table is in preamble.c). */
#include <stdio.h>
#include <string.h>

#include "tls/preamble_internal.h"

#include "base/mem.h"

#include "base/banned.h"

/* A three-digit reply code at the start (SMTP, FTP; RFC 5321 4.2), 0 if none.
 * *final is false for a continuation line ("250-"). */
static int reply_code(const struct td_cur *c, bool *final)
{
    int code = 0;
    for (size_t i = 0; i < 3; i++) {
        uint8_t ch = 0;
        if (!td_pre_byte_at(c, i, &ch) || ch < '0' || ch > '9') {
            return 0;
        }
        code = code * 10 + (ch - '0');
    }
    uint8_t sep = ' ';
    td_pre_byte_at(c, 3, &sep);
    *final = sep != '-';
    return code;
}

/* ---- SMTP / LMTP (RFC 3207) and FTP (RFC 4217): reply codes ---- */

static enum td_pre_match greeting_220(const struct td_cur *in, bool want_ftp, uint16_t port)
{
    enum td_pre_match m = td_pre_prefix_ci(in, 0, "220");
    if (m != TD_PRE_YES) {
        return m;
    }
    size_t l = td_pre_line_len(in);
    if (l == 0 && td_cur_len(in) < 512) {
        return TD_PRE_MORE; /* the whole greeting line tells SMTP from FTP */
    }
    bool ftp = port == 21 || td_pre_contains_ci(in, "FTP", l ? l : 512);
    bool smtp = td_pre_contains_ci(in, "SMTP", l ? l : 512) || td_pre_contains_ci(in, "LMTP", l ? l : 512);
    if (smtp && !want_ftp) {
        return TD_PRE_YES;
    }
    return ftp == want_ftp ? TD_PRE_YES : TD_PRE_NO;
}

enum td_pre_match td_pre_match_smtp(enum td_role from, const struct td_cur *in, uint16_t port)
{
    if (from == TD_SERVER) {
        return greeting_220(in, false, port);
    }
    static const char *const cmds[] = {"EHLO ", "HELO ", "LHLO "};
    enum td_pre_match best = TD_PRE_NO;
    for (size_t i = 0; i < 3; i++) {
        enum td_pre_match m = td_pre_prefix_ci(in, 0, cmds[i]);
        if (m == TD_PRE_YES) {
            return m;
        }
        if (m == TD_PRE_MORE) {
            best = m;
        }
    }
    return best;
}

void td_pre_msg_smtp(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    td_pre_printable(msg, out, len);
    if (from == TD_CLIENT) {
        if (td_pre_has_prefix_ci(msg, 0, "LHLO")) {
            pr->name = "LMTP";
        }
        if (td_pre_has_prefix_ci(msg, 0, "STARTTLS")) {
            pr->asked = true;
        }
        return;
    }
    bool final = true;
    int code = reply_code(msg, &final);
    if (pr->asked && final && code) {
        td_pre_answer(pr, code == 220, out);
    }
}

enum td_pre_match td_pre_match_ftp(enum td_role from, const struct td_cur *in, uint16_t port)
{
    if (from == TD_SERVER) {
        return greeting_220(in, true, port);
    }
    enum td_pre_match a = td_pre_prefix_ci(in, 0, "AUTH TLS"), b = td_pre_prefix_ci(in, 0, "AUTH SSL");
    if (a == TD_PRE_YES || b == TD_PRE_YES) {
        return TD_PRE_YES;
    }
    return a == TD_PRE_MORE || b == TD_PRE_MORE ? TD_PRE_MORE : TD_PRE_NO;
}

void td_pre_msg_ftp(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    td_pre_printable(msg, out, len);
    if (from == TD_CLIENT) {
        if (td_pre_has_prefix_ci(msg, 0, "AUTH TLS") || td_pre_has_prefix_ci(msg, 0, "AUTH SSL")) {
            pr->asked = true;
        }
        return;
    }
    bool final = true;
    int code = reply_code(msg, &final);
    if (pr->asked && final && code) {
        td_pre_answer(pr, code == 234, out); /* RFC 4217 4: 234 security data exchange complete */
    }
}

/* ---- IMAP (RFC 3501 6.2.1) ---- */

/* The tag and the command word after it: "a1 STARTTLS". */
static bool imap_command(const struct td_cur *msg, const char *cmd, char *tag, size_t tag_len)
{
    size_t n = td_cur_len(msg), i = 0;
    for (; i < n && i + 1 < tag_len; i++) {
        uint8_t ch = 0;
        td_pre_byte_at(msg, i, &ch);
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
    return td_pre_has_prefix_ci(msg, i + 1, cmd);
}

enum td_pre_match td_pre_match_imap(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    if (from == TD_SERVER) {
        enum td_pre_match a = td_pre_prefix_ci(in, 0, "* OK"), b = td_pre_prefix_ci(in, 0, "* PREAUTH");
        if (a == TD_PRE_YES || b == TD_PRE_YES) {
            return TD_PRE_YES;
        }
        return a == TD_PRE_MORE || b == TD_PRE_MORE ? TD_PRE_MORE : TD_PRE_NO;
    }
    size_t l = td_pre_line_len(in);
    for (size_t i = 0; i < td_cur_len(in) && i < 64; i++) {
        uint8_t ch = 0;
        td_pre_byte_at(in, i, &ch);
        if ((ch < 0x20 && ch != '\r' && ch != '\n') || ch > 0x7e) {
            return TD_PRE_NO; /* not a text command */
        }
    }
    if (l == 0) {
        return td_cur_len(in) < 64 ? TD_PRE_MORE : TD_PRE_NO;
    }
    return imap_command(in, "STARTTLS", NULL, 16) || imap_command(in, "CAPABILITY", NULL, 16) ? TD_PRE_YES : TD_PRE_NO;
}

void td_pre_msg_imap(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    td_pre_printable(msg, out, len);
    if (from == TD_CLIENT) {
        char tag[sizeof pr->tag];
        if (imap_command(msg, "STARTTLS", tag, sizeof tag)) {
            pr->asked = true;
            td_strcopy(pr->tag, sizeof pr->tag, tag);
        }
        return;
    }
    if (pr->asked && pr->tag[0] && td_pre_has_prefix_ci(msg, 0, pr->tag)) {
        size_t t = strlen(pr->tag);
        if (td_pre_has_prefix_ci(msg, t, " OK")) {
            td_pre_answer(pr, true, out);
        } else if (td_pre_has_prefix_ci(msg, t, " NO") || td_pre_has_prefix_ci(msg, t, " BAD")) {
            td_pre_answer(pr, false, out);
        }
    }
}

/* ---- POP3 (RFC 2595 4) ---- */

enum td_pre_match td_pre_match_pop3(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    if (from == TD_SERVER) {
        return td_pre_prefix_ci(in, 0, "+OK");
    }
    enum td_pre_match a = td_pre_prefix_ci(in, 0, "CAPA"), b = td_pre_prefix_ci(in, 0, "STLS");
    if (a == TD_PRE_YES || b == TD_PRE_YES) {
        return TD_PRE_YES;
    }
    return a == TD_PRE_MORE || b == TD_PRE_MORE ? TD_PRE_MORE : TD_PRE_NO;
}

void td_pre_msg_pop3(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    td_pre_printable(msg, out, len);
    if (from == TD_CLIENT) {
        if (td_pre_has_prefix_ci(msg, 0, "STLS")) {
            pr->asked = true;
        }
        return;
    }
    if (td_pre_has_prefix_ci(msg, 0, "+OK")) {
        td_pre_answer(pr, true, out);
    } else if (td_pre_has_prefix_ci(msg, 0, "-ERR")) {
        td_pre_answer(pr, false, out);
    }
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

enum td_pre_match td_pre_match_ldap(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    uint8_t t;
    if (from != TD_CLIENT) {
        return TD_PRE_NO;
    }
    if (!td_pre_byte_at(in, 0, &t)) {
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
    return td_pre_contains_ci(in, ldap_oid, n) ? TD_PRE_YES : TD_PRE_NO;
}

size_t td_pre_frame_ldap(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    (void)pr;
    (void)from;
    uint8_t t;
    if (td_pre_byte_at(in, 0, &t) && t != 0x30) {
        return SIZE_MAX;
    }
    return ber_len(in);
}

void td_pre_msg_ldap(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    size_t n = td_cur_len(msg);
    if (from == TD_CLIENT) {
        if (td_pre_contains_ci(msg, ldap_oid, n)) {
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
        td_pre_byte_at(msg, i, &a);
        td_pre_byte_at(msg, i + 1, &b);
        td_pre_byte_at(msg, i + 2, &c);
        if (a == 0x78 && i + 4 < n) {
            struct td_cur r = *msg;
            td_cur_skip(&r, i);
            size_t h = 2;
            if (b & 0x80) {
                h += b & 0x7f;
            }
            uint8_t e0 = 0, e1 = 0, code = 0xff;
            td_pre_byte_at(&r, h, &e0);
            td_pre_byte_at(&r, h + 1, &e1);
            td_pre_byte_at(&r, h + 2, &code);
            if (e0 == 0x0a && e1 == 1) {
                snprintf(out, len, "extended response, resultCode %u%s", code, code == 0 ? " (success)" : "");
                td_pre_answer(pr, code == 0, out);
                return;
            }
        }
        (void)c;
    }
    snprintf(out, len, "LDAP message, %zu bytes", n);
}

/* ---- XMPP (RFC 6120 5.4) ---- */

enum td_pre_match td_pre_match_xmpp(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)from;
    enum td_pre_match a = td_pre_prefix_ci(in, 0, "<?xml"), b = td_pre_prefix_ci(in, 0, "<stream:stream");
    if (a == TD_PRE_YES) {
        size_t n = td_cur_len(in);
        if (td_pre_contains_ci(in, "jabber", n) || td_pre_contains_ci(in, "<stream:stream", n) || port == 5222 ||
            port == 5269) {
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
size_t td_pre_frame_xml(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    (void)pr;
    (void)from;
    size_t n = td_cur_len(in);
    for (size_t i = 0; i < n && i < TD_PRE_MSG_MAX; i++) {
        uint8_t ch = 0;
        td_pre_byte_at(in, i, &ch);
        if (ch == '>') {
            return i + 1;
        }
    }
    return n >= TD_PRE_MSG_MAX ? SIZE_MAX : 0;
}

void td_pre_msg_xmpp(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    struct td_cur c = *msg;
    /* skip whitespace between elements */
    uint8_t ch = 0;
    while (td_cur_peek_u8(&c, 0, &ch) && (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t')) {
        td_cur_skip(&c, 1);
    }
    td_pre_printable(&c, out, len);
    if (from == TD_CLIENT && td_pre_has_prefix_ci(&c, 0, "<starttls")) {
        pr->asked = true;
    } else if (from == TD_SERVER && td_pre_has_prefix_ci(&c, 0, "<proceed")) {
        td_pre_answer(pr, true, out);
    } else if (from == TD_SERVER && td_pre_has_prefix_ci(&c, 0, "<failure") && pr->asked) {
        td_pre_answer(pr, false, out);
    }
}
