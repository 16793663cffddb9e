/* tlsdiag cert, step 2: the checks on each certificate and chain that need
 * no truststore: validity at the time checked, the host name, signature and
 * key strength, key usage and CA constraints, the private keys given, and the
 * order as stored. Each finding names its certificate and says what to do. */
#include <ctype.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "cert/internal.h"

#include "base/banned.h"

/* RFC 6125 6.4.3: the wildcard is the whole left-most label, matches one
 * label, and needs at least two labels after it. */
bool td_host_matches(const char *pattern, const char *host)
{
    size_t pl = strlen(pattern), hl = strlen(host);
    if (pl && pattern[pl - 1] == '.') {
        pl--;
    }
    if (hl && host[hl - 1] == '.') {
        hl--;
    }
    if (pl == 0 || hl == 0) {
        return false;
    }
    if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.') {
        const char *rest = pattern + 1; /* ".domain.com" */
        size_t rl = pl - 1;
        if (!memchr(rest + 1, '.', rl - 1)) {
            return false; /* "*.com" */
        }
        const char *dot = memchr(host, '.', hl);
        if (!dot || dot == host) {
            return false;
        }
        size_t tail = hl - (size_t)(dot - host);
        return tail == rl && strncasecmp(dot, rest, rl) == 0;
    }
    if (memchr(pattern, '*', pl)) {
        return false; /* partial wildcards are not honoured */
    }
    return pl == hl && strncasecmp(pattern, host, pl) == 0;
}

void td_check_validity(struct td_audit *c, int node, bool in_chain, bool leaf)
{
    const struct td_cert_node *n = &c->r->nodes[node];
    char w[600];
    int64_t at = c->r->at;
    bool client = c->o->purpose == TD_PURPOSE_CLIENT && leaf;
    enum td_sev sev = in_chain ? TD_SEV_ERROR : TD_SEV_WARNING;
    if (!n->info.not_after_epoch && !n->info.not_before_epoch) {
        return;
    }
    if (at > n->info.not_after_epoch) {
        td_audit_add(
            c->r, client ? TD_CAUSE_CLIENT_CERT_EXPIRED : TD_CAUSE_EXPIRED_CERT, sev, node,
            leaf ? "Renew the certificate (same names, new dates) and install it with its chain where it is used."
                 : "Replace it with the CA's current certificate (download it from the CA) and install that.",
            "%s expired on %s, %lld day(s) before the time checked%s", td_audit_who(c, node, w, sizeof w),
            n->info.not_after, (long long)((at - n->info.not_after_epoch) / 86400),
            in_chain ? "" : " (not part of a chain)");
    } else if (at < n->info.not_before_epoch) {
        td_audit_add(
            c->r, TD_CAUSE_NOT_YET_VALID_CERT, sev, node,
            "Check the clock of the machine that rejects it; or wait, or use a certificate whose validity has begun.",
            "%s is not valid before %s (%lld day(s) after the time checked)", td_audit_who(c, node, w, sizeof w),
            n->info.not_before, (long long)((n->info.not_before_epoch - at + 86399) / 86400));
    } else if (in_chain && n->info.not_after_epoch - at < (int64_t)c->o->warn_days * 86400) {
        td_audit_add(c->r, TD_CAUSE_EXPIRING_SOON, TD_SEV_WARNING, node,
                     "Renew it before it expires and install the new one.", "%s expires on %s, in %lld day(s)",
                     td_audit_who(c, node, w, sizeof w), n->info.not_after,
                     (long long)((n->info.not_after_epoch - at) / 86400));
    }
}

bool td_x509_host_ok(X509 *x, const char *host, char *names, size_t names_len)
{
    int r = X509_check_ip_asc(x, host, 0);
    if (r < 0) { /* not an IP address */
        r = X509_check_host(x, host, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL);
    }
    td_x509_covered_names(x, names, names_len);
    ERR_clear_error();
    return r == 1;
}

