/* tlsdiag probe --client: the client's own ClientHello first (TLS 1.3 when it
 * offers it, else its highest version below), judged by what the server
 * answers; on a refusal, the hellos that tell why, each one TCP connection:
 *   no SNI sent:            the same hello with SNI: accepted -> sni_required
 *   the client's versions:  every suite and group -> accepted: a suite or group mismatch
 *                           (then every suite with the client's groups: accepted -> group_mismatch)
 *   each other version:     every suite -> the versions the server does accept (protocol_mismatch) */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "probe/client.h"
#include "probe/internal.h"
#include "tls/hello_build.h"
#include "tls/names.h"
#include "tls/tls.h"

#include "base/banned.h"

#define MAX_ALL 600

static const uint16_t versions[5] = {TD_VERSION_SSL3, TD_VERSION_TLS1_0, TD_VERSION_TLS1_1, TD_VERSION_TLS1_2,
                                     TD_VERSION_TLS1_3};
static const uint16_t all_groups[] = {TD_GROUP_X25519,    TD_GROUP_SECP256R1, TD_GROUP_SECP384R1, TD_GROUP_SECP521R1,
                                      TD_GROUP_X448,      TD_GROUP_FFDHE2048, TD_GROUP_FFDHE3072, TD_GROUP_FFDHE4096,
                                      TD_GROUP_FFDHE6144, TD_GROUP_FFDHE8192};

struct offer {
    uint16_t version;
    const uint16_t *suites, *groups;
    size_t num_suites, num_groups;
    const char *sni;
    const uint16_t *sigalgs; /* NULL: the probe's (every scheme) */
    size_t num_sigalgs;
};

static void exchange(struct td_probe_ctx *p, const struct offer *o, struct td_probe_exch *x)
{
    uint8_t random[32];
    RAND_bytes(random, sizeof random);
    struct td_hello_spec spec = {
        .profile = o->version == TD_VERSION_TLS1_3   ? TD_HELLO_PROBE_TLS13
                   : o->version == TD_VERSION_TLS1_2 ? TD_HELLO_PROBE_TLS12
                                                     : TD_HELLO_PROBE_LEGACY,
        .version = o->version,
        .random = random,
        .suites = o->suites,
        .num_suites = o->num_suites,
        .groups = o->groups,
        .num_groups = o->num_groups,
        .sni = o->sni,
        .sigalgs = o->sigalgs,
        .num_sigalgs = o->num_sigalgs,
        .no_pad = true, /* Java, OpenSSL, Go, curl and Python send no padding by default */
    };
    struct td_buf h = {0};
    (void)td_build_client_hello(&h, &spec); /* only an SNI over 64 KiB overflows: sent cut, refused */
    td_probe_exchange(p, &h, x);
    td_buf_free(&h);
}

static bool took(const struct td_probe_exch *x, uint16_t version)
{
    return version == TD_VERSION_TLS1_3 ? (x->hrr || (x->sh && x->version == TD_VERSION_TLS1_3)) : x->sh;
}

static size_t all_suites(bool tls13, uint16_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < td_suite_names_len && n < MAX_ALL; i++) {
        uint32_t v = td_suite_names[i].value;
        bool is13 = (v >> 8) == 0x13;
        if (v && v <= 0xffff && is13 == tls13 && !strstr(td_suite_names[i].name, "SCSV")) {
            out[n++] = (uint16_t)v;
        }
    }
    return n;
}

static int bit_of(uint16_t version)
{
    for (int i = 0; i < 5; i++) {
        if (versions[i] == version) {
            return 1 << i;
        }
    }
    return 0;
}

static bool has_u16(const uint16_t *v, size_t n, uint16_t x)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == x) {
            return true;
        }
    }
    return false;
}

/* The client's own hello at version (1.3, or its best below): connects? */
static bool try_client(struct td_probe_ctx *p, const struct td_client_spec *c, uint16_t version, const char *sni,
                       struct td_client_outcome *out, struct td_probe_exch *x)
{
    bool t13 = version == TD_VERSION_TLS1_3;
    struct offer o = {version,       t13 ? c->suites13 : c->suites,
                      c->groups,     t13 ? c->num_suites13 : c->num_suites,
                      c->num_groups, sni,
                      c->sigalgs,    c->num_sigalgs};
    exchange(p, &o, x);
    if (!took(x, version)) {
        return false;
    }
    if (!t13 && !has_u16(c->suites, c->num_suites, x->suite)) {
        return false; /* a suite never offered: no real client goes on */
    }
    out->version = t13 ? TD_VERSION_TLS1_3 : x->version;
    out->suite = x->suite;
    out->group = x->group;
    return t13 || ((unsigned)bit_of(x->version) & c->versions);
}

