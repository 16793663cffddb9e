/* The checks of tlsdiag cert: chains built from whatever was given, then
 * validity, names, trust (OpenSSL's path validation, every error collected),
 * keys and usage. Each finding names its certificate and says what to do. */
#include <ctype.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "cert/internal.h"

#include "base/banned.h"

#define MAX_VERIFY_ERRORS 32

const char *td_sev_name(enum td_sev s)
{
    return s == TD_SEV_ERROR ? "error" : s == TD_SEV_WARNING ? "warning" : "info";
}

static struct td_cert_finding *add(struct td_cert_report *r, const char *cause, enum td_sev sev, int cert,
                                   const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static struct td_cert_finding *add(struct td_cert_report *r, const char *cause, enum td_sev sev, int cert,
                                   const char *fix, const char *fmt, ...)
{
    if (r->num_findings == r->cap_findings) {
        r->cap_findings = r->cap_findings ? 2 * r->cap_findings : 16;
        r->findings = td_realloc(r->findings, r->cap_findings * sizeof *r->findings);
    }
    struct td_cert_finding *f = &r->findings[r->num_findings++];
    td_memzero(f, sizeof *f);
    f->cause = cause;
    f->sev = sev;
    f->cert = cert;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    snprintf(f->resolution, sizeof f->resolution, "%s", fix);
    return f;
}

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

static void norm_dn(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; in[i] && n + 1 < cap; i++) {
        if (in[i] == ' ' && i > 0 && in[i - 1] == ',') {
            continue;
        }
        out[n++] = (char)tolower((unsigned char)in[i]);
    }
    out[n] = '\0';
}

static bool dn_eq(const char *a, const char *b)
{
    char x[512], y[512];
    norm_dn(a, x, sizeof x);
    norm_dn(b, y, sizeof y);
    return x[0] && strcmp(x, y) == 0;
}

enum link { L_NONE, L_GOOD, L_BADSIG };

/* Does p issue c? Names and key identifiers (X509_check_issued), then the
 * signature itself. certInfo entries only have names to go by. */
static enum link issues(const struct td_entry *p, const struct td_entry *c)
{
    if (p == c) {
        return L_NONE;
    }
    if (!p->x || !c->x) {
        return p->degraded && c->degraded && dn_eq(p->info.subject, c->info.issuer) ? L_GOOD : L_NONE;
    }
    int r = X509_check_issued(p->x, c->x);
    if (r != X509_V_OK && r != X509_V_ERR_KEYUSAGE_NO_CERTSIGN) {
        return L_NONE;
    }
    EVP_PKEY *k = X509_get0_pubkey(p->x);
    int v = k ? X509_verify(c->x, k) : 0;
    ERR_clear_error();
    return v == 1 ? L_GOOD : L_BADSIG;
}

static bool self_signed(const struct td_entry *e)
{
    return e->degraded ? dn_eq(e->info.subject, e->info.issuer) : e->info.self_signed;
}

static void fill_ext(const struct td_entry *e, struct td_cert_node *n)
{
    if (!e->x) {
        snprintf(n->basic_constraints, sizeof n->basic_constraints, "%s", e->bc);
        return;
    }
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(e->x, NID_basic_constraints, NULL, NULL);
    if (bc) {
        long pl = bc->pathlen ? ASN1_INTEGER_get(bc->pathlen) : -1;
        if (bc->ca && pl >= 0) {
            snprintf(n->basic_constraints, sizeof n->basic_constraints, "CA:TRUE, pathlen:%ld", pl);
        } else {
            snprintf(n->basic_constraints, sizeof n->basic_constraints, "CA:%s", bc->ca ? "TRUE" : "FALSE");
        }
        BASIC_CONSTRAINTS_free(bc);
    }
    uint32_t flags = X509_get_extension_flags(e->x);
    if (flags & EXFLAG_KUSAGE) {
        static const struct {
            uint32_t bit;
            const char *name;
        } ku[] = {{KU_DIGITAL_SIGNATURE, "digitalSignature"}, {KU_NON_REPUDIATION, "nonRepudiation"},
                  {KU_KEY_ENCIPHERMENT, "keyEncipherment"},   {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
                  {KU_KEY_AGREEMENT, "keyAgreement"},         {KU_KEY_CERT_SIGN, "keyCertSign"},
                  {KU_CRL_SIGN, "cRLSign"}};
        uint32_t u = X509_get_key_usage(e->x);
        size_t o = 0;
        for (size_t i = 0; i < sizeof ku / sizeof ku[0]; i++) {
            if ((u & ku[i].bit) && o < sizeof n->key_usage) {
                o += (size_t)snprintf(n->key_usage + o, sizeof n->key_usage - o, "%s%s", o ? ", " : "", ku[i].name);
            }
        }
    }
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(e->x, NID_ext_key_usage, NULL, NULL);
    size_t o = 0;
    for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku) && o < sizeof n->ext_key_usage; i++) {
        char name[80];
        ASN1_OBJECT *obj = sk_ASN1_OBJECT_value(eku, i);
        int nid = OBJ_obj2nid(obj);
        if (nid != NID_undef) {
            snprintf(name, sizeof name, "%s", OBJ_nid2sn(nid));
        } else {
            OBJ_obj2txt(name, sizeof name, obj, 1);
        }
        o += (size_t)snprintf(n->ext_key_usage + o, sizeof n->ext_key_usage - o, "%s%s", o ? ", " : "", name);
    }
    EXTENDED_KEY_USAGE_free(eku);
    td_x509_aia_ca_issuers(e->x, n->aia, sizeof n->aia);
}

