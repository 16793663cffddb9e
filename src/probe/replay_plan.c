/* The variants of a replay, in the order they are tried, each one change to
 * the captured ClientHello; the cause a variant's acceptance proves; and the
 * smallest change on each side, in the words of the configuration to change. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe/replay_internal.h"
#include "tls/names.h"

#include "base/banned.h"

/* Suite variants tried at most (the capture's first, then these). */
#define MAX_SUITE_VARIANTS 6
#define MAX_GROUP_VARIANTS 4
#define MAX_EXT_VARIANTS 16
/* Size-intolerant stacks hang on hellos of 256 to 511 bytes (RFC 7685 1). */
#define PAD_TO 512

static const uint16_t common_suites12[] = {
    TD_SUITE_ECDHE_RSA_WITH_AES_128_GCM_SHA256,       TD_SUITE_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    TD_SUITE_ECDHE_RSA_WITH_AES_256_GCM_SHA384,       TD_SUITE_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    TD_SUITE_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, TD_SUITE_RSA_WITH_AES_128_GCM_SHA256,
};
static const uint16_t common_suites13[] = {
    TD_SUITE_AES_128_GCM_SHA256,
    TD_SUITE_AES_256_GCM_SHA384,
    TD_SUITE_CHACHA20_POLY1305_SHA256,
};
static const uint16_t common_groups[] = {TD_GROUP_X25519, TD_GROUP_SECP256R1, TD_GROUP_SECP384R1, TD_GROUP_SECP521R1};

static struct td_replay_variant *add(struct td_replay_result *r, enum td_variant_kind kind, uint16_t value,
                                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static struct td_replay_variant *add(struct td_replay_result *r, enum td_variant_kind kind, uint16_t value,
                                     const char *fmt, ...)
{
    for (size_t i = 0; i < r->num_v; i++) {
        if (r->v[i].kind == kind && r->v[i].value == value && kind != TD_VK_BASELINE) {
            return NULL; /* the same change twice (a learned suite that is also a common one) */
        }
    }
    if (r->num_v == TD_REPLAY_MAX_VARIANTS) {
        return NULL;
    }
    struct td_replay_variant *v = &r->v[r->num_v++];
    td_memzero(v, sizeof *v);
    v->kind = kind;
    v->value = value;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->what, sizeof v->what, fmt, ap);
    va_end(ap);
    return v;
}

static size_t count(const struct td_replay_result *r, enum td_variant_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < r->num_v; i++) {
        n += r->v[i].kind == kind;
    }
    return n;
}

static void plan_versions(struct td_replay_result *r, const struct td_rh *h)
{
    uint16_t max = td_rh_max_version(h);
    char name[32];
    for (uint16_t v = TD_VERSION_TLS1_1; v <= TD_VERSION_TLS1_2; v++) {
        if (v > max) {
            bool sigalgs = v == TD_VERSION_TLS1_2 && !td_rh_find(h, TD_EXT_SIGNATURE_ALGORITHMS);
            add(r, TD_VK_VERSION, v, "%s offered%s", td_version_str(v, name, sizeof name),
                sigalgs ? " (with the signature_algorithms it requires)" : "");
        }
    }
    if (max < TD_VERSION_TLS1_3 && td_rh_find(h, TD_EXT_SUPPORTED_VERSIONS) && td_rh_find(h, TD_EXT_KEY_SHARE)) {
        add(r, TD_VK_VERSION, TD_VERSION_TLS1_3, "TLS 1.3 offered");
    }
}

static void plan_suite(struct td_replay_result *r, const struct td_rh *h, uint16_t s)
{
    char name[64];
    if (!td_rh_has_suite(h, s) && count(r, TD_VK_SUITE) < MAX_SUITE_VARIANTS) {
        add(r, TD_VK_SUITE, s, "suite %s added", td_suite_str(s, name, sizeof name));
    }
}

static void plan_suites(struct td_replay_result *r, const struct td_rh *h, const struct td_replay_hints *hints)
{
    uint16_t max = td_rh_max_version(h);
    for (size_t i = 0; hints && i < hints->num_suites; i++) {
        bool tls13_suite = (hints->suites[i] >> 8) == 0x13;
        if (tls13_suite == (max >= TD_VERSION_TLS1_3) || !tls13_suite) {
            plan_suite(r, h, hints->suites[i]);
        }
    }
    if (max >= TD_VERSION_TLS1_3) {
        for (size_t i = 0; i < sizeof common_suites13 / sizeof common_suites13[0]; i++) {
            plan_suite(r, h, common_suites13[i]);
        }
    }
    if (h->legacy_version >= TD_VERSION_TLS1_2) { /* the GCM suites need TLS 1.2 */
        for (size_t i = 0; i < sizeof common_suites12 / sizeof common_suites12[0]; i++) {
            plan_suite(r, h, common_suites12[i]);
        }
    }
}

