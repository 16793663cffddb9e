/* The stores a configuration names, checked when given on the command line:
 * does the truststore (--ca: JKS, PKCS#12, PEM, certInfo JSON) hold the
 * issuer of the backend's chain (--chain)? Are the keystore's (--keystore)
 * certificates within their validity, with the extended key usage the side
 * needs, under the alias the configuration names? Read with cert/'s loaders
 * and audit; the issuer is looked for by name, so that a certInfo export
 * (names and dates only) answers too. */
#include <stdio.h>
#include <string.h>

#include "cert/audit.h"
#include "config/internal.h"

#include "base/mem.h"

#include "base/banned.h"

struct where {
    const struct td_conf_file *f;
    const struct td_conf_item *it;
};

/* The first item with key k in any file (its file too). */
static struct where first_item(const struct td_conf_report *r, enum td_conf_key k)
{
    struct where w = {0};
    for (size_t i = 0; i < r->num_files && !w.it; i++) {
        for (size_t j = 0; j < r->files[i].num_items && !w.it; j++) {
            if (r->files[i].items[j].key == k) {
                w.f = &r->files[i];
                w.it = &r->files[i].items[j];
            }
        }
    }
    return w;
}

static struct td_conf_finding *at(struct td_conf_report *r, enum td_cause cause, struct where w, const char *opt,
                                  const char *path)
{
    struct td_conf_finding *fd = td_conf_add_finding(r, cause, TD_SEV_ERROR, w.f, w.it);
    if (!w.it) {
        td_strcopy(fd->file, sizeof fd->file, path);
        snprintf(fd->element, sizeof fd->element, "%s %s", opt, path);
    }
    return fd;
}

static struct td_certset *load(struct td_conf_report *r, const struct td_conf_opts *o, const char *opt,
                               const char *path)
{
    struct td_certset *s = td_certset_new();
    for (size_t i = 0; i < o->num_passwords; i++) {
        td_certset_add_password(s, o->passwords[i]);
    }
    char err[700];
    if (!td_certset_add_path(s, path, err, sizeof err)) {
        struct where none = {0};
        struct td_conf_finding *fd = at(r, TD_CAUSE_CONFIG_FILE_ERROR, none, opt, path);
        td_strcopy(fd->message, sizeof fd->message, err);
        snprintf(fd->change, sizeof fd->change, "%s",
                 strstr(err, "password") ? "give the store's password with --password-file FILE"
                                         : "give a JKS, PKCS#12, PEM or certInfo JSON file");
        r->input_errors++;
        td_certset_free(s);
        return NULL;
    }
    return s;
}

static bool holds_subject(const struct td_cert_report *ca, const char *name)
{
    for (size_t i = 0; name[0] && i < ca->num_nodes; i++) {
        if (strcmp(ca->nodes[i].info.subject, name) == 0) {
            return true;
        }
    }
    return false;
}

static void check_trust(struct td_conf_report *r, const struct td_conf_opts *o)
{
    struct td_certset *chain = load(r, o, "--chain", o->chain), *ca = load(r, o, "--ca", o->ca);
    if (chain && ca) {
        struct td_audit_opts ao = {.at = o->at, .purpose = TD_PURPOSE_SERVER, .warn_days = 0};
        struct td_cert_report cr, tr;
        td_cert_audit(ca, &ao, &tr);
        ao.ca = ca;
        td_cert_audit(chain, &ao, &cr);
        if (cr.num_chains > 0) {
            const struct td_cert_chain *ch = &cr.chains[0];
            const struct td_cert_node *top = &cr.nodes[ch->nodes[ch->len - 1]];
            bool held = cr.anchor[0] || holds_subject(&tr, top->info.issuer) || holds_subject(&tr, top->info.subject);
            if (!held) {
                struct td_conf_finding *fd = at(r, TD_CAUSE_CONFIG_TRUSTSTORE_MISSING_ISSUER,
                                                first_item(r, TD_CK_TRUSTSTORE), "--ca", o->ca);
                snprintf(fd->message, sizeof fd->message,
                         "the truststore %s (%zu certificates) does not hold %s, the issuer of the backend's chain "
                         "(%s): the handshake fails with unknown_ca",
                         o->ca, tr.num_nodes, top->info.issuer, cr.nodes[ch->nodes[0]].info.subject);
                snprintf(fd->change, sizeof fd->change,
                         "import the certificate of %s into the truststore this setting names", top->info.issuer);
            }
        }
        td_cert_report_free(&cr);
        td_cert_report_free(&tr);
    }
    td_certset_free(chain);
    td_certset_free(ca);
}

