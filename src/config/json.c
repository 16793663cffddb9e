/* A bounded JSON reader (RFC 8259) that keeps lines: the Apigee management
 * API's TargetServer and VirtualHost objects, Envoy's JSON. Produces tree
 * events: a member holding an object is entered and left, a scalar is a value
 * (each scalar of an array a value of the array's name), null is nothing.
 * Depth and string sizes are limited; bad JSON is an error at line:column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "config/internal.h"

#include "base/banned.h"

#define STR_MAX (64u << 10)

struct jr {
    struct td_scan *s;
    const struct td_tree_cb *cb;
    int depth;
};

static bool parse_value(struct jr *j, const char *key);

static int hexval(uint8_t b)
{
    return b >= '0' && b <= '9'   ? b - '0'
           : b >= 'a' && b <= 'f' ? b - 'a' + 10
           : b >= 'A' && b <= 'F' ? b - 'A' + 10
                                  : -1;
}

static bool read_u4(struct td_scan *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t b;
        if (!td_scan_get(s, &b) || hexval(b) < 0) {
            return td_scan_fail(s, "bad \\u escape");
        }
        v = v * 16 + (uint32_t)hexval(b);
    }
    *out = v;
    return true;
}

static bool read_escape(struct td_scan *s, struct td_sbuf *t)
{
    uint8_t b;
    if (!td_scan_get(s, &b)) {
        return td_scan_fail(s, "unterminated string");
    }
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *p = strchr(from, b);
    if (p && b) {
        td_sbuf_putc(t, to[p - from]);
        return true;
    }
    if (b != 'u') {
        return td_scan_fail(s, "bad escape \\%c", b >= ' ' && b < 0x7f ? b : '?');
    }
    uint32_t c;
    if (!read_u4(s, &c)) {
        return false;
    }
    if (c >= 0xD800 && c <= 0xDBFF) {
        uint32_t lo;
        if (!td_scan_accept(s, "\\u") || !read_u4(s, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
            return td_scan_fail(s, "unpaired surrogate in \\u escape");
        }
        c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
    } else if (c >= 0xDC00 && c <= 0xDFFF) {
        return td_scan_fail(s, "unpaired surrogate in \\u escape");
    }
    if (c < 0x80) {
        td_sbuf_putc(t, (char)c);
    } else if (c < 0x800) {
        td_sbuf_putc(t, (char)(0xC0 | (c >> 6)));
        td_sbuf_putc(t, (char)(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        td_sbuf_putc(t, (char)(0xE0 | (c >> 12)));
        td_sbuf_putc(t, (char)(0x80 | ((c >> 6) & 0x3F)));
        td_sbuf_putc(t, (char)(0x80 | (c & 0x3F)));
    } else {
        td_sbuf_putc(t, (char)(0xF0 | (c >> 18)));
        td_sbuf_putc(t, (char)(0x80 | ((c >> 12) & 0x3F)));
        td_sbuf_putc(t, (char)(0x80 | ((c >> 6) & 0x3F)));
        td_sbuf_putc(t, (char)(0x80 | (c & 0x3F)));
    }
    return true;
}

/* A string after its opening quote, into t. */
static bool read_string(struct td_scan *s, struct td_sbuf *t)
{
    uint8_t b;
    for (;;) {
        if (!td_scan_get(s, &b)) {
            return td_scan_fail(s, "unterminated string");
        }
        if (b == '"') {
            break;
        }
        if (b < 0x20) {
            return td_scan_fail(s, "control character in a string");
        }
        if (b == '\\') {
            if (!read_escape(s, t)) {
                return false;
            }
        } else {
            td_sbuf_putc(t, (char)b);
        }
    }
    return !t->over || td_scan_fail(s, "string longer than %u bytes", STR_MAX);
}