static uint16_t best_below_13(unsigned mask)
{
    for (int i = 3; i >= 0; i--) {
        if (mask & (1u << i)) {
            return versions[i];
        }
    }
    return 0;
}

/* The client's hellos, as the client would send them; true when one is accepted. */
static bool connect_as(struct td_probe_ctx *p, const struct td_client_spec *c, const char *sni,
                       struct td_client_outcome *out, struct td_probe_exch *x)
{
    if ((c->versions & 16) && c->num_suites13 && try_client(p, c, TD_VERSION_TLS1_3, sni, out, x)) {
        return true;
    }
    uint16_t v = best_below_13(c->versions);
    return v && c->num_suites && try_client(p, c, v, sni, out, x);
}

static void transport(struct td_client_outcome *out, const struct td_probe_exch *x, const char *addr)
{
    out->cause = !x->connected || x->reset ? TD_CAUSE_TCP_RESET : x->not_tls ? TD_CAUSE_NOT_TLS : TD_CAUSE_NO_RESPONSE;
    snprintf(out->why, sizeof out->why, "%s: %s", addr,
             !x->connected ? (x->timeout ? "no answer to the TCP connection" : "connection refused")
             : x->not_tls  ? "answers, but not in TLS"
                           : "no answer to the ClientHello");
    snprintf(out->fix, sizeof out->fix, "%s",
             "Check that the server listens with TLS on this port, and what sits in front of it.");
}

static const char *vname(uint16_t v)
{
    const char *n = td_version_name(v);
    return n ? n : "?";
}

/* The versions (bits) the server accepts with every suite, among mask. */
static unsigned accepted_versions(struct td_probe_ctx *p, unsigned mask, const char *sni, uint16_t *suite_at)
{
    uint16_t all[MAX_ALL];
    unsigned acc = 0;
    for (int i = 4; i >= 0; i--) {
        if (!(mask & (1u << i))) {
            continue;
        }
        struct offer o = {
            versions[i], all, all_groups, all_suites(i == 4, all), sizeof all_groups / sizeof all_groups[0], sni};
        struct td_probe_exch x;
        exchange(p, &o, &x);
        if (took(&x, versions[i]) && (i == 4 || x.version == versions[i])) {
            acc |= 1u << i;
            if (suite_at && !*suite_at) {
                *suite_at = x.suite;
            }
        }
    }
    return acc;
}

static void version_list(unsigned mask, char *out, size_t len)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < 5; i++) {
        if ((mask & (1u << i)) && o < len) {
            o += (size_t)snprintf(out + o, len - o, "%s%s", o ? ", " : "", vname(versions[i]));
        }
    }
}

/* The server accepts one of the client's versions with some suite: which part of the offer lacks. */
static void suites_or_groups(struct td_probe_ctx *p, const struct td_client_spec *c, const char *sni, uint16_t suite,
                             unsigned acc, struct td_client_outcome *out)
{
    uint16_t all[MAX_ALL];
    unsigned top = 4;
    while (top > 0 && !(acc & (1u << top))) {
        top--;
    }
    struct offer o = {versions[top], all, c->groups, all_suites(top == 4, all), c->num_groups, sni};
    struct td_probe_exch x;
    exchange(p, &o, &x);
    char sb[32];
    if (!took(&x, versions[top]) && c->num_groups) {
        out->cause = TD_CAUSE_GROUP_MISMATCH;
        snprintf(out->why, sizeof out->why,
                 "the server shares no key-exchange group with %s (it offers %zu, none "
                 "accepted)",
                 c->name, c->num_groups);
        snprintf(out->fix, sizeof out->fix,
                 "Enable x25519 or secp256r1 on the server (nginx ssl_ecdh_curve, "
                 "OpenSSL -groups), or the server's group on the client (jdk.tls.namedGroups).");
        return;
    }
    const char *sn = td_suite_str(suite, sb, sizeof sb);
    bool rsa_kex = strncmp(sn, "TLS_RSA_", 8) == 0;
    out->cause = TD_CAUSE_CIPHER_MISMATCH;
    out->server_suite = suite;
    snprintf(out->why, sizeof out->why, "no cipher suite in common: the server accepts %s%s, which %s does not offer",
             sn, rsa_kex ? " (RSA key exchange)" : "", c->name);
    snprintf(out->fix, sizeof out->fix,
             "Enable a suite %s offers on the server (an ECDHE-AES-GCM suite such as "
             "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), or enable %s on the client%s.",
             c->name, sn, rsa_kex ? " (an RSA-key-exchange suite: no forward secrecy)" : "");
}

