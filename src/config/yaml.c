/* A small YAML reader for Envoy configuration: the block subset Envoy's
 * examples use, read by indentation. Read: block mappings (`key: value`,
 * `key:` with a deeper block), block sequences (`- scalar`, `- key: value`,
 * at the key's indentation or deeper), plain, 'single' and "double" quoted
 * scalars, one-line flow sequences `[a, "b"]`, comments, `---`. Not read,
 * each an error at line:column rather than a guess: tabs in indentation,
 * anchors and aliases (`&x`, `*x`), flow mappings `{a: b}` (but `{}`),
 * multi-line flow collections. Block scalars (`|`, `>`) are skipped. Produces
 * the same tree events as the JSON reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "config/internal.h"

#include "base/banned.h"

#define KEY_MAX 128
#define LINE_MAX_LEN (16u << 10)

struct yframe {
    int indent;
    bool seq;     /* a sequence whose items are named key */
    bool entered; /* a mapping that was entered (leave on pop) */
    char key[KEY_MAX];
};

struct yr {
    struct td_scan *s;
    const struct td_tree_cb *cb;
    struct yframe st[TD_CONF_MAX_DEPTH];
    int depth;
    char pending[KEY_MAX]; /* "key:" with nothing after, waiting for its block */
    int pending_indent;
    bool has_pending, pending_item; /* pending_item: "- " alone */
    bool block_scalar;              /* the line ended with | or >: skip the deeper lines */
    uint32_t line;
    char text[LINE_MAX_LEN + 1];
    size_t len;
};

/* An error at the start of the line being read (the scanner is past it). */
static bool yfail(struct yr *y, const char *msg)
{
    y->s->line = y->line;
    y->s->col = 1;
    return td_scan_fail(y->s, "%s", msg);
}

static bool push(struct yr *y, int indent, bool seq, const char *key, bool enter)
{
    if (y->depth == TD_CONF_MAX_DEPTH) {
        return td_scan_fail(y->s, "nested deeper than %d", TD_CONF_MAX_DEPTH);
    }
    struct yframe *f = &y->st[y->depth++];
    f->indent = indent;
    f->seq = seq;
    f->entered = enter;
    td_strcopy(f->key, sizeof f->key, key);
    if (enter && y->cb->enter) {
        y->cb->enter(y->cb->ctx, key, y->line);
    }
    return true;
}

static void pop(struct yr *y)
{
    struct yframe *f = &y->st[--y->depth];
    if (f->entered && y->cb->leave) {
        y->cb->leave(y->cb->ctx, f->key);
    }
}

/* One scalar from t[*i..n): quoted or plain (up to a comment), unquoted into out. */
static bool scalar(struct yr *y, const char *t, size_t n, struct td_sbuf *out)
{
    size_t i = 0;
    if (n && (t[0] == '&' || t[0] == '*')) {
        return yfail(y, "YAML anchors and aliases are not read");
    }
    if (n && (t[0] == '{' || t[0] == '[')) {
        return yfail(y, "nested YAML flow collections are not read");
    }
    if (n && (t[0] == '"' || t[0] == '\'')) {
        char q = t[0];
        for (i = 1; i < n; i++) {
            if (t[i] == q && q == '\'' && i + 1 < n && t[i + 1] == '\'') {
                td_sbuf_putc(out, '\'');
                i++;
            } else if (t[i] == q) {
                break;
            } else if (t[i] == '\\' && q == '"' && i + 1 < n) {
                char e = t[++i];
                td_sbuf_putc(out, e == 'n' ? '\n' : e == 't' ? '\t' : e);
            } else {
                td_sbuf_putc(out, t[i]);
            }
        }
        if (i >= n) {
            return yfail(y, "unterminated quoted scalar");
        }
        return true;
    }
    size_t e = n;
    for (i = 0; i < n; i++) {
        if (t[i] == '#' && (i == 0 || t[i - 1] == ' ' || t[i - 1] == '\t')) {
            e = i;
            break;
        }
    }
    while (e > 0 && (t[e - 1] == ' ' || t[e - 1] == '\t' || t[e - 1] == '\r')) {
        e--;
    }
    for (i = 0; i < e; i++) {
        td_sbuf_putc(out, t[i]);
    }
    return true;
}

static bool emit_value(struct yr *y, const char *key, const char *t, size_t n, uint32_t col);

