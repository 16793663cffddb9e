/* Hello extensions (RFC 8446 4.2): one table row per extension tlsdiag reads,
 * with its ClientHello and its ServerHello parser (BoringSSL ssl/extensions.cc
 * kExtensions[]). Each parser gets its extension_data alone; what it leaves
 * unread is recorded (td_ext_seen.trailing), not a reason to drop the hello. */
#include <stdlib.h>

#include "base/mem.h"
#include "tls/internal.h"

#include "base/banned.h"

#define FAIL(msg) TD_PFAIL(p, msg)

/* RFC 6066 3: NameType host_name. */
enum { NAME_TYPE_HOST_NAME = 0 };

/* A vector of uint16 values behind a 1- or 2-byte length (even, non-empty when required). */
static bool get_u16_list(struct td_pctx *p, struct td_cur *c, int prefix_bytes, struct td_u16s *out, const char *what)
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

bool td_hello_blob(struct td_pctx *p, struct td_cur *c, int prefix_bytes, struct td_blob *out, const char *what)
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

void td_strs_free(struct td_strs *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i]);
    }
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* RFC 6066 3: ServerNameList = HostName entries (name_type 0). */
static bool ch_server_name(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
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
        if (type == NAME_TYPE_HOST_NAME && !ch->sni) {
            ch->sni = td_strndup((const char *)td_cur_data(&name), td_cur_len(&name));
        }
    }
    return true;
}

