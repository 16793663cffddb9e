/* JSON Lines: one object per connection. Field names are documented in
 * man/tlsdiag.1 and are stable. */
#include <stdio.h>

#include "base/json.h"
#include "cert/cert.h"
#include "report/internal.h"
#include "tls/names.h"

#include "base/banned.h"

static void u16_names(struct td_json *j, const char *key, const struct td_u16s *v,
                      const char *(*str)(uint16_t, char *, size_t))
{
    char buf[48];
    td_json_arr_begin(j, key);
    for (size_t i = 0; i < v->n; i++) {
        td_json_name(j, NULL, str(v->v[i], buf, sizeof buf));
    }
    td_json_arr_end(j);
}

static void exts(struct td_json *j, const struct td_exts *e)
{
    char buf[48];
    td_json_arr_begin(j, "extensions");
    for (size_t i = 0; i < e->n; i++) {
        td_json_obj_begin(j, NULL);
        td_json_u64(j, "type", e->v[i].type);
        td_json_name(j, "name", td_ext_str(e->v[i].type, buf, sizeof buf));
        td_json_u64(j, "length", e->v[i].len);
        td_json_obj_end(j);
    }
    td_json_arr_end(j);
}

/* The clear fields of an outer ECH (every key present; null when the
 * extension did not parse, or for an inner one). */
static void ech_json(struct td_json *j, const struct td_client_hello *ch)
{
    char k[16], a[16];
    bool outer = ch->ech.parsed && ch->ech.type == 0;
    td_json_obj_begin(j, "ech");
    if (ch->ech.parsed) {
        td_json_str(j, "type", ch->ech.type == 0 ? "outer" : "inner");
    } else {
        td_json_null(j, "type");
    }
    if (outer) {
        td_json_u64(j, "config_id", ch->ech.config_id);
        td_json_str(j, "kdf", td_hpke_kdf_str(ch->ech.kdf_id, k, sizeof k));
        td_json_str(j, "aead", td_hpke_aead_str(ch->ech.aead_id, a, sizeof a));
        td_json_u64(j, "enc_length", ch->ech.enc_len);
        td_json_u64(j, "payload_length", ch->ech.payload_len);
    } else {
        td_json_null(j, "config_id");
        td_json_null(j, "kdf");
        td_json_null(j, "aead");
        td_json_null(j, "enc_length");
        td_json_null(j, "payload_length");
    }
    td_json_obj_end(j);
}

static void client_hello(struct td_json *j, const struct td_client_hello *ch)
{
    char buf[48];
    td_json_str(j, "legacy_version", td_version_str(ch->legacy_version, buf, sizeof buf));
    if (ch->sslv2_format) {
        td_json_bool(j, "sslv2_format", true);
    }
    if (ch->versions.n) {
        u16_names(j, "supported_versions", &ch->versions, td_version_str);
    }
    td_json_u64(j, "session_id_length", ch->session_id_len);
    td_json_u64(j, "num_cipher_suites", ch->suites.n);
    u16_names(j, "cipher_suites", &ch->suites, td_suite_str);
    td_json_arr_begin(j, "compression_methods");
    for (size_t i = 0; i < ch->compression.len; i++) {
        td_json_u64(j, NULL, ch->compression.p[i]);
    }
    td_json_arr_end(j);
    if (ch->has_sni) {
        td_json_str(j, "sni", ch->sni);
    }
    if (ch->alpn.n) {
        td_json_arr_begin(j, "alpn");
        for (size_t i = 0; i < ch->alpn.n; i++) {
            td_json_str(j, NULL, ch->alpn.v[i]);
        }
        td_json_arr_end(j);
    }
    if (ch->groups.n) {
        u16_names(j, "supported_groups", &ch->groups, td_group_str);
    }
    if (ch->key_shares.n) {
        u16_names(j, "key_share_groups", &ch->key_shares, td_group_str);
    }
    if (ch->sigalgs.n) {
        u16_names(j, "signature_algorithms", &ch->sigalgs, td_sigscheme_str);
    }
    if (ch->sigalgs_cert.n) {
        u16_names(j, "signature_algorithms_cert", &ch->sigalgs_cert, td_sigscheme_str);
    }
    if (ch->ec_point_formats.p) {
        td_json_arr_begin(j, "ec_point_formats");
        for (size_t i = 0; i < ch->ec_point_formats.len; i++) {
            td_json_u64(j, NULL, ch->ec_point_formats.p[i]);
        }
        td_json_arr_end(j);
    }
    if (ch->psk_modes.p) {
        td_json_arr_begin(j, "psk_key_exchange_modes");
        for (size_t i = 0; i < ch->psk_modes.len; i++) {
            uint8_t m = ch->psk_modes.p[i];
            td_json_str(j, NULL, m == 0 ? "psk_ke" : m == 1 ? "psk_dhe_ke" : "unknown");
        }
        td_json_arr_end(j);
    }
    if (ch->psk_identities) {
        td_json_u64(j, "psk_identities", ch->psk_identities);
    }
    td_json_bool(j, "status_request", ch->has_status_request);
    td_json_bool(j, "extended_master_secret", ch->has_ems);
    td_json_bool(j, "encrypt_then_mac", ch->has_etm);
    td_json_bool(j, "renegotiation_info", ch->has_reneg);
    td_json_bool(j, "session_ticket", ch->has_session_ticket);
    td_json_bool(j, "early_data", ch->has_early_data);
    if (ch->padding_len) {
        td_json_u64(j, "padding_length", ch->padding_len);
    }
    if (ch->has_ech) {
        td_json_bool(j, "encrypted_client_hello", true);
        ech_json(j, ch);
    }
    exts(j, &ch->exts);
}

