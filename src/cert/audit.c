/* tlsdiag cert: the audit of a certificate set. build.c builds the chains,
 * checks.c and trust.c check them; this file runs the steps in order, adds
 * the findings about the set as a whole and sorts them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cert/internal.h"

#include "base/banned.h"

struct td_cert_finding *td_audit_add(struct td_cert_report *r, enum td_cause cause, enum td_sev sev, int cert,
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
    td_strcopy(f->resolution, sizeof f->resolution, fix);
    return f;
}

const char *td_audit_who(const struct td_audit *c, int node, char *buf, size_t cap)
{
    if (node < 0) {
        snprintf(buf, cap, "the set");
    } else {
        snprintf(buf, cap, "[%d] %s", node,
                 c->r->nodes[node].info.subject[0] ? c->r->nodes[node].info.subject : "(no subject)");
    }
    return buf;
}

static void check_chain(struct td_audit *c, const struct td_cert_chain *ch)
{
    int leaf_entry = c->entry_of[ch->nodes[0]];
    for (size_t i = 0; i < ch->len; i++) {
        int node = (int)ch->nodes[i];
        const struct td_entry *e = &c->s->e[c->entry_of[node]];
        td_check_validity(c, node, true, i == 0);
        td_check_crypto(c, node, td_entry_self_signed(e));
        td_check_usage(c, node, i, i == 0);
    }
    td_check_inspection(c, ch);
    if (c->o->host && c->o->host[0]) {
        td_check_name(c, (int)ch->nodes[0]);
    }
    td_check_order(c, ch, c->s->e[leaf_entry].group);
    td_check_keys(c, ch, leaf_entry);
    struct td_cert_node *top = &c->r->nodes[ch->nodes[ch->len - 1]];
    const struct td_entry *te = &c->s->e[c->entry_of[ch->nodes[ch->len - 1]]];
    for (size_t i = 0; c->o->ca && i < c->o->ca->n && strcmp(top->link, "missing") == 0; i++) {
        if (td_issues(&c->o->ca->e[i], te) == TD_LINK_GOOD) {
            top->link = "anchor";
            td_strcopy(c->r->anchor, sizeof c->r->anchor, c->o->ca->e[i].info.subject);
        }
    }
    if (c->o->ca || c->o->system_ca) {
        td_check_trust(c, ch);
    } else {
        td_check_top_without_trust(c, ch);
    }
    if (c->s->e[leaf_entry].degraded) {
        td_audit_add(c->r, TD_CAUSE_DEGRADED_INPUT, TD_SEV_INFO, (int)ch->nodes[0],
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

void td_audit_begin(struct td_audit *c, const struct td_certset *s, const struct td_audit_opts *o,
                    struct td_cert_report *r)
{
    td_memzero(r, sizeof *r);
    r->at = o->at;
    r->compare = o->compare;
    r->accepted = o->compare;
    size_t n = s->n;
    *c = (struct td_audit){s, o, r, n, NULL, NULL, NULL, NULL, NULL};
    c->dup_of = td_calloc(n + 1, sizeof(int));
    c->parent = td_calloc(n + 1, sizeof(int));
    c->plink = td_calloc(n + 1, sizeof(enum td_link));
    c->node_of = td_calloc(n + 1, sizeof(int));
    c->entry_of = td_calloc(n + 1, sizeof(int));
    r->nodes = td_calloc(n + 1, sizeof *r->nodes);
    r->chains = td_calloc(n + 1, sizeof *r->chains);
    td_audit_build(c);
}

void td_audit_end(struct td_audit *c)
{
    free(c->dup_of);
    free(c->parent);
    free(c->plink);
    free(c->node_of);
    free(c->entry_of);
    td_memzero(c, sizeof *c);
}

/* A link whose signature does not verify with the issuer's key. */
static void check_links(struct td_audit *c, const struct td_cert_chain *ch)
{
    char w[600];
    for (size_t i = 0; i + 1 < ch->len; i++) {
        size_t e = (size_t)c->entry_of[ch->nodes[i]];
        if (c->plink[e] == TD_LINK_BADSIG) {
            td_audit_add(
                c->r, TD_CAUSE_INCORRECT_CHAIN, TD_SEV_ERROR, (int)ch->nodes[i],
                "Use the intermediate that really signed it (the CA may have re-keyed; download the current one).",
                "%s names %s as its issuer, but the signature does not verify with that certificate's key",
                td_audit_who(c, (int)ch->nodes[i], w, sizeof w), c->r->nodes[ch->nodes[i + 1]].info.subject);
        }
    }
}

/* What is said of the set as a whole, after the chains. */
static void check_set(struct td_audit *c)
{
    const struct td_certset *s = c->s;
    const struct td_audit_opts *o = c->o;
    struct td_cert_report *r = c->r;
    size_t n = c->n;
    char w[600];
    /* Certificates outside every chain: dates (warnings) and, when they came
     * with a chain file, that they do not belong. */
    for (size_t i = 0; i < r->num_nodes; i++) {
        if (r->nodes[i].chain < 0) {
            td_check_validity(c, (int)i, false, false);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (c->dup_of[i] >= 0 && s->e[i].group == s->e[c->dup_of[i]].group && !s->e[i].trusted_entry) {
            int node = c->node_of[c->dup_of[i]];
            td_audit_add(r, TD_CAUSE_DUPLICATE, TD_SEV_WARNING, node, "Remove the second copy.",
                         "%s is given twice in %s (%s)", td_audit_who(c, node, w, sizeof w),
                         s->groups[s->e[i].group].name, s->e[i].origin);
        }
    }
    if (r->num_chains == 0 && n > 0) {
        td_audit_add(r, TD_CAUSE_NO_LEAF, TD_SEV_INFO, -1, "",
                     "no end-entity certificate among the %zu given: read as a truststore (each certificate listed)",
                     r->num_nodes);
    }
    if (o->compare && r->num_chains == 0) {
        r->accepted = false;
        td_audit_add(r, TD_CAUSE_NO_LEAF, TD_SEV_ERROR, -1,
                     "Give the keystore that holds the key entry (its certificate chain).",
                     "the keystore holds no end-entity certificate to present");
    }
}

void td_cert_audit(const struct td_certset *s, const struct td_audit_opts *o, struct td_cert_report *r)
{
    struct td_audit c;
    td_audit_begin(&c, s, o, r);
    for (size_t k = 0; k < r->num_chains; k++) {
        check_chain(&c, &r->chains[k]);
        check_links(&c, &r->chains[k]);
    }
    check_set(&c);
    sort_findings(r);
    td_audit_end(&c);
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
