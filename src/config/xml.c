/* A bounded XML tokenizer, enough for Apigee Edge's TargetEndpoint,
 * TargetServer and VirtualHost files: elements, attributes, text, comments,
 * CDATA, processing instructions, a DOCTYPE without internal subset, and the
 * five predefined entities plus character references. No namespaces
 * processing (a prefix is part of the name), no external anything. Elements
 * holding only text become tree values; the others are entered and left.
 * Depth, name and text sizes are limited; any violation is an error at
 * line:column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "config/internal.h"

#include "base/banned.h"

#define NAME_MAX_LEN 128
#define TEXT_MAX (64u << 10)

struct frame {
    char name[NAME_MAX_LEN + 1];
    uint32_t line, col;
    bool entered;
    struct td_sbuf text;
};

struct xp {
    struct td_scan *s;
    const struct td_tree_cb *cb;
    struct frame st[TD_CONF_MAX_DEPTH];
    int depth;
    bool root_done;
};

static bool name_char(uint8_t b, bool first)
{
    if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '_' || b == ':' || b >= 0x80) {
        return true;
    }
    return !first && ((b >= '0' && b <= '9') || b == '-' || b == '.');
}

static bool read_name(struct td_scan *s, char *out)
{
    uint8_t b;
    size_t n = 0;
    while (td_scan_peek(s, 0, &b) && name_char(b, n == 0)) {
        if (n == NAME_MAX_LEN) {
            return td_scan_fail(s, "name longer than %d bytes", NAME_MAX_LEN);
        }
        td_scan_get(s, NULL);
        out[n++] = (char)b;
    }
    out[n] = '\0';
    return n > 0 || td_scan_fail(s, "a name expected");
}

static void put_utf8(struct td_sbuf *t, uint32_t c)
{
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
}

/* After '&': a predefined entity or a character reference, up to ';'. */
static bool read_entity(struct td_scan *s, struct td_sbuf *t)
{
    static const struct {
        const char *name;
        char c;
    } ents[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
    for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++) {
        if (td_scan_accept(s, ents[i].name)) {
            td_sbuf_putc(t, ents[i].c);
            return true;
        }
    }
    if (!td_scan_accept(s, "#")) {
        return td_scan_fail(s, "unknown entity (only &lt; &gt; &amp; &quot; &apos; and &#N;)");
    }
    bool hex = td_scan_accept(s, "x");
    uint32_t v = 0;
    int digits = 0;
    uint8_t b;
    while (td_scan_get(s, &b) && b != ';') {
        int d = b >= '0' && b <= '9'          ? b - '0'
                : hex && b >= 'a' && b <= 'f' ? b - 'a' + 10
                : hex && b >= 'A' && b <= 'F' ? b - 'A' + 10
                                              : -1;
        if (d < 0 || ++digits > 7) {
            return td_scan_fail(s, "bad character reference");
        }
        v = v * (hex ? 16u : 10u) + (uint32_t)d;
    }
    if (b != ';' || digits == 0 || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        return td_scan_fail(s, "bad character reference");
    }
    put_utf8(t, v);
    return true;
}

/* A quoted attribute value (checked, not kept). */
static bool read_attrs(struct xp *x, bool *self_closing)
{
    struct td_scan *s = x->s;
    for (;;) {
        td_scan_skip_ws(s);
        if (td_scan_accept(s, "/>")) {
            *self_closing = true;
            return true;
        }
        if (td_scan_accept(s, ">")) {
            *self_closing = false;
            return true;
        }
        char name[NAME_MAX_LEN + 1];
        uint8_t q;
        if (!read_name(s, name)) {
            return false;
        }
        td_scan_skip_ws(s);
        if (!td_scan_accept(s, "=")) {
            return td_scan_fail(s, "'=' expected after attribute %s", name);
        }
        td_scan_skip_ws(s);
        if (!td_scan_get(s, &q) || (q != '"' && q != '\'')) {
            return td_scan_fail(s, "a quoted value expected for attribute %s", name);
        }
        struct td_sbuf v = {.max = TEXT_MAX};
        uint8_t b = 0;
        bool ok = true;
        while (ok && td_scan_get(s, &b) && b != q) {
            ok = b == '<' ? td_scan_fail(s, "'<' in an attribute value") : b == '&' ? read_entity(s, &v) : true;
        }
        td_sbuf_free(&v);
        if (!ok) {
            return false;
        }
        if (b != q) {
            return td_scan_fail(s, "unterminated attribute value");
        }
    }
}

static void emit_enter(struct xp *x)
{
    if (x->depth > 0 && !x->st[x->depth - 1].entered) {
        struct frame *p = &x->st[x->depth - 1];
        p->entered = true;
        if (x->cb->enter) {
            x->cb->enter(x->cb->ctx, p->name, p->line);
        }
    }
}

