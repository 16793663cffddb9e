/* The rules for what happened below TLS, or before it: a refused upgrade,
 * plain text, a malformed message, no ClientHello, silence, a capture gap. */

#include "diag/rules_internal.h"

#include "base/banned.h"

bool td_rule_not_tls(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    /* Plain text is proven only where the direction's first bytes were
     * captured: the middle of a Certificate is not plain text. */
    for (int side = 0; side < 2; side++) {
        if (f->not_tls[side] && (!dir_from_start(f, side) || (f->cov.valid && f->gap_side[side] &&
                                                              f->gap_side_frame[side] <= f->not_tls_frame[side]))) {
            td_verdict_capture_limited(v, f, TD_CONF_MEDIUM,
                                       side == TD_CLIENT ? "the client's captured bytes are not TLS, but they "
                                                           "may be the middle of its stream"
                                                         : "the server's captured bytes are not TLS, but they "
                                                           "may be the middle of its stream");
            td_verdict_evidence(v, f->not_tls_frame[side], "%s sends \"%.60s\"",
                                side == TD_CLIENT ? "client" : "server", f->not_tls_text[side]);
            if (!f->tls) {
                /* Nothing in the capture is TLS: neither a lost TLS stream
                 * nor plain text is shown. */
                verdict(v, TD_CAUSE_UNKNOWN, TD_CONF_LOW, TD_SIDE_NONE);
                td_verdict_candidate(v, TD_CAUSE_CAPTURE_GAP);
            }
            td_verdict_candidate(v, TD_CAUSE_NOT_TLS);
            return true;
        }
    }
    if (f->not_tls[TD_CLIENT]) {
        verdict(v, TD_CAUSE_NOT_TLS, TD_CONF_HIGH, TD_SIDE_CLIENT);
        SAY(v, "the client sent plain text to %s, which expects TLS: \"%.60s\"", f->server, f->not_tls_text[TD_CLIENT]);
        td_verdict_evidence(v, f->not_tls_frame[TD_CLIENT], "client sends \"%.60s\"", f->not_tls_text[TD_CLIENT]);
        if (f->not_tls[TD_SERVER]) {
            td_verdict_evidence(v, f->not_tls_frame[TD_SERVER], "server answers in plain text: \"%.60s\"",
                                f->not_tls_text[TD_SERVER]);
        }
        td_verdict_alert(v, f, TD_SERVER);
        FIX(v, "client: use https:// (TLS) for port %u, or the server's plain-text port.", f->server_port);
        return true;
    }
    if (f->not_tls[TD_SERVER] && f->tls) {
        verdict(v, TD_CAUSE_NOT_TLS, TD_CONF_HIGH, TD_SIDE_SERVER);
        SAY(v, "the client started TLS but %s answered in plain text: \"%.60s\"", f->server,
            f->not_tls_text[TD_SERVER]);
        td_verdict_hello(v, f);
        td_verdict_evidence(v, f->not_tls_frame[TD_SERVER], "server answers \"%.60s\"", f->not_tls_text[TD_SERVER]);
        FIX(v, "server: enable TLS on port %u, or client: connect to the server's TLS port.", f->server_port);
        return true;
    }
    return false;
}

/* The plain-text preamble before TLS (STARTTLS, a proxy) was answered with a refusal. */
bool td_rule_upgrade_refused(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (!f->upgrade_refused) { /* even when the client then sent a ClientHello anyway */
        return false;
    }
    verdict(v, f->preamble_proxy ? TD_CAUSE_PROXY_REFUSED : TD_CAUSE_UPGRADE_REFUSED, TD_CONF_HIGH, TD_SIDE_SERVER);
    if (f->preamble_proxy) {
        SAY(v, "the %s proxy %s refused to open the tunnel: \"%.80s\"", f->preamble_proto, f->server, f->refused_text);
        FIX(v, "proxy: allow this client and target (access rules, credentials); or client: use another proxy.");
    } else {
        SAY(v, "the client asked %s to start TLS (%s) and the server refused: \"%.80s\"", f->server, f->preamble_proto,
            f->refused_text);
        FIX(v, "server: enable TLS for %s on port %u; or client: do not require TLS from this server.",
            f->preamble_proto, f->server_port);
    }
    td_verdict_evidence(v, f->refused_frame, "%s answer: %.80s", f->preamble_proto, f->refused_text);
    return true;
}

