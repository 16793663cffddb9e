/* Preambles before TLS: one row per protocol (see preamble.h), the helpers the
 * rows share and the public API. The rows' functions are in preamble_starttls.c,
 * preamble_db.c and preamble_proxy.c (see preamble_internal.h). */
#include <stdio.h>
#include <string.h>

#include "tls/preamble_internal.h"

#include "base/mem.h"

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

static char lower(uint8_t ch) { return (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch); }

/* Does c start with s (ASCII, case-insensitive)? TD_PRE_MORE when c is a
 * proper prefix of s. */
enum td_pre_match td_pre_prefix_ci(const struct td_cur *c, size_t at, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = 0;
        if (!td_pre_byte_at(c, at + i, &ch)) {
            return TD_PRE_MORE;
        }
        if (lower(ch) != lower((uint8_t)s[i])) {
            return TD_PRE_NO;
        }
    }
    return TD_PRE_YES;
}

bool td_pre_has_prefix_ci(const struct td_cur *c, size_t at, const char *s)
{
    return td_pre_prefix_ci(c, at, s) == TD_PRE_YES;
}

/* Is s somewhere in the first `within` bytes of c? */
bool td_pre_contains_ci(const struct td_cur *c, const char *s, size_t within)
{
    size_t n = td_cur_len(c) < within ? td_cur_len(c) : within;
    for (size_t i = 0; i < n; i++) {
        if (td_pre_has_prefix_ci(c, i, s)) {
            return true;
        }
    }
    return false;
}

/* Length of the line at the start of c, '\n' included: 0 when incomplete. */
size_t td_pre_line_len(const struct td_cur *c)
{
    size_t n = td_cur_len(c);
    for (size_t i = 0; i < n && i < TD_PRE_MSG_MAX; i++) {
        uint8_t ch = 0;
        td_pre_byte_at(c, i, &ch);
        if (ch == '\n') {
            return i + 1;
        }
        if (ch == 0) {
            return SIZE_MAX; /* text protocols carry no NUL */
        }
    }
    return n >= TD_PRE_MSG_MAX ? SIZE_MAX : 0;
}

size_t td_pre_frame_line(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    (void)pr;
    (void)from;
    return td_pre_line_len(in);
}

/* A printable copy of the message (a line without its CR LF). */
void td_pre_printable(const struct td_cur *msg, char *out, size_t len)
{
    size_t k = 0, n = td_cur_len(msg);
    for (size_t i = 0; i < n && k + 5 < len; i++) {
        uint8_t ch = 0;
        td_pre_byte_at(msg, i, &ch);
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

static void refuse(struct td_preamble *pr, const char *desc)
{
    if (!pr->refused && !pr->accepted) {
        pr->refused = true;
        td_strcopy(pr->refusal, sizeof pr->refusal, desc);
    }
}

/* A server answer to the upgrade request: accepted when ok, refused when not. */
void td_pre_answer(struct td_preamble *pr, bool ok, const char *desc)
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

/* Length up to and including the NUL that ends a string at `at`, 0 if none yet. */
size_t td_pre_nul_end(const struct td_cur *c, size_t at)
{
    for (size_t i = at; i < td_cur_len(c) && i < at + 256; i++) {
        uint8_t ch = 0;
        td_pre_byte_at(c, i, &ch);
        if (ch == 0) {
            return i + 1;
        }
    }
    return td_cur_len(c) >= at + 256 ? SIZE_MAX : 0;
}

/* ---- the table ---- */

/* Order matters where greetings look alike: FTP before SMTP (both "220"). */
static const struct td_pre_proto protos[] = {
    {"FTP", false, td_pre_match_ftp, td_pre_frame_line, td_pre_msg_ftp},
    {"SMTP", false, td_pre_match_smtp, td_pre_frame_line, td_pre_msg_smtp},
    {"IMAP", false, td_pre_match_imap, td_pre_frame_line, td_pre_msg_imap},
    {"POP3", false, td_pre_match_pop3, td_pre_frame_line, td_pre_msg_pop3},
    {"HTTP-CONNECT", true, td_pre_match_connect, td_pre_frame_line, td_pre_msg_connect},
    {"PROXYv1", true, td_pre_match_proxy1, td_pre_frame_line, td_pre_msg_proxy1},
    {"PROXYv2", true, td_pre_match_proxy2, td_pre_frame_proxy2, td_pre_msg_proxy2},
    {"SOCKS4", true, td_pre_match_socks4, td_pre_frame_socks4, td_pre_msg_socks4},
    {"SOCKS5", true, td_pre_match_socks5, td_pre_frame_socks5, td_pre_msg_socks5},
    {"PostgreSQL", false, td_pre_match_pg, td_pre_frame_pg, td_pre_msg_pg},
    {"MySQL", false, td_pre_match_mysql, td_pre_frame_mysql, td_pre_msg_mysql},
    {"LDAP", false, td_pre_match_ldap, td_pre_frame_ldap, td_pre_msg_ldap},
    {"XMPP", false, td_pre_match_xmpp, td_pre_frame_xml, td_pre_msg_xmpp},
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
