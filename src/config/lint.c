/* The offline lint of one file's settings, block by block: obsolete-only
 * protocol lists, cipher lists with nothing the versions can use, unknown
 * names, SNI turned off, validation turned off, a keystore without its alias.
 * Each finding names the file, the line, the setting as written and the
 * setting to write instead, in the file's own syntax. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "config/internal.h"

#include "base/banned.h"

#define MODERN (TD_V_TLS12 | TD_V_TLS13)

struct td_conf_finding *td_conf_add_finding(struct td_conf_report *r, enum td_cause cause, enum td_sev sev,
                                            const struct td_conf_file *f, const struct td_conf_item *it)
{
    if (r->num_findings == r->cap_findings) {
        r->cap_findings = r->cap_findings ? r->cap_findings * 2 : 16;
        r->findings = td_realloc(r->findings, r->cap_findings * sizeof *r->findings);
    }
    struct td_conf_finding *fd = &r->findings[r->num_findings++];
    td_memzero(fd, sizeof *fd);
    fd->cause = cause;
    fd->sev = sev;
    td_strcopy(fd->file, sizeof fd->file, f ? f->path : "");
    if (it) {
        fd->line = it->line;
        td_conf_show(f, it, NULL, fd->element, sizeof fd->element);
    }
    return fd;
}

static bool is_list_key(const struct td_conf_item *it)
{
    return it->key == TD_CK_PROTOCOL || it->key == TD_CK_CIPHER || it->key == TD_CK_GROUPS;
}

void td_conf_show(const struct td_conf_file *f, const struct td_conf_item *it, const char *v, char *out, size_t len)
{
    const char *val = v ? v : it->value;
    switch (f->kind) {
    case TD_CONF_XML:
        snprintf(out, len, "<%s>%s</%s>", it->name, val, it->name);
        break;
    case TD_CONF_JSON:
        snprintf(out, len, is_list_key(it) ? "\"%s\": [\"%s\"]" : "\"%s\": \"%s\"", it->name, val);
        break;
    case TD_CONF_YAML:
        snprintf(out, len, is_list_key(it) ? "%s: [%s]" : "%s: %s", it->name, val);
        break;
    case TD_CONF_PROPERTIES:
        snprintf(out, len, "%s=%s", it->name, val);
        break;
    case TD_CONF_NGINX:
        snprintf(out, len, "%s %s;", it->name, val);
        break;
    default:
        snprintf(out, len, "%s%s%s", it->name, val[0] ? " " : "", val);
        break;
    }
}

/* The items with key k in group g, else in its nearest ancestor that has any. */
static size_t find(const struct td_conf_file *f, int g, enum td_conf_key k, bool server,
                   const struct td_conf_item **out, size_t cap)
{
    for (int depth = 0; g >= 0 && depth < 64; depth++) {
        size_t n = 0;
        for (size_t i = 0; i < f->num_items; i++) {
            const struct td_conf_item *it = &f->items[i];
            if (it->group == g && it->key == k && it->server_side == server && n < cap) {
                out[n++] = it;
            }
        }
        if (n) {
            return n;
        }
        g = f->groups[g].parent;
    }
    return 0;
}

static const struct td_conf_item *find1(const struct td_conf_file *f, int g, enum td_conf_key k, bool server)
{
    const struct td_conf_item *it = NULL;
    return find(f, g, k, server, &it, 1) ? it : NULL;
}

static bool truthy(const char *v)
{
    return td_conf_ieq(v, strlen(v), "true") || td_conf_ieq(v, strlen(v), "on") || td_conf_ieq(v, strlen(v), "yes");
}

static bool falsy(const char *v)
{
    return td_conf_ieq(v, strlen(v), "false") || td_conf_ieq(v, strlen(v), "off") || td_conf_ieq(v, strlen(v), "no") ||
           td_conf_ieq(v, strlen(v), "none");
}

static const char *version_list(unsigned set, char *buf, size_t len)
{
    static const char *const names[] = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < 5; i++) {
        if ((set & (1u << i)) && o < len) {
            o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "", names[i]);
        }
    }
    return buf;
}

