/* tlsdiag pcap's checks of a certificate chain as a peer sent it: order and
 * links, validity at a given time (the capture's), the host name (RFC 6125,
 * through checks.c), trust against the truststore the user names (through
 * trust.c, any format tlsdiag cert reads) and the defects no truststore cures
 * (tlsdiag cert's own checks). The machine's own trust store is never used
 * silently. */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/mem.h"
#include "cert/cert.h"
#include "cert/audit.h"
#include "cert/internal.h"

#include "base/banned.h"

/* pcap --ca: any format tlsdiag cert --ca reads (PEM bundles, DER, PKCS#7,
 * PKCS#12, JKS/JCEKS, hashed directories and folders of certificates). */
struct td_certset *td_castore_load(const char *path, char *err, size_t err_len)
{
    struct td_certset *s = td_certset_new();
    if (!td_certset_add_path(s, path, err, err_len)) {
        if (strstr(err, "--password-file")) { /* tlsdiag pcap has none */
            snprintf(err, err_len, "%s: password-protected; export its certificates (PEM) for --ca", path);
        }
        td_certset_free(s);
        return NULL;
    }
    size_t usable = 0;
    for (size_t i = 0; i < s->n; i++) {
        usable += s->e[i].x != NULL;
    }
    if (usable == 0) {
        snprintf(err, err_len, "%s: no certificates could be loaded", path);
        td_certset_free(s);
        return NULL;
    }
    return s;
}

void td_castore_free(struct td_certset *s) { td_certset_free(s); }

static X509 *decode(const struct td_der *d)
{
    const unsigned char *p = d->p;
    return d->len ? d2i_X509(NULL, &p, (long)d->len) : NULL;
}

static void name_of(X509 *x, bool issuer, char *out, size_t len)
{
    out[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (!b) {
        return;
    }
    X509_NAME_print_ex(b, issuer ? X509_get_issuer_name(x) : X509_get_subject_name(x), 0, XN_FLAG_RFC2253);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    if (n > 0) {
        snprintf(out, len, "%.*s", (int)n, p);
    }
    BIO_free(b);
}

/* Names and key identifiers match. A keyUsage without keyCertSign does not
 * break the link here (self-signed leaves often have digitalSignature only);
 * whether such an issuer is acceptable is a separate finding. */
static bool issued_by(X509 *child, X509 *parent)
{
    int r = X509_check_issued(parent, child);
    return r == X509_V_OK || r == X509_V_ERR_KEYUSAGE_NO_CERTSIGN;
}

static bool self_issued(X509 *x) { return issued_by(x, x); }

/* Names the leaf covers, for the message: SAN dNSName/iPAddress, else CN. */
void td_x509_covered_names(X509 *x, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names) && used + 2 < len; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        if (g->type == GEN_DNS) {
            used += (size_t)snprintf(out + used, len - used, "%s%.*s", used ? ", " : "",
                                     ASN1_STRING_length(g->d.dNSName),
                                     (const char *)ASN1_STRING_get0_data(g->d.dNSName));
        } else if (g->type == GEN_IPADD && ASN1_STRING_length(g->d.iPAddress) == 4) {
            const unsigned char *a = ASN1_STRING_get0_data(g->d.iPAddress);
            used += (size_t)snprintf(out + used, len - used, "%s%u.%u.%u.%u", used ? ", " : "", a[0], a[1], a[2], a[3]);
        }
    }
    if (names) {
        GENERAL_NAMES_free(names);
        return;
    }
    int idx = X509_NAME_get_index_by_NID(X509_get_subject_name(x), NID_commonName, -1);
    if (idx >= 0) {
        ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(X509_get_subject_name(x), idx));
        snprintf(out, len, "CN %.*s (no subjectAltName)", ASN1_STRING_length(cn),
                 (const char *)ASN1_STRING_get0_data(cn));
    }
}

