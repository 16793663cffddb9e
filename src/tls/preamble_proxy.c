/* Preamble rows for proxy set-ups: HTTP CONNECT, the HAProxy PROXY protocol v1/v2,
 * SOCKS4/4a, SOCKS5 (the table is in preamble.c). */
#include <stdio.h>
#include <string.h>

#include "tls/preamble_internal.h"

#include "base/banned.h"

/* ---- HTTP CONNECT (RFC 9110 9.3.6) ---- */

enum td_pre_match td_pre_match_connect(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    return from == TD_CLIENT ? td_pre_prefix_ci(in, 0, "CONNECT ") : TD_PRE_NO;
}

void td_pre_msg_connect(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    td_pre_printable(msg, out, len);
    if (from == TD_CLIENT) {
        if (td_pre_has_prefix_ci(msg, 0, "CONNECT ")) {
            pr->asked = true;
        }
        return;
    }
    /* the status line: HTTP/1.x NNN reason */
    if (td_pre_has_prefix_ci(msg, 0, "HTTP/1.") && pr->asked && !pr->accepted && !pr->refused) {
        uint8_t d;
        bool ok = td_pre_byte_at(msg, 9, &d) && d == '2';
        td_pre_answer(pr, ok, out);
    }
}

/* ---- HAProxy PROXY protocol (haproxy doc/proxy-protocol.txt) ---- */

enum td_pre_match td_pre_match_proxy1(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    return from == TD_CLIENT ? td_pre_prefix_ci(in, 0, "PROXY ") : TD_PRE_NO;
}

void td_pre_msg_proxy1(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    td_pre_printable(msg, out, len);
    if (from == TD_CLIENT) {
        pr->asked = pr->accepted = true; /* no answer in this protocol */
    }
}

