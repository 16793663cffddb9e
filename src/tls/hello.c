/* ClientHello and ServerHello / HelloRetryRequest, with their extensions. */
#include <stdlib.h>

#include "base/mem.h"
#include "tls/internal.h"

#include "base/banned.h"

#define FAIL(msg)                                                                                                      \
    do {                                                                                                               \
        *p->err = (msg);                                                                                               \
        *p->err_off = td_cur_offset(p->at);                                                                            \
        return false;                                                                                                  \
    } while (0)

struct pctx {
    const char **err;
    size_t *err_off;
    struct td_cur *at; /* the cursor whose offset is reported on failure */
};

/* A vector of uint16 values behind a 1- or 2-byte length (even, non-empty when required). */
static bool get_u16_list(struct pctx *p, struct td_cur *c, int prefix_bytes, struct td_u16s *out, const char *what)
{
    struct td_cur v;
    p->at = c;
    bool ok = prefix_bytes == 1 ? td_cur_get_u8_prefixed(c, &v) : td_cur_get_u16_prefixed(c, &v);
    if (!ok) {
        FAIL(what);
    }
    if (td_cur_len(&v) % 2) {
        FAIL(what);
    }
    free(out->v);
    out->n = td_cur_len(&v) / 2;
    out->v = td_calloc(out->n, sizeof *out->v);
    for (size_t i = 0; i < out->n; i++) {
        td_cur_get_u16(&v, &out->v[i]);
    }
    return true;
}

static bool get_blob(struct pctx *p, struct td_cur *c, int prefix_bytes, struct td_blob *out, const char *what)
{
    struct td_cur v;
    p->at = c;
    bool ok = prefix_bytes == 1 ? td_cur_get_u8_prefixed(c, &v) : td_cur_get_u16_prefixed(c, &v);
    if (!ok) {
        FAIL(what);
    }
    free(out->p);
    out->len = td_cur_len(&v);
    out->p = td_memdup(td_cur_data(&v), out->len);
    return true;
}

static void strs_push(struct td_strs *s, const uint8_t *p, size_t n)
{
    s->v = td_realloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = td_strndup((const char *)p, n);
}

static void strs_free(struct td_strs *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i]);
    }
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* RFC 6066 3: ServerNameList = HostName entries (name_type 0). */
static bool ext_server_name(struct pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    struct td_cur list;
    p->at = e;
    ch->has_sni = true;
    if (td_cur_len(e) == 0) {
        return true;
    }
    if (!td_cur_get_u16_prefixed(e, &list)) {
        FAIL("server_name: list length runs past the extension");
    }
    while (td_cur_len(&list) > 0) {
        uint8_t type;
        struct td_cur name;
        p->at = &list;
        if (!td_cur_get_u8(&list, &type) || !td_cur_get_u16_prefixed(&list, &name)) {
            FAIL("server_name: entry runs past the list");
        }
        if (type == 0 && !ch->sni) {
            ch->sni = td_strndup((const char *)td_cur_data(&name), td_cur_len(&name));
        }
    }
    return true;
}

/* RFC 7301 3.1: ProtocolNameList. */
static bool get_alpn(struct pctx *p, struct td_cur *e, struct td_strs *out)
{
    struct td_cur list;
    p->at = e;
    if (!td_cur_get_u16_prefixed(e, &list)) {
        FAIL("application_layer_protocol_negotiation: list length runs past the extension");
    }
    while (td_cur_len(&list) > 0) {
        struct td_cur name;
        p->at = &list;
        if (!td_cur_get_u8_prefixed(&list, &name) || td_cur_len(&name) == 0) {
            FAIL("application_layer_protocol_negotiation: empty or overlong protocol name");
        }
        strs_push(out, td_cur_data(&name), td_cur_len(&name));
    }
    return true;
}

