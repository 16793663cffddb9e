/* HAProxy configuration: sections (global, defaults, frontend, backend,
 * listen, ...) of lines of blank-separated words (quotes and backslash
 * escapes as HAProxy reads them, # comments). Read: the options of `server`
 * and `default-server` lines (the connections HAProxy makes: ssl, verify,
 * sni, ca-file, ciphers, ciphersuites, ssl-min-ver, ssl-max-ver, curves,
 * force-tlsv1x) and of `bind` lines (its listeners), and the global
 * ssl-default-server-* / ssl-default-bind-* and ssl-server-verify. Each
 * server or bind line is a group under its section, sections under defaults
 * and global, so that defaults apply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"

#include "base/banned.h"

#define MAX_WORDS 128
#define WORD_LEN 1024

struct hline {
    char w[MAX_WORDS][WORD_LEN];
    uint32_t col[MAX_WORDS];
    size_t n;
    uint32_t line;
};

struct hp {
    struct td_conf_file *f;
    int global, defaults, section;
};

static const struct {
    const char *name;
    enum td_conf_key key;
    bool has_arg;
} options[] = {
    {"ssl", TD_CK_TLS_ON, false},           {"verify", TD_CK_VERIFY, true},
    {"sni", TD_CK_SNI_NAME, true},          {"ca-file", TD_CK_TRUSTSTORE, true},
    {"ciphers", TD_CK_CIPHER_STRING, true}, {"ciphersuites", TD_CK_TLS13_SUITES, true},
    {"ssl-min-ver", TD_CK_MIN_VER, true},   {"ssl-max-ver", TD_CK_MAX_VER, true},
    {"curves", TD_CK_GROUPS, true},
};

static const char *const sections[] = {"global", "defaults",  "frontend",   "backend", "listen",
                                       "peers",  "resolvers", "userlist",   "program", "cache",
                                       "ring",   "mailers",   "http-errors"};

static bool read_line(struct td_scan *s, struct hline *l)
{
    l->n = 0;
    l->line = s->line;
    uint8_t b;
    while (td_scan_peek(s, 0, &b) && b != '\n') {
        if (b == ' ' || b == '\t' || b == '\r') {
            td_scan_get(s, NULL);
            continue;
        }
        if (b == '#') {
            while (td_scan_peek(s, 0, &b) && b != '\n') {
                td_scan_get(s, NULL);
            }
            break;
        }
        if (l->n == MAX_WORDS) {
            return td_scan_fail(s, "more than %d words on a line", MAX_WORDS);
        }
        size_t k = 0;
        uint8_t q = 0;
        l->col[l->n] = s->col;
        while (td_scan_peek(s, 0, &b) && b != '\n' && (q || (b != ' ' && b != '\t' && b != '\r' && b != '#'))) {
            td_scan_get(s, NULL);
            if ((b == '"' || b == '\'') && (!q || q == b)) {
                q = q ? 0 : b;
                continue;
            }
            if (b == '\\' && q != '\'' && td_scan_peek(s, 0, &b) && b != '\n') {
                td_scan_get(s, NULL);
            }
            if (k + 1 < WORD_LEN) {
                l->w[l->n][k++] = (char)b;
            }
        }
        if (q) {
            return td_scan_fail(s, "unterminated quote");
        }
        l->w[l->n++][k] = '\0';
    }
    td_scan_get(s, NULL);
    return true;
}

static void add(struct hp *h, const struct hline *l, size_t i, enum td_conf_key key, int g, bool server,
                const char *value)
{
    struct td_conf_item *it = td_conf_add_item(h->f, key, g, l->line, l->col[i], l->w[i], value, strlen(value));
    if (it) {
        it->server_side = server;
    }
}

/* The options of a server/default-server/bind line from word `from`. */
static void map_options(struct hp *h, const struct hline *l, size_t from, int g, bool server)
{
    for (size_t i = from; i < l->n; i++) {
        const char *w = l->w[i];
        for (size_t k = 0; k < sizeof options / sizeof options[0]; k++) {
            if (strcmp(w, options[k].name) == 0) {
                if (options[k].has_arg && i + 1 < l->n) {
                    add(h, l, i, options[k].key, g, server, l->w[i + 1]);
                } else if (!options[k].has_arg) {
                    add(h, l, i, options[k].key, g, server, "");
                }
            }
        }
        if (strncmp(w, "force-", 6) == 0 && (strncmp(w + 6, "tlsv1", 5) == 0 || strcmp(w + 6, "sslv3") == 0)) {
            char v[16];
            if (strcmp(w + 6, "sslv3") == 0) {
                snprintf(v, sizeof v, "SSLv3");
            } else if (strlen(w + 6) == 6) { /* tlsv1x -> TLSv1.x */
                snprintf(v, sizeof v, "TLSv1.%c", w[11]);
            } else {
                continue;
            }
            add(h, l, i, TD_CK_MIN_VER, g, server, v);
            add(h, l, i, TD_CK_MAX_VER, g, server, v);
        }
    }
}

