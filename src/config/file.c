/* A configuration file: read (bounded), its kind told by content, parsed into
 * settings that keep their line; and the scanner helpers the parsers share. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "config/internal.h"

#include "base/banned.h"

#define MAX_FILE (16u << 20) /* no configuration file is near 16 MiB */

const char *td_conf_kind_name(enum td_conf_kind k)
{
    static const char *const names[] = {"unknown", "xml", "json", "properties", "nginx", "haproxy", "yaml"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}

const char *td_conf_key_name(enum td_conf_key k)
{
    static const char *const names[] = {
        "enabled",
        "client_auth",
        "keystore",
        "key_alias",
        "truststore",
        "protocol",
        "protocol_list",
        "min_version",
        "max_version",
        "cipher",
        "cipher_string",
        "cipher_list",
        "tls13_suites",
        "groups",
        "sni_enabled",
        "sni_name",
        "ignore_validation",
        "verify",
        "disabled_algorithms",
        "common_name",
        "tls",
        "validation_context",
    };
    _Static_assert(sizeof names / sizeof names[0] == TD_CK_VALIDATION_CTX + 1, "one name per key");
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}

bool td_scan_looking_at(const struct td_scan *s, const char *lit)
{
    size_t n = strlen(lit);
    if (td_cur_len(&s->c) < n) {
        return false;
    }
    return td_mem_eq(td_cur_data(&s->c), lit, n);
}

bool td_scan_accept(struct td_scan *s, const char *lit)
{
    if (!td_scan_looking_at(s, lit)) {
        return false;
    }
    for (size_t i = 0; lit[i]; i++) {
        td_scan_get(s, NULL);
    }
    return true;
}

void td_scan_skip_ws(struct td_scan *s)
{
    uint8_t b;
    while (td_scan_peek(s, 0, &b) && (b == ' ' || b == '\t' || b == '\r' || b == '\n')) {
        td_scan_get(s, NULL);
    }
}

bool td_scan_fail(struct td_scan *s, const char *fmt, ...)
{
    if (s->err[0]) {
        return false;
    }
    int n = snprintf(s->err, sizeof s->err, "%u:%u: ", s->line, s->col);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof s->err) {
        vsnprintf(s->err + n, sizeof s->err - (size_t)n, fmt, ap);
    }
    va_end(ap);
    return false;
}

void td_sbuf_putc(struct td_sbuf *b, char c)
{
    if (b->len + 1 >= b->max) {
        b->over = true;
        return;
    }
    if (b->len + 2 > b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->p = td_realloc(b->p, b->cap);
    }
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void td_sbuf_free(struct td_sbuf *b)
{
    free(b->p);
    td_memzero(b, sizeof *b);
}

bool td_conf_ieq(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n && lit[i]; i++) {
        char a = s[i], b = lit[i];
        a = (char)(a >= 'A' && a <= 'Z' ? a + 32 : a);
        b = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
        if (a != b) {
            return false;
        }
    }
    return i == n && !lit[i];
}

int td_conf_add_group(struct td_conf_file *f, int parent, uint32_t line, const char *name)
{
    if (f->num_groups >= TD_CONF_MAX_GROUPS) {
        return -1;
    }
    if (f->num_groups == f->cap_groups) {
        f->cap_groups = f->cap_groups ? f->cap_groups * 2 : 8;
        f->groups = td_realloc(f->groups, f->cap_groups * sizeof *f->groups);
    }
    struct td_conf_group *g = &f->groups[f->num_groups];
    td_memzero(g, sizeof *g);
    g->parent = parent;
    g->line = line;
    td_strcopy(g->name, sizeof g->name, name);
    return (int)f->num_groups++;
}

struct td_conf_item *td_conf_add_item(struct td_conf_file *f, enum td_conf_key key, int group, uint32_t line,
                                      uint32_t col, const char *name, const char *value, size_t value_len)
{
    if (f->num_items >= TD_CONF_MAX_ITEMS) {
        return NULL;
    }
    if (f->num_items == f->cap_items) {
        f->cap_items = f->cap_items ? f->cap_items * 2 : 16;
        f->items = td_realloc(f->items, f->cap_items * sizeof *f->items);
    }
    struct td_conf_item *it = &f->items[f->num_items++];
    td_memzero(it, sizeof *it);
    it->key = key;
    it->group = group;
    it->line = line;
    it->col = col;
    td_strcopy(it->name, sizeof it->name, name);
    if (value_len >= sizeof it->value) {
        value_len = sizeof it->value - 1;
    }
    td_memcopy(it->value, value, value_len);
    it->value[value_len] = '\0';
    return it;
}

/* Does a line of the text (from p, n bytes) start with word (then a space,
 * a tab or the end)? Only the first 64 KiB are looked at. */
