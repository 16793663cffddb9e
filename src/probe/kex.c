/* tlsdiag probe, the key exchange of 2024-2026, from hellos of
 * tls/hello_build.c:
 *   RSA key exchange only: the scans found only TLS_RSA_* suites and no TLS
 *     1.3; one more hello with ECDHE suites alone (as Go >= 1.22 and JDK 24
 *     offer) proves the refusal -> rsa_kex_removed;
 *   post-quantum groups: a TLS 1.3 hello whose supported_groups lists
 *     X25519MLKEM768 and X25519Kyber768Draft00 first, then x25519 and
 *     secp256r1, with an empty key_share: the HelloRetryRequest names the
 *     group the server picks, and no key share is computed. One connection
 *     each, only when it can tell something. */
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "probe/internal.h"
#include "tls/names.h"
#include "tls/tls.h"

#include "base/banned.h"

/* r->v[] indexes (scan.c's td_probe_versions). */
enum { V_TLS10 = 1, V_TLS12 = 3, V_TLS13 = 4 };

/* What Go 1.22's crypto/tls offers in TLS 1.2 at its defaults: ECDHE only. */
static const uint16_t ecdhe_suites[] = {0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014};

static bool rsa_kex_suite(uint16_t s)
{
    const char *n = td_suite_name(s);
    return n && strncmp(n, "TLS_RSA_WITH_", 13) == 0;
}

/* One hello of scan.c's, its answer in x. */
static void send_probe_hello(struct td_probe_ctx *p, uint16_t version, const uint16_t *suites, size_t ns,
                             const uint16_t *groups, size_t ng, struct td_probe_exch *x)
{
    struct td_buf b = {0};
    td_probe_hello(&b, version, suites, ns, groups, ng, p->sni);
    td_probe_exchange(p, &b, x);
    td_buf_free(&b);
}

static bool pq_group(uint16_t g) { return g == TD_GROUP_X25519MLKEM768 || g == TD_GROUP_X25519KYBER768DRAFT00; }

/* Only TLS_RSA_* below TLS 1.3 (and no TLS 1.3): YES after the ECDHE hello is refused. */
static void rsa_kex_only(struct td_probe_ctx *p)
{
    struct td_probe_result *r = p->r;
    size_t rsa = 0, other = 0;
    for (int vi = V_TLS10; vi <= V_TLS12; vi++) {
        for (size_t i = 0; r->v[vi].accepted && i < r->v[vi].num_suites; i++) {
            if (rsa_kex_suite(r->v[vi].suites[i])) {
                rsa++;
            } else {
                other++;
            }
        }
    }
    if (r->v[V_TLS13].accepted || other) {
        r->kex.rsa_kex_only = TD_TRI_NO;
        return;
    }
    if (!rsa || !r->v[V_TLS12].accepted) {
        return; /* nothing at TLS 1.2: protocol_mismatch says it */
    }
    static const uint16_t groups[] = {TD_GROUP_X25519, TD_GROUP_SECP256R1, TD_GROUP_SECP384R1};
    struct td_probe_exch x;
    send_probe_hello(p, TD_VERSION_TLS1_2, ecdhe_suites, sizeof ecdhe_suites / sizeof ecdhe_suites[0], groups,
                     sizeof groups / sizeof groups[0], &x);
    if (!x.connected || x.sh) {
        r->kex.rsa_kex_only = x.sh ? TD_TRI_NO : TD_TRI_UNKNOWN;
        return;
    }
    r->kex.rsa_kex_only = TD_TRI_YES;
    r->kex.rsa_refusal_alert = x.alert;
    r->kex.rsa_refusal_desc = x.alert_desc;
}

/* The group named by the HelloRetryRequest to post-quantum groups first,
 * then x25519, secp256r1 and the other TLS 1.3 groups the scan found (so that
 * a refusal is about the post-quantum code points, not a group mismatch). */
