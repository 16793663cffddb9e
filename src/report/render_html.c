/* tlsdiag pcap --html: collects what the page needs from the analysis, with
 * bounded memory, and writes one self-contained page: the captures and
 * their quality, failures over time by cause and by server, each failed
 * connection in full (up to a cap), gateway answers above the handshakes
 * they came from, then the rest summarised by server, version and suite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cert/cert.h"
#include "report/html_internal.h"
#include "report/internal.h"

#include "base/banned.h"

#define DEF_MAX_FAILED 2000
#define DEF_SMALL 500
#define MAX_POINTS 1000000
#define MAX_OK_ROWS 512
#define MAX_SERVERS_SHOWN 200
#define MAX_HTTP 4096
#define MAX_OK_ALL 5000 /* --html-all: ok ladders kept (about 13 KB each) */

struct td_html *td_html_new(const struct td_html_opts *o, struct td_cert_cache *cache)
{
    struct td_html *h = td_calloc(1, sizeof *h);
    h->o = *o;
    h->o.max_failed = o->max_failed ? o->max_failed : DEF_MAX_FAILED;
    h->o.small = o->small ? o->small : DEF_SMALL;
    h->cache = cache;
    return h;
}

static void conn_free(struct td_html_conn *c)
{
    td_html_ladder_free(&c->ladder);
    free(c);
}

void td_html_free(struct td_html *h)
{
    for (size_t i = 0; i < h->num_failed; i++) {
        conn_free(h->failed[i]);
    }
    for (size_t i = 0; i < h->num_ok; i++) {
        conn_free(h->ok[i]);
    }
    for (size_t i = 0; i < h->num_files; i++) {
        free(h->files[i].name);
        free(h->files[i].servers);
    }
    free(h->files);
    free(h->failed);
    free(h->ok);
    free(h->http);
    free(h->pts);
    free(h->rows);
    free(h);
}

void td_html_file(struct td_html *h, const char *file)
{
    h->files = td_realloc(h->files, (h->num_files + 1) * sizeof *h->files);
    struct td_html_file *f = &h->files[h->num_files++];
    td_memzero(f, sizeof *f);
    f->name = td_strndup(file, strlen(file));
}

static struct td_html_file *cur_file(struct td_html *h)
{
    if (h->num_files == 0) {
        td_html_file(h, "-");
    }
    return &h->files[h->num_files - 1];
}

static void ok_count(struct td_html *h, const struct td_facts *f, enum td_outcome oc)
{
    char v[48] = "", s[80] = "";
    if (f->version) {
        td_version_str(f->version, v, sizeof v);
        td_suite_str(f->suite, s, sizeof s);
    }
    size_t file = h->num_files - 1;
    for (size_t i = h->num_rows; i-- > 0;) {
        struct td_html_okrow *r = &h->rows[i];
        if (r->file == file && r->outcome == oc && strcmp(r->server, f->server) == 0 && strcmp(r->version, v) == 0 &&
            strcmp(r->suite, s) == 0) {
            r->n++;
            return;
        }
    }
    if (h->num_rows == MAX_OK_ROWS) {
        h->rows_other++;
        return;
    }
    h->rows = td_realloc(h->rows, (h->num_rows + 1) * sizeof *h->rows);
    struct td_html_okrow *r = &h->rows[h->num_rows++];
    td_memzero(r, sizeof *r);
    r->file = file;
    r->outcome = oc;
    r->n = 1;
    td_strcopy(r->server, sizeof r->server, f->server);
    td_strcopy(r->version, sizeof r->version, v);
    td_strcopy(r->suite, sizeof r->suite, s);
}

/* A side's chain as sent: its first decoded Certificate message. */
static void chain_from_conn(struct td_html *h, struct td_html_chain *o, const struct td_tls_conn *c, enum td_role side,
                            const struct td_chain_check *check)
{
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        if (m->from != side || m->kind != TD_M_HANDSHAKE || m->hs_type != TD_HS_CERTIFICATE || !td_msg_decoded(m)) {
            continue;
        }
        o->total = m->u.cert->num_certs_total;
        for (size_t i = 0; i < m->u.cert->num_certs && o->num < TD_HTML_MAX_CHAIN; i++) {
            struct td_cert_info ci;
            struct td_html_cert *ce = &o->certs[o->num++];
            td_cert_info_from_der_cached(h->cache, m->u.cert->certs[i].p, m->u.cert->certs[i].len, &ci);
            td_html_copy(ce->subject, sizeof ce->subject, ci.ok ? ci.subject : "(not valid DER)");
            td_html_copy(ce->issuer, sizeof ce->issuer, ci.ok ? ci.issuer : "?");
            td_strcopy(ce->not_after, sizeof ce->not_after, ci.ok ? ci.not_after : "?");
            ce->self_signed = ci.self_signed;
            td_cert_info_free(&ci);
        }
        break;
    }
    if (o->num && check->num_certs && !check->ends_self_signed) {
        td_html_copy(o->missing_issuer, sizeof o->missing_issuer, check->missing_issuer);
    }
    o->broken_at = check->link_broken_at;
}

