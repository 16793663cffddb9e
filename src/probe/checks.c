/* tlsdiag probe, the checks sslscan and testssl.sh users look for: signature
 * algorithms (one offered at a time, TLS 1.2 and 1.3), TLS_FALLBACK_SCSV (RFC
 * 7507), secure renegotiation (RFC 5746), OCSP stapling, session resumption
 * by ticket and by id, and ALPN (h2, http/1.1 one at a time). The raw checks
 * use ClientHellos of tls/hello_build.c; the rest need a whole handshake
 * (a signature, a stapled response in TLS 1.3's encrypted Certificate, a
 * session) and use libssl. */
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <string.h>

#include "base/mem.h"
#include "probe/internal.h"
#include "tls/hello_build.h"
#include "tls/names.h"
#include "tls/tls.h"

#include "base/banned.h"

/* r->v[] indexes (scan.c's td_probe_versions). */
enum { V_TLS10 = 1, V_TLS12 = 3, V_TLS13 = 4 };

/* RFC 7507: the signalling suite. */
enum { TLS_FALLBACK_SCSV = 0x5600 };

/* The signature schemes libssl can offer, by IANA code and OpenSSL name, in
 * families of one key type (a server without such a key refuses the whole
 * family at once: one connection instead of one per scheme); tls13 false: not
 * allowed in TLS 1.3 CertificateVerify (RFC 8446 4.2.3). */
enum sig_family { F_ECDSA, F_EDDSA, F_RSAE_PSS, F_PSS_PSS, F_PKCS1, NUM_FAMILIES };
static const struct {
    uint16_t code;
    const char *name;
    enum sig_family family;
    bool tls13;
} sigalgs[] = {
    {0x0403, "ecdsa_secp256r1_sha256", F_ECDSA, true},
    {0x0503, "ecdsa_secp384r1_sha384", F_ECDSA, true},
    {0x0603, "ecdsa_secp521r1_sha512", F_ECDSA, true},
    {0x0303, "ecdsa_sha224", F_ECDSA, false},
    {0x0203, "ecdsa_sha1", F_ECDSA, false},
    {0x0807, "ed25519", F_EDDSA, true},
    {0x0808, "ed448", F_EDDSA, true},
    {0x0804, "rsa_pss_rsae_sha256", F_RSAE_PSS, true},
    {0x0805, "rsa_pss_rsae_sha384", F_RSAE_PSS, true},
    {0x0806, "rsa_pss_rsae_sha512", F_RSAE_PSS, true},
    {0x0809, "rsa_pss_pss_sha256", F_PSS_PSS, true},
    {0x080a, "rsa_pss_pss_sha384", F_PSS_PSS, true},
    {0x080b, "rsa_pss_pss_sha512", F_PSS_PSS, true},
    {0x0401, "rsa_pkcs1_sha256", F_PKCS1, false},
    {0x0501, "rsa_pkcs1_sha384", F_PKCS1, false},
    {0x0601, "rsa_pkcs1_sha512", F_PKCS1, false},
    {0x0301, "rsa_pkcs1_sha224", F_PKCS1, false},
    {0x0201, "rsa_pkcs1_sha1", F_PKCS1, false},
};
#define NUM_SIGALGS (sizeof sigalgs / sizeof sigalgs[0])

static int ssl_version(size_t vi)
{
    static const int v[TD_PROBE_VERSIONS] = {SSL3_VERSION, TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION,
                                             TLS1_3_VERSION};
    return v[vi];
}

/* One handshake at version vi offering only the schemes in list (OpenSSL's
 * colon-separated form); in TLS 1.2 only with (EC)DHE suites, whose
 * ServerKeyExchange is signed with it (RSA key exchange signs nothing). */