/* Why the client's hellos were refused. */
static void diagnose(struct td_probe_ctx *p, const struct td_client_spec *c, const char *sni,
                     struct td_client_outcome *out)
{
    struct td_probe_exch x;
    if (!sni && p->r->host[0] && !td_probe_is_ip(p->r->host) && connect_as(p, c, p->r->host, out, &x)) {
        out->cause = TD_CAUSE_SNI_REQUIRED;
        snprintf(out->why, sizeof out->why,
                 "the server refuses clients that send no server_name, and %s sends none "
                 "for '%s'",
                 c->name, p->r->host);
        snprintf(out->fix, sizeof out->fix,
                 "Connect with a fully qualified host name (Java sends no SNI for IP "
                 "addresses or dot-less names), or give the server a default certificate for clients without SNI.");
        out->version = out->suite = out->group = 0;
        return;
    }
    struct td_client_spec every = *c; /* the same hello with every signature scheme */
    every.num_sigalgs = 0;
    if (c->num_sigalgs && connect_as(p, &every, sni, out, &x)) {
        out->cause = TD_CAUSE_SIGNATURE_MISMATCH;
        snprintf(out->why, sizeof out->why,
                 "the server takes %s's versions, suites and groups, but signs with none of the %zu signature "
                 "schemes %s offers (the same hello with every scheme is accepted)",
                 c->name, c->num_sigalgs, c->name);
        td_strcopy(out->fix, sizeof out->fix, td_cause_info(TD_CAUSE_SIGNATURE_MISMATCH)->resolution);
        out->version = out->suite = out->group = 0;
        return;
    }
    uint16_t suite = 0;
    unsigned acc = accepted_versions(p, c->versions, sni, &suite);
    if (acc) {
        suites_or_groups(p, c, sni, suite, acc, out);
        return;
    }
    unsigned other = accepted_versions(p, 31u & ~c->versions, sni, NULL);
    char theirs[80], ours[80];
    version_list(other, theirs, sizeof theirs);
    version_list(c->versions, ours, sizeof ours);
    out->cause = TD_CAUSE_PROTOCOL_MISMATCH;
    out->server_versions = other;
    if (!other) {
        snprintf(out->why, sizeof out->why, "the server accepted no ClientHello at any version");
        snprintf(out->fix, sizeof out->fix, "Check the server's TLS configuration with tlsdiag probe.");
        out->cause = TD_CAUSE_NO_RESPONSE;
        return;
    }
    snprintf(out->why, sizeof out->why, "the server accepts only %s; %s offers %s", theirs, c->name, ours);
    snprintf(out->fix, sizeof out->fix,
             "Enable TLS 1.2 (and 1.3) on the server (recommended); or allow %s on the "
             "client (Java: -Djdk.tls.client.protocols and jdk.tls.disabledAlgorithms; Apigee: <Protocol>).",
             theirs);
}

bool td_probe_client(const char *target, const struct td_probe_opts *o, const struct td_client_spec *c,
                     struct td_client_outcome *out, char *err, size_t err_len)
{
    td_memzero(out, sizeof *out);
    struct td_probe_result *r = td_calloc(1, sizeof *r);
    bool ok = td_probe_parse_target(target, r->host, sizeof r->host, &r->port);
    if (!ok) {
        snprintf(err, err_len, "%s: not HOST, HOST:PORT or [IPv6]:PORT", target);
        free(r);
        return false;
    }
    int64_t t0 = td_probe_now_ms();
    struct td_probe_ctx p;
    td_memzero(&p, sizeof p);
    p.o = o;
    p.r = r;
    td_limits_default(&p.lim);
    if (!td_probe_resolve(&p)) {
        out->cause = TD_CAUSE_NO_RESPONSE;
        td_strcopy(out->why, sizeof out->why, r->error);
        snprintf(out->fix, sizeof out->fix, "Check the host name (DNS).");
    } else {
        const char *sni = c->send_sni ? r->host : NULL;
        struct td_probe_exch x;
        out->connects = connect_as(&p, c, sni, out, &x);
        out->reachable = x.connected && !x.not_tls && !(x.timeout && !x.sh && !x.alert && !x.hrr);
        if (!out->reachable) {
            transport(out, &x, r->address);
        } else if (!out->connects) {
            diagnose(&p, c, sni, out);
        }
    }
    out->connections = r->connections;
    out->seconds = (double)(td_probe_now_ms() - t0) / 1000.0;
    td_probe_result_free(r);
    free(r);
    return true;
}
