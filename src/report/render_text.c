/* The text ladder: one block per connection, one line per message, details
 * under -v (as Wireshark's detail pane). */
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "cert/cert.h"
#include "report/internal.h"
#include "tls/names.h"

#include "base/mem.h"

#include "base/banned.h"

/* Lowest and highest non-GREASE version offered. */
static void version_range(const struct td_client_hello *ch, char *out, size_t len)
{
    char a[48], b[48];
    uint16_t lo = 0xffff, hi = 0;
    for (size_t i = 0; i < ch->versions.n; i++) {
        uint16_t v = ch->versions.v[i];
        if (td_is_grease(v)) {
            continue;
        }
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    if (hi == 0) {
        snprintf(out, len, "up to %s", td_version_str(ch->legacy_version, a, sizeof a));
    } else if (lo == hi) {
        td_strcopy(out, len, td_version_str(lo, a, sizeof a));
    } else {
        snprintf(out, len, "%s-%s", td_version_str(lo, a, sizeof a), td_version_str(hi, b, sizeof b));
    }
}

static void list_u16(struct td_buf *out, const char *label, const struct td_u16s *v,
                     const char *(*str)(uint16_t, char *, size_t))
{
    char buf[48];
    td_buf_printf(out, "        %s (%zu):", label, v->n);
    for (size_t i = 0; i < v->n; i++) {
        td_buf_printf(out, "%s%s", i ? ", " : " ", str(v->v[i], buf, sizeof buf));
    }
    td_buf_putc(out, '\n');
}

static void ch_summary(struct td_buf *out, const struct td_client_hello *ch)
{
    char vr[100];
    version_range(ch, vr, sizeof vr);
    td_buf_printf(out, "%s, %zu suites", vr, ch->suites.n);
    if (ch->sni) {
        td_buf_puts(out, ", SNI ");
        td_text_escape(out, ch->sni, strlen(ch->sni));
    } else {
        td_buf_puts(out, ", no SNI");
    }
    if (ch->alpn.n) {
        td_buf_puts(out, ", ALPN ");
        for (size_t i = 0; i < ch->alpn.n; i++) {
            td_buf_puts(out, i ? "," : "");
            td_text_escape(out, ch->alpn.v[i], strlen(ch->alpn.v[i]));
        }
    }
    if (ch->sslv2_format) {
        td_buf_puts(out, " [SSLv2 format]");
    }
}

/* What an encrypted_client_hello shows in clear, and what it does not. */
static void ech_detail(struct td_buf *out, const struct td_client_hello *ch)
{
    char k[16], a[16];
    if (!ch->has_ech) {
        return;
    }
    if (!ch->ech.parsed) {
        td_buf_puts(out, "        encrypted_client_hello: not of the draft-ietf-tls-esni form (left unread)\n");
    } else if (ch->ech.type == 1) {
        td_buf_puts(out, "        encrypted_client_hello: inner (an inner ClientHello sent in clear)\n");
    } else {
        td_buf_printf(out,
                      "        encrypted_client_hello: outer, config_id %u, HPKE %s/%s, enc %u bytes, payload %u "
                      "bytes; the SNI above is the outer one; a real ECH and a GREASE one look the same without "
                      "the server's ECH key\n",
                      ch->ech.config_id, td_hpke_kdf_str(ch->ech.kdf_id, k, sizeof k),
                      td_hpke_aead_str(ch->ech.aead_id, a, sizeof a), ch->ech.enc_len, ch->ech.payload_len);
    }
}

static void ch_detail(struct td_buf *out, const struct td_client_hello *ch)
{
    char buf[48];
    td_buf_printf(out, "        legacy_version: %s, session_id: %u bytes, compression:",
                  td_version_str(ch->legacy_version, buf, sizeof buf), ch->session_id_len);
    for (size_t i = 0; i < ch->compression.len; i++) {
        td_buf_printf(out, " %u", ch->compression.p[i]);
    }
    td_buf_putc(out, '\n');
    if (ch->versions.n) {
        list_u16(out, "supported_versions", &ch->versions, td_version_str);
    }
    list_u16(out, "cipher_suites", &ch->suites, td_suite_str);
    if (ch->groups.n) {
        list_u16(out, "supported_groups", &ch->groups, td_group_str);
    }
    if (ch->key_shares.n) {
        list_u16(out, "key_share", &ch->key_shares, td_group_str);
    }
    if (ch->sigalgs.n) {
        list_u16(out, "signature_algorithms", &ch->sigalgs, td_sigscheme_str);
    }
    if (ch->sigalgs_cert.n) {
        list_u16(out, "signature_algorithms_cert", &ch->sigalgs_cert, td_sigscheme_str);
    }
    ech_detail(out, ch);
    td_buf_printf(out, "        extensions (%zu):", ch->exts.n);
    for (size_t i = 0; i < ch->exts.n; i++) {
        td_buf_printf(out, "%s%s(%u)", i ? ", " : " ", td_ext_str(ch->exts.v[i].type, buf, sizeof buf),
                      ch->exts.v[i].len);
    }
    td_buf_putc(out, '\n');
}

static void sh_summary(struct td_buf *out, const struct td_server_hello *sh)
{
    char a[48], b[48], g[48];
    if (sh->hrr) {
        td_buf_printf(out, "%s, %s", td_version_str(sh->version, a, sizeof a), td_suite_str(sh->suite, b, sizeof b));
        if (sh->key_share_group) {
            td_buf_printf(out, ", asks for key_share %s", td_group_str(sh->key_share_group, g, sizeof g));
        }
        return;
    }
    td_buf_printf(out, "%s, %s", td_version_str(sh->version, a, sizeof a), td_suite_str(sh->suite, b, sizeof b));
    if (sh->key_share_group) {
        td_buf_printf(out, ", key_share %s", td_group_str(sh->key_share_group, g, sizeof g));
    }
    if (sh->alpn) {
        td_buf_puts(out, ", ALPN ");
        td_text_escape(out, sh->alpn, strlen(sh->alpn));
    }
    if (sh->downgrade) {
        td_buf_printf(out, ", downgrade sentinel (%s)", sh->downgrade);
    }
}

static void sh_detail(struct td_buf *out, const struct td_server_hello *sh)
{
    char buf[48];
    td_buf_printf(out, "        legacy_version: %s, session_id: %u bytes, compression: %u\n",
                  td_version_str(sh->legacy_version, buf, sizeof buf), sh->session_id_len, sh->compression);
    if (sh->hrr && sh->has_ech) {
        td_buf_puts(out, "        encrypted_client_hello: the server accepted ECH (its 8-byte confirmation is "
                         "made with the inner ClientHello's random: not checked without keys)\n");
    }
    td_buf_printf(out, "        extensions (%zu):", sh->exts.n);
    for (size_t i = 0; i < sh->exts.n; i++) {
        td_buf_printf(out, "%s%s(%u)", i ? ", " : " ", td_ext_str(sh->exts.v[i].type, buf, sizeof buf),
                      sh->exts.v[i].len);
    }
    td_buf_putc(out, '\n');
}

static void cert_summary(struct td_buf *out, const struct td_certificate *cert, struct td_cert_cache *cache)
{
    td_buf_printf(out, "%zu certificate%s", cert->num_certs_total, cert->num_certs_total == 1 ? "" : "s");
    if (cert->num_certs == 0) {
        if (cert->num_certs_total == 0) {
            td_buf_puts(out, " (empty: no certificate sent)");
        }
        return;
    }
    struct td_cert_info ci;
    td_cert_info_from_der_cached(cache, cert->certs[0].p, cert->certs[0].len, &ci);
    if (ci.ok) {
        struct td_esc e = {0};
        td_buf_printf(out, ": %s (issuer %s), %s..%s", td_esc(&e, ci.subject), td_esc(&e, ci.issuer),
                      td_esc(&e, ci.not_before), td_esc(&e, ci.not_after));
        td_esc_free(&e);
    } else {
        td_buf_puts(out, ": first certificate is not valid DER");
    }
    td_cert_info_free(&ci);
}

static void cert_detail(struct td_buf *out, const struct td_certificate *cert, struct td_cert_cache *cache)
{
    for (size_t i = 0; i < cert->num_certs; i++) {
        struct td_cert_info ci;
        td_cert_info_from_der_cached(cache, cert->certs[i].p, cert->certs[i].len, &ci);
        td_buf_printf(out, "        [%zu] ", i);
        if (!ci.ok) {
            td_buf_printf(out, "undecodable (%zu bytes), sha256 %s\n", cert->certs[i].len, ci.sha256);
            continue;
        }
        struct td_esc e = {0};
        td_buf_printf(out, "subject %s\n", td_esc(&e, ci.subject));
        td_buf_printf(out, "            issuer  %s\n", td_esc(&e, ci.issuer));
        td_buf_printf(out, "            valid   %s .. %s\n", td_esc(&e, ci.not_before), td_esc(&e, ci.not_after));
        if (ci.num_sans) {
            td_buf_puts(out, "            SAN    ");
            for (size_t k = 0; k < ci.num_sans; k++) {
                td_buf_printf(out, " %s", td_esc(&e, ci.sans[k]));
            }
            td_buf_putc(out, '\n');
        }
        td_buf_printf(out, "            key     %s, %s%s%s, serial %s\n", td_esc(&e, ci.key), td_esc(&e, ci.sig_alg),
                      ci.is_ca ? ", CA" : "", ci.self_signed ? ", self-signed" : "", td_esc(&e, ci.serial));
        td_esc_free(&e);
        td_buf_printf(out, "            sha256  %s\n", ci.sha256);
        td_cert_info_free(&ci);
    }
}

static void cr_summary(struct td_buf *out, const struct td_certificate_request *cr, bool verbose)
{
    td_buf_puts(out, "client certificate requested");
    if (cr->cert_types.len) {
        td_buf_puts(out, ", types ");
        for (size_t i = 0; i < cr->cert_types.len; i++) {
            const char *n = td_cert_type_name(cr->cert_types.p[i]);
            td_buf_printf(out, "%s%s", i ? "," : "", n ? n : "?");
        }
    }
    td_buf_printf(out, ", %zu CA name%s", cr->num_ca_names, cr->num_ca_names == 1 ? "" : "s");
    if (verbose) {
        for (size_t i = 0; i < cr->num_ca_names; i++) {
            char dn[512];
            td_cert_dn_from_der(cr->ca_names[i].p, cr->ca_names[i].len, dn, sizeof dn);
            td_buf_puts(out, "\n        CA: ");
            td_text_escape(out, dn, strlen(dn));
        }
    }
}

static void msg_detail(struct td_buf *out, const struct td_msg *m, const struct td_render_opts *o);

static void msg_line(struct td_buf *out, const struct td_msg *m, const struct td_render_opts *o)
{
    const char *arrow = m->from == TD_CLIENT ? (o->utf8 ? "client → server" : "client -> server")
                                             : (o->utf8 ? "client ← server" : "client <- server");
    const char *color = "";
    if (m->kind == TD_M_ALERT || m->kind == TD_M_TCP_RST || m->kind == TD_M_MALFORMED || m->kind == TD_M_GAP ||
        m->kind == TD_M_NOT_TLS) {
        color = td_col(o, TD_COL_RED);
    }
    /* "  #%-6llu %s  %s%-20s%s ", without printf: one line per message */
    td_buf_puts(out, "  #");
    td_buf_put_u64_left(out, m->frame, 6);
    td_buf_putc(out, ' ');
    td_buf_puts(out, arrow);
    td_buf_puts(out, "  ");
    td_buf_puts(out, color);
    td_buf_puts_left(out, td_msg_type_name(m), 20);
    td_buf_puts(out, td_col(o, TD_COL_RESET));
    td_buf_putc(out, ' ');
    td_render_msg_summary(out, m, o);
    td_buf_putc(out, '\n');
    if (o->verbose && m->kind == TD_M_HANDSHAKE && td_msg_decoded(m)) {
        msg_detail(out, m, o);
    }
}

/* Long by nature: one case per message kind and handshake type, each the
 * one line Wireshark would show for it; a table would need a function per row. */
void td_render_msg_summary(struct td_buf *out, const struct td_msg *m, const struct td_render_opts *o)
{
    char buf[48];
    switch (m->kind) {
    case TD_M_HANDSHAKE:
        switch (td_msg_decoded(m) ? m->hs_type : 0xff) {
        case TD_HS_CLIENT_HELLO:
            ch_summary(out, m->u.ch);
            break;
        case TD_HS_SERVER_HELLO:
        case TD_HS_HELLO_RETRY_REQUEST:
            sh_summary(out, m->u.sh);
            break;
        case TD_HS_CERTIFICATE:
            cert_summary(out, m->u.cert, o->cert_cache);
            break;
        case TD_HS_SERVER_KEY_EXCHANGE:
            if (m->u.ske->kind == TD_SKE_ECDHE) {
                td_buf_printf(out, "ECDHE %s", td_group_str(m->u.ske->group, buf, sizeof buf));
            } else if (m->u.ske->kind == TD_SKE_DHE) {
                td_buf_printf(out, "DHE %u bits", m->u.ske->dh_p_bits);
            }
            if (m->u.ske->sigalg) {
                td_buf_printf(out, ", signed %s", td_sigscheme_str(m->u.ske->sigalg, buf, sizeof buf));
            }
            break;
        case TD_HS_CERTIFICATE_REQUEST:
            cr_summary(out, m->u.cr, o->verbose);
            break;
        case TD_HS_NEW_SESSION_TICKET:
            td_buf_printf(out, "ticket %u bytes, lifetime %u s", m->u.nst.ticket_len, m->u.nst.lifetime);
            break;
        default:
            td_buf_printf(out, "%u bytes", m->length);
        }
        if (m->malformed && m->text) {
            td_buf_printf(out, "  %smalformed: ", td_col(o, TD_COL_RED));
            td_text_escape(out, m->text, strlen(m->text));
            td_buf_puts(out, td_col(o, TD_COL_RESET));
        }
        break;
    case TD_M_ENC_HANDSHAKE:
        td_buf_puts(out, "(encrypted, ");
        td_buf_put_u64(out, m->length);
        td_buf_puts(out, " bytes)");
        break;
    case TD_M_ALERT:
        if (m->encrypted) {
            td_buf_printf(out, "%s(encrypted, %u bytes%s)%s", td_col(o, TD_COL_RED), m->length,
                          m->inferred ? "; an alert by its size" : "", td_col(o, TD_COL_RESET));
        } else {
            const char *lv = td_alert_level_name(m->alert_level);
            td_buf_printf(out, "%s%s %s%s", td_col(o, m->alert_level == 2 ? TD_COL_RED : TD_COL_YELLOW),
                          lv ? lv : "level?", td_alert_str(m->alert_desc, buf, sizeof buf), td_col(o, TD_COL_RESET));
            td_buf_printf(out, "   (record version %s)", td_version_str(m->record_version, buf, sizeof buf));
        }
        break;
    case TD_M_APPDATA:
        td_buf_put_u64(out, m->count);
        td_buf_puts(out, m->count == 1 ? " record, " : " records, ");
        td_buf_put_u64(out, m->length);
        td_buf_puts(out, m->decrypted ? " bytes" : " bytes (encrypted)");
        break;
    case TD_M_NOT_TLS: {
        size_t n = m->text ? strlen(m->text) : 0;
        td_buf_putc(out, '"');
        td_text_escape(out, m->text, n > 72 ? 72 : n);
        td_buf_printf(out, "%s\"", n > 72 ? "..." : "");
        break;
    }
    case TD_M_GAP:
    case TD_M_MALFORMED:
    case TD_M_PREAMBLE:
        td_text_escape(out, m->text, m->text ? strlen(m->text) : 0);
        break;
    case TD_M_CCS:
    case TD_M_HEARTBEAT:
    case TD_M_TCP_FIN:
    case TD_M_TCP_RST:
        break;
    }
    if (m->decrypted) {
        td_buf_printf(out, "  %s[decrypted]%s", td_col(o, TD_COL_GREEN), td_col(o, TD_COL_RESET));
    }
}

static void msg_detail(struct td_buf *out, const struct td_msg *m, const struct td_render_opts *o)
{
    switch (m->hs_type) {
    case TD_HS_CLIENT_HELLO:
        ch_detail(out, m->u.ch);
        break;
    case TD_HS_SERVER_HELLO:
    case TD_HS_HELLO_RETRY_REQUEST:
        sh_detail(out, m->u.sh);
        break;
    case TD_HS_CERTIFICATE:
        cert_detail(out, m->u.cert, o->cert_cache);
        break;
    default:
        break;
    }
}

void td_render_conn_text(struct td_buf *out, const struct td_tls_conn *c, const struct td_render_opts *o)
{
    char a[80], b[80], buf[48];
    enum td_outcome oc = td_tls_outcome(c);
    bool rejected = o->rejected_after_handshake && oc == TD_OUTCOME_OK;
    if (rejected) {
        oc = TD_OUTCOME_FAILED;
    }
    td_addr_port_str(&c->addr[TD_CLIENT], c->port[TD_CLIENT], a, sizeof a);
    td_addr_port_str(&c->addr[TD_SERVER], c->port[TD_SERVER], b, sizeof b);
    td_buf_printf(out, "%stcp.stream %u%s  %s %s %s", td_col(o, TD_COL_BOLD), c->stream, td_col(o, TD_COL_RESET), a,
                  o->utf8 ? "→" : "->", b);
    td_buf_puts(out, "  SNI ");
    if (c->sni) {
        td_text_escape(out, c->sni, strlen(c->sni));
    } else {
        td_buf_puts(out, "(none)");
    }
    if (c->version) {
        td_buf_printf(out, "  %s", td_version_str(c->version, buf, sizeof buf));
        td_buf_printf(out, " %s", td_suite_str(c->suite, buf, sizeof buf));
    }
    const char *oc_col = oc == TD_OUTCOME_OK ? TD_COL_GREEN : oc == TD_OUTCOME_FAILED ? TD_COL_RED : TD_COL_YELLOW;
    td_buf_printf(out, "  %s%s%s", td_col(o, oc_col), td_outcome_name(oc), td_col(o, TD_COL_RESET));
    if (rejected) {
        td_buf_puts(out, " (rejected after the handshake)");
    } else if (oc != TD_OUTCOME_OK && c->fail_reason) {
        struct td_esc e = {0};
        td_buf_printf(out, " (%s)", td_esc(&e, c->fail_reason));
        td_esc_free(&e);
    }
    td_buf_putc(out, '\n');
    char cw[400];
    td_coverage_words(&c->cov, cw, sizeof cw);
    if (cw[0]) {
        td_buf_printf(out, "  %scapture: %s%s\n", td_col(o, TD_COL_YELLOW), cw, td_col(o, TD_COL_RESET));
    }
    struct td_esc e = {0};
    if (c->note) {
        td_buf_printf(out, "  %snote: %s%s\n", td_col(o, TD_COL_YELLOW), td_esc(&e, c->note), td_col(o, TD_COL_RESET));
    }
    if (c->keylog_status) {
        td_buf_printf(out, "  key log: %s\n", td_esc(&e, c->keylog_status));
    }
    td_esc_free(&e);
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        msg_line(out, m, o);
    }
    if (c->dropped_msgs) {
        td_buf_printf(out, "  ... %zu more messages not listed (limit %zu)\n", c->dropped_msgs, c->lim->max_messages);
    }
    td_buf_putc(out, '\n');
}