void td_check_name(struct td_audit *c, int node)
{
    const char *host = c->o->host;
    const struct td_entry *e = &c->s->e[c->entry_of[node]];
    const struct td_cert_node *n = &c->r->nodes[node];
    char names[600] = "", w[600];
    bool ok = false;
    if (e->x) {
        ok = td_x509_host_ok(e->x, host, names, sizeof names);
    } else {
        size_t o = 0;
        bool any_dns = false;
        for (size_t i = 0; i < n->info.num_sans; i++) {
            if (strncmp(n->info.sans[i], "DNS:", 4) == 0 || strncmp(n->info.sans[i], "IP:", 3) == 0) {
                const char *v = strchr(n->info.sans[i], ':') + 1;
                any_dns = true;
                ok = ok || td_host_matches(v, host);
                o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", o ? ", " : "", v);
            }
        }
        const char *cn = strstr(n->info.subject, "CN=");
        if (!any_dns && cn) {
            char cnv[256];
            size_t k = 0;
            for (cn += 3; *cn && *cn != ',' && k + 1 < sizeof cnv; cn++) {
                cnv[k++] = *cn;
            }
            cnv[k] = '\0';
            ok = td_host_matches(cnv, host);
            snprintf(names, sizeof names, "CN %s (no subjectAltName)", cnv);
        }
    }
    if (ok) {
        td_audit_add(c->r, TD_CAUSE_HOSTNAME_OK, TD_SEV_INFO, node, "", "%s covers %s",
                     td_audit_who(c, node, w, sizeof w), host);
        return;
    }
    char fix[1400];
    snprintf(fix, sizeof fix,
             "Reissue the certificate with %s in its subjectAltName (a *.domain wildcard covers exactly one label), "
             "or connect with a name it covers: %s.",
             host, names[0] ? names : "(none)");
    const char *why = "";
    if (strstr(names, "*.") && strchr(host, '.')) {
        why = " (a wildcard stands for exactly one label: *.d.com covers a.d.com, not d.com nor a.b.d.com)";
    } else if (strstr(names, "no subjectAltName") == NULL && strstr(n->info.subject, host)) {
        why = " (the name is in the subject CN, which clients ignore when subjectAltName is present)";
    }
    td_audit_add(c->r, TD_CAUSE_HOSTNAME_MISMATCH, TD_SEV_ERROR, node, fix, "%s does not cover %s; it covers: %s%s",
                 td_audit_who(c, node, w, sizeof w), host, names[0] ? names : "(no names)", why);
}

static bool algo_has(const char *alg, const char *needle)
{
    char low[64];
    size_t i = 0;
    for (; alg[i] && i + 1 < sizeof low; i++) {
        low[i] = (char)tolower((unsigned char)alg[i]);
    }
    low[i] = '\0';
    return strstr(low, needle) != NULL;
}

void td_check_crypto(struct td_audit *c, int node, bool self)
{
    const struct td_cert_node *n = &c->r->nodes[node];
    char w[600];
    unsigned bits = 0;
    if (sscanf(n->info.key, "RSA %u", &bits) == 1 || sscanf(n->info.key, "RSA-PSS %u", &bits) == 1) {
        if (bits < 2048) {
            td_audit_add(
                c->r, TD_CAUSE_WEAK_KEY, bits < 1024 ? TD_SEV_ERROR : TD_SEV_WARNING, node,
                "Reissue it with an RSA key of 2048 bits or more (or an EC P-256 key).",
                "%s has an RSA key of %u bits: OpenSSL at security level 2 (the Debian, Ubuntu and RHEL default) "
                "refuses keys under 2048 bits, Java under 1024",
                td_audit_who(c, node, w, sizeof w), bits);
        }
    } else if (strncmp(n->info.key, "DSA", 3) == 0) {
        td_audit_add(c->r, TD_CAUSE_WEAK_KEY, TD_SEV_WARNING, node, "Reissue it with an RSA or EC key.",
                     "%s has a DSA key, which TLS 1.3 does not allow", td_audit_who(c, node, w, sizeof w));
    }
    if (self) {
        return; /* a trust anchor's own signature is not checked by anyone */
    }
    if (algo_has(n->info.sig_alg, "md5") || algo_has(n->info.sig_alg, "md2")) {
        td_audit_add(c->r, TD_CAUSE_WEAK_SIGNATURE, TD_SEV_ERROR, node,
                     "Have the CA reissue it with a SHA-256 signature.",
                     "%s is signed with %s, which no current TLS library accepts", td_audit_who(c, node, w, sizeof w),
                     n->info.sig_alg);
    } else if (algo_has(n->info.sig_alg, "sha1")) {
        td_audit_add(c->r, TD_CAUSE_WEAK_SIGNATURE, TD_SEV_ERROR, node,
                     "Have the CA reissue it with a SHA-256 signature.",
                     "%s is signed with %s (SHA-1): OpenSSL 3 at its default security level, browsers and recent Java "
                     "reject SHA-1 certificate signatures",
                     td_audit_who(c, node, w, sizeof w), n->info.sig_alg);
    }
}

