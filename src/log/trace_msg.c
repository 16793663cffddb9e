/* Handshake messages rebuilt from the fields a text trace prints (Java's
 * javax.net.debug, openssl s_client -trace): the bytes a capture would have
 * held, as far as the rules read them. What the trace does not print is
 * filled with what changes no rule: zero randoms, an empty session id, zero
 * key shares of their group's length. */
#include <ctype.h>
#include <string.h>

#include "base/mem.h"
#include "base/builder.h"
#include "log/internal.h"
#include "log/trace_internal.h"

#include "base/banned.h"

void td_log_msg_begin(struct td_log_msg *m, uint8_t hs_type, int dir, uint64_t line)
{
    td_memzero(m, sizeof *m);
    m->hs_type = hs_type;
    m->dir = dir;
    m->line = line;
    m->version = 0x0303;
}

static bool ext_fits(const struct td_log_msg *m, size_t len) { return len <= sizeof m->ext - m->ext_len - 4; }

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void td_log_msg_ext(struct td_log_msg *m, uint16_t type, const uint8_t *body, size_t len)
{
    if (!ext_fits(m, len)) {
        return; /* an extension too long to keep is left out (the rules read the lists) */
    }
    uint8_t *p = m->ext + m->ext_len;
    put16(p, type);
    put16(p + 2, len);
    if (len) {
        td_memcopy(p + 4, body, len);
    }
    m->ext_len += 4 + len;
}

void td_log_msg_ext_list(struct td_log_msg *m, uint16_t type, int prefix_bytes, int width, const uint16_t *v, size_t n)
{
    uint8_t b[2 + 2 * TD_LOG_MSG_SUITES];
    size_t len = (size_t)prefix_bytes;
    for (size_t i = 0; i < n && len + 2 <= sizeof b; i++) {
        if (width == 2) {
            put16(b + len, v[i]);
        } else {
            b[len] = (uint8_t)v[i];
        }
        len += (size_t)width;
    }
    if (prefix_bytes == 2) {
        put16(b, len - 2);
    } else if (prefix_bytes == 1) {
        b[0] = (uint8_t)(len - 1);
    }
    td_log_msg_ext(m, type, b, len);
}

void td_log_msg_ext_sni(struct td_log_msg *m, const char *name, size_t len)
{
    uint8_t b[5 + 255];
    if (len == 0 || len > 255) {
        return;
    }
    put16(b, len + 3);
    b[2] = 0; /* host_name */
    put16(b + 3, len);
    td_memcopy(b + 5, name, len);
    td_log_msg_ext(m, TD_EXT_SERVER_NAME, b, len + 5);
}

void td_log_msg_ext_alpn(struct td_log_msg *m, const char *names, size_t len, const char *seps)
{
    uint8_t b[512];
    size_t out = 2, i = 0;
    while (i < len) {
        while (i < len && strchr(seps, names[i])) {
            i++;
        }
        size_t s = i;
        while (i < len && !strchr(seps, names[i])) {
            i++;
        }
        size_t k = i - s;
        if (k > 0 && k < 256 && out + 1 + k <= sizeof b) {
            b[out++] = (uint8_t)k;
            td_memcopy(b + out, names + s, k);
            out += k;
        }
    }
    if (out > 2) {
        put16(b, out - 2);
        td_log_msg_ext(m, TD_EXT_APPLICATION_LAYER_PROTOCOL_NEGOTIATION, b, out);
    }
}

static size_t share_len(uint16_t g, bool server)
{
    switch (g) {
    case 0x11ec: /* X25519MLKEM768: ML-KEM's encapsulation key or ciphertext, then X25519's */
        return server ? 1120 : 1216;
    case 0x11eb: /* SecP256r1MLKEM768 */
        return server ? 1153 : 1249;
    case 0x11ed:     /* SecP384r1MLKEM1024 */
        return 1665; /* key and ciphertext: 97 + 1568 */
    case TD_GROUP_SECP256R1:
        return 65;
    case TD_GROUP_SECP384R1:
        return 97;
    case TD_GROUP_SECP521R1:
        return 133;
    case TD_GROUP_X448:
        return 56;
    default:
        return g >= 0x0100 && g <= 0x0104 ? 256u + 128u * (g - 0x0100u) : 32; /* ffdhe: the prime's size */
    }
}

