/* Integrity failures: bad_record_mac (20) and decrypt_error (51), told apart
 * by what they answer (facts_alert.c keeps the peer's last message before
 * the alert).
 *   - decrypt_error to a ClientHello with pre_shared_key: its binder did not
 *     verify (RFC 8446 4.2.11; OpenSSL says illegal_parameter): keys_differ.
 *   - decrypt_error as the client's first answer to a TLS 1.2 flight with a
 *     ServerKeyExchange: the only check made so far is that signature
 *     (RFC 5246 7.4.3): key_mismatch; the same from the server after the
 *     client's CertificateVerify (7.4.8), the client's key; in TLS 1.3, read
 *     with a key log, the client's after the server's CertificateVerify and
 *     Finished (RFC 8446 4.4.3, 4.4.4: one of the two).
 *   - either alert to the first record under the new keys (the TLS 1.2
 *     Finished), before the handshake completed: the keys differ (a PSK, a
 *     resumed session, a middlebox rewriting the handshake): keys_differ.
 *   - bad_record_mac after the handshake completed: both Finished verified,
 *     so the keys matched; the record was altered between the two stacks:
 *     record_corrupted.
 * Only the first two are proven by position alone; what made the keys or
 * the bytes differ is suspected, and the verdict says which part is which. */
#include <stdio.h>
#include <string.h>

#include "diag/rules_internal.h"

#include "base/banned.h"

/* The side whose first fatal alert, in clear (or decrypted), is one of these. */
static bool fatal(const struct td_facts *f, enum td_role s, uint8_t a, uint8_t b)
{
    return f->alert[s] && f->alert_level[s] == TD_ALERT_LEVEL_FATAL && !f->alert_encrypted[s] &&
           (f->alert_desc[s] == a || f->alert_desc[s] == b);
}

static bool psk_binder(const struct td_facts *f, struct td_verdict *v)
{
    if (!f->ch_psk || f->have_sh || f->hrr ||
        !fatal(f, TD_SERVER, TD_ALERT_DECRYPT_ERROR, TD_ALERT_ILLEGAL_PARAMETER)) {
        return false;
    }
    bool rfc = f->alert_desc[TD_SERVER] == TD_ALERT_DECRYPT_ERROR;
    verdict(v, TD_CAUSE_KEYS_DIFFER, rfc ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_BOTH);
    td_verdict_hello(v, f);
    td_verdict_evidence(v, f->ch_frame, "ClientHello offers a pre-shared key (pre_shared_key with its binder)");
    td_verdict_alert(v, f, TD_SERVER);
    SAY(v,
        "%s refused the ClientHello's pre-shared key with %s: the binder, a MAC made with the PSK, did not verify "
        "(RFC 8446 4.2.11%s), so the client's key for that identity is not the server's",
        f->server, rfc ? "decrypt_error" : "illegal_parameter",
        rfc ? "" : "; OpenSSL answers a bad binder with illegal_parameter, which other faults also give");
    FIX(v, "give the client and the server the same PSK for the identity (OpenSSL -psk/-psk_identity, "
           "SSL_CTX_set_psk_find_session_callback); a stale resumption ticket from another server also fails so.");
    v->aborted_by = TD_SIDE_SERVER;
    return true;
}

/* TLS 1.3, the alert decrypted with a key log: the client's decrypt_error
 * to the server's flight (its CertificateVerify, then its Finished). */
static bool server_flight13(const struct td_facts *f, struct td_verdict *v)
{
    if (!f->tls13 || f->client_finished || !fatal(f, TD_CLIENT, TD_ALERT_DECRYPT_ERROR, TD_ALERT_DECRYPT_ERROR) ||
        strcmp(f->before_alert[TD_CLIENT], "Finished") != 0) {
        return false;
    }
    verdict(v, TD_CAUSE_KEY_MISMATCH, TD_CONF_MEDIUM, TD_SIDE_SERVER);
    td_verdict_evidence(v, f->before_alert_frame[TD_CLIENT], "the server's CertificateVerify and Finished");
    td_verdict_alert(v, f, TD_CLIENT);
    SAY(v,
        "the client answered %s's encrypted flight with decrypt_error (read with the key log): its "
        "CertificateVerify did not verify with the certificate's key (a key that is not the certificate's), or its "
        "Finished did not match (RFC 8446 4.4.3, 4.4.4); the alert does not say which",
        f->server);
    FIX(v, "server: check that the key and the certificate belong together (tlsdiag cert CERT --key KEY).");
    td_verdict_candidate(v, TD_CAUSE_KEYS_DIFFER);
    v->aborted_by = TD_SIDE_CLIENT;
    return true;
}