struct ctx {
    const struct td_certset *s;
    const struct td_audit_opts *o;
    struct td_cert_report *r;
    size_t n;
    int *dup_of;        /* entry -> first entry with the same certificate, or -1 */
    int *parent;        /* entry -> issuing entry, -1 */
    enum link *plink;
    int *node_of;       /* entry -> node, -1 */
    int *entry_of;      /* node -> entry */
};

static const char *who(const struct ctx *c, int node, char *buf, size_t cap)
{
    if (node < 0) {
        snprintf(buf, cap, "the set");
    } else {
        snprintf(buf, cap, "[%d] %s", node, c->r->nodes[node].info.subject[0] ? c->r->nodes[node].info.subject
                                                                               : "(no subject)");
    }
    return buf;
}

static int new_node(struct ctx *c, size_t e, const char *role, int chain)
{
    if (c->node_of[e] >= 0) {
        return c->node_of[e];
    }
    struct td_cert_report *r = c->r;
    struct td_cert_node *n = &r->nodes[r->num_nodes];
    const struct td_entry *en = &c->s->e[e];
    td_memzero(n, sizeof *n);
    n->info = en->info;
    for (size_t i = 0; i < en->info.num_sans; i++) {
        n->info.sans[i] = td_strndup(en->info.sans[i], strlen(en->info.sans[i]));
    }
    snprintf(n->origin, sizeof n->origin, "%s", en->origin);
    n->role = role;
    n->chain = chain;
    n->issuer = -1;
    n->link = "";
    n->degraded = en->degraded;
    n->valid_at = en->info.not_before_epoch <= r->at && r->at <= en->info.not_after_epoch;
    fill_ext(en, n);
    c->node_of[e] = (int)r->num_nodes;
    c->entry_of[r->num_nodes] = (int)e;
    return (int)r->num_nodes++;
}

static bool is_leaf_candidate(const struct ctx *c, size_t i, int pass)
{
    const struct td_entry *e = &c->s->e[i];
    if (c->dup_of[i] >= 0 || e->trusted_entry) {
        return false;
    }
    if (pass == 0) {
        if (e->info.is_ca) {
            return false;
        }
        for (size_t j = 0; j < c->n; j++) {
            if (c->dup_of[j] < 0 && c->parent[j] == (int)i) {
                return false; /* it acts as an issuer (invalid_ca below) */
            }
        }
        /* A chain file or keystore entry holds one chain: its leaf is the
         * end-entity certificate that reaches most of the others. */
        const struct td_group *g = &c->s->groups[e->group];
        if (!g->order_matters) {
            return true;
        }
        int best = -1, best_reach = -1;
        for (size_t j = 0; j < c->n; j++) {
            if (c->s->e[j].group != e->group || c->dup_of[j] >= 0 || c->s->e[j].info.is_ca) {
                continue;
            }
            int reach = 0;
            for (int p = c->parent[j], guard = 0; p >= 0 && guard < TD_CHAIN_MAX; p = c->parent[p], guard++) {
                reach += c->s->e[p].group == e->group;
            }
            if (reach > best_reach) {
                best = (int)j;
                best_reach = reach;
            }
        }
        return best == (int)i;
    }
    if (e->info.is_ca && !self_signed(e)) {
        for (size_t j = 0; j < c->n; j++) {
            if (c->dup_of[j] < 0 && c->parent[j] == (int)i) {
                return false;
            }
        }
        return true;
    }
    return false;
}

/* ---- checks -------------------------------------------------------------- */

static void check_validity(struct ctx *c, int node, bool in_chain, bool leaf)
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
        add(c->r, client ? "client_cert_expired" : "expired_cert", sev, node,
            leaf ? "Renew the certificate (same names, new dates) and install it with its chain where it is used."
                 : "Replace it with the CA's current certificate (download it from the CA) and install that.",
            "%s expired on %s, %lld day(s) before the time checked%s", who(c, node, w, sizeof w), n->info.not_after,
            (long long)((at - n->info.not_after_epoch) / 86400), in_chain ? "" : " (not part of a chain)");
    } else if (at < n->info.not_before_epoch) {
        add(c->r, "not_yet_valid_cert", sev, node,
            "Check the clock of the machine that rejects it; or wait, or use a certificate whose validity has begun.",
            "%s is not valid before %s (%lld day(s) after the time checked)", who(c, node, w, sizeof w),
            n->info.not_before, (long long)((n->info.not_before_epoch - at + 86399) / 86400));
    } else if (in_chain && n->info.not_after_epoch - at < (int64_t)c->o->warn_days * 86400) {
        add(c->r, "expiring_soon", TD_SEV_WARNING, node, "Renew it before it expires and install the new one.",
            "%s expires on %s, in %lld day(s)", who(c, node, w, sizeof w), n->info.not_after,
            (long long)((n->info.not_after_epoch - at) / 86400));
    }
}