static bool sigalgs_taken(struct td_probe_ctx *p, size_t vi, const char *list)
{
    struct td_probe_hs h;
    struct td_probe_hs_req q = {.sni = p->sni,
                                .with_cert = p->r->client_cert_accepted,
                                .min_version = ssl_version(vi),
                                .max_version = ssl_version(vi),
                                .sigalgs = list,
                                .kx_only = vi == V_TLS12};
    td_probe_handshake(p, &q, &h);
    return h.ok;
}

/* Each family at once, then each scheme of the families taken, alone. */
static void scan_sigalgs(struct td_probe_ctx *p, size_t vi, uint16_t *out, size_t *num_out)
{
    for (int f = 0; f < NUM_FAMILIES; f++) {
        char list[400] = "";
        size_t used = 0;
        for (size_t i = 0; i < NUM_SIGALGS; i++) {
            if (sigalgs[i].family == (enum sig_family)f && (vi != V_TLS13 || sigalgs[i].tls13)) {
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ":" : "", sigalgs[i].name);
            }
        }
        if (!used || !sigalgs_taken(p, vi, list)) {
            continue;
        }
        for (size_t i = 0; i < NUM_SIGALGS && *num_out < TD_PROBE_MAX_SIGALGS; i++) {
            if (sigalgs[i].family == (enum sig_family)f && (vi != V_TLS13 || sigalgs[i].tls13) &&
                sigalgs_taken(p, vi, sigalgs[i].name)) {
                out[(*num_out)++] = sigalgs[i].code;
            }
        }
    }
}

void td_probe_raw_hello(struct td_probe_ctx *p, uint16_t version, const uint16_t *suites, size_t n, bool no_ems,
                        struct td_probe_exch *x)
{
    static const uint16_t groups[] = {TD_GROUP_X25519, TD_GROUP_SECP256R1, TD_GROUP_SECP384R1, TD_GROUP_SECP521R1,
                                      TD_GROUP_FFDHE2048};
    uint8_t random[32];
    RAND_bytes(random, sizeof random);
    struct td_hello_spec spec = {
        .profile = version == TD_VERSION_TLS1_2 ? TD_HELLO_PROBE_TLS12 : TD_HELLO_PROBE_LEGACY,
        .version = version,
        .random = random,
        .suites = suites,
        .num_suites = n,
        .groups = groups,
        .num_groups = sizeof groups / sizeof groups[0],
        .sni = p->sni,
        .no_ems = no_ems,
    };
    struct td_buf b = {0};
    (void)td_build_client_hello(&b, &spec); /* only an SNI over 64 KiB overflows: refused */
    td_probe_exchange(p, &b, x);
    td_buf_free(&b);
}

/* The highest version under the best one that the server accepts, offered
 * with TLS_FALLBACK_SCSV: a server that knows RFC 7507 answers
 * inappropriate_fallback (86). Also: renegotiation_info in the ServerHello of
 * the highest version up to TLS 1.2. */
static void fallback_and_reneg(struct td_probe_ctx *p, int best)
{
    struct td_probe_result *r = p->r;
    struct td_probe_exch x;
    for (int vi = best; vi >= V_TLS10; vi--) {
        const struct td_probe_version *v = &r->v[vi];
        if (vi > V_TLS12 || !v->accepted || !v->num_suites) {
            continue;
        }
        td_probe_raw_hello(p, v->version, v->suites, v->num_suites, false, &x);
        r->chk.secure_reneg = !x.sh ? TD_TRI_UNKNOWN : x.reneg ? TD_TRI_YES : TD_TRI_NO;
        break;
    }
    for (int vi = best - 1; vi >= V_TLS10; vi--) {
        const struct td_probe_version *v = &r->v[vi];
        if (!v->accepted || !v->num_suites || v->num_suites >= TD_PROBE_MAX_SUITES) {
            continue;
        }
        uint16_t suites[TD_PROBE_MAX_SUITES + 1];
        td_memcopy(suites, v->suites, v->num_suites * sizeof suites[0]);
        suites[v->num_suites] = TLS_FALLBACK_SCSV;
        td_probe_raw_hello(p, v->version, suites, v->num_suites + 1, false, &x);
        r->chk.fallback_scsv = x.alert && x.alert_desc == 86 ? TD_TRI_YES : x.sh ? TD_TRI_NO : TD_TRI_UNKNOWN;
        break;
    }
}

