/* ClientHello and ServerHello / HelloRetryRequest; their extensions are read by extensions.c. */
#include <stdlib.h>

#include "base/mem.h"
#include "tls/internal.h"

#include "base/banned.h"

void td_client_hello_free(struct td_client_hello *ch)
{
    if (!ch) {
        return;
    }
    free(ch->suites.v);
    free(ch->compression.p);
    free(ch->exts.v);
    free(ch->sni);
    free(ch->versions.v);
    free(ch->groups.v);
    free(ch->sigalgs.v);
    free(ch->sigalgs_cert.v);
    free(ch->key_shares.v);
    td_strs_free(&ch->alpn);
    free(ch->ec_point_formats.p);
    free(ch->psk_modes.p);
    free(ch);
}

/*
 * RFC 8446 4.1.2:
 *   struct {
 *       ProtocolVersion legacy_version = 0x0303;
 *       Random random;
 *       opaque legacy_session_id<0..32>;
 *       CipherSuite cipher_suites<2..2^16-2>;
 *       opaque legacy_compression_methods<1..2^8-1>;
 *       Extension extensions<8..2^16-1>;
 *   } ClientHello;
 */
static struct td_client_hello *parse_client_hello(struct td_cur *c, const char **err, size_t *err_off,
                                                  bool keep_partial)
{
    struct td_pctx pc = {err, err_off, c}, *p = &pc;
    struct td_client_hello *ch = td_calloc(1, sizeof *ch);
    struct td_cur sid, suites;
    if (!td_cur_get_u16(c, &ch->legacy_version) || !td_cur_copy(c, ch->random, 32)) {
        *err = "ClientHello cut short before the end of random";
        goto bad;
    }
    *err_off = td_cur_offset(c);
    if (!td_cur_get_u8_prefixed(c, &sid) || td_cur_len(&sid) > 32) {
        *err = "legacy_session_id longer than 32 bytes or past the message";
        goto bad;
    }
    ch->session_id_len = (uint8_t)td_cur_len(&sid);
    *err_off = td_cur_offset(c);
    struct td_cur before_suites = *c;
    if (!td_cur_get_u16_prefixed(c, &suites) || td_cur_len(&suites) < 2 || td_cur_len(&suites) % 2) {
        *err = "cipher_suites length is odd, zero, or runs past the message";
        if (keep_partial) {
            /* Wireshark truncates the vector to the bytes there: show those suites */
            struct td_cur all = before_suites;
            uint16_t claimed;
            if (td_cur_get_u16(&all, &claimed) && claimed > 0) {
                size_t n = (claimed < td_cur_len(&all) ? claimed : td_cur_len(&all)) / 2;
                ch->suites.n = n;
                ch->suites.v = td_calloc(n + 1, sizeof(uint16_t));
                for (size_t i = 0; i < n; i++) {
                    td_cur_get_u16(&all, &ch->suites.v[i]);
                }
            }
        }
        goto bad;
    }
    ch->suites.n = td_cur_len(&suites) / 2;
    ch->suites.v = td_calloc(ch->suites.n, sizeof(uint16_t));
    for (size_t i = 0; i < ch->suites.n; i++) {
        td_cur_get_u16(&suites, &ch->suites.v[i]);
    }
    *err_off = td_cur_offset(c);
    if (!td_hello_blob(p, c, 1, &ch->compression, "legacy_compression_methods runs past the message") ||
        ch->compression.len < 1) {
        *err = "legacy_compression_methods is empty or runs past the message";
        goto bad;
    }
    struct td_hello_out h = {ch, NULL};
    if (!td_hello_exts(p, c, &ch->exts, &h)) {
        goto bad;
    }
    return ch;
bad:
    if (*err_off == 0) {
        *err_off = td_cur_offset(c);
    }
    if (keep_partial && *err_off >= 34) {
        return ch; /* version and random were read: what follows is kept up to the error */
    }
    td_client_hello_free(ch);
    return NULL;
}

struct td_client_hello *td_parse_client_hello(struct td_cur *c, const char **err, size_t *err_off)
{
    return parse_client_hello(c, err, err_off, false);
}

/* As Wireshark does with a broken vector: show the message up to the error. */
struct td_client_hello *td_parse_client_hello_partial(struct td_cur *c, const char **err, size_t *err_off)
{
    *err = NULL;
    *err_off = 0;
    return parse_client_hello(c, err, err_off, true);
}

