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
    snprintf(f->resolution, sizeof f->resolution, "%s", fix);
}

void td_probe_verdict(struct td_probe_result *r)
{
    int best = td_probe_best_version(r);
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
    if (r->client_cert_tried && !r->client_cert_accepted) {
        td_probe_add_finding(
            r, TD_CAUSE_CLIENT_CERT_UNTRUSTED, TD_SEV_ERROR,
            "Use a client certificate from a CA the server lists, or add its CA to the server's client-CA "
            "truststore.",
            "the server refused the client certificate given with --cert");
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
