/* Checks of a certificate chain as a peer sent it: order and links, validity
 * at a given time (the capture's), the host name (RFC 6125 through
 * X509_check_host / X509_check_ip_asc), and trust against a CA store the user
 * names. The machine's own trust store is never used silently. */
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

struct td_castore {
    X509_STORE *store;
    size_t num_certs;
};

struct td_castore *td_castore_load(const char *path, char *err, size_t err_len)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, err_len, "%s: cannot read", path);
        return NULL;
    }
    struct td_castore *s = td_calloc(1, sizeof *s);
    s->store = X509_STORE_new();
    int ok = S_ISDIR(st.st_mode) ? X509_STORE_load_path(s->store, path) : X509_STORE_load_file(s->store, path);
    if (!ok) {
        snprintf(err, err_len, "%s: no PEM certificates could be loaded", path);
        X509_STORE_free(s->store);
        free(s);
        ERR_clear_error();
        return NULL;
    }
    STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(s->store);
    s->num_certs = (size_t)sk_X509_OBJECT_num(objs);
    return s;
}

void td_castore_free(struct td_castore *s)
{
    if (s) {
        X509_STORE_free(s->store);
        free(s);
    }
}

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
                                     ASN1_STRING_length(g->d.dNSName), (const char *)ASN1_STRING_get0_data(g->d.dNSName));
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
        snprintf(out, len, "CN %.*s (no subjectAltName)", ASN1_STRING_length(cn), (const char *)ASN1_STRING_get0_data(cn));
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
        snprintf(id->serial, sizeof id->serial, "%s", ci.serial);
        snprintf(id->not_before, sizeof id->not_before, "%s", ci.not_before);
        snprintf(id->not_after, sizeof id->not_after, "%s", ci.not_after);
        td_cert_info_free(&ci);
        OPENSSL_free(der);
    }
}

static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    struct td_chain_check *out = X509_STORE_CTX_get_ex_data(ctx, 0);
    if (!ok && out && out->verify_error == 0) {
        out->verify_error = X509_STORE_CTX_get_error(ctx);
        snprintf(out->verify_text, sizeof out->verify_text, "%s",
                 X509_verify_cert_error_string(out->verify_error));
    }
    return 1; /* collect and go on */
}

/* The defects no truststore cures: pcap reports them as cert_unusable. */
static bool is_unusable(enum td_cause c)
{
    switch (c) {
    case TD_CAUSE_WEAK_SIGNATURE:
    case TD_CAUSE_WRONG_USAGE:
    case TD_CAUSE_INVALID_CA:
    case TD_CAUSE_WEAK_KEY:
        return true;
    default:
        return false;
    }
}

/* tlsdiag cert's checks on the chain as sent: keep the first error that no
 * truststore cures. */
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
    td_cert_audit(set, &ao, &rep);
    for (size_t i = 0; i < rep.num_findings && out->unusable == TD_CAUSE_NONE; i++) {
        const struct td_cert_finding *f = &rep.findings[i];
        if (f->sev == TD_SEV_ERROR && is_unusable(f->cause)) {
            out->unusable = f->cause;
            snprintf(out->unusable_msg, sizeof out->unusable_msg, "%.399s", f->message);
            snprintf(out->unusable_fix, sizeof out->unusable_fix, "%.299s", f->resolution);
        }
    }
    td_cert_report_free(&rep);
    td_certset_free(set);
}

void td_chain_check(const struct td_der *certs, size_t n, const char *host, int64_t at_epoch,
                    const struct td_castore *ca, bool client, struct td_chain_check *out)
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
    if (!x[0]) {
        goto done;
    }
    describe(x[0], &out->leaf);
    out->leaf_self_signed = self_issued(x[0]);
    /* Validity of every certificate at the capture's time. */
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
    /* Order and links: RFC 5246 7.4.2 wants each certificate to certify the
     * one before it. Find certificates that do not, and whether the issuer of
     * the last one is missing. */
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
    /* The top of what was sent: the certificate nothing in the chain issued. */
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
    if (host && host[0]) {
        out->name_checked = true;
        int r = X509_check_ip_asc(x[0], host, 0);
        if (r < 0) { /* not an IP address */
            r = X509_check_host(x[0], host, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL);
        }
        out->name_ok = r == 1;
        td_x509_covered_names(x[0], out->names, sizeof out->names);
    }
    if (ca) {
        out->trust_checked = true;
        X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        STACK_OF(X509) *untrusted = sk_X509_new_null();
        for (size_t i = 1; i < n; i++) {
            if (x[i]) {
                sk_X509_push(untrusted, x[i]);
            }
        }
        if (ctx && X509_STORE_CTX_init(ctx, ca->store, x[0], untrusted)) {
            X509_STORE_CTX_set_ex_data(ctx, 0, out);
            X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
            if (at_epoch) {
                X509_STORE_CTX_set_time(ctx, 0, (time_t)at_epoch);
            }
            X509_verify_cert(ctx);
            out->trusted = out->verify_error == 0;
        }
        X509_STORE_CTX_free(ctx);
        sk_X509_free(untrusted);
        ERR_clear_error();
    }
    unusable_check(x, n, at_epoch, client, out);
done:
    for (size_t i = 0; i < n; i++) {
        X509_free(x[i]);
    }
    free(x);
}