/*
 * RFC 5246 E.2 (SSL 2.0 compatible ClientHello), after the 2-byte record header:
 *   uint8 msg_type = 1; Version version; uint16 cipher_spec_length;
 *   uint16 session_id_length; uint16 challenge_length;
 *   V2CipherSpec cipher_specs[cipher_spec_length]; (3 bytes each)
 *   opaque session_id[..]; opaque challenge[..];
 */
struct td_client_hello *td_parse_sslv2_client_hello(struct td_cur *c, const char **err, size_t *err_off)
{
    struct td_client_hello *ch = td_calloc(1, sizeof *ch);
    uint8_t type;
    uint16_t spec_len, sid_len, chal_len;
    struct td_cur specs, sid, chal;
    ch->sslv2_format = true;
    if (!td_cur_get_u8(c, &type) || type != TD_SSL2_MT_CLIENT_HELLO || !td_cur_get_u16(c, &ch->legacy_version) ||
        !td_cur_get_u16(c, &spec_len) || !td_cur_get_u16(c, &sid_len) || !td_cur_get_u16(c, &chal_len)) {
        *err = "SSLv2-format ClientHello header cut short or not a CLIENT-HELLO";
        goto bad;
    }
    if (spec_len % 3 || !td_cur_get_bytes(c, &specs, spec_len) || !td_cur_get_bytes(c, &sid, sid_len) ||
        !td_cur_get_bytes(c, &chal, chal_len) || chal_len > 32) {
        *err = "SSLv2-format ClientHello lengths do not add up";
        goto bad;
    }
    ch->session_id_len = (uint8_t)(sid_len > 255 ? 255 : sid_len);
    /* The challenge is right-aligned into the 32-byte random (RFC 5246 E.2). */
    td_cur_copy(&chal, ch->random + 32 - chal_len, chal_len);
    ch->suites.v = td_calloc(spec_len / 3 + 1, sizeof(uint16_t));
    while (td_cur_len(&specs) >= 3) {
        uint8_t k;
        uint16_t v;
        td_cur_get_u8(&specs, &k);
        td_cur_get_u16(&specs, &v);
        if (k == 0) { /* a TLS suite; k != 0 are SSLv2-only kinds */
            ch->suites.v[ch->suites.n++] = v;
        }
    }
    return ch;
bad:
    *err_off = td_cur_offset(c);
    td_client_hello_free(ch);
    return NULL;
}

/*
 * SSL 2.0 (draft-hickman-netscape-ssl-00) SERVER-HELLO, after the record header:
 *   uint8 msg_type = 4; uint8 session_id_hit; uint8 certificate_type;
 *   uint16 server_version; uint16 certificate_length; uint16 cipher_specs_length;
 *   uint16 connection_id_length; certificate[..]; cipher_specs[..] (3 bytes each);
 *   connection_id[..]
 * The certificate (type 1: X.509) is returned as a view into the record in *cert.
 */
struct td_server_hello *td_parse_sslv2_server_hello(struct td_cur *c, struct td_cur *cert, const char **err,
                                                    size_t *err_off)
{
    struct td_server_hello *sh = td_calloc(1, sizeof *sh);
    uint8_t type, hit, cert_type;
    uint16_t cert_len, specs_len, cid_len;
    struct td_cur specs, cid;
    if (!td_cur_get_u8(c, &type) || type != TD_SSL2_MT_SERVER_HELLO || !td_cur_get_u8(c, &hit) ||
        !td_cur_get_u8(c, &cert_type) || !td_cur_get_u16(c, &sh->legacy_version) || !td_cur_get_u16(c, &cert_len) ||
        !td_cur_get_u16(c, &specs_len) || !td_cur_get_u16(c, &cid_len)) {
        *err = "SSLv2 SERVER-HELLO header cut short";
        goto bad;
    }
    if (!td_cur_get_bytes(c, cert, cert_len) || specs_len % 3 || !td_cur_get_bytes(c, &specs, specs_len) ||
        !td_cur_get_bytes(c, &cid, cid_len)) {
        *err = "SSLv2 SERVER-HELLO lengths do not add up";
        goto bad;
    }
    if (cert_type != TD_SSL2_CT_X509_CERTIFICATE) {
        cert->len = 0; /* only X.509 certificates are decoded */
    }
    sh->version = sh->legacy_version;
    sh->session_id_len = hit;
    /* the first cipher kind the server lists: SSLv2 kinds are 3 bytes, kept as their low 16 bits */
    uint8_t k0;
    uint16_t k12;
    if (td_cur_get_u8(&specs, &k0) && td_cur_get_u16(&specs, &k12)) {
        sh->suite = k12;
    }
    return sh;
bad:
    *err_off = td_cur_offset(c);
    td_server_hello_free(sh);
    return NULL;
}

