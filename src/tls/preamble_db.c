/* Preamble rows for the database protocols: PostgreSQL, MySQL (the table is in preamble.c). */
#include <stdio.h>
#include <string.h>

#include "tls/preamble_internal.h"

#include "base/banned.h"

/* ---- PostgreSQL (protocol 53.2.10: SSLRequest, GSSENCRequest) ---- */

enum td_pre_match td_pre_match_pg(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    static const uint8_t ssl[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}, gss[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30};
    if (from != TD_CLIENT) {
        return TD_PRE_NO;
    }
    bool s = true, g = true;
    for (size_t i = 0; i < 8; i++) {
        uint8_t ch = 0;
        if (!td_pre_byte_at(in, i, &ch)) {
            return s || g ? TD_PRE_MORE : TD_PRE_NO;
        }
        s = s && ch == ssl[i];
        g = g && ch == gss[i];
    }
    return s || g ? TD_PRE_YES : TD_PRE_NO;
}

/* Client: int32 length (itself included) then the body. Server: the one-byte
 * answer to SSLRequest; after 'N' the server speaks the normal protocol. */
size_t td_pre_frame_pg(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
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

void td_pre_msg_pg(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
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
    td_pre_byte_at(msg, 0, &b);
    if (b == 'S') {
        snprintf(out, len, "S (the server accepts TLS)");
    } else if (b == 'N') {
        snprintf(out, len, "N (the server does not accept TLS)");
    } else if (b == 'G') {
        snprintf(out, len, "G (the server accepts GSSAPI encryption)");
    } else {
        snprintf(out, len, "answer 0x%02x", b);
    }
    td_pre_answer(pr, b == 'S', out);
}

/* ---- MySQL (Protocol::HandshakeV10, SSLRequest) ---- */

enum td_pre_match td_pre_match_mysql(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    uint8_t seq, proto, v;
    if (from != TD_SERVER) {
        return TD_PRE_NO;
    }
    if (td_cur_len(in) < 6) {
        return TD_PRE_MORE;
    }
    td_pre_byte_at(in, 3, &seq);
    td_pre_byte_at(in, 4, &proto);
    td_pre_byte_at(in, 5, &v);
    return seq == 0 && proto == 0x0a && v >= '3' && v <= '9' ? TD_PRE_YES : TD_PRE_NO;
}

/* A packet: uint24 little-endian payload length, uint8 sequence id. */
size_t td_pre_frame_mysql(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    (void)pr;
    (void)from;
    uint8_t a = 0, b = 0, c = 0;
    if (!td_pre_byte_at(in, 0, &a) || !td_pre_byte_at(in, 1, &b) || !td_pre_byte_at(in, 2, &c) || td_cur_len(in) < 4) {
        return 0;
    }
    size_t n = 4 + ((size_t)a | (size_t)b << 8 | (size_t)c << 16);
    if (n > TD_PRE_MSG_MAX) {
        return SIZE_MAX;
    }
    return td_cur_len(in) >= n ? n : 0;
}

void td_pre_msg_mysql(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    uint8_t f0 = 0, f1 = 0, kind = 0;
    td_pre_byte_at(msg, 4, &kind);
    if (from == TD_SERVER) {
        if (kind == 0x0a && pr->msgs[TD_SERVER] == 0) {
            char ver[40];
            struct td_cur c = *msg, v;
            td_cur_skip(&c, 5);
            size_t e = td_pre_nul_end(&c, 0);
            v = c;
            v.len = e && e != SIZE_MAX ? e - 1 : 0;
            td_pre_printable(&v, ver, sizeof ver);
            snprintf(out, len, "server greeting, version %s", ver);
        } else if (kind == 0xff) {
            snprintf(out, len, "error packet");
            if (pr->asked) {
                td_pre_answer(pr, false, out);
            }
        } else {
            snprintf(out, len, "packet, %zu bytes", td_cur_len(msg));
        }
        return;
    }
    /* HandshakeResponse41 / SSLRequest: uint32 capability flags, CLIENT_SSL = 0x800 */
    td_pre_byte_at(msg, 4, &f0);
    td_pre_byte_at(msg, 5, &f1);
    if (td_cur_len(msg) == 36 && (f1 & 0x08)) {
        snprintf(out, len, "SSL request (capabilities include CLIENT_SSL)");
        pr->asked = true;
    } else {
        snprintf(out, len, "packet, %zu bytes%s", td_cur_len(msg), (f1 & 0x08) ? "" : ", without CLIENT_SSL");
    }
    (void)f0;
}