/* Two handshakes: the second offers the first's session. */
static enum td_probe_tri resumes(struct td_probe_ctx *p, int version, bool by_ticket)
{
    struct td_probe_hs h1, h2;
    struct td_probe_hs_req q = {.sni = p->sni,
                                .with_cert = p->r->client_cert_accepted,
                                .min_version = version,
                                .max_version = version,
                                .no_ticket = !by_ticket,
                                .want_session = true,
                                .read_after = version == TLS1_3_VERSION};
    td_probe_handshake(p, &q, &h1);
    if (!h1.ok || !h1.session) {
        SSL_SESSION_free(h1.session);
        return TD_TRI_UNKNOWN;
    }
    bool ticket = SSL_SESSION_has_ticket(h1.session) == 1;
    if (by_ticket && !ticket) {
        SSL_SESSION_free(h1.session);
        return TD_TRI_NO;
    }
    q.want_session = false;
    q.resume = h1.session;
    td_probe_handshake(p, &q, &h2);
    SSL_SESSION_free(h1.session);
    return !h2.ok ? TD_TRI_UNKNOWN : h2.reused ? TD_TRI_YES : TD_TRI_NO;
}

static void alpn(struct td_probe_ctx *p)
{
    static const char *const protos[] = {"h2", "http/1.1"};
    struct td_probe_result *r = p->r;
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++) {
        uint8_t wire[16];
        size_t l = strlen(protos[i]);
        wire[0] = (uint8_t)l;
        td_memcopy(wire + 1, protos[i], l);
        struct td_probe_hs h;
        struct td_probe_hs_req q = {
            .sni = p->sni, .with_cert = r->client_cert_accepted, .alpn = wire, .alpn_len = l + 1};
        td_probe_handshake(p, &q, &h);
        if (h.ok && strcmp(h.alpn, protos[i]) == 0) {
            r->chk.alpn[r->chk.num_alpn++] = protos[i];
        } else if (!h.ok && strstr(h.alert, "no application protocol")) {
            r->chk.alpn_refused[r->chk.num_alpn_refused++] = protos[i];
        }
    }
}

void td_probe_checks(struct td_probe_ctx *p)
{
    struct td_probe_result *r = p->r;
    int best = td_probe_best_version(r);
    if (best < 0) {
        return;
    }
    if (r->v[V_TLS12].accepted) {
        scan_sigalgs(p, V_TLS12, r->chk.sigalgs12, &r->chk.num_sigalgs12);
    }
    if (r->v[V_TLS13].accepted) {
        scan_sigalgs(p, V_TLS13, r->chk.sigalgs13, &r->chk.num_sigalgs13);
    }
    fallback_and_reneg(p, best);
    td_probe_check_ems(p, best);
    if (r->chk.ocsp_stapling == TD_TRI_UNKNOWN) { /* the chain's handshake could not tell */
        struct td_probe_hs h;
        struct td_probe_hs_req q = {.sni = p->sni, .with_cert = r->client_cert_accepted, .status_request = true};
        td_probe_handshake(p, &q, &h);
        r->chk.ocsp_stapling = !h.ok ? TD_TRI_UNKNOWN : h.ocsp ? TD_TRI_YES : TD_TRI_NO;
    }
    int rv = r->v[V_TLS12].accepted ? TLS1_2_VERSION : best == V_TLS13 ? TLS1_3_VERSION : 0;
    if (rv) {
        r->chk.resume_ticket = resumes(p, rv, true);
    }
    if (r->v[V_TLS12].accepted) {
        r->chk.resume_id = resumes(p, TLS1_2_VERSION, false);
    }
    alpn(p);
}
