/* tlsdiag probe, the verdict: what will make clients fail, as findings with
 * the causes of tlsdiag pcap and tlsdiag cert. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "probe/internal.h"
#include "tls/names.h"

#include "base/banned.h"

/* r->v[] index of TLS 1.2: anything below is a protocol clients refuse. */
enum { V_TLS12 = 3 };

void td_probe_add_finding(struct td_probe_result *r, enum td_cause cause, enum td_sev sev, const char *fix,
                          const char *fmt, ...)
{
    r->findings = td_realloc(r->findings, (r->num_findings + 1) * sizeof *r->findings);
    struct td_cert_finding *f = &r->findings[r->num_findings++];
    td_memzero(f, sizeof *f);
    f->cause = cause;
    f->sev = sev;
    f->cert = -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    td_strcopy(f->resolution, sizeof f->resolution, fix);
}

static void good(struct td_probe_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void good(struct td_probe_result *r, const char *fmt, ...)
{
    if (r->num_good >= sizeof r->good / sizeof r->good[0]) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->good[r->num_good++], sizeof r->good[0], fmt, ap);
    va_end(ap);
}

/* What is right, as tlsdiag cert prints it: the chain's trust and name, and
 * the probe's own (versions, client certificate taken, the checks). */
static void positives(struct td_probe_result *r)
{
    for (size_t i = 0; r->have_chain && i < r->chain.num_findings; i++) {
        const struct td_cert_finding *f = &r->chain.findings[i];
        if (f->cause == TD_CAUSE_TRUSTED) {
            good(r, "chain trusted: %s", f->message);
        } else if (f->cause == TD_CAUSE_HOSTNAME_OK) {
            good(r, "name covered: %s", f->message);
        }
    }
    if (r->v[V_TLS12].accepted || r->v[V_TLS12 + 1].accepted) {
        good(r, "speaks %s%s%s", r->v[V_TLS12].accepted ? "TLS 1.2" : "",
             r->v[V_TLS12].accepted && r->v[V_TLS12 + 1].accepted ? " and " : "",
             r->v[V_TLS12 + 1].accepted ? "TLS 1.3" : "");
    }
    if (r->client_cert_tried && r->client_cert_accepted) {
        good(r, "the client certificate given with --cert was accepted");
    }
    if (r->chk.secure_reneg == TD_TRI_YES) {
        good(r, "secure renegotiation (RFC 5746)");
    }
    if (r->chk.fallback_scsv == TD_TRI_YES) {
        good(r, "downgrade protection: TLS_FALLBACK_SCSV honoured");
    }
}

/* Only SHA-1 signature schemes in TLS 1.2 (RFC 5246 ids 0x0201, 0x0203). */
static bool sha1_only(const struct td_probe_checks *c)
{
    bool only = c->num_sigalgs12 > 0;
    for (size_t i = 0; i < c->num_sigalgs12; i++) {
        only &= c->sigalgs12[i] == 0x0201 || c->sigalgs12[i] == 0x0203;
    }
    return only;
}

/* Findings of the extra checks (checks.c) that make clients fail. */
static void check_findings(struct td_probe_result *r)
{
    if (sha1_only(&r->chk)) {
        bool tls13 = r->v[V_TLS12 + 1].accepted;
        td_probe_add_finding(r, TD_CAUSE_WEAK_SIGALGS, tls13 ? TD_SEV_WARNING : TD_SEV_ERROR,
                             td_cause_info(TD_CAUSE_WEAK_SIGALGS)->resolution,
                             "in TLS 1.2 the server signs only with SHA-1: OpenSSL 3 clients at their defaults fail "
                             "(handshake_failure)%s",
                             tls13 ? "; TLS 1.3 clients are not concerned" : "");
    }
    if (r->chk.secure_reneg == TD_TRI_NO) {
        td_probe_add_finding(r, TD_CAUSE_NO_SECURE_RENEGOTIATION, TD_SEV_ERROR,
                             td_cause_info(TD_CAUSE_NO_SECURE_RENEGOTIATION)->resolution,
                             "the server's ServerHello has no renegotiation_info: OpenSSL 3 clients fail with "
                             "\"unsafe legacy renegotiation disabled\"");
    }
    if (r->chk.ems_required == TD_TRI_YES) {
        char a[48];
        td_probe_add_finding(r, TD_CAUSE_EMS_REQUIRED, TD_SEV_WARNING, td_cause_info(TD_CAUSE_EMS_REQUIRED)->resolution,
                             "the server accepted the TLS 1.2 ClientHello with extended_master_secret and refused "
                             "the same without it (%s): clients that do not send it (GnuTLS %%NO_SESSION_HASH, "
                             "embedded stacks) fail, as with FIPS-mode servers",
                             r->chk.ems_alert ? td_alert_str(r->chk.ems_alert, a, sizeof a) : "the server closed");
    }
    if (r->chk.fallback_scsv == TD_TRI_NO) {
        td_probe_add_finding(r, TD_CAUSE_NO_FALLBACK_SCSV, TD_SEV_WARNING,
                             td_cause_info(TD_CAUSE_NO_FALLBACK_SCSV)->resolution,
                             "a lower version offered with TLS_FALLBACK_SCSV was accepted");
    }
    for (size_t i = 0; i < r->chk.num_alpn_refused; i++) {
        td_probe_add_finding(r, TD_CAUSE_ALPN_REFUSED, TD_SEV_WARNING, td_cause_info(TD_CAUSE_ALPN_REFUSED)->resolution,
                             "offered ALPN %s alone, the server refused the handshake (no_application_protocol): "
                             "clients that offer only %s%s fail",
                             r->chk.alpn_refused[i], r->chk.alpn_refused[i],
                             strcmp(r->chk.alpn_refused[i], "h2") == 0 ? " (gRPC)" : "");
    }
}