static struct td_html_conn *keep_conn(struct td_html *h, const struct td_conn_result *r, bool failed)
{
    const struct td_tls_conn *c = r->conn;
    struct td_html_conn *hc = td_calloc(1, sizeof *hc);
    struct td_render_opts ro = {.utf8 = h->o.utf8, .cert_cache = h->cache};
    hc->file = h->num_files - 1;
    hc->stream = r->stream;
    hc->failed = failed;
    hc->outcome = td_facts_outcome(r->facts);
    hc->first_ns = r->facts->first_ns;
    td_html_copy(hc->sni, sizeof hc->sni, c->sni);
    if (c->version) {
        char v[48], s[80];
        snprintf(hc->proto, sizeof hc->proto, "%s %s", td_version_str(c->version, v, sizeof v),
                 td_suite_str(c->suite, s, sizeof s));
    }
    if (r->facts->rejected_after_handshake) {
        snprintf(hc->reason, sizeof hc->reason, "rejected after the handshake");
    } else if (hc->outcome != TD_OUTCOME_OK && c->fail_reason) {
        td_html_copy(hc->reason, sizeof hc->reason, c->fail_reason);
    }
    td_coverage_words(&c->cov, hc->coverage, sizeof hc->coverage);
    td_html_copy(hc->note, sizeof hc->note, c->note);
    td_html_copy(hc->keylog, sizeof hc->keylog, c->keylog_status);
    snprintf(hc->ladder.id, sizeof hc->ladder.id, "c%zu-%u", hc->file, r->stream);
    td_html_ladder_from_conn(&hc->ladder, c, &ro);
    chain_from_conn(h, &hc->chain[TD_SERVER], c, TD_SERVER, &r->facts->chain);
    chain_from_conn(h, &hc->chain[TD_CLIENT], c, TD_CLIENT, &r->facts->client_chain);
    struct td_html_conn ***list = failed ? &h->failed : &h->ok;
    size_t *n = failed ? &h->num_failed : &h->num_ok;
    *list = td_realloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = hc;
    return hc;
}

/* The chart's series of a server: one of the first TD_HTML_CHART_SERVERS, or
 * TD_HTML_CHART_SERVERS for the others. */
static uint16_t chart_server(struct td_html *h, const char *name)
{
    for (size_t i = 0; i < h->num_chart_servers; i++) {
        if (strcmp(h->chart_servers[i], name) == 0) {
            return (uint16_t)i;
        }
    }
    if (h->num_chart_servers == TD_HTML_CHART_SERVERS) {
        return TD_HTML_CHART_SERVERS;
    }
    td_strcopy(h->chart_servers[h->num_chart_servers], sizeof h->chart_servers[0], name);
    return (uint16_t)h->num_chart_servers++;
}

static void add_point(struct td_html *h, int64_t ns, enum td_cause cause, const char *server)
{
    if (h->num_pts == MAX_POINTS) {
        h->pts_dropped++;
        return;
    }
    if ((h->num_pts & (h->num_pts - 1)) == 0) {
        h->pts = td_realloc(h->pts, (h->num_pts ? 2 * h->num_pts : 64) * sizeof *h->pts);
    }
    struct td_html_point *p = &h->pts[h->num_pts++];
    p->ns = ns;
    p->cause = cause;
    p->server = chart_server(h, server);
}

static void got_verdict(struct td_html *h, struct td_html_conn *hc, const struct td_conn_result *r)
{
    bool failed = r->outcome_revised || r->rejected_after || (hc && hc->failed) ||
                  (r->facts && td_facts_outcome(r->facts) == TD_OUTCOME_FAILED);
    if (failed && r->verdict) {
        add_point(h, r->facts ? r->facts->first_ns : (hc ? hc->first_ns : 0), r->verdict->cause,
                  r->facts ? r->facts->server : "?");
    }
    if (!hc) {
        return;
    }
    hc->have_verdict = r->verdict != NULL;
    if (r->verdict) {
        hc->v = *r->verdict;
    }
    hc->revised = r->revised;
    hc->outcome_revised = r->outcome_revised;
}

