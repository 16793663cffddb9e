/* signature_mismatch: no signature scheme both sides accept for the
 * handshake (RFC 5246 7.4.1.4.1, RFC 8446 4.2.3): an RSA-PSS-only or
 * ECDSA-less client against a server whose key cannot sign any of its
 * schemes, a SHA-1-only server against a client that disabled SHA-1, or a
 * ServerKeyExchange signed with a scheme the client did not offer. */
#include <stdio.h>
#include <string.h>

#include "diag/rules_internal.h"

#include "base/banned.h"

enum key_family { KF_NONE, KF_RSA, KF_DSA, KF_ECDSA, KF_ED25519, KF_ED448, KF_RSA_PSS };

/* The key a scheme signs with: TLS 1.2's {hash, signature} pairs
 * (RFC 5246 7.4.1.4.1) and TLS 1.3's schemes (RFC 8446 4.2.3). */
static enum key_family family(uint16_t s)
{
    if (s >= 0x0804 && s <= 0x0806) {
        return KF_RSA; /* rsa_pss_rsae_*: an rsaEncryption key */
    }
    if (s >= 0x0809 && s <= 0x080b) {
        return KF_RSA_PSS;
    }
    if ((s >= 0x081a && s <= 0x081c)) {
        return KF_ECDSA; /* ecdsa_brainpool*_tls13 */
    }
    if (s == TD_SIGSCHEME_ED25519 || s == TD_SIGSCHEME_ED448) {
        return s == TD_SIGSCHEME_ED25519 ? KF_ED25519 : KF_ED448;
    }
    if ((s >> 8) >= 1 && (s >> 8) <= 6) {
        switch (s & 0xff) {
        case 1:
            return KF_RSA;
        case 2:
            return KF_DSA;
        case 3:
            return KF_ECDSA;
        default:
            return KF_NONE;
        }
    }
    return KF_NONE;
}

static const char *family_name(enum key_family k)
{
    static const char *const names[] = {"unknown", "RSA", "DSA", "ECDSA", "Ed25519", "Ed448", "RSA-PSS"};
    return names[k];
}

static bool offers_family(const struct td_facts *f, enum key_family k)
{
    for (size_t i = 0; i < f->ch_sigalgs.n; i++) {
        if (family(f->ch_sigalgs.v[i]) == k) {
            return true;
        }
    }
    return false;
}

static bool is_sha1(uint16_t s) { return s == TD_SIGSCHEME_RSA_PKCS1_SHA1 || s == TD_SIGSCHEME_ECDSA_SHA1; }

/* The client could have used a suite this server took from others. */
static bool suite_in_common(const struct td_facts *f, const struct td_server_view *sv)
{
    for (size_t i = 0; i < sv->num_suites; i++) {
        if (has_u16(&f->ch_suites, sv->suites[i])) {
            return true;
        }
    }
    return false;
}

/* "ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256" (the first few). */
static const char *list(const uint16_t *v, size_t n, char *out, size_t len)
{
    char one[48];
    out[0] = '\0';
    for (size_t i = 0; i < n && i < 4; i++) {
        size_t k = strlen(out);
        snprintf(out + k, len - k, "%s%s", i ? ", " : "", td_sigscheme_str(v[i], one, sizeof one));
    }
    if (n > 4) {
        size_t k = strlen(out);
        snprintf(out + k, len - k, ", ... (%zu)", n);
    }
    return out;
}

/* The server refused a ClientHello whose signature_algorithms hold nothing
 * its key (known from the ServerKeyExchanges it signed for other clients)
 * can make, or only SHA-1 schemes it alone signs with are missing. */