static void check_name(struct ctx *c, int node)
{
    const char *host = c->o->host;
    const struct td_entry *e = &c->s->e[c->entry_of[node]];
    const struct td_cert_node *n = &c->r->nodes[node];
    char names[600] = "", w[600];
    bool ok = false;
    if (e->x) {
        int r = X509_check_ip_asc(e->x, host, 0);
        if (r < 0) {
            r = X509_check_host(e->x, host, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL);
        }
        ok = r == 1;
        td_x509_covered_names(e->x, names, sizeof names);
        ERR_clear_error();
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
        add(c->r, "hostname_ok", TD_SEV_INFO, node, "", "%s covers %s", who(c, node, w, sizeof w), host);
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
    add(c->r, "hostname_mismatch", TD_SEV_ERROR, node, fix, "%s does not cover %s; it covers: %s%s",
        who(c, node, w, sizeof w), host, names[0] ? names : "(no names)", why);
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

static void check_crypto(struct ctx *c, int node, bool self)
{
    const struct td_cert_node *n = &c->r->nodes[node];
    char w[600];
    unsigned bits = 0;
    if (sscanf(n->info.key, "RSA %u", &bits) == 1 || sscanf(n->info.key, "RSA-PSS %u", &bits) == 1) {
        if (bits < 2048) {
            add(c->r, "weak_key", bits < 1024 ? TD_SEV_ERROR : TD_SEV_WARNING, node,
                "Reissue it with an RSA key of 2048 bits or more (or an EC P-256 key).",
                "%s has an RSA key of %u bits: OpenSSL at security level 2 (the Debian, Ubuntu and RHEL default) "
                "refuses keys under 2048 bits, Java under 1024",
                who(c, node, w, sizeof w), bits);
        }
    } else if (strncmp(n->info.key, "DSA", 3) == 0) {
        add(c->r, "weak_key", TD_SEV_WARNING, node, "Reissue it with an RSA or EC key.",
            "%s has a DSA key, which TLS 1.3 does not allow", who(c, node, w, sizeof w));
    }
    if (self) {
        return; /* a trust anchor's own signature is not checked by anyone */
    }
    if (algo_has(n->info.sig_alg, "md5") || algo_has(n->info.sig_alg, "md2")) {
        add(c->r, "weak_signature", TD_SEV_ERROR, node, "Have the CA reissue it with a SHA-256 signature.",
            "%s is signed with %s, which no current TLS library accepts", who(c, node, w, sizeof w),
            n->info.sig_alg);
    } else if (algo_has(n->info.sig_alg, "sha1")) {
        add(c->r, "weak_signature", TD_SEV_ERROR, node, "Have the CA reissue it with a SHA-256 signature.",
            "%s is signed with %s (SHA-1): OpenSSL 3 at its default security level, browsers and recent Java "
            "reject SHA-1 certificate signatures",
            who(c, node, w, sizeof w), n->info.sig_alg);
    }
}

static void check_usage(struct ctx *c, int node, size_t depth, bool leaf)
{
    const struct td_entry *e = &c->s->e[c->entry_of[node]];
    const struct td_cert_node *n = &c->r->nodes[node];
    char w[600];
    bool client = c->o->purpose == TD_PURPOSE_CLIENT;
    if (!e->x) {
        if (!leaf && strstr(e->bc, "CA:FALSE")) {
            add(c->r, "invalid_ca", TD_SEV_ERROR, node, "Use the CA's real intermediate certificate (CA:TRUE).",
                "%s signs another certificate of the chain but is not a CA (basicConstraints %s)",
                who(c, node, w, sizeof w), e->bc);
        }
        return;
    }
    uint32_t flags = X509_get_extension_flags(e->x);
    if (leaf) {
        if (n->info.is_ca && c->r->nodes[node].chain >= 0 && !self_signed(e)) {
            add(c->r, "leaf_is_ca", TD_SEV_WARNING, node, "Issue end-entity certificates with basicConstraints CA:FALSE.",
                "%s is an end-entity certificate marked CA:TRUE; some clients refuse it", who(c, node, w, sizeof w));
        }
        if (flags & EXFLAG_XKUSAGE) {
            uint32_t x = X509_get_extended_key_usage(e->x);
            uint32_t need = client ? XKU_SSL_CLIENT : XKU_SSL_SERVER;
            if (!(x & (need | XKU_ANYEKU))) {
                add(c->r, "wrong_usage", TD_SEV_ERROR, node,
                    client ? "Reissue it with extendedKeyUsage clientAuth." : "Reissue it with extendedKeyUsage serverAuth.",
                    "%s has extendedKeyUsage %s but not %s: peers refuse it as a %s certificate",
                    who(c, node, w, sizeof w), n->ext_key_usage, client ? "clientAuth" : "serverAuth",
                    client ? "client" : "server");
            }
        }
        if (flags & EXFLAG_KUSAGE) {
            uint32_t u = X509_get_key_usage(e->x);
            bool rsa = strncmp(n->info.key, "RSA", 3) == 0;
            if (!(u & KU_DIGITAL_SIGNATURE) && !(rsa && !client && (u & KU_KEY_ENCIPHERMENT))) {
                add(c->r, "wrong_usage", TD_SEV_ERROR, node, "Reissue it with keyUsage digitalSignature (and keyEncipherment for RSA).",
                    "%s has keyUsage %s, without digitalSignature: it cannot sign a TLS handshake",
                    who(c, node, w, sizeof w), n->key_usage[0] ? n->key_usage : "(none)");
            } else if (!(u & KU_DIGITAL_SIGNATURE)) {
                add(c->r, "wrong_usage", TD_SEV_WARNING, node, "Reissue it with keyUsage digitalSignature.",
                    "%s has keyUsage %s without digitalSignature: only RSA key exchange works (no ECDHE, no TLS 1.3)",
                    who(c, node, w, sizeof w), n->key_usage);
            }
        }
        return;
    }
    if (X509_check_ca(e->x) == 0) {
        add(c->r, "invalid_ca", TD_SEV_ERROR, node,
            "Use the CA's real intermediate certificate; a certificate without basicConstraints CA:TRUE cannot issue.",
            "%s issues the certificate below it but is not a CA (basicConstraints %s): every client refuses the chain",
            who(c, node, w, sizeof w), n->basic_constraints[0] ? n->basic_constraints : "missing");
    }
    if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(e->x) & KU_KEY_CERT_SIGN)) {
        add(c->r, "invalid_ca", TD_SEV_ERROR, node, "Use a CA certificate whose keyUsage includes keyCertSign.",
            "%s has keyUsage %s, without keyCertSign, yet it issues the certificate below it",
            who(c, node, w, sizeof w), n->key_usage);
    }
    long pl = X509_get_pathlen(e->x);
    if (pl >= 0 && depth >= 2 && (long)depth - 1 > pl) {
        add(c->r, "invalid_ca", TD_SEV_ERROR, node, "Shorten the chain or have the CA issue from a certificate allowed to.",
            "%s allows %ld CA certificate(s) below it (pathlen) but %zu follow", who(c, node, w, sizeof w), pl,
            depth - 1);
    }
    if (flags & EXFLAG_XKUSAGE) {
        uint32_t x = X509_get_extended_key_usage(e->x);
        uint32_t need = client ? XKU_SSL_CLIENT : XKU_SSL_SERVER;
        if (!(x & (need | XKU_ANYEKU))) {
            add(c->r, "wrong_usage", TD_SEV_ERROR, node, "Use a CA certificate whose extendedKeyUsage allows TLS, or none.",
                "%s restricts extendedKeyUsage to %s, which excludes %s: the whole chain is refused for it",
                who(c, node, w, sizeof w), n->ext_key_usage, client ? "clientAuth" : "serverAuth");
        }
    }
}

