/* tlsdiag cert output: each certificate as the seed's certInfo shows it, the
 * chains drawn leaf to root with each link marked, then the findings. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/escape.h"
#include "base/json.h"
#include "base/mem.h"
#include "report/internal.h"

#include "base/banned.h"

/* "07BCA7" -> "07:bc:a7", as certInfo writes serial numbers. */
static void serial_colons(const char *hex, char *out, size_t cap)
{
    size_t n = 0, len = strlen(hex);
    if (strchr(hex, ':') || len == 0) {
        td_strcopy(out, cap, hex);
        return;
    }
    size_t i = 0;
    if (len % 2) {
        out[n++] = '0';
        out[n++] = (char)tolower((unsigned char)hex[i++]);
        if (i < len) {
            out[n++] = ':';
        }
    }
    for (; i < len && n + 4 < cap; i += 2) {
        out[n++] = (char)tolower((unsigned char)hex[i]);
        out[n++] = (char)tolower((unsigned char)hex[i + 1]);
        if (i + 2 < len) {
            out[n++] = ':';
        }
    }
    out[n] = '\0';
}

static void fp_colons(const char *hex, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; hex[i] && hex[i + 1] && n + 4 < cap; i += 2) {
        if (n) {
            out[n++] = ':';
        }
        out[n++] = hex[i];
        out[n++] = hex[i + 1];
    }
    out[n] = '\0';
}

static void iso_time(int64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm)) {
        strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
    } else {
        snprintf(out, cap, "%lld", (long long)t);
    }
}

static const char *sev_color(enum td_sev s)
{
    return s == TD_SEV_ERROR ? TD_COL_RED : s == TD_SEV_WARNING ? TD_COL_YELLOW : "";
}

/* Every value shown comes from a certificate or a file: escaped. */
static void field(struct td_buf *b, const char *k, const char *v)
{
    if (v && v[0]) {
        td_buf_printf(b, "    %-18s ", k);
        td_text_escape(b, v, strlen(v));
        td_buf_putc(b, '\n');
    }
}

static void cert_text(struct td_buf *b, const struct td_cert_report *r, size_t i, const struct td_render_opts *o)
{
    const struct td_cert_node *n = &r->nodes[i];
    char tmp[400];
    td_buf_printf(b, "%s[%zu] %s%s  ", td_col(o, TD_COL_BOLD), i, n->role, n->degraded ? " (certInfo)" : "");
    td_text_escape(b, n->origin, strlen(n->origin));
    td_buf_printf(b, "%s\n", td_col(o, TD_COL_RESET));
    field(b, "subject", n->info.subject);
    field(b, "issuer", n->info.issuer);
    serial_colons(n->info.serial, tmp, sizeof tmp);
    field(b, "serialNumber", tmp);
    field(b, "validFrom", n->info.not_before);
    field(b, "expiryDate", n->info.not_after);
    if (n->info.not_after[0]) {
        snprintf(tmp, sizeof tmp, "%s%s%s", td_col(o, n->valid_at ? TD_COL_GREEN : TD_COL_RED),
                 n->valid_at ? "Yes" : "No", td_col(o, TD_COL_RESET));
        td_buf_printf(b, "    %-18s %s\n", "isValid", tmp); /* colours of our own */
    }
    field(b, "sigAlgName", n->info.sig_alg);
    field(b, "publicKey", n->info.key);
    field(b, "basicConstraints", n->basic_constraints);
    field(b, "keyUsage", n->key_usage);
    field(b, "extendedKeyUsage", n->ext_key_usage);
    if (n->info.num_sans) {
        td_buf_printf(b, "    %-18s ", "subjectAltNames");
        for (size_t k = 0; k < n->info.num_sans; k++) {
            td_buf_puts(b, k ? ", " : "");
            td_text_escape(b, n->info.sans[k], strlen(n->info.sans[k]));
        }
        if (n->info.num_sans_total > n->info.num_sans) {
            td_buf_printf(b, " (+%zu more)", n->info.num_sans_total - n->info.num_sans);
        }
        td_buf_putc(b, '\n');
    }
    field(b, "caIssuers", n->aia);
    char fp[200];
    fp_colons(n->info.sha256, fp, sizeof fp);
    field(b, "sha256", fp);
    if (n->key_given) {
        field(b, "privateKey", "given, matches");
    }
    td_buf_putc(b, '\n');
}

