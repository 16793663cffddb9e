/* The rules for certificates: the client's (the server refused it) and the
 * server's chain (the client gave up on it: dates, name, order, trust). */
#include <stdio.h>
#include <string.h>

#include "diag/rules_internal.h"

#include "base/banned.h"

/* The key types a list of signature schemes allows ("RSA, ECDSA"), by the
 * IANA names' prefixes (RFC 8446 4.2.3). */
static const char *key_types(const uint16_t *s, size_t n, char *out, size_t len)
{
    static const struct {
        const char *prefix, *type;
    } kinds[] = {{"rsa_", "RSA"}, {"ecdsa_", "ECDSA"}, {"ed25519", "Ed25519"}, {"ed448", "Ed448"}, {"dsa_", "DSA"}};
    out[0] = '\0';
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        for (size_t i = 0; i < n; i++) {
            const char *name = td_sigscheme_name(s[i]);
            if (name && strncmp(name, kinds[k].prefix, strlen(kinds[k].prefix)) == 0) {
                size_t u = strlen(out);
                snprintf(out + u, len - u, "%s%s", u ? ", " : "", kinds[k].type);
                break;
            }
        }
    }
    return out;
}

/* An empty client Certificate: what the CertificateRequest asked, which is
 * what the client chose by (Java's and Go's key managers send none
 * when no certificate of theirs is issued by a listed CA or has a key for the
 * listed schemes; OpenSSL and GnuTLS clients send theirs regardless). */
static void empty_client_cert(const struct td_facts *f, struct td_verdict *v)
{
    char kt[64];
    key_types(f->cr_sigalgs, f->cr_num_sigalgs, kt, sizeof kt);
    td_verdict_evidence(v, f->cr_frame, "CertificateRequest from the server");
    if (f->cr_num_ca_names) {
        td_verdict_evidence(v, f->cr_frame, "CertificateRequest lists %zu CA%s: %.180s", f->cr_num_ca_names,
                            f->cr_num_ca_names == 1 ? "" : "s", f->cr_ca_list);
    }
    if (f->cr_num_sigalgs) {
        td_verdict_evidence(v, f->cr_frame, "CertificateRequest accepts %zu signature scheme%s (keys: %s)",
                            f->cr_num_sigalgs, f->cr_num_sigalgs == 1 ? "" : "s", kt[0] ? kt : "none tlsdiag knows");
    }
    td_verdict_evidence(v, f->client_cert_frame, "client Certificate is empty");
    SAY(v,
        "%s requires a client certificate and the client sent an empty Certificate: it has none, or none "
        "%s%.200s%s%s%s "
        "(Java and Go clients then send none; OpenSSL and GnuTLS clients send theirs anyway)",
        f->server, f->cr_num_ca_names ? "issued by the CAs the server lists (" : "",
        f->cr_num_ca_names ? f->cr_ca_list : "", f->cr_num_ca_names ? ")" : "",
        kt[0] ? (f->cr_num_ca_names ? " with a key of a type it accepts: " : "with a key of a type it accepts: ") : "",
        kt);
    FIX(v,
        "client: configure a certificate and key issued by %.160s%s (a Java keystore entry whose chain reaches "
        "that CA); or server: add the client certificate's CA to the list it sends (OpenSSL -CAfile, nginx "
        "ssl_client_certificate).",
        f->cr_num_ca_names ? f->cr_ca_list : "a CA the server trusts", f->cr_num_ca_names > 1 ? " (one of them)" : "");
}

/* TLS 1.3 client authentication, seen without keys: the client's encrypted
 * flight has one record per message (Certificate, CertificateVerify,
 * Finished); an empty Certificate needs no CertificateVerify. */