/* decrypt_error right after a signature the alerting side had to verify. */
static bool bad_signature(const struct td_facts *f, struct td_verdict *v)
{
    bool ske = f->ske_frame && f->version < TD_VERSION_TLS1_3 &&
               fatal(f, TD_CLIENT, TD_ALERT_DECRYPT_ERROR, TD_ALERT_DECRYPT_ERROR) &&
               f->client_later_frame == f->alert_frame[TD_CLIENT];
    bool cv = !ske && f->version < TD_VERSION_TLS1_3 && f->client_cert_seen && !f->client_cert_empty &&
              fatal(f, TD_SERVER, TD_ALERT_DECRYPT_ERROR, TD_ALERT_DECRYPT_ERROR) && f->outcome != TD_OUTCOME_OK;
    if (!ske && !cv) {
        return server_flight13(f, v);
    }
    verdict(v, TD_CAUSE_KEY_MISMATCH, TD_CONF_MEDIUM, ske ? TD_SIDE_SERVER : TD_SIDE_CLIENT);
    td_verdict_evidence(v, ske ? f->ske_frame : f->client_cert_frame, "%s",
                        ske ? "ServerKeyExchange, signed with the server's key"
                            : "client Certificate, then its CertificateVerify");
    td_verdict_alert(v, f, ske ? TD_CLIENT : TD_SERVER);
    if (ske) {
        SAY(v,
            "the client answered the ServerKeyExchange with decrypt_error before sending anything else: the one "
            "check made by then is that signature (RFC 5246 7.4.3), so it did not verify with the public key of "
            "the certificate %s sent (proven); the server signing with a key that is not its certificate's is "
            "the usual reason, a middlebox altering the message the other (suspected)",
            f->server);
        FIX(v, "server: install the certificate and the key that belong together (tlsdiag cert CERT --key KEY "
               "says whether they do; keystores with several entries: check the alias).");
    } else {
        SAY(v,
            "%s answered the client's certificate flight with decrypt_error: its CertificateVerify did not verify "
            "with the key of the certificate it sent (RFC 5246 7.4.8), or its Finished did not match (a middlebox "
            "altering the handshake); which one is not visible",
            f->server);
        FIX(v, "client: use the key that belongs to the client certificate (tlsdiag cert CERT --key KEY; a "
               "keystore entry whose key and chain were imported separately).");
        td_verdict_candidate(v, TD_CAUSE_KEYS_DIFFER);
    }
    return true;
}

/* Either alert to the first record under the new keys, in a handshake that
 * did not complete. */
