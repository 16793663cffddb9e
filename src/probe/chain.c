/* tlsdiag probe, the real handshakes: libssl fetches the chain as sent (then
 * checked by tlsdiag cert's module against the name, the time and --ca or the
 * system store), tells whether a client certificate is requested, required or
 * optional, whether --cert is taken, and whether the certificate depends on SNI. */
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"
#include "cert/audit.h"
#include "probe/client.h"
#include "probe/internal.h"

#include "base/banned.h"

/* The certificates as sent into chain (when not NULL), the leaf's SHA-256. */
void td_probe_take_chain(SSL *ssl, struct td_certset *chain, uint8_t leaf_sha[32])
{
    STACK_OF(X509) *sk = SSL_get_peer_cert_chain(ssl);
    int n = sk ? sk_X509_num(sk) : 0;
    struct td_der *der = td_calloc((size_t)n + 1, sizeof *der);
    for (int i = 0; i < n; i++) {
        X509 *x = sk_X509_value(sk, i);
        if (i == 0 && leaf_sha) {
            unsigned int l = 0;
            X509_digest(x, EVP_sha256(), leaf_sha, &l);
        }
        unsigned char *p = NULL;
        int len = i2d_X509(x, &p);
        der[i].p = p;
        der[i].len = len > 0 ? (size_t)len : 0;
    }
    if (chain) {
        td_certset_add_sent_chain(chain, "as sent", der, (size_t)n);
    }
    for (int i = 0; i < n; i++) {
        OPENSSL_free((void *)der[i].p);
    }
    free(der);
}

bool td_probe_wants_http(const struct td_probe_ctx *p)
{
    if (p->starttls != TD_STARTTLS_NONE) {
        return false;
    }
    return p->o->http > 0 || (p->o->http < 0 && (p->r->port == 443 || p->r->port == 8443));
}

/* nginx's answers to a missing or refused client certificate (HTTP 400). */
static bool nginx_no_cert(const struct td_probe_hs *h)
{
    return h->http_status == 400 && strstr(h->http_reason, "No required SSL certificate");
}

static bool nginx_cert_error(const struct td_probe_hs *h)
{
    return h->http_status == 400 && strstr(h->http_reason, "SSL certificate error");
}

/* Whether name is one of the server's acceptable client-CA names. */
static bool ca_listed(const struct td_probe_result *r, const X509_NAME *name)
{
    char s[200];
    X509_NAME_oneline(name, s, sizeof s);
    bool found = false;
    for (size_t i = 0; i < r->num_ca_names && i < 4; i++) {
        found |= strcmp(r->ca_names[i], s) == 0;
    }
    return found;
}

/* The server refused --cert: why, from the certificate itself against what
 * the server said (its CA names, its alert). */
static void cert_refused(struct td_probe_result *r, const char *cert_path, const char *alert)
{
    BIO *bio = BIO_new_file(cert_path, "r");
    X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    bool listed = false;
    for (X509 *c = x; c && !listed; c = PEM_read_bio_X509(bio, NULL, NULL, NULL)) {
        listed = ca_listed(r, X509_get_issuer_name(c)) || ca_listed(r, X509_get_subject_name(c));
        if (c != x) {
            X509_free(c);
        }
    }
    BIO_free(bio);
    char subject[200] = "?", issuer[200] = "?";
    if (x) {
        X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof subject);
        X509_NAME_oneline(X509_get_issuer_name(x), issuer, sizeof issuer);
    }
    const char *al = alert[0] ? alert : "no alert";
    if (x && X509_cmp_current_time(X509_get0_notAfter(x)) < 0) {
        td_probe_add_finding(r, TD_CAUSE_CLIENT_CERT_EXPIRED, TD_SEV_ERROR,
                             td_cause_info(TD_CAUSE_CLIENT_CERT_EXPIRED)->resolution,
                             "the server refused the client certificate %s (%s): it has expired", subject, al);
    } else if (x && r->num_ca_names > 0 && !listed) {
        td_probe_add_finding(r, TD_CAUSE_CLIENT_CERT_UNTRUSTED, TD_SEV_ERROR,
                             td_cause_info(TD_CAUSE_CLIENT_CERT_UNTRUSTED)->resolution,
                             "the server refused the client certificate %s (%s): its issuer %s is not among the "
                             "%zu CA name(s) the server lists",
                             subject, al, issuer, r->num_ca_names);
    } else if (x && X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0) != 1) {
        td_probe_add_finding(r, TD_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH, TD_SEV_ERROR,
                             td_cause_info(TD_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH)->resolution,
                             "the server refused the client certificate %s (%s): its extendedKeyUsage lacks "
                             "clientAuth (or its keyUsage forbids signing)",
                             subject, al);
    } else if (strstr(al, "unknown CA")) {
        td_probe_add_finding(
            r, TD_CAUSE_CLIENT_CERT_UNTRUSTED, TD_SEV_ERROR, td_cause_info(TD_CAUSE_CLIENT_CERT_UNTRUSTED)->resolution,
            "the server refused the client certificate %s (%s): its issuer %s is not trusted", subject, al, issuer);
    } else {
        td_probe_add_finding(r, TD_CAUSE_CLIENT_CERT_REJECTED, TD_SEV_ERROR,
                             td_cause_info(TD_CAUSE_CLIENT_CERT_REJECTED)->resolution,
                             "the server refused the client certificate %s (%s)", subject, al);
    }
    X509_free(x);
}

