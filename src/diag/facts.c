/* Facts about one connection, copied out of its ladder. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "diag/diag.h"
#include "tls/names.h"

#include "base/banned.h"

static void copy_u16s(struct td_u16s *dst, const struct td_u16s *src)
{
    dst->n = src->n;
    dst->v = td_memdup(src->v, src->n * sizeof *src->v);
}

static void chain_of(const struct td_certificate *cert, const char *host, int64_t when, const struct td_diag_opts *o,
                     bool client, struct td_chain_check *out)
{
    struct td_der *d = td_calloc(cert->num_certs + 1, sizeof *d);
    for (size_t i = 0; i < cert->num_certs; i++) {
        d[i].p = cert->certs[i].p;
        d[i].len = cert->certs[i].len;
    }
    td_chain_check(d, cert->num_certs, host, when, o ? o->ca : NULL, client, out);
    free(d);
}

/* RFC 5246 7.4.2: each certificate certifies the one before it. Names only
 * (decoded once per distinct certificate by the cache): cheap enough for
 * every completed handshake. */
static void order_check(const struct td_certificate *cert, struct td_cert_cache *cache, struct td_facts *f)
{
    size_t n = cert->num_certs < 16 ? cert->num_certs : 16;
    if (n < 3) {
        return;
    }
    struct td_cert_info info[16];
    for (size_t i = 0; i < n; i++) {
        td_cert_info_from_der_cached(cache, cert->certs[i].p, cert->certs[i].len, &info[i]);
    }
    for (size_t i = 0; i + 1 < n && !f->chain_misordered; i++) {
        if (!info[i].ok || !info[i + 1].ok || strcmp(info[i].issuer, info[i + 1].subject) == 0 ||
            strcmp(info[i].issuer, info[i].subject) == 0) {
            continue;
        }
        for (size_t j = i + 2; j < n; j++) {
            if (info[j].ok && strcmp(info[i].issuer, info[j].subject) == 0) {
                f->chain_misordered = true;
                f->misordered_at = i;
                td_strcopy(f->misordered_subject, sizeof f->misordered_subject, info[i + 1].subject);
                break;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        td_cert_info_free(&info[i]);
    }
}

/* The last certificate sent, when it is a self-signed root: other
 * connections' lone leaves issued by it lack a root, not an intermediate. */
static void root_check(const struct td_certificate *cert, struct td_facts *f)
{
    if (cert->num_certs < 2) {
        return;
    }
    const struct td_blob *last = &cert->certs[cert->num_certs - 1];
    struct td_cert_info info;
    td_cert_info_from_der(last->p, last->len, &info);
    if (info.ok && info.self_signed) {
        snprintf(f->sent_root, sizeof f->sent_root, "%.159s", info.subject);
    }
    td_cert_info_free(&info);
}

/* Capture time in nanoseconds; a timestamp from a hostile file may be any
 * 64-bit value: clamp it instead of overflowing (about year 2262). */
static int64_t time_ns(const struct td_time *t)
{
    const int64_t lim = INT64_MAX / 1000000000LL - 100; /* room for the +-60 s windows of td_link_candidates */
    int64_t sec = t->sec > lim ? lim : t->sec < -lim ? -lim : t->sec;
    return sec * 1000000000LL + (int64_t)(t->nsec % 1000000000u);
}

static void version_span(const struct td_client_hello *ch, uint16_t *lo, uint16_t *hi)
{
    *lo = UINT16_MAX, *hi = 0;
    for (size_t i = 0; i < ch->versions.n; i++) {
        uint16_t v = ch->versions.v[i];
        if (td_is_grease(v) || (v >> 8) != (TD_VERSION_SSL3 >> 8)) { /* SSL 3.0 and TLS: major version 3 */
            continue;
        }
        *lo = v < *lo ? v : *lo;
        *hi = v > *hi ? v : *hi;
    }
    if (*hi == 0) { /* no supported_versions: legacy_version is the highest, SSL 3.0 the floor */
        *hi = ch->legacy_version;
        *lo = TD_VERSION_SSL3;
    }
}

/* What td_facts_from_conn carries from one message to the next. */
struct walk {
    struct td_facts *f;
    const struct td_tls_conn *c;
    const struct td_diag_opts *o;
    bool with_chains;
    const char *host; /* the name the server's certificate is checked against */
    bool client_fin_seen;
    const struct td_certificate_request *cr;
    const struct td_certificate *client_cert;
};

/* Everything but the chains, which are most of the struct: zeroed only when checked. */
static void facts_reset(struct td_facts *f, bool with_chains)
{
    td_memzero(f, offsetof(struct td_facts, chain));
    f->chain.num_certs = f->client_chain.num_certs = 0;
    f->chain.name_checked = f->chain.trust_checked = f->client_chain.trust_checked = false;
    if (!with_chains) { /* the rules read these flags: keep them false */
        f->chain.expired = f->chain.not_yet_valid = f->chain.out_of_order = f->chain.unrelated = false;
        f->chain.leaf_self_signed = f->chain.ends_self_signed = false;
        f->client_chain.expired = f->client_chain.not_yet_valid = false;
    }
}

/* What the connection itself holds: addresses, outcome, coverage, preamble. */
static void conn_facts(struct td_facts *f, const struct td_tls_conn *c)
{
    f->tls = c->tls_seen;
    f->outcome = td_tls_outcome(c);
    f->reason = c->fail_reason;
    f->note = c->note;
    f->tls13 = c->tls13;
    f->first_frame = c->first_frame;
    f->when = c->first_ts.sec;
    f->server_port = c->port[TD_SERVER];
    td_addr_port_str(&c->addr[TD_SERVER], c->port[TD_SERVER], f->server, sizeof f->server);
    td_addr_str(&c->addr[TD_CLIENT], f->client_ip, sizeof f->client_ip);
    td_addr_str(&c->addr[TD_SERVER], f->server_ip, sizeof f->server_ip);
    f->http_status = c->http_status;
    f->http_status_frame = c->http_status_frame;
    f->http_cert_error = c->http_cert_error;
    f->first_ns = time_ns(&c->first_ts);
    f->cov = c->cov;
    f->skipped[TD_CLIENT] = c->dir[TD_CLIENT].resync_skipped;
    f->skipped[TD_SERVER] = c->dir[TD_SERVER].resync_skipped;
    f->gap_in_handshake = c->gap_in_handshake;
    if (c->pre.proto) {
        f->preamble = true;
        f->preamble_proxy = c->pre.proxy;
        td_strcopy(f->preamble_proto, sizeof f->preamble_proto, c->pre.name ? c->pre.name : "?");
        f->upgrade_refused = c->pre.refused;
        f->refused_frame = c->pre_refused_frame;
        td_strcopy(f->refused_text, sizeof f->refused_text, c->pre.refusal);
    }
}

/* What any message tells: the first malformed one, the first of each side,
 * the client going on after its ClientHello, gaps, the server's count. */
static void any_message(struct td_facts *f, const struct td_msg *m, enum td_role side)
{
    if ((m->kind == TD_M_MALFORMED || m->malformed) && !f->malformed && !f->over_limit) {
        f->malformed = !m->over_limit;
        f->over_limit = m->over_limit;
        f->over_limit_len = m->length;
        f->malformed_side = side;
        f->malformed_frame = m->frame;
        td_strcopy(f->malformed_text, sizeof f->malformed_text, m->text ? m->text : "");
    }
    if (m->kind != TD_M_TCP_FIN && m->kind != TD_M_TCP_RST && m->kind != TD_M_GAP) {
        uint64_t *first = side == TD_CLIENT ? &f->first_client_frame : &f->first_server_frame;
        if (!*first) {
            *first = m->frame;
        }
        if (side == TD_CLIENT) {
            f->client_msgs++;
            if (m->kind == TD_M_APPDATA && !f->client_appdata_frame) {
                f->client_appdata_frame = m->frame;
            }
            if (f->have_ch && !f->client_later_frame && m->kind != TD_M_NOT_TLS && m->kind != TD_M_MALFORMED) {
                f->client_later_frame = m->frame;
                td_strcopy(f->client_later, sizeof f->client_later, td_msg_type_name(m));
            }
        }
    }
    if (m->kind == TD_M_GAP && !f->gap_side[side]) {
        f->gap_side[side] = true;
        f->gap_side_frame[side] = m->frame;
    }
    if (m->from == TD_SERVER && m->kind != TD_M_TCP_FIN && m->kind != TD_M_TCP_RST) {
        f->server_msgs++;
        f->last_server_frame = m->frame;
    }
}

/* The post-quantum key-exchange groups (ML-KEM, FIPS 203; the Kyber drafts
 * Chrome 124-130 sent): each key share is 800 bytes or more, and pushes the
 * ClientHello past one TCP segment. */
static bool group_is_pq(uint16_t g)
{
    switch (g) {
    case TD_GROUP_MLKEM512:
    case TD_GROUP_MLKEM768:
    case TD_GROUP_MLKEM1024:
    case TD_GROUP_SECP256R1MLKEM768:
    case TD_GROUP_X25519MLKEM768:
    case TD_GROUP_SECP384R1MLKEM1024:
    case TD_GROUP_X25519KYBER768DRAFT00:
    case TD_GROUP_SECP256R1KYBER768DRAFT00:
        return true;
    default:
        return false;
    }
}

static bool has_suite(const struct td_u16s *s, uint16_t x)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i] == x) {
            return true;
        }
    }
    return false;
}

