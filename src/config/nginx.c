/* nginx configuration: a tokenizer for its syntax (directives of words ended
 * by ';', blocks in braces, "double" and 'single' quoted words with backslash
 * escapes, # comments) and the TLS directives of the listener (ssl_protocols,
 * ssl_ciphers, ssl_ecdh_curve, ssl_conf_command Ciphersuites) and of the
 * connections nginx makes to its upstreams (proxy_ssl_*, and grpc_ssl_* and
 * uwsgi_ssl_* alike; proxy_pass https://). Each block is a group whose
 * parent is the enclosing block: nginx inherits these directives downwards.
 * include is not followed (give the included files too). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"

#include "base/banned.h"

#define WORD_MAX 4096
#define MAX_ARGS 64

struct directive {
    char words[MAX_ARGS][WORD_MAX / 8];
    size_t n;
    uint32_t line, col;
    bool truncated;
};

static const struct {
    const char *name;
    enum td_conf_key key;
} upstream[] =
    {
        {"protocols", TD_CK_PROTOCOL_LIST}, {"ciphers", TD_CK_CIPHER_STRING}, {"server_name", TD_CK_SNI_ENABLED},
        {"name", TD_CK_SNI_NAME},           {"verify", TD_CK_VERIFY},         {"trusted_certificate", TD_CK_TRUSTSTORE},
},
  listener[] = {
      {"ssl_protocols", TD_CK_PROTOCOL_LIST},
      {"ssl_ciphers", TD_CK_CIPHER_STRING},
      {"ssl_ecdh_curve", TD_CK_GROUPS},
};

/* One word into w; false at a structural character or the end. */
static bool read_word(struct td_scan *s, char *w, size_t cap, bool *truncated)
{
    uint8_t b, q = 0;
    size_t n = 0;
    if (td_scan_peek(s, 0, &b) && (b == '"' || b == '\'')) {
        q = b;
        td_scan_get(s, NULL);
    }
    for (;;) {
        if (!td_scan_peek(s, 0, &b)) {
            if (q) {
                return td_scan_fail(s, "unterminated quoted string");
            }
            break;
        }
        if (q ? b == q : (b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == ';' || b == '{' || b == '}')) {
            if (q) {
                td_scan_get(s, NULL);
            }
            break;
        }
        td_scan_get(s, NULL);
        if (b == '\\' && td_scan_get(s, &b) && q) {
            b = b == 'n' ? '\n' : b == 't' ? '\t' : b;
        }
        if (n + 1 < cap) {
            w[n++] = (char)b;
        } else {
            *truncated = true;
        }
    }
    w[n] = '\0';
    return true;
}

static void join(const struct directive *d, size_t from, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = from; i < d->n; i++) {
        int k = snprintf(out + n, cap - n, "%s%s", i > from ? " " : "", d->words[i]);
        if (k < 0 || (size_t)k >= cap - n) {
            return;
        }
        n += (size_t)k;
    }
}

static void add(struct td_conf_file *f, const struct directive *d, int g, enum td_conf_key key, bool server,
                size_t from)
{
    char v[TD_CONF_VALUE_MAX];
    join(d, from, v, sizeof v);
    struct td_conf_item *it = td_conf_add_item(f, key, g, d->line, d->col, d->words[0], v, strlen(v));
    if (it) {
        it->server_side = server;
    }
}

static void map_directive(struct td_conf_file *f, const struct directive *d, int g)
{
    const char *w = d->words[0];
    for (size_t i = 0; i < sizeof listener / sizeof listener[0]; i++) {
        if (strcmp(w, listener[i].name) == 0) {
            add(f, d, g, listener[i].key, true, 1);
        }
    }
    if (strcmp(w, "ssl_conf_command") == 0 && d->n >= 3 &&
        td_conf_ieq(d->words[1], strlen(d->words[1]), "Ciphersuites")) {
        add(f, d, g, TD_CK_TLS13_SUITES, true, 2);
    }
    static const char *const pre[] = {"proxy_ssl_", "grpc_ssl_", "uwsgi_ssl_"};
    for (size_t p = 0; p < sizeof pre / sizeof pre[0]; p++) {
        size_t pl = strlen(pre[p]);
        for (size_t i = 0; strncmp(w, pre[p], pl) == 0 && i < sizeof upstream / sizeof upstream[0]; i++) {
            if (strcmp(w + pl, upstream[i].name) == 0) {
                add(f, d, g, upstream[i].key, false, 1);
            }
        }
    }
    if ((strcmp(w, "proxy_pass") == 0 && d->n == 2 && strncmp(d->words[1], "https://", 8) == 0) ||
        (strcmp(w, "grpc_pass") == 0 && d->n == 2 && strncmp(d->words[1], "grpcs://", 8) == 0)) {
        add(f, d, g, TD_CK_TLS_ON, false, 1);
    }
}

/* A directive's words up to ';' or '{' (returned in *end). */
static bool read_directive(struct td_scan *s, struct directive *d, uint8_t *end)
{
    d->n = 0;
    d->line = s->line;
    d->col = s->col;
    d->truncated = false;
    for (;;) {
        td_scan_skip_ws(s);
        uint8_t b;
        if (!td_scan_peek(s, 0, &b)) {
            return td_scan_fail(s, "end of file in the directive '%s' (line %u): ';' missing", d->words[0], d->line);
        }
        if (b == '#') {
            while (td_scan_get(s, &b) && b != '\n') {
            }
            continue;
        }
        if (b == ';' || b == '{' || b == '}') {
            if (b == '}' || d->n == 0) {
                return td_scan_fail(s, "unexpected '%c'", b);
            }
            td_scan_get(s, NULL);
            *end = b;
            return true;
        }
        if (d->n == MAX_ARGS) {
            return td_scan_fail(s, "more than %d words in a directive", MAX_ARGS);
        }
        if (!read_word(s, d->words[d->n++], sizeof d->words[0], &d->truncated)) {
            return false;
        }
    }
}

bool td_nginx_parse(struct td_scan *s, struct td_conf_file *f)
{
    int stack[TD_CONF_MAX_DEPTH];
    int depth = 0;
    int g = td_conf_add_group(f, -1, 1, "main");
    struct directive *d = td_calloc(1, sizeof *d);
    bool ok = true;
    for (;;) {
        td_scan_skip_ws(s);
        uint8_t b;
        if (!td_scan_peek(s, 0, &b)) {
            break;
        }
        if (b == '#') {
            while (td_scan_get(s, &b) && b != '\n') {
            }
            continue;
        }
        if (b == '}') {
            if (depth == 0) {
                ok = td_scan_fail(s, "'}' closes no block");
                break;
            }
            td_scan_get(s, NULL);
            g = stack[--depth];
            continue;
        }
        uint8_t end = 0;
        if (!(ok = read_directive(s, d, &end))) {
            break;
        }
        if (end == ';') {
            map_directive(f, d, g);
            continue;
        }
        if (depth == TD_CONF_MAX_DEPTH) {
            ok = td_scan_fail(s, "blocks nested deeper than %d", TD_CONF_MAX_DEPTH);
            break;
        }
        char name[160];
        join(d, 0, name, sizeof name);
        stack[depth++] = g;
        int ng = td_conf_add_group(f, g, d->line, name);
        g = ng >= 0 ? ng : g;
    }
    if (ok && depth > 0) {
        ok = td_scan_fail(s, "end of file inside a block: '}' missing");
    }
    free(d);
    return ok;
}