/* The chain as checked by tlsdiag cert's module. */
static void audit_chain(struct td_probe_ctx *p, struct td_certset *chain)
{
    struct td_probe_result *r = p->r;
    struct td_audit_opts ao;
    td_memzero(&ao, sizeof ao);
    ao.host = p->o->sni ? p->o->sni : r->host;
    ao.at = (int64_t)time(NULL);
    ao.warn_days = 30;
    ao.ca = p->o->ca;
    ao.system_ca = p->o->ca == NULL;
    td_cert_audit(chain, &ao, &r->chain);
    r->have_chain = true;
}

/* --cert/--key offered to a server that asks for a certificate. */
static void try_client_cert(struct td_probe_ctx *p, bool http)
{
    struct td_probe_result *r = p->r;
    struct td_probe_hs h;
    struct td_probe_hs_req q = {.sni = p->sni, .with_cert = true, .http = http};
    td_probe_handshake(p, &q, &h);
    r->client_cert_tried = true;
    if (h.unusable) {
        td_probe_add_finding(r, TD_CAUSE_KEY_MISMATCH, TD_SEV_ERROR, td_cause_info(TD_CAUSE_KEY_MISMATCH)->resolution,
                             "--cert %s / --key %s: libssl cannot use them (unreadable, or the key is not the "
                             "certificate's)",
                             p->o->cert_path, p->o->key_path);
        return;
    }
    r->client_cert_accepted = h.ok && !nginx_cert_error(&h) && !nginx_no_cert(&h);
    /* what the server answered: its alert, or its HTTP status (nginx) */
    char al[300] = "";
    if (h.http_status) {
        snprintf(al, sizeof al, "HTTP %d %s", h.http_status, h.http_reason);
    }
    if (h.alert[0]) {
        td_strcopy(al, sizeof al, h.alert);
    }
    snprintf(r->client_cert_alert, sizeof r->client_cert_alert, "%.*s", (int)sizeof r->client_cert_alert - 1, al);
    if (!r->client_cert_accepted) {
        cert_refused(r, p->o->cert_path, al[0] ? al : "no alert");
    }
}

void td_probe_chain(struct td_probe_ctx *p)
{
    struct td_probe_result *r = p->r;
    uint8_t sha_sni[32] = {0}, sha_other[32] = {0};
    struct td_certset *chain = td_certset_new();
    bool http = td_probe_wants_http(p);
    struct td_probe_hs h;
    struct td_probe_hs_req q = {.sni = p->sni,
                                .http = http,
                                .status_request = true,
                                .chain = chain,
                                .leaf_sha = sha_sni,
                                .ca_names = r->ca_names};
    td_probe_handshake(p, &q, &h);
    r->chk.ocsp_stapling = h.ocsp ? TD_TRI_YES : h.ok ? TD_TRI_NO : TD_TRI_UNKNOWN;
    r->num_ca_names = h.ca_names;
    r->http_status = h.http_status;
    td_strcopy(r->http_reason, sizeof r->http_reason, h.http_reason);
    if (td_certset_num_certs(chain) > 0) {
        audit_chain(p, chain);
    }
    td_certset_free(chain);
    if (h.requested) {
        r->client_auth = h.failed_after || !h.ok || nginx_no_cert(&h) ? "required" : "optional";
    }
    r->client_cert_given = p->o->cert_path != NULL;
    if (p->o->cert_path && h.requested) {
        try_client_cert(p, http);
    }
    /* SNI and the certificate: the same handshake without SNI (and without --cert) */
    if (!r->sni_required && p->sni) {
        struct td_probe_hs_req q2 = {.leaf_sha = sha_other};
        td_probe_handshake(p, &q2, &h);
        r->sni_selects_cert = !td_mem_eq(sha_sni, sha_other, 32);
    }
}

bool td_probe_fetch_chain(const char *target, const struct td_probe_opts *o, const char *sni, struct td_certset *chain,
                          unsigned *connections, char *err, size_t err_len)
{
    struct td_probe_result *r = td_calloc(1, sizeof *r);
    bool ok = td_probe_parse_target(target, r->host, sizeof r->host, &r->port);
    if (!ok) {
        snprintf(err, err_len, "%s: not HOST, HOST:PORT or [IPv6]:PORT", target);
    } else {
        struct td_probe_ctx p;
        td_memzero(&p, sizeof p);
        p.o = o;
        p.r = r;
        td_limits_default(&p.lim);
        if (td_probe_resolve(&p)) {
            struct td_probe_hs h;
            struct td_probe_hs_req q = {.sni = sni, .chain = chain};
            td_probe_handshake(&p, &q, &h);
        }
    }
    *connections += r->connections;
    td_probe_result_free(r);
    free(r);
    return ok;
}