static void check_keys(struct ctx *c, const struct td_cert_chain *ch, int leaf_entry)
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
            add(c->r, "key_matches", TD_SEV_INFO, node, "", "the private key %s matches %s", k->origin,
                who(c, node, w, sizeof w));
        } else if (k->group == e->group || k->group == -1) {
            add(c->r, "key_mismatch", TD_SEV_ERROR, node,
                "Install the certificate that was issued for this key (or the key the certificate was issued for): "
                "a server with a mismatched pair fails every handshake.",
                "the private key %s does not belong to %s", k->origin, who(c, node, w, sizeof w));
        }
        ERR_clear_error();
    }
}

/* The order as stored: in a PEM chain file or a keystore key entry the chain
 * goes out as stored, and RFC 5246 7.4.2 wants each certificate to certify the
 * one before it (RFC 8446 4.4.2 tolerates disorder, many clients do not). */
static void check_order(struct ctx *c, const struct td_cert_chain *ch, int group)
{
    if (group < 0 || !c->s->groups[group].order_matters) {
        return;
    }
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
            add(c->r, "incorrect_chain", TD_SEV_ERROR, (int)ch->nodes[i],
                "Reorder the file: leaf first, then the intermediate that signed it, then the next one up.",
                "%s is stored before %s, which it certifies: %s lists the chain out of order",
                who(c, (int)ch->nodes[i], w, sizeof w), who(c, prev_node, w2, sizeof w2), c->s->groups[group].name);
            reported = true;
        }
        last_pos = e->pos;
        prev_node = (int)ch->nodes[i];
    }
    const struct td_entry *leaf = &c->s->e[c->entry_of[ch->nodes[0]]];
    if (!reported && leaf->group == group && leaf->pos != 0) {
        add(c->r, "incorrect_chain", TD_SEV_ERROR, (int)ch->nodes[0],
            "Put the leaf certificate first in the file, then its intermediates.",
            "%s is not the first certificate of %s: servers send the file as it is, and the peer takes the first "
            "certificate for the server's own",
            who(c, (int)ch->nodes[0], w, sizeof w), c->s->groups[group].name);
    }
    /* Certificates of the same file that certify nothing in the chain. */
    for (size_t i = 0; i < c->n; i++) {
        const struct td_entry *e = &c->s->e[i];
        if (e->group != group || c->dup_of[i] >= 0) {
            continue;
        }
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
                                  !dn_eq(e->info.subject, top->info.issuer) && ch->len == 1 &&
                                  X509_get_pathlen(e->x) == 0;
        if (other_intermediate) {
            int node = c->node_of[i] >= 0 ? c->node_of[i] : new_node(c, i, "other", -1);
            add(c->r, "incorrect_chain", TD_SEV_ERROR, node,
                "Send the intermediate that issued the leaf instead (its caIssuers URL names it).",
                "%s did not issue %s (whose issuer is %s): a different intermediate sent in place of the right one",
                who(c, node, w, sizeof w), who(c, (int)ch->nodes[0], w2, sizeof w2), top->info.issuer);
            continue;
        }
        if (!in && gap && (e->info.is_ca || dn_eq(e->info.subject, top->info.issuer))) {
            int node = c->node_of[i] >= 0 ? c->node_of[i] : new_node(c, i, "other", -1);
            if (dn_eq(e->info.subject, top->info.issuer)) {
                add(c->r, "incorrect_chain", TD_SEV_ERROR, node,
                    "Replace it with the CA certificate that really issued the one below (the CA's current "
                    "intermediate; its caIssuers URL names it).",
                    "%s has the name of the issuer of %s but not its key: a different or re-keyed CA certificate",
                    who(c, node, w, sizeof w), who(c, (int)ch->nodes[ch->len - 1], w2, sizeof w2));
            }
            continue; /* it sits above the gap */
        }
        if (!in && !e->trusted_entry && !(c->node_of[i] >= 0 && c->r->nodes[c->node_of[i]].chain >= 0)) {
            int node = c->node_of[i] >= 0 ? c->node_of[i] : new_node(c, i, "other", -1);
            add(c->r, "incorrect_chain", TD_SEV_ERROR, node, "Remove it from the chain file (or keystore entry).",
                "%s is stored with the chain of %s but certifies nothing in it", who(c, node, w, sizeof w),
                who(c, (int)ch->nodes[0], w2, sizeof w2));
        }
    }
}