/* A certInfo (degraded) entry: only its basicConstraints text is known. */
static void degraded_usage(struct td_audit *c, int node, bool leaf)
{
    const struct td_entry *e = &c->s->e[c->entry_of[node]];
    char w[600];
    if (!leaf && strstr(e->bc, "CA:FALSE")) {
        td_audit_add(c->r, TD_CAUSE_INVALID_CA, TD_SEV_ERROR, node,
                     "Use the CA's real intermediate certificate (CA:TRUE).",
                     "%s signs another certificate of the chain but is not a CA (basicConstraints %s)",
                     td_audit_who(c, node, w, sizeof w), e->bc);
    }
}

/* The leaf: an end-entity certificate usable for the purpose. */
static void leaf_usage(struct td_audit *c, int node, uint32_t flags, bool client)
{
    const struct td_entry *e = &c->s->e[c->entry_of[node]];
    const struct td_cert_node *n = &c->r->nodes[node];
    char w[600];
    if (n->info.is_ca && c->r->nodes[node].chain >= 0 && !td_entry_self_signed(e)) {
        td_audit_add(c->r, TD_CAUSE_LEAF_IS_CA, TD_SEV_WARNING, node,
                     "Issue end-entity certificates with basicConstraints CA:FALSE.",
                     "%s is an end-entity certificate marked CA:TRUE; some clients refuse it",
                     td_audit_who(c, node, w, sizeof w));
    }
    if (flags & EXFLAG_XKUSAGE) {
        uint32_t x = X509_get_extended_key_usage(e->x);
        uint32_t need = client ? XKU_SSL_CLIENT : XKU_SSL_SERVER;
        if (!(x & (need | XKU_ANYEKU))) {
            /* A client certificate without clientAuth: since 2026 mostly a
             * renewed public TLS certificate (serverAuth only). */
            td_audit_add(c->r, client ? TD_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH : TD_CAUSE_WRONG_USAGE, TD_SEV_ERROR, node,
                         client ? "Reissue it with extendedKeyUsage clientAuth."
                                : "Reissue it with extendedKeyUsage serverAuth.",
                         "%s has extendedKeyUsage %s but not %s: peers refuse it as a %s certificate",
                         td_audit_who(c, node, w, sizeof w), n->ext_key_usage, client ? "clientAuth" : "serverAuth",
                         client ? "client" : "server");
        }
    }
    if (flags & EXFLAG_KUSAGE) {
        uint32_t u = X509_get_key_usage(e->x);
        bool rsa = strncmp(n->info.key, "RSA", 3) == 0;
        if (!(u & KU_DIGITAL_SIGNATURE) && !(rsa && !client && (u & KU_KEY_ENCIPHERMENT))) {
            /* a client signs its CertificateVerify: digitalSignature it must have */
            td_audit_add(c->r, client ? TD_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH : TD_CAUSE_WRONG_USAGE, TD_SEV_ERROR, node,
                         "Reissue it with keyUsage digitalSignature (and keyEncipherment for RSA).",
                         "%s has keyUsage %s, without digitalSignature: it cannot sign a TLS handshake",
                         td_audit_who(c, node, w, sizeof w), n->key_usage[0] ? n->key_usage : "(none)");
        } else if (!(u & KU_DIGITAL_SIGNATURE)) {
            td_audit_add(
                c->r, TD_CAUSE_WRONG_USAGE, TD_SEV_WARNING, node, "Reissue it with keyUsage digitalSignature.",
                "%s has keyUsage %s without digitalSignature: only RSA key exchange works (no ECDHE, no TLS 1.3)",
                td_audit_who(c, node, w, sizeof w), n->key_usage);
        }
    }
}

