/* The rules for TLS 1.3, where the certificates are encrypted: what the
 * clients' alerts and record sizes still tell. */

#include "diag/rules_internal.h"

#include "base/banned.h"

/* Java, Node and Go close (FIN or RST, no alert in clear) right after the
 * server's encrypted flight when they refuse what it held, or send one
 * record too short to be their Finished. */
static bool left_after_flight(const struct td_facts *f, struct td_verdict *v)
{
    /* A close: the certificate refused, typically. */
    bool client_closed = (f->fin[TD_CLIENT] || f->rst[TD_CLIENT]) && !server_closed_first(f) && !f->alert[TD_SERVER] &&
                         f->client_flight_records == 0;
    /* Java pads its alert: one record shorter than a Finished (RFC 8446
     * 4.4.4: 4 + Hash.length, plus type and tag), after a server flight of
     * four records (EncryptedExtensions, Certificate, CertificateVerify,
     * Finished: no CertificateRequest to answer), then nothing. */
    uint32_t fin_len = 4 + (f->suite == TD_SUITE_AES_256_GCM_SHA384 ? 48 : 32) + 1 + 16;
    bool one_short_record = f->client_flight_records == 1 && !f->client_finished && !f->alert[TD_SERVER] &&
                            f->client_first_enc_len < fin_len && f->server_flight_records == 4;
    if (!f->alert[TD_CLIENT] && (client_closed || one_short_record) && f->server_flight_frame) {
        verdict(v, TD_CAUSE_CERTIFICATE_REJECTED, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        td_verdict_evidence(v, f->sh_frame, "TLS 1.3: the server's certificate is encrypted");
        td_verdict_evidence(v, f->server_flight_frame,
                            "the server's encrypted flight (Certificate, CertificateVerify, Finished) "
                            "ends");
        if (one_short_record) {
            td_verdict_evidence(v, f->client_first_enc_frame,
                                "the client's only encrypted record (%u bytes) is too short for its Finished: an alert",
                                f->client_first_enc_len);
        } else {
            td_verdict_evidence(v, f->fin[TD_CLIENT] ? f->fin_frame[TD_CLIENT] : f->rst_frame[TD_CLIENT],
                                "the client closes (%s) without its Finished", f->fin[TD_CLIENT] ? "FIN" : "RST");
        }
        td_verdict_candidate(v, TD_CAUSE_UNKNOWN_CA);
        td_verdict_candidate(v, TD_CAUSE_HOSTNAME_MISMATCH);
        td_verdict_candidate(v, TD_CAUSE_EXPIRED_CERT);
        td_verdict_candidate(v, TD_CAUSE_INCOMPLETE_CHAIN);
        SAY(v, "the client left right after the server's encrypted flight, without its Finished: it rejected what "
               "the flight held, most likely the certificate (Java, Node and Go close so); TLS 1.3 hides which fault");
        FIX(v,
            "see the reason with the client's key log (tlsdiag pcap --keylog FILE, SSLKEYLOGFILE), or check the "
            "server with tlsdiag probe %s%s%s and its chain with tlsdiag cert.",
            f->sni ? "--sni " : "", f->sni ? f->sni_name : "", f->sni ? " (address)" : f->server);
        v->aborted_by = TD_SIDE_CLIENT;
        return true;
    }
    return false;
}

/* The client's alert after the server's flight: encrypted (it refused the
 * flight), or in clear with its description. */
static bool alert_after_flight(const struct td_facts *f, struct td_verdict *v)
{
    if (!f->alert[TD_CLIENT]) {
        return false;
    }
    uint8_t d = f->alert_desc[TD_CLIENT];
    td_verdict_evidence(v, f->sh_frame, "TLS 1.3: the server's certificate is encrypted");
    td_verdict_alert(v, f, TD_CLIENT);
    if (f->alert_encrypted[TD_CLIENT]) {
        /* One alert-sized record before its Finished: the client refused
         * the server's flight. */
        bool right_after = f->client_flight_records == 0 && f->server_flight_frame &&
                           f->alert_frame[TD_CLIENT] > f->server_flight_frame && !f->alert[TD_SERVER];
        verdict(v, TD_CAUSE_CERTIFICATE_REJECTED, right_after ? TD_CONF_MEDIUM : TD_CONF_LOW, TD_SIDE_BOTH);
        td_verdict_candidate(v, TD_CAUSE_UNKNOWN_CA);
        td_verdict_candidate(v, TD_CAUSE_HOSTNAME_MISMATCH);
        td_verdict_candidate(v, TD_CAUSE_EXPIRED_CERT);
        SAY(v, "the client aborted with an encrypted alert right after the server's encrypted flight: most likely it "
               "rejected the certificate (TLS 1.3 hides which fault; Java, Node and Go abort so)");
        v->aborted_by = TD_SIDE_CLIENT;
        FIX(v,
            "see the reason with the client's key log (tlsdiag pcap --keylog FILE, SSLKEYLOGFILE), or check the "
            "server with tlsdiag probe %s and its chain with tlsdiag cert.",
            f->server);
        return true;
    } else if (d == TD_ALERT_UNKNOWN_CA) {
        verdict(v, TD_CAUSE_UNKNOWN_CA, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        td_verdict_candidate(v, TD_CAUSE_INCOMPLETE_CHAIN);
        td_verdict_candidate(v, TD_CAUSE_SELF_SIGNED);
        SAY(v, "the client could not chain the server's certificate to a CA it trusts (unknown_ca)");
    } else if (d == TD_ALERT_CERTIFICATE_EXPIRED) {
        verdict(v, TD_CAUSE_EXPIRED_CERT, TD_CONF_MEDIUM, TD_SIDE_SERVER);
        SAY(v, "the client says the server's certificate expired (certificate_expired)");
    } else if (d == TD_ALERT_BAD_CERTIFICATE || d == TD_ALERT_CERTIFICATE_UNKNOWN ||
               d == TD_ALERT_UNSUPPORTED_CERTIFICATE || d == TD_ALERT_ACCESS_DENIED || d == TD_ALERT_DECRYPT_ERROR) {
        verdict(v, TD_CAUSE_CERTIFICATE_REJECTED, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        td_verdict_candidate(v, TD_CAUSE_HOSTNAME_MISMATCH);
        td_verdict_candidate(v, TD_CAUSE_UNKNOWN_CA);
        td_verdict_candidate(v, TD_CAUSE_EXPIRED_CERT);
        SAY(v, "the client rejected the server's certificate; TLS 1.3 hides it, so the reason (name, trust, dates) "
               "is not in the capture");
    } else {
        v->num_evidence = 0;
        return false;
    }
    FIX(v,
        "capture with the client's key log (SSLKEYLOGFILE) to see the certificate, or check it with "
        "openssl s_client -connect %s -servername %s.",
        f->server, f->sni ? f->sni_name : "NAME");
    return true;
}

/* TLS 1.3: certificates are encrypted, but many clients (OpenSSL) send their
 * alert before switching keys, so its description is visible. */
bool td_rule_tls13_rejected(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (!f->tls13 || f->have_cert || f->outcome == TD_OUTCOME_OK || !f->have_sh) {
        return false;
    }
    return left_after_flight(f, v) || alert_after_flight(f, v);
}

bool td_rule_closed_after_handshake(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (!f->note) {
        return false;
    }
    verdict(v, TD_CAUSE_NONE, TD_CONF_LOW, TD_SIDE_NONE);
    td_verdict_candidate(v, TD_CAUSE_CERTIFICATE_REJECTED);
    SAY(v, "the handshake completed but the client closed with an encrypted alert before sending any data: it "
           "may have rejected the certificate or name after the handshake (curl and gnutls-cli do), or it only "
           "wanted the handshake (a health check)");
    td_verdict_alert(v, f, TD_CLIENT);
    FIX(v, "capture with the client's key log (SSLKEYLOGFILE) to see the alert, or check the certificate for %s.",
        f->sni ? f->sni_name : f->server);
    return true;
}