void *td_html_conn(struct td_html *h, const struct td_conn_result *r)
{
    struct td_html_file *f = cur_file(h);
    h->conns++;
    int64_t t = r->facts->first_ns;
    if (t && (!f->tmin || t < f->tmin)) {
        f->tmin = t;
    }
    f->tmax = t > f->tmax ? t : f->tmax;
    bool failed = td_facts_outcome(r->facts) == TD_OUTCOME_FAILED || r->rejected_after ||
                  r->facts->rejected_after_handshake;
    if (!failed) {
        ok_count(h, r->facts, td_facts_outcome(r->facts));
    }
    struct td_html_conn *hc = NULL;
    if (failed ? h->num_failed < h->o.max_failed : h->num_ok < (h->o.all ? MAX_OK_ALL : h->o.small)) {
        hc = keep_conn(h, r, failed);
    } else if (failed) {
        h->failed_more++;
    } else {
        h->ok_more++;
    }
    if (!r->verdict) {
        return hc ? (void *)hc : (void *)h;
    }
    got_verdict(h, hc, r);
    return NULL;
}

void td_html_verdict(struct td_html *h, const struct td_conn_result *r, void *keep)
{
    if (!keep) {
        return;
    }
    struct td_html_conn *hc = keep == h ? NULL : keep;
    if (hc && !hc->failed && r->outcome_revised) {
        hc->failed = true; /* an ok ladder becomes a failed one */
        for (size_t i = 0; i < h->num_ok; i++) {
            if (h->ok[i] == hc) {
                h->ok[i] = h->ok[--h->num_ok];
                break;
            }
        }
        h->failed = td_realloc(h->failed, (h->num_failed + 1) * sizeof *h->failed);
        h->failed[h->num_failed++] = hc;
    }
    got_verdict(h, hc, r);
}

static bool list_remove(struct td_html_conn **list, size_t *n, const struct td_html_conn *hc)
{
    for (size_t i = 0; i < *n; i++) {
        if (list[i] == hc) {
            td_memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof *list);
            (*n)--;
            return true;
        }
    }
    return false;
}

void td_html_drop(struct td_html *h, void *keep)
{
    if (!keep || keep == h) {
        return;
    }
    struct td_html_conn *hc = keep;
    if (list_remove(h->failed, &h->num_failed, hc) || list_remove(h->ok, &h->num_ok, hc)) {
        conn_free(hc);
    }
}

void td_html_http(struct td_html *h, const struct td_http_result *r)
{
    if (h->num_http == MAX_HTTP) {
        return;
    }
    h->http = td_realloc(h->http, (h->num_http + 1) * sizeof *h->http);
    struct td_html_http *o = &h->http[h->num_http++];
    td_memzero(o, sizeof *o);
    o->file = cur_file(h) - h->files;
    o->h = *r->http;
    o->up = r->up != NULL;
    if (r->up) {
        o->up_stream = r->up_stream;
        o->cause = r->up->cause;
        o->conf = r->link_confidence > r->up->confidence ? r->link_confidence : r->up->confidence;
        td_strcopy(o->explanation, sizeof o->explanation, r->up->explanation);
        td_strcopy(o->fix, sizeof o->fix, r->up->fix);
    }
}

void td_html_summary(struct td_html *h, const struct td_analysis_summary *s)
{
    struct td_html_file *f = cur_file(h);
    f->have_summary = true;
    f->stats = *s->stats;
    td_memcopy(f->causes, s->causes, sizeof f->causes);
    f->num_http = s->num_http;
    f->http_linked = s->http_linked;
    for (size_t k = 0; k < s->num_servers; k++) {
        const struct td_server_stat *sv = s->servers[k];
        uint32_t failed = 0;
        for (int i = 1; i < TD_CAUSE_COUNT; i++) {
            failed += sv->causes[i];
        }
        if (!failed) {
            continue;
        }
        if (f->num_servers == MAX_SERVERS_SHOWN) {
            f->servers_more++;
            continue;
        }
        f->servers = td_realloc(f->servers, (f->num_servers + 1) * sizeof *f->servers);
        struct td_html_server *o = &f->servers[f->num_servers++];
        td_strcopy(o->name, sizeof o->name, sv->name);
        o->ok = sv->view.ok - sv->view.rejected_after;
        o->failed = failed;
        td_memcopy(o->causes, sv->causes, sizeof o->causes);
    }
}

void td_html_page(struct td_html *h, struct td_buf *out) { td_html_write_pcap(out, h); }
