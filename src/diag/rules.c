/* The diagnosis rules. Each is a pure function of the facts and of what the
 * capture showed about the same server; the first that recognises the failure
 * names it. None trusts an alert alone: stacks send different alerts for the
 * same fault (OpenSSL says internal_error where protocol_version is meant,
 * Java says certificate_unknown for most PKIX failures, some servers just
 * close), so rules decide from the offers, the choices and the certificates,
 * and use the alert as one piece of evidence. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag/diag.h"
#include "tls/names.h"

#include "base/banned.h"

enum { A_CLOSE_NOTIFY = 0, A_HANDSHAKE_FAILURE = 40, A_BAD_CERTIFICATE = 42, A_UNSUPPORTED_CERTIFICATE = 43,
       A_CERTIFICATE_EXPIRED = 45, A_CERTIFICATE_UNKNOWN = 46, A_UNKNOWN_CA = 48, A_ACCESS_DENIED = 49,
       A_DECODE_ERROR = 50, A_DECRYPT_ERROR = 51, A_PROTOCOL_VERSION = 70, A_INSUFFICIENT_SECURITY = 71, A_INTERNAL_ERROR = 80,
       A_UNRECOGNIZED_NAME = 112, A_CERTIFICATE_REQUIRED = 116 };
enum { C = 0, S = 1 };

static void evidence(struct td_verdict *v, uint64_t frame, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void evidence(struct td_verdict *v, uint64_t frame, const char *fmt, ...)
{
    if (v->num_evidence >= TD_MAX_EVIDENCE) {
        return;
    }
    struct td_evidence *e = &v->evidence[v->num_evidence++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->what, sizeof e->what, fmt, ap);
    va_end(ap);
    e->frame = frame;
}

static void explain(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void explain(char *out, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, len, fmt, ap);
    va_end(ap);
}
#define SAY(v, ...) explain((v)->explanation, sizeof (v)->explanation, __VA_ARGS__)
#define FIX(v, ...) explain((v)->fix, sizeof (v)->fix, __VA_ARGS__)

static void verdict(struct td_verdict *v, enum td_cause cause, enum td_confidence conf, enum td_side fix_side)
{
    v->cause = cause;
    v->confidence = conf;
    v->fix_side = fix_side;
}

static void candidate(struct td_verdict *v, enum td_cause c)
{
    for (size_t i = 0; i < v->num_candidates; i++) {
        if (v->candidates[i] == c) {
            return;
        }
    }
    if (v->num_candidates < TD_MAX_CANDIDATES && c != v->cause) {
        v->candidates[v->num_candidates++] = c;
    }
}

static const char *ver(uint16_t x, char *buf, size_t len) { return td_version_str(x, buf, len); }

static bool has_u16(const struct td_u16s *s, uint16_t x)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i] == x) {
            return true;
        }
    }
    return false;
}

/* The side that gave up first during the handshake, and the frame. */
static enum td_side aborter(const struct td_facts *f, uint64_t *frame)
{
    uint64_t best = UINT64_MAX;
    enum td_side who = TD_SIDE_NONE;
    for (int side = 0; side < 2; side++) {
        uint64_t cands[3] = {f->alert[side] && f->alert_level[side] != 1 ? f->alert_frame[side] : 0,
                             f->alert[side] && f->alert_desc[side] == A_CLOSE_NOTIFY ? f->alert_frame[side] : 0,
                             /* the earlier of its FIN and RST: a FIN, then a RST when data still comes */
                             f->fin[side] && (!f->rst[side] || f->fin_frame[side] < f->rst_frame[side])
                                 ? f->fin_frame[side]
                                 : f->rst[side] ? f->rst_frame[side] : 0};
        for (int i = 0; i < 3; i++) {
            if (cands[i] && cands[i] < best) {
                best = cands[i];
                who = side == C ? TD_SIDE_CLIENT : TD_SIDE_SERVER;
            }
        }
    }
    *frame = best == UINT64_MAX ? 0 : best;
    return who;
}

static void alert_evidence(struct td_verdict *v, const struct td_facts *f, int side)
{
    char a[48], r[48];
    if (!f->alert[side]) {
        return;
    }
    if (f->alert_encrypted[side]) {
        evidence(v, f->alert_frame[side], "encrypted alert from the %s", side == C ? "client" : "server");
        return;
    }
    evidence(v, f->alert_frame[side], "Alert from the %s: %s %s, record version %s", side == C ? "client" : "server",
             f->alert_level[side] == 2 ? "fatal" : "warning", td_alert_str(f->alert_desc[side], a, sizeof a),
             ver(f->alert_version[side], r, sizeof r));
}

/* "TLSv1.2-TLSv1.3" from supported_versions, or "up to TLSv1.0" from legacy_version alone. */
static const char *offered(const struct td_facts *f, char *out, size_t len)
{
    char a[48], b[48];
    if (!f->ch_supported_versions) {
        snprintf(out, len, "up to %s", ver(f->ch_max, a, sizeof a));
    } else if (f->ch_min == f->ch_max) {
        snprintf(out, len, "%s only", ver(f->ch_max, a, sizeof a));
    } else {
        snprintf(out, len, "%s-%s", ver(f->ch_min, a, sizeof a), ver(f->ch_max, b, sizeof b));
    }
    return out;
}

static void ch_evidence(struct td_verdict *v, const struct td_facts *f)
{
    char o[100];
    evidence(v, f->ch_frame, "ClientHello offers %s, %zu suites, %s", offered(f, o, sizeof o), f->ch_suites.n,
             f->sni ? f->sni_name : "no SNI");
}

/* The server ended the connection before the client did (closing its half
 * after the client gave up is not a refusal). */
static bool server_closed_first(const struct td_facts *f)
{
    uint64_t s = f->rst[S] ? f->rst_frame[S] : (f->fin[S] ? f->fin_frame[S] : 0);
    uint64_t c = f->rst[C] ? f->rst_frame[C] : (f->fin[C] ? f->fin_frame[C] : 0);
    return s && (!c || s < c);
}

/* The server turned the ClientHello down: no ServerHello, then an alert or a close. */
static bool server_refused_hello(const struct td_facts *f)
{
    return f->have_ch && !f->have_sh && !f->hrr && (f->alert[S] || server_closed_first(f));
}

