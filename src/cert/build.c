/* tlsdiag cert, step 1: the chains built from whatever was given. Duplicates
 * set aside, each certificate's issuer among those given (a good signature
 * first, one from its own file before others), the leaves, the chains from
 * each leaf up, the role of each certificate and the state of each link. */
#include <ctype.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cert/internal.h"

#include "base/banned.h"

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

bool td_dn_eq(const char *a, const char *b)
{
    char x[512], y[512];
    norm_dn(a, x, sizeof x);
    norm_dn(b, y, sizeof y);
    return x[0] && strcmp(x, y) == 0;
}

/* Does p issue c? Names and key identifiers (X509_check_issued), then the
 * signature itself. certInfo entries only have names to go by. */
enum td_link td_issues(const struct td_entry *p, const struct td_entry *c)
{
    if (p == c) {
        return TD_LINK_NONE;
    }
    if (!p->x || !c->x) {
        return p->degraded && c->degraded && td_dn_eq(p->info.subject, c->info.issuer) ? TD_LINK_GOOD : TD_LINK_NONE;
    }
    int r = X509_check_issued(p->x, c->x);
    if (r != X509_V_OK && r != X509_V_ERR_KEYUSAGE_NO_CERTSIGN) {
        return TD_LINK_NONE;
    }
    EVP_PKEY *k = X509_get0_pubkey(p->x);
    int v = k ? X509_verify(c->x, k) : 0;
    ERR_clear_error();
    return v == 1 ? TD_LINK_GOOD : TD_LINK_BADSIG;
}

bool td_entry_self_signed(const struct td_entry *e)
{
    return e->degraded ? td_dn_eq(e->info.subject, e->info.issuer) : e->info.self_signed;
}

static void fill_ext(const struct td_entry *e, struct td_cert_node *n)
{
    if (!e->x) {
        td_strcopy(n->basic_constraints, sizeof n->basic_constraints, e->bc);
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
        } ku[] = {{KU_DIGITAL_SIGNATURE, "digitalSignature"},
                  {KU_NON_REPUDIATION, "nonRepudiation"},
                  {KU_KEY_ENCIPHERMENT, "keyEncipherment"},
                  {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
                  {KU_KEY_AGREEMENT, "keyAgreement"},
                  {KU_KEY_CERT_SIGN, "keyCertSign"},
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
            td_strcopy(name, sizeof name, OBJ_nid2sn(nid));
        } else {
            OBJ_obj2txt(name, sizeof name, obj, 1);
        }
        o += (size_t)snprintf(n->ext_key_usage + o, sizeof n->ext_key_usage - o, "%s%s", o ? ", " : "", name);
    }
    EXTENDED_KEY_USAGE_free(eku);
    td_x509_aia_ca_issuers(e->x, n->aia, sizeof n->aia);
}

int td_audit_new_node(struct td_audit *c, size_t e, const char *role, int chain)
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
    td_strcopy(n->origin, sizeof n->origin, en->origin);
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

static bool is_leaf_candidate(const struct td_audit *c, size_t i, int pass)
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
    if (e->info.is_ca && !td_entry_self_signed(e)) {
        for (size_t j = 0; j < c->n; j++) {
            if (c->dup_of[j] < 0 && c->parent[j] == (int)i) {
                return false;
            }
        }
        return true;
    }
    return false;
}

/* The same certificate (SHA-256) given again: only its first copy counts. */
static void find_duplicates(struct td_audit *c)
{
    const struct td_certset *s = c->s;
    size_t n = c->n;
    for (size_t i = 0; i < n; i++) {
        c->dup_of[i] = -1;
        c->node_of[i] = -1;
        for (size_t j = 0; j < i && c->dup_of[i] < 0; j++) {
            if (c->dup_of[j] < 0 && s->e[i].info.sha256[0] && strcmp(s->e[i].info.sha256, s->e[j].info.sha256) == 0) {
                c->dup_of[i] = (int)j;
            }
        }
    }
}

