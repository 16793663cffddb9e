/* tlsdiag probe output: what the server accepts, then the verdict. */
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "base/escape.h"
#include "report/internal.h"
#include "tls/names.h"

#include "base/banned.h"

static const char *vname(uint16_t v)
{
    const char *n = td_version_name(v);
    return n ? n : "?";
}

static const char *tri(enum td_probe_tri t, const char *yes, const char *no)
{
    return t == TD_TRI_YES ? yes : t == TD_TRI_NO ? no : "not tested";
}

static void sigalg_list(struct td_buf *b, const uint16_t *v, size_t n)
{
    char buf[64];
    for (size_t k = 0; k < n; k++) {
        td_buf_printf(b, "%s%s", k ? ", " : "", td_sigscheme_str(v[k], buf, sizeof buf));
    }
}

/* The extra checks (probe/checks.c), one line each. */
static void checks_text(struct td_buf *b, const struct td_probe_checks *c)
{
    if (c->num_sigalgs12) {
        td_buf_puts(b, "  TLSv1.2 signature algorithms: ");
        sigalg_list(b, c->sigalgs12, c->num_sigalgs12);
        td_buf_putc(b, '\n');
    }
    if (c->num_sigalgs13) {
        td_buf_puts(b, "  TLSv1.3 signature algorithms: ");
        sigalg_list(b, c->sigalgs13, c->num_sigalgs13);
        td_buf_putc(b, '\n');
    }
    td_buf_printf(b, "  TLS_FALLBACK_SCSV: %s; secure renegotiation: %s; OCSP stapling: %s\n",
                  tri(c->fallback_scsv, "honoured", "ignored"), tri(c->secure_reneg, "yes", "NO"),
                  tri(c->ocsp_stapling, "yes", "no"));
    td_buf_printf(b, "  extended_master_secret required: %s\n", tri(c->ems_required, "YES", "no"));
    td_buf_printf(b, "  session resumption: ticket %s, session id %s\n", tri(c->resume_ticket, "yes", "no"),
                  tri(c->resume_id, "yes", "no"));
    td_buf_puts(b, "  ALPN:");
    for (size_t k = 0; k < c->num_alpn; k++) {
        td_text_escape(b, " ", 1);
        td_text_escape(b, c->alpn[k], strlen(c->alpn[k])); /* the server's choice */
    }
    if (!c->num_alpn) {
        td_buf_puts(b, " none selected");
    }
    for (size_t k = 0; k < c->num_alpn_refused; k++) {
        td_buf_puts(b, k ? ", " : "; refused alone: ");
        td_text_escape(b, c->alpn_refused[k], strlen(c->alpn_refused[k]));
    }
    td_buf_putc(b, '\n');
}

static void tri_json(struct td_json *j, const char *key, enum td_probe_tri t)
{
    if (t == TD_TRI_UNKNOWN) {
        td_json_null(j, key);
    } else {
        td_json_bool(j, key, t == TD_TRI_YES);
    }
}

static void sigalgs_json(struct td_json *j, const char *key, const uint16_t *v, size_t n)
{
    char buf[64];
    td_json_arr_begin(j, key);
    for (size_t k = 0; k < n; k++) {
        td_json_str(j, NULL, td_sigscheme_str(v[k], buf, sizeof buf));
    }
    td_json_arr_end(j);
}

static void checks_json(struct td_json *j, const struct td_probe_checks *c)
{
    td_json_obj_begin(j, "signature_algorithms");
    sigalgs_json(j, "TLSv1.2", c->sigalgs12, c->num_sigalgs12);
    sigalgs_json(j, "TLSv1.3", c->sigalgs13, c->num_sigalgs13);
    td_json_obj_end(j);
    tri_json(j, "fallback_scsv", c->fallback_scsv);
    tri_json(j, "secure_renegotiation", c->secure_reneg);
    tri_json(j, "ems_required", c->ems_required);
    tri_json(j, "ocsp_stapling", c->ocsp_stapling);
    td_json_obj_begin(j, "resumption");
    tri_json(j, "ticket", c->resume_ticket);
    tri_json(j, "session_id", c->resume_id);
    td_json_obj_end(j);
    td_json_obj_begin(j, "alpn");
    td_json_arr_begin(j, "selected");
    for (size_t k = 0; k < c->num_alpn; k++) {
        td_json_str(j, NULL, c->alpn[k]);
    }
    td_json_arr_end(j);
    td_json_arr_begin(j, "refused");
    for (size_t k = 0; k < c->num_alpn_refused; k++) {
        td_json_str(j, NULL, c->alpn_refused[k]);
    }
    td_json_arr_end(j);
    td_json_obj_end(j);
}