void td_log_msg_ext_key_share(struct td_log_msg *m, const uint16_t *groups, size_t n, bool server)
{
    static const uint8_t zero[2048];
    if (server && m->hrr) { /* KeyShareHelloRetryRequest: the group asked for */
        td_log_msg_ext_list(m, TD_EXT_KEY_SHARE, 0, 2, groups, n > 0 ? 1 : 0);
        return;
    }
    struct td_buf buf = {0};
    struct td_bld b;
    td_bld_init(&b, &buf);
    if (!server) {
        td_bld_open(&b, 2);
    }
    for (size_t i = 0; i < n && i < 8; i++) {
        size_t k = share_len(groups[i], server);
        td_bld_u16(&b, groups[i]);
        td_bld_open(&b, 2);
        td_bld_bytes(&b, zero, k < sizeof zero ? k : sizeof zero);
        td_bld_close(&b);
        if (server) {
            break;
        }
    }
    if (!server) {
        td_bld_close(&b);
    }
    if (td_bld_finish(&b)) {
        td_log_msg_ext(m, TD_EXT_KEY_SHARE, buf.data, buf.len);
    }
    td_buf_free(&buf);
}

const uint8_t td_log_hrr_random[32] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                       0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                       0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

static void build_body(const struct td_log_msg *m, struct td_bld *b)
{
    static const uint8_t random[32];
    switch (m->hs_type) {
    case TD_HS_CLIENT_HELLO:
    case TD_HS_SERVER_HELLO:
        td_bld_u16(b, m->version);
        td_bld_bytes(b, m->hrr ? td_log_hrr_random : random, sizeof random);
        td_bld_u8(b, 0); /* session id */
        if (m->hs_type == TD_HS_CLIENT_HELLO) {
            td_bld_open(b, 2);
            for (size_t i = 0; i < m->num_suites; i++) {
                td_bld_u16(b, m->suites[i]);
            }
            td_bld_close(b);
            td_bld_u8(b, 1);
        } else {
            td_bld_u16(b, m->num_suites ? m->suites[0] : 0);
        }
        td_bld_u8(b, 0); /* compression: null */
        if (m->ext_len) {
            td_bld_open(b, 2);
            td_bld_bytes(b, m->ext, m->ext_len);
            td_bld_close(b);
        }
        break;
    case TD_HS_CERTIFICATE_REQUEST: /* TLS 1.2: types, signature algorithms, no CA names */
        td_bld_open(b, 1);
        td_bld_u8(b, 1);  /* rsa_sign */
        td_bld_u8(b, 64); /* ecdsa_sign */
        td_bld_close(b);
        td_bld_open(b, 2);
        for (size_t i = 0; i < m->num_sigalgs; i++) {
            td_bld_u16(b, m->sigalgs[i]);
        }
        td_bld_close(b);
        td_bld_u16(b, 0);
        break;
    case TD_HS_CERTIFICATE: /* only an empty one is rebuilt (a trace prints no DER) */
        td_bld_u24(b, 0);
        break;
    default: /* ServerHelloDone: empty */
        break;
    }
}

void td_log_msg_feed(struct td_log_trace *t, struct td_log_msg *m)
{
    if (m->hs_type == 0 || m->bad) {
        m->hs_type = 0;
        return;
    }
    struct td_buf buf = {0};
    struct td_bld b;
    td_bld_init(&b, &buf);
    td_bld_u8(&b, m->hs_type);
    td_bld_open(&b, 3);
    build_body(m, &b);
    td_bld_close(&b);
    if (td_bld_finish(&b)) { /* after a HelloRetryRequest the handshake goes on in the clear */
        td_log_trace_message(t, m->dir, TD_CT_HANDSHAKE, buf.data, buf.len, m->line, m->tls13 && !m->hrr);
    }
    td_buf_free(&buf);
    m->hs_type = 0;
}