/* A one-line flow mapping {a: 1, b: "x"}: entered as key, each member a value. */
static bool flow_map(struct yr *y, const char *key, const char *t, size_t n, uint32_t col)
{
    size_t e = n;
    while (e > 0 && t[e - 1] != '}') {
        e--;
    }
    if (e == 0) {
        return yfail(y, "a flow mapping must end on its line");
    }
    if (y->cb->enter) {
        y->cb->enter(y->cb->ctx, key, y->line);
    }
    size_t i = 1;
    bool ok = true;
    while (ok && i < e - 1) {
        size_t a = i;
        char q = 0;
        while (i < e - 1 && (q || t[i] != ',')) {
            q = (t[i] == '"' || t[i] == '\'') ? (q == t[i] ? 0 : q ? q : t[i]) : q;
            i++;
        }
        size_t m = a;
        while (m < i && t[m] != ':') {
            m++;
        }
        while (a < m && t[a] == ' ') {
            a++;
        }
        size_t ke = m;
        while (ke > a && t[ke - 1] == ' ') {
            ke--;
        }
        if (m < i && ke > a) {
            char k[KEY_MAX];
            snprintf(k, sizeof k, "%.*s", (int)(ke - a < KEY_MAX ? ke - a : KEY_MAX - 1), t + a);
            ok = emit_value(y, k, t + m + 1, i - m - 1, col + (uint32_t)m + 1);
        } else if (i > a) {
            ok = yfail(y, "'key: value' expected in a flow mapping");
        }
        i++;
    }
    if (y->cb->leave) {
        y->cb->leave(y->cb->ctx, key);
    }
    return ok;
}

static bool emit_value(struct yr *y, const char *key, const char *t, size_t n, uint32_t col)
{
    while (n && (*t == ' ' || *t == '\t')) {
        t++, n--, col++;
    }
    if (n && t[0] == '{') {
        return flow_map(y, key, t, n, col);
    }
    if (n && t[0] == '[') { /* a one-line flow sequence */
        size_t i = 1;
        while (i < n && t[i] != ']') {
            size_t a = i;
            bool quoted = false;
            while (i < n && ((t[i] != ',' && t[i] != ']') || quoted)) {
                quoted = (t[i] == '"' || t[i] == '\'') ? !quoted : quoted;
                i++;
            }
            while (a < i && t[a] == ' ') {
                a++;
            }
            struct td_sbuf v = {.max = LINE_MAX_LEN};
            bool ok = scalar(y, t + a, i - a, &v);
            if (ok && v.len && y->cb->value) {
                y->cb->value(y->cb->ctx, key, v.p, y->line, col + (uint32_t)a);
            }
            td_sbuf_free(&v);
            if (!ok) {
                return false;
            }
            i += i < n && t[i] == ',';
        }
        return i < n || yfail(y, "a flow sequence must end on its line");
    }
    struct td_sbuf v = {.max = LINE_MAX_LEN};
    bool ok = scalar(y, t, n, &v);
    if (ok && v.p && y->cb->value) {
        y->cb->value(y->cb->ctx, key, v.p, y->line, col);
    }
    td_sbuf_free(&v);
    return ok;
}

/* "key: rest" at indent in the current mapping. */
static bool map_line(struct yr *y, int indent, const char *t, size_t n)
{
    size_t c = 0;
    bool quoted = n && (t[0] == '"' || t[0] == '\'');
    for (c = quoted ? 1 : 0; c < n; c++) {
        if (quoted ? t[c] == t[0] : (t[c] == ':' && (c + 1 == n || t[c + 1] == ' '))) {
            break;
        }
    }
    if (quoted && c < n) {
        c++;
    }
    if (c >= n || t[c] != ':' || c == 0) {
        return yfail(y, "'key: value' expected");
    }
    char key[KEY_MAX];
    size_t kl = quoted ? c - 2 : c;
    snprintf(key, sizeof key, "%.*s", (int)(kl < KEY_MAX ? kl : KEY_MAX - 1), t + (quoted ? 1 : 0));
    size_t r = c + 1;
    while (r < n && t[r] == ' ') {
        r++;
    }
    if (r == n || t[r] == '#') {
        td_strcopy(y->pending, sizeof y->pending, key);
        y->pending_indent = indent;
        y->has_pending = true;
        y->pending_item = false;
        return true;
    }
    if (t[r] == '|' || t[r] == '>') {
        y->block_scalar = true; /* its lines are skipped by indentation */
        y->has_pending = false;
        return true;
    }
    return emit_value(y, key, t + r, n - r, (uint32_t)(indent + r + 1));
}