static void plan_group(struct td_replay_result *r, const uint16_t *offered, size_t n, uint16_t g)
{
    for (size_t i = 0; i < n; i++) {
        if (offered[i] == g) {
            return;
        }
    }
    uint8_t key[256];
    char name[40];
    if (count(r, TD_VK_GROUP) < MAX_GROUP_VARIANTS && td_replay_key_share(g, key, sizeof key)) {
        add(r, TD_VK_GROUP, g, "group %s added", td_group_str(g, name, sizeof name));
    }
}

static void plan_groups(struct td_replay_result *r, const struct td_rh *h, const struct td_replay_hints *hints)
{
    uint16_t offered[128];
    size_t n = td_rh_groups(h, offered, 128);
    if (n == 0) {
        return; /* no ECDHE offered: groups are not what it lacks */
    }
    for (size_t i = 0; hints && i < hints->num_groups; i++) {
        plan_group(r, offered, n, hints->groups[i]);
    }
    for (size_t i = 0; i < sizeof common_groups / sizeof common_groups[0]; i++) {
        plan_group(r, offered, n, common_groups[i]);
    }
    for (size_t i = 0; i < n; i++) {
        if (td_group_is_pq(offered[i])) {
            add(r, TD_VK_DROP_PQ, 0, "post-quantum key share and group dropped");
            break;
        }
    }
}

static void plan_form(struct td_replay_result *r, const struct td_rh *h)
{
    char name[48];
    for (size_t i = 0; i < h->num_exts && count(r, TD_VK_DROP_EXT) < MAX_EXT_VARIANTS; i++) {
        uint16_t t = h->exts[i].type;
        if (t != TD_EXT_PRE_SHARED_KEY && t != TD_EXT_EARLY_DATA) {
            add(r, TD_VK_DROP_EXT, t, "extension %s dropped", td_ext_str(t, name, sizeof name));
        }
    }
    add(r, TD_VK_SPLIT, 0, "sent in two TCP segments");
    add(r, TD_VK_PAD, PAD_TO, "padded to %d bytes (RFC 7685)", PAD_TO);
}

void td_replay_plan(struct td_replay_result *r, const struct td_rh *h, const struct td_replay_input *in,
                    const struct td_replay_hints *hints, const char *sni)
{
    (void)in;
    if (sni && *sni && !td_rh_find(h, TD_EXT_SERVER_NAME)) {
        add(r, TD_VK_SNI, 0, "SNI %s added", sni);
    }
    plan_versions(r, h);
    plan_groups(r, h, hints); /* before the suites: when either would do, the offered ECDHE suite lacked a group */
    plan_suites(r, h, hints);
    plan_form(r, h);
}

void td_replay_edit_of(const struct td_replay_variant *v, const char *sni, struct td_rh_edit *e)
{
    td_memzero(e, sizeof *e);
    switch (v->kind) {
    case TD_VK_SNI:
        e->add_sni = sni;
        break;
    case TD_VK_VERSION:
        e->version = v->value;
        break;
    case TD_VK_SUITE:
        e->add_suite = v->value;
        break;
    case TD_VK_GROUP:
        e->add_group = v->value;
        break;
    case TD_VK_DROP_PQ:
        e->drop_pq = true;
        break;
    case TD_VK_DROP_EXT:
        e->drop_ext = v->value;
        e->drop_ext_set = true;
        break;
    case TD_VK_PAD:
        e->pad_to = v->value;
        break;
    default:
        break;
    }
}

enum td_cause td_replay_cause_of(const struct td_replay_variant *v)
{
    switch (v->kind) {
    case TD_VK_SNI:
        return TD_CAUSE_SNI_REQUIRED;
    case TD_VK_VERSION:
        return TD_CAUSE_PROTOCOL_MISMATCH;
    case TD_VK_SUITE:
        return TD_CAUSE_CIPHER_MISMATCH;
    case TD_VK_GROUP:
        return TD_CAUSE_GROUP_MISMATCH;
    case TD_VK_BASELINE:
        return TD_CAUSE_NONE;
    default:
        return TD_CAUSE_HELLO_INTOLERANCE;
    }
}

