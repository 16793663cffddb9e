/* tlsdiag cert, step 3: trust. OpenSSL's path validation against the
 * truststore given (any format tlsdiag cert reads) or the system's, every
 * error collected by one verify callback and said in plain words with the
 * certificate to add; without a truststore, what the top of the chain says.
 * tlsdiag pcap's chain check (chain.c) verifies through the same code. */
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"
#include "cert/internal.h"

#include "base/banned.h"

/* The one verify callback: collect every error, not just the first. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    struct td_verify *v = X509_STORE_CTX_get_ex_data(ctx, 0);
    if (!ok && v && v->n < TD_MAX_VERIFY_ERRORS) {
        int err = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);
        for (size_t i = 0; i < v->n; i++) {
            if (v->e[i].err == err && v->e[i].depth == depth) {
                return 1;
            }
        }
        v->e[v->n].err = err;
        v->e[v->n].depth = depth;
        v->e[v->n].cert = X509_STORE_CTX_get_current_cert(ctx);
        if (v->e[v->n].cert) {
            X509_up_ref(v->e[v->n].cert);
        }
        v->n++;
    }
    return 1;
}

/* The truststore: every certificate of the set, whatever file format it came
 * from (PEM, DER, directories, JKS, PKCS#12...), and the system's store. */
static X509_STORE *trust_store(const struct td_certset *ca, bool system)
{
    X509_STORE *st = X509_STORE_new();
    for (size_t i = 0; ca && i < ca->n; i++) {
        if (ca->e[i].x) {
            X509_STORE_add_cert(st, ca->e[i].x);
        }
    }
    if (system) {
        X509_STORE_set_default_paths(st);
    }
    ERR_clear_error();
    return st;
}

void td_verify_chain(const struct td_certset *ca, bool system, X509 *leaf, STACK_OF(X509) * untrusted, int64_t at,
                     bool partial_chain, struct td_verify *out)
{
    td_memzero(out, sizeof *out);
    X509_STORE *st = trust_store(ca, system);
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (ctx && X509_STORE_CTX_init(ctx, st, leaf, untrusted)) {
        X509_STORE_CTX_set_ex_data(ctx, 0, out);
        X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
        if (at) {
            X509_STORE_CTX_set_time(ctx, 0, (time_t)at);
        }
        if (partial_chain) {
            X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
        }
        out->ok = X509_verify_cert(ctx) == 1 && out->n == 0;
        STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(ctx);
        int nb = built ? sk_X509_num(built) : 0;
        if (out->ok && nb > 0) {
            out->anchor = sk_X509_value(built, nb - 1);
            X509_up_ref(out->anchor);
        }
    }
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(st);
    ERR_clear_error();
}

void td_verify_free(struct td_verify *v)
{
    for (size_t i = 0; i < v->n; i++) {
        X509_free(v->e[i].cert);
    }
    X509_free(v->anchor);
    td_memzero(v, sizeof *v);
}

static const struct {
    int err;
    const char *plain;
} plain_words[] = {
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, "its issuer is neither in the chain nor in the truststore"},
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "its issuer is neither in the chain nor in the truststore"},
    {X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, "there is no issuer to check its signature with"},
    {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "it is self-signed and the truststore does not hold it"},
    {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "the chain ends at a root that the truststore does not hold"},
    {X509_V_ERR_CERT_SIGNATURE_FAILURE, "its signature does not verify with its issuer's key"},
    {X509_V_ERR_CERT_HAS_EXPIRED, "it has expired"},
    {X509_V_ERR_CERT_NOT_YET_VALID, "it is not valid yet"},
    {X509_V_ERR_INVALID_CA, "it acts as a CA but is not one"},
    {X509_V_ERR_PATH_LENGTH_EXCEEDED, "the chain is longer than its pathlen allows"},
    {X509_V_ERR_INVALID_PURPOSE, "its key usage does not allow this purpose"},
    {X509_V_ERR_CERT_REVOKED, "it has been revoked"},
    {X509_V_ERR_CA_MD_TOO_WEAK, "its signature algorithm is too weak"},
    {X509_V_ERR_CA_KEY_TOO_SMALL, "its CA key is too small"},
    {X509_V_ERR_EE_KEY_TOO_SMALL, "its key is too small"},
};