/* A message tlsdiag could not read: broken encoding, or longer than it keeps. */
bool td_rule_malformed(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (!f->malformed && !f->over_limit) {
        return false;
    }
    int side = f->malformed_side, peer = 1 - side;
    const char *who = side == TD_CLIENT ? "client" : "server";
    if (f->over_limit) {
        verdict(v, TD_CAUSE_OVER_LIMIT, TD_CONF_LOW, TD_SIDE_NONE);
        SAY(v,
            "the %s sent a handshake message over the limit (%u bytes) that tlsdiag reassembles; the rest of "
            "its side is not decoded, so why the handshake failed is not known",
            who, f->over_limit_len);
        td_verdict_evidence(v, f->malformed_frame, "%.200s", f->malformed_text);
        FIX(v, "nothing known to be wrong; read the capture with tshark for the rest of the handshake.");
        return true;
    }
    /* The peer's decode_error / illegal_parameter / unexpected_message (or reset) confirms it. */
    bool confirmed = (f->alert[peer] && f->alert_level[peer] == TD_ALERT_LEVEL_FATAL &&
                      (f->alert_desc[peer] == TD_ALERT_DECODE_ERROR ||
                       f->alert_desc[peer] == TD_ALERT_ILLEGAL_PARAMETER ||
                       f->alert_desc[peer] == TD_ALERT_UNEXPECTED_MESSAGE)) ||
                     f->rst[peer];
    verdict(v, TD_CAUSE_MALFORMED_MESSAGE, confirmed ? TD_CONF_HIGH : TD_CONF_MEDIUM,
            side == TD_CLIENT ? TD_SIDE_CLIENT : TD_SIDE_SERVER);
    SAY(v, "the %s sent a malformed %.200s", who, f->malformed_text);
    td_verdict_evidence(v, f->malformed_frame, "malformed %.200s", f->malformed_text);
    td_verdict_alert(v, f, peer);
    FIX(v, "%s: fix or update the TLS stack that writes these bytes (or the middlebox that rewrites them).", who);
    return true;
}

bool td_rule_no_hello(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (f->have_ch) {
        return false;
    }
    /* "The client sent nothing" holds only for a client direction captured
     * from its start, whole, carrying no TLS at all. */
    if (dir_absent(f, TD_CLIENT) || !dir_from_start(f, TD_CLIENT) || dir_lossy(f, TD_CLIENT) || f->cov.midstream) {
        td_verdict_capture_limited(v, f, TD_CONF_MEDIUM,
                                   "no ClientHello in the capture, but the capture cannot show one");
        td_verdict_candidate(v, TD_CAUSE_UNKNOWN);
        return true;
    }
    if (f->cov.valid && (f->client_msgs > 0 || f->cov.dir[TD_CLIENT].payload_bytes > 0)) {
        verdict(v, TD_CAUSE_UNKNOWN, TD_CONF_MEDIUM, TD_SIDE_CLIENT);
        SAY(v, "the client sent %llu bytes to %s, but no ClientHello could be read from them",
            (unsigned long long)f->cov.dir[TD_CLIENT].payload_bytes, f->server);
        td_verdict_evidence(v, f->first_client_frame ? f->first_client_frame : f->cov.dir[TD_CLIENT].first_frame,
                            "first bytes of the client");
        td_verdict_alert(v, f, TD_SERVER);
        td_verdict_alert(v, f, TD_CLIENT);
        FIX(v, "read the ladder with -v: the client's first record is not a ClientHello this tool can decode.");
        return true;
    }
    verdict(v, TD_CAUSE_NO_CLIENT_HELLO, TD_CONF_HIGH, TD_SIDE_NONE);
    SAY(v, "the client opened a TCP connection to %s and closed it without sending a ClientHello", f->server);
    if (f->fin[TD_CLIENT]) {
        td_verdict_evidence(v, f->fin_frame[TD_CLIENT], "client closes (FIN) before any TLS");
    }
    if (f->rst[TD_CLIENT]) {
        td_verdict_evidence(v, f->rst_frame[TD_CLIENT], "client resets before any TLS");
    }
    td_verdict_alert(v, f, TD_SERVER);
    FIX(v, "nothing, if this is a port check or health probe; otherwise see why the client gave up before TLS.");
    return true;
}