static void client_hello(struct td_facts *f, const struct td_msg *m)
{
    const struct td_client_hello *ch = m->u.ch;
    f->have_ch = true;
    f->sslv2_hello = ch->sslv2_format;
    f->ch_frame = m->frame;
    version_span(ch, &f->ch_min, &f->ch_max);
    f->ch_supported_versions = ch->versions.n > 0;
    copy_u16s(&f->ch_suites, &ch->suites);
    copy_u16s(&f->ch_groups, &ch->groups);
    copy_u16s(&f->ch_key_shares, &ch->key_shares);
    copy_u16s(&f->ch_sigalgs, &ch->sigalgs);
    f->sni = ch->has_sni && ch->sni;
    td_strcopy(f->sni_name, sizeof f->sni_name, ch->sni ? ch->sni : "");
    f->ch_num_alpn = ch->alpn.n;
    for (size_t i = 0; i < ch->alpn.n; i++) {
        size_t n = strlen(f->ch_alpn);
        snprintf(f->ch_alpn + n, sizeof f->ch_alpn - n, "%s%s", i ? ", " : "", ch->alpn.v[i]);
    }
    f->ch_reneg = ch->has_reneg || has_suite(&ch->suites, TD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV);
    f->ch_ems = ch->has_ems;
    f->ch_ech = ch->has_ech;
    f->ch_len = m->length + 4 + 5; /* one record: its header and the handshake header */
    for (size_t i = 0; i < ch->key_shares.n && !f->ch_pq_share; i++) {
        f->ch_pq_share = group_is_pq(ch->key_shares.v[i]) ? ch->key_shares.v[i] : 0;
    }
}

