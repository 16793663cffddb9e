/* The chain as one client judges it (cert/client_trust.h): validity, path
 * validation against the client's store, the roots that client lacks, the
 * CAs it distrusts, SHA-1, what no truststore cures, the host name by the
 * client's rule. The first failure is the verdict. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cert/client_trust.h"
#include "cert/internal.h"

#include "base/banned.h"

bool td_cert_spki_sha256(const uint8_t *der, size_t len, char out[65])
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    unsigned char *spki = NULL;
    int n = x ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki) : -1;
    unsigned char md[32];
    unsigned int ml = 0;
    bool ok = n > 0 && EVP_Digest(spki, (size_t)n, md, &ml, EVP_sha256(), NULL) && ml == 32;
    for (size_t i = 0; ok && i < 32; i++) {
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    }
    OPENSSL_free(spki);
    X509_free(x);
    ERR_clear_error();
    return ok;
}

static void x509_spki(X509 *x, char out[65])
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    if (n <= 0 || !td_cert_spki_sha256(der, (size_t)n, out)) {
        out[0] = '\0';
    }
    OPENSSL_free(der);
}

/* Its CN, else its whole subject (or issuer). */
static void short_name(X509 *x, bool issuer, char *out, size_t len)
{
    X509_NAME *nm = issuer ? X509_get_issuer_name(x) : X509_get_subject_name(x);
    if (X509_NAME_get_text_by_NID(nm, NID_commonName, out, (int)len) <= 0) {
        X509_NAME_oneline(nm, out, (int)len);
    }
}

static void verdict(struct td_trust_verdict *out, enum td_cause cause, const char *why, const char *fix)
{
    if (out->cause != TD_CAUSE_NONE) {
        return; /* the first failure stands */
    }
    out->ok = false;
    out->cause = cause;
    snprintf(out->why, sizeof out->why, "%.499s", why);
    snprintf(out->fix, sizeof out->fix, "%.499s", fix);
}

/* Path validation failed: the first error, in the client's words. */
static void untrusted(X509 **x, size_t n, const struct td_verify *v, const char *client,
                      const struct td_client_store *st, struct td_trust_verdict *out)
{
    const struct td_verify_error *e = &v->e[0];
    X509 *at = e->cert ? e->cert : x[0];
    char subj[256], iss[256], why[700], fix[700];
    short_name(at, false, subj, sizeof subj);
    short_name(at, true, iss, sizeof iss);
    if (e->err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
        snprintf(why, sizeof why, "the server's certificate %s is self-signed, and %s does not hold it", subj,
                 st->name);
        snprintf(fix, sizeof fix, "Add it to %s (%s), or give the server a certificate from a CA %s trusts.", st->name,
                 st->add, client);
        verdict(out, TD_CAUSE_SELF_SIGNED, why, fix);
    } else if (e->err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN) {
        snprintf(why, sizeof why, "the chain ends at the root %s, which %s does not hold", subj, st->name);
        snprintf(fix, sizeof fix, "Add the root %s to %s (%s).", subj, st->name, st->add);
        verdict(out, TD_CAUSE_UNKNOWN_CA, why, fix);
    } else if (e->err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
               e->err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT || e->err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE) {
        bool leaf = e->depth == 0 && n == 1;
        snprintf(why, sizeof why, "%s is issued by %s, which is neither in the chain the server sends nor in %s", subj,
                 iss, st->name);
        snprintf(fix, sizeof fix, "%s%s to %s (%s).",
                 leaf ? "Send the intermediate after the leaf (ssl_certificate with the chain); if it is a root, add "
                      : "Add the root ",
                 iss, st->name, st->add);
        verdict(out, leaf ? TD_CAUSE_INCOMPLETE_CHAIN : TD_CAUSE_UNKNOWN_CA, why, fix);
    } else if (e->err == X509_V_ERR_CERT_SIGNATURE_FAILURE) {
        snprintf(why, sizeof why, "the signature on %s does not verify with the key of %s", subj, iss);
        verdict(out, TD_CAUSE_INCORRECT_CHAIN, why, "Send the intermediate that really signed it.");
    } else {
        snprintf(why, sizeof why, "%s: %s (OpenSSL error %d)", subj, X509_verify_cert_error_string(e->err), e->err);
        verdict(out, TD_CAUSE_UNTRUSTED, why, "Fix the certificate named, or the client's truststore.");
    }
}

static bool sha1_signed(X509 *x)
{
    int md = NID_undef, pk = NID_undef;
    return OBJ_find_sigid_algs(X509_get_signature_nid(x), &md, &pk) && md == NID_sha1;
}

