/* A client from configuration files: the base profile, then each client-side
 * setting in file order (versions from Protocol lists, https.protocols,
 * jdk.tls.client.protocols, ssl-min/max-ver, minus jdk.tls.disabledAlgorithms;
 * suites from Cipher lists, cipherSuites, cipher strings; SNI from
 * jsse.enableSNIExtension and proxy_ssl_server_name). */
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "config/client_config.h"
#include "config/internal.h"
#include "tls/names.h"

#include "base/banned.h"

static unsigned versions_in(const char *v)
{
    unsigned set = 0;
    for (size_t i = 0, n = strlen(v); i < n;) {
        size_t a = i + strspn(v + i, " ,:\t");
        size_t e = a + strcspn(v + a, " ,:\t");
        set |= td_conf_version_bit(v + a, e - a);
        i = e;
    }
    return set;
}

static void set_suites(struct td_client_plan *pl, const uint16_t *s, size_t n)
{
    size_t n12 = 0, n13 = 0;
    for (size_t i = 0; i < n; i++) {
        if (td_conf_suite_versions(s[i]) == TD_V_TLS13) {
            if (n13 < sizeof pl->suites13 / sizeof pl->suites13[0]) {
                pl->suites13[n13++] = s[i];
            }
        } else if (n12 < TD_PLAN_MAX_SUITES) {
            pl->suites[n12++] = s[i];
        }
    }
    pl->num_suites = n12;
    pl->num_suites13 = n13;
}

static void take(const struct td_conf_file **f, const struct td_conf_item **it, const struct td_conf_file *nf,
                 const struct td_conf_item *nit)
{
    if (!*it) {
        *f = nf;
        *it = nit;
    }
}

/* One client-side setting applied to the plan. */
static void apply(struct td_client_config *cc, const struct td_conf_file *f, const struct td_conf_item *it,
                  unsigned *listed, unsigned *off, uint16_t *suites, size_t *ns)
{
    struct td_client_plan *pl = &cc->plan;
    switch (it->key) {
    case TD_CK_PROTOCOL:
    case TD_CK_PROTOCOL_LIST:
        *listed |= versions_in(it->value);
        take(&cc->proto_file, &cc->proto_item, f, it);
        break;
    case TD_CK_MAX_VER:
    case TD_CK_MIN_VER: {
        unsigned b = versions_in(it->value);
        for (unsigned bit = 1; b && bit <= TD_V_TLS13; bit <<= 1) {
            if ((it->key == TD_CK_MAX_VER && bit > b) || (it->key == TD_CK_MIN_VER && bit < b)) {
                *off |= bit;
            }
        }
        take(&cc->proto_file, &cc->proto_item, f, it);
        break;
    }
    case TD_CK_DISABLED_ALGS:
        *off |= versions_in(it->value);
        take(&cc->proto_file, &cc->proto_item, f, it);
        break;
    case TD_CK_CIPHER:
    case TD_CK_CIPHER_LIST:
        for (size_t i = 0, n = strlen(it->value); i < n && *ns < TD_CONF_MAX_SUITES;) {
            size_t a = i + strspn(it->value + i, " ,\t[]|");
            size_t e = a + strcspn(it->value + a, " ,\t[]|");
            uint16_t s;
            if (e > a && td_conf_suite_by_name(it->value + a, e - a, &s)) {
                suites[(*ns)++] = s;
            }
            i = e;
        }
        take(&cc->cipher_file, &cc->cipher_item, f, it);
        break;
    case TD_CK_CIPHER_STRING: {
        char unknown[2];
        *ns = td_conf_cipher_string(it->value, suites, TD_CONF_MAX_SUITES, unknown, 0);
        for (size_t i = 0; i < pl->num_suites13 && *ns < TD_CONF_MAX_SUITES; i++) {
            suites[(*ns)++] = pl->suites13[i]; /* OpenSSL keeps its TLS 1.3 suites apart */
        }
        take(&cc->cipher_file, &cc->cipher_item, f, it);
        break;
    }
    case TD_CK_TRUSTSTORE:
        take(&cc->trust_file, &cc->trust_item, f, it);
        break;
    case TD_CK_SNI_ENABLED:
        if (td_conf_ieq(it->value, strlen(it->value), "false") || td_conf_ieq(it->value, strlen(it->value), "off")) {
            cc->sni_off = true;
            take(&cc->sni_file, &cc->sni_item, f, it);
        }
        break;
    default:
        break;
    }
}

static const struct td_client_profile *default_base(const struct td_conf_report *r)
{
    for (size_t i = 0; i < r->num_files; i++) {
        enum td_conf_kind k = r->files[i].kind;
        if (k == TD_CONF_XML || k == TD_CONF_PROPERTIES ||
            (k == TD_CONF_JSON && r->files[i].num_items && !strchr(r->files[i].items[0].name, '_'))) {
            return td_client_profile_find("java8");
        }
    }
    return td_client_profile_find("openssl-3.0");
}

