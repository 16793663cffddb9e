/* Certificate, ServerKeyExchange, CertificateRequest, and message helpers. */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "tls/internal.h"

#include "base/banned.h"

/* RFC 8422 5.4 ECCurveType: named_curve (explicit_prime 1 and explicit_char2 2 are deprecated). */
enum { EC_NAMED_CURVE = 3 };

void td_certificate_free(struct td_certificate *c)
{
    if (!c) {
        return;
    }
    for (size_t i = 0; i < c->num_certs; i++) {
        free(c->certs[i].p);
    }
    free(c->certs);
    free(c);
}

/*
 * RFC 5246 7.4.2:  opaque ASN.1Cert<1..2^24-1>;
 *                  struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
 * RFC 8446 4.4.2:  struct { opaque certificate_request_context<0..2^8-1>;
 *                           CertificateEntry certificate_list<0..2^24-1>; } Certificate;
 *                  struct { opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>; } CertificateEntry;
 */
struct td_certificate *td_parse_certificate(struct td_cur *c, bool tls13, size_t max_certs, const char **err,
                                            size_t *err_off)
{
    struct td_certificate *cert = td_calloc(1, sizeof *cert);
    struct td_cur ctx, list;
    cert->tls13 = tls13;
    if (tls13 && !td_cur_get_u8_prefixed(c, &ctx)) {
        *err = "certificate_request_context runs past the message";
        goto bad;
    }
    if (!td_cur_get_u24_prefixed(c, &list) || td_cur_len(c) != 0) {
        *err = "certificate_list length does not match the message length";
        goto bad;
    }
    while (td_cur_len(&list) > 0) {
        struct td_cur der, exts;
        if (!td_cur_get_u24_prefixed(&list, &der) || td_cur_len(&der) == 0) {
            *err = "a certificate's length runs past certificate_list";
            c = &list;
            goto bad;
        }
        if (tls13 && !td_cur_get_u16_prefixed(&list, &exts)) {
            *err = "a CertificateEntry's extensions run past certificate_list";
            c = &list;
            goto bad;
        }
        cert->num_certs_total++;
        if (cert->num_certs < max_certs) {
            cert->certs = td_realloc(cert->certs, (cert->num_certs + 1) * sizeof *cert->certs);
            cert->certs[cert->num_certs].len = td_cur_len(&der);
            cert->certs[cert->num_certs].p = td_memdup(td_cur_data(&der), td_cur_len(&der));
            cert->num_certs++;
        }
    }
    return cert;
bad:
    *err_off = td_cur_offset(c);
    td_certificate_free(cert);
    return NULL;
}

static bool sig_tail(struct td_cur *c, uint16_t version, struct td_server_key_exchange *ske)
{
    struct td_cur sig;
    if (version >= TD_VERSION_TLS1_2 && !td_cur_get_u16(c, &ske->sigalg)) {
        return false;
    }
    return td_cur_get_u16_prefixed(c, &sig) && td_cur_len(c) == 0;
}

/*
 * RFC 8422 5.4:  ServerECDHParams = { ECParameters curve_params (curve_type, namedcurve); ECPoint public; }
 *                followed by a signature (RFC 5246 4.7 digitally-signed).
 * RFC 5246 7.4.3: ServerDHParams = { dh_p<1..2^16-1>, dh_g<1..2^16-1>, dh_Ys<1..2^16-1> } + signature.
 * The key exchange depends on the suite the server chose.
 */
struct td_server_key_exchange *td_parse_server_key_exchange(struct td_cur *c, uint16_t suite, uint16_t version,
                                                            const char **err, size_t *err_off)
{
    struct td_server_key_exchange *ske = td_calloc(1, sizeof *ske);
    const char *name = td_suite_name(suite);
    if (name && strstr(name, "_ECDHE_")) {
        uint8_t curve_type;
        struct td_cur point;
        ske->kind = TD_SKE_ECDHE;
        if (!td_cur_get_u8(c, &curve_type)) {
            *err = "ServerKeyExchange cut short";
            goto bad;
        }
        if (curve_type != EC_NAMED_CURVE) { /* explicit curves (1, 2) are deprecated by RFC 8422 */
            *err = "ServerKeyExchange uses explicit curve parameters instead of a named curve";
            goto bad;
        }
        if (!td_cur_get_u16(c, &ske->group) || !td_cur_get_u8_prefixed(c, &point)) {
            *err = "ServerKeyExchange curve or public point runs past the message";
            goto bad;
        }
        if (strstr(name, "_anon_") == NULL && !sig_tail(c, version, ske)) {
            *err = "ServerKeyExchange signature runs past the message";
            goto bad;
        }
    } else if (name && strstr(name, "_DHE_")) {
        struct td_cur dp, dg, ys;
        ske->kind = TD_SKE_DHE;
        if (!td_cur_get_u16_prefixed(c, &dp) || !td_cur_get_u16_prefixed(c, &dg) || !td_cur_get_u16_prefixed(c, &ys)) {
            *err = "ServerKeyExchange DH parameters run past the message";
            goto bad;
        }
        size_t bits = td_cur_len(&dp) * 8;
        uint8_t top;
        if (td_cur_peek_u8(&dp, 0, &top)) {
            for (uint8_t m = 0x80; m && !(top & m); m >>= 1) {
                bits--;
            }
        }
        ske->dh_p_bits = (uint32_t)bits;
        if (!sig_tail(c, version, ske)) {
            *err = "ServerKeyExchange signature runs past the message";
            goto bad;
        }
    }
    return ske;
bad:
    *err_off = td_cur_offset(c);
    free(ske);
    return NULL;
}

