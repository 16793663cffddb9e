/* tlsdiag probe --check middlebox: will the path and the server take the
 * ClientHellos of 2024-2026? One browser-like hello (TLS 1.3 and 1.2, an
 * x25519 key share) in five forms, each on its own connection with TCP
 * segments of at most TD_PROBE_MB_MSS bytes (as on Ethernet, also over
 * loopback):
 *   base   padded to 512 bytes (RFC 7685, as OpenSSL and browsers pad)
 *   pq     the same with an X25519MLKEM768 share of 1,216 random bytes before
 *          the x25519 one (a server that does not know 0x11EC uses x25519):
 *          more than one segment
 *   split  the base hello in two segments 200 ms apart (TCP_NODELAY)
 *   f5     padded to 300 bytes, in the 256-511 range F5 BIG-IP hangs on
 *   large  padded to 1,500 bytes without the post-quantum share: the size alone
 * Any TLS answer (ServerHello, HelloRetryRequest, alert) counts; a reset, a
 * close or silence does not. When the base hello is not answered nothing is
 * compared and the rest is not sent. */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "probe/internal.h"
#include "tls/hello_build.h"
#include "tls/names.h"
#include "tls/tls.h"

#include "base/banned.h"

enum {
    MLKEM768_SHARE = 1216, /* X25519MLKEM768: ML-KEM-768 encapsulation key (1,184) + x25519 (32) */
    X25519_SHARE = 32,
    BASE_SIZE = 512,
    F5_SIZE = 300,
    F5_LOW = 256,
    F5_HIGH = 511,
    LARGE_SIZE = 1500,
    SPLIT_DELAY_MS = 200,
};

/* r->v[] indexes (scan.c's td_probe_versions). */
enum { V_TLS10 = 1, V_TLS12 = 3 };

/* The TLS 1.3 suites, ECDHE ones, and one the server took below TLS 1.3 (an
 * RSA-only server answers too). */
static size_t suites(const struct td_probe_result *r, uint16_t *out)
{
    static const uint16_t base[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013};
    size_t n = sizeof base / sizeof base[0];
    td_memcopy(out, base, sizeof base);
    for (int vi = V_TLS12; vi >= V_TLS10; vi--) {
        if (r->v[vi].accepted && r->v[vi].num_suites) {
            out[n++] = r->v[vi].suites[0];
            break;
        }
    }
    return n;
}

static void build(const struct td_probe_result *r, const char *sni, bool pq, size_t pad_to, struct td_buf *out)
{
    static const uint16_t classic[] = {TD_GROUP_X25519, TD_GROUP_SECP256R1, TD_GROUP_SECP384R1};
    static const uint16_t with_pq[] = {TD_GROUP_X25519MLKEM768, TD_GROUP_X25519, TD_GROUP_SECP256R1,
                                       TD_GROUP_SECP384R1};
    uint8_t random[32], x25519[X25519_SHARE], mlkem[MLKEM768_SHARE];
    RAND_bytes(random, sizeof random);
    RAND_bytes(x25519, sizeof x25519);
    RAND_bytes(mlkem, sizeof mlkem);
    uint16_t s[16];
    struct td_hello_spec spec = {
        .profile = TD_HELLO_PROBE_MODERN,
        .version = TD_VERSION_TLS1_3,
        .random = random,
        .suites = s,
        .num_suites = suites(r, s),
        .groups = pq ? with_pq : classic,
        .num_groups = pq ? sizeof with_pq / sizeof with_pq[0] : sizeof classic / sizeof classic[0],
        .sni = sni,
        .key_share_group = pq ? TD_GROUP_X25519MLKEM768 : TD_GROUP_X25519,
        .key_share = pq ? mlkem : x25519,
        .key_share_len = pq ? sizeof mlkem : sizeof x25519,
        .key_share2_group = pq ? TD_GROUP_X25519 : 0,
        .key_share2 = x25519,
        .key_share2_len = pq ? sizeof x25519 : 0,
        .pad_to = pad_to,
    };
    (void)td_build_client_hello(out, &spec); /* only an SNI over 64 KiB overflows: refused */
}

static enum td_probe_answer answer_of(const struct td_probe_exch *x)
{
    if (!x->connected) {
        return TD_ANS_NOT_RUN;
    }
    if (x->sh || x->hrr || x->alert) {
        return TD_ANS_ANSWERED;
    }
    /* bytes that are not TLS count as a close: no server's answer */
    return x->reset ? TD_ANS_RESET : x->closed || x->not_tls ? TD_ANS_CLOSED : TD_ANS_TIMEOUT;
}

