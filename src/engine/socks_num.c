/* Where Wireshark's SOCKS dissector takes its extra tcp.stream number (see
 * engine/internal.h). Only lengths matter here; the TLS layer reads the
 * preamble itself. */
#include "engine/internal.h"

#include "base/cursor.h"
#include "base/mem.h"

#include "base/banned.h"

/* Length of the complete message at the start of c, 0 if more bytes are
 * needed, -1 if this is not the SOCKS handshake Wireshark follows. */
typedef long (*msg_len_fn)(struct td_cur *c);

/* A NUL-terminated string (SOCKS 4 USERID, 4a DOMAIN): bytes through the NUL. */
static long nul_string(struct td_cur *c)
{
    uint8_t b;
    long n = 0;
    while (td_cur_get_u8(c, &b)) {
        n++;
        if (b == 0) {
            return n;
        }
    }
    return 0;
}

/* SOCKS 4: VN=4 CD DSTPORT(2) DSTIP(4) USERID NUL [DOMAIN NUL when DSTIP is 0.0.0.x: 4a] */
static long v4_request(struct td_cur *c)
{
    uint8_t vn, cd;
    uint16_t port;
    uint32_t ip;
    if (!td_cur_get_u8(c, &vn) || !td_cur_get_u8(c, &cd) || !td_cur_get_u16(c, &port) || !td_cur_get_u32(c, &ip)) {
        return 0;
    }
    long user = nul_string(c);
    if (user == 0) {
        return 0;
    }
    long dom = 0;
    if (ip > 0 && ip < 256 && (dom = nul_string(c)) == 0) {
        return 0;
    }
    return 8 + user + dom;
}

static long fixed(const struct td_cur *c, size_t n) { return td_cur_len(c) >= n ? (long)n : 0; }
static long two(struct td_cur *c) { return fixed(c, 2); }
static long v4_reply(struct td_cur *c) { return fixed(c, 8); }

/* RFC 1928 3: VER NMETHODS METHODS[NMETHODS] */
static long v5_greeting(struct td_cur *c)
{
    uint8_t ver;
    struct td_cur methods;
    return td_cur_get_u8(c, &ver) && td_cur_get_u8_prefixed(c, &methods) ? 2 + (long)td_cur_len(&methods) : 0;
}

/* RFC 1929 2: VER=1 ULEN UNAME PLEN PASSWD */
static long v5_auth(struct td_cur *c)
{
    uint8_t ver;
    struct td_cur user, pass;
    if (!td_cur_get_u8(c, &ver) || !td_cur_get_u8_prefixed(c, &user) || !td_cur_get_u8_prefixed(c, &pass)) {
        return 0;
    }
    return 3 + (long)td_cur_len(&user) + (long)td_cur_len(&pass);
}

/* RFC 1928 4 and 6: VER CMD|REP RSV ATYP DST.ADDR DST.PORT(2) */
static long v5_request(struct td_cur *c)
{
    uint8_t ver, cmd, rsv, atyp;
    struct td_cur name;
    if (!td_cur_get_u8(c, &ver) || !td_cur_get_u8(c, &cmd) || !td_cur_get_u8(c, &rsv) || !td_cur_get_u8(c, &atyp)) {
        return 0;
    }
    switch (atyp) {
    case 1:
        return td_cur_len(c) >= 4 + 2 ? 4 + 4 + 2 : 0;
    case 4:
        return td_cur_len(c) >= 16 + 2 ? 4 + 16 + 2 : 0;
    case 3:
        if (!td_cur_get_u8_prefixed(c, &name)) {
            return 0;
        }
        return td_cur_len(c) >= 2 ? 4 + 1 + (long)td_cur_len(&name) + 2 : 0;
    default:
        return -1;
    }
}

/* The handshake, one message per step, client and proxy in turn. */
static msg_len_fn step_fn(const struct td_socks_num *s)
{
    static const msg_len_fn v4[] = {v4_request, v4_reply};
    static const msg_len_fn v5[] = {v5_greeting, two, v5_request, v5_request};
    static const msg_len_fn v5a[] = {v5_greeting, two, v5_auth, two, v5_request, v5_request};
    if (s->version == 4) {
        return s->step < 2 ? v4[s->step] : NULL;
    }
    if (s->method == 2) {
        return s->step < 6 ? v5a[s->step] : NULL;
    }
    return s->step < 4 ? v5[s->step] : NULL;
}

/* Byte by byte: the handshake is a few dozen bytes, and a message may end
 * anywhere in a segment. */
bool td_socks_num_feed(struct td_socks_num *s, bool client, const uint8_t *p, size_t n)
{
    struct td_cur in;
    uint8_t b;
    td_cur_init(&in, p, n);
    while (!s->gave_up && td_cur_get_u8(&in, &b)) {
        if (s->done) {
            s->gave_up = true; /* the number is taken; nothing more to follow */
            return true;
        }
        if (s->step == 0 && s->len == 0) {
            if (!client || (b != 4 && b != 5)) {
                s->gave_up = true;
                return false;
            }
            s->version = b;
        }
        msg_len_fn fn = step_fn(s);
        bool want_client = (s->step % 2) == 0;
        if (!fn || want_client != client || s->len == sizeof s->buf) {
            s->gave_up = true; /* out of turn or too long: not a handshake Wireshark follows */
            return false;
        }
        s->buf[s->len++] = b;
        struct td_cur msg;
        td_cur_init(&msg, s->buf, s->len);
        long need = fn(&msg);
        if (need < 0) {
            s->gave_up = true;
            return false;
        }
        if (need == 0 || (size_t)need != s->len) {
            continue;
        }
        if (s->version == 5 && s->step == 1) {
            s->method = s->buf[1];
            if (s->method != 0 && s->method != 2) {
                s->gave_up = true; /* GSSAPI and others: Wireshark does not follow them either */
                return false;
            }
        }
        s->step++;
        s->len = 0;
        if (!step_fn(s)) {
            s->done = true;
        }
    }
    return false;
}