/* A Certificate: the server's (order, roots, chain checks) or the client's. */
static void certificate(struct walk *w, const struct td_msg *m)
{
    struct td_facts *f = w->f;
    const struct td_tls_conn *c = w->c;
    const struct td_diag_opts *o = w->o;
    if (m->from == TD_SERVER && !f->have_cert) {
        f->have_cert = true;
        f->cert_frame = m->frame;
        if (!m->u.cert->tls13) {
            order_check(m->u.cert, o ? o->cert_cache : NULL, f);
        }
        root_check(m->u.cert, f);
        if (w->with_chains) {
            chain_of(m->u.cert, w->host, f->when, o, false, &f->chain);
        }
    } else if (m->from == TD_CLIENT && !f->client_cert_seen) {
        f->client_cert_seen = true;
        f->client_cert_frame = m->frame;
        f->client_cert_empty = m->u.cert->num_certs_total == 0;
        w->client_cert = m->u.cert;
        /* nginx's 400 after a completed handshake: which fault of the client's chain */
        if (w->with_chains || c->http_cert_error) {
            chain_of(m->u.cert, NULL, f->when, o, true, &f->client_chain);
        }
    }
}

static void handshake(struct walk *w, const struct td_msg *m)
{
    struct td_facts *f = w->f;
    if (m->hs_type == TD_HS_CLIENT_HELLO && !f->have_ch && m->u.ch) {
        client_hello(f, m);
    } else if (m->hs_type == TD_HS_CLIENT_HELLO && f->hrr && !f->ch2_seen && m->u.ch) {
        /* the second ClientHello, after the HelloRetryRequest (RFC 8446 4.1.2) */
        f->ch2_seen = true;
        f->ch2_frame = m->frame;
        f->ch2_has_hrr_share = has_suite(&m->u.ch->key_shares, f->hrr_group);
    } else if (m->hs_type == TD_HS_HELLO_RETRY_REQUEST && m->u.sh) {
        f->hrr = true;
        f->hrr_frame = m->frame;
        f->hrr_group = m->u.sh->key_share_group;
        f->hrr_ech = m->u.sh->has_ech;
    } else if (m->hs_type == TD_HS_SERVER_HELLO && m->u.sh && !f->have_sh) {
        f->have_sh = true;
        f->sh_frame = m->frame;
        f->version = m->u.sh->version;
        f->suite = m->u.sh->suite;
        f->sh_group = m->u.sh->key_share_group;
        f->sh_reneg = m->u.sh->has_reneg;
        f->sh_ems = m->u.sh->has_ems;
    } else if (m->hs_type == TD_HS_SERVER_KEY_EXCHANGE && m->u.ske && m->u.ske->sigalg && !f->ske_sigalg) {
        f->ske_sigalg = m->u.ske->sigalg;
        f->ske_frame = m->frame;
        if (m->u.ske->kind == TD_SKE_ECDHE && !f->sh_group) {
            f->sh_group = m->u.ske->group;
        }
    } else if (m->hs_type == TD_HS_SERVER_KEY_EXCHANGE && m->u.ske && m->u.ske->kind == TD_SKE_ECDHE && !f->sh_group) {
        f->sh_group = m->u.ske->group; /* TLS 1.2: the curve the server chose */
    } else if (m->hs_type == TD_HS_CERTIFICATE && m->u.cert) {
        certificate(w, m);
    } else if (m->hs_type == TD_HS_CERTIFICATE_REQUEST) {
        f->cert_request = true;
        f->cr_frame = m->frame;
        w->cr = m->u.cr;
    }
}