bool td_client_config_build(const char *const *paths, size_t n, const char *base_name, struct td_client_config *cc,
                            char *err, size_t err_len)
{
    td_memzero(cc, sizeof *cc);
    struct td_conf_opts o = {0};
    td_config_lint(paths, n, &o, &cc->rep);
    cc->base = base_name ? td_client_profile_find(base_name) : default_base(&cc->rep);
    if (!cc->base) {
        snprintf(err, err_len, "no client profile named %s", base_name);
        return false;
    }
    if (!td_client_profile_plan(cc->base, &cc->plan, err, err_len)) {
        return false;
    }
    uint16_t suites[TD_CONF_MAX_SUITES];
    size_t ns = 0;
    unsigned listed = 0, off = 0;
    for (size_t i = 0; i < cc->rep.num_files; i++) {
        const struct td_conf_file *f = &cc->rep.files[i];
        if (!f->ok) {
            snprintf(err, err_len, "%s: %s", f->path, f->err);
            return false;
        }
        for (size_t k = 0; k < f->num_items; k++) {
            if (!f->items[k].server_side) {
                apply(cc, f, &f->items[k], &listed, &off, suites, &ns);
            }
        }
    }
    cc->plan.versions = (listed ? listed : cc->plan.versions) & ~off; /* a list replaces the base's */
    if (cc->cipher_item) {
        set_suites(&cc->plan, suites, ns);
    }
    return true;
}

void td_client_config_free(struct td_client_config *cc) { td_conf_report_free(&cc->rep); }

static const char *vlist(unsigned set, char *buf, size_t len)
{
    static const char *const names[] = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < 5; i++) {
        if ((set & (1u << i)) && o < len) {
            o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? " and " : "", names[i]);
        }
    }
    return buf;
}

void td_client_config_blame(const struct td_client_config *cc, enum td_blame what, unsigned server_versions,
                            uint16_t server_suite, struct td_conf_finding *out)
{
    td_memzero(out, sizeof *out);
    out->sev = TD_SEV_ERROR;
    const struct td_conf_file *f = what == TD_BLAME_PROTOCOLS ? cc->proto_file
                                   : what == TD_BLAME_CIPHERS ? cc->cipher_file
                                   : what == TD_BLAME_TRUST   ? cc->trust_file
                                                              : cc->sni_file;
    const struct td_conf_item *it = what == TD_BLAME_PROTOCOLS ? cc->proto_item
                                    : what == TD_BLAME_CIPHERS ? cc->cipher_item
                                    : what == TD_BLAME_TRUST   ? cc->trust_item
                                                               : cc->sni_item;
    if (what == TD_BLAME_NONE) {
        return; /* not a TLS setting's doing (no answer, a group mismatch): no line to name */
    }
    char vb[80], v[600], sb[32];
    if (!it) {
        snprintf(out->file, sizeof out->file, "(profile %s)", cc->base->name);
        snprintf(out->message, sizeof out->message, "the base profile's default, not a setting of these files");
        return;
    }
    td_strcopy(out->file, sizeof out->file, f->path);
    out->line = it->line;
    td_conf_show(f, it, NULL, out->element, sizeof out->element);
    if (what == TD_BLAME_PROTOCOLS) {
        snprintf(out->message, sizeof out->message, "the backend accepts only %s",
                 vlist(server_versions, vb, sizeof vb));
        unsigned best = server_versions & TD_V_TLS12 ? TD_V_TLS12 : server_versions & TD_V_TLS13 ? TD_V_TLS13 : 0;
        const char *nv = best == TD_V_TLS13 ? "TLSv1.3" : "TLSv1.2";
        if (it->key == TD_CK_DISABLED_ALGS) {
            snprintf(out->change, sizeof out->change, "remove %s from %s", nv, it->name);
        } else {
            td_conf_show(f, it, it->key == TD_CK_MAX_VER ? "TLSv1.3" : nv, v, sizeof v);
            snprintf(out->change, sizeof out->change, "replace with `%s`", v);
        }
    } else if (what == TD_BLAME_CIPHERS) {
        const char *sn = td_suite_str(server_suite, sb, sizeof sb);
        snprintf(out->message, sizeof out->message, "the backend accepts %s, which this list does not hold", sn);
        td_conf_show(f, it, sn, v, sizeof v);
        snprintf(out->change, sizeof out->change, "add `%s`", v);
    } else if (what == TD_BLAME_TRUST) {
        snprintf(out->message, sizeof out->message, "this truststore does not accept the backend's chain");
        snprintf(
            out->change, sizeof out->change,
            "import the backend's root into `%.200s` (keytool -importcert -trustcacerts -alias ROOT -file ROOT.pem "
            "-keystore %.200s; Apigee: upload it to that TrustStore)",
            it->value, it->value);
    } else {
        snprintf(out->message, sizeof out->message, "the backend requires SNI and this setting turns it off");
        td_conf_show(f, it, f->kind == TD_CONF_NGINX ? "on" : "true", v, sizeof v);
        snprintf(out->change, sizeof out->change, "write `%s`", v);
    }
}
