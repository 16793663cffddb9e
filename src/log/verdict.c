/* What a finding leaves open and what settles it: the cause an alert points
 * to (for the role of the program that logged it), the candidates that remain
 * below high, what the lines rule out, and the next command. */
#include <stdio.h>
#include <string.h>

#include "log/internal.h"
#include "tls/names.h"

#include "base/banned.h"

size_t td_log_default_candidates(enum td_cause c, enum td_cause *out, size_t max)
{
    static const struct {
        enum td_cause cause;
        enum td_cause cands[TD_LOG_CANDIDATES_MAX];
    } table[] = {
        {TD_CAUSE_UNKNOWN_CA, {TD_CAUSE_INCOMPLETE_CHAIN, TD_CAUSE_SELF_SIGNED, TD_CAUSE_CLIENT_CERT_UNTRUSTED}},
        {TD_CAUSE_INCOMPLETE_CHAIN, {TD_CAUSE_UNKNOWN_CA}},
        {TD_CAUSE_EXPIRED_CERT, {TD_CAUSE_NOT_YET_VALID_CERT}},
        {TD_CAUSE_CERTIFICATE_REJECTED,
         {TD_CAUSE_UNKNOWN_CA, TD_CAUSE_HOSTNAME_MISMATCH, TD_CAUSE_EXPIRED_CERT, TD_CAUSE_INCOMPLETE_CHAIN}},
        {TD_CAUSE_CIPHER_MISMATCH,
         {TD_CAUSE_PROTOCOL_MISMATCH, TD_CAUSE_GROUP_MISMATCH, TD_CAUSE_SNI_REQUIRED, TD_CAUSE_CLIENT_CERT_MISSING}},
        {TD_CAUSE_PROTOCOL_MISMATCH, {TD_CAUSE_CIPHER_MISMATCH}},
        {TD_CAUSE_NOT_TLS, {TD_CAUSE_PROXY_REFUSED, TD_CAUSE_PROTOCOL_MISMATCH}},
        {TD_CAUSE_CLIENT_CERT_UNTRUSTED,
         {TD_CAUSE_CLIENT_CERT_EXPIRED, TD_CAUSE_CLIENT_CERT_MISSING, TD_CAUSE_CERTIFICATE_REJECTED}},
        {TD_CAUSE_CLIENT_CERT_MISSING, {TD_CAUSE_CIPHER_MISMATCH}},
        {TD_CAUSE_CLIENT_CERT_REJECTED, {TD_CAUSE_CLIENT_CERT_UNTRUSTED, TD_CAUSE_CLIENT_CERT_EXPIRED}},
        {TD_CAUSE_SNI_REQUIRED, {TD_CAUSE_HOSTNAME_MISMATCH}},
        {TD_CAUSE_UNRECOGNIZED_NAME, {TD_CAUSE_SNI_REQUIRED, TD_CAUSE_HOSTNAME_MISMATCH}},
        {TD_CAUSE_INAPPROPRIATE_FALLBACK, {TD_CAUSE_PROTOCOL_MISMATCH}},
        {TD_CAUSE_SIGNATURE_MISMATCH, {TD_CAUSE_CIPHER_MISMATCH}},
        {TD_CAUSE_UNKNOWN,
         {TD_CAUSE_PROTOCOL_MISMATCH, TD_CAUSE_CIPHER_MISMATCH, TD_CAUSE_SNI_REQUIRED, TD_CAUSE_CERTIFICATE_REJECTED}},
        {TD_CAUSE_TCP_RESET, {TD_CAUSE_NOT_TLS, TD_CAUSE_PROTOCOL_MISMATCH}},
        {TD_CAUSE_NO_RESPONSE, {TD_CAUSE_NOT_TLS}},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].cause != c) {
            continue;
        }
        for (size_t k = 0; k < TD_LOG_CANDIDATES_MAX && n < max && table[i].cands[k] != TD_CAUSE_NONE; k++) {
            out[n++] = table[i].cands[k];
        }
    }
    return n;
}

static void set(struct td_log_hit *h, enum td_cause c, enum td_confidence conf, const char *why)
{
    h->cause = c;
    h->confidence = conf;
    h->why = why;
}

/* handshake_failure names no reason: what the rest of the transcript shows
 * decides the favourite. */
