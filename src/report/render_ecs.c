/* --ecs: the JSON Lines records under Elastic Common Schema field names
 * (ECS 8.11: source.*, destination.*, network.*, tls.*, event.*, error.*),
 * so that Filebeat, Elasticsearch and OpenSearch dashboards take them as
 * they are; what ECS has no field for goes under "tlsdiag". Like the plain
 * records, a connection is opened while it is alive (addresses, TLS,
 * certificate) and closed with its verdict (event.outcome, error.type). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cert/cert.h"
#include "crypto/crypto.h"
#include "report/internal.h"
#include "tls/names.h"

#include "base/banned.h"

#define ECS_VERSION "8.11.0"

static void timestamp(struct td_json *j, const struct td_time *t)
{
    struct tm tm;
    time_t s = (time_t)t->sec;
    char day[32], out[48];
    if (!gmtime_r(&s, &tm) || strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        td_json_null(j, "@timestamp");
        return;
    }
    snprintf(out, sizeof out, "%s.%09uZ", day, t->nsec);
    td_json_str(j, "@timestamp", out);
}

static void observer(struct td_json *j, const struct td_render_opts *o)
{
    if (o->observer) {
        td_json_obj_begin(j, "observer");
        td_json_str(j, "hostname", o->observer);
        td_json_obj_end(j);
    }
}

static void endpoint(struct td_json *j, const char *key, const struct td_addr *a, uint16_t port)
{
    char ip[64];
    td_addr_str(a, ip, sizeof ip);
    td_json_obj_begin(j, key);
    td_json_str(j, "ip", ip);
    td_json_u64(j, "port", port);
    td_json_obj_end(j);
}

/* "TLSv1.3" -> protocol "tls", version "1.3"; "SSLv3" -> "ssl", "3.0". */
static void version(struct td_json *j, uint16_t v)
{
    char buf[48];
    const char *s = td_version_str(v, buf, sizeof buf);
    if (strncmp(s, "TLSv", 4) == 0) {
        td_json_str(j, "version", s + 4);
        td_json_str(j, "version_protocol", "tls");
    } else if (strncmp(s, "SSLv", 4) == 0) {
        char ver[16];
        snprintf(ver, sizeof ver, "%s.0", s + 4);
        td_json_str(j, "version", ver);
        td_json_str(j, "version_protocol", "ssl");
    }
}

/* The CN= value of an RFC 2253 name, or NULL. */
static const char *common_name(const char *dn, char *out, size_t out_len)
{
    const char *p = strstr(dn, "CN=");
    while (p && p != dn && p[-1] != ',') {
        p = strstr(p + 1, "CN=");
    }
    if (!p) {
        return NULL;
    }
    p += 3;
    size_t n = 0;
    while (p[n] && !(p[n] == ',' && (n == 0 || p[n - 1] != '\\'))) {
        n++;
    }
    snprintf(out, out_len, "%.*s", (int)n, p);
    return out;
}

static void x509_name(struct td_json *j, const char *key, const char *dn)
{
    char cn[256];
    td_json_obj_begin(j, key);
    td_json_str(j, "distinguished_name", dn);
    if (common_name(dn, cn, sizeof cn)) {
        td_json_arr_begin(j, "common_name");
        td_json_str(j, NULL, cn);
        td_json_arr_end(j);
    }
    td_json_obj_end(j);
}

/* tls.server.x509 and tls.server.hash of the server's leaf, when its Certificate was seen in clear. */
static void server_cert(struct td_json *j, const struct td_tls_conn *c, struct td_cert_cache *cache)
{
    const struct td_certificate *cert = NULL;
    for (const struct td_msg *m = c->msgs; m && !cert; m = m->next) {
        if (m->kind == TD_M_HANDSHAKE && m->hs_type == TD_HS_CERTIFICATE && m->from == TD_SERVER && m->u.cert &&
            m->u.cert->num_certs) {
            cert = m->u.cert;
        }
    }
    if (!cert) {
        return;
    }
    struct td_cert_info ci;
    td_cert_info_from_der_cached(cache, cert->certs[0].p, cert->certs[0].len, &ci);
    td_json_obj_begin(j, "server");
    td_json_obj_begin(j, "hash");
    td_json_str(j, "sha256", ci.sha256);
    td_json_obj_end(j);
    if (ci.ok) {
        td_json_obj_begin(j, "x509");
        x509_name(j, "subject", ci.subject);
        x509_name(j, "issuer", ci.issuer);
        td_json_str(j, "serial_number", ci.serial);
        td_json_str(j, "not_before", ci.not_before);
        td_json_str(j, "not_after", ci.not_after);
        td_json_str(j, "signature_algorithm", ci.sig_alg);
        td_json_arr_begin(j, "alternative_names");
        for (size_t k = 0; k < ci.num_sans; k++) {
            const char *san = ci.sans[k];
            const char *colon = strchr(san, ':');
            td_json_str(j, NULL, colon ? colon + 1 : san);
        }
        td_json_arr_end(j);
        td_json_obj_end(j);
    }
    td_json_obj_end(j);
    td_cert_info_free(&ci);
}