/* One form: built, sent (split when asked), its answer. */
static void try_form(struct td_probe_ctx *p, enum td_probe_mb_form f)
{
    struct td_probe_mb_try *t = &p->r->mb.t[f];
    struct td_buf b = {0};
    build(p->r, p->sni, f == TD_MB_PQ, f == TD_MB_F5 ? F5_SIZE : f == TD_MB_LARGE ? LARGE_SIZE : BASE_SIZE, &b);
    t->bytes = b.len > 5 ? b.len - 5 : 0;
    if (f == TD_MB_F5 && (t->bytes < F5_LOW || t->bytes > F5_HIGH)) {
        td_buf_free(&b); /* a long SNI: the hello cannot be that small */
        return;
    }
    p->split_at = f == TD_MB_SPLIT ? b.len / 2 : 0;
    p->split_delay_ms = SPLIT_DELAY_MS;
    t->segments = f == TD_MB_SPLIT ? 2 : (unsigned)((b.len + TD_PROBE_MB_MSS - 1) / TD_PROBE_MB_MSS);
    struct td_probe_exch x;
    td_probe_exchange(p, &b, &x);
    t->answer = answer_of(&x);
    p->split_at = 0;
    p->split_delay_ms = 0;
    td_buf_free(&b);
}

void td_probe_middlebox(struct td_probe_ctx *p)
{
    p->r->mb.run = true;
    p->mss = TD_PROBE_MB_MSS;
    p->reset_on_timeout = true;
    try_form(p, TD_MB_BASE);
    for (int f = TD_MB_BASE + 1; f < TD_MB_FORMS && p->r->mb.t[TD_MB_BASE].answer == TD_ANS_ANSWERED; f++) {
        try_form(p, (enum td_probe_mb_form)f);
    }
    p->mss = 0;
    p->reset_on_timeout = false;
}

static bool failed(const struct td_probe_mb_try *t) { return t->answer > TD_ANS_ANSWERED; }

static const char *what_happened(enum td_probe_answer a)
{
    return a == TD_ANS_RESET     ? "was reset"
           : a == TD_ANS_CLOSED  ? "was closed without a TLS answer"
           : a == TD_ANS_TIMEOUT ? "got no answer (timed out)"
                                 : "was answered";
}

/* The post-quantum and the large hello: hello_too_large when size is what fails. */
static void size_findings(struct td_probe_result *r)
{
    const struct td_probe_mb_try *base = &r->mb.t[TD_MB_BASE], *pq = &r->mb.t[TD_MB_PQ], *big = &r->mb.t[TD_MB_LARGE];
    if (!failed(pq) && !failed(big)) {
        return;
    }
    bool size = failed(big) || big->answer == TD_ANS_NOT_RUN;
    enum td_cause c = size ? TD_CAUSE_HELLO_TOO_LARGE : TD_CAUSE_HELLO_INTOLERANCE;
    td_probe_add_finding(
        r, c, TD_SEV_ERROR, td_cause_info(c)->resolution,
        "a ClientHello of %zu bytes (%u TCP segments) with an X25519MLKEM768 key share %s, the same hello padded to "
        "%zu bytes without it (%u segments) %s; %zu bytes in one segment was answered: %s",
        pq->bytes, pq->segments, what_happened(pq->answer), big->bytes, big->segments, what_happened(big->answer),
        base->bytes,
        size ? "hellos over one segment are refused (post-quantum clients: Chrome 131, Firefox 132, Go 1.24, "
               "OpenSSL 3.5 send them)"
             : "the size passes, the post-quantum key share itself is refused");
}

static void form_finding(struct td_probe_result *r, enum td_sev sev, const char *what)
{
    td_probe_add_finding(r, TD_CAUSE_HELLO_INTOLERANCE, sev, td_cause_info(TD_CAUSE_HELLO_INTOLERANCE)->resolution,
                         "%s", what);
}

void td_probe_middlebox_verdict(struct td_probe_result *r)
{
    const struct td_probe_middlebox *m = &r->mb;
    if (!m->run || m->t[TD_MB_BASE].answer != TD_ANS_ANSWERED) {
        return;
    }
    size_findings(r);
    const struct td_probe_mb_try *f5 = &m->t[TD_MB_F5], *split = &m->t[TD_MB_SPLIT];
    char what[sizeof r->findings[0].message];
    if (failed(f5)) {
        snprintf(what, sizeof what,
                 "a ClientHello of %zu bytes (between 256 and 511) %s, the same padded to %zu bytes was answered: "
                 "the F5 BIG-IP defect RFC 7685 describes; clients that do not pad their hello out of that range fail",
                 f5->bytes, what_happened(f5->answer), m->t[TD_MB_BASE].bytes);
        form_finding(r, TD_SEV_ERROR, what);
    }
    if (failed(split)) {
        snprintf(what, sizeof what,
                 "the %zu-byte ClientHello answered in one segment, sent in two TCP segments %d ms apart, %s: "
                 "something on the path does not reassemble a hello split across segments (post-quantum hellos "
                 "always are)",
                 split->bytes, SPLIT_DELAY_MS, what_happened(split->answer));
        form_finding(r, TD_SEV_WARNING, what);
    }
}