static void server_hello(struct td_json *j, const struct td_server_hello *sh)
{
    char buf[48];
    td_json_str(j, "version", td_version_str(sh->version, buf, sizeof buf));
    td_json_str(j, "legacy_version", td_version_str(sh->legacy_version, buf, sizeof buf));
    td_json_str(j, "cipher_suite", td_suite_str(sh->suite, buf, sizeof buf));
    td_json_u64(j, "compression_method", sh->compression);
    td_json_u64(j, "session_id_length", sh->session_id_len);
    if (sh->key_share_group) {
        td_json_str(j, sh->hrr ? "requested_group" : "key_share_group",
                    td_group_str(sh->key_share_group, buf, sizeof buf));
    }
    if (sh->alpn) {
        td_json_str(j, "alpn", sh->alpn);
    }
    if (sh->downgrade) {
        td_json_str(j, "downgrade_sentinel", sh->downgrade);
    }
    td_json_bool(j, "extended_master_secret", sh->has_ems);
    td_json_bool(j, "renegotiation_info", sh->has_reneg);
    if (sh->has_ech) {
        td_json_bool(j, "encrypted_client_hello", true); /* a HelloRetryRequest's: ECH accepted */
    }
    exts(j, &sh->exts);
}

static void certificate(struct td_json *j, const struct td_certificate *cert, struct td_cert_cache *cache)
{
    td_json_u64(j, "num_certificates", cert->num_certs_total);
    td_json_arr_begin(j, "certificates");
    for (size_t i = 0; i < cert->num_certs; i++) {
        struct td_cert_info ci;
        td_cert_info_from_der_cached(cache, cert->certs[i].p, cert->certs[i].len, &ci);
        td_json_obj_begin(j, NULL);
        td_json_bool(j, "decoded", ci.ok);
        if (ci.ok) {
            td_json_str(j, "subject", ci.subject);
            td_json_str(j, "issuer", ci.issuer);
            td_json_str(j, "serial", ci.serial);
            td_json_str(j, "not_before", ci.not_before);
            td_json_str(j, "not_after", ci.not_after);
            td_json_str(j, "key", ci.key);
            td_json_str(j, "signature_algorithm", ci.sig_alg);
            td_json_arr_begin(j, "san");
            for (size_t k = 0; k < ci.num_sans; k++) {
                td_json_str(j, NULL, ci.sans[k]);
            }
            td_json_arr_end(j);
            td_json_bool(j, "ca", ci.is_ca);
            td_json_bool(j, "self_signed", ci.self_signed);
        }
        td_json_str(j, "sha256", ci.sha256);
        td_json_u64(j, "length", cert->certs[i].len);
        td_json_obj_end(j);
        td_cert_info_free(&ci);
    }
    td_json_arr_end(j);
}