static void handshake_failure(bool received, enum td_log_party role, bool saw_creq, bool saw_shello,
                              struct td_log_hit *h)
{
    if (received && role != TD_LOG_SERVER && saw_creq) {
        set(h, TD_CAUSE_CLIENT_CERT_MISSING, TD_CONF_MEDIUM,
            "the server asked for a client certificate, then refused with handshake_failure");
    } else if (saw_shello) {
        set(h, TD_CAUSE_UNKNOWN, TD_CONF_LOW,
            "handshake_failure after the ServerHello: versions and suites were agreed");
    } else {
        set(h, TD_CAUSE_CIPHER_MISMATCH, TD_CONF_LOW,
            "handshake_failure names no reason: the usual one is no cipher suite (or group) in common");
    }
}

/* A certificate alert: whose certificate was refused depends on who sent it. */
static void cert_alert(int desc, bool peer_is_client, bool role_known, struct td_log_hit *h)
{
    if (!role_known &&
        desc == TD_ALERT_UNKNOWN_CA) { /* "a CA the peer does not trust": the title holds for either side */
        set(h, TD_CAUSE_UNKNOWN_CA, TD_CONF_MEDIUM,
            "the peer does not trust the CA of the certificate it was sent (the server's chain, or the client's "
            "certificate when the log is a client's)");
        return;
    }
    if (!role_known && desc != 45) { /* whose certificate: the log does not say */
        set(h, TD_CAUSE_CERTIFICATE_REJECTED, TD_CONF_MEDIUM, "a certificate was refused; the log does not say whose");
        return;
    }
    if (!peer_is_client) { /* the server refused the client's certificate */
        set(h,
            desc == TD_ALERT_CERTIFICATE_EXPIRED ? TD_CAUSE_CLIENT_CERT_EXPIRED
            : desc == TD_ALERT_UNKNOWN_CA        ? TD_CAUSE_CLIENT_CERT_UNTRUSTED
                                                 : TD_CAUSE_CLIENT_CERT_REJECTED,
            TD_CONF_MEDIUM, "the server refused the client's certificate");
        return;
    }
    if (desc == TD_ALERT_UNKNOWN_CA) {
        set(h, TD_CAUSE_UNKNOWN_CA, TD_CONF_MEDIUM, "the client does not trust the CA of the server's chain");
    } else if (desc == TD_ALERT_CERTIFICATE_EXPIRED) {
        set(h, TD_CAUSE_EXPIRED_CERT, TD_CONF_MEDIUM, "the client says the server's certificate expired");
    } else {
        set(h, TD_CAUSE_CERTIFICATE_REJECTED, TD_CONF_MEDIUM, "the client refused the server's certificate");
    }
}