static bool server_accepted_version_in(const struct td_server_view *sv, uint16_t lo, uint16_t hi)
{
    for (uint16_t x = lo; x <= hi && x <= 0x0304; x++) {
        if ((x >> 8) == 3 && (sv->versions_ok & (1u << (x & 0xff)))) {
            return true;
        }
    }
    return false;
}

/* ---- coverage: what the capture holds ---- */

/* cov.valid is false for hand-built facts and captures made by tlsdiag lab:
 * both directions from the SYN, nothing lost. */
static bool dir_absent(const struct td_facts *f, int side)
{
    return f->cov.valid && f->cov.dir[side].segments == 0;
}

static bool dir_lossy(const struct td_facts *f, int side)
{
    const struct td_dir_coverage *d = &f->cov.dir[side];
    return f->cov.valid && (d->snap_bytes || d->gap_bytes || d->acked_missing || f->gap_side[side]);
}

/* The direction's first byte is in the capture (or it sent no byte at all,
 * and its SYN is there to prove the connection is seen from its start). */
static bool dir_from_start(const struct td_facts *f, int side)
{
    const struct td_dir_coverage *d = &f->cov.dir[side];
    if (!f->cov.valid) {
        return true;
    }
    return d->payload_bytes || d->snap_frames ? d->from_start : d->syn;
}

/* "the capture holds the server's direction only; ..." */
static const char *coverage_words(const struct td_facts *f, char *out, size_t len)
{
    const struct td_dir_coverage *cl = &f->cov.dir[C], *sv = &f->cov.dir[S];
    size_t n = 0;
    out[0] = '\0';
#define ADD(...)                                                                                                      \
    do {                                                                                                              \
        if (n < len) {                                                                                                \
            int w_ = snprintf(out + n, len - n, "%s", n ? "; " : "");                                                 \
            n += w_ > 0 ? (size_t)w_ : 0;                                                                             \
        }                                                                                                             \
        if (n < len) {                                                                                                \
            int w_ = snprintf(out + n, len - n, __VA_ARGS__);                                                         \
            n += w_ > 0 ? (size_t)w_ : 0;                                                                             \
        }                                                                                                             \
    } while (0)
    if (!cl->segments && sv->segments) {
        ADD("the capture holds the server's direction only");
    } else if (cl->segments && !sv->segments) {
        ADD("the capture holds the client's direction only");
    }
    if (f->cov.midstream) {
        ADD("it starts mid-connection (no SYN captured)");
    } else if (cl->segments && !dir_from_start(f, C)) {
        ADD("the client's first bytes are not in it");
    } else if (sv->segments && !dir_from_start(f, S)) {
        ADD("the server's first bytes are not in it");
    }
    if (cl->snap_frames + sv->snap_frames) {
        ADD("%llu frames cut by the snap length", (unsigned long long)(cl->snap_frames + sv->snap_frames));
    }
    if (sv->acked_missing) {
        ADD("the client acknowledged %llu bytes from the server that it does not hold",
            (unsigned long long)sv->acked_missing);
    }
    if (cl->acked_missing) {
        ADD("the server acknowledged %llu bytes from the client that it does not hold",
            (unsigned long long)cl->acked_missing);
    }
    if (!n && (f->gap_side[C] || f->gap_side[S] || cl->gap_bytes || sv->gap_bytes)) {
        ADD("bytes of the connection are missing from it");
    }
    if (!n) {
        ADD("it does not hold enough of the connection");
    }
#undef ADD
    return out;
}

/* A verdict bounded by coverage: the capture cannot show the cause. */
static void capture_limited(struct td_verdict *v, const struct td_facts *f, enum td_confidence conf,
                            const char *what_unseen)
{
    char cw[300];
    verdict(v, TD_CAUSE_CAPTURE_GAP, conf, TD_SIDE_NONE);
    SAY(v, "%s: %s", what_unseen, coverage_words(f, cw, sizeof cw));
    const struct td_dir_coverage *cl = &f->cov.dir[C], *sv = &f->cov.dir[S];
    if (f->have_ch) {
        ch_evidence(v, f);
    } else if (f->first_client_frame) {
        evidence(v, f->first_client_frame, "first captured bytes of the client");
    }
    if (f->client_later_frame) {
        evidence(v, f->client_later_frame, "the client goes on with %s", f->client_later);
    }
    if (f->have_sh) {
        evidence(v, f->sh_frame, "ServerHello");
    } else if (f->first_server_frame) {
        evidence(v, f->first_server_frame, "first captured bytes of the server");
    }
    if (f->have_cert) {
        evidence(v, f->cert_frame, "server Certificate");
    }
    alert_evidence(v, f, S);
    alert_evidence(v, f, C);
    for (int side = 0; side < 2; side++) {
        if (f->gap_side[side]) {
            evidence(v, f->gap_side_frame[side], "bytes from the %s missing from the capture",
                     side == C ? "client" : "server");
        }
    }
    if (!cl->segments || !sv->segments) {
        FIX(v, "capture both directions: on the host itself or with -i any, and a filter on the port, not on a "
               "source or destination alone (tcpdump -i any -s 0 -B 65536 'tcp port %u').", f->server_port);
    } else if (cl->snap_frames || sv->snap_frames) {
        FIX(v, "capture whole frames: tcpdump -s 0 (the snap length cut the TLS records).");
    } else if (f->cov.midstream) {
        FIX(v, "start the capture before the connection opens (tcpdump -i any -s 0 -B 65536 'tcp port %u').",
            f->server_port);
    } else {
        FIX(v, "capture again with a larger buffer (tcpdump -s 0 -B 65536), on the host itself.");
    }
}

/* ---- the rules ---- */

