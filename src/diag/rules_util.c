/* Building a verdict: evidence, explanations, candidates, further faults,
 * and the words for what a capture does not hold. */
#include <stdarg.h>
#include <stdio.h>

#include "diag/rules_internal.h"

#include "base/banned.h"

void td_verdict_evidence(struct td_verdict *v, uint64_t frame, const char *fmt, ...)
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

void td_verdict_explain(char *out, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, len, fmt, ap);
    va_end(ap);
}

void td_verdict_candidate(struct td_verdict *v, enum td_cause c)
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

void td_verdict_also(struct td_verdict *v, enum td_cause c, const char *fmt, ...)
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

/* The side that gave up first during the handshake, and the frame. */
enum td_side td_aborter(const struct td_facts *f, uint64_t *frame)
{
    uint64_t best = UINT64_MAX;
    enum td_side who = TD_SIDE_NONE;
    for (int side = 0; side < 2; side++) {
        uint64_t cands[3] = {
            f->alert[side] && f->alert_level[side] != TD_ALERT_LEVEL_WARNING ? f->alert_frame[side] : 0,
            f->alert[side] && f->alert_desc[side] == TD_ALERT_CLOSE_NOTIFY ? f->alert_frame[side] : 0,
            /* the earlier of its FIN and RST: a FIN, then a RST when data still comes */
            f->fin[side] && (!f->rst[side] || f->fin_frame[side] < f->rst_frame[side]) ? f->fin_frame[side]
            : f->rst[side]                                                             ? f->rst_frame[side]
                                                                                       : 0};
        for (int i = 0; i < 3; i++) {
            if (cands[i] && cands[i] < best) {
                best = cands[i];
                who = side == TD_CLIENT ? TD_SIDE_CLIENT : TD_SIDE_SERVER;
            }
        }
    }
    *frame = best == UINT64_MAX ? 0 : best;
    return who;
}

void td_verdict_alert(struct td_verdict *v, const struct td_facts *f, enum td_role side)
{
    char a[48], r[48];
    if (!f->alert[side]) {
        return;
    }
    if (f->alert_encrypted[side]) {
        td_verdict_evidence(v, f->alert_frame[side], "encrypted alert from the %s",
                            side == TD_CLIENT ? "client" : "server");
        return;
    }
    td_verdict_evidence(v, f->alert_frame[side], "Alert from the %s: %s %s, record version %s",
                        side == TD_CLIENT ? "client" : "server",
                        f->alert_level[side] == TD_ALERT_LEVEL_FATAL ? "fatal" : "warning",
                        td_alert_str(f->alert_desc[side], a, sizeof a), ver(f->alert_version[side], r, sizeof r));
}

/* "TLSv1.2-TLSv1.3" from supported_versions, or "up to TLSv1.0" from legacy_version alone. */
const char *td_offered(const struct td_facts *f, char *out, size_t len)
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

void td_verdict_hello(struct td_verdict *v, const struct td_facts *f)
{
    char o[100];
    /* With encrypted_client_hello (0xfe0d) the SNI in clear is the outer,
     * public name: the name the client wants is inside, unseen without keys. */
    td_verdict_evidence(v, f->ch_frame, "ClientHello offers %s, %zu suites, %s%s", td_offered(f, o, sizeof o),
                        f->ch_suites.n, f->sni ? f->sni_name : "no SNI",
                        f->ch_ech ? " (ECH: the outer, public name; the real one is encrypted)" : "");
    /* draft-ietf-tls-esni 7.2.1: a server that accepts ECH puts the
     * extension in its HelloRetryRequest; in a ServerHello acceptance is its
     * random's last 8 bytes, made with the inner hello: not seen without keys. */
    if (f->ch_ech && f->hrr) {
        td_verdict_evidence(v, f->hrr_frame, "%s",
                            f->hrr_ech ? "HelloRetryRequest with encrypted_client_hello: the server accepted ECH"
                                       : "HelloRetryRequest without encrypted_client_hello: the server did not "
                                         "accept ECH (it answered the outer ClientHello)");
    }
}