/* A client that follows the chain as sent (OpenSSL 1.0.2): a certificate
 * sent below the anchor with the anchor's name and key is a cross-signed copy
 * of it; that client goes on to the copy's issuer, in its store, and fails
 * where the copy or that issuer has expired or is missing (DST Root CA X3,
 * 2021). */
static void path_as_sent(X509 **x, size_t n, X509 *anchor, const char *client, const struct td_client_store *st,
                         int64_t at, struct td_trust_verdict *out)
{
    for (size_t i = 1; i < n; i++) {
        if (X509_cmp(x[i], anchor) == 0 || X509_NAME_cmp(X509_get_subject_name(x[i]), X509_get_subject_name(anchor)) ||
            EVP_PKEY_eq(X509_get0_pubkey(x[i]), X509_get0_pubkey(anchor)) != 1) {
            continue;
        }
        struct td_verify v;
        td_verify_chain(st->set, st->set == NULL, x[i], NULL, at, false, &v);
        if (!v.ok && v.n > 0) {
            char name[256], iss[256], why[1400], fix[1400];
            short_name(x[i], false, name, sizeof name);
            short_name(x[i], true, iss, sizeof iss);
            bool expired = v.e[0].err == X509_V_ERR_CERT_HAS_EXPIRED;
            snprintf(why, sizeof why,
                     "the server also sends %s cross-signed by %s; %s follows the chain as sent, past the root it "
                     "trusts, to %s, and fails there: %s",
                     name, iss, client, iss, X509_verify_cert_error_string(v.e[0].err));
            snprintf(fix, sizeof fix,
                     "Stop sending the cross-signed %s (serve the chain that ends below it), or update the client "
                     "(OpenSSL 1.1.0 and later search the store first; 1.0.2: X509_V_FLAG_TRUSTED_FIRST), or remove "
                     "the expired %s from %s.",
                     name, iss, st->name);
            verdict(out, expired ? TD_CAUSE_EXPIRED_CERT : TD_CAUSE_UNKNOWN_CA, why, fix);
        }
        td_verify_free(&v);
        return;
    }
}

/* After path validation: the roots the client lacks, the CAs it distrusts, SHA-1. */
static void client_rules(X509 **x, size_t n, X509 *anchor, const char *client, const struct td_client_store *st,
                         const struct td_client_rules *ru, int64_t at, struct td_trust_verdict *out)
{
    if (ru->path_as_sent) {
        path_as_sent(x, n, anchor, client, st, at, out);
    }
    char why[700], fix[700], name[256], spki[65];
    x509_spki(anchor, spki);
    for (size_t i = 0; !st->user && i < ru->num_gaps; i++) {
        if (strcmp(spki, ru->gaps[i]->spki_sha256) == 0) {
            snprintf(why, sizeof why, "the chain ends at %s, absent from %s", out->anchor, ru->gaps[i]->absent);
            snprintf(fix, sizeof fix,
                     "Update the client to a release that holds %s, or add the root to %s (%s); or serve a chain "
                     "to an older root (a cross-signed intermediate).",
                     out->anchor, st->name, st->add);
            verdict(out, TD_CAUSE_UNKNOWN_CA, why, fix);
        }
    }
    struct td_cert_info li;
    td_x509_info(x[0], &li);
    int64_t nb = li.not_before_epoch, days = (li.not_after_epoch - nb + 86399) / 86400;
    td_cert_info_free(&li);
    /* Chromium net/docs/certificate_lifetimes.md: notBefore from 2020-09-01, notBefore..notAfter inclusive */
    if (ru->max_398_days && !st->user && nb >= 1598918400 && days > 398) {
        snprintf(why, sizeof why,
                 "the leaf (issued on or after 2020-09-01) is valid for %lld days: %s refuses more than 398 for "
                 "certificates of publicly trusted CAs",
                 (long long)days, client);
        verdict(out, TD_CAUSE_VALIDITY_TOO_LONG, why, td_cause_info(TD_CAUSE_VALIDITY_TOO_LONG)->resolution);
    }
    for (size_t i = 0; ru->distrust && i < n; i++) {
        const char *who = NULL;
        char iss[520];
        X509_NAME_oneline(X509_get_issuer_name(x[i]), iss, sizeof iss);
        const char *owner = td_distrusted_ca(iss, nb, &who);
        if (owner && who && strstr(who, ru->distrust)) {
            snprintf(why, sizeof why,
                     "the leaf chains to %s, whose certificates issued after the cut-off %s distrusts (%s)", owner,
                     client, who);
            verdict(out, TD_CAUSE_DISTRUSTED_CA, why,
                    "Replace the certificate with one from a CA the client still trusts for new certificates.");
        }
    }
    bool sha1 = ru->reject_sha1 && !(ru->sha1_public_only && st->user);
    for (size_t i = 0; sha1 && i < n; i++) {
        if (X509_cmp(x[i], anchor) != 0 && sha1_signed(x[i])) {
            short_name(x[i], false, name, sizeof name);
            snprintf(why, sizeof why, "%s is signed with SHA-1, which %s refuses", name, client);
            verdict(out, TD_CAUSE_WEAK_SIGNATURE, why, "Reissue the certificate signed with SHA-256 or better.");
        }
    }
}

