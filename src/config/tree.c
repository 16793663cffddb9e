/* XML, JSON and YAML trees into settings: Apigee Edge's SSLInfo (the
 * TargetEndpoint's HTTPTargetConnection/SSLInfo, a TargetServer's or
 * VirtualHost's SSLInfo in XML, `sSLInfo` in the management API's JSON) and
 * Envoy's transport sockets (UpstreamTlsContext / DownstreamTlsContext:
 * common_tls_context.tls_params, sni, validation_context). Names are matched
 * without regard to case, so that SSLInfo and sSLInfo read the same. */
#include <stdio.h>
#include <string.h>

#include "config/internal.h"

#include "base/mem.h"

#include "base/banned.h"

struct tctx {
    struct td_conf_file *f;
    char path[TD_CONF_MAX_DEPTH + 1][64]; /* entered names, lower case, truncated */
    int group[TD_CONF_MAX_DEPTH + 1];     /* the group open at each depth */
    int depth;
    bool virtual_host; /* a VirtualHost: its SSLInfo is a listener's */
    bool listener;     /* Envoy: under listeners/filter_chains */
};

static const struct {
    const char *name;
    enum td_conf_key key;
} apigee[] =
    {
        {"enabled", TD_CK_ENABLED},        {"clientauthenabled", TD_CK_CLIENT_AUTH},
        {"keystore", TD_CK_KEYSTORE},      {"keyalias", TD_CK_KEYALIAS},
        {"truststore", TD_CK_TRUSTSTORE},  {"protocol", TD_CK_PROTOCOL},
        {"protocols", TD_CK_PROTOCOL},     {"cipher", TD_CK_CIPHER},
        {"ciphers", TD_CK_CIPHER},         {"ignorevalidationerrors", TD_CK_IGNORE_VALIDATION},
        {"commonname", TD_CK_COMMON_NAME},
},
  envoy[] = {
      {"tls_minimum_protocol_version", TD_CK_MIN_VER},
      {"tls_maximum_protocol_version", TD_CK_MAX_VER},
      {"cipher_suites", TD_CK_CIPHER},
      {"ecdh_curves", TD_CK_GROUPS},
      {"sni", TD_CK_SNI_NAME},
};

static void lower(char *out, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++) {
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    }
    out[i] = '\0';
}

static bool in_path(const struct tctx *t, const char *name)
{
    for (int i = 1; i <= t->depth; i++) {
        if (strcmp(t->path[i], name) == 0) {
            return true;
        }
    }
    return false;
}

static bool opens_group(const char *l)
{
    return strcmp(l, "sslinfo") == 0 || strcmp(l, "transport_socket") == 0 || strcmp(l, "tls_context") == 0;
}

static void on_enter(void *ctx, const char *name, uint32_t line)
{
    struct tctx *t = ctx;
    if (t->depth == TD_CONF_MAX_DEPTH) {
        return; /* the readers stop at this depth themselves */
    }
    char l[64];
    lower(l, sizeof l, name);
    if (t->depth == 0 && strcmp(l, "virtualhost") == 0) {
        t->virtual_host = true;
    }
    if (strcmp(l, "listeners") == 0 || strcmp(l, "filter_chains") == 0) {
        t->listener = true;
    }
    int g = t->group[t->depth];
    if (opens_group(l)) {
        char gname[160];
        snprintf(gname, sizeof gname, "%s (line %u)", name, line);
        int ng = td_conf_add_group(t->f, -1, line, gname);
        g = ng >= 0 ? ng : g;
    }
    t->depth++;
    td_strcopy(t->path[t->depth], sizeof t->path[0], l);
    t->group[t->depth] = g;
    if (strcmp(l, "validation_context") == 0 && g >= 0) {
        td_conf_add_item(t->f, TD_CK_VALIDATION_CTX, g, line, 1, name, "present", 7);
    }
}

static void on_leave(void *ctx, const char *name)
{
    struct tctx *t = ctx;
    (void)name;
    if (t->depth > 0) {
        t->depth--;
    }
}

static void add(struct tctx *t, enum td_conf_key key, int g, const char *name, const char *value, uint32_t line,
                uint32_t col)
{
    struct td_conf_item *it = td_conf_add_item(t->f, key, g, line, col, name, value, strlen(value));
    if (it) {
        it->server_side = t->virtual_host || t->listener;
    }
}

static void on_value(void *ctx, const char *name, const char *value, uint32_t line, uint32_t col)
{
    struct tctx *t = ctx;
    char l[64];
    lower(l, sizeof l, name);
    if (strcmp(l, "hostaliases") == 0) {
        t->virtual_host = true; /* the management API's VirtualHost JSON */
    }
    int g = t->group[t->depth];
    if (g < 0) {
        return;
    }
    const char *parent = t->path[t->depth];
    if (strcmp(parent, "commonname") == 0 && strcmp(l, "value") == 0) {
        add(t, TD_CK_COMMON_NAME, g, "commonName", value, line, col);
        return;
    }
    if (strcmp(l, "@type") == 0 && strstr(value, "TlsContext")) {
        add(t, TD_CK_TLS_ON, g, name, value, line, col);
        return;
    }
    if (strcmp(l, "filename") == 0 && strcmp(parent, "trusted_ca") == 0) {
        add(t, TD_CK_TRUSTSTORE, g, "trusted_ca", value, line, col);
        return;
    }
    if (strcmp(l, "trust_chain_verification") == 0 && strcmp(value, "ACCEPT_UNTRUSTED") == 0) {
        add(t, TD_CK_VERIFY, g, name, "none", line, col);
        return;
    }
    bool is_apigee = in_path(t, "sslinfo");
    for (size_t i = 0; is_apigee && i < sizeof apigee / sizeof apigee[0]; i++) {
        if (strcmp(l, apigee[i].name) == 0) {
            add(t, apigee[i].key, g, name, value, line, col);
            return;
        }
    }
    for (size_t i = 0; !is_apigee && i < sizeof envoy / sizeof envoy[0]; i++) {
        if (strcmp(l, envoy[i].name) == 0) {
            add(t, envoy[i].key, g, name, value, line, col);
            return;
        }
    }
}

bool td_conf_tree_read(struct td_scan *s, struct td_conf_file *f)
{
    struct tctx t;
    td_memzero(&t, sizeof t);
    t.f = f;
    t.group[0] = -1;
    struct td_tree_cb cb = {.ctx = &t, .enter = on_enter, .value = on_value, .leave = on_leave};
    bool ok = f->kind == TD_CONF_XML    ? td_xml_parse(s, &cb)
              : f->kind == TD_CONF_JSON ? td_json_parse(s, &cb)
                                        : td_yaml_parse(s, &cb);
    if (t.virtual_host) { /* hostAliases may come after sSLInfo */
        for (size_t i = 0; i < f->num_items; i++) {
            f->items[i].server_side = true;
        }
    }
    return ok;
}
