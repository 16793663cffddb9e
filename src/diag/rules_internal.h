/* Inside src/diag: what the rule files share. The rules (rules_transport.c,
 * rules_offer.c, rules_cert.c, rules_tls13.c) are pure functions of the facts
 * and the server's view; rules.c runs them in order. The helpers here build a
 * verdict (rules_util.c) or read the facts (the small predicates, inline). */
#ifndef TD_DIAG_RULES_INTERNAL_H
#define TD_DIAG_RULES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "tls/names.h"

/* A rule: true when it recognises the failure (v filled), false to let the
 * next one try (v as it was given: zeroed). */
typedef bool (*td_rule)(const struct td_facts *, const struct td_server_view *, struct td_verdict *);

/* ---- the rules, in the files named for what they look at ---- */

/* rules_transport.c: TCP and framing, before any TLS is judged. */
bool td_rule_upgrade_refused(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
bool td_rule_not_tls(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
bool td_rule_malformed(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
bool td_rule_no_hello(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
bool td_rule_silence(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
bool td_rule_gap(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
/* rules_middlebox.c: a ClientHello of several segments the path never took whole. */
bool td_rule_hello_too_large(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
/* ... and a server certificate re-signed by a TLS-inspection proxy the client does not trust. */
bool td_rule_inspection_ca(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
/* rules_offer.c: what the ClientHello offers against what the server takes. */
bool td_rule_version(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
bool td_rule_group(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
bool td_rule_unusable_offer(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
bool td_rule_sni(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
bool td_rule_cipher(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
/* rules_alerts.c: refusals whose alert names the ClientHello field (ALPN, SNI, fallback SCSV). */
bool td_rule_alert_named(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
/* rules_defaults.c: a default one side changed in an upgrade (RSA key exchange, secure renegotiation). */
bool td_rule_rsa_kex(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
bool td_suite_is_rsa_kex(uint16_t s);
bool td_rule_no_secure_reneg(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
/* A ClientHello that could negotiate TLS 1.2 or older without any TLS_RSA_* suite. */
bool td_offer_lacks_rsa_kex(const struct td_facts *f);
/* rules_signature.c: no signature scheme both sides accept. */
bool td_rule_signature(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
/* rules_defaults.c, called by the client-certificate rule: a client
 * certificate without clientAuth (or digitalSignature), refused (v has the
 * CertificateRequest, the Certificate and the alert already). */
bool td_client_cert_no_client_auth(const struct td_facts *f, struct td_verdict *v);
/* rules_integrity.c: bad_record_mac and decrypt_error, by what they answer. */
bool td_rule_integrity(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
/* rules_ems.c: a server that requires extended_master_secret, a ClientHello without it. */
bool td_rule_ems(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
/* rules_hrr.c: the handshake died after a HelloRetryRequest for a group the client lists. */
bool td_rule_hrr(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
/* rules_cert.c: the client's and the server's certificates. */
bool td_rule_client_cert(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
bool td_rule_server_cert(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
/* rules_tls13.c: what TLS 1.3 hides, read from record sizes and alerts. */
bool td_rule_tls13_rejected(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);
bool td_rule_closed_after_handshake(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v);

/* ---- building a verdict (rules_util.c) ---- */

void td_verdict_evidence(struct td_verdict *v, uint64_t frame, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void td_verdict_explain(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define SAY(v, ...) td_verdict_explain((v)->explanation, sizeof(v)->explanation, __VA_ARGS__)
#define FIX(v, ...) td_verdict_explain((v)->fix, sizeof(v)->fix, __VA_ARGS__)
/* Another cause the evidence fits (once; never the verdict's own). */
void td_verdict_candidate(struct td_verdict *v, enum td_cause c);
/* Another fault that would still fail the handshake once the cause is fixed. */
void td_verdict_also(struct td_verdict *v, enum td_cause c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The side's alert as evidence (nothing when it sent none). */
void td_verdict_alert(struct td_verdict *v, const struct td_facts *f, enum td_role side);
/* The ClientHello as evidence: versions, suites, SNI. */
void td_verdict_hello(struct td_verdict *v, const struct td_facts *f);
/* A verdict bounded by coverage: the capture cannot show the cause. */
void td_verdict_capture_limited(struct td_verdict *v, const struct td_facts *f, enum td_confidence conf,
                                const char *what_unseen);
/* Who sent the server side's RST, from its IP TTL against the server's
 * SYN-ACK (evidence added; nothing when either was not captured). */
enum td_rst_origin { TD_RST_UNKNOWN, TD_RST_SERVER_HOP, TD_RST_OTHER_HOP };
enum td_rst_origin td_verdict_rst_origin(struct td_verdict *v, const struct td_facts *f);
/* "TLSv1.2-TLSv1.3" from supported_versions, or "up to TLSv1.0" from legacy_version alone. */
const char *td_offered(const struct td_facts *f, char *out, size_t len);
/* The side that gave up first during the handshake, and the frame. */
enum td_side td_aborter(const struct td_facts *f, uint64_t *frame);

static inline void verdict(struct td_verdict *v, enum td_cause cause, enum td_confidence conf, enum td_side fix_side)
{
    v->cause = cause;
    v->confidence = conf;
    v->fix_side = fix_side;
}

static inline void cert_named(struct td_verdict *v, const struct td_cert_id *id)
{
    v->has_cert = true;
    v->cert_role = "server";
    v->cert = *id;
}

/* ---- reading the facts ---- */

static inline const char *ver(uint16_t x, char *buf, size_t len) { return td_version_str(x, buf, len); }

static inline bool has_u16(const struct td_u16s *s, uint16_t x)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i] == x) {
            return true;
        }
    }
    return false;
}

/* The server ended the connection before the client did (closing its half
 * after the client gave up is not a refusal). */
static inline bool server_closed_first(const struct td_facts *f)
{
    uint64_t s = f->rst[TD_SERVER] ? f->rst_frame[TD_SERVER] : (f->fin[TD_SERVER] ? f->fin_frame[TD_SERVER] : 0);
    uint64_t c = f->rst[TD_CLIENT] ? f->rst_frame[TD_CLIENT] : (f->fin[TD_CLIENT] ? f->fin_frame[TD_CLIENT] : 0);
    return s && (!c || s < c);
}

/* The server turned the ClientHello down: no ServerHello, then an alert or a close. */
static inline bool server_refused_hello(const struct td_facts *f)
{
    return f->have_ch && !f->have_sh && !f->hrr && (f->alert[TD_SERVER] || server_closed_first(f));
}

/* ssl_verify_client on (nginx): the handshake completes whatever the client
 * sent, and the HTTP layer refuses with 400. Only the page proves it (key
 * log): without keys the exchange (an empty Certificate, one request, one
 * answer, a close) is also what an optional request looks like. */
static inline bool client_cert_refused_after(const struct td_facts *f) { return f->http_cert_error != NULL; }

/* ---- coverage: what the capture holds ---- */

/* cov.valid is false for hand-built facts and captures made by tlsdiag lab:
 * both directions from the SYN, nothing lost. */
static inline bool dir_absent(const struct td_facts *f, enum td_role side)
{
    return f->cov.valid && f->cov.dir[side].segments == 0;
}

static inline bool dir_lossy(const struct td_facts *f, enum td_role side)
{
    const struct td_dir_coverage *d = &f->cov.dir[side];
    return f->cov.valid && (d->snap_bytes || d->gap_bytes || d->acked_missing || f->gap_side[side]);
}

/* The direction's first byte is in the capture (or it sent no byte at all,
 * and its SYN is there to prove the connection is seen from its start). */
static inline bool dir_from_start(const struct td_facts *f, enum td_role side)
{
    const struct td_dir_coverage *d = &f->cov.dir[side];
    if (!f->cov.valid) {
        return true;
    }
    return d->payload_bytes || d->snap_frames ? d->from_start : d->syn;
}

#endif
