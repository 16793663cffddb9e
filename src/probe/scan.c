/* tlsdiag probe, the scans. Each step is one TCP connection with a ClientHello
 * built by tls/hello_build.c. Suites and groups are found by elimination: offer
 * all, remove the one chosen, again, until the server refuses; TLS 1.3 groups
 * and suites come from HelloRetryRequests to a ClientHello with an empty
 * key_share, so no key exchange is ever computed. */
#include <openssl/rand.h>
#include <string.h>

#include "base/mem.h"
#include "probe/internal.h"
#include "tls/hello_build.h"
#include "tls/names.h"
#include "tls/tls.h"

#include "base/banned.h"

/* Suites offered at once, at most (the registry has about 350). */
#define MAX_OFFER 600

const uint16_t td_probe_versions[TD_PROBE_VERSIONS] = {TD_VERSION_SSL3, TD_VERSION_TLS1_0, TD_VERSION_TLS1_1,
                                                       TD_VERSION_TLS1_2, TD_VERSION_TLS1_3};

static const uint16_t all_groups[] = {TD_GROUP_X25519,    TD_GROUP_SECP256R1, TD_GROUP_SECP384R1, TD_GROUP_SECP521R1,
                                      TD_GROUP_X448,      TD_GROUP_FFDHE2048, TD_GROUP_FFDHE3072, TD_GROUP_FFDHE4096,
                                      TD_GROUP_FFDHE6144, TD_GROUP_FFDHE8192};
#define NUM_ALL_GROUPS (sizeof all_groups / sizeof all_groups[0])

/* RFC 8446 B.4: the TLS 1.3 suites are 0x1301 to 0x1305. */
enum { TLS13_SUITE_FIRST = 0x1301, TLS13_SUITE_LAST = 0x1305 };

void td_probe_hello(struct td_buf *out, uint16_t version, const uint16_t *suites, size_t num_suites,
                    const uint16_t *groups, size_t num_groups, const char *sni)
{
    uint8_t random[32];
    RAND_bytes(random, sizeof random);
    struct td_hello_spec spec = {
        .profile = version == TD_VERSION_TLS1_3   ? TD_HELLO_PROBE_TLS13
                   : version == TD_VERSION_TLS1_2 ? TD_HELLO_PROBE_TLS12
                                                  : TD_HELLO_PROBE_LEGACY,
        .version = version,
        .random = random,
        .suites = suites,
        .num_suites = num_suites,
        .groups = groups,
        .num_groups = num_groups,
        .sni = sni,
    };
    /* Only an SNI over 64 KiB overflows a length; such a hello goes out cut
     * (the server refuses it), as it always did. */
    (void)td_build_client_hello(out, &spec);
}

static size_t suites_for(uint16_t version, uint16_t *out, size_t cap)
{
    size_t n = 0;
    if (version == TD_VERSION_TLS1_3) {
        for (uint16_t s = TLS13_SUITE_FIRST; s <= TLS13_SUITE_LAST && n < cap; s++) {
            out[n++] = s;
        }
        return n;
    }
    for (size_t i = 0; i < td_suite_names_len && n < cap; i++) {
        uint32_t v = td_suite_names[i].value;
        const char *name = td_suite_names[i].name;
        if (v == 0 || v > 0xffff || (v >> 8) == (TLS13_SUITE_FIRST >> 8) || strstr(name, "SCSV")) {
            continue;
        }
        out[n++] = (uint16_t)v;
    }
    return n;
}

static bool took(const struct td_probe_exch *x, uint16_t version)
{
    return version == TD_VERSION_TLS1_3 ? (x->hrr || (x->sh && x->version == TD_VERSION_TLS1_3))
                                        : (x->sh && x->version == version);
}

static void remove_u16(uint16_t *v, size_t *n, uint16_t x)
{
    for (size_t i = 0; i < *n; i++) {
        if (v[i] == x) {
            td_memmove(&v[i], &v[i + 1], (*n - i - 1) * sizeof *v);
            (*n)--;
            return;
        }
    }
}

static bool contains_u16(const uint16_t *v, size_t n, uint16_t x)
{
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        found |= v[i] == x;
    }
    return found;
}

void td_probe_first_contact(struct td_probe_ctx *p, struct td_probe_exch *x)
{
    struct td_buf hb = {0};
    uint16_t all[MAX_OFFER];
    size_t na = suites_for(TD_VERSION_TLS1_2, all, MAX_OFFER);
    td_probe_hello(&hb, TD_VERSION_TLS1_2, all, na, all_groups, NUM_ALL_GROUPS, p->sni);
    td_probe_exchange(p, &hb, x);
    td_buf_free(&hb);
}