void td_x509_aia_ca_issuers(X509 *x, char *out, size_t len)
{
    out[0] = '\0';
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
    for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
        ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        if (OBJ_obj2nid(ad->method) == NID_ad_ca_issuers && ad->location->type == GEN_URI) {
            snprintf(out, len, "%.*s", ASN1_STRING_length(ad->location->d.uniformResourceIdentifier),
                     (const char *)ASN1_STRING_get0_data(ad->location->d.uniformResourceIdentifier));
            break;
        }
    }
    AUTHORITY_INFO_ACCESS_free(aia);
}

void td_x509_info(X509 *x, struct td_cert_info *info)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    if (n > 0) {
        td_cert_info_from_der(der, (size_t)n, info);
        OPENSSL_free(der);
    } else {
        td_memzero(info, sizeof *info);
    }
}

static void describe(X509 *x, struct td_cert_id *id)
{
    name_of(x, false, id->subject, sizeof id->subject);
    name_of(x, true, id->issuer, sizeof id->issuer);
    struct td_cert_info ci;
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    if (n > 0) {
        td_cert_info_from_der(der, (size_t)n, &ci);
        td_strcopy(id->serial, sizeof id->serial, ci.serial);
        td_strcopy(id->not_before, sizeof id->not_before, ci.not_before);
        td_strcopy(id->not_after, sizeof id->not_after, ci.not_after);
        td_cert_info_free(&ci);
        OPENSSL_free(der);
    }
}

/* The defects no truststore cures: pcap reports them as cert_unusable. */
static bool is_unusable(enum td_cause c)
{
    switch (c) {
    case TD_CAUSE_WEAK_SIGNATURE:
    case TD_CAUSE_WRONG_USAGE:
    case TD_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH:
    case TD_CAUSE_INVALID_CA:
    case TD_CAUSE_WEAK_KEY:
        return true;
    default:
        return false;
    }
}

/* tlsdiag cert's checks on the chain as sent, the ones no truststore cures
 * (signature and key strength, usage and CA constraints): keep the first
 * error. The chain is built by tlsdiag cert's own code, so both commands name
 * the same certificate. */
static void unusable_check(X509 **x, size_t n, int64_t at_epoch, bool client, struct td_chain_check *out)
{
    struct td_certset *set = td_certset_new();
    int g = td_set_group(set, "Certificate message", true);
    for (size_t i = 0; i < n; i++) {
        if (x[i]) {
            char origin[48];
            snprintf(origin, sizeof origin, "certificate %zu", i);
            X509_up_ref(x[i]);
            td_set_add_x509(set, x[i], g, origin, false);
        }
    }
    struct td_audit_opts ao;
    td_memzero(&ao, sizeof ao);
    ao.at = at_epoch ? at_epoch : (int64_t)time(NULL);
    ao.purpose = client ? TD_PURPOSE_CLIENT : TD_PURPOSE_SERVER;
    struct td_cert_report rep;
    struct td_audit c;
    td_audit_begin(&c, set, &ao, &rep);
    for (size_t k = 0; k < rep.num_chains; k++) {
        const struct td_cert_chain *ch = &rep.chains[k];
        for (size_t i = 0; i < ch->len; i++) {
            int node = (int)ch->nodes[i];
            td_check_crypto(&c, node, td_entry_self_signed(&set->e[c.entry_of[node]]));
            td_check_usage(&c, node, i, i == 0);
        }
    }
    for (size_t i = 0; i < rep.num_findings && out->unusable == TD_CAUSE_NONE; i++) {
        const struct td_cert_finding *f = &rep.findings[i];
        if (f->sev == TD_SEV_ERROR && is_unusable(f->cause)) {
            out->unusable = f->cause;
            snprintf(out->unusable_msg, sizeof out->unusable_msg, "%.399s", f->message);
            snprintf(out->unusable_fix, sizeof out->unusable_fix, "%.299s", f->resolution);
        }
    }
    td_audit_end(&c);
    td_cert_report_free(&rep);
    td_certset_free(set);
}