static bool refused_for_sigalgs(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    bool alert_fits = !f->alert[TD_SERVER] || f->alert_desc[TD_SERVER] == TD_ALERT_HANDSHAKE_FAILURE ||
                      f->alert_desc[TD_SERVER] == TD_ALERT_INSUFFICIENT_SECURITY ||
                      f->alert_desc[TD_SERVER] == TD_ALERT_ILLEGAL_PARAMETER;
    if (!server_refused_hello(f) || !alert_fits || f->ch_sigalgs.n == 0 || !sv || sv->num_sigalgs == 0) {
        return false;
    }
    bool family_missing = true, sha1_only = true, exact = false;
    for (size_t i = 0; i < sv->num_sigalgs; i++) {
        family_missing &= !offers_family(f, family(sv->sigalgs[i]));
        sha1_only &= is_sha1(sv->sigalgs[i]);
        exact |= has_u16(&f->ch_sigalgs, sv->sigalgs[i]);
    }
    /* A client without the key's schemes often lacks its suites too (OpenSSL
     * drops the ECDSA suites with the ECDSA schemes): the schemes are the
     * cause, the suites follow. SHA-1 alone needs a suite in common. */
    if (!family_missing && !(sha1_only && !exact && suite_in_common(f, sv))) {
        return false;
    }
    char a[200], b[200];
    verdict(v, TD_CAUSE_SIGNATURE_MISMATCH, family_missing ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_BOTH);
    td_verdict_hello(v, f);
    td_verdict_evidence(v, f->ch_frame, "ClientHello signature_algorithms: %s",
                        list(f->ch_sigalgs.v, f->ch_sigalgs.n, a, sizeof a));
    td_verdict_alert(v, f, TD_SERVER);
    td_verdict_evidence(v, sv->sigalg_frame, "the server signs with %s for other clients",
                        list(sv->sigalgs, sv->num_sigalgs, b, sizeof b));
    if (family_missing) {
        SAY(v,
            "the server's key is %s (it signs with %s for other clients) and the client offers no %s signature "
            "scheme: no handshake signature both accept",
            family_name(family(sv->sigalgs[0])), b, family_name(family(sv->sigalgs[0])));
        FIX(v,
            "client: also offer a signature scheme for the server's %s key (OpenSSL -sigalgs, Java "
            "jdk.tls.client.SignatureSchemes); or server: add a certificate with a key type the client accepts.",
            family_name(family(sv->sigalgs[0])));
    } else {
        SAY(v,
            "the server signs only with SHA-1 (%s) and the client does not offer it: recent JDKs and RHEL 9's "
            "DEFAULT crypto policy disable SHA-1 handshake signatures",
            b);
        FIX(v, "server: sign with SHA-256 (update the TLS stack); or client, until then: allow %s.", b);
    }
    td_verdict_candidate(v, TD_CAUSE_CIPHER_MISMATCH);
    return true;
}

/* TLS 1.2: the ServerKeyExchange is signed with a scheme the client did not
 * offer, and the client gave up (RFC 5246 7.4.3: it must be one of them). */
static bool ske_not_offered(const struct td_facts *f, struct td_verdict *v)
{
    if (!f->have_sh || !f->ske_sigalg || f->ch_sigalgs.n == 0 || has_u16(&f->ch_sigalgs, f->ske_sigalg) ||
        !f->alert[TD_CLIENT] || f->alert_level[TD_CLIENT] != TD_ALERT_LEVEL_FATAL) {
        return false;
    }
    char a[200], sbuf[48];
    const char *s = td_sigscheme_str(f->ske_sigalg, sbuf, sizeof sbuf); /* the registry's name, or sbuf */
    verdict(v, TD_CAUSE_SIGNATURE_MISMATCH, TD_CONF_HIGH, TD_SIDE_SERVER);
    td_verdict_evidence(v, f->ch_frame, "ClientHello signature_algorithms: %s",
                        list(f->ch_sigalgs.v, f->ch_sigalgs.n, a, sizeof a));
    td_verdict_evidence(v, f->ske_frame, "ServerKeyExchange signed with %s, which the client did not offer", s);
    td_verdict_alert(v, f, TD_CLIENT);
    SAY(v,
        "the server signed its key exchange with %s, outside the client's signature_algorithms; the client refused it",
        s);
    FIX(v,
        "server: sign with one of the client's schemes (a TLS stack that honours signature_algorithms); or client: "
        "allow %s.",
        s);
    v->aborted_by = TD_SIDE_CLIENT;
    return true;
}

bool td_rule_signature(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    return refused_for_sigalgs(f, sv, v) || ske_not_offered(f, v);
}