static void handshake_fields(struct td_json *j, const struct td_msg *m, struct td_cert_cache *cache)
{
    char buf[48];
    if (!td_msg_decoded(m)) {
        return;
    }
    switch (m->hs_type) {
    case TD_HS_CLIENT_HELLO:
        client_hello(j, m->u.ch);
        break;
    case TD_HS_SERVER_HELLO:
    case TD_HS_HELLO_RETRY_REQUEST:
        server_hello(j, m->u.sh);
        break;
    case TD_HS_CERTIFICATE:
        certificate(j, m->u.cert, cache);
        break;
    case TD_HS_SERVER_KEY_EXCHANGE:
        if (m->u.ske->kind == TD_SKE_ECDHE) {
            td_json_str(j, "key_exchange", "ECDHE");
            td_json_str(j, "group", td_group_str(m->u.ske->group, buf, sizeof buf));
        } else if (m->u.ske->kind == TD_SKE_DHE) {
            td_json_str(j, "key_exchange", "DHE");
            td_json_u64(j, "dh_bits", m->u.ske->dh_p_bits);
        }
        if (m->u.ske->sigalg) {
            td_json_str(j, "signature_scheme", td_sigscheme_str(m->u.ske->sigalg, buf, sizeof buf));
        }
        break;
    case TD_HS_CERTIFICATE_REQUEST: {
        const struct td_certificate_request *cr = m->u.cr;
        td_json_arr_begin(j, "certificate_types");
        for (size_t i = 0; i < cr->cert_types.len; i++) {
            const char *n = td_cert_type_name(cr->cert_types.p[i]);
            if (n) {
                td_json_str(j, NULL, n);
            } else {
                td_json_u64(j, NULL, cr->cert_types.p[i]);
            }
        }
        td_json_arr_end(j);
        u16_names(j, "signature_algorithms", &cr->sigalgs, td_sigscheme_str);
        td_json_arr_begin(j, "certificate_authorities");
        for (size_t i = 0; i < cr->num_ca_names; i++) {
            char dn[512];
            td_cert_dn_from_der(cr->ca_names[i].p, cr->ca_names[i].len, dn, sizeof dn);
            td_json_str(j, NULL, dn);
        }
        td_json_arr_end(j);
        break;
    }
    case TD_HS_NEW_SESSION_TICKET:
        td_json_u64(j, "lifetime_hint", m->u.nst.lifetime);
        td_json_u64(j, "ticket_length", m->u.nst.ticket_len);
        break;
    case TD_HS_CERTIFICATE_VERIFY:
    case TD_HS_CLIENT_KEY_EXCHANGE:
    case TD_HS_FINISHED:
    case TD_HS_SERVER_HELLO_DONE:
    default:
        break;
    }
}

static void message(struct td_json *j, const struct td_msg *m, struct td_cert_cache *cache)
{
    char buf[48], t[40];
    td_json_obj_begin(j, NULL);
    td_json_u64(j, "frame", m->frame);
    td_time_str(&m->ts, t, sizeof t);
    td_json_raw(j, "time", t);
    td_json_str(j, "from", m->from == TD_CLIENT ? "client" : "server");
    td_json_str(j, "type", td_msg_type_name(m));
    if (m->record_version) {
        td_json_str(j, "record_version", td_version_str(m->record_version, buf, sizeof buf));
    }
    switch (m->kind) {
    case TD_M_TCP_FIN:
    case TD_M_TCP_RST:
        break;
    default:
        td_json_u64(j, "length", m->length);
        td_json_u64(j, "stream_offset", m->offset);
    }
    if (m->encrypted) {
        td_json_bool(j, "encrypted", true);
    }
    if (m->inferred) {
        td_json_bool(j, "inferred", true);
    }
    if (m->decrypted) {
        td_json_bool(j, "decrypted", true);
    }
    switch (m->kind) {
    case TD_M_HANDSHAKE:
        td_json_u64(j, "handshake_type", m->hs_type == TD_HS_HELLO_RETRY_REQUEST ? TD_HS_SERVER_HELLO : m->hs_type);
        handshake_fields(j, m, cache);
        break;
    case TD_M_ALERT:
        if (!m->encrypted) {
            const char *lv = td_alert_level_name(m->alert_level);
            if (lv) {
                td_json_str(j, "level", lv);
            } else {
                td_json_u64(j, "level", m->alert_level);
            }
            td_json_str(j, "description", td_alert_str(m->alert_desc, buf, sizeof buf));
        }
        break;
    case TD_M_APPDATA:
        td_json_u64(j, "records", m->count);
        break;
    default:
        break;
    }
    if (m->malformed) {
        td_json_bool(j, "malformed", true);
    }
    if (m->over_limit) {
        td_json_bool(j, "over_limit", true);
    }
    if (m->kind == TD_M_PREAMBLE) {
        td_json_bool(j, "preamble", true);
        td_json_u64(j, "messages", m->count);
    }
    if (m->text) {
        td_json_str(j, m->kind == TD_M_NOT_TLS || m->kind == TD_M_PREAMBLE ? "data" : "error", m->text);
    }
    td_json_obj_end(j);
}