/* RFC 8446 4.2.8: KeyShareClientHello = KeyShareEntry client_shares<0..2^16-1>. */
static bool ext_key_share_ch(struct pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    struct td_cur list;
    p->at = e;
    if (!td_cur_get_u16_prefixed(e, &list)) {
        FAIL("key_share: list length runs past the extension");
    }
    while (td_cur_len(&list) > 0) {
        uint16_t group;
        struct td_cur key;
        p->at = &list;
        if (!td_cur_get_u16(&list, &group) || !td_cur_get_u16_prefixed(&list, &key)) {
            FAIL("key_share: entry runs past the list");
        }
        ch->key_shares.v = td_realloc(ch->key_shares.v, (ch->key_shares.n + 1) * sizeof(uint16_t));
        ch->key_shares.v[ch->key_shares.n++] = group;
    }
    return true;
}

/* RFC 8446 4.2.11: identities<7..2^16-1>, binders<33..2^16-1>. */
static bool ext_psk_ch(struct pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    struct td_cur ids, binders;
    p->at = e;
    if (!td_cur_get_u16_prefixed(e, &ids) || !td_cur_get_u16_prefixed(e, &binders)) {
        FAIL("pre_shared_key: identities or binders run past the extension");
    }
    while (td_cur_len(&ids) > 0) {
        struct td_cur id;
        uint32_t age;
        p->at = &ids;
        if (!td_cur_get_u16_prefixed(&ids, &id) || !td_cur_get_u32(&ids, &age)) {
            FAIL("pre_shared_key: identity runs past the list");
        }
        ch->psk_identities++;
    }
    return true;
}

static bool client_ext(struct pctx *p, uint16_t type, struct td_cur *e, struct td_client_hello *ch)
{
    switch (type) {
    case 0:
        return ext_server_name(p, e, ch);
    case 5:
        ch->has_status_request = true;
        break;
    case 10:
        return get_u16_list(p, e, 2, &ch->groups, "supported_groups: odd or overlong list");
    case 11:
        return get_blob(p, e, 1, &ch->ec_point_formats, "ec_point_formats: list runs past the extension");
    case 13:
        return get_u16_list(p, e, 2, &ch->sigalgs, "signature_algorithms: odd or overlong list");
    case 16:
        return get_alpn(p, e, &ch->alpn);
    case 21:
        ch->padding_len = (uint16_t)td_cur_len(e);
        break;
    case 22:
        ch->has_etm = true;
        break;
    case 23:
        ch->has_ems = true;
        break;
    case 35:
        ch->has_session_ticket = true;
        ch->session_ticket_len = (uint16_t)td_cur_len(e);
        break;
    case 41:
        return ext_psk_ch(p, e, ch);
    case 42:
        ch->has_early_data = true;
        break;
    case 43:
        return get_u16_list(p, e, 1, &ch->versions, "supported_versions: odd or overlong list");
    case 45:
        return get_blob(p, e, 1, &ch->psk_modes, "psk_key_exchange_modes: list runs past the extension");
    case 49:
        ch->has_post_handshake_auth = true;
        break;
    case 50:
        return get_u16_list(p, e, 2, &ch->sigalgs_cert, "signature_algorithms_cert: odd or overlong list");
    case 51:
        return ext_key_share_ch(p, e, ch);
    case 65037:
        ch->has_ech = true;
        break;
    case 65281:
        ch->has_reneg = true;
        break;
    default:
        break; /* recorded by number in exts, content not needed */
    }
    return true;
}

/* Walk an extensions block, recording each type and length and handing the
 * body to fn. */