static const char *const mb_forms[TD_MB_FORMS] = {"base", "post_quantum", "split", "f5_size", "large"};

static const char *answer_name(enum td_probe_answer a)
{
    static const char *const names[] = {"not_run", "answered", "reset", "closed", "timeout"};
    return (size_t)a < sizeof names / sizeof names[0] ? names[a] : "not_run";
}

/* RSA key exchange only, the post-quantum group, the middlebox hellos (probe/kex.c, middlebox.c). */
static void kex_text(struct td_buf *b, const struct td_probe_result *r)
{
    char g[64];
    td_buf_printf(b, "  RSA key exchange only: %s; post-quantum group: ", tri(r->kex.rsa_kex_only, "YES", "no"));
    if (r->kex.pq_refused) {
        td_buf_puts(b, "REFUSED (no HelloRetryRequest when listed first)\n");
    } else if (r->kex.pq_selected == TD_TRI_UNKNOWN) {
        td_buf_puts(b, "not tested (no TLS 1.3)\n");
    } else {
        td_buf_printf(b, "%s%s%s\n", r->kex.pq_selected == TD_TRI_YES ? "" : "none (server picks ",
                      td_group_str(r->kex.pq_group, g, sizeof g), r->kex.pq_selected == TD_TRI_YES ? "" : ")");
    }
    if (!r->mb.run) {
        td_buf_puts(b, "  middlebox: not tested (--check middlebox)\n");
        return;
    }
    td_buf_printf(b, "  middlebox (TCP segments of %u bytes at most):", TD_PROBE_MB_MSS);
    for (int f = 0; f < TD_MB_FORMS; f++) {
        const struct td_probe_mb_try *t = &r->mb.t[f];
        td_buf_printf(b, "%s %s %zu bytes, %u segment%s: %s", f ? ";" : "", mb_forms[f], t->bytes, t->segments,
                      t->segments == 1 ? "" : "s", answer_name(t->answer));
    }
    td_buf_putc(b, '\n');
}

static void kex_json(struct td_json *j, const struct td_probe_result *r)
{
    char g[64];
    tri_json(j, "rsa_kex_only", r->kex.rsa_kex_only);
    td_json_obj_begin(j, "post_quantum");
    tri_json(j, "selected", r->kex.pq_selected);
    td_json_str(j, "group", r->kex.pq_group ? td_group_str(r->kex.pq_group, g, sizeof g) : NULL);
    td_json_bool(j, "refused", r->kex.pq_refused);
    td_json_obj_end(j);
    if (!r->mb.run) {
        td_json_null(j, "middlebox");
        return;
    }
    td_json_obj_begin(j, "middlebox");
    td_json_u64(j, "mss", TD_PROBE_MB_MSS);
    for (int f = 0; f < TD_MB_FORMS; f++) {
        const struct td_probe_mb_try *t = &r->mb.t[f];
        td_json_obj_begin(j, mb_forms[f]);
        td_json_name(j, "answer", answer_name(t->answer));
        td_json_u64(j, "bytes", t->bytes);
        td_json_u64(j, "segments", t->segments);
        td_json_obj_end(j);
    }
    td_json_obj_end(j);
}

/* Client certificates, HTTP, the plain-text upgrade and the proxy. */
static void access_text(struct td_buf *b, const struct td_probe_result *r)
{
    struct td_esc e = {0}; /* the alert or status line and the reason the server sent */
    td_buf_printf(b, "  client certificates: %s", r->client_auth);
    if (r->num_ca_names) {
        td_buf_printf(b, " (%zu acceptable CA name%s)", r->num_ca_names, r->num_ca_names == 1 ? "" : "s");
    }
    if (r->client_cert_given && !r->client_cert_tried) {
        td_buf_puts(b, "; --cert not asked for");
    }
    if (r->client_cert_tried) {
        td_buf_printf(b, "; --cert %s%s%s%s", r->client_cert_accepted ? "accepted" : "refused",
                      r->client_cert_alert[0] ? " (" : "", td_esc(&e, r->client_cert_alert),
                      r->client_cert_alert[0] ? ")" : "");
    }
    td_buf_putc(b, '\n');
    if (r->http_status) {
        td_buf_printf(b, "  HTTP after a handshake without client certificate: %d %s\n", r->http_status,
                      td_esc(&e, r->http_reason));
    }
    td_esc_free(&e);
}