static bool read_scalar(struct jr *j, const char *key)
{
    struct td_scan *s = j->s;
    uint32_t line = s->line, col = s->col;
    struct td_sbuf t = {.max = STR_MAX};
    bool ok;
    uint8_t b = 0;
    td_scan_peek(s, 0, &b);
    if (b == '"') {
        td_scan_get(s, NULL);
        ok = read_string(s, &t);
    } else if (td_scan_accept(s, "true") || td_scan_accept(s, "false")) {
        ok = true;
        const char *w = b == 't' ? "true" : "false";
        for (; *w; w++) {
            td_sbuf_putc(&t, *w);
        }
    } else if (td_scan_accept(s, "null")) {
        td_sbuf_free(&t);
        return true;
    } else if (b == '-' || (b >= '0' && b <= '9')) {
        while (td_scan_peek(s, 0, &b) && (strchr("+-.eE", b) || (b >= '0' && b <= '9')) && b) {
            td_scan_get(s, NULL);
            td_sbuf_putc(&t, (char)b);
        }
        ok = true;
    } else {
        ok = td_scan_fail(s, "a JSON value expected");
    }
    if (ok && key && j->cb->value) {
        j->cb->value(j->cb->ctx, key, t.p ? t.p : "", line, col);
    }
    td_sbuf_free(&t);
    return ok;
}

static bool parse_object(struct jr *j, const char *key)
{
    struct td_scan *s = j->s;
    if (key && j->cb->enter) {
        j->cb->enter(j->cb->ctx, key, s->line);
    }
    td_scan_get(s, NULL); /* '{' */
    td_scan_skip_ws(s);
    bool ok = true;
    if (!td_scan_accept(s, "}")) {
        for (;;) {
            struct td_sbuf k = {.max = 1024};
            td_scan_skip_ws(s);
            ok = td_scan_accept(s, "\"") ? read_string(s, &k) : td_scan_fail(s, "a member name expected");
            td_scan_skip_ws(s);
            ok = ok && (td_scan_accept(s, ":") || td_scan_fail(s, "':' expected"));
            ok = ok && parse_value(j, k.p ? k.p : "");
            td_sbuf_free(&k);
            td_scan_skip_ws(s);
            if (!ok || td_scan_accept(s, "}")) {
                break;
            }
            if (!td_scan_accept(s, ",")) {
                ok = td_scan_fail(s, "',' or '}' expected");
                break;
            }
        }
    }
    if (ok && key && j->cb->leave) {
        j->cb->leave(j->cb->ctx, key);
    }
    return ok;
}

static bool parse_array(struct jr *j, const char *key)
{
    struct td_scan *s = j->s;
    td_scan_get(s, NULL); /* '[' */
    td_scan_skip_ws(s);
    if (td_scan_accept(s, "]")) {
        return true;
    }
    for (;;) {
        if (!parse_value(j, key)) {
            return false;
        }
        td_scan_skip_ws(s);
        if (td_scan_accept(s, "]")) {
            return true;
        }
        if (!td_scan_accept(s, ",")) {
            return td_scan_fail(s, "',' or ']' expected");
        }
    }
}

static bool parse_value(struct jr *j, const char *key)
{
    td_scan_skip_ws(j->s);
    uint8_t b = 0;
    td_scan_peek(j->s, 0, &b);
    if (b != '{' && b != '[') {
        return read_scalar(j, key);
    }
    if (j->depth == TD_CONF_MAX_DEPTH) {
        return td_scan_fail(j->s, "nested deeper than %d", TD_CONF_MAX_DEPTH);
    }
    j->depth++;
    bool ok = b == '{' ? parse_object(j, key) : parse_array(j, key);
    j->depth--;
    return ok;
}

bool td_json_parse(struct td_scan *s, const struct td_tree_cb *cb)
{
    struct jr j = {.s = s, .cb = cb};
    if (td_scan_looking_at(s, "\xEF\xBB\xBF")) {
        td_scan_accept(s, "\xEF\xBB\xBF");
    }
    if (!parse_value(&j, NULL)) {
        return false;
    }
    td_scan_skip_ws(s);
    return td_scan_eof(s) || td_scan_fail(s, "bytes after the JSON value");
}
