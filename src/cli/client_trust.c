/* The chain as each client judges it (cli/client_trust.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert/cert.h"
#include "cert/client_trust.h"
#include "cli/client_trust.h"
#include "config/profile_trust.h"

#include "base/mem.h"

#include "base/banned.h"

bool cli_trust_set_user(struct cli_trust *t, const char *path, const char *name, char *err, size_t err_len)
{
    struct td_certset *s = td_certset_new();
    err[0] = '\0';
    td_certset_add_password(s, "changeit"); /* Java's default store password */
    if (!td_certset_add_path(s, path, err, err_len) || td_certset_num_certs(s) == 0) {
        if (td_certset_num_certs(s) == 0 && !err[0]) {
            snprintf(err, err_len, "%s: no certificates could be loaded", path);
        }
        td_certset_free(s);
        return false;
    }
    td_certset_free(t->user);
    t->user = s;
    td_strcopy(t->user_name, sizeof t->user_name, name);
    return true;
}

void cli_host_of(const char *target, char *host, size_t len)
{
    td_strcopy(host, len, target[0] == '[' ? target + 1 : target);
    host[strcspn(host, target[0] == '[' ? "]" : ":")] = '\0';
}

/* The chain of this target with or without SNI, fetched once. */
static const struct td_certset *chain_of(struct cli_trust *t, const char *target, const char *host, bool sni,
                                         const struct td_probe_opts *po, struct td_client_outcome *oc)
{
    if (strcmp(t->target, target) != 0) {
        for (int i = 0; i < 2; i++) {
            td_certset_free(t->chain[i]);
            t->chain[i] = NULL;
            t->fetched[i] = false;
        }
        td_strcopy(t->target, sizeof t->target, target);
    }
    if (!t->fetched[sni]) {
        char err[300];
        t->chain[sni] = td_certset_new();
        t->fetched[sni] = true;
        (void)td_probe_fetch_chain(target, po, sni ? host : NULL, t->chain[sni], &oc->connections, err, sizeof err);
    }
    return t->chain[sni];
}

/* The store the profile uses: --trust, else its source's (Java's cacerts when readable). */
static void store_for(struct cli_trust *t, enum td_trust_source src, struct td_client_store *st)
{
    td_trust_store_words(src, &st->name, &st->add);
    st->set = NULL;
    st->user = t->user != NULL;
    if (t->user) {
        st->set = t->user;
        st->name = t->user_name;
        st->add = "PEM: append it; JKS or PKCS#12: keytool -importcert -trustcacerts -file ROOT.pem -keystore FILE";
        return;
    }
    if (src == TD_TRUST_JAVA && !t->java_tried) {
        char err[300];
        t->java_tried = true;
        t->java = td_certset_new();
        td_certset_add_password(t->java, "changeit");
        if (!td_certset_add_path(t->java, TD_JAVA_CACERTS, err, sizeof err) || td_certset_num_certs(t->java) == 0) {
            td_certset_free(t->java);
            t->java = NULL;
        }
    }
    if (src == TD_TRUST_JAVA && t->java) {
        st->set = t->java;
    } else if (src == TD_TRUST_JAVA) {
        td_trust_store_words(TD_TRUST_SYSTEM, &st->name, &st->add); /* no cacerts here: the system's roots */
        src = TD_TRUST_SYSTEM;
    }
    const char *file = getenv("SSL_CERT_FILE"), *dir = getenv("SSL_CERT_DIR");
    if (src == TD_TRUST_SYSTEM && ((file && *file) || (dir && *dir))) { /* OpenSSL's default paths follow them */
        snprintf(t->system_name, sizeof t->system_name, "the store %s names (%.300s)",
                 file && *file ? "SSL_CERT_FILE" : "SSL_CERT_DIR", file && *file ? file : dir);
        st->name = t->system_name;
    }
}

/* Only the leaf sent, its issuer in no store the client holds: a missing
 * intermediate and a root the client lacks look alike. When another known
 * store (this machine's, Java's cacerts) takes the same chain, the issuer is a
 * root there: unknown_ca for this client. Otherwise both possibilities, and
 * no claim to certainty. */
static void leaf_only(struct cli_trust *t, const struct td_certset *chain, const char *profile, const char *host,
                      const struct td_client_store *st, const struct td_client_rules *rules, struct td_trust_verdict *v)
{
    static const enum td_trust_source others[] = {TD_TRUST_SYSTEM, TD_TRUST_JAVA};
    char why[sizeof v->why];
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        struct cli_trust bare = *t; /* the same chain and cacerts, without --trust */
        struct td_client_store o;
        struct td_trust_verdict w;
        bare.user = NULL;
        store_for(&bare, others[i], &o);
        t->java = bare.java, t->java_tried = bare.java_tried;
        if (strcmp(o.name, st->name) == 0) {
            continue;
        }
        td_client_trust_judge(chain, profile, host, (int64_t)time(NULL), &o, rules, &w);
        if (w.checked && (w.ok || w.cause != TD_CAUSE_INCOMPLETE_CHAIN)) {
            snprintf(why, sizeof why, "%.300s; the issuer is a root of %.120s, not of the client's store", v->why,
                     o.name);
            td_strcopy(v->why, sizeof v->why, why);
            snprintf(v->fix, sizeof v->fix, "Add that root to %.200s (%.250s).", st->name, st->add);
            v->cause = TD_CAUSE_UNKNOWN_CA;
            return;
        }
    }
    t->ambiguous = true;
    snprintf(why, sizeof why,
             "%.330s; with only the leaf sent, a missing intermediate and a root this client lacks look alike "
             "(medium confidence: either is possible)",
             v->why);
    td_strcopy(v->why, sizeof v->why, why);
}

void cli_trust_judge(struct cli_trust *t, const char *target, const char *profile, bool sni,
                     const struct td_probe_opts *po, struct td_client_outcome *oc)
{
    enum td_trust_source src = TD_TRUST_SYSTEM;
    struct td_client_rules rules;
    t->ambiguous = false;
    if (!oc->connects || !td_profile_trust(profile, &src, &rules)) {
        return;
    }
    char host[256];
    cli_host_of(target, host, sizeof host);
    const struct td_certset *chain = chain_of(t, target, host, sni, po, oc);
    struct td_client_store st;
    store_for(t, src, &st);
    struct td_trust_verdict v;
    td_client_trust_judge(chain, profile, host, (int64_t)time(NULL), &st, &rules, &v);
    if (v.checked && !v.ok && v.cause == TD_CAUSE_INCOMPLETE_CHAIN && td_certset_num_certs(chain) == 1) {
        leaf_only(t, chain, profile, host, &st, &rules, &v);
    }
    if (v.checked && !v.ok) {
        oc->connects = false;
        oc->cause = v.cause;
        snprintf(oc->why, sizeof oc->why, "the handshake completes, but the chain fails: %.499s", v.why);
        td_strcopy(oc->fix, sizeof oc->fix, v.fix);
    }
}

const char *cli_trust_confidence(const struct cli_trust *t) { return t->ambiguous ? "medium" : NULL; }

const char *cli_trust_store_name(const struct cli_trust *t, const struct td_client_profile *p)
{
    return t->user ? t->user_name : p->trust;
}

void cli_trust_free(struct cli_trust *t)
{
    td_certset_free(t->user);
    td_certset_free(t->java);
    for (int i = 0; i < 2; i++) {
        td_certset_free(t->chain[i]);
    }
}