/* TLS 1.3 encrypted handshake records: the server's flight, and the client's
 * records before its Finished. */
static void enc_handshake(struct walk *w, const struct td_msg *m)
{
    struct td_facts *f = w->f;
    if (m->from == TD_SERVER) {
        f->server_flight_frame = m->frame;
        f->server_flight_records++;
    }
    if (m->from == TD_CLIENT && w->c->tls13 && !w->client_fin_seen) {
        if (m->hs_type == TD_HS_FINISHED) {
            w->client_fin_seen = true;
            f->client_finished = true;
        } else {
            if (!f->client_flight_records) {
                f->client_first_enc_len = m->length;
                f->client_first_enc_frame = m->frame;
            }
            f->client_flight_records++;
        }
    }
}

/* The first alert, fin, reset, gap and plain text of each side. */
static void first_of_kind(struct td_facts *f, const struct td_msg *m, enum td_role side)
{
    switch (m->kind) {
    case TD_M_ALERT:
        /* the first fatal alert of a side, else its first alert */
        if (!f->alert[side] ||
            (f->alert_level[side] != TD_ALERT_LEVEL_FATAL && m->alert_level == TD_ALERT_LEVEL_FATAL)) {
            f->alert[side] = true;
            f->alert_level[side] = m->alert_level;
            f->alert_desc[side] = m->alert_desc;
            f->alert_version[side] = m->record_version;
            f->alert_encrypted[side] = m->encrypted;
            f->alert_frame[side] = m->frame;
        }
        break;
    case TD_M_NOT_TLS:
        if (!f->not_tls[side]) {
            f->not_tls[side] = true;
            f->not_tls_frame[side] = m->frame;
            td_strcopy(f->not_tls_text[side], sizeof f->not_tls_text[side], m->text ? m->text : "");
        }
        break;
    case TD_M_GAP:
        if (!f->gap) {
            f->gap = true;
            f->gap_frame = m->frame;
        }
        break;
    case TD_M_TCP_FIN:
        if (!f->fin[side]) {
            f->fin[side] = true;
            f->fin_frame[side] = m->frame;
        }
        break;
    case TD_M_TCP_RST:
        if (!f->rst[side]) {
            f->rst[side] = true;
            f->rst_frame[side] = m->frame;
        }
        break;
    default:
        break;
    }
}