void td_render_summary_text(struct td_buf *out, const struct td_run_stats *s, uint64_t port_checks,
                            const struct td_render_opts *o)
{
    struct td_esc e = {0};
    td_buf_printf(
        out, "%s%s%s: %llu frames, %llu TCP connections; TLS: %llu (%s%llu ok%s, %s%llu failed%s, %llu incomplete)",
        td_col(o, TD_COL_BOLD), o->file ? td_esc(&e, o->file) : "summary", td_col(o, TD_COL_RESET),
        (unsigned long long)s->frames, (unsigned long long)s->tcp_streams, (unsigned long long)s->tls_conns,
        td_col(o, TD_COL_GREEN), (unsigned long long)s->ok, td_col(o, TD_COL_RESET),
        td_col(o, s->failed ? TD_COL_RED : ""), (unsigned long long)s->failed, td_col(o, TD_COL_RESET),
        (unsigned long long)s->incomplete);
    td_esc_free(&e);
    if (s->not_tls_on_tls_port) {
        td_buf_printf(out, "; %llu not TLS on a TLS port", (unsigned long long)s->not_tls_on_tls_port);
    }
    if (port_checks) {
        td_buf_printf(out, "; %llu port check%s (TCP opened and closed without a byte)",
                      (unsigned long long)port_checks, port_checks == 1 ? "" : "s");
    }
    td_buf_printf(out, "; other TCP with data: %llu\n", (unsigned long long)s->other_conns);
    if (s->fragments || s->truncated || s->malformed_frames || s->evicted) {
        td_buf_printf(out,
                      "  skipped: %llu IP fragments, %llu frames cut by the snap length, %llu malformed frames, "
                      "%llu connections evicted (too many open at once)\n",
                      (unsigned long long)s->fragments, (unsigned long long)s->truncated,
                      (unsigned long long)s->malformed_frames, (unsigned long long)s->evicted);
    }
    char cmd[200];
    if (td_capture_advice(s, cmd, sizeof cmd)) {
        td_buf_printf(out,
                      "  %scapture quality:%s %llu frames cut by the snap length (%llu connections), "
                      "%llu connections seen one way, %llu started mid-stream, %llu with %llu bytes ACKed but "
                      "not captured, %llu still open at the end\n",
                      td_col(o, TD_COL_YELLOW), td_col(o, TD_COL_RESET), (unsigned long long)s->cut_frames,
                      (unsigned long long)s->snap_cut_conns, (unsigned long long)s->one_sided_conns,
                      (unsigned long long)s->midstream_conns, (unsigned long long)s->acked_missing_conns,
                      (unsigned long long)s->acked_missing_bytes, (unsigned long long)s->open_at_end_conns);
        td_buf_printf(out, "  capture properly: %s\n", cmd);
    }
}