void td_certificate_request_free(struct td_certificate_request *cr)
{
    if (!cr) {
        return;
    }
    free(cr->cert_types.p);
    free(cr->sigalgs.v);
    for (size_t i = 0; i < cr->num_ca_names; i++) {
        free(cr->ca_names[i].p);
    }
    free(cr->ca_names);
    free(cr);
}

static bool get_ca_names(struct td_cur *c, struct td_certificate_request *cr)
{
    struct td_cur list;
    if (!td_cur_get_u16_prefixed(c, &list)) {
        return false;
    }
    while (td_cur_len(&list) > 0) {
        struct td_cur dn;
        if (!td_cur_get_u16_prefixed(&list, &dn)) {
            return false;
        }
        if (cr->num_ca_names < 64) {
            cr->ca_names = td_realloc(cr->ca_names, (cr->num_ca_names + 1) * sizeof *cr->ca_names);
            cr->ca_names[cr->num_ca_names].len = td_cur_len(&dn);
            cr->ca_names[cr->num_ca_names].p = td_memdup(td_cur_data(&dn), td_cur_len(&dn));
            cr->num_ca_names++;
        }
    }
    return true;
}

static bool get_sigalgs(struct td_cur *c, struct td_u16s *out)
{
    struct td_cur v;
    if (!td_cur_get_u16_prefixed(c, &v) || td_cur_len(&v) % 2) {
        return false;
    }
    free(out->v); /* a repeated extension: the last one counts */
    out->n = td_cur_len(&v) / 2;
    out->v = td_calloc(out->n, sizeof *out->v);
    for (size_t i = 0; i < out->n; i++) {
        td_cur_get_u16(&v, &out->v[i]);
    }
    return true;
}

/*
 * RFC 5246 7.4.4: { ClientCertificateType certificate_types<1..2^8-1>;
 *                   SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>; (TLS 1.2 only)
 *                   DistinguishedName certificate_authorities<0..2^16-1>; }
 * RFC 8446 4.3.2: { opaque certificate_request_context<0..2^8-1>; Extension extensions<2..2^16-1>; }
 */
struct td_certificate_request *td_parse_certificate_request(struct td_cur *c, uint16_t version, const char **err,
                                                            size_t *err_off)
{
    struct td_certificate_request *cr = td_calloc(1, sizeof *cr);
    if (version >= TD_VERSION_TLS1_3) {
        struct td_cur ctx, exts;
        if (!td_cur_get_u8_prefixed(c, &ctx) || !td_cur_get_u16_prefixed(c, &exts)) {
            *err = "CertificateRequest context or extensions run past the message";
            goto bad;
        }
        while (td_cur_len(&exts) > 0) {
            uint16_t type;
            struct td_cur body;
            if (!td_cur_get_u16(&exts, &type) || !td_cur_get_u16_prefixed(&exts, &body)) {
                *err = "CertificateRequest extension runs past the block";
                *err_off = td_cur_offset(&exts); /* exts ends with this block: no pointer to it may outlive it */
                goto bad_at;
            }
            if ((type == TD_EXT_SIGNATURE_ALGORITHMS && !get_sigalgs(&body, &cr->sigalgs)) ||
                (type == TD_EXT_CERTIFICATE_AUTHORITIES && !get_ca_names(&body, cr))) {
                *err = "CertificateRequest extension content is malformed";
                *err_off = td_cur_offset(&body);
                goto bad_at;
            }
        }
        return cr;
    }
    struct td_cur types;
    if (!td_cur_get_u8_prefixed(c, &types)) {
        *err = "certificate_types runs past the message";
        goto bad;
    }
    cr->cert_types.len = td_cur_len(&types);
    cr->cert_types.p = td_memdup(td_cur_data(&types), td_cur_len(&types));
    if (version >= TD_VERSION_TLS1_2 && !get_sigalgs(c, &cr->sigalgs)) {
        *err = "supported_signature_algorithms is odd or runs past the message";
        goto bad;
    }
    if (!get_ca_names(c, cr) || td_cur_len(c) != 0) {
        *err = "certificate_authorities runs past the message";
        goto bad;
    }
    return cr;
bad:
    *err_off = td_cur_offset(c);
bad_at:
    td_certificate_request_free(cr);
    return NULL;
}

void td_msg_free(struct td_msg *m)
{
    td_msg_free_parts(m);
    free(m);
}