/* A CA certificate of the chain: allowed to issue what is below it, for the purpose. */
static void ca_usage(struct td_audit *c, int node, uint32_t flags, size_t depth, bool client)
{
    const struct td_entry *e = &c->s->e[c->entry_of[node]];
    const struct td_cert_node *n = &c->r->nodes[node];
    char w[600];
    if (X509_check_ca(e->x) == 0) {
        td_audit_add(
            c->r, TD_CAUSE_INVALID_CA, TD_SEV_ERROR, node,
            "Use the CA's real intermediate certificate; a certificate without basicConstraints CA:TRUE cannot issue.",
            "%s issues the certificate below it but is not a CA (basicConstraints %s): every client refuses the chain",
            td_audit_who(c, node, w, sizeof w), n->basic_constraints[0] ? n->basic_constraints : "missing");
    }
    if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(e->x) & KU_KEY_CERT_SIGN)) {
        td_audit_add(c->r, TD_CAUSE_INVALID_CA, TD_SEV_ERROR, node,
                     "Use a CA certificate whose keyUsage includes keyCertSign.",
                     "%s has keyUsage %s, without keyCertSign, yet it issues the certificate below it",
                     td_audit_who(c, node, w, sizeof w), n->key_usage);
    }
    long pl = X509_get_pathlen(e->x);
    if (pl >= 0 && depth >= 2 && (long)depth - 1 > pl) {
        td_audit_add(c->r, TD_CAUSE_INVALID_CA, TD_SEV_ERROR, node,
                     "Shorten the chain or have the CA issue from a certificate allowed to.",
                     "%s allows %ld CA certificate(s) below it (pathlen) but %zu follow",
                     td_audit_who(c, node, w, sizeof w), pl, depth - 1);
    }
    if (flags & EXFLAG_XKUSAGE) {
        uint32_t x = X509_get_extended_key_usage(e->x);
        uint32_t need = client ? XKU_SSL_CLIENT : XKU_SSL_SERVER;
        if (!(x & (need | XKU_ANYEKU))) {
            td_audit_add(c->r, TD_CAUSE_WRONG_USAGE, TD_SEV_ERROR, node,
                         "Use a CA certificate whose extendedKeyUsage allows TLS, or none.",
                         "%s restricts extendedKeyUsage to %s, which excludes %s: the whole chain is refused for it",
                         td_audit_who(c, node, w, sizeof w), n->ext_key_usage, client ? "clientAuth" : "serverAuth");
        }
    }
}

void td_check_usage(struct td_audit *c, int node, size_t depth, bool leaf)
{
    const struct td_entry *e = &c->s->e[c->entry_of[node]];
    bool client = c->o->purpose == TD_PURPOSE_CLIENT;
    if (!e->x) {
        degraded_usage(c, node, leaf);
        return;
    }
    uint32_t flags = X509_get_extension_flags(e->x);
    if (leaf) {
        leaf_usage(c, node, flags, client);
    } else {
        ca_usage(c, node, flags, depth, client);
    }
}

void td_check_keys(struct td_audit *c, const struct td_cert_chain *ch, int leaf_entry)
{
    const struct td_entry *e = &c->s->e[leaf_entry];
    char w[600];
    int node = (int)ch->nodes[0];
    if (!e->x) {
        return;
    }
    for (size_t i = 0; i < c->s->nk; i++) {
        const struct td_keyent *k = &c->s->keys[i];
        if (k->group != e->group && k->group != -1) {
            continue;
        }
        if (EVP_PKEY_eq(X509_get0_pubkey(e->x), k->k) == 1) {
            c->r->nodes[node].key_given = true;
            td_audit_add(c->r, TD_CAUSE_KEY_MATCHES, TD_SEV_INFO, node, "", "the private key %s matches %s", k->origin,
                         td_audit_who(c, node, w, sizeof w));
        } else if (k->group == e->group || k->group == -1) {
            td_audit_add(
                c->r, TD_CAUSE_KEY_MISMATCH, TD_SEV_ERROR, node,
                "Install the certificate that was issued for this key (or the key the certificate was issued for): "
                "a server with a mismatched pair fails every handshake.",
                "the private key %s does not belong to %s", k->origin, td_audit_who(c, node, w, sizeof w));
        }
        ERR_clear_error();
    }
}