static bool walk_exts(struct pctx *p, struct td_cur *c, struct td_exts *out,
                      bool (*fn)(struct pctx *, uint16_t, struct td_cur *, void *), void *arg)
{
    struct td_cur block;
    p->at = c;
    if (td_cur_len(c) == 0) {
        return true; /* no extensions at all (RFC 5246 7.4.1.2: allowed) */
    }
    if (!td_cur_get_u16_prefixed(c, &block)) {
        FAIL("extensions length runs past the message");
    }
    while (td_cur_len(&block) > 0) {
        uint16_t type;
        struct td_cur body;
        p->at = &block;
        if (!td_cur_get_u16(&block, &type) || !td_cur_get_u16_prefixed(&block, &body)) {
            FAIL("extension header or length runs past the extensions block");
        }
        out->v = td_realloc(out->v, (out->n + 1) * sizeof *out->v);
        out->v[out->n].type = type;
        out->v[out->n].len = (uint16_t)td_cur_len(&body);
        out->n++;
        if (!fn(p, type, &body, arg)) {
            return false;
        }
    }
    p->at = c;
    if (td_cur_len(c) != 0) {
        FAIL("bytes after the extensions block");
    }
    return true;
}

static bool client_ext_cb(struct pctx *p, uint16_t type, struct td_cur *e, void *arg)
{
    return client_ext(p, type, e, arg);
}

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
    strs_free(&ch->alpn);
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
    struct pctx pc = {err, err_off, c}, *p = &pc;
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
    if (!get_blob(p, c, 1, &ch->compression, "legacy_compression_methods runs past the message") ||
        ch->compression.len < 1) {
        *err = "legacy_compression_methods is empty or runs past the message";
        goto bad;
    }
    if (!walk_exts(p, c, &ch->exts, client_ext_cb, ch)) {
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
    if (!td_cur_get_u8(c, &type) || type != 1 || !td_cur_get_u16(c, &ch->legacy_version) ||
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
    if (!td_cur_get_u8(c, &type) || type != 4 || !td_cur_get_u8(c, &hit) || !td_cur_get_u8(c, &cert_type) ||
        !td_cur_get_u16(c, &sh->legacy_version) || !td_cur_get_u16(c, &cert_len) || !td_cur_get_u16(c, &specs_len) ||
        !td_cur_get_u16(c, &cid_len)) {
        *err = "SSLv2 SERVER-HELLO header cut short";
        goto bad;
    }
    if (!td_cur_get_bytes(c, cert, cert_len) || specs_len % 3 || !td_cur_get_bytes(c, &specs, specs_len) ||
        !td_cur_get_bytes(c, &cid, cid_len)) {
        *err = "SSLv2 SERVER-HELLO lengths do not add up";
        goto bad;
    }
    if (cert_type != 1) {
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

static bool server_ext(struct pctx *p, uint16_t type, struct td_cur *e, void *arg)
{
    struct td_server_hello *sh = arg;
    p->at = e;
    switch (type) {
    case 0:
        sh->has_sni_ack = true;
        break;
    case 5:
        sh->has_status_request = true;
        break;
    case 16: {
        struct td_strs s = {0};
        if (!get_alpn(p, e, &s)) {
            strs_free(&s);
            return false;
        }
        if (s.n > 0) {
            free(sh->alpn); /* a repeated extension: the last one counts */
            sh->alpn = s.v[0];
            s.v[0] = NULL;
        }
        strs_free(&s);
        break;
    }
    case 22:
        sh->has_etm = true;
        break;
    case 23:
        sh->has_ems = true;
        break;
    case 35:
        sh->has_session_ticket = true;
        break;
    case 43: /* RFC 8446 4.2.1: selected_version */
        if (!td_cur_get_u16(e, &sh->version) || td_cur_len(e) != 0) {
            FAIL("supported_versions: not exactly one version");
        }
        sh->has_supported_versions = true;
        break;
    case 51: /* RFC 8446 4.2.8: KeyShareServerHello / KeyShareHelloRetryRequest */
        if (!td_cur_get_u16(e, &sh->key_share_group)) {
            FAIL("key_share: group missing");
        }
        break;
    case 65281:
        sh->has_reneg = true;
        break;
    default:
        break;
    }
    return true;
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
    struct pctx pc = {err, err_off, c}, *p = &pc;
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
    sh->tls13_draft = (sh->legacy_version >> 8) == 0x7f && (sh->legacy_version & 0xff) < 22;
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
    if (!walk_exts(p, c, &sh->exts, server_ext, sh)) {
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
