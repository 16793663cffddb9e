/* The diagnosis rules. Each is a pure function of the facts and of what the
 * capture showed about the same server; the first that recognises the failure
 * names it. None trusts an alert alone: stacks send different alerts for the
 * same fault (OpenSSL says internal_error where protocol_version is meant,
 * Java says certificate_unknown for most PKIX failures, some servers just
 * close), so rules decide from the offers, the choices and the certificates,
 * and use the alert as one piece of evidence. */

#include "diag/rules_internal.h"

#include "base/banned.h"

/* A completed handshake refused right after: by an alert, by the client
 * leaving before any data, or by the server's HTTP 400 about the client
 * certificate. */
static bool refused_after_handshake(const struct td_facts *f)
{
    if (f->outcome != TD_OUTCOME_OK) {
        return false;
    }
    /* A fatal alert before that side sent any data; one after is a failure
     * of the session, not of the handshake, except bad_record_mac: the
     * session died of a record altered on the way (rules_integrity.c). */
    bool bad_mac = (f->alert[TD_CLIENT] && f->alert_level[TD_CLIENT] == TD_ALERT_LEVEL_FATAL &&
                    f->alert_desc[TD_CLIENT] == TD_ALERT_BAD_RECORD_MAC && !f->alert_encrypted[TD_CLIENT]) ||
                   (f->alert[TD_SERVER] && f->alert_level[TD_SERVER] == TD_ALERT_LEVEL_FATAL &&
                    f->alert_desc[TD_SERVER] == TD_ALERT_BAD_RECORD_MAC && !f->alert_encrypted[TD_SERVER]);
    return f->note || bad_mac ||
           (f->alert[TD_CLIENT] && f->alert_level[TD_CLIENT] == TD_ALERT_LEVEL_FATAL && f->appdata[TD_CLIENT] == 0) ||
           (f->alert[TD_SERVER] && f->alert_level[TD_SERVER] == TD_ALERT_LEVEL_FATAL && f->appdata[TD_SERVER] == 0) ||
           client_cert_refused_after(f);
}

static bool rule_unknown(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    verdict(v, TD_CAUSE_UNKNOWN, TD_CONF_LOW, TD_SIDE_NONE);
    SAY(v, "the handshake failed (%s) and no rule recognises why", f->reason ? f->reason : "?");
    if (f->have_ch) {
        td_verdict_hello(v, f);
    }
    td_verdict_alert(v, f, TD_SERVER);
    td_verdict_alert(v, f, TD_CLIENT);
    FIX(v, "read the ladder with -v.");
    return true;
}

/* Order matters: transport and framing first, then client authentication,
 * versions, groups, SNI, ciphers, certificates. */
static const td_rule rules[] = {
    td_rule_upgrade_refused,
    td_rule_not_tls,
    td_rule_malformed,
    td_rule_no_hello,
    td_rule_hello_too_large,
    td_rule_silence,
    td_rule_gap,
    td_rule_integrity,
    td_rule_client_cert,
    td_rule_alert_named,
    td_rule_no_secure_reneg,
    td_rule_version,
    td_rule_inspection_ca,
    td_rule_server_cert,
    td_rule_group,
    td_rule_hrr,
    td_rule_unusable_offer,
    td_rule_rsa_kex,
    td_rule_signature,
    td_rule_sni,
    td_rule_ems,
    td_rule_cipher,
    td_rule_tls13_rejected,
    td_rule_closed_after_handshake,
    rule_unknown,
};

/* A completed handshake nobody refused: it worked, though the chain may be
 * out of order or the capture may have lost part of it. */