static void name_rule(const struct td_chain_check *cc, const char *client, const char *host,
                      const struct td_client_rules *ru, struct td_trust_verdict *out)
{
    char why[700];
    bool cn_only = strstr(cc->names, "(no subjectAltName)") != NULL;
    if (cc->name_checked && !cc->name_ok) {
        snprintf(why, sizeof why, "the certificate covers %s, not %s", cc->names[0] ? cc->names : "no name", host);
        verdict(out, TD_CAUSE_HOSTNAME_MISMATCH, why, "Add the host name to the certificate's subjectAltName.");
    } else if (cc->name_checked && cn_only && !ru->cn_fallback) {
        snprintf(why, sizeof why,
                 "the certificate has no subjectAltName (%s): %s matches host names against subjectAltName only",
                 cc->names, client);
        verdict(out, TD_CAUSE_HOSTNAME_MISMATCH, why,
                "Reissue the certificate with the host name in subjectAltName (DNS:...).");
    }
}

static void judge(X509 **x, size_t n, const struct td_der *der, const char *client, const char *host, int64_t at,
                  const struct td_client_store *st, const struct td_client_rules *ru, struct td_trust_verdict *out)
{
    struct td_chain_check cc;
    td_chain_check(der, n, host, at, NULL, false, &cc);
    char why[700];
    if (cc.expired || cc.not_yet_valid) {
        snprintf(why, sizeof why, "%s %s (valid %s to %s)", cc.bad.subject,
                 cc.expired ? "has expired" : "is not valid yet", cc.bad.not_before, cc.bad.not_after);
        verdict(out, cc.expired ? TD_CAUSE_EXPIRED_CERT : TD_CAUSE_NOT_YET_VALID_CERT, why,
                "Renew the certificate (or the intermediate) and install it on the server.");
    }
    STACK_OF(X509) *untrusted_sk = sk_X509_new_null();
    for (size_t i = 1; i < n; i++) {
        sk_X509_push(untrusted_sk, x[i]);
    }
    struct td_verify v;
    td_verify_chain(st->set, st->set == NULL, x[0], untrusted_sk, at, ru->partial_chain, &v);
    if (v.anchor) {
        short_name(v.anchor, false, out->anchor, sizeof out->anchor);
    }
    if (!v.ok && v.n > 0) {
        untrusted(x, n, &v, client, st, out);
    } else if (v.anchor) {
        client_rules(x, n, v.anchor, client, st, ru, at, out);
    }
    if (cc.unusable != TD_CAUSE_NONE && cc.unusable != TD_CAUSE_WEAK_SIGNATURE) { /* SHA-1: the client's rule */
        verdict(out, cc.unusable, cc.unusable_msg, cc.unusable_fix);
    }
    name_rule(&cc, client, host, ru, out);
    td_verify_free(&v);
    sk_X509_free(untrusted_sk);
}

void td_client_trust_judge(const struct td_certset *sent, const char *client, const char *host, int64_t at,
                           const struct td_client_store *store, const struct td_client_rules *rules,
                           struct td_trust_verdict *out)
{
    td_memzero(out, sizeof *out);
    out->ok = true;
    size_t n = 0;
    X509 *x[TD_CHAIN_MAX];
    struct td_der der[TD_CHAIN_MAX];
    unsigned char *bytes[TD_CHAIN_MAX];
    for (size_t i = 0; sent && i < sent->n && n < TD_CHAIN_MAX; i++) {
        if (sent->e[i].x) {
            bytes[n] = NULL;
            int len = i2d_X509(sent->e[i].x, &bytes[n]);
            if (len <= 0) {
                continue;
            }
            x[n] = sent->e[i].x;
            der[n].p = bytes[n];
            der[n].len = (size_t)len;
            n++;
        }
    }
    if (n > 0) {
        out->checked = true;
        judge(x, n, der, client, host, at, store, rules, out);
    }
    for (size_t i = 0; i < n; i++) {
        OPENSSL_free(bytes[i]);
    }
    ERR_clear_error();
}