static bool client_auth_tls13(const struct td_facts *f, struct td_verdict *v)
{
    bool server_alert_after = f->alert[TD_SERVER] && (f->alert_desc[TD_SERVER] == TD_ALERT_CERTIFICATE_REQUIRED ||
                                                      f->alert_encrypted[TD_SERVER]);
    if (!f->tls13 || !server_alert_after || f->alert[TD_CLIENT]) {
        return false;
    }
    td_verdict_alert(v, f, TD_SERVER);
    /* an alert only by its size, after the client's FIN: the refusal, or
     * the close_notify of a server that took no certificate and sends no
     * tickets (the two cross on the wire) */
    bool after_close = f->fin[TD_CLIENT] && f->fin_frame[TD_CLIENT] < f->alert_frame[TD_SERVER] &&
                       f->alert_desc[TD_SERVER] != TD_ALERT_CERTIFICATE_REQUIRED && !f->client_cert_seen;
    const char *crossed = after_close ? "; its alert-sized record came after the client's FIN, where a server that "
                                        "took no certificate and sends no tickets would send close_notify"
                                      : "";
    if (f->client_flight_records == 1 || f->alert_desc[TD_SERVER] == TD_ALERT_CERTIFICATE_REQUIRED) {
        verdict(v, TD_CAUSE_CLIENT_CERT_MISSING, after_close ? TD_CONF_MEDIUM : TD_CONF_HIGH, TD_SIDE_CLIENT);
        if (f->client_cert_seen && f->client_cert_empty) { /* decrypted with a key log: what was asked is known */
            empty_client_cert(f, v);
            return true;
        }
        SAY(v,
            "%s asked for a client certificate; the client sent an empty Certificate (no CertificateVerify "
            "followed) and the server refused the handshake (the CA names it asked for are encrypted: --keylog "
            "shows them)%s",
            f->server, crossed);
        FIX(v, "client: configure a certificate and key issued by a CA the server trusts.");
        return true;
    }
    if (f->client_flight_records >= 2 && f->client_first_enc_len < TD_TLS13_MIN_CERT_RECORD) {
        /* a slow server: the client's Finished (and data) went out before
         * its alert, but the first record could not hold a certificate */
        verdict(v, TD_CAUSE_CLIENT_CERT_MISSING, TD_CONF_MEDIUM, TD_SIDE_CLIENT);
        SAY(v,
            "the client's first encrypted record after the ServerHello (frame %llu, %u bytes) is too small to hold a "
            "certificate: an empty Certificate; %s then refused the handshake (after the client's next records "
            "had gone out, so the refusal cannot be tied to the Certificate alone%s: the CA names it asked for are "
            "encrypted: --keylog shows them)",
            (unsigned long long)f->client_first_enc_frame, f->client_first_enc_len, f->server, crossed);
        FIX(v, "client: configure a certificate and key issued by a CA the server trusts.");
        return true;
    }
    if (f->client_flight_records >= 2) {
        verdict(v, TD_CAUSE_CLIENT_CERT_UNTRUSTED, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        td_verdict_candidate(v, TD_CAUSE_CLIENT_CERT_EXPIRED);
        SAY(v,
            "the client sent a certificate (Certificate and CertificateVerify) and %s refused it; TLS 1.3 "
            "hides which certificate and why",
            f->server);
        FIX(v, "check the client certificate against the server's client-CA list (tlsdiag cert --purpose client).");
        return true;
    }
    return false;
}

/* HTTP 400 after a completed handshake: nginx with ssl_verify_client on
 * verifies in its HTTP layer, so the client learns of it from the page
 * ("400 No required SSL certificate was sent", "400 The SSL certificate
 * error"), not from an alert. Servers that verify inside TLS (OpenSSL
 * -Verify, Apache SSLVerifyClient require, Java needClientAuth, GnuTLS
 * --require-client-cert) send an alert instead. */
static bool client_cert_http_400(const struct td_facts *f, struct td_verdict *v)
{
    if (f->outcome != TD_OUTCOME_OK || !client_cert_refused_after(f)) {
        return false;
    }
    bool missing = strstr(f->http_cert_error, "No required") != NULL;
    enum td_confidence conf = TD_CONF_HIGH;
    if (f->cert_request) {
        td_verdict_evidence(v, f->cr_frame, "CertificateRequest from the server (%zu CA name%s)", f->cr_num_ca_names,
                            f->cr_num_ca_names == 1 ? "" : "s");
    }
    if (f->client_cert_seen) {
        td_verdict_evidence(v, f->client_cert_frame, "%s",
                            f->client_cert_empty ? "client Certificate is empty"
                            : f->client_cert_unlisted
                                ? "client Certificate: a certificate from a CA not in the request's list"
                                : "client Certificate: a certificate");
    }
    td_verdict_evidence(v, f->http_status_frame, "HTTP %u from the server: \"%s\"", f->http_status, f->http_cert_error);
    const char *how = "the handshake completed and the server answered HTTP 400 (nginx ssl_verify_client on "
                      "checks the certificate after the handshake, in HTTP, instead of sending an alert)";
    if (missing) {
        verdict(v, TD_CAUSE_CLIENT_CERT_MISSING, conf, TD_SIDE_CLIENT);
        SAY(v, "%s asked for a client certificate and the client sent none; %s", f->server, how);
        FIX(v, "client: configure a certificate and key issued by a CA the server lists in its CertificateRequest "
               "(curl --cert/--key); or server: ssl_verify_client optional if certificates are not required.");
    } else if (f->client_chain.expired || f->client_chain.not_yet_valid) {
        verdict(v, TD_CAUSE_CLIENT_CERT_EXPIRED, conf, TD_SIDE_CLIENT);
        v->has_cert = true;
        v->cert_role = "client";
        v->cert = f->client_chain.bad;
        SAY(v, "the client's certificate %s was %s; %s", v->cert.subject,
            f->client_chain.expired ? "expired" : "not yet valid", how);
        FIX(v, "client: renew the certificate %s (serial %s).", v->cert.subject, v->cert.serial);
    } else {
        verdict(v, TD_CAUSE_CLIENT_CERT_UNTRUSTED, conf, TD_SIDE_BOTH);
        if (f->client_chain.leaf.subject[0]) {
            v->has_cert = true;
            v->cert_role = "client";
            v->cert = f->client_chain.leaf;
        }
        SAY(v, "%s refused the client certificate%s%s%s; %s", f->server, v->has_cert ? " " : "",
            v->has_cert ? v->cert.subject : "",
            f->client_cert_unlisted ? " (its issuer is not among the CAs the CertificateRequest lists)" : "", how);
        FIX(v, "server: add the client certificate's CA to ssl_client_certificate (and ssl_verify_depth); or "
               "client: use a certificate from a CA the server lists.");
        td_verdict_candidate(v, TD_CAUSE_CLIENT_CERT_EXPIRED);
    }
    v->aborted_by = TD_SIDE_SERVER;
    return true;
}

bool td_rule_client_cert(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (client_auth_tls13(f, v)) {
        return true;
    }
    if (client_cert_http_400(f, v)) {
        return true;
    }
    if (!f->cert_request || !f->client_cert_seen) {
        return false;
    }
    /* The server gave up: a fatal alert, or it spoke or closed first (its
     * close_notify answering the client's is no refusal). */
    bool server_alert_first = f->alert[TD_SERVER] &&
                              (f->alert_level[TD_SERVER] == TD_ALERT_LEVEL_FATAL || !f->alert[TD_CLIENT] ||
                               f->alert_frame[TD_SERVER] < f->alert_frame[TD_CLIENT]);
    /* A client that closed first (its close_notify after a completed
     * handshake) was answered, not refused: the server's close after it is
     * the normal end of the session (gnutls-cli against gnutls-serv's
     * optional request). */
    bool client_alert_first = f->alert[TD_CLIENT] &&
                              (!f->alert[TD_SERVER] || f->alert_frame[TD_CLIENT] < f->alert_frame[TD_SERVER]);
    bool server_gave_up = server_alert_first || (server_closed_first(f) && !client_alert_first);
    /* A client that already sent its request and close_notify (TLS 1.3: it
     * thinks the handshake is over) has not given up itself. */
    if (!server_gave_up || (f->alert[TD_CLIENT] && f->alert_desc[TD_CLIENT] != TD_ALERT_CLOSE_NOTIFY)) {
        return false;
    }
    if (f->client_cert_empty) {
        verdict(v, TD_CAUSE_CLIENT_CERT_MISSING, TD_CONF_HIGH, TD_SIDE_CLIENT);
        empty_client_cert(f, v);
        td_verdict_alert(v, f, TD_SERVER);
        return true;
    }
    td_verdict_evidence(v, f->cr_frame, "CertificateRequest from the server");
    td_verdict_evidence(v, f->client_cert_frame, "client Certificate: %s (issuer %s)", f->client_chain.leaf.subject,
                        f->client_chain.leaf.issuer);
    td_verdict_alert(v, f, TD_SERVER);
    v->has_cert = true;
    v->cert_role = "client";
    v->cert = f->client_chain.leaf;
    if (f->client_chain.expired || f->client_chain.not_yet_valid) {
        verdict(v, TD_CAUSE_CLIENT_CERT_EXPIRED, TD_CONF_HIGH, TD_SIDE_CLIENT);
        v->cert = f->client_chain.bad;
        SAY(v, "the client's certificate %s was %s at the time of the capture (valid %s to %s)", v->cert.subject,
            f->client_chain.expired ? "expired" : "not yet valid", v->cert.not_before, v->cert.not_after);
        FIX(v, "client: renew the certificate %s (serial %s).", v->cert.subject, v->cert.serial);
        return true;
    }
    if (f->client_chain.unusable == TD_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH) {
        return td_client_cert_no_client_auth(f, v);
    }
    if (f->client_chain.unusable != TD_CAUSE_NONE &&
        !(f->alert[TD_SERVER] && f->alert_desc[TD_SERVER] == TD_ALERT_UNKNOWN_CA)) {
        verdict(v, TD_CAUSE_CERT_UNUSABLE, TD_CONF_MEDIUM, TD_SIDE_CLIENT);
        td_verdict_candidate(v, TD_CAUSE_CLIENT_CERT_UNTRUSTED);
        SAY(v, "the client's certificate: %s (%s)", f->client_chain.unusable_msg,
            td_cause_info(f->client_chain.unusable)->slug);
        FIX(v, "client: %s", f->client_chain.unusable_fix);
        return true;
    }
    bool trust_alert = f->alert[TD_SERVER] && (f->alert_desc[TD_SERVER] == TD_ALERT_UNKNOWN_CA ||
                                               f->alert_desc[TD_SERVER] == TD_ALERT_BAD_CERTIFICATE ||
                                               f->alert_desc[TD_SERVER] == TD_ALERT_CERTIFICATE_UNKNOWN);
    verdict(v, TD_CAUSE_CLIENT_CERT_UNTRUSTED,
            (f->client_chain.trust_checked && !f->client_chain.trusted) ||
                    (trust_alert && f->alert_desc[TD_SERVER] == TD_ALERT_UNKNOWN_CA) || f->client_cert_unlisted
                ? TD_CONF_HIGH
                : TD_CONF_MEDIUM,
            TD_SIDE_BOTH);
    SAY(v, "%s refused the client certificate %s issued by %s%s", f->server, v->cert.subject, v->cert.issuer,
        f->client_cert_unlisted ? ", a CA its CertificateRequest does not list" : "");
    FIX(v, "server: trust %s for client certificates, or client: use a certificate from a CA the server lists.",
        v->cert.issuer);
    return true;
}

/* Every other fault of the server's chain that would still fail the
 * handshake once the first is fixed, in the order to fix them: dates, name,
 * order, then trust. */
static void also_server_chain(const struct td_facts *f, struct td_verdict *v)
{
    const struct td_chain_check *ch = &f->chain;
    if (ch->expired || ch->not_yet_valid) {
        td_verdict_also(v, ch->expired ? TD_CAUSE_EXPIRED_CERT : TD_CAUSE_NOT_YET_VALID_CERT,
                        "%s is %s (valid %s to %s)", ch->bad.subject, ch->expired ? "expired" : "not yet valid",
                        ch->bad.not_before, ch->bad.not_after);
    }
    if (ch->name_checked && !ch->name_ok && !f->name_is_address) {
        td_verdict_also(v, TD_CAUSE_HOSTNAME_MISMATCH, "the certificate covers %.80s, not %.80s", ch->names,
                        f->sni ? f->sni_name : "the expected name");
    }
    if (ch->out_of_order || ch->unrelated) {
        td_verdict_also(v, TD_CAUSE_INCORRECT_CHAIN, "certificate #%zu does not certify the one before it",
                        ch->link_broken_at);
    }
    if (ch->num_certs == 1 && ch->leaf_self_signed && !(ch->trust_checked && ch->trusted)) {
        td_verdict_also(v, TD_CAUSE_SELF_SIGNED, "the certificate %.120s is self-signed", ch->leaf.subject);
    } else if (ch->num_certs == 1 && !ch->leaf_self_signed && !(ch->trust_checked && ch->trusted) &&
               v->cause != TD_CAUSE_UNKNOWN_CA) {
        td_verdict_also(v, TD_CAUSE_INCOMPLETE_CHAIN, "the leaf came alone; its issuer %.120s is not in the chain",
                        ch->missing_issuer);
    } else if (ch->trust_checked && !ch->trusted && !(ch->num_certs == 1 && !ch->leaf_self_signed)) {
        td_verdict_also(v, TD_CAUSE_UNKNOWN_CA, "the chain does not verify against the given truststore: %.120s",
                        ch->verify_text);
    }
}

/* The chain as sent cannot work: unreadable, out of its dates, for another
 * name, or out of order. */
static bool chain_defect(const struct td_facts *f, struct td_verdict *v)
{
    const struct td_chain_check *ch = &f->chain;
    if (ch->undecodable && !ch->leaf.subject[0]) {
        bool says = f->alert[TD_CLIENT] && (f->alert_desc[TD_CLIENT] == TD_ALERT_BAD_CERTIFICATE ||
                                            f->alert_desc[TD_CLIENT] == TD_ALERT_DECODE_ERROR ||
                                            f->alert_desc[TD_CLIENT] == TD_ALERT_UNSUPPORTED_CERTIFICATE);
        verdict(v, TD_CAUSE_CERT_UNUSABLE, says ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_SERVER);
        SAY(v, "the server's certificate is not valid DER: no X.509 decoder can read it, and the client gave up");
        FIX(v, "server: install a well-formed certificate (PEM or DER from the CA); check the file with tlsdiag "
               "cert.");
    } else if (ch->expired || ch->not_yet_valid) {
        verdict(v, ch->expired ? TD_CAUSE_EXPIRED_CERT : TD_CAUSE_NOT_YET_VALID_CERT, TD_CONF_HIGH, TD_SIDE_SERVER);
        cert_named(v, &ch->bad);
        SAY(v, "certificate %s (%s in the chain) is %s at the capture's time: valid %s to %s", ch->bad.subject,
            ch->bad_index == 0 ? "the leaf" : "an intermediate", ch->expired ? "expired" : "not yet valid",
            ch->bad.not_before, ch->bad.not_after);
        FIX(v, "server: %s certificate %s (serial %s, issuer %s).", ch->expired ? "renew" : "check the validity of",
            ch->bad.subject, ch->bad.serial, ch->bad.issuer);
    } else if (ch->name_checked && !ch->name_ok && !f->name_is_address) {
        verdict(v, TD_CAUSE_HOSTNAME_MISMATCH, TD_CONF_HIGH, TD_SIDE_SERVER);
        cert_named(v, &ch->leaf);
        SAY(v, "the client asked for %s; the certificate covers %s", f->sni ? f->sni_name : "(the --host name)",
            ch->names);
        FIX(v,
            "server: serve a certificate whose subjectAltName covers %s; or client: connect as a name it "
            "covers (%s).",
            f->sni ? f->sni_name : "the name", ch->names);
    } else if (ch->out_of_order || ch->unrelated) {
        verdict(v, TD_CAUSE_INCORRECT_CHAIN, TD_CONF_HIGH, TD_SIDE_SERVER);
        cert_named(v, &ch->leaf);
        SAY(v, "the chain is %s: certificate #%zu does not certify the one before it%s%s%s",
            ch->out_of_order ? "out of order" : "holding a certificate that does not belong", ch->link_broken_at,
            !ch->out_of_order && ch->missing_issuer[0] ? " (a different intermediate, sent in place of " : "",
            !ch->out_of_order && ch->missing_issuer[0] ? ch->missing_issuer : "",
            !ch->out_of_order && ch->missing_issuer[0] ? ", which is not there)" : "");
        FIX(v, "server: send leaf, then its issuer, then the next one up; drop unrelated certificates.");
    } else {
        return false;
    }
    return true;
}

/* A lone leaf whose issuer is not known to be a root: most often the
 * intermediate is missing. */
static void lone_leaf_incomplete(const struct td_facts *f, struct td_verdict *v)
{
    const struct td_chain_check *ch = &f->chain;
    /* Servers need not send the root, so a chain that ends at an
     * intermediate is normal; a lone leaf is most often missing the
     * intermediate that issued it (or the issuer is a root the client
     * lacks: --ca tells). A caIssuers URL names where the issuer is
     * published: CAs publish intermediates so, not roots. */
    verdict(v, TD_CAUSE_INCOMPLETE_CHAIN, ch->aia_url[0] ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_SERVER);
    if (!ch->aia_url[0]) {
        td_verdict_candidate(v, TD_CAUSE_UNKNOWN_CA);
    }
    cert_named(v, &ch->leaf);
    SAY(v, "the server sent only its leaf certificate; its issuer %s is not in the chain%s%s%s", ch->missing_issuer,
        ch->aia_url[0] ? " (caIssuers: " : "", ch->aia_url[0] ? ch->aia_url : "", ch->trust_checked ? "" : "");
    size_t n = strlen(v->explanation);
    if (ch->aia_url[0]) {
        snprintf(v->explanation + n, sizeof v->explanation - n, ")");
        n = strlen(v->explanation);
    }
    if (ch->trust_checked) {
        snprintf(v->explanation + n, sizeof v->explanation - n,
                 "; the given truststore (--ca) does not hold %s either: if it is an intermediate the server must "
                 "send it, if it is a root the client must add it",
                 ch->missing_issuer);
    } else if (!ch->aia_url[0]) {
        snprintf(v->explanation + n, sizeof v->explanation - n,
                 "; either it is an intermediate the server should send, or a root the client lacks (--ca "
                 "tells)");
    }
    FIX(v,
        "server: send the intermediate certificate %s after the leaf (a chained PEM), unless the client is "
        "meant to have it.",
        ch->missing_issuer);
}

/* The server sent one certificate: self-signed, issued by a root it sent to
 * other clients, or by an issuer missing from the chain. */
static bool lone_leaf(const struct td_facts *f, bool root_seen, struct td_verdict *v)
{
    const struct td_chain_check *ch = &f->chain;
    if (ch->num_certs == 1 && ch->leaf_self_signed && !(ch->trust_checked && ch->trusted)) {
        verdict(v, TD_CAUSE_SELF_SIGNED, TD_CONF_HIGH, TD_SIDE_BOTH);
        cert_named(v, &ch->leaf);
        SAY(v, "the server sent a self-signed certificate (%s) that the client does not trust", ch->leaf.subject);
        FIX(v, "server: use a CA-issued certificate; or client: add %s to its truststore.", ch->leaf.subject);
    } else if (ch->num_certs == 1 && !ch->leaf_self_signed && !(ch->trust_checked && ch->trusted) && root_seen) {
        /* The issuer is a root: nothing is missing from the chain, the
         * client lacks that root. */
        verdict(v, TD_CAUSE_UNKNOWN_CA,
                f->alert[TD_CLIENT] && f->alert_desc[TD_CLIENT] == TD_ALERT_UNKNOWN_CA ? TD_CONF_HIGH : TD_CONF_MEDIUM,
                TD_SIDE_BOTH);
        td_verdict_candidate(v, TD_CAUSE_CERTIFICATE_REJECTED);
        cert_named(v, &ch->leaf);
        SAY(v,
            "the server sent only its leaf; its issuer %s is a self-signed root (the server sent it to other "
            "clients), so no intermediate is missing: the client does not trust that root",
            ch->leaf.issuer);
        FIX(v, "client: add the root %s to its truststore; or server: use a certificate from a CA the client trusts.",
            ch->leaf.issuer);
    } else if (ch->num_certs == 1 && !ch->leaf_self_signed && !(ch->trust_checked && ch->trusted)) {
        lone_leaf_incomplete(f, v);
    } else {
        return false;
    }
    return true;
}

/* The chain is whole, in order and right for its dates and name: a defect no
 * truststore cures, an address it does not cover, or trust. */
static bool chain_untrusted(const struct td_facts *f, struct td_verdict *v)
{
    const struct td_chain_check *ch = &f->chain;
    if (ch->unusable != TD_CAUSE_NONE && f->alert[TD_CLIENT] && f->alert_desc[TD_CLIENT] != TD_ALERT_UNKNOWN_CA) {
        /* A defect no truststore cures (tlsdiag cert's checks on the chain as sent). */
        bool says = f->alert_desc[TD_CLIENT] == TD_ALERT_BAD_CERTIFICATE ||
                    f->alert_desc[TD_CLIENT] == TD_ALERT_UNSUPPORTED_CERTIFICATE;
        verdict(v, TD_CAUSE_CERT_UNUSABLE, says ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_SERVER);
        td_verdict_candidate(v, TD_CAUSE_UNKNOWN_CA);
        cert_named(v, &ch->leaf);
        SAY(v, "%s (%s)", ch->unusable_msg, td_cause_info(ch->unusable)->slug);
        FIX(v, "server: %s", ch->unusable_fix);
    } else if (f->name_is_address && ch->name_checked && !ch->name_ok && !(ch->trust_checked && !ch->trusted) &&
               !(f->alert[TD_CLIENT] && f->alert_desc[TD_CLIENT] == TD_ALERT_UNKNOWN_CA)) {
        /* No SNI: clients check the certificate against the address they
         * connected to (IP SANs, RFC 6125 / RFC 9525), before any issuer. */
        verdict(v, TD_CAUSE_HOSTNAME_MISMATCH, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        td_verdict_candidate(v, TD_CAUSE_SNI_REQUIRED);
        td_verdict_candidate(v, TD_CAUSE_UNKNOWN_CA);
        cert_named(v, &ch->leaf);
        SAY(v, "the client connected to the address %s without SNI; the certificate covers %s, not that address",
            f->server_ip, ch->names);
        FIX(v,
            "client: connect by a host name the certificate covers (and send SNI); or server: add IP:%s to the "
            "certificate's subjectAltName.",
            f->server_ip);
    } else if (ch->trust_checked && !ch->trusted) {
        verdict(v, TD_CAUSE_UNKNOWN_CA, TD_CONF_HIGH, TD_SIDE_BOTH);
        cert_named(v, &ch->leaf);
        SAY(v, "the chain does not verify against the given truststore: %s", ch->verify_text);
        FIX(v, "client: add the issuing root to its truststore; or server: use a certificate from a CA the client "
               "trusts.");
    } else if (f->alert[TD_CLIENT] && (f->alert_desc[TD_CLIENT] == TD_ALERT_UNKNOWN_CA ||
                                       f->alert_desc[TD_CLIENT] == TD_ALERT_BAD_CERTIFICATE ||
                                       f->alert_desc[TD_CLIENT] == TD_ALERT_CERTIFICATE_UNKNOWN ||
                                       f->alert_desc[TD_CLIENT] == TD_ALERT_UNSUPPORTED_CERTIFICATE)) {
        verdict(v, TD_CAUSE_UNKNOWN_CA, f->alert_desc[TD_CLIENT] == TD_ALERT_UNKNOWN_CA ? TD_CONF_HIGH : TD_CONF_MEDIUM,
                TD_SIDE_BOTH);
        td_verdict_candidate(v, TD_CAUSE_CERTIFICATE_REJECTED);
        cert_named(v, &ch->leaf);
        SAY(v,
            "the chain is complete up to %s, its names and dates are right, and the client rejected it: the "
            "root is not in the client's truststore",
            ch->leaf.issuer);
        FIX(v, "client: add the root of %s to its truststore (or run tlsdiag pcap --ca ROOTS to prove it).",
            ch->leaf.issuer);
    } else {
        return false;
    }
    return true;
}

/* Node, Java and Go close without an alert when they refuse a chain.
 * Before TLS 1.3 so do clients that only wanted the certificate, which
 * they read in clear (scanners, certificate collectors, Windows'
 * chain checks): there a complete chain with right names and dates and
 * no word from the client proves no fault, and --ca decides trust. In
 * TLS 1.3 such a client would have had to run the key exchange. */
static bool closed_in_silence(const struct td_facts *f, struct td_verdict *v)
{
    const struct td_chain_check *ch = &f->chain;
    if (f->alert[TD_CLIENT] || !(f->fin[TD_CLIENT] || f->rst[TD_CLIENT]) || ch->undecodable) {
        return false;
    }
    bool cert_in_clear = !f->tls13;
    verdict(v, cert_in_clear ? TD_CAUSE_UNKNOWN : TD_CAUSE_UNKNOWN_CA, cert_in_clear ? TD_CONF_LOW : TD_CONF_MEDIUM,
            TD_SIDE_BOTH);
    v->aborted_by = TD_SIDE_CLIENT;
    if (cert_in_clear) {
        td_verdict_candidate(v, TD_CAUSE_UNKNOWN_CA);
    }
    td_verdict_candidate(v, TD_CAUSE_CERTIFICATE_REJECTED);
    cert_named(v, &ch->leaf);
    td_verdict_evidence(v, f->fin[TD_CLIENT] ? f->fin_frame[TD_CLIENT] : f->rst_frame[TD_CLIENT],
                        "the client closed the connection (%s) without an "
                        "alert, right after the server's certificate",
                        f->fin[TD_CLIENT] ? "FIN" : "RST");
    SAY(v,
        "the chain is complete up to %s and its names and dates are right; the client closed without saying "
        "why: it may not trust the root (Node and Java close so), or it wanted the certificate only",
        ch->leaf.issuer);
    FIX(v,
        "run tlsdiag pcap --ca ROOTS with the client's truststore to prove or rule out trust; if the root of %s "
        "is not in it, add it.",
        ch->leaf.issuer);
    return true;
}

/* The server's chain is visible (TLS 1.2 and below) and the client gave up
 * right after it, or closed right after the handshake. */
bool td_rule_server_cert(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    const struct td_chain_check *ch = &f->chain;
    bool client_gave_up = f->alert[TD_CLIENT] || (f->note != NULL) || f->fin[TD_CLIENT] || f->rst[TD_CLIENT];
    /* A CertificateRequest does not stop these: the server refusing the
     * client's certificate was td_rule_client_cert's; here the client gave up
     * on the server's chain (GnuTLS, Java and IIS servers ask by default). */
    if (!f->have_cert || !client_gave_up) {
        return false;
    }
    bool root_seen = false; /* the lone leaf's issuer is a self-signed root this server sent elsewhere */
    for (size_t i = 0; sv && i < sv->num_roots; i++) {
        root_seen |= strcmp(sv->roots[i], ch->leaf.issuer) == 0;
    }
    td_verdict_evidence(v, f->cert_frame, "Certificate: %zu certificate%s, leaf %s issued by %s", ch->num_certs,
                        ch->num_certs == 1 ? "" : "s", ch->leaf.subject, ch->leaf.issuer);
    if (chain_defect(f, v) || lone_leaf(f, root_seen, v) || chain_untrusted(f, v)) {
        td_verdict_alert(v, f, TD_CLIENT);
        also_server_chain(f, v);
        return true;
    }
    if (closed_in_silence(f, v)) {
        return true;
    }
    v->num_evidence = 0;
    return false;
}