static const uint8_t proxy2_sig[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

enum td_pre_match td_pre_match_proxy2(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    if (from != TD_CLIENT) {
        return TD_PRE_NO;
    }
    for (size_t i = 0; i < sizeof proxy2_sig; i++) {
        uint8_t ch = 0;
        if (!td_pre_byte_at(in, i, &ch)) {
            return TD_PRE_MORE;
        }
        if (ch != proxy2_sig[i]) {
            return TD_PRE_NO;
        }
    }
    return TD_PRE_YES;
}

/* 12-byte signature, ver_cmd, fam, uint16 len, addresses and TLVs[len]. */
size_t td_pre_frame_proxy2(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
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

void td_pre_msg_proxy2(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    (void)from;
    uint8_t vc = 0, fam = 0;
    td_pre_byte_at(msg, 12, &vc);
    td_pre_byte_at(msg, 13, &fam);
    static const char *const fams[] = {"UNSPEC", "TCP4", "UDP4", "TCP6", "UDP6", "UNIX stream", "UNIX dgram"};
    size_t fi = fam == 0x00   ? 0
                : fam == 0x11 ? 1
                : fam == 0x12 ? 2
                : fam == 0x21 ? 3
                : fam == 0x22 ? 4
                : fam == 0x31 ? 5
                              : 6;
    snprintf(out, len, "PROXY v2 header, %s, %s, %zu bytes", (vc & 0x0f) == 1 ? "PROXY" : "LOCAL", fams[fi],
             td_cur_len(msg));
    pr->asked = pr->accepted = true;
}

/* ---- SOCKS4/4a and SOCKS5 (RFC 1928, 1929) ---- */

enum td_pre_match td_pre_match_socks4(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    uint8_t v, cmd;
    if (from != TD_CLIENT) {
        return TD_PRE_NO;
    }
    if (!td_pre_byte_at(in, 0, &v)) {
        return TD_PRE_MORE;
    }
    if (!td_pre_byte_at(in, 1, &cmd)) {
        return v == 4 ? TD_PRE_MORE : TD_PRE_NO;
    }
    if (v != 4 || (cmd != 1 && cmd != 2)) {
        return TD_PRE_NO;
    }
    return td_cur_len(in) < 9 ? TD_PRE_MORE : TD_PRE_YES;
}

/* Client: VN CD DSTPORT(2) DSTIP(4) USERID NUL [HOST NUL if DSTIP is 0.0.0.x]. Server: 8 bytes. */
size_t td_pre_frame_socks4(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
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
    size_t end = td_pre_nul_end(in, 8);
    if (end == 0 || end == SIZE_MAX || ip == 0 || ip > 255) {
        return end;
    }
    return td_pre_nul_end(in, end);
}

void td_pre_msg_socks4(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
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
        size_t u = td_pre_nul_end(msg, 8);
        if (ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0 && u != 0 && u != SIZE_MAX) {
            struct td_cur h = *msg;
            size_t e = td_pre_nul_end(msg, u);
            if (e != 0 && e != SIZE_MAX && td_cur_skip(&h, u)) {
                h.len = e - 1 - u; /* without its NUL */
                td_pre_printable(&h, host, sizeof host);
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
    td_pre_answer(pr, cd == 0x5a, out);
}

enum td_pre_match td_pre_match_socks5(enum td_role from, const struct td_cur *in, uint16_t port)
{
    (void)port;
    uint8_t v, n;
    if (from != TD_CLIENT) {
        return TD_PRE_NO;
    }
    if (!td_pre_byte_at(in, 0, &v)) {
        return TD_PRE_MORE;
    }
    if (v != 5) {
        return TD_PRE_NO;
    }
    if (!td_pre_byte_at(in, 1, &n)) {
        return TD_PRE_MORE;
    }
    if (n == 0 || n > 16) {
        return TD_PRE_NO;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t m;
        if (!td_pre_byte_at(in, 2 + i, &m)) {
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
    if (!td_pre_byte_at(in, 3, &atyp)) {
        return 0;
    }
    switch (atyp) {
    case 1:
        return 10;
    case 4:
        return 22;
    case 3:
        if (!td_pre_byte_at(in, 4, &n)) {
            return 0;
        }
        return 7 + (size_t)n;
    default:
        return SIZE_MAX;
    }
}

size_t td_pre_frame_socks5(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
{
    uint32_t k = pr->msgs[from];
    size_t need;
    uint8_t a, b;
    if (from == TD_CLIENT) {
        if (k == 0) {
            if (!td_pre_byte_at(in, 1, &a)) {
                return 0;
            }
            need = 2 + (size_t)a;
        } else if (k == 1 && pr->socks_method == 2) {
            /* RFC 1929: VER ULEN UNAME PLEN PASSWD */
            if (!td_pre_byte_at(in, 1, &a) || !td_pre_byte_at(in, 2 + (size_t)a, &b)) {
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
            td_pre_printable(&h, host, sizeof host);
            snprintf(out, len, "%s:%u", host, port);
        } else {
            snprintf(out, len, "?");
        }
    } else {
        snprintf(out, len, "?");
    }
}

void td_pre_msg_socks5(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)
{
    uint32_t k = pr->msgs[from];
    uint8_t b1 = 0;
    char addr[160];
    td_pre_byte_at(msg, 1, &b1);
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
                 b1 == 0      ? " (no authentication)"
                 : b1 == 2    ? " (username/password)"
                 : b1 == 0xff ? " (none acceptable)"
                              : "");
        if (b1 == 0xff) {
            pr->asked = true;
            td_pre_answer(pr, false, out);
        }
    } else if (k == 1 && pr->socks_method == 2) {
        snprintf(out, len, "SOCKS5 authentication %s", b1 == 0 ? "succeeded" : "failed");
        if (b1 != 0) {
            pr->asked = true;
            td_pre_answer(pr, false, out);
        }
    } else {
        static const char *const reps[] = {
            "succeeded",           "general failure",       "not allowed by ruleset",
            "network unreachable", "host unreachable",      "connection refused",
            "TTL expired",         "command not supported", "address type not supported"};
        socks5_addr(msg, addr, sizeof addr);
        snprintf(out, len, "SOCKS5 reply %s, bound %s", b1 < 9 ? reps[b1] : "unassigned", addr);
        td_pre_answer(pr, b1 == 0, out);
    }
}