static bool rule_not_tls(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    /* Plain text is proven only where the direction's first bytes were
     * captured: the middle of a Certificate is not plain text. */
    for (int side = 0; side < 2; side++) {
        if (f->not_tls[side] && (!dir_from_start(f, side) || (f->cov.valid && f->gap_side[side] &&
                                                              f->gap_side_frame[side] <= f->not_tls_frame[side]))) {
            capture_limited(v, f, TD_CONF_MEDIUM, side == C ? "the client's captured bytes are not TLS, but they "
                                                              "may be the middle of its stream"
                                                            : "the server's captured bytes are not TLS, but they "
                                                              "may be the middle of its stream");
            evidence(v, f->not_tls_frame[side], "%s sends \"%.60s\"", side == C ? "client" : "server",
                     f->not_tls_text[side]);
            if (!f->tls) {
                /* Nothing in the capture is TLS: neither a lost TLS stream
                 * nor plain text is shown. */
                verdict(v, TD_CAUSE_UNKNOWN, TD_CONF_LOW, TD_SIDE_NONE);
                candidate(v, TD_CAUSE_CAPTURE_GAP);
            }
            candidate(v, TD_CAUSE_NOT_TLS);
            return true;
        }
    }
    if (f->not_tls[C]) {
        verdict(v, TD_CAUSE_NOT_TLS, TD_CONF_HIGH, TD_SIDE_CLIENT);
        SAY(v, "the client sent plain text to %s, which expects TLS: \"%.60s\"", f->server, f->not_tls_text[C]);
        evidence(v, f->not_tls_frame[C], "client sends \"%.60s\"", f->not_tls_text[C]);
        if (f->not_tls[S]) {
            evidence(v, f->not_tls_frame[S], "server answers in plain text: \"%.60s\"", f->not_tls_text[S]);
        }
        alert_evidence(v, f, S);
        FIX(v, "client: use https:// (TLS) for port %u, or the server's plain-text port.", f->server_port);
        return true;
    }
    if (f->not_tls[S] && f->tls) {
        verdict(v, TD_CAUSE_NOT_TLS, TD_CONF_HIGH, TD_SIDE_SERVER);
        SAY(v, "the client started TLS but %s answered in plain text: \"%.60s\"", f->server, f->not_tls_text[S]);
        ch_evidence(v, f);
        evidence(v, f->not_tls_frame[S], "server answers \"%.60s\"", f->not_tls_text[S]);
        FIX(v, "server: enable TLS on port %u, or client: connect to the server's TLS port.", f->server_port);
        return true;
    }
    return false;
}

static bool rule_no_hello(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (f->have_ch) {
        return false;
    }
    /* "The client sent nothing" holds only for a client direction captured
     * from its start, whole, carrying no TLS at all. */
    if (dir_absent(f, C) || !dir_from_start(f, C) || dir_lossy(f, C) || f->cov.midstream) {
        capture_limited(v, f, TD_CONF_MEDIUM, "no ClientHello in the capture, but the capture cannot show one");
        candidate(v, TD_CAUSE_UNKNOWN);
        return true;
    }
    if (f->cov.valid && (f->client_msgs > 0 || f->cov.dir[C].payload_bytes > 0)) {
        verdict(v, TD_CAUSE_UNKNOWN, TD_CONF_MEDIUM, TD_SIDE_CLIENT);
        SAY(v, "the client sent %llu bytes to %s, but no ClientHello could be read from them",
            (unsigned long long)f->cov.dir[C].payload_bytes, f->server);
        evidence(v, f->first_client_frame ? f->first_client_frame : f->cov.dir[C].first_frame,
                 "first bytes of the client");
        alert_evidence(v, f, S);
        alert_evidence(v, f, C);
        FIX(v, "read the ladder with -v: the client's first record is not a ClientHello this tool can decode.");
        return true;
    }
    verdict(v, TD_CAUSE_NO_CLIENT_HELLO, TD_CONF_HIGH, TD_SIDE_NONE);
    SAY(v, "the client opened a TCP connection to %s and closed it without sending a ClientHello", f->server);
    if (f->fin[C]) {
        evidence(v, f->fin_frame[C], "client closes (FIN) before any TLS");
    }
    if (f->rst[C]) {
        evidence(v, f->rst_frame[C], "client resets before any TLS");
    }
    alert_evidence(v, f, S);
    FIX(v, "nothing, if this is a port check or health probe; otherwise see why the client gave up before TLS.");
    return true;
}

static bool rule_silence(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (!f->have_ch || f->server_msgs > 0) {
        return false;
    }
    /* Silence is proven only for a server direction in the capture, or by
     * the client's ACKs, which say what it received. */
    const struct td_dir_coverage *scov = &f->cov.dir[S];
    if (f->cov.valid && (scov->acked_missing || dir_lossy(f, S))) {
        capture_limited(v, f, TD_CONF_MEDIUM, "the server did answer (the client acknowledged its bytes), but the "
                                              "capture does not hold the answer");
        return true;
    }
    if (dir_absent(f, S)) {
        if (f->client_later_frame) {
            capture_limited(v, f, TD_CONF_MEDIUM, "the client went on past its ClientHello, so the server answered, "
                                                  "but the capture does not hold the answer");
            return true;
        }
        if (!scov->acked || !f->cov.dir[C].syn) {
            capture_limited(v, f, TD_CONF_LOW, "no answer to the ClientHello in the capture, but the server's "
                                               "direction is not in it");
            candidate(v, TD_CAUSE_NO_RESPONSE);
            return true;
        }
        /* The client's ACKs never moved past the server's SYN-ACK: it received nothing. */
        ch_evidence(v, f);
        verdict(v, TD_CAUSE_NO_RESPONSE, TD_CONF_MEDIUM, TD_SIDE_SERVER);
        SAY(v, "nothing answered the ClientHello to %s: the client's acknowledgements show it received no byte "
               "(the server's direction is not in the capture)", f->server);
        FIX(v, "server side: check the process and what is in front of it on port %u.", f->server_port);
        candidate(v, TD_CAUSE_CAPTURE_GAP);
        return true;
    }
    ch_evidence(v, f);
    if (f->rst[S] && server_closed_first(f)) {
        verdict(v, TD_CAUSE_TCP_RESET, TD_CONF_HIGH, TD_SIDE_SERVER);
        SAY(v, "%s reset the connection after the ClientHello without a word of TLS", f->server);
        evidence(v, f->rst_frame[S], "TCP RST from the server");
        FIX(v, "server: check that it (not a firewall or load balancer in front) accepts TLS on port %u.",
            f->server_port);
        candidate(v, TD_CAUSE_PROTOCOL_MISMATCH);
        return true;
    }
    if (server_closed_first(f)) {
        return false; /* a silent close: a refusal; the version/SNI/cipher rules weigh it */
    }
    verdict(v, TD_CAUSE_NO_RESPONSE, TD_CONF_HIGH, TD_SIDE_SERVER);
    SAY(v, "nothing answered the ClientHello to %s%s", f->server,
        f->rst[C] ? "; the client gave up and reset" : (f->fin[C] ? "; the client gave up and closed" : ""));
    if (f->rst[C]) {
        evidence(v, f->rst_frame[C], "client resets");
    } else if (f->fin[C]) {
        evidence(v, f->fin_frame[C], "client closes");
    }
    FIX(v, "server side: check the process and what is in front of it on port %u.", f->server_port);
    return true;
}

