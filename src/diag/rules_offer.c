/* The rules for what the ClientHello offers against what the server takes:
 * versions, key-exchange groups, cipher suites, SNI. */
#include <stdio.h>
#include <string.h>

#include "diag/rules_internal.h"

#include "base/banned.h"

static bool server_accepted_version_in(const struct td_server_view *sv, uint16_t lo, uint16_t hi)
{
    for (uint16_t x = lo; x <= hi && x <= TD_VERSION_TLS1_3; x++) {
        if (x >= TD_VERSION_SSL3 && (sv->versions_ok & (1u << (x & 0xff)))) {
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
    if (s == TD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV ||
        s == TD_SUITE_FALLBACK_SCSV) { /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV */
        return true;
    }
    const char *n = td_suite_name(s);
    if (!n || (s >> 8) == 0x13) {
        return false; /* unknown (GREASE, private) or TLS 1.3 (RFC 8446 B.4: {0x13, *}) */
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
        if (td_is_grease(x) || x == TD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV || x == TD_SUITE_FALLBACK_SCSV) {
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
static bool group_mainstream(uint16_t g) { return g == TD_GROUP_SECP256R1 || g == TD_GROUP_X25519; }

/* A TLS 1.3 offer with the mandatory suite but only unusual groups: one
 * that is neither X25519 nor P-256 (P-384 alone, or post-quantum only). */
static bool offer_unusual_groups(const struct td_facts *f)
{
    if (f->ch_max < TD_VERSION_TLS1_3 || !has_u16(&f->ch_suites, TD_SUITE_AES_128_GCM_SHA256) || f->ch_groups.n == 0) {
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
    static const uint16_t modern[] = {TD_SUITE_AES_128_GCM_SHA256,
                                      TD_SUITE_AES_256_GCM_SHA384,
                                      TD_SUITE_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                                      TD_SUITE_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                      TD_SUITE_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                                      TD_SUITE_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                                      TD_SUITE_RSA_WITH_AES_128_GCM_SHA256,
                                      TD_SUITE_RSA_WITH_AES_128_CBC_SHA,
                                      TD_SUITE_RSA_WITH_AES_256_CBC_SHA,
                                      TD_SUITE_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256};
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

/* The server refused the ClientHello for its version: its protocol_version
 * alert, the record version of its alert, or a client of TLS 1.1 or older. */
static bool version_refused(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    char a[48];
    bool alert_says = f->alert[TD_SERVER] && f->alert_desc[TD_SERVER] == TD_ALERT_PROTOCOL_VERSION;
    /* RFC 8446 5.1: a TLS 1.3 server writes 0x0303 (TLS 1.2) as the record
     * version of every record, alerts included; only an older record
     * version bounds what the server speaks. */
    bool below = f->alert[TD_SERVER] && f->alert_version[TD_SERVER] && f->alert_version[TD_SERVER] < f->ch_min &&
                 f->alert_version[TD_SERVER] < TD_VERSION_TLS1_2;
    bool old_client = f->ch_max <= TD_VERSION_TLS1_1;
    bool same_ok = sv && server_accepted_version_in(sv, f->ch_min, f->ch_max);
    /* What the server negotiated with others proves nothing against a
     * version: only its alert does. */
    if (!(alert_says || below || (old_client && !same_ok))) {
        return false;
    }
    verdict(v, TD_CAUSE_PROTOCOL_MISMATCH, (alert_says || below) ? TD_CONF_HIGH : TD_CONF_MEDIUM,
            old_client ? TD_SIDE_CLIENT : TD_SIDE_SERVER);
    td_verdict_hello(v, f);
    td_verdict_alert(v, f, TD_SERVER);
    char o[100];
    if (below) {
        SAY(v, "the server speaks at most %s (its alert's record version); the client offered %s",
            ver(f->alert_version[TD_SERVER], a, sizeof a), td_offered(f, o, sizeof o));
    } else {
        SAY(v, "the client offered %s; the server refused it", td_offered(f, o, sizeof o));
    }
    if (sv && sv->versions_ok && sv->example_frame) {
        td_verdict_evidence(v, sv->example_frame, "the server accepted %s from another client", sv->example);
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
            ver(f->alert_version[TD_SERVER], a, sizeof a));
    } else {
        FIX(v,
            "server: also accept %s, the client's highest; or client: enable the newer version the server "
            "requires (TLS 1.3).",
            ver(f->ch_max, a, sizeof a));
    }
    if (!alert_says) {
        td_verdict_candidate(v, TD_CAUSE_CIPHER_MISMATCH);
    }
    return true;
}

/* The server chose a version the client did not offer at all (a TLS 1.2
 * ServerHello to a TLS 1.3-only ClientHello): RFC 8446 4.2.1 has the
 * client abort with protocol_version. */
static bool version_not_offered(const struct td_facts *f, struct td_verdict *v)
{
    char a[48], b[48];
    if (f->have_sh && f->version && f->ch_supported_versions && f->version < f->ch_min && f->alert[TD_CLIENT]) {
        bool says = f->alert_desc[TD_CLIENT] == TD_ALERT_PROTOCOL_VERSION;
        verdict(v, TD_CAUSE_PROTOCOL_MISMATCH, says ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_BOTH);
        char o[100];
        td_verdict_hello(v, f);
        td_verdict_evidence(v, f->sh_frame, "ServerHello chooses %s, which the client did not offer",
                            ver(f->version, a, sizeof a));
        td_verdict_alert(v, f, TD_CLIENT);
        SAY(v, "the client offered %s; the server answered with %s, its highest, and the client refused it",
            td_offered(f, o, sizeof o), ver(f->version, a, sizeof a));
        FIX(v, "server: enable %s; or client: also allow %s.", ver(f->ch_min, b, sizeof b),
            ver(f->version, a, sizeof a));
        v->aborted_by = TD_SIDE_CLIENT;
        return true;
    }
    return false;
}

/* The server chose an old version the client listed but would not use. */
static bool version_disabled(const struct td_facts *f, struct td_verdict *v)
{
    char a[48], b[48];
    if (f->have_sh && f->version && f->version <= TD_VERSION_TLS1_1 && f->ch_max >= TD_VERSION_TLS1_2 &&
        f->alert[TD_CLIENT] && !f->chain.expired && !(f->chain.name_checked && !f->chain.name_ok)) {
        bool says = f->alert_desc[TD_CLIENT] == TD_ALERT_PROTOCOL_VERSION ||
                    f->alert_desc[TD_CLIENT] == TD_ALERT_INSUFFICIENT_SECURITY;
        verdict(v, TD_CAUSE_PROTOCOL_MISMATCH, says ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_SERVER);
        td_verdict_hello(v, f);
        td_verdict_evidence(v, f->sh_frame, "ServerHello chooses %s", ver(f->version, a, sizeof a));
        td_verdict_alert(v, f, TD_CLIENT);
        SAY(v,
            "the server supports at most %s and chose it; the client refused it (its policy disables %s even "
            "though its ClientHello lists it)",
            ver(f->version, a, sizeof a), ver(f->version, b, sizeof b));
        FIX(v, "server: enable TLS 1.2 (recommended); or allow %s in the client until the server is upgraded.",
            ver(f->version, a, sizeof a));
        if (!says) {
            td_verdict_candidate(v, TD_CAUSE_UNKNOWN_CA);
        }
        return true;
    }
    return false;
}

bool td_rule_version(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    if (server_refused_hello(f)) {
        return version_refused(f, sv, v);
    }
    return version_not_offered(f, v) || version_disabled(f, v);
}

bool td_rule_group(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    char g[48];
    if (f->hrr && f->hrr_group && !has_u16(&f->ch_groups, f->hrr_group) &&
        (f->alert[TD_CLIENT] || f->fin[TD_CLIENT] || f->rst[TD_CLIENT])) {
        verdict(v, TD_CAUSE_GROUP_MISMATCH, TD_CONF_HIGH, TD_SIDE_BOTH);
        td_verdict_hello(v, f);
        td_verdict_evidence(v, f->hrr_frame, "HelloRetryRequest asks for %s, which the client does not support",
                            td_group_str(f->hrr_group, g, sizeof g));
        td_verdict_alert(v, f, TD_CLIENT);
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
            td_verdict_hello(v, f);
            td_verdict_alert(v, f, TD_SERVER);
            SAY(v, "the client offers none of the key-exchange groups the server used with other clients (%s)",
                td_group_str(sv->groups[0], g, sizeof g));
            FIX(v, "add %s to the client's groups.", td_group_str(sv->groups[0], g, sizeof g));
            return true;
        }
    }
    /* Nothing known about the server: an offer limited to unusual groups
     * is the likeliest reason (the mandatory suite is there, and no
     * HelloRetryRequest could ask for a group the client does not list). */
    bool alert_fits = !f->alert[TD_SERVER] || f->alert_desc[TD_SERVER] == TD_ALERT_HANDSHAKE_FAILURE ||
                      f->alert_desc[TD_SERVER] == TD_ALERT_INSUFFICIENT_SECURITY ||
                      f->alert_desc[TD_SERVER] == TD_ALERT_ILLEGAL_PARAMETER;
    bool groups_known = sv && sv->num_groups > 0; /* then the branch above has weighed them */
    if (server_refused_hello(f) && alert_fits && !groups_known && offer_unusual_groups(f) &&
        !offer_only_unusable_suites(f)) {
        verdict(v, TD_CAUSE_GROUP_MISMATCH, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        td_verdict_hello(v, f);
        td_verdict_alert(v, f, TD_SERVER);
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
            td_verdict_candidate(v, TD_CAUSE_SNI_REQUIRED);
        }
        td_verdict_candidate(v, TD_CAUSE_CIPHER_MISMATCH);
        return true;
    }
    return false;
}

/* An offer of nothing but unusable suites (NULL, EXPORT, anonymous, RC4,
 * DES): no default server takes any, whatever else is missing. */
bool td_rule_unusable_offer(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    if (!server_refused_hello(f) || !offer_only_unusable_suites(f)) {
        return false;
    }
    for (size_t i = 0; sv && i < sv->num_suites; i++) {
        if (has_u16(&f->ch_suites, sv->suites[i])) {
            return false; /* this server took one of them from another client */
        }
    }
    bool alert_fits = !f->alert[TD_SERVER] || f->alert_desc[TD_SERVER] == TD_ALERT_HANDSHAKE_FAILURE ||
                      f->alert_desc[TD_SERVER] == TD_ALERT_INSUFFICIENT_SECURITY;
    if (!alert_fits) {
        return false;
    }
    bool says = f->alert[TD_SERVER] && (f->alert_desc[TD_SERVER] == TD_ALERT_HANDSHAKE_FAILURE ||
                                        f->alert_desc[TD_SERVER] == TD_ALERT_INSUFFICIENT_SECURITY);
    verdict(v, TD_CAUSE_CIPHER_MISMATCH, says ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_CLIENT);
    td_verdict_hello(v, f);
    td_verdict_alert(v, f, TD_SERVER);
    char s1[64];
    SAY(v,
        "the client offered only cipher suites without encryption, export-grade, anonymous or broken (%zu, "
        "e.g. %s), which servers refuse by default%s",
        f->ch_suites.n, td_suite_str(f->ch_suites.v[0], s1, sizeof s1),
        f->sni ? "" : "; the missing SNI is not what matters here");
    if (sv && sv->example_frame) {
        td_verdict_evidence(v, sv->example_frame, "the server accepted %s from another client", sv->example);
    }
    FIX(v, "client: offer modern suites (ECDHE with AES-GCM or ChaCha20-Poly1305; OpenSSL -cipher DEFAULT); NULL "
           "and export suites are for tests only.");
    return true;
}

bool td_rule_sni(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
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
        td_verdict_hello(v, f);
        td_verdict_alert(v, f, TD_SERVER);
        if (!f->alert[TD_SERVER]) {
            td_verdict_evidence(v, f->fin[TD_SERVER] ? f->fin_frame[TD_SERVER] : f->rst_frame[TD_SERVER],
                                "the server closes without a word");
        }
        if (others_need_it) {
            SAY(v, "connections to %s with SNI succeed (%u in this capture), this one sent none and was refused",
                f->server, sv->ok_with_sni);
            td_verdict_evidence(v, sv->example_frame, "the server accepted %s from a client that sent SNI",
                                sv->example);
        } else {
            SAY(v, "the client sent no server_name and %s refused the ClientHello", f->server);
            td_verdict_candidate(v, TD_CAUSE_CIPHER_MISMATCH);
            td_verdict_candidate(v, TD_CAUSE_PROTOCOL_MISMATCH);
        }
        FIX(v, "client: send SNI (connect by host name, not IP; Java: do not disable jsse.enableSNIExtension).");
        return true;
    }
    /* No SNI, and the certificate the server fell back to does not cover the expected name. */
    if (f->have_cert && f->chain.name_checked && !f->chain.name_ok && f->alert[TD_CLIENT]) {
        verdict(v, TD_CAUSE_SNI_REQUIRED, others_need_it ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_CLIENT);
        td_verdict_candidate(v, TD_CAUSE_HOSTNAME_MISMATCH);
        td_verdict_hello(v, f);
        td_verdict_evidence(v, f->cert_frame, "the server's default certificate covers %s", f->chain.names);
        td_verdict_alert(v, f, TD_CLIENT);
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

bool td_rule_cipher(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    if (!server_refused_hello(f)) {
        return false;
    }
    bool alert_fits = !f->alert[TD_SERVER] || f->alert_desc[TD_SERVER] == TD_ALERT_HANDSHAKE_FAILURE ||
                      f->alert_desc[TD_SERVER] == TD_ALERT_INSUFFICIENT_SECURITY;
    if (!alert_fits) {
        return false;
    }
    /* Compare with suites of the versions this client could have used. */
    bool known = false, common = false;
    size_t example = 0;
    for (size_t i = 0; sv && i < sv->num_suites; i++) {
        bool usable = sv->suite_is13[i] ? f->ch_max >= TD_VERSION_TLS1_3 : f->ch_min <= TD_VERSION_TLS1_2;
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
    td_verdict_hello(v, f);
    td_verdict_alert(v, f, TD_SERVER);
    char s[64];
    if (known) {
        SAY(v,
            "the client offered none of the cipher suites %s accepted from other clients at these versions "
            "(e.g. %s)",
            f->server, td_suite_str(sv->suites[example], s, sizeof s));
        td_verdict_evidence(v, sv->example_frame, "the server accepted %s from another client", sv->example);
        FIX(v, "client: offer %s (or another suite the server accepts); or server: accept one of the client's.",
            td_suite_str(sv->suites[example], s, sizeof s));
    } else {
        char o[100];
        SAY(v,
            "the server refused the ClientHello (%s) although it offers %s: most likely no cipher suite in "
            "common",
            f->alert[TD_SERVER] ? "handshake_failure" : "a close", td_offered(f, o, sizeof o));
        FIX(v, "compare the client's %zu suites (tlsdiag pcap -v) with the server's configured ciphers.",
            f->ch_suites.n);
        if (td_offer_lacks_rsa_kex(f)) {
            /* A client without TLS_RSA_* (Go >= 1.22, JDK 24) against a
             * server that takes only RSA key exchange: the commonest cipher
             * mismatch since 2024, unprovable without the server's view. */
            td_verdict_candidate(v, TD_CAUSE_RSA_KEX_REMOVED);
        }
        td_verdict_candidate(v, TD_CAUSE_GROUP_MISMATCH);
        if (!f->sni) {
            td_verdict_candidate(v, TD_CAUSE_SNI_REQUIRED);
        }
    }
    return true;
}
