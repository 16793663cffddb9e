/* The refusals a server's alert names precisely, each about one field of the
 * ClientHello: no_application_protocol (ALPN, RFC 7301 3.2), unrecognized_name
 * (the SNI, RFC 6066 3), inappropriate_fallback (TLS_FALLBACK_SCSV, RFC 7507
 * 3). The alert alone proves nothing (rules.c); the alert and the field it
 * names together do. They run before the version and SNI rules, which would
 * read the same refusal as an old client or a missing name. */
#include <stdio.h>

#include "diag/rules_internal.h"

#include "base/banned.h"

/* The server refused the ClientHello with this fatal alert. */
static bool server_refused_with(const struct td_facts *f, uint8_t desc)
{
    return f->have_ch && f->alert[TD_SERVER] && f->alert_level[TD_SERVER] == TD_ALERT_LEVEL_FATAL &&
           f->alert_desc[TD_SERVER] == desc && !f->alert_encrypted[TD_SERVER];
}

static bool rule_alpn(const struct td_facts *f, struct td_verdict *v)
{
    if (!server_refused_with(f, TD_ALERT_NO_APPLICATION_PROTOCOL)) {
        return false;
    }
    verdict(v, TD_CAUSE_ALPN_MISMATCH, TD_CONF_HIGH, TD_SIDE_BOTH);
    td_verdict_hello(v, f);
    td_verdict_alert(v, f, TD_SERVER);
    if (f->ch_num_alpn) {
        td_verdict_evidence(v, f->ch_frame, "ClientHello offers ALPN %s", f->ch_alpn);
        SAY(v, "the client offers the application protocol%s %s (ALPN) and the server serves none of them",
            f->ch_num_alpn == 1 ? "" : "s", f->ch_alpn);
        FIX(v,
            "client: offer the protocol the server serves (h2 for gRPC and HTTP/2-only servers: curl --http2); or "
            "server: also accept %s.",
            f->ch_alpn);
    } else {
        td_verdict_evidence(v, f->ch_frame, "ClientHello has no ALPN extension");
        SAY(v, "the client offers no application protocol (no ALPN extension) and the server requires one");
        FIX(v, "client: offer ALPN (h2 for gRPC); or server: accept connections without ALPN.");
    }
    return true;
}

static bool rule_unrecognized_name(const struct td_facts *f, struct td_verdict *v)
{
    if (!server_refused_with(f, TD_ALERT_UNRECOGNIZED_NAME) || !f->sni) {
        return false; /* without SNI it is the SNI rule's: the name is missing, not unknown */
    }
    verdict(v, TD_CAUSE_UNRECOGNIZED_NAME, TD_CONF_HIGH, TD_SIDE_BOTH);
    td_verdict_hello(v, f);
    td_verdict_alert(v, f, TD_SERVER);
    SAY(v,
        "the client asked for %s (SNI) and %s serves no such name: it refused the ClientHello instead of "
        "sending a default certificate",
        f->sni_name, f->server);
    FIX(v, "client: connect with a name this server serves; or server: add a virtual host and certificate for %s.",
        f->sni_name);
    td_verdict_candidate(v, TD_CAUSE_HOSTNAME_MISMATCH);
    return true;
}

static bool rule_fallback(const struct td_facts *f, struct td_verdict *v)
{
    if (!server_refused_with(f, TD_ALERT_INAPPROPRIATE_FALLBACK)) {
        return false;
    }
    bool scsv = has_u16(&f->ch_suites, TD_SUITE_FALLBACK_SCSV);
    char o[100];
    verdict(v, TD_CAUSE_INAPPROPRIATE_FALLBACK, scsv ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_CLIENT);
    td_verdict_hello(v, f);
    if (scsv) {
        td_verdict_evidence(v, f->ch_frame, "ClientHello carries TLS_FALLBACK_SCSV: a retry with a lower version");
    }
    td_verdict_alert(v, f, TD_SERVER);
    SAY(v,
        "the client offers %s%s, a retry after an attempt with a higher version failed; the server supports a "
        "higher version and refused the downgrade (RFC 7507): the first attempt's failure is the one to fix",
        td_offered(f, o, sizeof o), scsv ? " with TLS_FALLBACK_SCSV" : "");
    FIX(v,
        "look at the client's previous connection to %s (the higher version): what refused it (often a middlebox "
        "that drops or resets the newer ClientHello) is the cause.",
        f->server);
    td_verdict_candidate(v, TD_CAUSE_PROTOCOL_MISMATCH);
    return true;
}

bool td_rule_alert_named(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    return rule_alpn(f, v) || rule_unrecognized_name(f, v) || rule_fallback(f, v);
}