static bool first_protected(const struct td_facts *f, struct td_verdict *v)
{
    enum td_role s = fatal(f, TD_SERVER, TD_ALERT_BAD_RECORD_MAC, TD_ALERT_DECRYPT_ERROR) ? TD_SERVER : TD_CLIENT;
    if (f->outcome == TD_OUTCOME_OK || !f->have_sh || !fatal(f, s, TD_ALERT_BAD_RECORD_MAC, TD_ALERT_DECRYPT_ERROR) ||
        strcmp(f->before_alert[s], "Finished") != 0) {
        return false;
    }
    const char *suite = td_suite_name(f->suite);
    bool psk = suite && strstr(suite, "_PSK_") != NULL;
    verdict(v, TD_CAUSE_KEYS_DIFFER, psk ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_BOTH);
    td_verdict_evidence(v, f->before_alert_frame[s], "%s's Finished: its first record under the new keys",
                        s == TD_SERVER ? "client" : "server");
    td_verdict_alert(v, f, s);
    char sb[64];
    SAY(v,
        "the %s could not verify the %s's Finished, the first record protected with the keys just negotiated "
        "(%s): the two sides hold different keys (proven). %s",
        s == TD_SERVER ? "server" : "client", s == TD_SERVER ? "client" : "server",
        td_suite_str(f->suite, sb, sizeof sb),
        psk ? "The suite takes its keys from the pre-shared key: the PSKs (or the identity they are looked up by) "
              "differ"
        : f->resumed ? "The session was resumed (no Certificate): the resumed session's secret differs, a session "
                       "cache or ticket key shared wrongly between servers (suspected)"
                     : "Suspected: a middlebox that rewrote the handshake, or stacks that disagree on "
                       "extended_master_secret or encrypt_then_mac");
    FIX(v, "%s",
        psk          ? "give both sides the same PSK for the identity the client sends."
        : f->resumed ? "server: share the session cache and ticket keys across the servers behind the name, or turn "
                       "resumption off to confirm."
                     : "capture at the server as well: if its ClientHello or ServerHello differ from these, a "
                       "middlebox rewrites them; else update the stack that miscomputes the keys.");
    if (!psk) {
        td_verdict_candidate(v, TD_CAUSE_RECORD_CORRUPTED);
    }
    v->aborted_by = s == TD_SERVER ? TD_SIDE_SERVER : TD_SIDE_CLIENT;
    return true;
}

/* bad_record_mac after a completed handshake: the connection's outcome
 * says so, or the record refused is application data, which TLS 1.2 sends
 * only once both Finished verified (early data aside, TLS 1.3 too). */
static bool corrupted(const struct td_facts *f, struct td_verdict *v)
{
    enum td_role s = fatal(f, TD_SERVER, TD_ALERT_BAD_RECORD_MAC, TD_ALERT_BAD_RECORD_MAC) ? TD_SERVER : TD_CLIENT;
    bool after = f->outcome == TD_OUTCOME_OK || (strcmp(f->before_alert[s], "ApplicationData") == 0 &&
                                                 f->appdata_before_alert[s] && (!f->tls13 || f->client_finished));
    if (!after || !fatal(f, s, TD_ALERT_BAD_RECORD_MAC, TD_ALERT_BAD_RECORD_MAC)) {
        return false;
    }
    const char *peer = s == TD_SERVER ? "client" : "server";
    verdict(v, TD_CAUSE_RECORD_CORRUPTED, TD_CONF_MEDIUM, TD_SIDE_NETWORK);
    td_verdict_evidence(v, f->sh_frame, "the handshake completed: both Finished verified, so the keys matched");
    if (f->before_alert_frame[s]) {
        td_verdict_evidence(v, f->before_alert_frame[s],
                            "%s's %s, the record before the alert (application "
                            "data record %u from it)",
                            peer, f->before_alert[s], (unsigned)f->appdata_before_alert[s]);
    }
    td_verdict_alert(v, f, s);
    SAY(v,
        "after a handshake that worked (the keys matched: both Finished verified), the %s refused a record of the "
        "%s with bad_record_mac: its bytes changed between the two TLS stacks (proven as far as the alert is "
        "true); by whom is suspected: a middlebox that rewrites payload, a NIC or driver offload bug, memory",
        s == TD_SERVER ? "server" : "client", peer);
    FIX(v, "capture at both ends and compare the record; turn segmentation and TLS offloads off on the hosts "
           "between (ethtool -K IFACE tso off gso off gro off); bypass the middlebox on the path.");
    td_verdict_candidate(v, TD_CAUSE_KEYS_DIFFER);
    v->aborted_by = s == TD_SERVER ? TD_SIDE_SERVER : TD_SIDE_CLIENT;
    return true;
}

bool td_rule_integrity(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    return psk_binder(f, v) || bad_signature(f, v) || first_protected(f, v) || corrupted(f, v);
}