void td_render_probe_text(struct td_buf *b, const struct td_probe_result *r, const struct td_render_opts *o)
{
    char buf[64];
    struct td_esc e = {0}; /* the target and SNI as given, what the server sent */
    td_buf_printf(b, "%s  %s%s%s  SNI %s  (%u TCP connections, %.2f s)\n", td_esc(&e, r->target), r->address,
                  strchr(r->addresses, ' ') ? "  all: " : "", strchr(r->addresses, ' ') ? r->addresses : "",
                  r->sni_sent ? td_esc(&e, r->sni) : "(none)", r->connections, r->seconds);
    if (r->proxy[0]) {
        td_buf_printf(b, "  through the HTTP CONNECT proxy %s\n", td_esc(&e, r->proxy));
    }
    if (r->starttls) {
        td_buf_printf(b, "  STARTTLS %s%s%s\n", r->starttls, r->upgrade[0] ? ": " : "", td_esc(&e, r->upgrade));
    }
    if (r->reachable) {
        td_buf_puts(b, "  versions  ");
        for (int i = 0; i < TD_PROBE_VERSIONS; i++) {
            td_buf_printf(b, " %s%s", vname(r->v[i].version), r->v[i].accepted ? "" : " no");
            if (i + 1 < TD_PROBE_VERSIONS) {
                td_buf_putc(b, ',');
            }
        }
        td_buf_putc(b, '\n');
        for (int i = TD_PROBE_VERSIONS - 1; i >= 0; i--) {
            const struct td_probe_version *v = &r->v[i];
            if (!v->accepted) {
                continue;
            }
            td_buf_printf(b, "  %s suites (%s order):\n", vname(v->version),
                          v->num_suites < 2 ? "one suite"
                          : v->server_order ? "server"
                                            : "client");
            for (size_t k = 0; k < v->num_suites; k++) {
                td_buf_printf(b, "    %s\n", td_suite_str(v->suites[k], buf, sizeof buf));
            }
            if (v->num_groups) {
                td_buf_printf(b, "  %s groups:", vname(v->version));
                for (size_t k = 0; k < v->num_groups; k++) {
                    td_buf_printf(b, " %s", td_group_str(v->groups[k], buf, sizeof buf));
                }
                td_buf_putc(b, '\n');
            }
        }
        td_buf_printf(b, "  SNI: %s; the certificate %s by SNI\n",
                      r->sni_sent ? (r->sni_required ? "required" : "not required") : "not sent (an IP address)",
                      r->sni_selects_cert ? "is chosen" : "is not chosen");
        access_text(b, r);
        checks_text(b, &r->chk);
        kex_text(b, r);
    } else if (r->error[0]) {
        td_buf_printf(b, "  %s\n", td_esc(&e, r->error));
    }
    if (r->have_chain) {
        td_buf_puts(b, "  chain as sent:\n");
        for (size_t i = 0; i < r->chain.num_nodes; i++) {
            const struct td_cert_node *n = &r->chain.nodes[i];
            td_buf_printf(b, "    [%zu] %s (%s), issuer %s, valid %s to %s\n", i, td_esc(&e, n->info.subject), n->role,
                          td_esc(&e, n->info.issuer), n->info.not_before, n->info.not_after);
        }
    }
    for (size_t i = 0; i < r->num_good; i++) {
        td_buf_printf(b, "  %s%-7s%s %s\n", td_col(o, TD_COL_GREEN), "ok", td_col(o, TD_COL_RESET),
                      td_esc(&e, r->good[i]));
    }
    if (r->num_findings) {
        td_buf_puts(b, "findings:\n");
    }
    for (size_t i = 0; i < r->num_findings; i++) {
        const struct td_cert_finding *f = &r->findings[i];
        bool err = f->sev == TD_SEV_ERROR;
        td_buf_printf(b, "  %s%-7s%s %-22s %s\n", td_col(o, err ? TD_COL_RED : TD_COL_YELLOW), td_sev_name(f->sev),
                      td_col(o, TD_COL_RESET), td_cause_info(f->cause)->slug, td_esc(&e, f->message));
        td_buf_printf(b, "  %-7s %-22s fix: %s\n", "", "", td_esc(&e, f->resolution));
        const struct td_change *ch = td_change_of_cause(f->cause);
        if (ch) {
            td_buf_printf(b, "  %-7s %-22s changed: %s; to restore it: %s\n", "", "", ch->what, ch->restore);
        }
    }
    td_esc_free(&e);
    td_buf_putc(b, '\n');
}