/* Each certificate stored after one it certifies: the first one is reported. */
static bool stored_out_of_order(struct td_audit *c, const struct td_cert_chain *ch, int group)
{
    char w[600], w2[600];
    int last_pos = -1;
    int prev_node = -1;
    bool reported = false;
    for (size_t i = 0; i < ch->len && !reported; i++) {
        const struct td_entry *e = &c->s->e[c->entry_of[ch->nodes[i]]];
        if (e->group != group) {
            continue;
        }
        if (e->pos < last_pos) {
            td_audit_add(c->r, TD_CAUSE_INCORRECT_CHAIN, TD_SEV_ERROR, (int)ch->nodes[i],
                         "Reorder the file: leaf first, then the intermediate that signed it, then the next one up.",
                         "%s is stored before %s, which it certifies: %s lists the chain out of order",
                         td_audit_who(c, (int)ch->nodes[i], w, sizeof w), td_audit_who(c, prev_node, w2, sizeof w2),
                         c->s->groups[group].name);
            reported = true;
        }
        last_pos = e->pos;
        prev_node = (int)ch->nodes[i];
    }
    return reported;
}

/* Entry i of the chain's file, when the chain does not hold it: another
 * intermediate sent in place of the right one, a CA certificate above the
 * gap, or one that certifies nothing. */
static void stray_entry(struct td_audit *c, const struct td_cert_chain *ch, size_t i)
{
    char w[600], w2[600];
    const struct td_entry *e = &c->s->e[i];
    bool in = false;
    for (size_t k = 0; k < ch->len; k++) {
        in = in || c->entry_of[ch->nodes[k]] == (int)i;
    }
    const struct td_cert_node *top = &c->r->nodes[ch->nodes[ch->len - 1]];
    bool gap = strcmp(top->link, "missing") == 0 || strcmp(top->link, "bad-signature") == 0;
    /* A CA certificate that did not issue the top and cannot sit above
     * the gap (pathLenConstraint 0: it issues no CA, so not the missing
     * intermediate either): another intermediate (of the same CA,
     * typically) sent in place of the one that signed the leaf. */
    bool other_intermediate = !in && gap && e->x && e->info.is_ca && !e->info.self_signed &&
                              !td_dn_eq(e->info.subject, top->info.issuer) && ch->len == 1 &&
                              X509_get_pathlen(e->x) == 0;
    if (other_intermediate) {
        int node = c->node_of[i] >= 0 ? c->node_of[i] : td_audit_new_node(c, i, "other", -1);
        td_audit_add(c->r, TD_CAUSE_INCORRECT_CHAIN, TD_SEV_ERROR, node,
                     "Send the intermediate that issued the leaf instead (its caIssuers URL names it).",
                     "%s did not issue %s (whose issuer is %s): a different intermediate sent in place of the "
                     "right one",
                     td_audit_who(c, node, w, sizeof w), td_audit_who(c, (int)ch->nodes[0], w2, sizeof w2),
                     top->info.issuer);
        return;
    }
    if (!in && gap && (e->info.is_ca || td_dn_eq(e->info.subject, top->info.issuer))) {
        int node = c->node_of[i] >= 0 ? c->node_of[i] : td_audit_new_node(c, i, "other", -1);
        if (td_dn_eq(e->info.subject, top->info.issuer)) {
            td_audit_add(c->r, TD_CAUSE_INCORRECT_CHAIN, TD_SEV_ERROR, node,
                         "Replace it with the CA certificate that really issued the one below (the CA's current "
                         "intermediate; its caIssuers URL names it).",
                         "%s has the name of the issuer of %s but not its key: a different or re-keyed CA certificate",
                         td_audit_who(c, node, w, sizeof w),
                         td_audit_who(c, (int)ch->nodes[ch->len - 1], w2, sizeof w2));
        }
        return; /* it sits above the gap */
    }
    if (!in && !e->trusted_entry && !(c->node_of[i] >= 0 && c->r->nodes[c->node_of[i]].chain >= 0)) {
        int node = c->node_of[i] >= 0 ? c->node_of[i] : td_audit_new_node(c, i, "other", -1);
        td_audit_add(c->r, TD_CAUSE_INCORRECT_CHAIN, TD_SEV_ERROR, node,
                     "Remove it from the chain file (or keystore entry).",
                     "%s is stored with the chain of %s but certifies nothing in it",
                     td_audit_who(c, node, w, sizeof w), td_audit_who(c, (int)ch->nodes[0], w2, sizeof w2));
    }
}

