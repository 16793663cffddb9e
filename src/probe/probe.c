/* tlsdiag probe: one target, step by step (internal.h says which file does
 * what): its address, a first contact, the scans, the chain, the verdict. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cert/audit.h"
#include "probe/internal.h"
#include "tls/names.h"

#include "base/banned.h"

static void finish(struct td_probe_ctx *p, int64_t t0) { p->r->seconds = (double)(td_probe_now_ms() - t0) / 1000.0; }

/* The TCP connection failed: the finding for the kernel's errno. */
static void connect_failed(struct td_probe_ctx *p)
{
    static const struct {
        int err;
        enum td_cause cause;
        const char *what;
    } by_errno[] = {
        {ECONNREFUSED, TD_CAUSE_CONNECT_REFUSED, "connection refused (ECONNREFUSED): nothing listens on this port"},
        {ENETUNREACH, TD_CAUSE_NET_UNREACHABLE, "network unreachable (ENETUNREACH): no route to this address"},
        {EHOSTUNREACH, TD_CAUSE_HOST_UNREACHABLE, "no route to host (EHOSTUNREACH)"},
        {ETIMEDOUT, TD_CAUSE_CONNECT_TIMEOUT, "TCP connection timed out: no answer to the SYN"},
        {ECONNRESET, TD_CAUSE_TCP_RESET, "connection reset (ECONNRESET)"},
    };
    struct td_probe_result *r = p->r;
    const char *via = p->o->proxy ? " (the proxy " : "", *via_end = p->o->proxy ? ")" : "";
    r->transport_cause = TD_CAUSE_TCP_RESET;
    snprintf(r->error, sizeof r->error, "%s%s%s%s: %s", r->address, via, p->o->proxy ? p->o->proxy : "", via_end,
             strerror(p->dial_errno));
    for (size_t i = 0; i < sizeof by_errno / sizeof by_errno[0]; i++) {
        if (by_errno[i].err == p->dial_errno) {
            r->transport_cause = by_errno[i].cause;
            snprintf(r->error, sizeof r->error, "%s%s%s%s: %s", r->address, via, p->o->proxy ? p->o->proxy : "",
                     via_end, by_errno[i].what);
            if (by_errno[i].err == ETIMEDOUT) {
                snprintf(r->error + strlen(r->error), sizeof r->error - strlen(r->error), " within %d ms",
                         p->o->timeout_ms);
            }
        }
    }
    td_probe_add_finding(r, r->transport_cause, TD_SEV_ERROR, td_cause_info(r->transport_cause)->resolution, "%s",
                         r->error);
}

/* A server that refuses the connection, refuses to start TLS, stays silent
 * or speaks something else: the finding that says so, and true. */
static bool transport_failed(struct td_probe_ctx *p, const struct td_probe_exch *x)
{
    struct td_probe_result *r = p->r;
    if (!x->connected && p->dial_cause != TD_CAUSE_NONE) {
        r->transport_cause = p->dial_cause;
        snprintf(r->error, sizeof r->error, "%s: %s", r->address, p->dial_error);
        td_probe_add_finding(r, p->dial_cause, TD_SEV_ERROR, td_cause_info(p->dial_cause)->resolution, "%s", r->error);
        return true;
    }
    if (!x->connected) {
        connect_failed(p);
        return true;
    }
    /* text where a record was due (an SMTP greeting), not a slow TLS record: its first byte is no content type */
    bool plain = x->timeout && !x->sh && !x->alert && x->first_len > 0 && x->first[0] != '.';
    if (x->not_tls || plain) {
        r->transport_cause = TD_CAUSE_NOT_TLS;
        snprintf(r->error, sizeof r->error, "%s answers, but not in TLS%s: \"%s\"", r->address,
                 p->starttls == TD_STARTTLS_NONE ? "" : " after STARTTLS", x->first);
        td_probe_add_finding(r, TD_CAUSE_NOT_TLS, TD_SEV_ERROR,
                             "Point clients at the TLS port, or enable TLS on this listener (a plain-text "
                             "protocol that upgrades: --starttls PROTO).",
                             "%s", r->error);
        return true;
    }
    if (x->timeout && !x->sh && !x->alert) {
        r->transport_cause = TD_CAUSE_NO_RESPONSE;
        snprintf(r->error, sizeof r->error,
                 "%s accepted the connection but did not answer the ClientHello within %d ms", r->address,
                 p->o->timeout_ms);
        td_probe_add_finding(r, TD_CAUSE_NO_RESPONSE, TD_SEV_ERROR,
                             "Check the server process and what sits in front of it (a load balancer or firewall "
                             "that accepts and holds connections), that this port expects TLS, and whether it "
                             "speaks a plain-text protocol first (--starttls PROTO).",
                             "%s", r->error);
        return true;
    }
    return false;
}