/* Client certificates, HTTP, the plain-text upgrade, the proxy, the checks. */
static void access_json(struct td_json *j, const struct td_probe_result *r)
{
    if (r->client_cert_tried) {
        td_json_bool(j, "client_cert_accepted", r->client_cert_accepted);
        td_json_str(j, "client_cert_alert", r->client_cert_alert);
    }
    if (r->http_status) {
        td_json_obj_begin(j, "http");
        td_json_u64(j, "status", (uint64_t)r->http_status);
        td_json_str(j, "reason", r->http_reason);
        td_json_obj_end(j);
    }
    if (r->starttls) {
        td_json_obj_begin(j, "starttls");
        td_json_name(j, "protocol", r->starttls);
        td_json_str(j, "answer", r->upgrade);
        td_json_obj_end(j);
    }
    if (r->proxy[0]) {
        td_json_str(j, "proxy", r->proxy);
    }
    if (r->reachable) {
        checks_json(j, &r->chk);
    }
    kex_json(j, r);
}

/* What the server accepts: versions, suites (in the server's order when it has one), groups. */
static void offer_json(struct td_json *jp, const struct td_probe_result *r)
{
    char buf[64];
    td_json_arr_begin(jp, "versions");
    for (int i = 0; i < TD_PROBE_VERSIONS; i++) {
        if (r->v[i].accepted) {
            td_json_name(jp, NULL, vname(r->v[i].version));
        }
    }
    td_json_arr_end(jp);
    td_json_obj_begin(jp, "suites");
    for (int i = TD_PROBE_VERSIONS - 1; i >= 0; i--) {
        if (!r->v[i].accepted) {
            continue;
        }
        td_json_arr_begin(jp, vname(r->v[i].version));
        for (size_t k = 0; k < r->v[i].num_suites; k++) {
            td_json_str(jp, NULL, td_suite_str(r->v[i].suites[k], buf, sizeof buf));
        }
        td_json_arr_end(jp);
    }
    td_json_obj_end(jp);
    td_json_obj_begin(jp, "server_order");
    for (int i = TD_PROBE_VERSIONS - 1; i >= 0; i--) {
        if (r->v[i].accepted && r->v[i].num_suites >= 2) {
            td_json_bool(jp, vname(r->v[i].version), r->v[i].server_order);
        }
    }
    td_json_obj_end(jp);
    td_json_obj_begin(jp, "groups");
    for (int i = TD_PROBE_VERSIONS - 1; i >= 0; i--) {
        if (!r->v[i].num_groups) {
            continue;
        }
        td_json_arr_begin(jp, vname(r->v[i].version));
        for (size_t k = 0; k < r->v[i].num_groups; k++) {
            td_json_str(jp, NULL, td_group_str(r->v[i].groups[k], buf, sizeof buf));
        }
        td_json_arr_end(jp);
    }
    td_json_obj_end(jp);
}

void td_render_probe_json(struct td_buf *b, const struct td_probe_result *r)
{
    struct td_json j;
    td_json_init(&j, b);
    td_json_obj_begin(&j, NULL);
    td_json_str(&j, "target", r->target);
    td_json_str(&j, "address", r->address);
    td_json_str(&j, "addresses", r->addresses);
    td_json_bool(&j, "reachable", r->reachable);
    td_json_str(&j, "error", r->error[0] ? r->error : NULL);
    offer_json(&j, r);
    td_json_obj_begin(&j, "sni");
    td_json_bool(&j, "sent", r->sni_sent);
    td_json_str(&j, "name", r->sni);
    td_json_bool(&j, "required", r->sni_required);
    td_json_bool(&j, "selects_certificate", r->sni_selects_cert);
    td_json_obj_end(&j);
    td_json_name(&j, "client_auth", r->client_auth);
    td_json_u64(&j, "client_ca_names", r->num_ca_names);
    access_json(&j, r);
    td_json_arr_begin(&j, "ok");
    for (size_t i = 0; i < r->num_good; i++) {
        td_json_str(&j, NULL, r->good[i]);
    }
    td_json_arr_end(&j);
    td_json_arr_begin(&j, "chain");
    for (size_t i = 0; r->have_chain && i < r->chain.num_nodes; i++) {
        const struct td_cert_node *n = &r->chain.nodes[i];
        td_json_obj_begin(&j, NULL);
        td_json_name(&j, "role", n->role);
        td_json_str(&j, "subject", n->info.subject);
        td_json_str(&j, "issuer", n->info.issuer);
        td_json_str(&j, "validFrom", n->info.not_before);
        td_json_str(&j, "expiryDate", n->info.not_after);
        td_json_str(&j, "sha256", n->info.sha256);
        td_json_obj_end(&j);
    }
    td_json_arr_end(&j);
    td_render_findings_json(&j, r->findings, r->num_findings, false, true);
    td_json_u64(&j, "connections", r->connections);
    char secs[32];
    snprintf(secs, sizeof secs, "%.3f", r->seconds);
    td_json_raw(&j, "seconds", secs);
    td_json_obj_end(&j);
    td_buf_putc(b, '\n');
}