static void unknown_name(struct td_conf_report *r, const struct td_conf_file *f, const struct td_conf_item *it,
                         const char *what, const char *name, size_t n)
{
    struct td_conf_finding *fd = td_conf_add_finding(r, TD_CAUSE_CONFIG_UNKNOWN_NAME, TD_SEV_ERROR, f, it);
    snprintf(fd->message, sizeof fd->message,
             "'%.*s' is no %s name tlsdiag knows: the stack will refuse it or "
             "ignore it",
             (int)n, name, what);
    snprintf(fd->change, sizeof fd->change, "%s",
             strcmp(what, "TLS version") == 0 ? "write the version as TLSv1.2 or TLSv1.3 (Envoy: TLSv1_2, TLSv1_3)"
                                              : "write an IANA (Java) or OpenSSL suite name: "
                                                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or ECDHE-RSA-AES128-GCM-SHA256");
    r->input_errors++;
}

/* Each word of a list value (separators: blank, comma, colon). */
static unsigned versions_of(struct td_conf_report *r, const struct td_conf_file *f, const struct td_conf_item *it)
{
    unsigned set = 0;
    const char *v = it->value;
    size_t i = 0, n = strlen(v);
    while (i < n) {
        while (i < n && strchr(" ,:\t", v[i])) {
            i++;
        }
        size_t a = i;
        while (i < n && !strchr(" ,:\t", v[i])) {
            i++;
        }
        if (a == i) {
            break;
        }
        unsigned b = td_conf_version_bit(v + a, i - a);
        if (!b && r && !td_conf_ieq(v + a, i - a, "TLS_AUTO")) {
            unknown_name(r, f, it, "TLS version", v + a, i - a);
        }
        set |= b;
    }
    return set;
}

/* Versions from min/max (HAProxy, Envoy): the range, open ends TLS 1.0 .. 1.3. */
static unsigned range_of(struct td_conf_report *r, const struct td_conf_file *f, const struct td_conf_item *lo,
                         const struct td_conf_item *hi)
{
    unsigned a = lo ? versions_of(r, f, lo) : TD_V_TLS10, b = hi ? versions_of(r, f, hi) : TD_V_TLS13;
    a = a ? a & -a : TD_V_TLS10;
    b = b ? b : TD_V_TLS13;
    unsigned set = 0;
    for (unsigned bit = a; bit <= TD_V_TLS13; bit <<= 1) {
        if (bit <= b) {
            set |= bit;
        }
    }
    return set;
}

/* A finding, unless the same cause was already said about the same line
 * (blocks inherit their parents' settings, so a parent's line is seen again). */
static struct td_conf_finding *once(struct td_conf_report *r, enum td_cause cause, enum td_sev sev,
                                    const struct td_conf_file *f, const struct td_conf_item *it)
{
    for (size_t i = 0; i < r->num_findings; i++) {
        const struct td_conf_finding *o = &r->findings[i];
        if (o->cause == cause && o->line == (it ? it->line : 0) && strcmp(o->file, f->path) == 0) {
            return NULL;
        }
    }
    return td_conf_add_finding(r, cause, sev, f, it);
}

struct pset {
    unsigned set;
    bool configured;
    const struct td_conf_item *first; /* where to say it */
    bool from_max;                    /* a min/max range ending below TLS 1.2 */
};

static struct pset protocols(const struct td_conf_file *f, int g, bool server)
{
    struct pset p = {.set = MODERN};
    const struct td_conf_item *it[64];
    size_t n = find(f, g, TD_CK_PROTOCOL, server, it, 64);
    if (!n) {
        n = find(f, g, TD_CK_PROTOCOL_LIST, server, it, 64);
    }
    if (n) {
        p.set = 0;
        for (size_t i = 0; i < n; i++) {
            p.set |= versions_of(NULL, f, it[i]);
        }
        p.configured = true;
        p.first = it[0];
    } else {
        const struct td_conf_item *lo = find1(f, g, TD_CK_MIN_VER, server), *hi = find1(f, g, TD_CK_MAX_VER, server);
        if (lo || hi) {
            p.set = range_of(NULL, f, lo, hi);
            p.configured = true;
            p.first = hi ? hi : lo;
            p.from_max = hi != NULL;
        }
    }
    const struct td_conf_item *dis = find1(f, g, TD_CK_DISABLED_ALGS, server);
    if (dis) {
        unsigned off = 0;
        char words[TD_CONF_VALUE_MAX];
        td_strcopy(words, sizeof words, dis->value);
        for (char *save = NULL, *w = strtok_r(words, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
            off |= td_conf_version_bit(w, strlen(w));
        }
        unsigned before = p.set;
        p.set &= ~off;
        if ((before & MODERN) && !(p.set & MODERN)) {
            p.first = dis;
            p.configured = true;
        }
    }
    return p;
}

static const char *modern_value(const struct td_conf_file *f, const struct td_conf_item *it)
{
    bool envoy = f->kind == TD_CONF_YAML || (f->kind == TD_CONF_JSON && strchr(it->name, '_'));
    if (it->key == TD_CK_MAX_VER) {
        return envoy ? "TLSv1_3" : "TLSv1.3";
    }
    if (it->key == TD_CK_MIN_VER) {
        return envoy ? "TLSv1_2" : "TLSv1.2";
    }
    if (it->key == TD_CK_PROTOCOL_LIST) {
        return f->kind == TD_CONF_NGINX ? "TLSv1.2 TLSv1.3" : "TLSv1.2";
    }
    return "TLSv1.2";
}

static void check_protocols(struct td_conf_report *r, const struct td_conf_file *f, const struct pset *p)
{
    if (!p->configured || (p->set & MODERN) || !p->first) {
        return;
    }
    char list[80], v[600];
    struct td_conf_finding *fd = once(r, TD_CAUSE_CONFIG_PROTOCOLS_OBSOLETE, TD_SEV_ERROR, f, p->first);
    if (!fd) {
        return;
    }
    if (p->first->key == TD_CK_DISABLED_ALGS) {
        snprintf(fd->message, sizeof fd->message,
                 "disables TLSv1.2 and TLSv1.3, leaving %s, which no modern server "
                 "accepts",
                 p->set ? version_list(p->set, list, sizeof list) : "no version at all");
        snprintf(fd->change, sizeof fd->change, "remove TLSv1.2 (and TLSv1.3) from %s", p->first->name);
        return;
    }
    snprintf(fd->message, sizeof fd->message,
             "the versions allowed are %s only: no modern server accepts them "
             "(they require TLS 1.2 or 1.3)",
             p->set ? version_list(p->set, list, sizeof list) : "none");
    td_conf_show(f, p->first, modern_value(f, p->first), v, sizeof v);
    snprintf(fd->change, sizeof fd->change, "replace with `%s`", v);
}

/* The suites a list names, into out (unknown names are the per-item pass's). */
static size_t names_to_suites(const char *v, const char *seps, uint16_t *out, size_t num, size_t cap)
{
    size_t i = 0, n = strlen(v);
    while (i < n) {
        while (i < n && strchr(seps, v[i])) {
            i++;
        }
        size_t a = i;
        while (i < n && !strchr(seps, v[i])) {
            i++;
        }
        uint16_t s;
        if (a < i && num < cap && td_conf_suite_by_name(v + a, i - a, &s)) {
            out[num++] = s;
        }
    }
    return num;
}

#define LIST_SEPS " ,\t[]|"

struct cset {
    uint16_t s[TD_CONF_MAX_SUITES];
    size_t n;
    bool configured;
    const struct td_conf_item *first;
    bool tls13_configured; /* OpenSSL's separate TLS 1.3 list */
    size_t n13;
};

static void ciphers(const struct td_conf_file *f, int g, bool server, struct cset *c)
{
    const struct td_conf_item *it[256];
    size_t n = find(f, g, TD_CK_CIPHER, server, it, 256);
    for (size_t i = 0; i < n; i++) {
        c->n = names_to_suites(it[i]->value, LIST_SEPS, c->s, c->n, TD_CONF_MAX_SUITES);
    }
    if (!n && (n = find(f, g, TD_CK_CIPHER_LIST, server, it, 1)) > 0) {
        c->n = names_to_suites(it[0]->value, LIST_SEPS, c->s, c->n, TD_CONF_MAX_SUITES);
    }
    if (!n && (n = find(f, g, TD_CK_CIPHER_STRING, server, it, 1)) > 0) {
        char unknown[2];
        c->n = td_conf_cipher_string(it[0]->value, c->s, TD_CONF_MAX_SUITES, unknown, 0);
    }
    c->configured = n > 0;
    c->first = n ? it[0] : NULL;
    const struct td_conf_item *t13 = find1(f, g, TD_CK_TLS13_SUITES, server);
    if (t13) {
        uint16_t tmp[64];
        c->tls13_configured = true;
        c->n13 = names_to_suites(t13->value, ":, \t", tmp, 0, 64);
    }
}

static void check_ciphers(struct td_conf_report *r, const struct td_conf_file *f, const struct pset *p,
                          const struct cset *c)
{
    if (!c->configured) {
        return;
    }
    bool openssl = f->kind == TD_CONF_NGINX || f->kind == TD_CONF_HAPROXY || f->kind == TD_CONF_YAML ||
                   (f->kind == TD_CONF_JSON && strchr(c->first->name, '_'));
    bool usable = false;
    for (size_t i = 0; i < c->n; i++) {
        usable = usable || (td_conf_suite_versions(c->s[i]) & p->set) != 0;
    }
    if (openssl && (p->set & TD_V_TLS13) && (!c->tls13_configured || c->n13 > 0)) {
        usable = true; /* OpenSSL and BoringSSL keep their TLS 1.3 suites apart from this list */
    }
    if (usable) {
        return;
    }
    struct td_conf_finding *fd = once(r, TD_CAUSE_CONFIG_NO_USABLE_CIPHER, TD_SEV_ERROR, f, c->first);
    if (!fd) {
        return;
    }
    char list[80], v[600];
    snprintf(fd->message, sizeof fd->message, "none of the %zu suite%s selected can be negotiated with %s", c->n,
             c->n == 1 ? "" : "s", p->set ? version_list(p->set, list, sizeof list) : "no version");
    const char *add = (p->set & TD_V_TLS12)
                          ? (openssl ? "ECDHE-RSA-AES128-GCM-SHA256" : "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
                      : (p->set & TD_V_TLS13)
                          ? "TLS_AES_128_GCM_SHA256"
                          : (openssl ? "ECDHE-RSA-AES128-SHA" : "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    if (c->first->key == TD_CK_CIPHER) {
        td_conf_show(f, c->first, add, v, sizeof v);
        snprintf(fd->change, sizeof fd->change, "add `%s`", v);
    } else {
        char nv[TD_CONF_VALUE_MAX + 64];
        snprintf(nv, sizeof nv, "%s%s%s", add, c->first->value[0] ? (openssl ? ":" : ",") : "", c->first->value);
        td_conf_show(f, c->first, nv, v, sizeof v);
        snprintf(fd->change, sizeof fd->change, "write `%s`", v);
    }
}

static void say(struct td_conf_finding *fd, const char *msg, const char *change)
{
    if (fd) {
        td_strcopy(fd->message, sizeof fd->message, msg);
        td_strcopy(fd->change, sizeof fd->change, change);
    }
}

static void check_sni(struct td_conf_report *r, const struct td_conf_file *f, int g)
{
    const struct td_conf_item *sni = find1(f, g, TD_CK_SNI_ENABLED, false);
    const struct td_conf_item *on = find1(f, g, TD_CK_TLS_ON, false);
    char v[600], ch[1000];
    if (sni && falsy(sni->value)) {
        td_conf_show(f, sni, f->kind == TD_CONF_NGINX ? "on" : "true", v, sizeof v);
        snprintf(ch, sizeof ch, "write `%s`", v);
        say(once(r, TD_CAUSE_CONFIG_SNI_DISABLED, TD_SEV_ERROR, f, sni),
            "the client sends no server_name: backends that serve several names (CDNs, load balancers, SNI-routed "
            "gateways) refuse the handshake or present the wrong certificate",
            ch);
    } else if (on && f->kind == TD_CONF_NGINX && !sni) {
        say(once(r, TD_CAUSE_CONFIG_SNI_DISABLED, TD_SEV_WARNING, f, on),
            "nginx sends no server_name to an https upstream unless told (proxy_ssl_server_name is off by default)",
            "add `proxy_ssl_server_name on;` to this block");
    } else if (on && f->kind == TD_CONF_HAPROXY && !find1(f, g, TD_CK_SNI_NAME, false)) {
        say(once(r, TD_CAUSE_CONFIG_SNI_DISABLED, TD_SEV_WARNING, f, on),
            "this server line has ssl but no sni: HAProxy then sends no server_name to the backend",
            "add `sni req.hdr(host)` (or `sni str(backend.example.com)`) to the server line");
    }
}

static void check_validation(struct td_conf_report *r, const struct td_conf_file *f, int g)
{
    const struct td_conf_item *ign = find1(f, g, TD_CK_IGNORE_VALIDATION, false);
    const struct td_conf_item *ver = find1(f, g, TD_CK_VERIFY, false);
    const struct td_conf_item *on = find1(f, g, TD_CK_TLS_ON, false);
    char v[600], ch[1000];
    if (ign && truthy(ign->value)) {
        td_conf_show(f, ign, "false", v, sizeof v);
        snprintf(ch, sizeof ch, "write `%s` and name a TrustStore holding the backend's issuer", v);
        say(once(r, TD_CAUSE_CONFIG_VALIDATION_DISABLED, TD_SEV_WARNING, f, ign),
            "the backend's certificate is accepted whoever issued it, expired or for another name: anyone on the "
            "path can impersonate the backend",
            ch);
    } else if (ver && falsy(ver->value)) {
        td_conf_show(f, ver, f->kind == TD_CONF_NGINX ? "on" : "required", v, sizeof v);
        snprintf(ch, sizeof ch, "write `%s` with a CA file holding the backend's issuer", v);
        say(once(r, TD_CAUSE_CONFIG_VALIDATION_DISABLED, TD_SEV_WARNING, f, ver),
            "the backend's certificate is not verified: anyone on the path can impersonate the backend", ch);
    } else if (on && !ver && f->kind == TD_CONF_NGINX) {
        say(once(r, TD_CAUSE_CONFIG_VALIDATION_DISABLED, TD_SEV_WARNING, f, on),
            "nginx does not verify an https upstream's certificate unless told (proxy_ssl_verify is off by default)",
            "add `proxy_ssl_verify on;` and `proxy_ssl_trusted_certificate /path/to/ca.pem;`");
    } else if (on && !find1(f, g, TD_CK_VALIDATION_CTX, false) &&
               (f->kind == TD_CONF_YAML || f->kind == TD_CONF_JSON) && strstr(on->value, "Upstream")) {
        say(once(r, TD_CAUSE_CONFIG_VALIDATION_DISABLED, TD_SEV_WARNING, f, on),
            "an UpstreamTlsContext without validation_context: Envoy does not verify the upstream's certificate",
            "add common_tls_context.validation_context with trusted_ca (filename: the CA bundle) and "
            "match_typed_subject_alt_names");
    }
}

static void check_keystore(struct td_conf_report *r, const struct td_conf_file *f, int g, bool server)
{
    const struct td_conf_item *ks = find1(f, g, TD_CK_KEYSTORE, server);
    const struct td_conf_item *alias = find1(f, g, TD_CK_KEYALIAS, server);
    const struct td_conf_item *ca = find1(f, g, TD_CK_CLIENT_AUTH, server);
    char v[600], ch[1000];
    if (ks && ks->value[0] && (!alias || !alias->value[0])) {
        struct td_conf_item a = *ks;
        snprintf(a.name, sizeof a.name, f->kind == TD_CONF_XML ? "KeyAlias" : "keyAlias");
        td_conf_show(f, &a, "ALIAS", v, sizeof v);
        snprintf(ch, sizeof ch, "add `%s` next to it (ALIAS: the key's alias, as keytool -list shows it)", v);
        say(once(r, TD_CAUSE_CONFIG_KEYSTORE_NO_ALIAS, TD_SEV_ERROR, f, ks),
            "a keystore is named but no key alias: the gateway cannot choose the key and certificate to present", ch);
    } else if (ca && truthy(ca->value) && !ks && !server) {
        say(once(r, TD_CAUSE_CONFIG_KEYSTORE_NO_ALIAS, TD_SEV_ERROR, f, ca),
            "client authentication is enabled but no keystore is named: the gateway has no certificate to present",
            f->kind == TD_CONF_XML ? "add `<KeyStore>ref://KEYSTORE-REF</KeyStore>` and `<KeyAlias>ALIAS</KeyAlias>`"
                                   : "add `\"keyStore\": \"ref://KEYSTORE-REF\"` and `\"keyAlias\": \"ALIAS\"`");
    }
}

/* Unknown version and suite names, once per item. */
static void check_names(struct td_conf_report *r, const struct td_conf_file *f, const struct td_conf_item *it)
{
    switch (it->key) {
    case TD_CK_PROTOCOL:
    case TD_CK_PROTOCOL_LIST:
    case TD_CK_MIN_VER:
    case TD_CK_MAX_VER:
        versions_of(r, f, it);
        break;
    case TD_CK_CIPHER:
    case TD_CK_CIPHER_LIST:
    case TD_CK_TLS13_SUITES: {
        const char *v = it->value, *seps = it->key == TD_CK_TLS13_SUITES ? ":, \t" : LIST_SEPS;
        size_t i = 0, n = strlen(v);
        while (i < n) {
            while (i < n && strchr(seps, v[i])) {
                i++;
            }
            size_t a = i;
            while (i < n && !strchr(seps, v[i])) {
                i++;
            }
            uint16_t s;
            if (a < i && !td_conf_suite_by_name(v + a, i - a, &s)) {
                unknown_name(r, f, it, "cipher suite", v + a, i - a);
            }
        }
        break;
    }
    case TD_CK_CIPHER_STRING: {
        uint16_t tmp[TD_CONF_MAX_SUITES];
        char unknown[128];
        td_conf_cipher_string(it->value, tmp, TD_CONF_MAX_SUITES, unknown, sizeof unknown);
        if (unknown[0]) {
            unknown_name(r, f, it, "cipher suite or OpenSSL cipher-string", unknown, strlen(unknown));
        }
        break;
    }
    default:
        break;
    }
}

static void lint_group(struct td_conf_report *r, const struct td_conf_file *f, int g, bool server)
{
    struct pset p = protocols(f, g, server);
    check_protocols(r, f, &p);
    struct cset *c = td_calloc(1, sizeof *c);
    ciphers(f, g, server, c);
    struct pset fixed = p;
    if (p.configured && !(p.set & MODERN)) {
        fixed.set |= MODERN; /* the protocol change comes first: judge the suites with it made */
    }
    check_ciphers(r, f, &fixed, c);
    free(c);
    if (!server) {
        check_sni(r, f, g);
        check_validation(r, f, g);
    }
    check_keystore(r, f, g, server);
}

void td_conf_lint_file(struct td_conf_report *r, size_t file_index)
{
    const struct td_conf_file *f = &r->files[file_index];
    for (size_t i = 0; i < f->num_items; i++) {
        check_names(r, f, &f->items[i]);
    }
    for (size_t g = 0; g < f->num_groups; g++) {
        for (int side = 0; side < 2; side++) {
            bool has = false;
            for (size_t i = 0; i < f->num_items && !has; i++) {
                has = f->items[i].group == (int)g && f->items[i].server_side == (side == 1);
            }
            if (has) {
                lint_group(r, f, (int)g, side == 1);
            }
        }
    }
}
