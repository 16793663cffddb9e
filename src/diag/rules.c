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

enum {
    A_CLOSE_NOTIFY = 0,
    A_HANDSHAKE_FAILURE = 40,
    A_BAD_CERTIFICATE = 42,
    A_UNSUPPORTED_CERTIFICATE = 43,
    A_CERTIFICATE_EXPIRED = 45,
    A_CERTIFICATE_UNKNOWN = 46,
    A_UNKNOWN_CA = 48,
    A_ACCESS_DENIED = 49,
    A_ILLEGAL_PARAMETER = 47,
    A_DECODE_ERROR = 50,
    A_DECRYPT_ERROR = 51,
    A_PROTOCOL_VERSION = 70,
    A_INSUFFICIENT_SECURITY = 71,
    A_INTERNAL_ERROR = 80,
    A_UNRECOGNIZED_NAME = 112,
    A_CERTIFICATE_REQUIRED = 116
};
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
#define SAY(v, ...) explain((v)->explanation, sizeof(v)->explanation, __VA_ARGS__)
#define FIX(v, ...) explain((v)->fix, sizeof(v)->fix, __VA_ARGS__)

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
                             : f->rst[side] ? f->rst_frame[side]
                                            : 0};
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

/* A suite no default server accepts (RFC 7525 3.1 / OpenSSL SECLEVEL 1):
 * no encryption, export grade, anonymous key exchange, single DES, RC4;
 * the signalling values carry no cipher at all. */
static bool suite_unusable(uint16_t s)
{
    if (s == 0x00ff || s == 0x5600) { /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV */
        return true;
    }
    const char *n = td_suite_name(s);
    if (!n || (s >> 8) == 0x13) {
        return false; /* unknown (GREASE, private) or TLS 1.3 */
    }
    return strstr(n, "_NULL_") || strstr(n, "WITH_NULL") || strstr(n, "EXPORT") || strstr(n, "_anon_") ||
           strstr(n, "_RC4_") || strstr(n, "_DES_") || strstr(n, "DES40");
}

/* Every suite offered is unusable (GREASE values aside). */
static bool offer_only_unusable_suites(const struct td_facts *f)
{
    size_t real = 0;
    for (size_t i = 0; i < f->ch_suites.n; i++) {
        uint16_t x = f->ch_suites.v[i];
        if (td_is_grease(x) || x == 0x00ff || x == 0x5600) {
            continue;
        }
        real++;
        if (!suite_unusable(x)) {
            return false;
        }
    }
    return real > 0;
}

/* Groups every TLS 1.3 server takes (RFC 8446 9.1: secp256r1 must, X25519
 * should); secp384r1 and the post-quantum hybrids are configuration. */
static bool group_mainstream(uint16_t g) { return g == 23 || g == 29; }

/* A TLS 1.3 offer with the mandatory suite but only unusual groups: one
 * that is neither X25519 nor P-256 (P-384 alone, or post-quantum only). */
static bool offer_unusual_groups(const struct td_facts *f)
{
    if (f->ch_max < 0x0304 || !has_u16(&f->ch_suites, 0x1301) || f->ch_groups.n == 0) {
        return false;
    }
    for (size_t i = 0; i < f->ch_groups.n; i++) {
        if (!td_is_grease(f->ch_groups.v[i]) && group_mainstream(f->ch_groups.v[i])) {
            return false;
        }
    }
    return true;
}

/* An offer any mainstream server takes, version and SNI aside: a modern
 * suite and a mainstream group (or no groups needed: RSA key exchange). */
static bool offer_mainstream(const struct td_facts *f)
{
    static const uint16_t modern[] = {0x1301, 0x1302, 0xc02f, 0xc02b, 0xc030, 0xc02c, 0x009c, 0x002f, 0x0035, 0xcca8};
    bool suite = false;
    for (size_t i = 0; i < sizeof modern / sizeof modern[0]; i++) {
        suite |= has_u16(&f->ch_suites, modern[i]);
    }
    bool group = f->ch_groups.n == 0;
    for (size_t i = 0; i < f->ch_groups.n; i++) {
        group |= group_mainstream(f->ch_groups.v[i]);
    }
    return suite && group;
}

/* ssl_verify_client on (nginx): the handshake completes whatever the client
 * sent, and the HTTP layer refuses with 400. Only the page proves it (key
 * log): without keys the exchange (an empty Certificate, one request, one
 * answer, a close) is also what an optional request looks like. */
static bool client_cert_refused_after(const struct td_facts *f) { return f->http_cert_error != NULL; }

/* A completed handshake refused right after: by an alert, by the client
 * leaving before any data, or by the server's HTTP 400 about the client
 * certificate. */