/* ---- trust ------------------------------------------------------------- */

struct verr {
    int depth, err;
    X509 *cert;
};

struct vstate {
    struct verr e[MAX_VERIFY_ERRORS];
    size_t n;
};

static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    struct vstate *v = X509_STORE_CTX_get_ex_data(ctx, 0);
    if (!ok && v && v->n < MAX_VERIFY_ERRORS) {
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
    return 1; /* collect every error, not just the first */
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

static int node_of_x509(struct ctx *c, X509 *x)
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
    snprintf(out, cap, "%s", ci.subject);
    td_cert_info_free(&ci);
}

static X509_STORE *trust_store(const struct ctx *c)
{
    X509_STORE *st = X509_STORE_new();
    for (size_t i = 0; c->o->ca && i < c->o->ca->n; i++) {
        if (c->o->ca->e[i].x) {
            X509_STORE_add_cert(st, c->o->ca->e[i].x);
        }
    }
    if (c->o->system_ca) {
        X509_STORE_set_default_paths(st);
    }
    ERR_clear_error();
    return st;
}

static void check_trust(struct ctx *c, const struct td_cert_chain *ch)
{
    const struct td_entry *leaf = &c->s->e[c->entry_of[ch->nodes[0]]];
    char w[600], w2[600], fix[1400];
    bool client = c->o->purpose == TD_PURPOSE_CLIENT;
    if (!leaf->x) {
        add(c->r, "trust_not_checked", TD_SEV_INFO, (int)ch->nodes[0], "Give the certificates themselves (PEM/DER) to check trust.",
            "trust cannot be checked from certInfo JSON (no signatures)");
        return;
    }
    c->r->trust_checked = true;
    X509_STORE *st = trust_store(c);
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    for (size_t i = 0; i < c->n; i++) {
        if (c->s->e[i].x && (int)i != c->entry_of[ch->nodes[0]] && !c->s->e[i].trusted_entry) {
            sk_X509_push(untrusted, c->s->e[i].x);
        }
    }
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    struct vstate v;
    td_memzero(&v, sizeof v);
    bool ok = false;
    if (ctx && X509_STORE_CTX_init(ctx, st, leaf->x, untrusted)) {
        X509_STORE_CTX_set_ex_data(ctx, 0, &v);
        X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
        X509_STORE_CTX_set_time(ctx, 0, (time_t)c->r->at);
        /* Any truststore entry is an anchor, self-signed or not (RFC 5280 6.1, as Java does). */
        X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
        ok = X509_verify_cert(ctx) == 1 && v.n == 0;
        STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(ctx);
        int nb = built ? sk_X509_num(built) : 0;
        if (ok && nb > 0) {
            X509 *anchor = sk_X509_value(built, nb - 1);
            x509_subject(anchor, c->r->anchor, sizeof c->r->anchor);
            int an = node_of_x509(c, anchor);
            if (an < 0 || ch->nodes[ch->len - 1] != (size_t)an) {
                /* The anchor came from the truststore. */
                c->r->nodes[ch->nodes[ch->len - 1]].link = an == (int)ch->nodes[ch->len - 1] ? "self-signed" : "anchor";
            }
        }
    }
    for (size_t i = 0; i < v.n; i++) {
        int err = v.e[i].err;
        int node = node_of_x509(c, v.e[i].cert);
        char subj[520] = "";
        if (v.e[i].cert) {
            x509_subject(v.e[i].cert, subj, sizeof subj);
        }
        bool covered = node >= 0 && (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID ||
                                     err == X509_V_ERR_INVALID_CA || err == X509_V_ERR_PATH_LENGTH_EXCEEDED ||
                                     err == X509_V_ERR_INVALID_PURPOSE || err == X509_V_ERR_KEYUSAGE_NO_CERTSIGN);
        if (covered) {
            continue;
        }
        const char *ossl = X509_verify_cert_error_string(err);
        if (err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
            const struct td_cert_node *n = &c->r->nodes[node >= 0 ? node : 0];
            snprintf(fix, sizeof fix,
                     "Add this certificate (SHA-256 %s) to the peer's truststore, or replace it with one issued by a "
                     "CA the peer trusts.",
                     n->info.sha256);
            add(c->r, client ? "client_cert_untrusted" : "self_signed", TD_SEV_ERROR, node, fix,
                "%s is self-signed and the truststore does not hold it (OpenSSL: %s)", who(c, node, w, sizeof w), ossl);
        } else if (err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN) {
            const struct td_cert_node *n = node >= 0 ? &c->r->nodes[node] : NULL;
            snprintf(fix, sizeof fix, "Add the root %s (SHA-256 %s) to the peer's truststore.", subj,
                     n ? n->info.sha256 : "?");
            add(c->r, client ? "client_cert_untrusted" : "unknown_ca", TD_SEV_ERROR, node, fix,
                "the chain ends at the root %s, which the truststore does not hold (OpenSSL: %s)",
                node >= 0 ? who(c, node, w, sizeof w) : subj, ossl);
        } else if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
                   err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE) {
            char issuer[520] = "", aia[256] = "";
            if (v.e[i].cert) {
                X509_NAME_oneline(X509_get_issuer_name(v.e[i].cert), issuer, sizeof issuer);
                struct td_cert_info ci;
                td_x509_info(v.e[i].cert, &ci);
                snprintf(issuer, sizeof issuer, "%s", ci.issuer);
                td_cert_info_free(&ci);
                td_x509_aia_ca_issuers(v.e[i].cert, aia, sizeof aia);
            }
            bool is_leaf = node == (int)ch->nodes[0];
            const char *url = aia[0] ? aia : "";
            if (is_leaf) {
                snprintf(fix, sizeof fix,
                         "Add the intermediate %s%s%s to the chain the server sends (after the leaf); if it is a "
                         "root, add it to the peer's truststore instead.",
                         issuer, url[0] ? ", published at " : "", url);
                add(c->r, client ? "client_cert_untrusted" : "incomplete_chain", TD_SEV_ERROR, node, fix,
                    "the issuer of %s is neither in the files given nor in the truststore: %s (OpenSSL: %s)",
                    who(c, node, w, sizeof w), issuer, ossl);
            } else {
                snprintf(fix, sizeof fix, "Add %s (the issuer of %s%s%s) to the peer's truststore.", issuer,
                         subj, url[0] ? "; its certificate is published at " : "", url);
                add(c->r, client ? "client_cert_untrusted" : "unknown_ca", TD_SEV_ERROR, node, fix,
                    "%s is issued by %s, which the truststore does not hold (OpenSSL: %s)",
                    node >= 0 ? who(c, node, w, sizeof w) : subj, issuer, ossl);
            }
        } else if (err == X509_V_ERR_CERT_SIGNATURE_FAILURE) {
            add(c->r, "incorrect_chain", TD_SEV_ERROR, node,
                "Use the intermediate that really signed it (the CA may have re-keyed; download the current one).",
                "%s: %s (OpenSSL: %s)", node >= 0 ? who(c, node, w, sizeof w) : subj, plain(err), ossl);
        } else if (node < 0 && (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID)) {
            snprintf(fix, sizeof fix, "Update the truststore with the CA's current certificate for %s.", subj);
            add(c->r, err == X509_V_ERR_CERT_HAS_EXPIRED ? "expired_cert" : "not_yet_valid_cert", TD_SEV_ERROR, -1,
                fix, "the truststore's %s: %s (OpenSSL: %s)", subj, plain(err), ossl);
        } else {
            snprintf(w2, sizeof w2, "%s", node >= 0 ? who(c, node, w, sizeof w) : subj);
            add(c->r, client ? "client_cert_untrusted" : "untrusted", TD_SEV_ERROR, node,
                "Fix the certificate named, or the truststore, as the message says.", "%s: %s (OpenSSL error %d: %s)",
                w2, plain(err), err, ossl);
        }
        X509_free(v.e[i].cert);
        v.e[i].cert = NULL;
    }
    for (size_t i = 0; i < v.n; i++) {
        X509_free(v.e[i].cert);
    }
    if (ok) {
        add(c->r, "trusted", TD_SEV_INFO, (int)ch->nodes[0], "", "%s is trusted: the chain ends at %s, held by the truststore",
            who(c, (int)ch->nodes[0], w, sizeof w), c->r->anchor);
    }
    if (c->o->compare) {
        c->r->accepted = c->r->accepted && ok;
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    X509_STORE_free(st);
    ERR_clear_error();
}