static void pq_choice(struct td_probe_ctx *p)
{
    struct td_probe_result *r = p->r;
    const struct td_probe_version *v = &r->v[V_TLS13];
    if (!v->accepted || !v->num_suites) {
        return;
    }
    uint16_t groups[4 + TD_PROBE_MAX_GROUPS] = {TD_GROUP_X25519MLKEM768, TD_GROUP_X25519KYBER768DRAFT00,
                                                TD_GROUP_X25519, TD_GROUP_SECP256R1};
    size_t n = 4;
    for (size_t i = 0; i < v->num_groups; i++) {
        if (v->groups[i] != TD_GROUP_X25519 && v->groups[i] != TD_GROUP_SECP256R1 && !pq_group(v->groups[i])) {
            groups[n++] = v->groups[i];
        }
    }
    struct td_probe_exch x;
    send_probe_hello(p, TD_VERSION_TLS1_3, v->suites, v->num_suites, groups, n, &x);
    if (x.hrr && x.group) {
        r->kex.pq_group = x.group;
        r->kex.pq_selected = pq_group(x.group) ? TD_TRI_YES : TD_TRI_NO;
    } else if (x.connected && !(x.sh && x.version == TD_VERSION_TLS1_3)) {
        r->kex.pq_refused = true;
        r->kex.pq_refusal_alert = x.alert;
        r->kex.pq_refusal_desc = x.alert_desc;
    }
}

void td_probe_kex(struct td_probe_ctx *p)
{
    rsa_kex_only(p);
    pq_choice(p);
}

/* "alert handshake_failure (40)", or "no ServerHello" for silence or a close. */
static void refusal_words(bool alert, uint8_t desc, char *out, size_t len)
{
    const char *an = alert ? td_alert_name(desc) : NULL;
    if (alert) {
        snprintf(out, len, "alert %s (%u)", an ? an : "?", desc);
    } else {
        snprintf(out, len, "no ServerHello");
    }
}

/* TLS 1.3 spoken, the hello with post-quantum groups listed first refused. */
static void pq_refused(struct td_probe_result *r)
{
    char why[80];
    refusal_words(r->kex.pq_refusal_alert, r->kex.pq_refusal_desc, why, sizeof why);
    td_probe_add_finding(r, TD_CAUSE_HELLO_INTOLERANCE, TD_SEV_ERROR,
                         td_cause_info(TD_CAUSE_HELLO_INTOLERANCE)->resolution,
                         "the server speaks TLS 1.3 but refused a ClientHello whose supported_groups lists "
                         "X25519MLKEM768 and X25519Kyber768Draft00 before its own groups (%s): clients that offer "
                         "post-quantum groups (Chrome 124+, Firefox 132+, Go 1.24, OpenSSL 3.5) fail",
                         why);
}

void td_probe_kex_verdict(struct td_probe_result *r)
{
    if (r->kex.pq_refused) {
        pq_refused(r);
    }
    if (r->kex.rsa_kex_only != TD_TRI_YES) {
        return;
    }
    char list[300] = "", sb[64], why[80];
    size_t used = 0;
    for (size_t i = 0; i < r->v[V_TLS12].num_suites && i < 4 && used < sizeof list; i++) {
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                 td_suite_str(r->v[V_TLS12].suites[i], sb, sizeof sb));
    }
    if (r->v[V_TLS12].num_suites > 4 && used < sizeof list) {
        snprintf(list + used, sizeof list - used, ", ...");
    }
    refusal_words(r->kex.rsa_refusal_alert, r->kex.rsa_refusal_desc, why, sizeof why);
    td_probe_add_finding(r, TD_CAUSE_RSA_KEX_REMOVED, TD_SEV_ERROR, td_cause_info(TD_CAUSE_RSA_KEX_REMOVED)->resolution,
                         "the server accepts only RSA key exchange (%s; no TLS 1.3) and refused a TLS 1.2 "
                         "ClientHello with ECDHE suites alone (%s): clients without TLS_RSA_* suites fail",
                         list, why);
}
