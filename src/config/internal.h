/* Shared by src/config/ only: a line/column-counting scanner over a cursor,
 * the tree events the XML, JSON and YAML readers produce, and the readers. */
#ifndef TD_CONFIG_INTERNAL_H
#define TD_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "config/config.h"

#define TD_CONF_MAX_DEPTH 64

/* A cursor that knows the line and column of its next byte. */
struct td_scan {
    struct td_cur c;
    uint32_t line, col;
    char err[300];
};

static inline void td_scan_init(struct td_scan *s, const uint8_t *p, size_t len)
{
    td_cur_init(&s->c, p, len);
    s->line = 1;
    s->col = 1;
    s->err[0] = '\0';
}

static inline bool td_scan_peek(const struct td_scan *s, size_t at, uint8_t *out)
{
    return td_cur_peek_u8(&s->c, at, out);
}

static inline bool td_scan_get(struct td_scan *s, uint8_t *out)
{
    uint8_t b;
    if (!td_cur_get_u8(&s->c, &b)) {
        return false;
    }
    if (b == '\n') {
        s->line++;
        s->col = 1;
    } else {
        s->col++;
    }
    if (out) {
        *out = b;
    }
    return true;
}

static inline bool td_scan_eof(const struct td_scan *s) { return td_cur_len(&s->c) == 0; }

/* The next bytes are lit (not consumed). */
bool td_scan_looking_at(const struct td_scan *s, const char *lit);
/* Consumes lit when it is next. */
bool td_scan_accept(struct td_scan *s, const char *lit);
void td_scan_skip_ws(struct td_scan *s);
/* Records the first error at the current position; returns false. */
bool td_scan_fail(struct td_scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable string with a bound: appends past max set `over`. */
struct td_sbuf {
    char *p;
    size_t len, cap, max;
    bool over;
};
void td_sbuf_putc(struct td_sbuf *b, char c);
void td_sbuf_free(struct td_sbuf *b);

/* Tree events (XML elements, JSON/YAML objects): an inner node is entered
 * and left; a leaf (an element holding only text, a scalar, each scalar of a
 * list) is one value. Names and values are NUL-terminated. */
struct td_tree_cb {
    void *ctx;
    void (*enter)(void *ctx, const char *name, uint32_t line);
    void (*value)(void *ctx, const char *name, const char *value, uint32_t line, uint32_t col);
    void (*leave)(void *ctx, const char *name);
};

bool td_xml_parse(struct td_scan *s, const struct td_tree_cb *cb);
bool td_json_parse(struct td_scan *s, const struct td_tree_cb *cb);
bool td_yaml_parse(struct td_scan *s, const struct td_tree_cb *cb);
/* Line-based formats straight into items. */
bool td_props_parse(struct td_scan *s, struct td_conf_file *f);
bool td_nginx_parse(struct td_scan *s, struct td_conf_file *f);
bool td_haproxy_parse(struct td_scan *s, struct td_conf_file *f);
/* XML, JSON and YAML trees into items (Apigee SSLInfo, Envoy). */
bool td_conf_tree_read(struct td_scan *s, struct td_conf_file *f);

/* Adders: the new group's index (or -1 past the limit); the item or NULL. */
int td_conf_add_group(struct td_conf_file *f, int parent, uint32_t line, const char *name);
struct td_conf_item *td_conf_add_item(struct td_conf_file *f, enum td_conf_key key, int group, uint32_t line,
                                      uint32_t col, const char *name, const char *value, size_t value_len);

/* ASCII case-insensitive equality of s[0..n) and lit. */
bool td_conf_ieq(const char *s, size_t n, const char *lit);

/* Lint */
struct td_conf_finding *td_conf_add_finding(struct td_conf_report *r, enum td_cause cause, enum td_sev sev,
                                            const struct td_conf_file *f, const struct td_conf_item *it);
/* The setting as the file writes it, with value v (NULL: its own). */
void td_conf_show(const struct td_conf_file *f, const struct td_conf_item *it, const char *v, char *out, size_t len);
void td_conf_lint_file(struct td_conf_report *r, size_t file_index);
void td_conf_lint_stores(struct td_conf_report *r, const struct td_conf_opts *o);

#endif