static void fix_offer(struct td_replay_result *r, const struct td_replay_variant *v, const struct td_rh *h)
{
    char abuf[64], bbuf[64];
    const char *a, *b;
    uint16_t g[8];
    switch (v->kind) {
    case TD_VK_VERSION:
        a = td_version_str(v->value, abuf, sizeof abuf);
        b = td_version_str(td_rh_max_version(h), bbuf, sizeof bbuf);
        snprintf(r->fix_client, sizeof r->fix_client,
                 "enable %s on the client (Java -Djdk.tls.client.protocols=TLSv1.2,TLSv1.3; OpenSSL MinProtocol "
                 "or no -tls1; Apigee <SSLInfo><Protocols><Protocol>TLSv1.2</Protocol>)",
                 a);
        snprintf(r->fix_server, sizeof r->fix_server,
                 "allow %s on the server until the client moves (nginx ssl_protocols with it and TLSv1.2; "
                 "OpenSSL MinProtocol; Java jdk.tls.disabledAlgorithms without it): deprecated, RFC 8996",
                 b);
        break;
    case TD_VK_SUITE:
        a = td_suite_str(v->value, abuf, sizeof abuf);
        b = td_suite_str(h->suites[0], bbuf, sizeof bbuf);
        snprintf(r->fix_client, sizeof r->fix_client,
                 "add %s to the client's suites (OpenSSL -cipher / CipherString; Java https.cipherSuites or "
                 "jdk.tls.disabledAlgorithms; Apigee <SSLInfo><Ciphers><Cipher>%s</Cipher>)",
                 a, a);
        snprintf(r->fix_server, sizeof r->fix_server,
                 "accept one of the client's suites, e.g. %s (nginx ssl_ciphers; OpenSSL -cipher)", b);
        break;
    case TD_VK_GROUP:
        a = td_group_str(v->value, abuf, sizeof abuf);
        b = td_group_str(td_rh_groups(h, g, 8) ? g[0] : 0, bbuf, sizeof bbuf);
        snprintf(r->fix_client, sizeof r->fix_client,
                 "offer %s (OpenSSL -groups / Groups; Java -Djdk.tls.namedGroups=%s; curl --curves %s)", a, a, a);
        snprintf(r->fix_server, sizeof r->fix_server,
                 "accept the client's group %s (nginx ssl_ecdh_curve %s:%s; OpenSSL -groups; Java "
                 "jdk.tls.namedGroups)",
                 b, a, b);
        break;
    default:
        break;
    }
}

void td_replay_fixes(struct td_replay_result *r, const struct td_replay_variant *v, const struct td_rh *h,
                     const char *sni)
{
    char abuf[64];
    const char *a;
    switch (v->kind) {
    case TD_VK_SNI:
        snprintf(r->fix_client, sizeof r->fix_client,
                 "send SNI %s: connect by that name, not the address (curl --resolve NAME:PORT:ADDR; Java: leave "
                 "jsse.enableSNIExtension on; Apigee: the host name in the TargetEndpoint URL)",
                 sni ? sni : "");
        snprintf(r->fix_server, sizeof r->fix_server,
                 "serve clients without SNI: give nginx's default_server an ssl_certificate instead of "
                 "ssl_reject_handshake on");
        break;
    case TD_VK_VERSION:
    case TD_VK_SUITE:
    case TD_VK_GROUP:
        fix_offer(r, v, h);
        break;
    case TD_VK_DROP_PQ:
        snprintf(r->fix_client, sizeof r->fix_client,
                 "offer no post-quantum hybrid group (OpenSSL -groups, Java jdk.tls.namedGroups without it)");
        snprintf(r->fix_server, sizeof r->fix_server,
                 "update the server or the middlebox that refuses a ClientHello larger than one segment");
        break;
    case TD_VK_DROP_EXT:
        a = td_ext_str(v->value, abuf, sizeof abuf);
        snprintf(r->fix_client, sizeof r->fix_client, "do not send the %s extension", a);
        snprintf(r->fix_server, sizeof r->fix_server, "update the TLS stack or middlebox intolerant of %s", a);
        break;
    case TD_VK_SPLIT:
        snprintf(r->fix_client, sizeof r->fix_client, "none needed in the TLS configuration");
        snprintf(r->fix_server, sizeof r->fix_server,
                 "the refusal depends on the first TCP segment alone: look at the middlebox filtering it");
        break;
    case TD_VK_PAD:
        snprintf(r->fix_client, sizeof r->fix_client, "pad the ClientHello (RFC 7685; OpenSSL SSL_OP_TLSEXT_PADDING)");
        snprintf(r->fix_server, sizeof r->fix_server,
                 "update the server or load balancer intolerant of ClientHellos of this size");
        break;
    default:
        break;
    }
}