/* RFC 7301 3.1: ProtocolNameList. */
static bool get_alpn(struct td_pctx *p, struct td_cur *e, struct td_strs *out)
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
static bool ch_key_share(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
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
static bool ch_pre_shared_key(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
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

/* Content tlsdiag does not read (a ticket, padding, an ECH payload): consumed
 * whole, so that it never counts as trailing bytes. */
static void skip_all(struct td_cur *e) { td_cur_skip(e, td_cur_len(e)); }

/* ---- ClientHello extensions: each gets its extension_data alone and reads
 * exactly its structure (RFC 8446 4.2); what it leaves is recorded as trailing. */

static bool ch_status_request(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    (void)p;
    ch->has_status_request = true;
    skip_all(e); /* CertificateStatusRequest: not needed */
    return true;
}

static bool ch_supported_groups(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    return get_u16_list(p, e, 2, &ch->groups, "supported_groups: odd or overlong list");
}

static bool ch_ec_point_formats(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    return td_hello_blob(p, e, 1, &ch->ec_point_formats, "ec_point_formats: list runs past the extension");
}

static bool ch_signature_algorithms(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    return get_u16_list(p, e, 2, &ch->sigalgs, "signature_algorithms: odd or overlong list");
}

static bool ch_alpn(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    return get_alpn(p, e, &ch->alpn);
}

static bool ch_padding(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    (void)p;
    ch->padding_len = (uint16_t)td_cur_len(e);
    skip_all(e);
    return true;
}

/* RFC 7366 3, RFC 7627 5.1, RFC 8446 4.2.6 / 4.2.10: empty extension_data. */
static bool ch_encrypt_then_mac(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    (void)p, (void)e;
    ch->has_etm = true;
    return true;
}

static bool ch_extended_master_secret(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    (void)p, (void)e;
    ch->has_ems = true;
    return true;
}

static bool ch_early_data(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    (void)p, (void)e;
    ch->has_early_data = true;
    return true;
}

static bool ch_post_handshake_auth(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    (void)p, (void)e;
    ch->has_post_handshake_auth = true;
    return true;
}

static bool ch_session_ticket(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    (void)p;
    ch->has_session_ticket = true;
    ch->session_ticket_len = (uint16_t)td_cur_len(e);
    skip_all(e); /* RFC 5077 3.2: the ticket is the whole extension_data */
    return true;
}

static bool ch_supported_versions(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    return get_u16_list(p, e, 1, &ch->versions, "supported_versions: odd or overlong list");
}

static bool ch_psk_modes(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    return td_hello_blob(p, e, 1, &ch->psk_modes, "psk_key_exchange_modes: list runs past the extension");
}

static bool ch_signature_algorithms_cert(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    return get_u16_list(p, e, 2, &ch->sigalgs_cert, "signature_algorithms_cert: odd or overlong list");
}

/* draft-ietf-tls-esni 5: struct { ECHClientHelloType type; select (type) {
 * case outer: HpkeSymmetricCipherSuite cipher_suite; uint8 config_id;
 * opaque enc<0..2^16-1>; opaque payload<1..2^16-1>; case inner: Empty; } }.
 * What does not parse is left unread: the extension's trailing bytes (a
 * finding), not a malformed ClientHello, since ECH drafts have changed it. */
static bool ch_ech(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    (void)p;
    struct td_cur enc, payload, probe = *e;
    ch->has_ech = true;
    if (!td_cur_get_u8(&probe, &ch->ech.type)) {
        return true;
    }
    if (ch->ech.type == 1) {
        ch->ech.parsed = td_cur_len(&probe) == 0;
    } else if (ch->ech.type == 0 && td_cur_get_u16(&probe, &ch->ech.kdf_id) &&
               td_cur_get_u16(&probe, &ch->ech.aead_id) && td_cur_get_u8(&probe, &ch->ech.config_id) &&
               td_cur_get_u16_prefixed(&probe, &enc) && td_cur_get_u16_prefixed(&probe, &payload) &&
               td_cur_len(&payload) > 0) {
        ch->ech.enc_len = (uint16_t)td_cur_len(&enc);
        ch->ech.payload_len = (uint16_t)td_cur_len(&payload);
        ch->ech.parsed = true;
    }
    if (ch->ech.parsed) {
        *e = probe;
    }
    return true;
}

static bool sh_ech(struct td_pctx *p, struct td_cur *e, struct td_server_hello *sh)
{
    (void)p;
    sh->has_ech = true;
    skip_all(e); /* HRR: the confirmation, 8 bytes made with the inner ClientHello's random */
    return true;
}

static bool ch_renegotiation_info(struct td_pctx *p, struct td_cur *e, struct td_client_hello *ch)
{
    (void)p;
    ch->has_reneg = true;
    struct td_cur conn;
    td_cur_get_u8_prefixed(e, &conn); /* RFC 5746 3.2: renegotiated_connection<0..255> */
    return true;
}

/* ---- ServerHello / HelloRetryRequest extensions ---- */

static bool sh_server_name(struct td_pctx *p, struct td_cur *e, struct td_server_hello *sh)
{
    (void)p, (void)e;
    sh->has_sni_ack = true; /* RFC 6066 3: empty extension_data */
    return true;
}

static bool sh_status_request(struct td_pctx *p, struct td_cur *e, struct td_server_hello *sh)
{
    (void)p, (void)e;
    sh->has_status_request = true; /* RFC 6066 8: empty in the ServerHello */
    return true;
}

static bool sh_alpn(struct td_pctx *p, struct td_cur *e, struct td_server_hello *sh)
{
    struct td_strs s = {0};
    if (!get_alpn(p, e, &s)) {
        td_strs_free(&s);
        return false;
    }
    if (s.n > 0) {
        free(sh->alpn); /* a repeated extension: the last one counts */
        sh->alpn = s.v[0];
        s.v[0] = NULL;
    }
    td_strs_free(&s);
    return true;
}

static bool sh_encrypt_then_mac(struct td_pctx *p, struct td_cur *e, struct td_server_hello *sh)
{
    (void)p, (void)e;
    sh->has_etm = true;
    return true;
}

static bool sh_extended_master_secret(struct td_pctx *p, struct td_cur *e, struct td_server_hello *sh)
{
    (void)p, (void)e;
    sh->has_ems = true;
    return true;
}

static bool sh_session_ticket(struct td_pctx *p, struct td_cur *e, struct td_server_hello *sh)
{
    (void)p, (void)e;
    sh->has_session_ticket = true; /* RFC 5077 3.2: empty in the ServerHello */
    return true;
}

/* RFC 8446 4.2.1: selected_version. */
static bool sh_supported_versions(struct td_pctx *p, struct td_cur *e, struct td_server_hello *sh)
{
    p->at = e;
    if (!td_cur_get_u16(e, &sh->version) || td_cur_len(e) != 0) {
        FAIL("supported_versions: not exactly one version");
    }
    sh->has_supported_versions = true;
    return true;
}

/* RFC 8446 4.2.8: KeyShareServerHello { KeyShareEntry server_share; } or, in a
 * HelloRetryRequest, KeyShareHelloRetryRequest { NamedGroup selected_group; }. */
static bool sh_key_share(struct td_pctx *p, struct td_cur *e, struct td_server_hello *sh)
{
    p->at = e;
    if (!td_cur_get_u16(e, &sh->key_share_group)) {
        FAIL("key_share: group missing");
    }
    struct td_cur key;
    if (!sh->hrr) {
        td_cur_get_u16_prefixed(e, &key); /* key_exchange: not needed; missing counts as trailing */
    }
    return true;
}

static bool sh_renegotiation_info(struct td_pctx *p, struct td_cur *e, struct td_server_hello *sh)
{
    (void)p;
    sh->has_reneg = true;
    struct td_cur conn;
    td_cur_get_u8_prefixed(e, &conn); /* RFC 5746 3.2: renegotiated_connection<0..255> */
    return true;
}

/* The extensions tlsdiag reads, by side (BoringSSL ssl/extensions.cc
 * kExtensions[]). A NULL parser: recorded by number in exts, content not read
 * nor checked. Names are td_ext_name(type), from the IANA registry. */
static const struct ext_parser {
    uint16_t type;
    bool (*parse_ch)(struct td_pctx *, struct td_cur *, struct td_client_hello *);
    bool (*parse_sh)(struct td_pctx *, struct td_cur *, struct td_server_hello *);
} ext_parsers[] = {
    {TD_EXT_SERVER_NAME, ch_server_name, sh_server_name},
    {TD_EXT_STATUS_REQUEST, ch_status_request, sh_status_request},
    {TD_EXT_SUPPORTED_GROUPS, ch_supported_groups, NULL},
    {TD_EXT_EC_POINT_FORMATS, ch_ec_point_formats, NULL},
    {TD_EXT_SIGNATURE_ALGORITHMS, ch_signature_algorithms, NULL},
    {TD_EXT_APPLICATION_LAYER_PROTOCOL_NEGOTIATION, ch_alpn, sh_alpn},
    {TD_EXT_PADDING, ch_padding, NULL},
    {TD_EXT_ENCRYPT_THEN_MAC, ch_encrypt_then_mac, sh_encrypt_then_mac},
    {TD_EXT_EXTENDED_MASTER_SECRET, ch_extended_master_secret, sh_extended_master_secret},
    {TD_EXT_SESSION_TICKET, ch_session_ticket, sh_session_ticket},
    {TD_EXT_PRE_SHARED_KEY, ch_pre_shared_key, NULL},
    {TD_EXT_EARLY_DATA, ch_early_data, NULL},
    {TD_EXT_SUPPORTED_VERSIONS, ch_supported_versions, sh_supported_versions},
    {TD_EXT_PSK_KEY_EXCHANGE_MODES, ch_psk_modes, NULL},
    {TD_EXT_POST_HANDSHAKE_AUTH, ch_post_handshake_auth, NULL},
    {TD_EXT_SIGNATURE_ALGORITHMS_CERT, ch_signature_algorithms_cert, NULL},
    {TD_EXT_KEY_SHARE, ch_key_share, sh_key_share},
    {TD_EXT_ENCRYPTED_CLIENT_HELLO, ch_ech, sh_ech},
    {TD_EXT_RENEGOTIATION_INFO, ch_renegotiation_info, sh_renegotiation_info},
};

static const struct ext_parser *find_ext_parser(uint16_t type)
{
    for (size_t i = 0; i < sizeof ext_parsers / sizeof ext_parsers[0]; i++) {
        if (ext_parsers[i].type == type) {
            return &ext_parsers[i];
        }
    }
    return NULL;
}

/* One extension through its row of ext_parsers. Bytes its parser left unread
 * are a finding (seen->trailing), not a reason to drop the hello: tlsdiag
 * shows what a peer sent, and peers do not all reject such extensions. */
static bool parse_ext(struct td_pctx *p, struct td_cur *body, struct td_ext_seen *seen, const struct td_hello_out *h)
{
    const struct ext_parser *row = find_ext_parser(seen->type);
    bool ok = true, parsed = false;
    if (row && h->ch && row->parse_ch) {
        ok = row->parse_ch(p, body, h->ch);
        parsed = true;
    } else if (row && h->sh && row->parse_sh) {
        ok = row->parse_sh(p, body, h->sh);
        parsed = true;
    }
    if (ok && parsed) {
        seen->trailing = (uint16_t)td_cur_len(body);
    }
    return ok;
}

bool td_hello_exts(struct td_pctx *p, struct td_cur *c, struct td_exts *out, const struct td_hello_out *h)
{
    struct td_cur block;
    p->at = c;
    if (td_cur_len(c) == 0) {
        return true; /* no extensions at all (RFC 5246 7.4.1.2: allowed) */
    }
    if (!td_cur_get_u16_prefixed(c, &block)) {
        FAIL("extensions length runs past the message");
    }
    /* one allocation for them all: counted first (up to where the headers
     * stop making sense, which the loop below then reports) */
    size_t count = out->n;
    for (struct td_cur k = block; td_cur_len(&k) >= 4; count++) {
        uint16_t type;
        struct td_cur body;
        if (!td_cur_get_u16(&k, &type) || !td_cur_get_u16_prefixed(&k, &body)) {
            count++;
            break;
        }
    }
    if (count > out->n) {
        out->v = td_realloc(out->v, count * sizeof *out->v);
    }
    size_t cap = count;
    while (td_cur_len(&block) > 0) {
        uint16_t type;
        struct td_cur body;
        p->at = &block;
        if (!td_cur_get_u16(&block, &type) || !td_cur_get_u16_prefixed(&block, &body)) {
            FAIL("extension header or length runs past the extensions block");
        }
        if (out->n == cap) {
            out->v = td_realloc(out->v, ++cap * sizeof *out->v);
        }
        struct td_ext_seen *seen = &out->v[out->n++];
        td_memzero(seen, sizeof *seen);
        seen->type = type;
        seen->len = (uint16_t)td_cur_len(&body);
        if (!parse_ext(p, &body, seen, h)) {
            return false;
        }
    }
    p->at = c;
    if (td_cur_len(c) != 0) {
        FAIL("bytes after the extensions block");
    }
    return true;
}