/* The order as stored: in a PEM chain file or a keystore key entry the chain
 * goes out as stored, and RFC 5246 7.4.2 wants each certificate to certify the
 * one before it (RFC 8446 4.4.2 tolerates disorder, many clients do not). */
void td_check_order(struct td_audit *c, const struct td_cert_chain *ch, int group)
{
    if (group < 0 || !c->s->groups[group].order_matters) {
        return;
    }
    char w[600];
    bool reported = stored_out_of_order(c, ch, group);
    const struct td_entry *leaf = &c->s->e[c->entry_of[ch->nodes[0]]];
    if (!reported && leaf->group == group && leaf->pos != 0) {
        td_audit_add(
            c->r, TD_CAUSE_INCORRECT_CHAIN, TD_SEV_ERROR, (int)ch->nodes[0],
            "Put the leaf certificate first in the file, then its intermediates.",
            "%s is not the first certificate of %s: servers send the file as it is, and the peer takes the first "
            "certificate for the server's own",
            td_audit_who(c, (int)ch->nodes[0], w, sizeof w), c->s->groups[group].name);
    }
    /* Certificates of the same file that certify nothing in the chain. */
    for (size_t i = 0; i < c->n; i++) {
        const struct td_entry *e = &c->s->e[i];
        if (e->group != group || c->dup_of[i] >= 0) {
            continue;
        }
        stray_entry(c, ch, i);
    }
}

/* The leaf issued by a public CA the stores distrust for certificates issued
 * after a date (the root itself is still trusted: path validation passes). */
static void check_distrusted(struct td_audit *c, const struct td_cert_chain *ch)
{
    char w[600];
    for (size_t i = 0; i < ch->len; i++) {
        const struct td_cert_info *ci = &c->r->nodes[ch->nodes[i]].info;
        const struct td_cert_info *leaf = &c->r->nodes[ch->nodes[0]].info;
        const char *who = NULL;
        const char *owner = td_distrusted_ca(ci->issuer, leaf->not_before_epoch, &who);
        if (owner) {
            td_audit_add(c->r, TD_CAUSE_DISTRUSTED_CA, TD_SEV_WARNING, (int)ch->nodes[0],
                         "Replace it with a certificate from a CA the clients still trust for new certificates.",
                         "%s chains to %s (%s), whose certificates issued after the cut-off are distrusted: %s; it "
                         "was issued %s",
                         td_audit_who(c, (int)ch->nodes[0], w, sizeof w), ci->issuer, owner, who, leaf->not_before);
            return;
        }
    }
}

void td_check_inspection(struct td_audit *c, const struct td_cert_chain *ch)
{
    char w[600];
    for (size_t i = 0; i < ch->len; i++) {
        int node = (int)ch->nodes[i];
        const struct td_cert_info *ci = &c->r->nodes[node].info;
        const char *vendor = td_inspection_vendor(ci->issuer);
        if (vendor) {
            td_audit_add(c->r, TD_CAUSE_TLS_INSPECTION_CA, TD_SEV_WARNING, node,
                         "Trust the proxy's CA on the client (its truststore), or have the proxy bypass this host.",
                         "%s is issued by %s, the CA of a TLS-inspection proxy (%s): the certificate the client sees "
                         "is the proxy's, not the server's",
                         td_audit_who(c, node, w, sizeof w), ci->issuer, vendor);
            return; /* once per chain: the lowest such certificate */
        }
    }
    check_distrusted(c, ch);
}