static void chain_text(struct td_buf *b, const struct td_cert_report *r, size_t k, const struct td_render_opts *o)
{
    struct td_esc e = {0};
    const struct td_cert_chain *ch = &r->chains[k];
    const char *ok = o->utf8 ? "✓" : "ok";
    const char *bad = o->utf8 ? "✗" : "BROKEN";
    const char *bar = o->utf8 ? "│" : "|";
    td_buf_printf(b, "chain %zu, leaf to root:\n", k + 1);
    for (size_t i = 0; i < ch->len; i++) {
        const struct td_cert_node *n = &r->nodes[ch->nodes[i]];
        td_buf_printf(b, "  [%zu] %s  (%s)\n", ch->nodes[i], td_esc(&e, n->info.subject), n->role);
        const char *l = n->link;
        if (strcmp(l, "good") == 0) {
            td_buf_printf(b, "   %s  %s%s%s signed by [%d]\n", bar, td_col(o, TD_COL_GREEN), ok,
                          td_col(o, TD_COL_RESET), n->issuer);
        } else if (strcmp(l, "bad-signature") == 0) {
            td_buf_printf(b, "   %s  %s%s%s names %s as issuer, but its signature does not verify\n", bar,
                          td_col(o, TD_COL_RED), bad, td_col(o, TD_COL_RESET), td_esc(&e, n->info.issuer));
        } else if (strcmp(l, "self-signed") == 0) {
            td_buf_printf(b, "       %s%s%s self-signed (root)\n", td_col(o, TD_COL_GREEN), ok,
                          td_col(o, TD_COL_RESET));
        } else if (strcmp(l, "anchor") == 0) {
            td_buf_printf(b, "   %s  %s%s%s issued by %s, in the truststore\n", bar, td_col(o, TD_COL_GREEN), ok,
                          td_col(o, TD_COL_RESET), td_esc(&e, r->anchor));
        } else if (strcmp(l, "missing") == 0) {
            td_buf_printf(b, "   %s  %s%s%s issuer not given: %s%s%s%s\n", bar, td_col(o, TD_COL_YELLOW), bad,
                          td_col(o, TD_COL_RESET), td_esc(&e, n->info.issuer), n->aia[0] ? " (caIssuers " : "",
                          td_esc(&e, n->aia), n->aia[0] ? ")" : "");
        }
    }
    td_esc_free(&e);
    td_buf_putc(b, '\n');
}

void td_render_cert_text(struct td_buf *b, const struct td_cert_report *r, const struct td_render_opts *o)
{
    char at[40];
    iso_time(r->at, at, sizeof at);
    td_buf_printf(b, "%zu certificate(s), checked at %s\n\n", r->num_nodes, at);
    for (size_t i = 0; i < r->num_nodes; i++) {
        cert_text(b, r, i, o);
    }
    for (size_t k = 0; k < r->num_chains; k++) {
        chain_text(b, r, k, o);
    }
    if (r->compare) {
        td_buf_printf(b, "%sverdict: a peer holding this truststore would %s this chain%s\n\n",
                      td_col(o, r->accepted ? TD_COL_GREEN : TD_COL_RED), r->accepted ? "ACCEPT" : "REJECT",
                      td_col(o, TD_COL_RESET));
    }
    if (r->num_findings) {
        td_buf_puts(b, "findings:\n");
    }
    struct td_esc esc = {0};
    for (size_t i = 0; i < r->num_findings; i++) {
        const struct td_cert_finding *f = &r->findings[i];
        td_buf_printf(b, "  %s%-7s%s %-22s %s\n", td_col(o, sev_color(f->sev)), td_sev_name(f->sev),
                      f->sev != TD_SEV_INFO ? td_col(o, TD_COL_RESET) : "", td_cause_info(f->cause)->slug,
                      td_esc(&esc, f->message));
        if (f->resolution[0] && f->sev != TD_SEV_INFO) {
            td_buf_printf(b, "  %-7s %-22s fix: %s\n", "", "", td_esc(&esc, f->resolution));
        }
    }
    td_esc_free(&esc);
    size_t e = td_cert_report_count(r, TD_SEV_ERROR), w = td_cert_report_count(r, TD_SEV_WARNING);
    td_buf_printf(b, "%s%zu error(s), %zu warning(s)\n", r->num_findings ? "\n" : "", e, w);
}