void td_facts_from_conn(struct td_facts *f, const struct td_tls_conn *c, const struct td_diag_opts *o, bool with_chains)
{
    facts_reset(f, with_chains);
    conn_facts(f, c);
    /* Without SNI or --host the client named nothing but the address it
     * connected to: clients then check the certificate's IP SANs. */
    const char *host = c->sni ? c->sni : (o && o->host) ? o->host : f->server_ip;
    f->name_is_address = !c->sni && !(o && o->host);
    struct walk w = {.f = f, .c = c, .o = o, .with_chains = with_chains, .host = host};
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        enum td_role side = m->from == TD_CLIENT ? TD_CLIENT : TD_SERVER;
        any_message(f, m, side);
        if (m->kind == TD_M_HANDSHAKE) {
            handshake(&w, m);
        } else if (m->kind == TD_M_APPDATA) {
            if (!f->appdata[side]) {
                f->appdata_frame[side] = m->frame;
            }
            f->appdata[side] += m->count ? m->count : 1;
        } else if (m->kind == TD_M_ENC_HANDSHAKE) {
            enc_handshake(&w, m);
        } else {
            first_of_kind(f, m, side);
        }
        td_facts_alert_context(f, m, side);
    }
    if (w.cr) {
        td_facts_cr(f, w.cr, w.client_cert);
    }
}

void td_facts_free(struct td_facts *f)
{
    free(f->ch_suites.v);
    free(f->ch_groups.v);
    free(f->ch_key_shares.v);
    free(f->ch_sigalgs.v);
    f->ch_suites.v = f->ch_groups.v = f->ch_key_shares.v = f->ch_sigalgs.v = NULL;
}

static void add_u16(uint16_t *set, size_t *n, size_t cap, uint16_t v)
{
    for (size_t i = 0; i < *n; i++) {
        if (set[i] == v) {
            return;
        }
    }
    if (*n < cap) {
        set[(*n)++] = v;
    }
}

static void server_view_ems(struct td_server_view *v, const struct td_facts *f)
{
    if (!f->sh_ems) {
        v->ok12_no_ems++;
        return;
    }
    v->ok12_ems++;
    v->ems_frame = v->ems_frame ? v->ems_frame : f->sh_frame;
    uint32_t shape = td_hello_shape(f);
    size_t n = v->num_ems_shapes, cap = sizeof v->ems_shapes / sizeof v->ems_shapes[0];
    for (size_t i = 0; i < n; i++) {
        if (v->ems_shapes[i] == shape) {
            return;
        }
    }
    if (n < cap) {
        v->ems_shapes[v->num_ems_shapes++] = shape;
    }
}