static void find_parents(struct td_audit *c)
{
    const struct td_certset *s = c->s;
    size_t n = c->n;
    /* Each certificate's issuer among those given: a good signature first,
     * one from its own file before others. */
    for (size_t i = 0; i < n; i++) {
        c->parent[i] = -1;
        if (c->dup_of[i] >= 0 || td_entry_self_signed(&s->e[i])) {
            continue;
        }
        int best = -1;
        enum td_link bl = TD_LINK_NONE;
        for (size_t j = 0; j < n; j++) {
            if (c->dup_of[j] >= 0) {
                continue;
            }
            enum td_link l = td_issues(&s->e[j], &s->e[i]);
            if (l == TD_LINK_NONE) {
                continue;
            }
            bool better = best < 0 || (l == TD_LINK_GOOD && bl != TD_LINK_GOOD) ||
                          (l == bl && s->e[j].group == s->e[i].group && s->e[best].group != s->e[i].group);
            if (better) {
                best = (int)j;
                bl = l;
            }
        }
        c->parent[i] = best;
        c->plink[i] = bl;
    }
}

static void build_chains(struct td_audit *c)
{
    const struct td_certset *s = c->s;
    size_t n = c->n;
    struct td_cert_report *r = c->r;
    /* Leaves: end-entity certificates; failing those, CA certificates that
     * issue nothing given (an intermediate alone); failing those, a lone one. */
    for (int pass = 0; pass < 2 && r->num_chains == 0; pass++) {
        for (size_t i = 0; i < n; i++) {
            if (!is_leaf_candidate(c, i, pass)) {
                continue;
            }
            struct td_cert_chain *ch = &r->chains[r->num_chains];
            size_t cur = i;
            ch->len = 0;
            for (;;) {
                const char *role = ch->len == 0 ? "leaf" : "intermediate";
                ch->nodes[ch->len] = (size_t)td_audit_new_node(c, cur, role, (int)r->num_chains);
                ch->len++;
                int p = c->parent[cur];
                bool seen = false;
                for (size_t k = 0; p >= 0 && k < ch->len; k++) {
                    seen = seen || c->entry_of[ch->nodes[k]] == p;
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
        if (c->dup_of[i] < 0 && !s->e[i].trusted_entry) {
            non_trusted++;
            lone = i;
        }
    }
    if (r->num_chains == 0 && non_trusted == 1) {
        struct td_cert_chain *ch = &r->chains[r->num_chains++];
        ch->nodes[0] = (size_t)td_audit_new_node(c, lone, "leaf", 0);
        ch->len = 1;
    }
}

static void set_links(struct td_audit *c)
{
    const struct td_certset *s = c->s;
    struct td_cert_report *r = c->r;
    /* Roles and links along each chain. */
    for (size_t k = 0; k < r->num_chains; k++) {
        struct td_cert_chain *ch = &r->chains[k];
        for (size_t i = 0; i < ch->len; i++) {
            struct td_cert_node *nd = &r->nodes[ch->nodes[i]];
            size_t e = (size_t)c->entry_of[ch->nodes[i]];
            if (i + 1 < ch->len) {
                nd->issuer = (int)ch->nodes[i + 1];
                nd->link = c->plink[e] == TD_LINK_GOOD ? "good" : "bad-signature";
            } else if (td_entry_self_signed(&s->e[e])) {
                nd->link = "self-signed";
                if (i > 0) {
                    nd->role = "root";
                }
            } else {
                nd->link = c->parent[e] >= 0 ? "bad-signature" : "missing";
            }
        }
    }
}

static void add_others(struct td_audit *c)
{
    const struct td_certset *s = c->s;
    size_t n = c->n;
    /* Everything else, in the order given. */
    for (size_t i = 0; i < n; i++) {
        if (c->dup_of[i] < 0 && c->node_of[i] < 0) {
            const struct td_entry *e = &s->e[i];
            td_audit_new_node(c, i,
                              e->trusted_entry                           ? "trust anchor"
                              : td_entry_self_signed(e) && e->info.is_ca ? "root"
                                                                         : "other",
                              -1);
        }
    }
}

void td_audit_build(struct td_audit *c)
{
    find_duplicates(c);
    find_parents(c);
    build_chains(c);
    set_links(c);
    add_others(c);
}