static void global_line(struct hp *h, const struct hline *l)
{
    const char *w = l->w[0];
    bool server = strncmp(w, "ssl-default-bind-", 17) == 0;
    bool client = strncmp(w, "ssl-default-server-", 19) == 0;
    if ((server || client) && l->n >= 2) {
        const char *what = w + (server ? 17 : 19);
        if (strcmp(what, "ciphers") == 0) {
            add(h, l, 0, TD_CK_CIPHER_STRING, h->global, server, l->w[1]);
        } else if (strcmp(what, "ciphersuites") == 0) {
            add(h, l, 0, TD_CK_TLS13_SUITES, h->global, server, l->w[1]);
        } else if (strcmp(what, "options") == 0) {
            map_options(h, l, 1, h->global, server);
        }
    }
    if (strcmp(w, "ssl-server-verify") == 0 && l->n >= 2) {
        add(h, l, 0, TD_CK_VERIFY, h->global, false, l->w[1]);
    }
}

static void section_line(struct hp *h, const struct hline *l)
{
    char name[160];
    snprintf(name, sizeof name, "%.60s%s%.80s (line %u)", l->w[0], l->n > 1 ? " " : "", l->n > 1 ? l->w[1] : "",
             l->line);
    if (strcmp(l->w[0], "global") == 0) {
        h->section = h->global = td_conf_add_group(h->f, -1, l->line, name);
    } else if (strcmp(l->w[0], "defaults") == 0) {
        h->section = h->defaults = td_conf_add_group(h->f, h->global, l->line, name);
    } else {
        h->section = td_conf_add_group(h->f, h->defaults >= 0 ? h->defaults : h->global, l->line, name);
    }
}

bool td_haproxy_parse(struct td_scan *s, struct td_conf_file *f)
{
    struct hp h = {.f = f, .global = -1, .defaults = -1};
    h.global = h.section = td_conf_add_group(f, -1, 1, "global (implicit)");
    struct hline *l = td_calloc(1, sizeof *l);
    bool ok = true, in_global = false;
    while (ok && !td_scan_eof(s)) {
        if (!(ok = read_line(s, l)) || l->n == 0) {
            continue;
        }
        bool is_section = false;
        for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
            is_section = is_section || strcmp(l->w[0], sections[i]) == 0;
        }
        if (is_section) {
            section_line(&h, l);
            in_global = strcmp(l->w[0], "global") == 0;
        } else if (in_global) {
            global_line(&h, l);
        } else if (strcmp(l->w[0], "default-server") == 0) {
            map_options(&h, l, 1, h.section, false);
        } else if ((strcmp(l->w[0], "server") == 0 && l->n >= 3) || (strcmp(l->w[0], "bind") == 0 && l->n >= 2)) {
            bool bind = l->w[0][0] == 'b';
            char name[160];
            snprintf(name, sizeof name, "%.20s %.100s (line %u)", l->w[0], l->w[1], l->line);
            int g = td_conf_add_group(f, h.section, l->line, name);
            if (g >= 0) {
                map_options(&h, l, bind ? 2 : 3, g, bind);
            }
        }
    }
    free(l);
    return ok;
}