static bool alias_in(const struct td_cert_report *kr, const char *alias)
{
    size_t n = strlen(alias);
    for (size_t i = 0; i < kr->num_nodes; i++) {
        const char *p = strchr(kr->nodes[i].origin, ':');
        if (p && td_conf_ieq(p + 1, strcspn(p + 1, "#"), alias) && n > 0) {
            return true;
        }
    }
    return false;
}

static void check_leaf(struct td_conf_report *r, const struct td_conf_opts *o, const struct td_cert_node *n,
                       bool client, struct where w)
{
    if (n->info.not_after_epoch && n->info.not_after_epoch < o->at) {
        struct td_conf_finding *fd = at(r, TD_CAUSE_CONFIG_KEYSTORE_CERT_EXPIRED, w, "--keystore", o->keystore);
        snprintf(fd->message, sizeof fd->message, "the keystore's certificate %s (%s) expired on %s", n->info.subject,
                 n->origin, n->info.not_after);
        snprintf(fd->change, sizeof fd->change,
                 "import a renewed certificate for %s, with its chain, under the same alias", n->info.subject);
    }
    const char *need = client ? "clientAuth" : "serverAuth";
    if (n->ext_key_usage[0] && !strstr(n->ext_key_usage, need) && !strstr(n->ext_key_usage, "anyExtendedKeyUsage")) {
        struct td_conf_finding *fd = at(r, TD_CAUSE_CONFIG_KEYSTORE_WRONG_USAGE, w, "--keystore", o->keystore);
        snprintf(fd->message, sizeof fd->message,
                 "the keystore's certificate %s allows %s only, not %s: the %s refuses it", n->info.subject,
                 n->ext_key_usage, need, client ? "backend" : "client");
        snprintf(fd->change, sizeof fd->change, "reissue it with extendedKeyUsage %s", need);
    }
}

static void check_keystore(struct td_conf_report *r, const struct td_conf_opts *o)
{
    struct td_certset *ks = load(r, o, "--keystore", o->keystore);
    if (!ks) {
        return;
    }
    struct where w = first_item(r, TD_CK_KEYSTORE);
    bool client = !(w.it && w.it->server_side);
    struct td_audit_opts ao = {.at = o->at, .purpose = client ? TD_PURPOSE_CLIENT : TD_PURPOSE_SERVER};
    struct td_cert_report kr;
    td_cert_audit(ks, &ao, &kr);
    for (size_t i = 0; i < kr.num_chains; i++) {
        check_leaf(r, o, &kr.nodes[kr.chains[i].nodes[0]], client, w);
    }
    struct where a = first_item(r, TD_CK_KEYALIAS);
    if (a.it && a.it->value[0] && !alias_in(&kr, a.it->value)) {
        struct td_conf_finding *fd = at(r, TD_CAUSE_CONFIG_KEYSTORE_NO_ALIAS, a, "--keystore", o->keystore);
        snprintf(fd->message, sizeof fd->message, "the keystore %s holds no entry named '%s'", o->keystore,
                 a.it->value);
        snprintf(fd->change, sizeof fd->change, "name an alias the keystore holds (keytool -list -keystore %s)",
                 o->keystore);
    }
    td_cert_report_free(&kr);
    td_certset_free(ks);
}

void td_conf_lint_stores(struct td_conf_report *r, const struct td_conf_opts *o)
{
    if (o->chain && o->ca) {
        check_trust(r, o);
    }
    if (o->keystore) {
        check_keystore(r, o);
    }
}