static bool item_line(struct yr *y, int indent, const char *t, size_t n);

static bool block_line(struct yr *y, int indent, const char *t, size_t n)
{
    bool dash = n && t[0] == '-' && (n == 1 || t[1] == ' ');
    if (y->has_pending) { /* the block of "key:" or of "- " */
        y->has_pending = false;
        const char *key = y->pending_item ? y->st[y->depth - 1].key : y->pending;
        if (dash && indent >= y->pending_indent && !y->pending_item) {
            if (!push(y, indent, true, key, false)) {
                return false;
            }
        } else if (indent > y->pending_indent && !push(y, indent, false, key, true)) {
            return false;
        }
    }
    while (y->depth > 1) {
        struct yframe *f = &y->st[y->depth - 1];
        if (indent < f->indent || (f->seq && indent == f->indent && !dash)) {
            pop(y);
        } else {
            break;
        }
    }
    struct yframe *f = &y->st[y->depth - 1];
    if (dash) {
        if (!f->seq || indent != f->indent) {
            return yfail(y, "a sequence item where none is expected");
        }
        return item_line(y, indent, t, n);
    }
    if (f->seq || indent != f->indent) {
        return yfail(y, "indentation does not match a mapping");
    }
    return map_line(y, indent, t, n);
}

static bool item_line(struct yr *y, int indent, const char *t, size_t n)
{
    size_t r = 1;
    while (r < n && t[r] == ' ') {
        r++;
    }
    const char *key = y->st[y->depth - 1].key;
    if (r == n || t[r] == '#') {
        y->has_pending = true;
        y->pending_item = true;
        y->pending_indent = indent;
        return true;
    }
    bool is_map = false;
    for (size_t i = r; i < n && t[i] != '"' && t[i] != '\'' && t[i] != '['; i++) {
        if (t[i] == ':' && (i + 1 == n || t[i + 1] == ' ')) {
            is_map = true;
            break;
        }
        if (t[i] == '#') {
            break;
        }
    }
    if (!is_map) {
        return emit_value(y, key, t + r, n - r, (uint32_t)(indent + r + 1));
    }
    int inner = indent + (int)r;
    return push(y, inner, false, key, true) && map_line(y, inner, t + r, n - r);
}

static bool next_line(struct yr *y)
{
    uint8_t b;
    y->len = 0;
    y->line = y->s->line;
    while (td_scan_get(y->s, &b) && b != '\n') {
        if (y->len == LINE_MAX_LEN) {
            return td_scan_fail(y->s, "line longer than %u bytes", LINE_MAX_LEN);
        }
        y->text[y->len++] = (char)b;
    }
    y->text[y->len] = '\0';
    return true;
}

bool td_yaml_parse(struct td_scan *s, const struct td_tree_cb *cb)
{
    struct yr *y = td_calloc(1, sizeof *y);
    y->s = s;
    y->cb = cb;
    y->pending_indent = -1;
    push(y, 0, false, "", false);
    int skip_deeper_than = -1; /* inside a block scalar */
    bool ok = true;
    while (ok && !td_scan_eof(s)) {
        ok = next_line(y);
        size_t i = 0;
        while (ok && i < y->len && y->text[i] == ' ') {
            i++;
        }
        size_t n = y->len;
        while (n > i && (y->text[n - 1] == '\r' || y->text[n - 1] == ' ')) {
            n--;
        }
        if (!ok || i == n || y->text[i] == '#' ||
            (i == 0 && (strncmp(y->text, "---", 3) == 0 || strncmp(y->text, "...", 3) == 0))) {
            continue;
        }
        if (y->text[i] == '\t') {
            ok = yfail(y, "a tab in YAML indentation");
            break;
        }
        if (skip_deeper_than >= 0 && (int)i > skip_deeper_than) {
            continue;
        }
        skip_deeper_than = -1;
        ok = block_line(y, (int)i, y->text + i, n - i);
        if (ok && y->block_scalar) {
            y->block_scalar = false;
            skip_deeper_than = (int)i;
        }
    }
    while (ok && y->depth > 0) {
        pop(y);
    }
    free(y);
    return ok;
}