static const char *plain(int err)
{
    for (size_t i = 0; i < sizeof plain_words / sizeof plain_words[0]; i++) {
        if (plain_words[i].err == err) {
            return plain_words[i].plain;
        }
    }
    return X509_verify_cert_error_string(err);
}

static int node_of_x509(struct td_audit *c, X509 *x)
{
    for (size_t i = 0; x && i < c->r->num_nodes; i++) {
        const struct td_entry *e = &c->s->e[c->entry_of[i]];
        if (e->x && X509_cmp(e->x, x) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static void x509_subject(X509 *x, char *out, size_t cap)
{
    struct td_cert_info ci;
    td_x509_info(x, &ci);
    td_strcopy(out, cap, ci.subject);
    td_cert_info_free(&ci);
}

/* One error of the verification, said in plain words with the certificate
 * to add; errors the checks of checks.c already named are skipped. */
static void report_verify_error(struct td_audit *c, const struct td_cert_chain *ch, const struct td_verify_error *ve)
{
    char w[600], w2[600], fix[1400];
    bool client = c->o->purpose == TD_PURPOSE_CLIENT;
    int err = ve->err;
    int node = node_of_x509(c, ve->cert);
    char subj[520] = "";
    if (ve->cert) {
        x509_subject(ve->cert, subj, sizeof subj);
    }
    bool covered = node >= 0 && (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID ||
                                 err == X509_V_ERR_INVALID_CA || err == X509_V_ERR_PATH_LENGTH_EXCEEDED ||
                                 err == X509_V_ERR_INVALID_PURPOSE || err == X509_V_ERR_KEYUSAGE_NO_CERTSIGN);
    if (covered) {
        return;
    }
    const char *ossl = X509_verify_cert_error_string(err);
    if (err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
        const struct td_cert_node *n = &c->r->nodes[node >= 0 ? node : 0];
        snprintf(fix, sizeof fix,
                 "Add this certificate (SHA-256 %s) to the peer's truststore, or replace it with one issued by a "
                 "CA the peer trusts.",
                 n->info.sha256);
        td_audit_add(c->r, client ? TD_CAUSE_CLIENT_CERT_UNTRUSTED : TD_CAUSE_SELF_SIGNED, TD_SEV_ERROR, node, fix,
                     "%s is self-signed and the truststore does not hold it (OpenSSL: %s)",
                     td_audit_who(c, node, w, sizeof w), ossl);
    } else if (err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN) {
        const struct td_cert_node *n = node >= 0 ? &c->r->nodes[node] : NULL;
        snprintf(fix, sizeof fix, "Add the root %s (SHA-256 %s) to the peer's truststore.", subj,
                 n ? n->info.sha256 : "?");
        td_audit_add(c->r, client ? TD_CAUSE_CLIENT_CERT_UNTRUSTED : TD_CAUSE_UNKNOWN_CA, TD_SEV_ERROR, node, fix,
                     "the chain ends at the root %s, which the truststore does not hold (OpenSSL: %s)",
                     node >= 0 ? td_audit_who(c, node, w, sizeof w) : subj, ossl);
    } else if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
               err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE) {
        char issuer[520] = "", aia[256] = "";
        if (ve->cert) {
            X509_NAME_oneline(X509_get_issuer_name(ve->cert), issuer, sizeof issuer);
            struct td_cert_info ci;
            td_x509_info(ve->cert, &ci);
            td_strcopy(issuer, sizeof issuer, ci.issuer);
            td_cert_info_free(&ci);
            td_x509_aia_ca_issuers(ve->cert, aia, sizeof aia);
        }
        bool is_leaf = node == (int)ch->nodes[0];
        const char *url = aia[0] ? aia : "";
        if (is_leaf) {
            snprintf(fix, sizeof fix,
                     "Add the intermediate %s%s%s to the chain the server sends (after the leaf); if it is a "
                     "root, add it to the peer's truststore instead.",
                     issuer, url[0] ? ", published at " : "", url);
            td_audit_add(c->r, client ? TD_CAUSE_CLIENT_CERT_UNTRUSTED : TD_CAUSE_INCOMPLETE_CHAIN, TD_SEV_ERROR, node,
                         fix, "the issuer of %s is neither in the files given nor in the truststore: %s (OpenSSL: %s)",
                         td_audit_who(c, node, w, sizeof w), issuer, ossl);
        } else {
            snprintf(fix, sizeof fix, "Add %s (the issuer of %s%s%s) to the peer's truststore.", issuer, subj,
                     url[0] ? "; its certificate is published at " : "", url);
            td_audit_add(c->r, client ? TD_CAUSE_CLIENT_CERT_UNTRUSTED : TD_CAUSE_UNKNOWN_CA, TD_SEV_ERROR, node, fix,
                         "%s is issued by %s, which the truststore does not hold (OpenSSL: %s)",
                         node >= 0 ? td_audit_who(c, node, w, sizeof w) : subj, issuer, ossl);
        }
    } else if (err == X509_V_ERR_CERT_SIGNATURE_FAILURE) {
        td_audit_add(c->r, TD_CAUSE_INCORRECT_CHAIN, TD_SEV_ERROR, node,
                     "Use the intermediate that really signed it (the CA may have re-keyed; download the current one).",
                     "%s: %s (OpenSSL: %s)", node >= 0 ? td_audit_who(c, node, w, sizeof w) : subj, plain(err), ossl);
    } else if (node < 0 && (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID)) {
        snprintf(fix, sizeof fix, "Update the truststore with the CA's current certificate for %s.", subj);
        td_audit_add(c->r, err == X509_V_ERR_CERT_HAS_EXPIRED ? TD_CAUSE_EXPIRED_CERT : TD_CAUSE_NOT_YET_VALID_CERT,
                     TD_SEV_ERROR, -1, fix, "the truststore's %s: %s (OpenSSL: %s)", subj, plain(err), ossl);
    } else {
        td_strcopy(w2, sizeof w2, node >= 0 ? td_audit_who(c, node, w, sizeof w) : subj);
        td_audit_add(c->r, client ? TD_CAUSE_CLIENT_CERT_UNTRUSTED : TD_CAUSE_UNTRUSTED, TD_SEV_ERROR, node,
                     "Fix the certificate named, or the truststore, as the message says.",
                     "%s: %s (OpenSSL error %d: %s)", w2, plain(err), err, ossl);
    }
}

void td_check_trust(struct td_audit *c, const struct td_cert_chain *ch)
{
    const struct td_entry *leaf = &c->s->e[c->entry_of[ch->nodes[0]]];
    char w[600];
    if (!leaf->x) {
        td_audit_add(c->r, TD_CAUSE_TRUST_NOT_CHECKED, TD_SEV_INFO, (int)ch->nodes[0],
                     "Give the certificates themselves (PEM/DER) to check trust.",
                     "trust cannot be checked from certInfo JSON (no signatures)");
        return;
    }
    c->r->trust_checked = true;
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    for (size_t i = 0; i < c->n; i++) {
        if (c->s->e[i].x && (int)i != c->entry_of[ch->nodes[0]] && !c->s->e[i].trusted_entry) {
            sk_X509_push(untrusted, c->s->e[i].x);
        }
    }
    struct td_verify v;
    /* Any truststore entry is an anchor, self-signed or not (RFC 5280 6.1, as Java does). */
    td_verify_chain(c->o->ca, c->o->system_ca, leaf->x, untrusted, c->r->at, true, &v);
    bool ok = v.ok;
    if (v.anchor) {
        x509_subject(v.anchor, c->r->anchor, sizeof c->r->anchor);
        int an = node_of_x509(c, v.anchor);
        if (an < 0 || ch->nodes[ch->len - 1] != (size_t)an) {
            /* The anchor came from the truststore. */
            c->r->nodes[ch->nodes[ch->len - 1]].link = an == (int)ch->nodes[ch->len - 1] ? "self-signed" : "anchor";
        }
    }
    for (size_t i = 0; i < v.n; i++) {
        report_verify_error(c, ch, &v.e[i]);
    }
    td_verify_free(&v);
    if (ok) {
        td_audit_add(c->r, TD_CAUSE_TRUSTED, TD_SEV_INFO, (int)ch->nodes[0], "",
                     "%s is trusted: the chain ends at %s, held by the truststore",
                     td_audit_who(c, (int)ch->nodes[0], w, sizeof w), c->r->anchor);
    }
    if (c->o->compare) {
        c->r->accepted = c->r->accepted && ok;
    }
    sk_X509_free(untrusted);
    ERR_clear_error();
}

/* No truststore: say what can be said of the top of the chain. */
void td_check_top_without_trust(struct td_audit *c, const struct td_cert_chain *ch)
{
    size_t top = ch->nodes[ch->len - 1];
    const struct td_entry *e = &c->s->e[c->entry_of[top]];
    const struct td_cert_node *n = &c->r->nodes[top];
    char w[600], fix[1400];
    if (td_entry_self_signed(e)) {
        if (ch->len == 1 && !n->info.is_ca) {
            snprintf(fix, sizeof fix,
                     "Peers accept it only if they hold this very certificate (SHA-256 %s) in their truststore; "
                     "check with --ca TRUSTSTORE, or use a CA-issued certificate.",
                     n->info.sha256);
            td_audit_add(c->r,
                         c->o->purpose == TD_PURPOSE_CLIENT ? TD_CAUSE_CLIENT_CERT_UNTRUSTED : TD_CAUSE_SELF_SIGNED,
                         TD_SEV_WARNING, (int)top, fix, "%s is self-signed", td_audit_who(c, (int)top, w, sizeof w));
        } else if (ch->len > 1) {
            td_audit_add(
                c->r, TD_CAUSE_ROOT_INCLUDED, TD_SEV_INFO, (int)top,
                "Servers need not send the root: peers use their own copy (sending it costs bytes, nothing else).",
                "the chain includes its root %s", td_audit_who(c, (int)top, w, sizeof w));
        }
        return;
    }
    if (!n->info.issuer[0]) {
        return; /* certInfo without an issuer: nothing to say */
    }
    if (ch->len == 1) {
        snprintf(fix, sizeof fix,
                 "Add the intermediate %s%s%s after the leaf in the chain the server sends. If it is a root, clients "
                 "need it in their truststore (check with --ca or --system-ca).",
                 n->info.issuer, n->aia[0] ? ", published at " : "", n->aia);
        td_audit_add(
            c->r, c->o->purpose == TD_PURPOSE_CLIENT ? TD_CAUSE_CLIENT_CERT_UNTRUSTED : TD_CAUSE_INCOMPLETE_CHAIN,
            TD_SEV_ERROR, (int)top, fix, "%s comes without its issuer %s: no intermediate certificate was given",
            td_audit_who(c, (int)top, w, sizeof w), n->info.issuer);
    } else {
        td_audit_add(
            c->r, TD_CAUSE_ISSUER_NOT_GIVEN, TD_SEV_INFO, (int)top,
            "If that issuer is a root, peers need it in their truststore; if it is an intermediate, the server "
            "must send it. Check with --ca TRUSTSTORE or --system-ca.",
            "the chain stops at %s; its issuer %s was not given (a root, normally)",
            td_audit_who(c, (int)top, w, sizeof w), n->info.issuer);
    }
}