static bool line_starts(const uint8_t *p, size_t n, const char *word, bool indented_ok)
{
    size_t wl = strlen(word), i = 0;
    n = n > 65536 ? 65536 : n;
    while (i < n) {
        size_t j = i;
        while (indented_ok && j < n && (p[j] == ' ' || p[j] == '\t')) {
            j++;
        }
        if (n - j >= wl && td_mem_eq(p + j, word, wl) && (n - j == wl || p[j + wl] <= ' ' || p[j + wl] == ':')) {
            return true;
        }
        while (i < n && p[i] != '\n') {
            i++;
        }
        i++;
    }
    return false;
}

/* Told by content: markup, a JSON value, then the words each format starts
 * its lines with. The file name plays no part (a copy named x.txt reads the same). */
enum td_conf_kind td_conf_detect(const uint8_t *p, size_t n)
{
    size_t i = 0;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        i = 3; /* UTF-8 byte order mark */
    }
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
        i++;
    }
    if (i < n && p[i] == '<') {
        return TD_CONF_XML;
    }
    if (i < n && (p[i] == '{' || p[i] == '[')) {
        return TD_CONF_JSON;
    }
    p += i;
    n -= i;
    static const char *const haproxy[] = {"global", "defaults", "backend", "frontend", "listen"};
    for (size_t k = 0; k < sizeof haproxy / sizeof haproxy[0]; k++) {
        if (line_starts(p, n, haproxy[k], false)) {
            return TD_CONF_HAPROXY;
        }
    }
    static const char *const yaml[] = {
        "static_resources:", "clusters:", "transport_socket:", "tls_params:", "common_tls_context:",
        "- name:",           "admin:",    "resources:"};
    for (size_t k = 0; k < sizeof yaml / sizeof yaml[0]; k++) {
        if (line_starts(p, n, yaml[k], true)) {
            return TD_CONF_YAML;
        }
    }
    static const char *const nginx[] = {
        "server",     "http",   "upstream", "location", "ssl_protocols", "ssl_ciphers", "proxy_ssl_protocols",
        "proxy_pass", "events", "stream"};
    for (size_t k = 0; k < sizeof nginx / sizeof nginx[0]; k++) {
        if (line_starts(p, n, nginx[k], true)) {
            return TD_CONF_NGINX;
        }
    }
    /* properties: a key=value (or key: value, key value) line with a dotted or underscored key */
    for (size_t j = 0; j < n && j < 65536;) {
        size_t k = j;
        while (k < n && p[k] > ' ' && p[k] != '=' && p[k] != ':' && p[k] != '#' && p[k] != '!') {
            k++;
        }
        if (k > j && k < n && p[k] == '=') {
            return TD_CONF_PROPERTIES;
        }
        while (j < n && p[j] != '\n') {
            j++;
        }
        j++;
    }
    return TD_CONF_UNKNOWN;
}

static bool parse_kind(struct td_scan *s, struct td_conf_file *f)
{
    switch (f->kind) {
    case TD_CONF_XML:
    case TD_CONF_JSON:
    case TD_CONF_YAML:
        return td_conf_tree_read(s, f);
    case TD_CONF_PROPERTIES:
        return td_props_parse(s, f);
    case TD_CONF_NGINX:
        return td_nginx_parse(s, f);
    case TD_CONF_HAPROXY:
        return td_haproxy_parse(s, f);
    default:
        return td_scan_fail(s, "not a configuration file tlsdiag knows");
    }
}

bool td_conf_file_parse(const char *path, const uint8_t *data, size_t len, struct td_conf_file *f)
{
    td_memzero(f, sizeof *f);
    td_strcopy(f->path, sizeof f->path, path);
    f->kind = td_conf_detect(data, len);
    if (f->kind == TD_CONF_UNKNOWN) {
        snprintf(f->err, sizeof f->err,
                 "not a configuration file tlsdiag knows (Apigee XML or JSON, properties, nginx, HAProxy, Envoy)");
        return false;
    }
    struct td_scan s;
    td_scan_init(&s, data, len);
    f->ok = parse_kind(&s, f);
    if (!f->ok) {
        td_strcopy(f->err, sizeof f->err, s.err[0] ? s.err : "malformed");
    }
    return f->ok;
}

bool td_conf_file_read(const char *path, struct td_conf_file *f)
{
    FILE *fp = fopen(path, "rb");
    struct td_buf b = {0};
    if (fp) {
        char chunk[8192];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0 && b.len <= MAX_FILE) {
            td_buf_append(&b, chunk, n);
        }
        bool bad = ferror(fp);
        fclose(fp);
        if (!bad && b.len <= MAX_FILE) {
            bool ok = td_conf_file_parse(path, b.data, b.len, f);
            td_buf_free(&b);
            return ok;
        }
    }
    td_buf_free(&b);
    td_memzero(f, sizeof *f);
    td_strcopy(f->path, sizeof f->path, path);
    td_strcopy(f->err, sizeof f->err, fp ? "unreadable or over 16 MiB" : "cannot open");
    return false;
}

void td_conf_file_free(struct td_conf_file *f)
{
    free(f->items);
    free(f->groups);
    td_memzero(f, sizeof *f);
}