/* "the capture holds the server's direction only; ..." */
static const char *coverage_words(const struct td_facts *f, char *out, size_t len)
{
    const struct td_dir_coverage *cl = &f->cov.dir[TD_CLIENT], *sv = &f->cov.dir[TD_SERVER];
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
    } else if (cl->segments && !dir_from_start(f, TD_CLIENT)) {
        ADD("the client's first bytes are not in it");
    } else if (sv->segments && !dir_from_start(f, TD_SERVER)) {
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
    if (!n && (f->gap_side[TD_CLIENT] || f->gap_side[TD_SERVER] || cl->gap_bytes || sv->gap_bytes)) {
        ADD("bytes of the connection are missing from it");
    }
    if (!n) {
        ADD("it does not hold enough of the connection");
    }
#undef ADD
    return out;
}

/* A verdict bounded by coverage: the capture cannot show the cause. */
void td_verdict_capture_limited(struct td_verdict *v, const struct td_facts *f, enum td_confidence conf,
                                const char *what_unseen)
{
    char cw[300];
    verdict(v, TD_CAUSE_CAPTURE_GAP, conf, TD_SIDE_NONE);
    SAY(v, "%s: %s", what_unseen, coverage_words(f, cw, sizeof cw));
    const struct td_dir_coverage *cl = &f->cov.dir[TD_CLIENT], *sv = &f->cov.dir[TD_SERVER];
    if (f->have_ch) {
        td_verdict_hello(v, f);
    } else if (f->first_client_frame) {
        td_verdict_evidence(v, f->first_client_frame, "first captured bytes of the client");
    }
    if (f->client_later_frame) {
        td_verdict_evidence(v, f->client_later_frame, "the client goes on with %s", f->client_later);
    }
    if (f->have_sh) {
        td_verdict_evidence(v, f->sh_frame, "ServerHello");
    } else if (f->first_server_frame) {
        td_verdict_evidence(v, f->first_server_frame, "first captured bytes of the server");
    }
    if (f->have_cert) {
        td_verdict_evidence(v, f->cert_frame, "server Certificate");
    }
    td_verdict_alert(v, f, TD_SERVER);
    td_verdict_alert(v, f, TD_CLIENT);
    for (int side = 0; side < 2; side++) {
        if (f->gap_side[side]) {
            td_verdict_evidence(v, f->gap_side_frame[side], "bytes from the %s missing from the capture",
                                side == TD_CLIENT ? "client" : "server");
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

/* Hops a packet crossed: from the usual initial TTLs (Linux and macOS 64,
 * Windows 128, network gear 255, old stacks 32), the nearest at or above. */
static unsigned hops(uint8_t ttl)
{
    unsigned init = ttl <= 32 ? 32 : ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255;
    return init - ttl;
}

enum td_rst_origin td_verdict_rst_origin(struct td_verdict *v, const struct td_facts *f)
{
    const struct td_ip_mark *syn = &f->cov.dir[TD_SERVER].syn_ip, *rst = &f->cov.dir[TD_SERVER].rst_ip;
    if (!f->cov.valid || !f->rst[TD_SERVER] || !syn->seen || !rst->seen) {
        return TD_RST_UNKNOWN;
    }
    char ids[64] = "";
    if (syn->has_id && rst->has_id) {
        snprintf(ids, sizeof ids, ", IP ID %u against the SYN-ACK's %u", rst->id, syn->id);
    }
    if (rst->ttl == syn->ttl) {
        td_verdict_evidence(v, f->rst_frame[TD_SERVER],
                            "the RST has the SYN-ACK's TTL (%u)%s: sent from the server's "
                            "hop, %u hop%s from the capture point",
                            rst->ttl, ids, hops(rst->ttl), hops(rst->ttl) == 1 ? "" : "s");
        return TD_RST_SERVER_HOP;
    }
    td_verdict_evidence(v, f->rst_frame[TD_SERVER],
                        "the RST's TTL is %u, the SYN-ACK's %u%s: not sent by the server but by a device %u hop%s "
                        "from the capture point (the server is %u)",
                        rst->ttl, syn->ttl, ids, hops(rst->ttl), hops(rst->ttl) == 1 ? "" : "s", hops(syn->ttl));
    return TD_RST_OTHER_HOP;
}