/* The name does not resolve: dns_failure, with what the resolver said. */
static void dns_failed(struct td_probe_result *r)
{
    td_probe_add_finding(r, TD_CAUSE_DNS_FAILURE, TD_SEV_ERROR, td_cause_info(TD_CAUSE_DNS_FAILURE)->resolution, "%s",
                         r->error);
}

bool td_probe(const char *target, const struct td_probe_opts *o, struct td_probe_result *r, char *err, size_t err_len)
{
    td_memzero(r, sizeof *r);
    td_strcopy(r->target, sizeof r->target, target);
    r->client_auth = "none";
    if (!td_probe_parse_target(target, r->host, sizeof r->host, &r->port)) {
        snprintf(err, err_len, "%s: not HOST, HOST:PORT or [IPv6]:PORT", target);
        return false;
    }
    int64_t t0 = td_probe_now_ms();
    struct td_probe_ctx p;
    td_memzero(&p, sizeof p);
    p.o = o;
    p.r = r;
    td_limits_default(&p.lim);
    p.starttls = o->starttls == TD_STARTTLS_AUTO ? td_probe_starttls_for_port(r->port) : o->starttls;
    if (p.starttls != TD_STARTTLS_NONE) {
        r->starttls = td_probe_starttls_name(p.starttls);
    }
    if (!td_probe_resolve(&p)) {
        dns_failed(r);
        finish(&p, t0);
        return true;
    }
    p.sni = o->no_sni ? NULL : o->sni ? o->sni : td_probe_is_ip(r->host) ? NULL : r->host;
    r->sni_sent = p.sni != NULL;
    td_strcopy(r->sni, sizeof r->sni, p.sni ? p.sni : "");
    struct td_probe_exch x;
    td_probe_first_contact(&p, &x);
    if (transport_failed(&p, &x)) {
        finish(&p, t0);
        return true;
    }
    r->reachable = true;
    for (size_t vi = 0; vi < TD_PROBE_VERSIONS; vi++) {
        td_probe_scan_version(&p, vi);
    }
    for (size_t vi = TD_PROBE_VERSIONS; vi-- > 0;) { /* TLS 1.3 first, then 1.2 */
        if (r->v[vi].accepted && td_probe_versions[vi] >= TD_VERSION_TLS1_2) {
            td_probe_scan_groups(&p, vi);
        }
    }
    td_probe_sni_unrecognized(&p, &x);
    int best = td_probe_best_version(r);
    if (best >= 0 && p.sni) {
        r->sni_required = td_probe_sni_refused(&p, (size_t)best);
    }
    td_probe_chain(&p);
    td_probe_checks(&p);
    td_probe_kex(&p);
    if (o->check_middlebox) {
        td_probe_middlebox(&p);
    }
    td_probe_verdict(r);
    td_probe_kex_verdict(r);
    td_probe_middlebox_verdict(r);
    finish(&p, t0);
    return true;
}

void td_probe_result_free(struct td_probe_result *r)
{
    td_cert_report_free(&r->chain);
    free(r->findings);
    r->findings = NULL;
}