void td_probe_scan_version(struct td_probe_ctx *p, size_t vi)
{
    struct td_probe_version *pv = &p->r->v[vi];
    uint16_t version = td_probe_versions[vi];
    uint16_t offer[MAX_OFFER];
    size_t n = suites_for(version, offer, MAX_OFFER);
    struct td_buf h = {0};
    struct td_probe_exch x;
    pv->version = version;
    /* elimination: what the server picks, removed, until it refuses */
    while (n > 0 && pv->num_suites < TD_PROBE_MAX_SUITES) {
        td_buf_reset(&h);
        td_probe_hello(&h, version, offer, n, all_groups, NUM_ALL_GROUPS, p->sni);
        td_probe_exchange(p, &h, &x);
        if (!took(&x, version)) {
            break;
        }
        if (!contains_u16(offer, n, x.suite)) {
            break; /* a server that answers with a suite never offered: stop, it is broken */
        }
        pv->accepted = true;
        pv->suites[pv->num_suites++] = x.suite;
        remove_u16(offer, &n, x.suite);
    }
    /* whose order: offer the accepted ones reversed */
    if (pv->num_suites >= 2) {
        uint16_t rev[TD_PROBE_MAX_SUITES];
        for (size_t i = 0; i < pv->num_suites; i++) {
            rev[i] = pv->suites[pv->num_suites - 1 - i];
        }
        td_buf_reset(&h);
        td_probe_hello(&h, version, rev, pv->num_suites, all_groups, NUM_ALL_GROUPS, p->sni);
        td_probe_exchange(p, &h, &x);
        pv->server_order = took(&x, version) && x.suite == pv->suites[0];
    }
    td_buf_free(&h);
}

/* Groups: TLS 1.3 from HelloRetryRequests, TLS 1.2 from ServerKeyExchange
 * (offering only the suites with an (EC)DHE key exchange). */
void td_probe_scan_groups(struct td_probe_ctx *p, size_t vi)
{
    struct td_probe_version *pv = &p->r->v[vi];
    uint16_t version = td_probe_versions[vi];
    uint16_t offer[NUM_ALL_GROUPS], suites[TD_PROBE_MAX_SUITES];
    size_t n = NUM_ALL_GROUPS, ns = 0;
    td_memcopy(offer, all_groups, sizeof all_groups);
    for (size_t i = 0; i < pv->num_suites; i++) {
        const char *name = td_suite_name(pv->suites[i]);
        if (version == TD_VERSION_TLS1_3 || (name && (strstr(name, "_ECDHE_") || strstr(name, "_DHE_")))) {
            suites[ns++] = pv->suites[i];
        }
    }
    struct td_buf h = {0};
    struct td_probe_exch x;
    while (n > 0 && ns > 0 && pv->num_groups < TD_PROBE_MAX_GROUPS) {
        td_buf_reset(&h);
        td_probe_hello(&h, version, suites, ns, offer, n, p->sni);
        td_probe_exchange(p, &h, &x);
        if (!took(&x, version) || !x.group || !contains_u16(offer, n, x.group)) {
            break;
        }
        pv->groups[pv->num_groups++] = x.group;
        remove_u16(offer, &n, x.group);
    }
    td_buf_free(&h);
}

bool td_probe_sni_refused(struct td_probe_ctx *p, size_t vi)
{
    struct td_buf h = {0};
    struct td_probe_exch x;
    uint16_t s0 = p->r->v[vi].suites[0];
    td_probe_hello(&h, td_probe_versions[vi], &s0, 1, all_groups, NUM_ALL_GROUPS, NULL);
    td_probe_exchange(p, &h, &x);
    td_buf_free(&h);
    return !took(&x, td_probe_versions[vi]);
}

void td_probe_sni_unrecognized(struct td_probe_ctx *p, const struct td_probe_exch *x)
{
    enum { UNRECOGNIZED_NAME = 112 }; /* RFC 6066 3 */
    if (!p->sni || !x->alert || x->alert_desc != UNRECOGNIZED_NAME || td_probe_best_version(p->r) >= 0) {
        return;
    }
    p->r->sni_unrecognized = true;
    const char *sni = p->sni;
    struct td_probe_exch y;
    p->sni = NULL;
    td_probe_first_contact(p, &y);
    p->sni = sni;
    p->r->sni_none_answered = y.sh;
}

int td_probe_best_version(const struct td_probe_result *r)
{
    int best = -1;
    for (int i = 0; i < TD_PROBE_VERSIONS; i++) {
        if (r->v[i].accepted) {
            best = i;
        }
    }
    return best;
}