void td_render_conn_json(struct td_buf *out, const struct td_tls_conn *c, const struct td_render_opts *o)
{
    struct td_json j;
    td_json_init(&j, out);
    td_render_conn_json_open(&j, c, o);
    td_render_conn_json_close(&j);
}

void td_render_conn_json_close(struct td_json *j)
{
    td_json_obj_end(j);
    td_buf_putc(j->out, '\n');
}

/* Every key of a connection object is always there, null when the value is
 * missing (man/tlsdiag.1, JSON OUTPUT). */
static void preamble_json(struct td_json *j, const struct td_tls_conn *c)
{
    if (!c->pre.proto) {
        td_json_null(j, "preamble");
        return;
    }
    /* plain text before TLS: "preamble": {"protocol", "upgrade": requested|accepted|refused|none} */
    td_json_obj_begin(j, "preamble");
    td_json_str(j, "protocol", c->pre.name);
    td_json_str(j, "kind", c->pre.proxy ? "proxy" : "starttls");
    td_json_str(j, "upgrade",
                c->pre.refused    ? "refused"
                : c->pre.accepted ? "accepted"
                : c->pre.asked    ? "requested"
                                  : "none");
    td_json_str(j, "answer", c->pre.refused ? c->pre.refusal : NULL);
    if (c->pre.refused) {
        td_json_u64(j, "answer_frame", c->pre_refused_frame);
    } else {
        td_json_null(j, "answer_frame");
    }
    td_json_obj_end(j);
}

static void coverage_json(struct td_json *j, const struct td_coverage *cov)
{
    if (!cov->valid) {
        td_json_null(j, "coverage");
        return;
    }
    td_json_obj_begin(j, "coverage");
    for (int r = 0; r < 2; r++) {
        const struct td_dir_coverage *d = &cov->dir[r];
        td_json_obj_begin(j, r == TD_CLIENT ? "client" : "server");
        td_json_bool(j, "seen", d->segments > 0);
        td_json_u64(j, "segments", d->segments);
        td_json_u64(j, "payload_bytes", d->payload_bytes);
        td_json_bool(j, "syn", d->syn);
        td_json_bool(j, "from_start", d->payload_bytes || d->snap_frames ? d->from_start : d->syn);
        td_json_u64(j, "snap_cut_frames", d->snap_frames);
        td_json_u64(j, "acked_missing_bytes", d->acked_missing);
        td_json_u64(j, "gap_bytes", d->gap_bytes);
        td_json_obj_end(j);
    }
    td_json_bool(j, "midstream", cov->midstream);
    td_json_bool(j, "open_at_end", cov->open_at_end);
    td_json_obj_end(j);
}