static void tls_fields(struct td_json *j, const struct td_tls_conn *c, const struct td_render_opts *o)
{
    char buf[48];
    td_json_obj_begin(j, "tls");
    if (c->version) {
        version(j, c->version);
        td_json_str(j, "cipher", td_suite_str(c->suite, buf, sizeof buf));
    }
    td_json_bool(j, "established", td_tls_outcome(c) == TD_OUTCOME_OK && !o->rejected_after_handshake);
    if (c->sni) {
        td_json_obj_begin(j, "client");
        td_json_str(j, "server_name", c->sni);
        td_json_obj_end(j);
    }
    server_cert(j, c, o->cert_cache);
    td_json_obj_end(j);
}

void td_render_ecs_open(struct td_buf *out, const struct td_tls_conn *c, const struct td_render_opts *o)
{
    struct td_json j;
    char cid[TD_COMMUNITY_ID_LEN];
    td_json_init(&j, out);
    td_json_obj_begin(&j, NULL);
    timestamp(&j, &c->first_ts);
    td_json_obj_begin(&j, "ecs");
    td_json_str(&j, "version", ECS_VERSION);
    td_json_obj_end(&j);
    observer(&j, o);
    endpoint(&j, "source", &c->addr[TD_CLIENT], c->port[TD_CLIENT]);
    endpoint(&j, "destination", &c->addr[TD_SERVER], c->port[TD_SERVER]);
    td_json_obj_begin(&j, "network");
    td_json_str(&j, "transport", "tcp");
    td_json_str(&j, "protocol", c->tls_seen ? "tls" : NULL);
    bool have = td_community_id(&c->addr[TD_CLIENT], c->port[TD_CLIENT], &c->addr[TD_SERVER], c->port[TD_SERVER],
                                TD_IPPROTO_TCP, 0, cid);
    td_json_str(&j, "community_id", have ? cid : NULL);
    td_json_obj_end(&j);
    tls_fields(&j, c, o);
    /* left open: td_render_ecs_close adds the verdict to it */
    td_json_obj_begin(&j, "tlsdiag");
    if (o->file) {
        td_json_str(&j, "file", o->file);
    }
    td_json_u64(&j, "stream", c->stream);
    td_json_u64(&j, "first_frame", c->first_frame);
}

static const char *ecs_outcome(const struct td_conn_result *r)
{
    if (td_facts_outcome(r->facts) == TD_OUTCOME_FAILED || r->rejected_after) {
        return "failure";
    }
    return td_facts_outcome(r->facts) == TD_OUTCOME_OK ? "success" : "unknown";
}