bool td_rule_silence(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (!f->have_ch || f->server_msgs > 0) {
        return false;
    }
    /* Silence is proven only for a server direction in the capture, or by
     * the client's ACKs, which say what it received. */
    const struct td_dir_coverage *scov = &f->cov.dir[TD_SERVER];
    if (f->cov.valid && (scov->acked_missing || dir_lossy(f, TD_SERVER))) {
        td_verdict_capture_limited(v, f, TD_CONF_MEDIUM,
                                   "the server did answer (the client acknowledged its bytes), but the "
                                   "capture does not hold the answer");
        return true;
    }
    if (dir_absent(f, TD_SERVER)) {
        if (f->client_later_frame) {
            td_verdict_capture_limited(v, f, TD_CONF_MEDIUM,
                                       "the client went on past its ClientHello, so the server answered, "
                                       "but the capture does not hold the answer");
            return true;
        }
        if (!scov->acked || !f->cov.dir[TD_CLIENT].syn) {
            td_verdict_capture_limited(v, f, TD_CONF_LOW,
                                       "no answer to the ClientHello in the capture, but the server's "
                                       "direction is not in it");
            td_verdict_candidate(v, TD_CAUSE_NO_RESPONSE);
            return true;
        }
        /* The client's ACKs never moved past the server's SYN-ACK: it received nothing. */
        td_verdict_hello(v, f);
        verdict(v, TD_CAUSE_NO_RESPONSE, TD_CONF_MEDIUM, TD_SIDE_SERVER);
        SAY(v,
            "nothing answered the ClientHello to %s: the client's acknowledgements show it received no byte "
            "(the server's direction is not in the capture)",
            f->server);
        FIX(v, "server side: check the process and what is in front of it on port %u.", f->server_port);
        td_verdict_candidate(v, TD_CAUSE_CAPTURE_GAP);
        return true;
    }
    td_verdict_hello(v, f);
    if (f->rst[TD_SERVER] && server_closed_first(f)) {
        verdict(v, TD_CAUSE_TCP_RESET, TD_CONF_HIGH, TD_SIDE_SERVER);
        td_verdict_evidence(v, f->rst_frame[TD_SERVER], "TCP RST from the server's side");
        if (td_verdict_rst_origin(v, f) == TD_RST_OTHER_HOP) {
            /* the reset is proven; who sent it is read from a TTL: medium */
            verdict(v, TD_CAUSE_TCP_RESET, TD_CONF_MEDIUM, TD_SIDE_NETWORK);
            SAY(v,
                "the connection to %s was reset after the ClientHello, by a device between (its TTL is not the "
                "server's): a firewall, IPS or load balancer refusing the hello",
                f->server);
            FIX(v,
                "network: find the device at that hop (traceroute -T -p %u) and why it refuses the ClientHello "
                "(SNI filtering, TLS inspection, a hello it cannot parse).",
                f->server_port);
            td_verdict_candidate(v, TD_CAUSE_HELLO_INTOLERANCE);
            v->aborted_by = TD_SIDE_NETWORK;
            return true;
        }
        SAY(v, "%s reset the connection after the ClientHello without a word of TLS", f->server);
        FIX(v, "server: check that it (not a firewall or load balancer in front) accepts TLS on port %u.",
            f->server_port);
        td_verdict_candidate(v, TD_CAUSE_PROTOCOL_MISMATCH);
        return true;
    }
    if (server_closed_first(f)) {
        return false; /* a silent close: a refusal; the version/SNI/cipher rules weigh it */
    }
    verdict(v, TD_CAUSE_NO_RESPONSE, TD_CONF_HIGH, TD_SIDE_SERVER);
    SAY(v, "nothing answered the ClientHello to %s%s", f->server,
        f->rst[TD_CLIENT] ? "; the client gave up and reset"
                          : (f->fin[TD_CLIENT] ? "; the client gave up and closed" : ""));
    if (f->rst[TD_CLIENT]) {
        td_verdict_evidence(v, f->rst_frame[TD_CLIENT], "client resets");
    } else if (f->fin[TD_CLIENT]) {
        td_verdict_evidence(v, f->fin_frame[TD_CLIENT], "client closes");
    }
    FIX(v, "server side: check the process and what is in front of it on port %u.", f->server_port);
    return true;
}

bool td_rule_gap(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    /* An encrypted alert says nothing readable (close_notify or fatal): the
     * gap is what hides the cause. */
    if (!f->gap || (f->alert[TD_CLIENT] && !f->alert_encrypted[TD_CLIENT]) ||
        (f->alert[TD_SERVER] && !f->alert_encrypted[TD_SERVER])) {
        return false;
    }
    verdict(v, TD_CAUSE_CAPTURE_GAP, TD_CONF_MEDIUM, TD_SIDE_NONE);
    SAY(v, "bytes of the handshake are missing from the capture, so what happened cannot be read");
    td_verdict_evidence(v, f->gap_frame, "gap in the capture");
    FIX(v, "capture again (tcpdump -s 0 -B 65536) on the host itself.");
    return true;
}