void td_server_view_add(struct td_server_view *v, const struct td_facts *f)
{
    if (!f->tls) {
        if (f->upgrade_refused && f->outcome == TD_OUTCOME_FAILED) {
            v->failed++; /* refused STARTTLS: a failure of this server, though no TLS was spoken */
        }
        return;
    }
    if (f->sent_root[0] && v->num_roots < sizeof v->roots / sizeof v->roots[0]) {
        bool known = false;
        for (size_t i = 0; i < v->num_roots; i++) {
            known |= strcmp(v->roots[i], f->sent_root) == 0;
        }
        if (!known) {
            td_strcopy(v->roots[v->num_roots++], sizeof v->roots[0], f->sent_root);
        }
    }
    v->rejected_after += f->rejected_after_handshake;
    if (f->outcome != TD_OUTCOME_OK || !f->have_sh) {
        if (f->outcome == TD_OUTCOME_FAILED) {
            v->failed++;
        }
        return;
    }
    v->ok++;
    if (f->sni) {
        v->ok_with_sni++;
    } else {
        v->ok_without_sni++;
    }
    if (f->version >= TD_VERSION_SSL3 && f->version <= TD_VERSION_TLS1_3) { /* bit = the minor version */
        v->versions_ok |= (uint16_t)(1u << (f->version & 0xff));
    }
    size_t before = v->num_suites;
    add_u16(v->suites, &v->num_suites, TD_SRV_MAX_SUITES, f->suite);
    if (v->num_suites > before) {
        v->suite_is13[before] = f->version >= TD_VERSION_TLS1_3;
    }
    if (f->sh_group) {
        add_u16(v->groups, &v->num_groups, 16, f->sh_group);
    }
    if (f->ske_sigalg && !v->sigalg_frame) {
        v->sigalg_frame = f->ske_frame;
    }
    if (f->ske_sigalg) {
        add_u16(v->sigalgs, &v->num_sigalgs, sizeof v->sigalgs / sizeof v->sigalgs[0], f->ske_sigalg);
    }
    if (f->version < TD_VERSION_TLS1_3) {
        server_view_ems(v, f);
    }
    if (!v->example_frame) {
        char a[48], b[48];
        v->example_frame = f->sh_frame;
        snprintf(v->example, sizeof v->example, "%s %s", td_version_str(f->version, a, sizeof a),
                 td_suite_str(f->suite, b, sizeof b));
    }
}

void td_facts_settle(struct td_facts *f)
{
    f->rejected_after_handshake = false;
    if (f->outcome != TD_OUTCOME_OK) {
        return;
    }
    /* A fatal alert can only come after the handshake in a connection whose
     * handshake completed. */
    bool refused = f->note || f->http_cert_error ||
                   (f->alert[TD_CLIENT] && f->alert_level[TD_CLIENT] == TD_ALERT_LEVEL_FATAL) ||
                   (f->alert[TD_SERVER] && f->alert_level[TD_SERVER] == TD_ALERT_LEVEL_FATAL);
    if (!refused) { /* td_diagnose decides the rest; this only spares it most connections */
        return;
    }
    struct td_verdict *v = td_calloc(1, sizeof *v);
    td_diagnose(f, NULL, v);
    f->rejected_after_handshake = v->rejected_after_handshake;
    free(v);
}

enum td_outcome td_facts_outcome(const struct td_facts *f)
{
    return f->rejected_after_handshake ? TD_OUTCOME_FAILED : f->outcome;
}

void td_http_error_from_conn(struct td_http_error *h, const struct td_tls_conn *c)
{
    td_memzero(h, sizeof *h);
    h->stream = c->stream;
    td_addr_port_str(&c->addr[TD_CLIENT], c->port[TD_CLIENT], h->client, sizeof h->client);
    td_addr_port_str(&c->addr[TD_SERVER], c->port[TD_SERVER], h->server, sizeof h->server);
    td_addr_str(&c->addr[TD_SERVER], h->server_ip, sizeof h->server_ip);
    td_strcopy(h->request, sizeof h->request, c->http_request);
    h->status = c->http_status;
    td_strcopy(h->reason, sizeof h->reason, c->http_reason);
    h->request_frame = c->http_request_frame;
    h->status_frame = c->http_status_frame;
    h->request_ns = time_ns(&c->http_request_ts);
    h->status_ns = time_ns(&c->http_status_ts);
    h->body_says = c->http_tls_hint;
}