void td_log_alert_cause(int desc, bool received, enum td_log_party role, bool saw_creq, bool saw_shello,
                        struct td_log_hit *h)
{
    /* Who sent the alert, as client or server (unknown: assume the usual
     * case, a client logging what its server answered). */
    bool sender_is_client = received ? role == TD_LOG_SERVER : role != TD_LOG_SERVER;
    h->decided = received ? TD_LOG_DEC_PEER : TD_LOG_DEC_LOCAL;
    switch (desc) {
    case TD_ALERT_HANDSHAKE_FAILURE:
        handshake_failure(received, role, saw_creq, saw_shello, h);
        break;
    case TD_ALERT_NO_CERTIFICATE:
        set(h, TD_CAUSE_CLIENT_CERT_MISSING, TD_CONF_MEDIUM, NULL);
        break;
    case TD_ALERT_BAD_CERTIFICATE:
    case TD_ALERT_UNSUPPORTED_CERTIFICATE:
    case TD_ALERT_CERTIFICATE_REVOKED:
    case TD_ALERT_CERTIFICATE_EXPIRED:
    case TD_ALERT_CERTIFICATE_UNKNOWN:
    case TD_ALERT_UNKNOWN_CA:
        cert_alert(desc, sender_is_client, role != TD_LOG_NOBODY, h);
        break;
    case TD_ALERT_PROTOCOL_VERSION:
        set(h, TD_CAUSE_PROTOCOL_MISMATCH, TD_CONF_MEDIUM, "the alert protocol_version: no TLS version in common");
        break;
    case TD_ALERT_INSUFFICIENT_SECURITY:
        set(h, TD_CAUSE_CIPHER_MISMATCH, TD_CONF_MEDIUM, "insufficient_security: the suites offered are too weak");
        break;
    case TD_ALERT_INAPPROPRIATE_FALLBACK:
        set(h, TD_CAUSE_INAPPROPRIATE_FALLBACK, TD_CONF_MEDIUM,
            "inappropriate_fallback: the client retried at a lower version (TLS_FALLBACK_SCSV) and the server, which "
            "has a higher one, refused the downgrade: the first attempt's failure is the one to fix");
        break;
    case TD_ALERT_UNRECOGNIZED_NAME:
        set(h, TD_CAUSE_UNRECOGNIZED_NAME, TD_CONF_MEDIUM,
            "unrecognized_name: the server serves no such name as the client asked for (SNI); the words do not show "
            "whether a name was sent (none sent: sni_required)");
        break;
    case TD_ALERT_CERTIFICATE_REQUIRED:
        set(h, TD_CAUSE_CLIENT_CERT_MISSING, TD_CONF_HIGH, "certificate_required: the server says so");
        break;
    case TD_ALERT_UNEXPECTED_MESSAGE:
    case TD_ALERT_BAD_RECORD_MAC:
    case TD_ALERT_ILLEGAL_PARAMETER:
    case TD_ALERT_DECODE_ERROR:
    case TD_ALERT_DECRYPT_ERROR:
        set(h, TD_CAUSE_MALFORMED_MESSAGE, TD_CONF_LOW, "the alert says a message could not be read");
        break;
    case TD_ALERT_NO_APPLICATION_PROTOCOL:
        set(h, TD_CAUSE_ALPN_MISMATCH, TD_CONF_MEDIUM,
            "no_application_protocol: the server serves none of the application protocols (ALPN) the client offers");
        break;
    default:
        set(h, TD_CAUSE_UNKNOWN, TD_CONF_LOW, NULL);
        break;
    }
}

const char *td_log_rules_out(const struct td_log_finding *f, bool saw_shello)
{
    switch (f->cause) {
    case TD_CAUSE_UNKNOWN_CA:
    case TD_CAUSE_SELF_SIGNED:
    case TD_CAUSE_INCOMPLETE_CHAIN:
    case TD_CAUSE_EXPIRED_CERT:
    case TD_CAUSE_NOT_YET_VALID_CERT:
    case TD_CAUSE_HOSTNAME_MISMATCH:
    case TD_CAUSE_CERT_UNUSABLE:
    case TD_CAUSE_CERTIFICATE_REJECTED:
        return "a TLS version, cipher suite or SNI mismatch and the network path: the handshake got as far as the "
               "certificate";
    case TD_CAUSE_CLIENT_CERT_MISSING:
    case TD_CAUSE_CLIENT_CERT_UNTRUSTED:
    case TD_CAUSE_CLIENT_CERT_EXPIRED:
        return "a version or cipher suite mismatch: the server asks for client certificates after choosing them";
    case TD_CAUSE_PROTOCOL_MISMATCH:
    case TD_CAUSE_CIPHER_MISMATCH:
    case TD_CAUSE_GROUP_MISMATCH:
        return f->confidence == TD_CONF_HIGH ? "certificates and trust: none was sent or checked yet" : "";
    case TD_CAUSE_NOT_TLS:
        return "certificates, versions and suites: the peer did not speak TLS";
    case TD_CAUSE_NO_SECURE_RENEGOTIATION:
        return "certificates and suites: the client refused the ServerHello itself";
    default:
        return saw_shello ? "a TLS version or cipher suite mismatch: the server answered the ClientHello" : "";
    }
}

static bool is_ip(const char *s) { return strspn(s, "0123456789.") == strlen(s) || strchr(s, ':') != NULL; }