void td_render_ecs_close(struct td_buf *out, const struct td_conn_result *r, const struct td_render_opts *o)
{
    (void)o;
    struct td_json j;
    td_json_init(&j, out);
    j.depth = 2; /* the record and its "tlsdiag" object, left open by td_render_ecs_open */
    j.need_comma[1] = j.need_comma[2] = true;
    const struct td_verdict *v = r->verdict;
    const char *outcome = ecs_outcome(r);
    td_json_str(&j, "cause", td_cause_info(v->cause)->slug);
    td_json_str(&j, "confidence", td_confidence_name(v->confidence));
    td_json_str(&j, "fix_side", v->fix_side == TD_SIDE_NONE ? NULL : td_side_name(v->fix_side));
    td_json_str(&j, "aborted_by", v->aborted_by == TD_SIDE_NONE ? NULL : td_side_name(v->aborted_by));
    if (r->revised) {
        td_json_bool(&j, "revised", true);
    }
    td_json_obj_end(&j);
    td_json_obj_begin(&j, "event");
    td_json_str(&j, "kind", "event");
    td_json_arr_begin(&j, "category");
    td_json_str(&j, NULL, "network");
    td_json_arr_end(&j);
    td_json_arr_begin(&j, "type");
    td_json_str(&j, NULL, "connection");
    td_json_arr_end(&j);
    td_json_str(&j, "module", "tlsdiag");
    td_json_str(&j, "dataset", "tlsdiag.connection");
    td_json_str(&j, "outcome", outcome);
    td_json_obj_end(&j);
    if (strcmp(outcome, "failure") == 0 || v->cause != TD_CAUSE_NONE) {
        td_json_obj_begin(&j, "error");
        td_json_str(&j, "type", td_cause_info(v->cause)->slug);
        td_json_str(&j, "message", v->explanation[0] ? v->explanation : td_cause_info(v->cause)->title);
        td_json_obj_end(&j);
    }
    td_json_obj_end(&j);
    td_buf_putc(out, '\n');
}

/* A gateway's HTTP error: http.*, url.original, error.type the cause of the
 * failed TLS connection it is tied to. */
void td_render_http_ecs(struct td_buf *out, const struct td_http_result *r, const struct td_render_opts *o)
{
    const struct td_http_error *h = r->http;
    struct td_json j;
    td_json_init(&j, out);
    td_json_obj_begin(&j, NULL);
    struct td_time t = {h->request_ns / 1000000000, (uint32_t)(h->request_ns % 1000000000)};
    timestamp(&j, &t);
    td_json_obj_begin(&j, "ecs");
    td_json_str(&j, "version", ECS_VERSION);
    td_json_obj_end(&j);
    observer(&j, o);
    struct td_addr ca, sa;
    uint16_t cp, server_port;
    bool addrs = td_addr_port_parse(h->client, &ca, &cp) && td_addr_port_parse(h->server, &sa, &server_port);
    if (addrs) {
        endpoint(&j, "source", &ca, cp);
        endpoint(&j, "destination", &sa, server_port);
    }
    td_json_obj_begin(&j, "network");
    td_json_str(&j, "transport", "tcp");
    td_json_str(&j, "protocol", "http");
    char cid[TD_COMMUNITY_ID_LEN];
    bool have = addrs && td_community_id(&ca, cp, &sa, server_port, TD_IPPROTO_TCP, 0, cid);
    td_json_str(&j, "community_id", have ? cid : NULL);
    td_json_obj_end(&j);
    char method[16] = "";
    const char *sp = strchr(h->request, ' ');
    if (sp && (size_t)(sp - h->request) < sizeof method) {
        snprintf(method, sizeof method, "%.*s", (int)(sp - h->request), h->request);
    }
    td_json_obj_begin(&j, "http");
    if (method[0]) {
        td_json_obj_begin(&j, "request");
        td_json_str(&j, "method", method);
        td_json_obj_end(&j);
    }
    td_json_obj_begin(&j, "response");
    td_json_u64(&j, "status_code", h->status);
    td_json_obj_end(&j);
    td_json_obj_end(&j);
    td_json_obj_begin(&j, "event");
    td_json_str(&j, "kind", "event");
    td_json_str(&j, "module", "tlsdiag");
    td_json_str(&j, "dataset", "tlsdiag.http");
    td_json_str(&j, "outcome", "failure");
    td_json_obj_end(&j);
    if (r->up) {
        td_json_obj_begin(&j, "error");
        td_json_str(&j, "type", td_cause_info(r->up->cause)->slug);
        td_json_str(&j, "message", r->up->explanation[0] ? r->up->explanation : td_cause_info(r->up->cause)->title);
        td_json_obj_end(&j);
    }
    td_json_obj_begin(&j, "tlsdiag");
    if (o->file) {
        td_json_str(&j, "file", o->file);
    }
    td_json_u64(&j, "stream", h->stream);
    if (r->up) {
        td_json_u64(&j, "upstream_stream", r->up_stream);
        td_json_str(&j, "link_confidence", td_confidence_name(r->link_confidence));
    }
    td_json_obj_end(&j);
    td_json_obj_end(&j);
    td_buf_putc(out, '\n');
}