void td_probe_verdict(struct td_probe_result *r)
{
    positives(r);
    check_findings(r);
    int best = td_probe_best_version(r);
    if (best < 0 && r->sni_unrecognized) {
        td_probe_add_finding(r, TD_CAUSE_UNRECOGNIZED_NAME, TD_SEV_ERROR,
                             td_cause_info(TD_CAUSE_UNRECOGNIZED_NAME)->resolution,
                             "the server refused every ClientHello with SNI %s with unrecognized_name (112)%s", r->sni,
                             r->sni_none_answered ? "; without SNI it answers: it does not serve this name"
                                                  : "; without SNI it does not answer either");
        return;
    }
    if (best < 0) {
        td_probe_add_finding(
            r, TD_CAUSE_PROTOCOL_MISMATCH, TD_SEV_ERROR,
            "Check that this port speaks TLS, and the server's protocol and cipher configuration.",
            "the server accepted none of SSLv3, TLS 1.0, 1.1, 1.2, 1.3 with any registered cipher suite");
        return;
    }
    if (best < V_TLS12) {
        td_probe_add_finding(
            r, TD_CAUSE_PROTOCOL_MISMATCH, TD_SEV_ERROR,
            "Enable TLS 1.2 (and 1.3) on the server; current clients refuse anything older.",
            "the server speaks at most %s: clients that require TLS 1.2 (browsers, Java 17, OpenSSL 3 at its "
            "defaults) fail",
            td_version_name(td_probe_versions[best]) ? td_version_name(td_probe_versions[best]) : "an old version");
    }
    for (int i = 0; i < V_TLS12; i++) {
        if (r->v[i].accepted) {
            td_probe_add_finding(r, TD_CAUSE_WEAK_PROTOCOL, TD_SEV_WARNING,
                                 "Disable SSLv3, TLS 1.0 and TLS 1.1 on the server.", "the server still accepts %s",
                                 td_version_name(td_probe_versions[i]));
        }
    }
    if (r->sni_required) {
        td_probe_add_finding(
            r, TD_CAUSE_SNI_REQUIRED, TD_SEV_WARNING,
            "Clients must send SNI (use the host name, not an IP address, in URLs; Java: do not set "
            "jsse.enableSNIExtension=false); or give the server a default certificate.",
            "the server refuses handshakes without SNI and accepts them with %s: clients that send no SNI "
            "fail",
            r->sni);
    }
    if (strcmp(r->client_auth, "required") == 0) {
        td_probe_add_finding(
            r, TD_CAUSE_CLIENT_CERT_MISSING, TD_SEV_WARNING,
            "Clients need a certificate from one of the CAs the server lists (a keystore for Java/Apigee).",
            "the server requires a client certificate (%zu acceptable CA name(s)): clients without one fail",
            r->num_ca_names);
    }
    for (size_t i = 0; r->have_chain && i < r->chain.num_findings; i++) {
        const struct td_cert_finding *f = &r->chain.findings[i];
        if (f->sev == TD_SEV_INFO) {
            continue;
        }
        r->findings = td_realloc(r->findings, (r->num_findings + 1) * sizeof *r->findings);
        r->findings[r->num_findings++] = *f;
    }
}

size_t td_probe_errors(const struct td_probe_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->num_findings; i++) {
        n += r->findings[i].sev == TD_SEV_ERROR;
    }
    return n;
}