/* No truststore: say what can be said of the top of the chain. */
static void check_top_without_trust(struct ctx *c, const struct td_cert_chain *ch)
{
    size_t top = ch->nodes[ch->len - 1];
    const struct td_entry *e = &c->s->e[c->entry_of[top]];
    const struct td_cert_node *n = &c->r->nodes[top];
    char w[600], fix[1400];
    if (self_signed(e)) {
        if (ch->len == 1 && !n->info.is_ca) {
            snprintf(fix, sizeof fix,
                     "Peers accept it only if they hold this very certificate (SHA-256 %s) in their truststore; "
                     "check with --ca TRUSTSTORE, or use a CA-issued certificate.",
                     n->info.sha256);
            add(c->r, c->o->purpose == TD_PURPOSE_CLIENT ? "client_cert_untrusted" : "self_signed", TD_SEV_WARNING,
                (int)top, fix, "%s is self-signed", who(c, (int)top, w, sizeof w));
        } else if (ch->len > 1) {
            add(c->r, "root_included", TD_SEV_INFO, (int)top,
                "Servers need not send the root: peers use their own copy (sending it costs bytes, nothing else).",
                "the chain includes its root %s", who(c, (int)top, w, sizeof w));
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
        add(c->r, c->o->purpose == TD_PURPOSE_CLIENT ? "client_cert_untrusted" : "incomplete_chain", TD_SEV_ERROR,
            (int)top, fix, "%s comes without its issuer %s: no intermediate certificate was given",
            who(c, (int)top, w, sizeof w), n->info.issuer);
    } else {
        add(c->r, "issuer_not_given", TD_SEV_INFO, (int)top,
            "If that issuer is a root, peers need it in their truststore; if it is an intermediate, the server "
            "must send it. Check with --ca TRUSTSTORE or --system-ca.",
            "the chain stops at %s; its issuer %s was not given (a root, normally)", who(c, (int)top, w, sizeof w),
            n->info.issuer);
    }
}

static void check_chain(struct ctx *c, const struct td_cert_chain *ch)
{
    int leaf_entry = c->entry_of[ch->nodes[0]];
    for (size_t i = 0; i < ch->len; i++) {
        int node = (int)ch->nodes[i];
        const struct td_entry *e = &c->s->e[c->entry_of[node]];
        check_validity(c, node, true, i == 0);
        check_crypto(c, node, self_signed(e));
        check_usage(c, node, i, i == 0);
    }
    if (c->o->host && c->o->host[0]) {
        check_name(c, (int)ch->nodes[0]);
    }
    check_order(c, ch, c->s->e[leaf_entry].group);
    check_keys(c, ch, leaf_entry);
    struct td_cert_node *top = &c->r->nodes[ch->nodes[ch->len - 1]];
    const struct td_entry *te = &c->s->e[c->entry_of[ch->nodes[ch->len - 1]]];
    for (size_t i = 0; c->o->ca && i < c->o->ca->n && strcmp(top->link, "missing") == 0; i++) {
        if (issues(&c->o->ca->e[i], te) == L_GOOD) {
            top->link = "anchor";
            snprintf(c->r->anchor, sizeof c->r->anchor, "%s", c->o->ca->e[i].info.subject);
        }
    }
    if (c->o->ca || c->o->system_ca) {
        check_trust(c, ch);
    } else {
        check_top_without_trust(c, ch);
    }
    if (c->s->e[leaf_entry].degraded) {
        add(c->r, "degraded_input", TD_SEV_INFO, (int)ch->nodes[0],
            "Give the PEM/DER certificates for signature, key and extension checks.",
            "certInfo JSON gives names and dates only: signatures, keys and extensions were not checked");
    }
}

/* Errors first, then warnings, then information; stable within each. */
static void sort_findings(struct td_cert_report *r)
{
    struct td_cert_finding *out = td_calloc(r->num_findings + 1, sizeof *out);
    size_t k = 0;
    for (int sev = TD_SEV_ERROR; sev >= TD_SEV_INFO; sev--) {
        for (size_t i = 0; i < r->num_findings; i++) {
            if ((int)r->findings[i].sev == sev) {
                out[k++] = r->findings[i];
            }
        }
    }
    free(r->findings);
    r->findings = out;
    r->cap_findings = r->num_findings + 1;
}

void td_cert_audit(const struct td_certset *s, const struct td_audit_opts *o, struct td_cert_report *r)
{
    td_memzero(r, sizeof *r);
    r->at = o->at;
    r->compare = o->compare;
    r->accepted = o->compare;
    size_t n = s->n;
    struct ctx c = {s, o, r, n, NULL, NULL, NULL, NULL, NULL};
    c.dup_of = td_calloc(n + 1, sizeof(int));
    c.parent = td_calloc(n + 1, sizeof(int));
    c.plink = td_calloc(n + 1, sizeof(enum link));
    c.node_of = td_calloc(n + 1, sizeof(int));
    c.entry_of = td_calloc(n + 1, sizeof(int));
    r->nodes = td_calloc(n + 1, sizeof *r->nodes);
    r->chains = td_calloc(n + 1, sizeof *r->chains);
    char w[600];
    for (size_t i = 0; i < n; i++) {
        c.dup_of[i] = -1;
        c.node_of[i] = -1;
        for (size_t j = 0; j < i && c.dup_of[i] < 0; j++) {
            if (c.dup_of[j] < 0 && s->e[i].info.sha256[0] && strcmp(s->e[i].info.sha256, s->e[j].info.sha256) == 0) {
                c.dup_of[i] = (int)j;
            }
        }
    }
    /* Each certificate's issuer among those given: a good signature first,
     * one from its own file before others. */
    for (size_t i = 0; i < n; i++) {
        c.parent[i] = -1;
        if (c.dup_of[i] >= 0 || self_signed(&s->e[i])) {
            continue;
        }
        int best = -1;
        enum link bl = L_NONE;
        for (size_t j = 0; j < n; j++) {
            if (c.dup_of[j] >= 0) {
                continue;
            }
            enum link l = issues(&s->e[j], &s->e[i]);
            if (l == L_NONE) {
                continue;
            }
            bool better = best < 0 || (l == L_GOOD && bl != L_GOOD) ||
                          (l == bl && s->e[j].group == s->e[i].group && s->e[best].group != s->e[i].group);
            if (better) {
                best = (int)j;
                bl = l;
            }
        }
        c.parent[i] = best;
        c.plink[i] = bl;
    }
    /* Leaves: end-entity certificates; failing those, CA certificates that
     * issue nothing given (an intermediate alone); failing those, a lone one. */
    for (int pass = 0; pass < 2 && r->num_chains == 0; pass++) {
        for (size_t i = 0; i < n; i++) {
            if (!is_leaf_candidate(&c, i, pass)) {
                continue;
            }
            struct td_cert_chain *ch = &r->chains[r->num_chains];
            size_t cur = i;
            ch->len = 0;
            for (;;) {
                const char *role = ch->len == 0 ? "leaf" : "intermediate";
                ch->nodes[ch->len] = (size_t)new_node(&c, cur, role, (int)r->num_chains);
                ch->len++;
                int p = c.parent[cur];
                bool seen = false;
                for (size_t k = 0; p >= 0 && k < ch->len; k++) {
                    seen = seen || c.entry_of[ch->nodes[k]] == p;
                }
                if (p < 0 || seen || ch->len == TD_CHAIN_MAX) {
                    break;
                }
                cur = (size_t)p;
            }
            r->num_chains++;
        }
    }
    size_t non_trusted = 0, lone = 0;
    for (size_t i = 0; i < n; i++) {
        if (c.dup_of[i] < 0 && !s->e[i].trusted_entry) {
            non_trusted++;
            lone = i;
        }
    }
    if (r->num_chains == 0 && non_trusted == 1) {
        struct td_cert_chain *ch = &r->chains[r->num_chains++];
        ch->nodes[0] = (size_t)new_node(&c, lone, "leaf", 0);
        ch->len = 1;
    }
    /* Roles and links along each chain. */
    for (size_t k = 0; k < r->num_chains; k++) {
        struct td_cert_chain *ch = &r->chains[k];
        for (size_t i = 0; i < ch->len; i++) {
            struct td_cert_node *nd = &r->nodes[ch->nodes[i]];
            size_t e = (size_t)c.entry_of[ch->nodes[i]];
            if (i + 1 < ch->len) {
                nd->issuer = (int)ch->nodes[i + 1];
                nd->link = c.plink[e] == L_GOOD ? "good" : "bad-signature";
            } else if (self_signed(&s->e[e])) {
                nd->link = "self-signed";
                if (i > 0) {
                    nd->role = "root";
                }
            } else {
                nd->link = c.parent[e] >= 0 ? "bad-signature" : "missing";
            }
        }
    }
    /* Everything else, in the order given. */
    for (size_t i = 0; i < n; i++) {
        if (c.dup_of[i] < 0 && c.node_of[i] < 0) {
            const struct td_entry *e = &s->e[i];
            new_node(&c, i, e->trusted_entry ? "trust anchor" : self_signed(e) && e->info.is_ca ? "root" : "other", -1);
        }
    }
    for (size_t k = 0; k < r->num_chains; k++) {
        check_chain(&c, &r->chains[k]);
        for (size_t i = 0; i + 1 < r->chains[k].len; i++) {
            size_t e = (size_t)c.entry_of[r->chains[k].nodes[i]];
            if (c.plink[e] == L_BADSIG) {
                add(r, "incorrect_chain", TD_SEV_ERROR, (int)r->chains[k].nodes[i],
                    "Use the intermediate that really signed it (the CA may have re-keyed; download the current one).",
                    "%s names %s as its issuer, but the signature does not verify with that certificate's key",
                    who(&c, (int)r->chains[k].nodes[i], w, sizeof w), r->nodes[r->chains[k].nodes[i + 1]].info.subject);
            }
        }
    }
    /* Certificates outside every chain: dates (warnings) and, when they came
     * with a chain file, that they do not belong. */
    for (size_t i = 0; i < r->num_nodes; i++) {
        if (r->nodes[i].chain < 0) {
            check_validity(&c, (int)i, false, false);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (c.dup_of[i] >= 0 && s->e[i].group == s->e[c.dup_of[i]].group && !s->e[i].trusted_entry) {
            int node = c.node_of[c.dup_of[i]];
            add(r, "duplicate", TD_SEV_WARNING, node, "Remove the second copy.", "%s is given twice in %s (%s)",
                who(&c, node, w, sizeof w), s->groups[s->e[i].group].name, s->e[i].origin);
        }
    }
    if (r->num_chains == 0 && n > 0) {
        add(r, "no_leaf", TD_SEV_INFO, -1, "",
            "no end-entity certificate among the %zu given: read as a truststore (each certificate listed)", r->num_nodes);
    }
    if (o->compare && r->num_chains == 0) {
        r->accepted = false;
        add(r, "no_leaf", TD_SEV_ERROR, -1, "Give the keystore that holds the key entry (its certificate chain).",
            "the keystore holds no end-entity certificate to present");
    }
    sort_findings(r);
    free(c.dup_of);
    free(c.parent);
    free(c.plink);
    free(c.node_of);
    free(c.entry_of);
}

void td_cert_report_free(struct td_cert_report *r)
{
    for (size_t i = 0; i < r->num_nodes; i++) {
        td_cert_info_free(&r->nodes[i].info);
    }
    free(r->nodes);
    free(r->findings);
    free(r->chains);
    td_memzero(r, sizeof *r);
}

size_t td_cert_report_count(const struct td_cert_report *r, enum td_sev sev)
{
    size_t n = 0;
    for (size_t i = 0; i < r->num_findings; i++) {
        n += r->findings[i].sev == sev;
    }
    return n;
}