/* Validity of every certificate at the capture's time. */
static void check_dates(X509 **x, size_t n, int64_t at_epoch, struct td_chain_check *out)
{
    for (size_t i = 0; i < n && at_epoch; i++) {
        if (!x[i]) {
            continue;
        }
        time_t t = (time_t)at_epoch;
        if (X509_cmp_time(X509_get0_notAfter(x[i]), &t) < 0 && !out->expired) {
            out->expired = true;
            out->bad_index = i;
            describe(x[i], &out->bad);
        } else if (X509_cmp_time(X509_get0_notBefore(x[i]), &t) > 0 && !out->not_yet_valid) {
            out->not_yet_valid = true;
            out->bad_index = i;
            describe(x[i], &out->bad);
        }
    }
}

/* Order and links: RFC 5246 7.4.2 wants each certificate to certify the one
 * before it. Find certificates that do not, and whether the issuer of the
 * top of what was sent (the certificate nothing in the chain issued) is
 * missing. */
static void check_links(X509 **x, size_t n, struct td_chain_check *out)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (x[i] && x[i + 1] && !issued_by(x[i], x[i + 1])) {
            bool elsewhere = false;
            for (size_t j = 0; j < n; j++) {
                if (j != i && x[j] && issued_by(x[i], x[j])) {
                    elsewhere = true;
                }
            }
            if (elsewhere) {
                out->out_of_order = true;
            } else if (!self_issued(x[i])) {
                out->unrelated = true;
            }
            if (!out->link_broken_at) {
                out->link_broken_at = i + 1;
            }
        }
    }
    X509 *top = x[0];
    for (size_t guard = 0; guard < n; guard++) {
        X509 *parent = NULL;
        for (size_t j = 0; j < n; j++) {
            if (x[j] && x[j] != top && issued_by(top, x[j])) {
                parent = x[j];
            }
        }
        if (!parent) {
            break;
        }
        top = parent;
    }
    out->ends_self_signed = self_issued(top);
    if (!out->ends_self_signed) {
        name_of(top, true, out->missing_issuer, sizeof out->missing_issuer);
        td_x509_aia_ca_issuers(top, out->aia_url, sizeof out->aia_url);
    }
}

/* Trust against the truststore given, through tlsdiag cert's verification
 * (the same verify callback). As OpenSSL clients do by default, only a
 * self-signed truststore entry ends a chain (no partial chains); the first
 * error OpenSSL reports is the one named. */
static void check_trust(X509 **x, size_t n, int64_t at_epoch, const struct td_certset *ca, struct td_chain_check *out)
{
    out->trust_checked = true;
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    for (size_t i = 1; i < n; i++) {
        if (x[i]) {
            sk_X509_push(untrusted, x[i]);
        }
    }
    struct td_verify v;
    td_verify_chain(ca, false, x[0], untrusted, at_epoch, false, &v);
    if (v.n) {
        out->verify_error = v.e[0].err;
        td_strcopy(out->verify_text, sizeof out->verify_text, X509_verify_cert_error_string(out->verify_error));
    }
    out->trusted = v.ok;
    td_verify_free(&v);
    sk_X509_free(untrusted);
}

void td_chain_check(const struct td_der *certs, size_t n, const char *host, int64_t at_epoch,
                    const struct td_certset *ca, bool client, struct td_chain_check *out)
{
    td_memzero(out, sizeof *out);
    out->num_certs = n;
    if (n == 0) {
        return;
    }
    X509 **x = td_calloc(n, sizeof *x);
    for (size_t i = 0; i < n; i++) {
        x[i] = decode(&certs[i]);
        if (!x[i]) {
            out->undecodable = true;
        }
    }
    if (x[0]) {
        describe(x[0], &out->leaf);
        out->leaf_self_signed = self_issued(x[0]);
        check_dates(x, n, at_epoch, out);
        check_links(x, n, out);
        if (host && host[0]) {
            out->name_checked = true;
            out->name_ok = td_x509_host_ok(x[0], host, out->names, sizeof out->names);
        }
        if (ca) {
            check_trust(x, n, at_epoch, ca, out);
        }
        unusable_check(x, n, at_epoch, client, out);
    }
    for (size_t i = 0; i < n; i++) {
        X509_free(x[i]);
    }
    free(x);
}