void td_render_conn_json_open(struct td_json *jp, const struct td_tls_conn *c, const struct td_render_opts *o)
{
    struct td_json j = *jp;
    char a[80], buf[48], t[40];
    td_json_obj_begin(&j, NULL);
    td_json_str(&j, "file", o->file);
    td_json_str(&j, "observer", o->observer); /* null outside watch */
    td_json_u64(&j, "stream", c->stream);
    td_addr_port_str(&c->addr[TD_CLIENT], c->port[TD_CLIENT], a, sizeof a);
    td_json_str(&j, "client", a);
    td_addr_port_str(&c->addr[TD_SERVER], c->port[TD_SERVER], a, sizeof a);
    td_json_str(&j, "server", a);
    td_render_community_id(&j, &c->addr[TD_CLIENT], c->port[TD_CLIENT], &c->addr[TD_SERVER], c->port[TD_SERVER]);
    td_json_str(&j, "sni", c->sni);
    td_json_bool(&j, "tls", c->tls_seen);
    bool rejected = o->rejected_after_handshake && td_tls_outcome(c) == TD_OUTCOME_OK;
    td_json_str(&j, "outcome", td_outcome_name(rejected ? TD_OUTCOME_FAILED : td_tls_outcome(c)));
    td_json_str(&j, "reason",
                rejected                                               ? "rejected after the handshake"
                : c->fail_reason && td_tls_outcome(c) != TD_OUTCOME_OK ? c->fail_reason
                                                                       : NULL);
    td_json_str(&j, "note", c->note);
    preamble_json(&j, c);
    td_json_str(&j, "keylog", c->keylog_status);
    td_json_str(&j, "version", c->version ? td_version_str(c->version, buf, sizeof buf) : NULL);
    td_json_str(&j, "cipher_suite", c->version ? td_suite_str(c->suite, buf, sizeof buf) : NULL);
    td_json_bool(&j, "roles_from_syn", c->roles_from_syn);
    td_json_u64(&j, "first_frame", c->first_frame);
    td_time_str(&c->first_ts, t, sizeof t);
    td_json_raw(&j, "first_time", t);
    coverage_json(&j, &c->cov);
    td_json_arr_begin(&j, "messages");
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        message(&j, m, o->cert_cache);
    }
    td_json_arr_end(&j);
    td_json_u64(&j, "messages_not_listed", c->dropped_msgs);
    *jp = j;
}

void td_render_summary_json(struct td_buf *out, const struct td_run_stats *s, const uint32_t *causes,
                            uint64_t port_checks, const struct td_render_opts *o)
{
    struct td_json j;
    td_json_init(&j, out);
    td_json_obj_begin(&j, NULL);
    td_json_str(&j, "type", "summary");
    td_json_str(&j, "file", o->file);
    td_json_u64(&j, "frames", s->frames);
    td_json_u64(&j, "tcp_streams", s->tcp_streams);
    td_json_u64(&j, "tls_connections", s->tls_conns);
    td_json_u64(&j, "ok", s->ok);
    td_json_u64(&j, "failed", s->failed);
    td_json_u64(&j, "incomplete", s->incomplete);
    td_json_u64(&j, "not_tls_on_tls_port", s->not_tls_on_tls_port);
    td_json_u64(&j, "port_checks", port_checks);
    td_json_u64(&j, "other_tcp_connections", s->other_conns);
    td_json_u64(&j, "ip_fragments", s->fragments);
    td_json_u64(&j, "truncated_frames", s->truncated);
    td_json_u64(&j, "malformed_frames", s->malformed_frames);
    td_json_u64(&j, "non_ip_frames", s->not_ip);
    td_json_u64(&j, "non_tcp_packets", s->not_tcp);
    td_json_u64(&j, "connections_evicted", s->evicted);
    td_json_u64(&j, "connections_timed_out", s->timed_out);
    char cmd[200];
    bool poor = td_capture_advice(s, cmd, sizeof cmd);
    td_json_obj_begin(&j, "capture_quality");
    td_json_u64(&j, "cut_frames", s->cut_frames);
    td_json_u64(&j, "snap_cut_connections", s->snap_cut_conns);
    td_json_u64(&j, "one_sided_connections", s->one_sided_conns);
    td_json_u64(&j, "midstream_connections", s->midstream_conns);
    td_json_u64(&j, "acked_missing_connections", s->acked_missing_conns);
    td_json_u64(&j, "acked_missing_bytes", s->acked_missing_bytes);
    td_json_u64(&j, "open_at_end_connections", s->open_at_end_conns);
    if (poor) {
        td_json_str(&j, "tcpdump", cmd);
    } else {
        td_json_null(&j, "tcpdump");
    }
    td_json_obj_end(&j);
    if (causes) {
        td_json_obj_begin(&j, "causes");
        for (int i = 0; i < TD_CAUSE_COUNT; i++) {
            if (causes[i]) {
                td_json_u64(&j, td_cause_info((enum td_cause)i)->slug, causes[i]);
            }
        }
        td_json_obj_end(&j);
    }
    td_json_obj_end(&j);
    td_buf_putc(out, '\n');
}