/* Every key always there, null when missing (man/tlsdiag.1, JSON OUTPUT). */
static void opt_index(struct td_json *j, const char *key, long long v)
{
    if (v >= 0) {
        td_json_i64(j, key, v);
    } else {
        td_json_null(j, key);
    }
}

void td_render_cert_json(struct td_buf *b, const struct td_cert_report *r)
{
    struct td_json j;
    char tmp[400];
    td_json_init(&j, b);
    td_json_obj_begin(&j, NULL);
    iso_time(r->at, tmp, sizeof tmp);
    td_json_str(&j, "time", tmp);
    td_json_arr_begin(&j, "chain");
    for (size_t i = 0; i < r->num_nodes; i++) {
        const struct td_cert_node *n = &r->nodes[i];
        td_json_obj_begin(&j, NULL);
        td_json_u64(&j, "index", i);
        td_json_name(&j, "role", n->role);
        td_json_str(&j, "origin", n->origin);
        td_json_str(&j, "subject", n->info.subject);
        td_json_str(&j, "issuer", n->info.issuer);
        serial_colons(n->info.serial, tmp, sizeof tmp);
        td_json_str(&j, "serialNumber", tmp);
        td_json_str(&j, "validFrom", n->info.not_before);
        td_json_str(&j, "expiryDate", n->info.not_after);
        td_json_bool(&j, "isValid", n->valid_at);
        td_json_str(&j, "sigAlgName", n->info.sig_alg);
        td_json_str(&j, "publicKey", n->info.key);
        td_json_str(&j, "basicConstraints", n->basic_constraints);
        td_json_str(&j, "keyUsage", n->key_usage);
        td_json_str(&j, "extendedKeyUsage", n->ext_key_usage);
        td_json_arr_begin(&j, "subjectAltNames");
        for (size_t k = 0; k < n->info.num_sans; k++) {
            td_json_str(&j, NULL, n->info.sans[k]);
        }
        td_json_arr_end(&j);
        td_json_str(&j, "caIssuers", n->aia);
        td_json_str(&j, "sha256", n->info.sha256);
        opt_index(&j, "chain_number", n->chain);
        opt_index(&j, "issuer_index", n->issuer);
        td_json_str(&j, "link", n->link[0] ? n->link : NULL);
        td_json_bool(&j, "private_key", n->key_given);
        td_json_bool(&j, "degraded", n->degraded);
        td_json_obj_end(&j);
    }
    td_json_arr_end(&j);
    td_json_arr_begin(&j, "chains");
    for (size_t k = 0; k < r->num_chains; k++) {
        td_json_arr_begin(&j, NULL);
        for (size_t i = 0; i < r->chains[k].len; i++) {
            td_json_u64(&j, NULL, r->chains[k].nodes[i]);
        }
        td_json_arr_end(&j);
    }
    td_json_arr_end(&j);
    td_render_findings_json(&j, r->findings, r->num_findings, true, false);
    if (r->compare) {
        td_json_bool(&j, "accepted", r->accepted);
    } else {
        td_json_null(&j, "accepted"); /* only --compare judges */
    }
    td_json_str(&j, "anchor", r->anchor[0] ? r->anchor : NULL);
    td_json_u64(&j, "errors", td_cert_report_count(r, TD_SEV_ERROR));
    td_json_u64(&j, "warnings", td_cert_report_count(r, TD_SEV_WARNING));
    td_json_obj_end(&j);
    td_buf_putc(b, '\n');
}