uint8_t td_log_msg_named(const char *s, size_t n, const char *after)
{
    static const struct td_name msgs[] = {{TD_HS_CLIENT_HELLO, "ClientHello"},
                                          {TD_HS_SERVER_HELLO, "ServerHello"},
                                          {TD_HS_CERTIFICATE_REQUEST, "CertificateRequest"},
                                          {TD_HS_SERVER_HELLO_DONE, "ServerHelloDone"},
                                          {TD_HS_CERTIFICATE, "Certificate"}};
    size_t a = after ? strlen(after) : 0;
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        size_t k = strlen(msgs[i].name);
        if (n >= k && td_mem_eq(s, msgs[i].name, k) && (after ? n >= k + a && td_mem_eq(s + k, after, a) : n == k)) {
            return (uint8_t)msgs[i].value;
        }
    }
    return 0;
}

bool td_log_msg_is_hrr(const char *s, size_t n, const char *after)
{
    static const char name[] = "HelloRetryRequest";
    size_t k = sizeof name - 1, a = after ? strlen(after) : 0;
    return n >= k + a && td_mem_eq(s, name, k) && (after ? td_mem_eq(s + k, after, a) : n == k);
}

bool td_log_name_value(const struct td_name *table, size_t len, const char *s, size_t n, uint32_t *out)
{
    for (size_t i = 0; i < len; i++) {
        const char *name = table[i].name;
        if (name && strlen(name) == n && strncasecmp(name, s, n) == 0) {
            *out = table[i].value;
            return true;
        }
    }
    return false;
}

uint16_t td_log_version_value(const char *s, size_t n)
{
    static const struct {
        const char *name;
        uint16_t v;
    } names[] = {{"tlsv1.3", 0x0304}, {"tlsv1.2", 0x0303}, {"tlsv1.1", 0x0302}, {"tlsv1", 0x0301},
                 {"tls 1.3", 0x0304}, {"tls 1.2", 0x0303}, {"tls 1.1", 0x0302}, {"tls 1.0", 0x0301},
                 {"sslv3", 0x0300},   {"ssl 3.0", 0x0300}, {"tlsv1.0", 0x0301}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i].name) == n && strncasecmp(names[i].name, s, n) == 0) {
            return names[i].v;
        }
    }
    return 0;
}

static int hexval(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10 : -1;
}

/* Java: "  0000: 16 03 03 01 52 01 00 01   4E 03 ...  ascii"; OpenSSL:
 * "0000 - 00 0e 00 00 0b 73 65 72-76 65 ...   ascii". At most 16 bytes, at
 * their columns, so the ascii part is never read as bytes. */
int td_log_dump_line(const char *s, size_t n, uint8_t *out, size_t max)
{
    size_t i = 0;
    while (i < n && s[i] == ' ') {
        i++;
    }
    if (i + 6 > n || hexval(s[i]) < 0 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0 || hexval(s[i + 3]) < 0) {
        return -1;
    }
    i += 4;
    bool java = s[i] == ':';
    if (!java && !(i + 3 <= n && s[i] == ' ' && s[i + 1] == '-' && s[i + 2] == ' ')) {
        return -1;
    }
    size_t base = i + (java ? 2 : 3);
    int got = 0;
    for (size_t k = 0; k < 16 && (size_t)got < max; k++) {
        size_t p = base + 3 * k + (java && k >= 8 ? 2 : 0);
        if (p + 2 > n || hexval(s[p]) < 0 || hexval(s[p + 1]) < 0 ||
            (p + 2 < n && s[p + 2] != ' ' && !(s[p + 2] == '-' && k == 7 && !java))) {
            break;
        }
        out[got++] = (uint8_t)(hexval(s[p]) << 4 | hexval(s[p + 1]));
    }
    return got;
}

size_t td_log_names_in(const char *s, size_t n, const struct td_name *table, size_t len, uint16_t *out, size_t have,
                       size_t max)
{
    size_t i = 0;
    while (i < n && have < max) {
        while (i < n && !(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.')) {
            i++;
        }
        size_t st = i;
        while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.')) {
            i++;
        }
        uint32_t v;
        if (i > st && td_log_name_value(table, len, s + st, i - st, &v)) {
            out[have++] = (uint16_t)v;
        }
    }
    return have;
}