void td_msg_free_parts(struct td_msg *m)
{
    if (!m) {
        return;
    }
    if (m->kind == TD_M_HANDSHAKE) {
        switch (m->hs_type) {
        case TD_HS_CLIENT_HELLO:
            td_client_hello_free(m->u.ch);
            break;
        case TD_HS_SERVER_HELLO:
        case TD_HS_HELLO_RETRY_REQUEST:
            td_server_hello_free(m->u.sh);
            break;
        case TD_HS_CERTIFICATE:
            td_certificate_free(m->u.cert);
            break;
        case TD_HS_SERVER_KEY_EXCHANGE:
            free(m->u.ske);
            break;
        case TD_HS_CERTIFICATE_REQUEST:
            td_certificate_request_free(m->u.cr);
            break;
        default:
            break;
        }
    }
    free(m->text);
}

const char *td_msg_type_name(const struct td_msg *m)
{
    switch (m->kind) {
    case TD_M_HANDSHAKE: {
        const char *n = td_hstype_name(m->hs_type);
        return n ? n : "UnknownHandshake";
    }
    case TD_M_ENC_HANDSHAKE:
        return m->hs_type == TD_HS_FINISHED ? "Finished" : "EncryptedHandshake";
    case TD_M_CCS:
        return "ChangeCipherSpec";
    case TD_M_ALERT:
        return "Alert";
    case TD_M_APPDATA:
        return "ApplicationData";
    case TD_M_HEARTBEAT:
        return "Heartbeat";
    case TD_M_NOT_TLS:
        return "NotTLS";
    case TD_M_GAP:
        return "Gap";
    case TD_M_MALFORMED:
        return "Malformed";
    case TD_M_TCP_FIN:
        return "TCP-FIN";
    case TD_M_TCP_RST:
        return "TCP-RST";
    case TD_M_PREAMBLE:
        return m->label ? m->label : "Preamble";
    }
    return "?";
}

/* RFC 8446 4.6.1: extensions<0..2^16-2>, each { ExtensionType; opaque data<0..2^16-1>; };
 * early_data is { uint32 max_early_data_size; } (4.2.10). */
static bool ticket_exts(struct td_cur *c, struct td_new_session_ticket *out, const char **err, size_t *err_off)
{
    struct td_cur block;
    if (!td_cur_get_u16_prefixed(c, &block)) {
        *err = "NewSessionTicket extensions run past the message";
        *err_off = td_cur_offset(c);
        return false;
    }
    while (td_cur_len(&block) > 0) {
        uint16_t type;
        struct td_cur data;
        if (!td_cur_get_u16(&block, &type) || !td_cur_get_u16_prefixed(&block, &data)) {
            *err = "NewSessionTicket extension runs past the extensions block";
            *err_off = td_cur_offset(&block);
            return false;
        }
        if (type == TD_EXT_EARLY_DATA) {
            uint32_t max_early_data;
            if (!td_cur_get_u32(&data, &max_early_data) || td_cur_len(&data) != 0) {
                *err = "NewSessionTicket early_data extension is not 4 bytes";
                *err_off = td_cur_offset(&data);
                return false;
            }
            out->early_data = true;
        }
    }
    return true;
}

/*
 * RFC 8446 4.6.1: struct { uint32 ticket_lifetime; uint32 ticket_age_add; opaque ticket_nonce<0..255>;
 *                          opaque ticket<1..2^16-1>; Extension extensions<0..2^16-2>; } NewSessionTicket;
 * RFC 5077 3.3:   struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; } NewSessionTicket;
 */
bool td_parse_new_session_ticket(struct td_cur *c, bool tls13, struct td_new_session_ticket *out, const char **err,
                                 size_t *err_off)
{
    struct td_cur nonce, ticket;
    uint32_t age_add;
    td_memzero(out, sizeof *out);
    if (!td_cur_get_u32(c, &out->lifetime) || (tls13 && !td_cur_get_u32(c, &age_add))) {
        *err = "NewSessionTicket cut short";
        goto bad;
    }
    if (tls13 && !td_cur_get_u8_prefixed(c, &nonce)) {
        *err = "NewSessionTicket nonce runs past the message";
        goto bad;
    }
    out->nonce_len = tls13 ? (uint8_t)td_cur_len(&nonce) : 0;
    if (!td_cur_get_u16_prefixed(c, &ticket)) {
        *err = "NewSessionTicket ticket runs past the message";
        goto bad;
    }
    out->ticket_len = (uint16_t)td_cur_len(&ticket);
    if (tls13 && out->ticket_len == 0) {
        *err = "NewSessionTicket ticket is empty (RFC 8446 4.6.1: ticket<1..2^16-1>)";
        goto bad;
    }
    if (tls13 && !ticket_exts(c, out, err, err_off)) {
        return false;
    }
    if (td_cur_len(c) != 0) {
        *err = tls13 ? "NewSessionTicket has bytes after its extensions"
                     : "NewSessionTicket has bytes after the ticket";
        goto bad;
    }
    return true;
bad:
    *err_off = td_cur_offset(c);
    return false;
}