static bool refused_after_handshake(const struct td_facts *f)
{
    if (f->outcome != TD_OUTCOME_OK) {
        return false;
    }
    /* A fatal alert before that side sent any data; one after is a failure
     * of the session, not of the handshake. */
    return f->note || (f->alert[C] && f->alert_level[C] == 2 && f->appdata[C] == 0) ||
           (f->alert[S] && f->alert_level[S] == 2 && f->appdata[S] == 0) || client_cert_refused_after(f);
}

/* ---- coverage: what the capture holds ---- */

/* cov.valid is false for hand-built facts and captures made by tlsdiag lab:
 * both directions from the SYN, nothing lost. */
static bool dir_absent(const struct td_facts *f, int side) { return f->cov.valid && f->cov.dir[side].segments == 0; }

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
#define ADD(...)                                                                                                       \
    do {                                                                                                               \
        if (n < len) {                                                                                                 \
            int w_ = snprintf(out + n, len - n, "%s", n ? "; " : "");                                                  \
            n += w_ > 0 ? (size_t)w_ : 0;                                                                              \
        }                                                                                                              \
        if (n < len) {                                                                                                 \
            int w_ = snprintf(out + n, len - n, __VA_ARGS__);                                                          \
            n += w_ > 0 ? (size_t)w_ : 0;                                                                              \
        }                                                                                                              \
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
        FIX(v,
            "capture both directions: on the host itself or with -i any, and a filter on the port, not on a "
            "source or destination alone (tcpdump -i any -s 0 -B 65536 'tcp port %u').",
            f->server_port);
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
            capture_limited(v, f, TD_CONF_MEDIUM,
                            side == C ? "the client's captured bytes are not TLS, but they "
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

/* The plain-text preamble before TLS (STARTTLS, a proxy) was answered with a refusal. */
static bool rule_upgrade_refused(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
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
    evidence(v, f->refused_frame, "%s answer: %.80s", f->preamble_proto, f->refused_text);
    return true;
}

/* A message tlsdiag could not read: broken encoding, or longer than it keeps. */
static bool rule_malformed(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (!f->malformed && !f->over_limit) {
        return false;
    }
    int side = f->malformed_side, peer = 1 - side;
    const char *who = side == C ? "client" : "server";
    if (f->over_limit) {
        verdict(v, TD_CAUSE_OVER_LIMIT, TD_CONF_LOW, TD_SIDE_NONE);
        SAY(v,
            "the %s sent a handshake message over the limit (%u bytes) that tlsdiag reassembles; the rest of "
            "its side is not decoded, so why the handshake failed is not known",
            who, f->over_limit_len);
        evidence(v, f->malformed_frame, "%.200s", f->malformed_text);
        FIX(v, "nothing known to be wrong; read the capture with tshark for the rest of the handshake.");
        return true;
    }
    /* The peer's decode_error / illegal_parameter / unexpected_message (or reset) confirms it. */
    bool confirmed = (f->alert[peer] && f->alert_level[peer] == 2 &&
                      (f->alert_desc[peer] == 50 || f->alert_desc[peer] == 47 || f->alert_desc[peer] == 10)) ||
                     f->rst[peer];
    verdict(v, TD_CAUSE_MALFORMED_MESSAGE, confirmed ? TD_CONF_HIGH : TD_CONF_MEDIUM,
            side == C ? TD_SIDE_CLIENT : TD_SIDE_SERVER);
    SAY(v, "the %s sent a malformed %.200s", who, f->malformed_text);
    evidence(v, f->malformed_frame, "malformed %.200s", f->malformed_text);
    alert_evidence(v, f, peer);
    FIX(v, "%s: fix or update the TLS stack that writes these bytes (or the middlebox that rewrites them).", who);
    return true;
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
        capture_limited(v, f, TD_CONF_MEDIUM,
                        "the server did answer (the client acknowledged its bytes), but the "
                        "capture does not hold the answer");
        return true;
    }
    if (dir_absent(f, S)) {
        if (f->client_later_frame) {
            capture_limited(v, f, TD_CONF_MEDIUM,
                            "the client went on past its ClientHello, so the server answered, "
                            "but the capture does not hold the answer");
            return true;
        }
        if (!scov->acked || !f->cov.dir[C].syn) {
            capture_limited(v, f, TD_CONF_LOW,
                            "no answer to the ClientHello in the capture, but the server's "
                            "direction is not in it");
            candidate(v, TD_CAUSE_NO_RESPONSE);
            return true;
        }
        /* The client's ACKs never moved past the server's SYN-ACK: it received nothing. */
        ch_evidence(v, f);
        verdict(v, TD_CAUSE_NO_RESPONSE, TD_CONF_MEDIUM, TD_SIDE_SERVER);
        SAY(v,
            "nothing answered the ClientHello to %s: the client's acknowledgements show it received no byte "
            "(the server's direction is not in the capture)",
            f->server);
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
        SAY(v,
            "%s asked for a client certificate; the client sent an empty Certificate (no CertificateVerify "
            "followed) and the server refused the handshake",
            f->server);
        FIX(v, "client: configure a certificate and key issued by a CA the server trusts.");
        return true;
    }
    if (f->client_flight_records >= 2) {
        verdict(v, TD_CAUSE_CLIENT_CERT_UNTRUSTED, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        candidate(v, TD_CAUSE_CLIENT_CERT_EXPIRED);
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
        evidence(v, f->cr_frame, "CertificateRequest from the server (%zu CA name%s)", f->cr_num_ca_names,
                 f->cr_num_ca_names == 1 ? "" : "s");
    }
    if (f->client_cert_seen) {
        evidence(v, f->client_cert_frame, "%s",
                 f->client_cert_empty      ? "client Certificate is empty"
                 : f->client_cert_unlisted ? "client Certificate: a certificate from a CA not in the request's list"
                                           : "client Certificate: a certificate");
    }
    evidence(v, f->http_status_frame, "HTTP %u from the server: \"%s\"", f->http_status, f->http_cert_error);
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
        candidate(v, TD_CAUSE_CLIENT_CERT_EXPIRED);
    }
    v->aborted_by = TD_SIDE_SERVER;
    return true;
}

static bool rule_client_cert(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
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
    bool server_alert_first = f->alert[S] &&
                              (f->alert_level[S] == 2 || !f->alert[C] || f->alert_frame[S] < f->alert_frame[C]);
    /* A client that closed first (its close_notify after a completed
     * handshake) was answered, not refused: the server's close after it is
     * the normal end of the session (gnutls-cli against gnutls-serv's
     * optional request). */
    bool client_alert_first = f->alert[C] && (!f->alert[S] || f->alert_frame[C] < f->alert_frame[S]);
    bool server_gave_up = server_alert_first || (server_closed_first(f) && !client_alert_first);
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
    if (f->client_chain.unusable != TD_CAUSE_NONE && !(f->alert[S] && f->alert_desc[S] == A_UNKNOWN_CA)) {
        verdict(v, TD_CAUSE_CERT_UNUSABLE, TD_CONF_MEDIUM, TD_SIDE_CLIENT);
        candidate(v, TD_CAUSE_CLIENT_CERT_UNTRUSTED);
        SAY(v, "the client's certificate: %s (%s)", f->client_chain.unusable_msg,
            td_cause_info(f->client_chain.unusable)->slug);
        FIX(v, "client: %s", f->client_chain.unusable_fix);
        return true;
    }
    bool trust_alert = f->alert[S] && (f->alert_desc[S] == A_UNKNOWN_CA || f->alert_desc[S] == A_BAD_CERTIFICATE ||
                                       f->alert_desc[S] == A_CERTIFICATE_UNKNOWN);
    verdict(v, TD_CAUSE_CLIENT_CERT_UNTRUSTED,
            (f->client_chain.trust_checked && !f->client_chain.trusted) ||
                    (trust_alert && f->alert_desc[S] == A_UNKNOWN_CA) || f->client_cert_unlisted
                ? TD_CONF_HIGH
                : TD_CONF_MEDIUM,
            TD_SIDE_BOTH);
    SAY(v, "%s refused the client certificate %s issued by %s%s", f->server, v->cert.subject, v->cert.issuer,
        f->client_cert_unlisted ? ", a CA its CertificateRequest does not list" : "");
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
            FIX(v,
                "client: enable TLS 1.2 (recommended); or, if the client cannot change yet, allow %s on the "
                "server.",
                ver(f->ch_max, a, sizeof a));
        } else if (below) {
            FIX(v,
                "server: enable TLS 1.2 (recommended); or, if the server cannot change yet, allow %s in the "
                "client (an Apigee TargetEndpoint <SSLInfo><Protocols><Protocol>TLSv1</Protocol>).",
                ver(f->alert_version[S], a, sizeof a));
        } else {
            FIX(v,
                "server: also accept %s, the client's highest; or client: enable the newer version the server "
                "requires (TLS 1.3).",
                ver(f->ch_max, a, sizeof a));
        }
        if (!alert_says) {
            candidate(v, TD_CAUSE_CIPHER_MISMATCH);
        }
        return true;
    }
    /* The server chose a version the client did not offer at all (a TLS 1.2
     * ServerHello to a TLS 1.3-only ClientHello): RFC 8446 4.2.1 has the
     * client abort with protocol_version. */
    if (f->have_sh && f->version && f->ch_supported_versions && f->version < f->ch_min && f->alert[C]) {
        bool says = f->alert_desc[C] == A_PROTOCOL_VERSION;
        verdict(v, TD_CAUSE_PROTOCOL_MISMATCH, says ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_BOTH);
        char o[100];
        ch_evidence(v, f);
        evidence(v, f->sh_frame, "ServerHello chooses %s, which the client did not offer",
                 ver(f->version, a, sizeof a));
        alert_evidence(v, f, C);
        SAY(v, "the client offered %s; the server answered with %s, its highest, and the client refused it",
            offered(f, o, sizeof o), ver(f->version, a, sizeof a));
        FIX(v, "server: enable %s; or client: also allow %s.", ver(f->ch_min, b, sizeof b),
            ver(f->version, a, sizeof a));
        v->aborted_by = TD_SIDE_CLIENT;
        return true;
    }
    /* The server chose an old version the client listed but would not use. */
    if (f->have_sh && f->version && f->version <= 0x0302 && f->ch_max >= 0x0303 && f->alert[C] && !f->chain.expired &&
        !(f->chain.name_checked && !f->chain.name_ok)) {
        bool says = f->alert_desc[C] == A_PROTOCOL_VERSION || f->alert_desc[C] == A_INSUFFICIENT_SECURITY;
        verdict(v, TD_CAUSE_PROTOCOL_MISMATCH, says ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_SERVER);
        ch_evidence(v, f);
        evidence(v, f->sh_frame, "ServerHello chooses %s", ver(f->version, a, sizeof a));
        alert_evidence(v, f, C);
        SAY(v,
            "the server supports at most %s and chose it; the client refused it (its policy disables %s even "
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
    /* Nothing known about the server: an offer limited to unusual groups
     * is the likeliest reason (the mandatory suite is there, and no
     * HelloRetryRequest could ask for a group the client does not list). */
    bool alert_fits = !f->alert[S] || f->alert_desc[S] == A_HANDSHAKE_FAILURE ||
                      f->alert_desc[S] == A_INSUFFICIENT_SECURITY || f->alert_desc[S] == A_ILLEGAL_PARAMETER;
    bool groups_known = sv && sv->num_groups > 0; /* then the branch above has weighed them */
    if (server_refused_hello(f) && alert_fits && !groups_known && offer_unusual_groups(f) &&
        !offer_only_unusable_suites(f)) {
        verdict(v, TD_CAUSE_GROUP_MISMATCH, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        ch_evidence(v, f);
        alert_evidence(v, f, S);
        char list[160] = "";
        for (size_t i = 0; i < f->ch_groups.n && strlen(list) < 100; i++) {
            size_t n = strlen(list);
            snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", td_group_str(f->ch_groups.v[i], g, sizeof g));
        }
        SAY(v,
            "the client offers TLS 1.3 with the mandatory suites but only the key-exchange group%s %s, neither "
            "X25519 nor P-256, which servers take by default; the server refused the ClientHello",
            f->ch_groups.n == 1 ? "" : "s", list);
        FIX(v,
            "client: also offer x25519 or secp256r1 (OpenSSL -groups X25519:P-256:...); or server: accept %s "
            "(nginx ssl_ecdh_curve, OpenSSL -groups).",
            list);
        if (!f->sni) {
            candidate(v, TD_CAUSE_SNI_REQUIRED);
        }
        candidate(v, TD_CAUSE_CIPHER_MISMATCH);
        return true;
    }
    return false;
}

/* An offer of nothing but unusable suites (NULL, EXPORT, anonymous, RC4,
 * DES): no default server takes any, whatever else is missing. */
static bool rule_unusable_offer(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    if (!server_refused_hello(f) || !offer_only_unusable_suites(f)) {
        return false;
    }
    for (size_t i = 0; sv && i < sv->num_suites; i++) {
        if (has_u16(&f->ch_suites, sv->suites[i])) {
            return false; /* this server took one of them from another client */
        }
    }
    bool alert_fits = !f->alert[S] || f->alert_desc[S] == A_HANDSHAKE_FAILURE ||
                      f->alert_desc[S] == A_INSUFFICIENT_SECURITY;
    if (!alert_fits) {
        return false;
    }
    bool says = f->alert[S] && (f->alert_desc[S] == A_HANDSHAKE_FAILURE || f->alert_desc[S] == A_INSUFFICIENT_SECURITY);
    verdict(v, TD_CAUSE_CIPHER_MISMATCH, says ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_CLIENT);
    ch_evidence(v, f);
    alert_evidence(v, f, S);
    char s1[64];
    SAY(v,
        "the client offered only cipher suites without encryption, export-grade, anonymous or broken (%zu, "
        "e.g. %s), which servers refuse by default%s",
        f->ch_suites.n, td_suite_str(f->ch_suites.v[0], s1, sizeof s1),
        f->sni ? "" : "; the missing SNI is not what matters here");
    if (sv && sv->example_frame) {
        evidence(v, sv->example_frame, "the server accepted %s from another client", sv->example);
    }
    FIX(v, "client: offer modern suites (ECDHE with AES-GCM or ChaCha20-Poly1305; OpenSSL -cipher DEFAULT); NULL "
           "and export suites are for tests only.");
    return true;
}

static bool rule_sni(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    if (f->sni || !f->have_ch) {
        return false;
    }
    bool others_need_it = sv && sv->ok_with_sni > 0 && sv->ok_without_sni == 0;
    /* The whole capture first: a server that took clients without SNI does
     * not need it; then the offer: a missing SNI is the favourite only when
     * nothing else in it is implausible. */
    bool takes_no_sni = sv && sv->ok_without_sni > 0;
    if (server_refused_hello(f) && !takes_no_sni && (others_need_it || offer_mainstream(f))) {
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
        SAY(v,
            "the client offered none of the cipher suites %s accepted from other clients at these versions "
            "(e.g. %s)",
            f->server, td_suite_str(sv->suites[example], s, sizeof s));
        evidence(v, sv->example_frame, "the server accepted %s from another client", sv->example);
        FIX(v, "client: offer %s (or another suite the server accepts); or server: accept one of the client's.",
            td_suite_str(sv->suites[example], s, sizeof s));
    } else {
        char o[100];
        SAY(v,
            "the server refused the ClientHello (%s) although it offers %s: most likely no cipher suite in "
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

static void also(struct td_verdict *v, enum td_cause c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void also(struct td_verdict *v, enum td_cause c, const char *fmt, ...)
{
    if (c == v->cause || v->num_also >= TD_MAX_ALSO) {
        return;
    }
    for (size_t i = 0; i < v->num_also; i++) {
        if (v->also[i] == c) {
            return;
        }
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->also_why[v->num_also], sizeof v->also_why[0], fmt, ap);
    va_end(ap);
    v->also[v->num_also++] = c;
}

/* Every other fault of the server's chain that would still fail the
 * handshake once the first is fixed, in the order to fix them: dates, name,
 * order, then trust. */
static void also_server_chain(const struct td_facts *f, struct td_verdict *v)
{
    const struct td_chain_check *ch = &f->chain;
    if (ch->expired || ch->not_yet_valid) {
        also(v, ch->expired ? TD_CAUSE_EXPIRED_CERT : TD_CAUSE_NOT_YET_VALID_CERT, "%s is %s (valid %s to %s)",
             ch->bad.subject, ch->expired ? "expired" : "not yet valid", ch->bad.not_before, ch->bad.not_after);
    }
    if (ch->name_checked && !ch->name_ok && !f->name_is_address) {
        also(v, TD_CAUSE_HOSTNAME_MISMATCH, "the certificate covers %.80s, not %.80s", ch->names,
             f->sni ? f->sni_name : "the expected name");
    }
    if (ch->out_of_order || ch->unrelated) {
        also(v, TD_CAUSE_INCORRECT_CHAIN, "certificate #%zu does not certify the one before it", ch->link_broken_at);
    }
    if (ch->num_certs == 1 && ch->leaf_self_signed && !(ch->trust_checked && ch->trusted)) {
        also(v, TD_CAUSE_SELF_SIGNED, "the certificate %.120s is self-signed", ch->leaf.subject);
    } else if (ch->num_certs == 1 && !ch->leaf_self_signed && !(ch->trust_checked && ch->trusted) &&
               v->cause != TD_CAUSE_UNKNOWN_CA) {
        also(v, TD_CAUSE_INCOMPLETE_CHAIN, "the leaf came alone; its issuer %.120s is not in the chain",
             ch->missing_issuer);
    } else if (ch->trust_checked && !ch->trusted && !(ch->num_certs == 1 && !ch->leaf_self_signed)) {
        also(v, TD_CAUSE_UNKNOWN_CA, "the chain does not verify against the given truststore: %.120s", ch->verify_text);
    }
}

/* The server's chain is visible (TLS 1.2 and below) and the client gave up
 * right after it, or closed right after the handshake. */
static bool rule_server_cert(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    const struct td_chain_check *ch = &f->chain;
    bool client_gave_up = f->alert[C] || (f->note != NULL) || f->fin[C] || f->rst[C];
    /* A CertificateRequest does not stop these: the server refusing the
     * client's certificate was rule_client_cert's; here the client gave up
     * on the server's chain (GnuTLS, Java and IIS servers ask by default). */
    if (!f->have_cert || !client_gave_up) {
        return false;
    }
    bool root_seen = false; /* the lone leaf's issuer is a self-signed root this server sent elsewhere */
    for (size_t i = 0; sv && i < sv->num_roots; i++) {
        root_seen |= strcmp(sv->roots[i], ch->leaf.issuer) == 0;
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
    } else if (ch->num_certs == 1 && ch->leaf_self_signed && !(ch->trust_checked && ch->trusted)) {
        verdict(v, TD_CAUSE_SELF_SIGNED, TD_CONF_HIGH, TD_SIDE_BOTH);
        cert_named(v, &ch->leaf);
        SAY(v, "the server sent a self-signed certificate (%s) that the client does not trust", ch->leaf.subject);
        FIX(v, "server: use a CA-issued certificate; or client: add %s to its truststore.", ch->leaf.subject);
    } else if (ch->num_certs == 1 && !ch->leaf_self_signed && !(ch->trust_checked && ch->trusted) && root_seen) {
        /* The issuer is a root: nothing is missing from the chain, the
         * client lacks that root. */
        verdict(v, TD_CAUSE_UNKNOWN_CA, f->alert[C] && f->alert_desc[C] == A_UNKNOWN_CA ? TD_CONF_HIGH : TD_CONF_MEDIUM,
                TD_SIDE_BOTH);
        candidate(v, TD_CAUSE_CERTIFICATE_REJECTED);
        cert_named(v, &ch->leaf);
        SAY(v,
            "the server sent only its leaf; its issuer %s is a self-signed root (the server sent it to other "
            "clients), so no intermediate is missing: the client does not trust that root",
            ch->leaf.issuer);
        FIX(v, "client: add the root %s to its truststore; or server: use a certificate from a CA the client trusts.",
            ch->leaf.issuer);
    } else if (ch->num_certs == 1 && !ch->leaf_self_signed && !(ch->trust_checked && ch->trusted)) {
        /* Servers need not send the root, so a chain that ends at an
         * intermediate is normal; a lone leaf is most often missing the
         * intermediate that issued it (or the issuer is a root the client
         * lacks: --ca tells). A caIssuers URL names where the issuer is
         * published: CAs publish intermediates so, not roots. */
        verdict(v, TD_CAUSE_INCOMPLETE_CHAIN, ch->aia_url[0] ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_SERVER);
        if (!ch->aia_url[0]) {
            candidate(v, TD_CAUSE_UNKNOWN_CA);
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
    } else if (ch->unusable != TD_CAUSE_NONE && f->alert[C] && f->alert_desc[C] != A_UNKNOWN_CA) {
        /* A defect no truststore cures (tlsdiag cert's checks on the chain as sent). */
        bool says = f->alert_desc[C] == A_BAD_CERTIFICATE || f->alert_desc[C] == A_UNSUPPORTED_CERTIFICATE;
        verdict(v, TD_CAUSE_CERT_UNUSABLE, says ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_SERVER);
        candidate(v, TD_CAUSE_UNKNOWN_CA);
        cert_named(v, &ch->leaf);
        SAY(v, "%s (%s)", ch->unusable_msg, td_cause_info(ch->unusable)->slug);
        FIX(v, "server: %s", ch->unusable_fix);
    } else if (f->name_is_address && ch->name_checked && !ch->name_ok && !(ch->trust_checked && !ch->trusted) &&
               !(f->alert[C] && f->alert_desc[C] == A_UNKNOWN_CA)) {
        /* No SNI: clients check the certificate against the address they
         * connected to (IP SANs, RFC 6125 / RFC 9525), before any issuer. */
        verdict(v, TD_CAUSE_HOSTNAME_MISMATCH, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        candidate(v, TD_CAUSE_SNI_REQUIRED);
        candidate(v, TD_CAUSE_UNKNOWN_CA);
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
    } else if (f->alert[C] &&
               (f->alert_desc[C] == A_UNKNOWN_CA || f->alert_desc[C] == A_BAD_CERTIFICATE ||
                f->alert_desc[C] == A_CERTIFICATE_UNKNOWN || f->alert_desc[C] == A_UNSUPPORTED_CERTIFICATE)) {
        verdict(v, TD_CAUSE_UNKNOWN_CA, f->alert_desc[C] == A_UNKNOWN_CA ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_BOTH);
        candidate(v, TD_CAUSE_CERTIFICATE_REJECTED);
        cert_named(v, &ch->leaf);
        SAY(v,
            "the chain is complete up to %s, its names and dates are right, and the client rejected it: the "
            "root is not in the client's truststore",
            ch->leaf.issuer);
        FIX(v, "client: add the root of %s to its truststore (or run tlsdiag pcap --ca ROOTS to prove it).",
            ch->leaf.issuer);
    } else if (!f->alert[C] && (f->fin[C] || f->rst[C]) && !ch->undecodable) {
        /* Node, Java and Go close without an alert when they refuse a chain.
         * Before TLS 1.3 so do clients that only wanted the certificate, which
         * they read in clear (scanners, certificate collectors, Windows'
         * chain checks): there a complete chain with right names and dates and
         * no word from the client proves no fault, and --ca decides trust. In
         * TLS 1.3 such a client would have had to run the key exchange. */
        bool cert_in_clear = !f->tls13;
        verdict(v, cert_in_clear ? TD_CAUSE_UNKNOWN : TD_CAUSE_UNKNOWN_CA, cert_in_clear ? TD_CONF_LOW : TD_CONF_MEDIUM,
                TD_SIDE_BOTH);
        v->aborted_by = TD_SIDE_CLIENT;
        if (cert_in_clear) {
            candidate(v, TD_CAUSE_UNKNOWN_CA);
        }
        candidate(v, TD_CAUSE_CERTIFICATE_REJECTED);
        cert_named(v, &ch->leaf);
        evidence(v, f->fin[C] ? f->fin_frame[C] : f->rst_frame[C],
                 "the client closed the connection (%s) without an "
                 "alert, right after the server's certificate",
                 f->fin[C] ? "FIN" : "RST");
        SAY(v,
            "the chain is complete up to %s and its names and dates are right; the client closed without saying "
            "why: it may not trust the root (Node and Java close so), or it wanted the certificate only",
            ch->leaf.issuer);
        FIX(v,
            "run tlsdiag pcap --ca ROOTS with the client's truststore to prove or rule out trust; if the root of %s "
            "is not in it, add it.",
            ch->leaf.issuer);
        return true;
    } else {
        v->num_evidence = 0;
        return false;
    }
    alert_evidence(v, f, C);
    also_server_chain(f, v);
    return true;
}

/* TLS 1.3: certificates are encrypted, but many clients (OpenSSL) send their
 * alert before switching keys, so its description is visible. */
static bool rule_tls13_rejected(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    if (!f->tls13 || f->have_cert || f->outcome == TD_OUTCOME_OK || !f->have_sh) {
        return false;
    }
    /* Java, Node and Go close (FIN or RST, no alert in clear) right after
     * the server's encrypted flight when they refuse what it held: the
     * certificate, typically. */
    bool client_closed = (f->fin[C] || f->rst[C]) && !server_closed_first(f) && !f->alert[S] &&
                         f->client_flight_records == 0;
    /* Java pads its alert: one record shorter than a Finished (RFC 8446
     * 4.4.4: 4 + Hash.length, plus type and tag), after a server flight of
     * four records (EncryptedExtensions, Certificate, CertificateVerify,
     * Finished: no CertificateRequest to answer), then nothing. */
    uint32_t fin_len = 4 + (f->suite == 0x1302 ? 48 : 32) + 1 + 16;
    bool one_short_record = f->client_flight_records == 1 && !f->client_finished && !f->alert[S] &&
                            f->client_first_enc_len < fin_len && f->server_flight_records == 4;
    if (!f->alert[C] && (client_closed || one_short_record) && f->server_flight_frame) {
        verdict(v, TD_CAUSE_CERTIFICATE_REJECTED, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        evidence(v, f->sh_frame, "TLS 1.3: the server's certificate is encrypted");
        evidence(v, f->server_flight_frame,
                 "the server's encrypted flight (Certificate, CertificateVerify, Finished) "
                 "ends");
        if (one_short_record) {
            evidence(v, f->client_first_enc_frame,
                     "the client's only encrypted record (%u bytes) is too short for its Finished: an alert",
                     f->client_first_enc_len);
        } else {
            evidence(v, f->fin[C] ? f->fin_frame[C] : f->rst_frame[C], "the client closes (%s) without its Finished",
                     f->fin[C] ? "FIN" : "RST");
        }
        candidate(v, TD_CAUSE_UNKNOWN_CA);
        candidate(v, TD_CAUSE_HOSTNAME_MISMATCH);
        candidate(v, TD_CAUSE_EXPIRED_CERT);
        candidate(v, TD_CAUSE_INCOMPLETE_CHAIN);
        SAY(v, "the client left right after the server's encrypted flight, without its Finished: it rejected what "
               "the flight held, most likely the certificate (Java, Node and Go close so); TLS 1.3 hides which fault");
        FIX(v,
            "see the reason with the client's key log (tlsdiag pcap --keylog FILE, SSLKEYLOGFILE), or check the "
            "server with tlsdiag probe %s%s%s and its chain with tlsdiag cert.",
            f->sni ? "--sni " : "", f->sni ? f->sni_name : "", f->sni ? " (address)" : f->server);
        v->aborted_by = TD_SIDE_CLIENT;
        return true;
    }
    if (!f->alert[C]) {
        return false;
    }
    uint8_t d = f->alert_desc[C];
    evidence(v, f->sh_frame, "TLS 1.3: the server's certificate is encrypted");
    alert_evidence(v, f, C);
    if (f->alert_encrypted[C]) {
        /* One alert-sized record before its Finished: the client refused
         * the server's flight. */
        bool right_after = f->client_flight_records == 0 && f->server_flight_frame &&
                           f->alert_frame[C] > f->server_flight_frame && !f->alert[S];
        verdict(v, TD_CAUSE_CERTIFICATE_REJECTED, right_after ? TD_CONF_MEDIUM : TD_CONF_LOW, TD_SIDE_BOTH);
        candidate(v, TD_CAUSE_UNKNOWN_CA);
        candidate(v, TD_CAUSE_HOSTNAME_MISMATCH);
        candidate(v, TD_CAUSE_EXPIRED_CERT);
        SAY(v, "the client aborted with an encrypted alert right after the server's encrypted flight: most likely it "
               "rejected the certificate (TLS 1.3 hides which fault; Java, Node and Go abort so)");
        v->aborted_by = TD_SIDE_CLIENT;
        FIX(v,
            "see the reason with the client's key log (tlsdiag pcap --keylog FILE, SSLKEYLOGFILE), or check the "
            "server with tlsdiag probe %s and its chain with tlsdiag cert.",
            f->server);
        return true;
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
    FIX(v,
        "capture with the client's key log (SSLKEYLOGFILE) to see the certificate, or check it with "
        "openssl s_client -connect %s -servername %s.",
        f->server, f->sni ? f->sni_name : "NAME");
    return true;
}

static bool rule_closed_after_handshake(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
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
    rule_upgrade_refused, rule_not_tls,        rule_malformed,
    rule_no_hello,        rule_silence,        rule_gap,
    rule_client_cert,     rule_version,        rule_server_cert,
    rule_group,           rule_unusable_offer, rule_sni,
    rule_cipher,          rule_tls13_rejected, rule_closed_after_handshake,
    rule_unknown,
};

void td_diagnose(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *out)
{
    td_memzero(out, sizeof *out);
    bool after = refused_after_handshake(f);
    if (f->outcome == TD_OUTCOME_OK && !after && f->chain_misordered) {
        /* The handshake worked because this client rebuilds the path; TLS 1.2
         * requires the order, and stricter clients fail on it. */
        verdict(out, TD_CAUSE_INCORRECT_CHAIN, TD_CONF_MEDIUM, TD_SIDE_SERVER);
        evidence(out, f->cert_frame,
                 "Certificate: certificate %zu is not issued by the next one, %s, but by a later one", f->misordered_at,
                 f->misordered_subject);
        SAY(out, "the handshake completed, but the server sends its chain out of order (RFC 5246 7.4.2 wants each "
                 "certificate to certify the one before it); this client reordered it, stricter ones (older Java, "
                 "embedded stacks) fail");
        FIX(out, "server: send the chain in order: leaf, its issuer, the next one up (check with tlsdiag cert).");
        return;
    }
    if (f->outcome == TD_OUTCOME_OK && !after && f->gap_in_handshake) {
        /* Both Finished were read after a gap in the handshake: it
         * completed, but not all of it was seen. Handshake bytes captured
         * and unreadable (a record the gap cut) leave it to the gap. */
        bool unreadable = f->skipped[C] || f->skipped[S];
        verdict(out, unreadable ? TD_CAUSE_CAPTURE_GAP : TD_CAUSE_NONE, TD_CONF_MEDIUM, TD_SIDE_NONE);
        SAY(out, "both sides finished the handshake, but the capture lost %s%s",
            !f->have_ch   ? "the ClientHello"
            : !f->have_sh ? "the ServerHello"
                          : "part of it",
            unreadable ? " and holds records of it that cannot be read" : "");
        candidate(out, unreadable ? TD_CAUSE_NONE : TD_CAUSE_CAPTURE_GAP);
        if (f->have_ch) {
            ch_evidence(out, f);
        }
        evidence(out, f->gap_frame, "gap in the capture");
        if (f->client_appdata_frame) {
            evidence(out, f->client_appdata_frame, "client sends application data");
        }
        FIX(out,
            "nothing, if the handshake is what mattered; capture again (tcpdump -i any -s 0 -B 65536 'tcp port "
            "%u') to see what was negotiated.",
            f->server_port);
        return;
    }
    if (f->outcome == TD_OUTCOME_OK && !after) {
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
        td_memzero(&v, sizeof v);
        if (rules[i](f, sv, &v)) {
            *out = v;
            break;
        }
    }
    uint64_t frame;
    if (out->aborted_by == TD_SIDE_NONE) { /* a rule that knows better has said */
        out->aborted_by = aborter(f, &frame);
    }
    if (out->cause == TD_CAUSE_UPGRADE_REFUSED || out->cause == TD_CAUSE_PROXY_REFUSED) {
        out->aborted_by = TD_SIDE_SERVER; /* its refusal ends it, whoever closes the socket */
    }
    if (dir_absent(f, C) || dir_absent(f, S)) {
        /* Who gave up first cannot be told with one side unseen. */
        out->aborted_by = TD_SIDE_NONE;
    }
    if (out->aborted_by == TD_SIDE_NONE && out->cause == TD_CAUSE_NO_RESPONSE) {
        out->aborted_by = TD_SIDE_NETWORK;
    }
    out->rejected_after_handshake = after && out->cause != TD_CAUSE_NONE;
}