static void completed(const struct td_facts *f, struct td_verdict *out)
{
    if (f->chain_misordered) {
        /* The handshake worked because this client rebuilds the path; TLS 1.2
         * requires the order, and stricter clients fail on it. */
        verdict(out, TD_CAUSE_INCORRECT_CHAIN, TD_CONF_MEDIUM, TD_SIDE_SERVER);
        td_verdict_evidence(out, f->cert_frame,
                            "Certificate: certificate %zu is not issued by the next one, %s, but by a later one",
                            f->misordered_at, f->misordered_subject);
        SAY(out, "the handshake completed, but the server sends its chain out of order (RFC 5246 7.4.2 wants each "
                 "certificate to certify the one before it); this client reordered it, stricter ones (older Java, "
                 "embedded stacks) fail");
        FIX(out, "server: send the chain in order: leaf, its issuer, the next one up (check with tlsdiag cert).");
        return;
    }
    if (f->gap_in_handshake) {
        /* Both Finished were read after a gap in the handshake: it
         * completed, but not all of it was seen. Handshake bytes captured
         * and unreadable (a record the gap cut) leave it to the gap. */
        bool unreadable = f->skipped[TD_CLIENT] || f->skipped[TD_SERVER];
        verdict(out, unreadable ? TD_CAUSE_CAPTURE_GAP : TD_CAUSE_NONE, TD_CONF_MEDIUM, TD_SIDE_NONE);
        SAY(out, "both sides finished the handshake, but the capture lost %s%s",
            !f->have_ch   ? "the ClientHello"
            : !f->have_sh ? "the ServerHello"
                          : "part of it",
            unreadable ? " and holds records of it that cannot be read" : "");
        td_verdict_candidate(out, unreadable ? TD_CAUSE_NONE : TD_CAUSE_CAPTURE_GAP);
        if (f->have_ch) {
            td_verdict_hello(out, f);
        }
        td_verdict_evidence(out, f->gap_frame, "gap in the capture");
        if (f->client_appdata_frame) {
            td_verdict_evidence(out, f->client_appdata_frame, "client sends application data");
        }
        FIX(out,
            "nothing, if the handshake is what mattered; capture again (tcpdump -i any -s 0 -B 65536 'tcp port "
            "%u') to see what was negotiated.",
            f->server_port);
        return;
    }
    verdict(out, TD_CAUSE_NONE, TD_CONF_HIGH, TD_SIDE_NONE);
}

/* A capture that ends (or lost bytes) before the handshake did, and shows
 * nothing went wrong. */
static bool incomplete_not_failed(const struct td_facts *f, struct td_verdict *out)
{
    if (f->outcome == TD_OUTCOME_INCOMPLETE && f->gap && f->client_appdata_frame && !f->alert[TD_CLIENT] &&
        !f->alert[TD_SERVER] && !f->rst[TD_CLIENT] && !f->rst[TD_SERVER]) {
        /* A client sends application data only after the server's Finished
         * (0-RTT aside): the handshake completed, the capture lost part of it. */
        verdict(out, TD_CAUSE_NONE, TD_CONF_MEDIUM, TD_SIDE_NONE);
        SAY(out, "the capture lost part of the handshake, but the client went on to send application data, so it "
                 "completed");
        td_verdict_evidence(out, f->gap_frame, "gap in the capture");
        td_verdict_evidence(out, f->client_appdata_frame, "client sends application data");
        return true;
    }
    if (f->outcome == TD_OUTCOME_INCOMPLETE && !f->gap && f->have_sh) {
        verdict(out, TD_CAUSE_NONE, TD_CONF_LOW, TD_SIDE_NONE);
        SAY(out, "the capture ends before the handshake does");
        return true;
    }
    return false;
}

/* Who ended the handshake, when the rule did not say. */
static void settle_aborted_by(const struct td_facts *f, struct td_verdict *out)
{
    uint64_t frame;
    if (out->aborted_by == TD_SIDE_NONE) { /* a rule that knows better has said */
        out->aborted_by = td_aborter(f, &frame);
    }
    if (out->cause == TD_CAUSE_UPGRADE_REFUSED || out->cause == TD_CAUSE_PROXY_REFUSED) {
        out->aborted_by = TD_SIDE_SERVER; /* its refusal ends it, whoever closes the socket */
    }
    if (dir_absent(f, TD_CLIENT) || dir_absent(f, TD_SERVER)) {
        /* Who gave up first cannot be told with one side unseen. */
        out->aborted_by = TD_SIDE_NONE;
    }
    if (out->aborted_by == TD_SIDE_NONE && out->cause == TD_CAUSE_NO_RESPONSE) {
        out->aborted_by = TD_SIDE_NETWORK;
    }
}

void td_diagnose(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *out)
{
    td_memzero(out, sizeof *out);
    bool after = refused_after_handshake(f);
    if (f->outcome == TD_OUTCOME_OK && !after) {
        completed(f, out);
        return;
    }
    if (incomplete_not_failed(f, out)) {
        return;
    }
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        struct td_verdict v;
        td_memzero(&v, sizeof v);
        if (rules[i](f, sv, &v)) {
            *out = v;
            break;
        }
    }
    settle_aborted_by(f, out);
    out->changed = td_change_find(out->cause, f);
    out->rejected_after_handshake = after && out->cause != TD_CAUSE_NONE;
}
