/* The rules for a default one side changed in an upgrade against a peer that
 * still lives by the old one (issue 18): RSA key exchange dropped by the
 * client (Go 1.22, JDK 24, hardened OpenSSL) against a server that takes
 * nothing else; a client certificate without clientAuth, as public CAs issue
 * them since 2026, refused by a server that checks the purpose; a server
 * without RFC 5746 secure renegotiation, refused by OpenSSL 3.0 clients. */
#include <string.h>

#include "diag/rules_internal.h"

#include "base/banned.h"

bool td_suite_is_rsa_kex(uint16_t s)
{
    /* RFC 5246 A.5: TLS_RSA_WITH_*, the premaster secret encrypted to the
     * certificate's key; TLS_RSA_PSK_* (RFC 4279) is another family. */
    const char *n = td_suite_name(s);
    return n && strncmp(n, "TLS_RSA_", 8) == 0 && strncmp(n, "TLS_RSA_PSK_", 12) != 0;
}

bool td_offer_lacks_rsa_kex(const struct td_facts *f)
{
    if (!f->have_ch || f->ch_min > TD_VERSION_TLS1_2 || f->ch_suites.n == 0) {
        return false; /* TLS 1.3 only: no key exchange in the suite at all */
    }
    for (size_t i = 0; i < f->ch_suites.n; i++) {
        if (td_suite_is_rsa_kex(f->ch_suites.v[i])) {
            return false;
        }
    }
    return true;
}

/* What the server negotiated with other clients below TLS 1.3 was RSA key
 * exchange only (at least one), and none of its TLS 1.3 suites fits this
 * offer. *example: one of them. */
static bool server_took_only_rsa_kex(const struct td_facts *f, const struct td_server_view *sv, size_t *example)
{
    size_t rsa = 0;
    for (size_t i = 0; sv && i < sv->num_suites; i++) {
        if (sv->suite_is13[i]) {
            if (f->ch_max >= TD_VERSION_TLS1_3 && has_u16(&f->ch_suites, sv->suites[i])) {
                return false;
            }
            continue;
        }
        if (!td_suite_is_rsa_kex(sv->suites[i])) {
            return false;
        }
        if (rsa++ == 0) {
            *example = i;
        }
    }
    return rsa > 0;
}

bool td_rule_rsa_kex(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    size_t ex = 0;
    bool alert_fits = !f->alert[TD_SERVER] || f->alert_desc[TD_SERVER] == TD_ALERT_HANDSHAKE_FAILURE ||
                      f->alert_desc[TD_SERVER] == TD_ALERT_INSUFFICIENT_SECURITY;
    if (!server_refused_hello(f) || !alert_fits || !td_offer_lacks_rsa_kex(f) ||
        !server_took_only_rsa_kex(f, sv, &ex)) {
        return false;
    }
    char s[64];
    verdict(v, TD_CAUSE_RSA_KEX_REMOVED, TD_CONF_HIGH, TD_SIDE_BOTH);
    td_verdict_hello(v, f);
    td_verdict_alert(v, f, TD_SERVER);
    td_verdict_evidence(v, sv->example_frame, "the server accepted %s from another client", sv->example);
    SAY(v,
        "the client offers no RSA key exchange suite (none of its %zu suites is TLS_RSA_*), and "
        "%s negotiated only RSA key exchange with other clients (e.g. %s): clients that dropped it from their "
        "defaults (Go >= 1.22, JDK 24, hardened OpenSSL) cannot connect",
        f->ch_suites.n, f->server, td_suite_str(sv->suites[ex], s, sizeof s));
    FIX(v,
        "server: enable ECDHE (e.g. ECDHE-RSA-AES128-GCM-SHA256, which the same RSA certificate serves) next to %s; "
        "or client, until then: re-enable %s.",
        td_suite_str(sv->suites[ex], s, sizeof s), td_suite_str(sv->suites[ex], s, sizeof s));
    td_verdict_candidate(v, TD_CAUSE_CIPHER_MISMATCH);
    return true;
}

bool td_client_cert_no_client_auth(const struct td_facts *f, struct td_verdict *v)
{
    /* OpenSSL maps X509_V_ERR_INVALID_PURPOSE to unsupported_certificate;
     * Java and GnuTLS say certificate_unknown or bad_certificate. */
    bool says = f->alert[TD_SERVER] && (f->alert_desc[TD_SERVER] == TD_ALERT_UNSUPPORTED_CERTIFICATE ||
                                        f->alert_desc[TD_SERVER] == TD_ALERT_BAD_CERTIFICATE ||
                                        f->alert_desc[TD_SERVER] == TD_ALERT_CERTIFICATE_UNKNOWN);
    verdict(v, TD_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH, says ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_CLIENT);
    SAY(v, "the client's certificate %s cannot authenticate a client: %s; %s refused it", f->client_chain.leaf.subject,
        f->client_chain.unusable_msg, f->server);
    FIX(v, "client: %s", f->client_chain.unusable_fix);
    td_verdict_candidate(v, TD_CAUSE_CLIENT_CERT_UNTRUSTED);
    return true;
}

/* RFC 5746 3.4: a client that offered secure renegotiation (the extension or
 * TLS_EMPTY_RENEGOTIATION_INFO_SCSV) and gets a ServerHello without
 * renegotiation_info talks to a server that predates 2010; OpenSSL >= 3.0
 * aborts then (handshake_failure: "unsafe legacy renegotiation disabled").
 * Other alerts are left to the certificate rules: Go and Java connect to such
 * servers and refuse for other reasons. */
bool td_rule_no_secure_reneg(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (!f->have_sh || f->hrr || f->version >= TD_VERSION_TLS1_3 || !f->ch_reneg || f->sh_reneg ||
        !f->alert[TD_CLIENT] || f->alert_level[TD_CLIENT] != TD_ALERT_LEVEL_FATAL ||
        f->alert_desc[TD_CLIENT] != TD_ALERT_HANDSHAKE_FAILURE) {
        return false;
    }
    verdict(v, TD_CAUSE_NO_SECURE_RENEGOTIATION, TD_CONF_HIGH, TD_SIDE_SERVER);
    td_verdict_evidence(v, f->ch_frame, "ClientHello offers secure renegotiation (%s)",
                        has_u16(&f->ch_suites, TD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV)
                            ? "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"
                            : "renegotiation_info");
    td_verdict_evidence(v, f->sh_frame, "ServerHello without renegotiation_info");
    td_verdict_alert(v, f, TD_CLIENT);
    SAY(v,
        "%s answers without renegotiation_info: it predates RFC 5746 secure renegotiation (2010), and the client "
        "(OpenSSL 3.0 or later, which refuses such servers by default) aborted",
        f->server);
    FIX(v, "server: upgrade its TLS stack or enable RFC 5746 (GnuTLS: drop %%DISABLE_SAFE_RENEGOTIATION); client, "
           "until then: openssl.cnf Options = UnsafeLegacyServerConnect (s_client -legacy_server_connect).");
    v->aborted_by = TD_SIDE_CLIENT;
    return true;
}