static bool rule_gap(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    /* An encrypted alert says nothing readable (close_notify or fatal): the
     * gap is what hides the cause. */
    if (!f->gap || (f->alert[C] && !f->alert_encrypted[C]) || (f->alert[S] && !f->alert_encrypted[S])) {
        return false;
    }
    verdict(v, TD_CAUSE_CAPTURE_GAP, TD_CONF_MEDIUM, TD_SIDE_NONE);
    SAY(v, "bytes of the handshake are missing from the capture, so what happened cannot be read");
    evidence(v, f->gap_frame, "gap in the capture");
    FIX(v, "capture again (tcpdump -s 0 -B 65536) on the host itself.");
    return true;
}

/* TLS 1.3 client authentication, seen without keys: the client's encrypted
 * flight has one record per message (Certificate, CertificateVerify,
 * Finished); an empty Certificate needs no CertificateVerify. */
static bool client_auth_tls13(const struct td_facts *f, struct td_verdict *v)
{
    bool server_alert_after = f->alert[S] && (f->alert_desc[S] == A_CERTIFICATE_REQUIRED || f->alert_encrypted[S]);
    if (!f->tls13 || !server_alert_after || f->alert[C]) {
        return false;
    }
    alert_evidence(v, f, S);
    if (f->client_flight_records == 1 || f->alert_desc[S] == A_CERTIFICATE_REQUIRED) {
        verdict(v, TD_CAUSE_CLIENT_CERT_MISSING, TD_CONF_HIGH, TD_SIDE_CLIENT);
        SAY(v, "%s asked for a client certificate; the client sent an empty Certificate (no CertificateVerify "
               "followed) and the server refused the handshake",
            f->server);
        FIX(v, "client: configure a certificate and key issued by a CA the server trusts.");
        return true;
    }
    if (f->client_flight_records >= 2) {
        verdict(v, TD_CAUSE_CLIENT_CERT_UNTRUSTED, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        candidate(v, TD_CAUSE_CLIENT_CERT_EXPIRED);
        SAY(v, "the client sent a certificate (Certificate and CertificateVerify) and %s refused it; TLS 1.3 "
               "hides which certificate and why",
            f->server);
        FIX(v, "check the client certificate against the server's client-CA list (tlsdiag cert --purpose client).");
        return true;
    }
    return false;
}

static bool rule_client_cert(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (client_auth_tls13(f, v)) {
        return true;
    }
    if (!f->cert_request || !f->client_cert_seen) {
        return false;
    }
    bool server_gave_up = f->alert[S] || f->rst[S] || (f->fin[S] && !f->fin[C]);
    /* A client that already sent its request and close_notify (TLS 1.3: it
     * thinks the handshake is over) has not given up itself. */
    if (!server_gave_up || (f->alert[C] && f->alert_desc[C] != A_CLOSE_NOTIFY)) {
        return false;
    }
    evidence(v, f->cr_frame, "CertificateRequest from the server");
    if (f->client_cert_empty) {
        verdict(v, TD_CAUSE_CLIENT_CERT_MISSING, TD_CONF_HIGH, TD_SIDE_CLIENT);
        evidence(v, f->client_cert_frame, "client Certificate is empty");
        alert_evidence(v, f, S);
        SAY(v, "%s requires a client certificate; the client sent none", f->server);
        FIX(v, "client: configure a certificate and key issued by a CA the server lists in its CertificateRequest.");
        return true;
    }
    evidence(v, f->client_cert_frame, "client Certificate: %s (issuer %s)", f->client_chain.leaf.subject,
             f->client_chain.leaf.issuer);
    alert_evidence(v, f, S);
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
    if (f->client_chain.unusable && !(f->alert[S] && f->alert_desc[S] == A_UNKNOWN_CA)) {
        verdict(v, TD_CAUSE_CERT_UNUSABLE, TD_CONF_MEDIUM, TD_SIDE_CLIENT);
        candidate(v, TD_CAUSE_CLIENT_CERT_UNTRUSTED);
        SAY(v, "the client's certificate: %s (%s)", f->client_chain.unusable_msg, f->client_chain.unusable);
        FIX(v, "client: %s", f->client_chain.unusable_fix);
        return true;
    }
    bool trust_alert = f->alert[S] && (f->alert_desc[S] == A_UNKNOWN_CA || f->alert_desc[S] == A_BAD_CERTIFICATE ||
                                       f->alert_desc[S] == A_CERTIFICATE_UNKNOWN);
    verdict(v, TD_CAUSE_CLIENT_CERT_UNTRUSTED,
            (f->client_chain.trust_checked && !f->client_chain.trusted) || (trust_alert && f->alert_desc[S] == A_UNKNOWN_CA)
                ? TD_CONF_HIGH
                : TD_CONF_MEDIUM,
            TD_SIDE_BOTH);
    SAY(v, "%s refused the client certificate %s issued by %s", f->server, v->cert.subject, v->cert.issuer);
    FIX(v, "server: trust %s for client certificates, or client: use a certificate from a CA the server lists.",
        v->cert.issuer);
    return true;
}

static bool rule_version(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    char a[48], b[48];
    if (server_refused_hello(f)) {
        bool alert_says = f->alert[S] && f->alert_desc[S] == A_PROTOCOL_VERSION;
        /* RFC 8446 5.1: a TLS 1.3 server writes 0x0303 (TLS 1.2) as the record
         * version of every record, alerts included; only an older record
         * version bounds what the server speaks. */
        bool below = f->alert[S] && f->alert_version[S] && f->alert_version[S] < f->ch_min &&
                     f->alert_version[S] < 0x0303;
        bool old_client = f->ch_max <= 0x0302;
        bool same_ok = sv && server_accepted_version_in(sv, f->ch_min, f->ch_max);
        /* What the server negotiated with others proves nothing against a
         * version: only its alert does. */
        if (!(alert_says || below || (old_client && !same_ok))) {
            return false;
        }
        verdict(v, TD_CAUSE_PROTOCOL_MISMATCH, (alert_says || below) ? TD_CONF_HIGH : TD_CONF_MEDIUM,
                old_client ? TD_SIDE_CLIENT : TD_SIDE_SERVER);
        ch_evidence(v, f);
        alert_evidence(v, f, S);
        char o[100];
        if (below) {
            SAY(v, "the server speaks at most %s (its alert's record version); the client offered %s",
                ver(f->alert_version[S], a, sizeof a), offered(f, o, sizeof o));
        } else {
            SAY(v, "the client offered %s; the server refused it", offered(f, o, sizeof o));
        }
        if (sv && sv->versions_ok && sv->example_frame) {
            evidence(v, sv->example_frame, "the server accepted %s from another client", sv->example);
        }
        if (old_client) {
            FIX(v, "client: enable TLS 1.2 (recommended); or, if the client cannot change yet, allow %s on the "
                   "server.",
                ver(f->ch_max, a, sizeof a));
        } else if (below) {
            FIX(v, "server: enable TLS 1.2 (recommended); or, if the server cannot change yet, allow %s in the "
                   "client (an Apigee TargetEndpoint <SSLInfo><Protocols><Protocol>TLSv1</Protocol>).",
                ver(f->alert_version[S], a, sizeof a));
        } else {
            FIX(v, "server: also accept %s, the client's highest; or client: enable the newer version the server "
                   "requires (TLS 1.3).",
                ver(f->ch_max, a, sizeof a));
        }
        if (!alert_says) {
            candidate(v, TD_CAUSE_CIPHER_MISMATCH);
        }
        return true;
    }
    /* The server chose an old version the client listed but would not use. */
    if (f->have_sh && f->version && f->version <= 0x0302 && f->ch_max >= 0x0303 && f->alert[C] &&
        !f->chain.expired && !(f->chain.name_checked && !f->chain.name_ok)) {
        bool says = f->alert_desc[C] == A_PROTOCOL_VERSION || f->alert_desc[C] == A_INSUFFICIENT_SECURITY;
        verdict(v, TD_CAUSE_PROTOCOL_MISMATCH, says ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_SERVER);
        ch_evidence(v, f);
        evidence(v, f->sh_frame, "ServerHello chooses %s", ver(f->version, a, sizeof a));
        alert_evidence(v, f, C);
        SAY(v, "the server supports at most %s and chose it; the client refused it (its policy disables %s even "
               "though its ClientHello lists it)",
            ver(f->version, a, sizeof a), ver(f->version, b, sizeof b));
        FIX(v, "server: enable TLS 1.2 (recommended); or allow %s in the client until the server is upgraded.",
            ver(f->version, a, sizeof a));
        if (!says) {
            candidate(v, TD_CAUSE_UNKNOWN_CA);
        }
        return true;
    }
    return false;
}

static bool rule_group(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    char g[48];
    if (f->hrr && f->hrr_group && !has_u16(&f->ch_groups, f->hrr_group) && (f->alert[C] || f->fin[C] || f->rst[C])) {
        verdict(v, TD_CAUSE_GROUP_MISMATCH, TD_CONF_HIGH, TD_SIDE_BOTH);
        ch_evidence(v, f);
        evidence(v, f->hrr_frame, "HelloRetryRequest asks for %s, which the client does not support",
                 td_group_str(f->hrr_group, g, sizeof g));
        alert_evidence(v, f, C);
        SAY(v, "the server only accepts key-exchange group %s; the client does not offer it",
            td_group_str(f->hrr_group, g, sizeof g));
        FIX(v, "add %s to the client's groups, or a group the client offers to the server's.",
            td_group_str(f->hrr_group, g, sizeof g));
        return true;
    }
    if (server_refused_hello(f) && f->ch_groups.n > 0 && sv && sv->num_groups > 0) {
        bool common = false;
        for (size_t i = 0; i < sv->num_groups; i++) {
            common |= has_u16(&f->ch_groups, sv->groups[i]);
        }
        if (!common) {
            verdict(v, TD_CAUSE_GROUP_MISMATCH, TD_CONF_HIGH, TD_SIDE_BOTH);
            ch_evidence(v, f);
            alert_evidence(v, f, S);
            SAY(v, "the client offers none of the key-exchange groups the server used with other clients (%s)",
                td_group_str(sv->groups[0], g, sizeof g));
            FIX(v, "add %s to the client's groups.", td_group_str(sv->groups[0], g, sizeof g));
            return true;
        }
    }
    return false;
}

static bool rule_sni(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    if (f->sni || !f->have_ch) {
        return false;
    }
    bool others_need_it = sv && sv->ok_with_sni > 0 && sv->ok_without_sni == 0;
    if (server_refused_hello(f)) {
        verdict(v, TD_CAUSE_SNI_REQUIRED, others_need_it ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_CLIENT);
        ch_evidence(v, f);
        alert_evidence(v, f, S);
        if (!f->alert[S]) {
            evidence(v, f->fin[S] ? f->fin_frame[S] : f->rst_frame[S], "the server closes without a word");
        }
        if (others_need_it) {
            SAY(v, "connections to %s with SNI succeed (%u in this capture), this one sent none and was refused",
                f->server, sv->ok_with_sni);
            evidence(v, sv->example_frame, "the server accepted %s from a client that sent SNI", sv->example);
        } else {
            SAY(v, "the client sent no server_name and %s refused the ClientHello", f->server);
            candidate(v, TD_CAUSE_CIPHER_MISMATCH);
            candidate(v, TD_CAUSE_PROTOCOL_MISMATCH);
        }
        FIX(v, "client: send SNI (connect by host name, not IP; Java: do not disable jsse.enableSNIExtension).");
        return true;
    }
    /* No SNI, and the certificate the server fell back to does not cover the expected name. */
    if (f->have_cert && f->chain.name_checked && !f->chain.name_ok && f->alert[C]) {
        verdict(v, TD_CAUSE_SNI_REQUIRED, others_need_it ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_CLIENT);
        candidate(v, TD_CAUSE_HOSTNAME_MISMATCH);
        ch_evidence(v, f);
        evidence(v, f->cert_frame, "the server's default certificate covers %s", f->chain.names);
        alert_evidence(v, f, C);
        SAY(v, "without SNI the server sent its default certificate (%s), which does not cover the expected name",
            f->chain.leaf.subject);
        FIX(v, "client: send SNI; or server: make the certificate for this name the default.");
        v->has_cert = true;
        v->cert_role = "server";
        v->cert = f->chain.leaf;
        return true;
    }
    return false;
}

static bool rule_cipher(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    if (!server_refused_hello(f)) {
        return false;
    }
    bool alert_fits = !f->alert[S] || f->alert_desc[S] == A_HANDSHAKE_FAILURE ||
                      f->alert_desc[S] == A_INSUFFICIENT_SECURITY;
    if (!alert_fits) {
        return false;
    }
    /* Compare with suites of the versions this client could have used. */
    bool known = false, common = false;
    size_t example = 0;
    for (size_t i = 0; sv && i < sv->num_suites; i++) {
        bool usable = sv->suite_is13[i] ? f->ch_max >= 0x0304 : f->ch_min <= 0x0303;
        if (!usable) {
            continue;
        }
        if (!known) {
            example = i;
        }
        known = true;
        common |= has_u16(&f->ch_suites, sv->suites[i]);
    }
    if (known && common) {
        return false;
    }
    verdict(v, TD_CAUSE_CIPHER_MISMATCH, known ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_BOTH);
    ch_evidence(v, f);
    alert_evidence(v, f, S);
    char s[64];
    if (known) {
        SAY(v, "the client offered none of the cipher suites %s accepted from other clients at these versions "
               "(e.g. %s)",
            f->server, td_suite_str(sv->suites[example], s, sizeof s));
        evidence(v, sv->example_frame, "the server accepted %s from another client", sv->example);
        FIX(v, "client: offer %s (or another suite the server accepts); or server: accept one of the client's.",
            td_suite_str(sv->suites[example], s, sizeof s));
    } else {
        char o[100];
        SAY(v, "the server refused the ClientHello (%s) although it offers %s: most likely no cipher suite in "
               "common",
            f->alert[S] ? "handshake_failure" : "a close", offered(f, o, sizeof o));
        FIX(v, "compare the client's %zu suites (tlsdiag pcap -v) with the server's configured ciphers.",
            f->ch_suites.n);
        candidate(v, TD_CAUSE_GROUP_MISMATCH);
        if (!f->sni) {
            candidate(v, TD_CAUSE_SNI_REQUIRED);
        }
    }
    return true;
}

static void cert_named(struct td_verdict *v, const struct td_cert_id *id)
{
    v->has_cert = true;
    v->cert_role = "server";
    v->cert = *id;
}

/* The server's chain is visible (TLS 1.2 and below) and the client gave up
 * right after it, or closed right after the handshake. */
static bool rule_server_cert(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    const struct td_chain_check *ch = &f->chain;
    bool client_gave_up = f->alert[C] || (f->note != NULL) || f->fin[C] || f->rst[C];
    if (!f->have_cert || !client_gave_up || f->cert_request) {
        return false;
    }
    evidence(v, f->cert_frame, "Certificate: %zu certificate%s, leaf %s issued by %s", ch->num_certs,
             ch->num_certs == 1 ? "" : "s", ch->leaf.subject, ch->leaf.issuer);
    if (ch->undecodable && !ch->leaf.subject[0]) {
        bool says = f->alert[C] && (f->alert_desc[C] == A_BAD_CERTIFICATE || f->alert_desc[C] == A_DECODE_ERROR ||
                                    f->alert_desc[C] == A_UNSUPPORTED_CERTIFICATE);
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
    } else if (ch->name_checked && !ch->name_ok) {
        verdict(v, TD_CAUSE_HOSTNAME_MISMATCH, TD_CONF_HIGH, TD_SIDE_SERVER);
        cert_named(v, &ch->leaf);
        SAY(v, "the client asked for %s; the certificate covers %s", f->sni ? f->sni_name : "(the --host name)",
            ch->names);
        FIX(v, "server: serve a certificate whose subjectAltName covers %s; or client: connect as a name it "
               "covers (%s).",
            f->sni ? f->sni_name : "the name", ch->names);
    } else if (ch->out_of_order || ch->unrelated) {
        verdict(v, TD_CAUSE_INCORRECT_CHAIN, TD_CONF_HIGH, TD_SIDE_SERVER);
        cert_named(v, &ch->leaf);
        SAY(v, "the chain is %s: certificate #%zu does not certify the one before it",
            ch->out_of_order ? "out of order" : "holding a certificate that does not belong", ch->link_broken_at);
        FIX(v, "server: send leaf, then its issuer, then the next one up; drop unrelated certificates.");
    } else if (ch->num_certs == 1 && ch->leaf_self_signed && !(ch->trust_checked && ch->trusted)) {
        verdict(v, TD_CAUSE_SELF_SIGNED, TD_CONF_HIGH, TD_SIDE_BOTH);
        cert_named(v, &ch->leaf);
        SAY(v, "the server sent a self-signed certificate (%s) that the client does not trust", ch->leaf.subject);
        FIX(v, "server: use a CA-issued certificate; or client: add %s to its truststore.", ch->leaf.subject);
    } else if (ch->num_certs == 1 && !ch->leaf_self_signed && !(ch->trust_checked && ch->trusted)) {
        /* Servers need not send the root, so a chain that ends at an
         * intermediate is normal; a lone leaf is most often missing the
         * intermediate that issued it (or the issuer is a root the client
         * lacks: --ca tells). */
        verdict(v, TD_CAUSE_INCOMPLETE_CHAIN, TD_CONF_MEDIUM, TD_SIDE_SERVER);
        candidate(v, TD_CAUSE_UNKNOWN_CA);
        cert_named(v, &ch->leaf);
        SAY(v, "the server sent only its leaf certificate; its issuer %s is not in the chain%s%s%s",
            ch->missing_issuer, ch->aia_url[0] ? " (caIssuers: " : "", ch->aia_url[0] ? ch->aia_url : "",
            ch->trust_checked ? ", and the given truststore cannot complete it" : "");
        if (ch->aia_url[0]) {
            size_t n = strlen(v->explanation);
            snprintf(v->explanation + n, sizeof v->explanation - n, ")");
        }
        FIX(v, "server: send the intermediate certificate %s after the leaf (a chained PEM), unless the client is "
               "meant to have it.",
            ch->missing_issuer);
    } else if (ch->unusable && f->alert[C] && f->alert_desc[C] != A_UNKNOWN_CA) {
        /* A defect no truststore cures (tlsdiag cert's checks on the chain as sent). */
        bool says = f->alert_desc[C] == A_BAD_CERTIFICATE || f->alert_desc[C] == A_UNSUPPORTED_CERTIFICATE;
        verdict(v, TD_CAUSE_CERT_UNUSABLE, says ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_SERVER);
        candidate(v, TD_CAUSE_UNKNOWN_CA);
        cert_named(v, &ch->leaf);
        SAY(v, "%s (%s)", ch->unusable_msg, ch->unusable);
        FIX(v, "server: %s", ch->unusable_fix);
    } else if (ch->trust_checked && !ch->trusted) {
        verdict(v, TD_CAUSE_UNKNOWN_CA, TD_CONF_HIGH, TD_SIDE_BOTH);
        cert_named(v, &ch->leaf);
        SAY(v, "the chain does not verify against the given truststore: %s", ch->verify_text);
        FIX(v, "client: add the issuing root to its truststore; or server: use a certificate from a CA the client "
               "trusts.");
    } else if (f->alert[C] && (f->alert_desc[C] == A_UNKNOWN_CA || f->alert_desc[C] == A_BAD_CERTIFICATE ||
                               f->alert_desc[C] == A_CERTIFICATE_UNKNOWN || f->alert_desc[C] == A_UNSUPPORTED_CERTIFICATE)) {
        verdict(v, TD_CAUSE_UNKNOWN_CA, f->alert_desc[C] == A_UNKNOWN_CA ? TD_CONF_HIGH : TD_CONF_MEDIUM,
                TD_SIDE_BOTH);
        candidate(v, TD_CAUSE_CERTIFICATE_REJECTED);
        cert_named(v, &ch->leaf);
        SAY(v, "the chain is complete up to %s, its names and dates are right, and the client rejected it: the "
               "root is not in the client's truststore",
            ch->leaf.issuer);
        FIX(v, "client: add the root of %s to its truststore (or run tlsdiag pcap --ca ROOTS to prove it).",
            ch->leaf.issuer);
    } else if (!f->alert[C] && (f->fin[C] || f->rst[C]) && !ch->undecodable) {
        /* Node and Java close without an alert when they refuse a chain. */
        verdict(v, TD_CAUSE_UNKNOWN_CA, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        v->aborted_by = TD_SIDE_CLIENT;
        candidate(v, TD_CAUSE_CERTIFICATE_REJECTED);
        cert_named(v, &ch->leaf);
        evidence(v, f->fin[C] ? f->fin_frame[C] : f->rst_frame[C], "the client closed the connection (%s) without an "
                 "alert, right after the server's certificate",
                 f->fin[C] ? "FIN" : "RST");
        SAY(v, "the chain is complete up to %s and its names and dates are right; the client closed without saying "
               "why (Node, Java): most likely it does not trust the root",
            ch->leaf.issuer);
        FIX(v, "client: add the root of %s to its truststore (or run tlsdiag pcap --ca ROOTS to prove it).",
            ch->leaf.issuer);
        return true;
    } else {
        v->num_evidence = 0;
        return false;
    }
    alert_evidence(v, f, C);
    return true;
}

/* TLS 1.3: certificates are encrypted, but many clients (OpenSSL) send their
 * alert before switching keys, so its description is visible. */
static bool rule_tls13_rejected(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (!f->tls13 || !f->alert[C] || f->have_cert || f->outcome == TD_OUTCOME_OK) {
        return false;
    }
    uint8_t d = f->alert_desc[C];
    evidence(v, f->sh_frame, "TLS 1.3: the server's certificate is encrypted");
    alert_evidence(v, f, C);
    if (f->alert_encrypted[C]) {
        verdict(v, TD_CAUSE_CERTIFICATE_REJECTED, TD_CONF_LOW, TD_SIDE_BOTH);
        SAY(v, "the client aborted with an encrypted alert after the server's encrypted flight: most likely it "
               "rejected the certificate");
    } else if (d == A_UNKNOWN_CA) {
        verdict(v, TD_CAUSE_UNKNOWN_CA, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        candidate(v, TD_CAUSE_INCOMPLETE_CHAIN);
        candidate(v, TD_CAUSE_SELF_SIGNED);
        SAY(v, "the client could not chain the server's certificate to a CA it trusts (unknown_ca)");
    } else if (d == A_CERTIFICATE_EXPIRED) {
        verdict(v, TD_CAUSE_EXPIRED_CERT, TD_CONF_MEDIUM, TD_SIDE_SERVER);
        SAY(v, "the client says the server's certificate expired (certificate_expired)");
    } else if (d == A_BAD_CERTIFICATE || d == A_CERTIFICATE_UNKNOWN || d == A_UNSUPPORTED_CERTIFICATE ||
               d == A_ACCESS_DENIED || d == A_DECRYPT_ERROR) {
        verdict(v, TD_CAUSE_CERTIFICATE_REJECTED, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        candidate(v, TD_CAUSE_HOSTNAME_MISMATCH);
        candidate(v, TD_CAUSE_UNKNOWN_CA);
        candidate(v, TD_CAUSE_EXPIRED_CERT);
        SAY(v, "the client rejected the server's certificate; TLS 1.3 hides it, so the reason (name, trust, dates) "
               "is not in the capture");
    } else {
        v->num_evidence = 0;
        return false;
    }
    FIX(v, "capture with the client's key log (SSLKEYLOGFILE) to see the certificate, or check it with "
           "openssl s_client -connect %s -servername %s.",
        f->server, f->sni ? f->sni_name : "NAME");
    return true;
}

static bool rule_closed_after_handshake(const struct td_facts *f, const struct td_server_view *sv,
                                        struct td_verdict *v)
{
    (void)sv;
    if (!f->note) {
        return false;
    }
    verdict(v, TD_CAUSE_NONE, TD_CONF_LOW, TD_SIDE_NONE);
    candidate(v, TD_CAUSE_CERTIFICATE_REJECTED);
    SAY(v, "the handshake completed but the client closed with an encrypted alert before sending any data: it "
           "may have rejected the certificate or name after the handshake (curl and gnutls-cli do), or it only "
           "wanted the handshake (a health check)");
    alert_evidence(v, f, C);
    FIX(v, "capture with the client's key log (SSLKEYLOGFILE) to see the alert, or check the certificate for %s.",
        f->sni ? f->sni_name : f->server);
    return true;
}

static bool rule_unknown(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    verdict(v, TD_CAUSE_UNKNOWN, TD_CONF_LOW, TD_SIDE_NONE);
    SAY(v, "the handshake failed (%s) and no rule recognises why", f->reason ? f->reason : "?");
    if (f->have_ch) {
        ch_evidence(v, f);
    }
    alert_evidence(v, f, S);
    alert_evidence(v, f, C);
    FIX(v, "read the ladder with -v.");
    return true;
}

typedef bool (*td_rule)(const struct td_facts *, const struct td_server_view *, struct td_verdict *);

/* Order matters: transport and framing first, then client authentication,
 * versions, groups, SNI, ciphers, certificates. */
static const td_rule rules[] = {
    rule_not_tls, rule_no_hello, rule_silence, rule_gap, rule_client_cert, rule_version, rule_server_cert,
    rule_group,   rule_sni,      rule_cipher,  rule_tls13_rejected, rule_closed_after_handshake, rule_unknown,
};

void td_diagnose(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *out)
{
    memset(out, 0, sizeof *out);
    if (f->outcome == TD_OUTCOME_OK && !f->note && f->chain_misordered) {
        /* The handshake worked because this client rebuilds the path; TLS 1.2
         * requires the order, and stricter clients fail on it. */
        verdict(out, TD_CAUSE_INCORRECT_CHAIN, TD_CONF_MEDIUM, TD_SIDE_SERVER);
        evidence(out, f->cert_frame, "Certificate: certificate %zu is not issued by the next one, %s, but by a later one",
                 f->misordered_at, f->misordered_subject);
        SAY(out, "the handshake completed, but the server sends its chain out of order (RFC 5246 7.4.2 wants each "
                 "certificate to certify the one before it); this client reordered it, stricter ones (older Java, "
                 "embedded stacks) fail");
        FIX(out, "server: send the chain in order: leaf, its issuer, the next one up (check with tlsdiag cert).");
        return;
    }
    if (f->outcome == TD_OUTCOME_OK && !f->note && f->gap_in_handshake) {
        /* Both Finished were read after a gap in the handshake: it
         * completed, but not all of it was seen. Handshake bytes captured
         * and unreadable (a record the gap cut) leave it to the gap. */
        bool unreadable = f->skipped[C] || f->skipped[S];
        verdict(out, unreadable ? TD_CAUSE_CAPTURE_GAP : TD_CAUSE_NONE, TD_CONF_MEDIUM, TD_SIDE_NONE);
        SAY(out, "both sides finished the handshake, but the capture lost %s%s",
            !f->have_ch ? "the ClientHello" : !f->have_sh ? "the ServerHello" : "part of it",
            unreadable ? " and holds records of it that cannot be read" : "");
        candidate(out, unreadable ? TD_CAUSE_NONE : TD_CAUSE_CAPTURE_GAP);
        if (f->have_ch) {
            ch_evidence(out, f);
        }
        evidence(out, f->gap_frame, "gap in the capture");
        if (f->client_appdata_frame) {
            evidence(out, f->client_appdata_frame, "client sends application data");
        }
        FIX(out, "nothing, if the handshake is what mattered; capture again (tcpdump -i any -s 0 -B 65536 'tcp port "
                 "%u') to see what was negotiated.", f->server_port);
        return;
    }
    if (f->outcome == TD_OUTCOME_OK && !f->note) {
        verdict(out, TD_CAUSE_NONE, TD_CONF_HIGH, TD_SIDE_NONE);
        return;
    }
    if (f->outcome == TD_OUTCOME_INCOMPLETE && f->gap && f->client_appdata_frame && !f->alert[C] && !f->alert[S] &&
        !f->rst[C] && !f->rst[S]) {
        /* A client sends application data only after the server's Finished
         * (0-RTT aside): the handshake completed, the capture lost part of it. */
        verdict(out, TD_CAUSE_NONE, TD_CONF_MEDIUM, TD_SIDE_NONE);
        SAY(out, "the capture lost part of the handshake, but the client went on to send application data, so it "
                 "completed");
        evidence(out, f->gap_frame, "gap in the capture");
        evidence(out, f->client_appdata_frame, "client sends application data");
        return;
    }
    if (f->outcome == TD_OUTCOME_INCOMPLETE && !f->gap && f->have_sh) {
        verdict(out, TD_CAUSE_NONE, TD_CONF_LOW, TD_SIDE_NONE);
        SAY(out, "the capture ends before the handshake does");
        return;
    }
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        struct td_verdict v;
        memset(&v, 0, sizeof v);
        if (rules[i](f, sv, &v)) {
            *out = v;
            break;
        }
    }
    uint64_t frame;
    out->aborted_by = aborter(f, &frame);
    if (dir_absent(f, C) || dir_absent(f, S)) {
        /* Who gave up first cannot be told with one side unseen. */
        out->aborted_by = TD_SIDE_NONE;
    }
    if (out->aborted_by == TD_SIDE_NONE && out->cause == TD_CAUSE_NO_RESPONSE) {
        out->aborted_by = TD_SIDE_NETWORK;
    }
}