/* HOST:PORT and NAME for a command, placeholders when the lines did not say. */
static void target(const struct td_log_finding *f, char *hp, size_t hp_len, const char **name)
{
    const char *host = f->host[0] ? f->host : f->name[0] ? f->name : "HOST"; /* the SNI is the host, usually */
    const char *port = f->port[0] ? f->port : "443";
    bool v6 = strchr(host, ':') != NULL;
    snprintf(hp, hp_len, "%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "", port);
    *name = f->name[0] ? f->name : f->host[0] ? f->host : "NAME";
}

/* The client profile of tlsdiag probe --client that speaks like the program
 * that wrote the log, or NULL (a server's log, a program with no profile). */
static const char *client_profile(const struct td_log_finding *f)
{
    static const struct {
        const char *family, *profile;
    } profiles[] = {
        {"curl", "curl"},
        {"java", "java17"},
        {"apigee", "java8"},
        {"go", "go-1.22"},
        {"python", "python-3.12"},
        {"node", "node-20"},
        {"dotnet", "windows-schannel-2012r2"},
        {"windows", "windows-schannel-2012r2"},
        {"nss", "firefox"},
        {"openssl", "openssl-3.0"},
    };
    for (size_t i = 0; f->family && i < sizeof profiles / sizeof profiles[0]; i++) {
        if (strcmp(f->family, profiles[i].family) == 0) {
            return profiles[i].profile;
        }
    }
    return NULL;
}

/* A version, suite or SNI refusal: what the server accepts, and whether this
 * client's ClientHello gets through (tlsdiag probe --client). */
static void probe_step(struct td_log_finding *f, const char *hp)
{
    const char *profile = f->decided_by == TD_LOG_SERVER && f->alert < 0 ? NULL : client_profile(f);
    char sni[160] = "";
    if (f->name[0] && !is_ip(f->name)) {
        snprintf(sni, sizeof sni, "--sni %s ", f->name);
    }
    if (profile) { /* --client takes no --sni: the host name is the SNI, as for the client */
        snprintf(f->next, sizeof f->next, "tlsdiag probe --client %s %s", profile, hp);
    } else {
        snprintf(f->next, sizeof f->next, "tlsdiag probe %s%s", sni, hp);
    }
}

void td_log_next_step(struct td_log_finding *f, enum td_log_party role, bool offline)
{
    char hp[300];
    const char *name;
    target(f, hp, sizeof hp, &name);
    const char *host = f->host[0] ? f->host : f->name[0] ? f->name : "HOST";
    const char *port = f->port[0] ? f->port : "443";
    switch (f->cause) {
    case TD_CAUSE_UNKNOWN_CA:
    case TD_CAUSE_SELF_SIGNED:
    case TD_CAUSE_INCOMPLETE_CHAIN:
    case TD_CAUSE_EXPIRED_CERT:
    case TD_CAUSE_NOT_YET_VALID_CERT:
    case TD_CAUSE_HOSTNAME_MISMATCH:
    case TD_CAUSE_CERT_UNUSABLE:
    case TD_CAUSE_CERTIFICATE_REJECTED:
        if (offline) {
            snprintf(f->next, sizeof f->next, "tlsdiag cert --ca ROOTS.pem CERT.pem");
        } else {
            snprintf(f->next, sizeof f->next,
                     "openssl s_client -connect %s -servername %s -showcerts </dev/null >chain.pem; "
                     "tlsdiag cert --host %s chain.pem",
                     hp, name, name);
        }
        break;
    case TD_CAUSE_CLIENT_CERT_MISSING:
    case TD_CAUSE_CLIENT_CERT_UNTRUSTED:
    case TD_CAUSE_CLIENT_CERT_EXPIRED:
        snprintf(f->next, sizeof f->next,
                 "tlsdiag probe --cert client.pem --key client.key %s; tlsdiag cert --purpose client client.pem --ca "
                 "SERVER-CLIENT-CAS.pem",
                 hp);
        break;
    case TD_CAUSE_PROTOCOL_MISMATCH:
    case TD_CAUSE_CIPHER_MISMATCH:
    case TD_CAUSE_GROUP_MISMATCH:
    case TD_CAUSE_SNI_REQUIRED:
    case TD_CAUSE_NOT_TLS:
    case TD_CAUSE_NO_SECURE_RENEGOTIATION:
        probe_step(f, hp);
        break;
    default:
        snprintf(f->next, sizeof f->next,
                 "tcpdump -i any -s 0 -B 65536 -w tls.pcap 'host %s and tcp port %s' (while it fails), then "
                 "tlsdiag pcap tls.pcap",
                 host, port);
        break;
    }
    (void)role;
}