static bool close_frame(struct xp *x)
{
    struct frame *f = &x->st[x->depth - 1];
    if (f->text.over) {
        return td_scan_fail(x->s, "text of <%s> longer than %u bytes", f->name, TEXT_MAX);
    }
    if (!f->entered) {
        const char *t = f->text.p ? f->text.p : "";
        size_t a = 0, e = strlen(t);
        while (a < e && (t[a] == ' ' || t[a] == '\t' || t[a] == '\r' || t[a] == '\n')) {
            a++;
        }
        while (e > a && (t[e - 1] == ' ' || t[e - 1] == '\t' || t[e - 1] == '\r' || t[e - 1] == '\n')) {
            e--;
        }
        char *v = td_strndup(t + a, e - a);
        if (x->cb->value) {
            x->cb->value(x->cb->ctx, f->name, v, f->line, f->col);
        }
        free(v);
    } else if (x->cb->leave) {
        x->cb->leave(x->cb->ctx, f->name);
    }
    td_sbuf_free(&f->text);
    x->depth--;
    if (x->depth == 0) {
        x->root_done = true;
    }
    return true;
}

static bool open_tag(struct xp *x, uint32_t line, uint32_t col)
{
    if (x->root_done) {
        return td_scan_fail(x->s, "a second root element");
    }
    if (x->depth == TD_CONF_MAX_DEPTH) {
        return td_scan_fail(x->s, "elements nested deeper than %d", TD_CONF_MAX_DEPTH);
    }
    emit_enter(x);
    struct frame *f = &x->st[x->depth];
    td_memzero(f, sizeof *f);
    f->text.max = TEXT_MAX;
    f->line = line;
    f->col = col;
    if (!read_name(x->s, f->name)) {
        return false;
    }
    x->depth++;
    bool self_closing = false;
    if (!read_attrs(x, &self_closing)) {
        return false;
    }
    return self_closing ? close_frame(x) : true;
}

static bool close_tag(struct xp *x)
{
    char name[NAME_MAX_LEN + 1];
    if (!read_name(x->s, name)) {
        return false;
    }
    td_scan_skip_ws(x->s);
    if (!td_scan_accept(x->s, ">")) {
        return td_scan_fail(x->s, "'>' expected to close </%s", name);
    }
    if (x->depth == 0) {
        return td_scan_fail(x->s, "</%s> closes nothing", name);
    }
    if (strcmp(name, x->st[x->depth - 1].name) != 0) {
        return td_scan_fail(x->s, "</%s> closes <%s> (line %u)", name, x->st[x->depth - 1].name,
                            x->st[x->depth - 1].line);
    }
    return close_frame(x);
}

/* Skips to the end marker; false when it never comes. */
static bool skip_until(struct td_scan *s, const char *end, const char *what)
{
    while (!td_scan_eof(s)) {
        if (td_scan_accept(s, end)) {
            return true;
        }
        td_scan_get(s, NULL);
    }
    return td_scan_fail(s, "unterminated %s", what);
}

static bool markup(struct xp *x)
{
    struct td_scan *s = x->s;
    uint32_t line = s->line, col = s->col;
    if (td_scan_accept(s, "<!--")) {
        return skip_until(s, "-->", "comment");
    }
    if (td_scan_accept(s, "<![CDATA[")) {
        if (x->depth == 0) {
            return td_scan_fail(s, "CDATA outside the root element");
        }
        while (!td_scan_eof(s) && !td_scan_looking_at(s, "]]>")) {
            uint8_t b = 0;
            td_scan_get(s, &b);
            td_sbuf_putc(&x->st[x->depth - 1].text, (char)b);
        }
        return td_scan_accept(s, "]]>") || td_scan_fail(s, "unterminated CDATA section");
    }
    if (td_scan_accept(s, "<?")) {
        return skip_until(s, "?>", "processing instruction");
    }
    if (td_scan_accept(s, "<!DOCTYPE")) {
        uint8_t b = 0;
        while (td_scan_get(s, &b) && b != '>') {
            if (b == '[') {
                return td_scan_fail(s, "a DOCTYPE internal subset is not read (entities could expand without bound)");
            }
        }
        return b == '>' || td_scan_fail(s, "unterminated DOCTYPE");
    }
    td_scan_get(s, NULL); /* '<' */
    if (td_scan_accept(s, "/")) {
        return close_tag(x);
    }
    return open_tag(x, line, col);
}

bool td_xml_parse(struct td_scan *s, const struct td_tree_cb *cb)
{
    struct xp *x = td_calloc(1, sizeof *x);
    x->s = s;
    x->cb = cb;
    bool ok = true;
    uint8_t b;
    if (td_scan_looking_at(s, "\xEF\xBB\xBF")) {
        td_scan_accept(s, "\xEF\xBB\xBF");
    }
    while (ok && td_scan_peek(s, 0, &b)) {
        if (b == '<') {
            ok = markup(x);
        } else if (b == '&') {
            td_scan_get(s, NULL);
            ok = x->depth > 0 ? read_entity(s, &x->st[x->depth - 1].text)
                              : td_scan_fail(s, "text outside the root element");
        } else {
            td_scan_get(s, NULL);
            if (x->depth > 0) {
                td_sbuf_putc(&x->st[x->depth - 1].text, (char)b);
            } else if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                ok = td_scan_fail(s, "text outside the root element");
            }
        }
    }
    if (ok && x->depth > 0) {
        ok = td_scan_fail(s, "end of file inside <%s> (line %u)", x->st[x->depth - 1].name, x->st[x->depth - 1].line);
    }
    if (ok && !x->root_done) {
        ok = td_scan_fail(s, "no element");
    }
    for (int i = 0; i < x->depth; i++) {
        td_sbuf_free(&x->st[i].text);
    }
    free(x);
    return ok;
}