void td_server_hello_free(struct td_server_hello *sh)
{
    if (!sh) {
        return;
    }
    free(sh->exts.v);
    free(sh->alpn);
    free(sh);
}

/* RFC 8446 4.1.3: SHA-256("HelloRetryRequest") marks a HelloRetryRequest. */
static const uint8_t hrr_random[32] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                       0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                       0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

/*
 * RFC 8446 4.1.3:
 *   struct {
 *       ProtocolVersion legacy_version = 0x0303;
 *       Random random;
 *       opaque legacy_session_id_echo<0..32>;
 *       CipherSuite cipher_suite;
 *       uint8 legacy_compression_method = 0;
 *       Extension extensions<6..2^16-1>;
 *   } ServerHello;
 */
static struct td_server_hello *parse_server_hello(struct td_cur *c, const char **err, size_t *err_off,
                                                  bool keep_partial)
{
    struct td_pctx pc = {err, err_off, c}, *p = &pc;
    bool got_suite = false;
    struct td_server_hello *sh = td_calloc(1, sizeof *sh);
    struct td_cur sid;
    *err_off = 0;
    if (!td_cur_get_u16(c, &sh->legacy_version) || !td_cur_copy(c, sh->random, 32)) {
        *err = "ServerHello cut short before the end of random";
        goto bad;
    }
    /* draft-ietf-tls-tls13-21 and before: ServerHello { server_version; random;
     * cipher_suite; extensions } with no session id echo nor compression
     * (the legacy fields came back in draft 22). */
    sh->tls13_draft = (sh->legacy_version >> 8) == TD_VERSION_TLS13_DRAFT_MAJOR && (sh->legacy_version & 0xff) < 22;
    if (sh->tls13_draft) {
        if (!td_cur_get_u16(c, &sh->suite)) {
            *err = "TLS 1.3 draft ServerHello cut short before cipher_suite";
            goto bad;
        }
    } else {
        if (!td_cur_get_u8_prefixed(c, &sid) || td_cur_len(&sid) > 32) {
            *err = "legacy_session_id_echo longer than 32 bytes or past the message";
            goto bad;
        }
        sh->session_id_len = (uint8_t)td_cur_len(&sid);
        if (!td_cur_get_u16(c, &sh->suite) || !td_cur_get_u8(c, &sh->compression)) {
            *err = "ServerHello cut short before cipher_suite and compression";
            goto bad;
        }
    }
    sh->version = sh->legacy_version;
    sh->hrr = td_mem_eq(sh->random, hrr_random, 32);
    got_suite = true;
    struct td_hello_out h = {NULL, sh};
    if (!td_hello_exts(p, c, &sh->exts, &h)) {
        goto bad;
    }
    /* RFC 8446 4.1.3 downgrade sentinel "DOWNGRD" + 01 / 00. */
    static const uint8_t dg[7] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44};
    if (!sh->hrr && td_mem_eq(sh->random + 24, dg, 7)) {
        if (sh->random[31] == 1) {
            sh->downgrade = "TLS 1.2";
        } else if (sh->random[31] == 0) {
            sh->downgrade = "TLS 1.1 or below";
        }
    }
    return sh;
bad:
    if (*err_off == 0) {
        *err_off = td_cur_offset(c);
    }
    if (keep_partial && got_suite) {
        return sh; /* version, random and suite were read; the extensions up to the error */
    }
    td_server_hello_free(sh);
    return NULL;
}

struct td_server_hello *td_parse_server_hello(struct td_cur *c, const char **err, size_t *err_off)
{
    return parse_server_hello(c, err, err_off, false);
}

struct td_server_hello *td_parse_server_hello_partial(struct td_cur *c, const char **err, size_t *err_off)
{
    *err = NULL;
    *err_off = 0;
    return parse_server_hello(c, err, err_off, true);
}
