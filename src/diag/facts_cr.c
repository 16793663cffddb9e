/* What a CertificateRequest asks for (RFC 5246 7.4.4; RFC 8446 4.3.2 with
 * certificate_authorities and signature_algorithms, read with a key log),
 * copied into the facts: the CA names and signature schemes a client
 * chooses its certificate by. Java's and Go's key managers send an
 * empty Certificate when none of theirs is issued by a listed CA, so the list
 * is what tells the operator why. */
#include <stdio.h>
#include <string.h>

#include "cert/cert.h"
#include "diag/diag.h"
#include "tls/tls.h"

#include "base/banned.h"

/* RFC 5246 7.4.4: certificate_authorities names the CAs whose certificates
 * the server accepts; a client certificate issued by (or being) none of them
 * is refused by servers that check (nginx ssl_verify_client). An empty list
 * accepts any. */
static bool client_cert_listed(const struct td_certificate_request *cr, const struct td_certificate *cert)
{
    if (cr->num_ca_names == 0 || cert->num_certs == 0) {
        return true;
    }
    bool listed = false;
    for (size_t i = 0; i < cert->num_certs && i < 8 && !listed; i++) {
        struct td_cert_info info;
        td_cert_info_from_der(cert->certs[i].p, cert->certs[i].len, &info);
        for (size_t k = 0; info.ok && k < cr->num_ca_names && k < 64 && !listed; k++) {
            char dn[512];
            if (td_cert_dn_from_der(cr->ca_names[k].p, cr->ca_names[k].len, dn, sizeof dn)) {
                listed = strcmp(dn, info.issuer) == 0 || strcmp(dn, info.subject) == 0;
            }
        }
        td_cert_info_free(&info);
    }
    return listed;
}

/* "CN=A,O=X; CN=B" into out, cut at a name's boundary when it does not fit. */
static void ca_list(const struct td_certificate_request *cr, char *out, size_t len)
{
    out[0] = '\0';
    size_t used = 0, shown = 0;
    for (size_t k = 0; k < cr->num_ca_names && k < 64; k++) {
        char dn[512];
        if (!td_cert_dn_from_der(cr->ca_names[k].p, cr->ca_names[k].len, dn, sizeof dn)) {
            snprintf(dn, sizeof dn, "(a name tlsdiag cannot read, %zu bytes)", cr->ca_names[k].len);
        }
        size_t need = strlen(dn) + (shown ? 2 : 0);
        if (used + need + 16 >= len) { /* room for the count of the rest */
            snprintf(out + used, len - used, "%s+%zu more", shown ? "; " : "", cr->num_ca_names - k);
            return;
        }
        used += (size_t)snprintf(out + used, len - used, "%s%s", shown ? "; " : "", dn);
        shown++;
    }
}

void td_facts_cr(struct td_facts *f, const struct td_certificate_request *cr, const struct td_certificate *client_cert)
{
    f->cr_num_ca_names = cr->num_ca_names;
    ca_list(cr, f->cr_ca_list, sizeof f->cr_ca_list);
    size_t cap = sizeof f->cr_sigalgs / sizeof f->cr_sigalgs[0];
    f->cr_num_sigalgs = cr->sigalgs.n < cap ? cr->sigalgs.n : cap;
    for (size_t i = 0; i < f->cr_num_sigalgs; i++) {
        f->cr_sigalgs[i] = cr->sigalgs.v[i];
    }
    if (client_cert) {
        f->client_cert_unlisted = !client_cert_listed(cr, client_cert);
    }
}
