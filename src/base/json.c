#include "base/json.h"

#include <inttypes.h>
#include <string.h>

#include "base/escape.h"

#include "base/banned.h"

void td_json_init(struct td_json *j, struct td_buf *out)
{
    j->out = out;
    j->depth = 0;
    j->need_comma[0] = false;
}

static void key(struct td_json *j, const char *k)
{
    if (j->need_comma[j->depth]) {
        td_buf_putc(j->out, ',');
    }
    j->need_comma[j->depth] = true;
    if (k) { /* keys are tlsdiag's own literals: nothing to escape */
        td_buf_putc(j->out, '"');
        td_buf_append(j->out, k, strlen(k));
        td_buf_append(j->out, "\":", 2);
    }
}

static void json_open(struct td_json *j, const char *k, char c)
{
    key(j, k);
    td_buf_putc(j->out, c);
    if (j->depth + 1 < TD_JSON_MAX_DEPTH) {
        j->depth++;
    }
    j->need_comma[j->depth] = false;
}

static void json_close(struct td_json *j, char c)
{
    td_buf_putc(j->out, c);
    if (j->depth > 0) {
        j->depth--;
    }
}

void td_json_obj_begin(struct td_json *j, const char *k) { json_open(j, k, '{'); }
void td_json_obj_end(struct td_json *j) { json_close(j, '}'); }
void td_json_arr_begin(struct td_json *j, const char *k) { json_open(j, k, '['); }
void td_json_arr_end(struct td_json *j) { json_close(j, ']'); }

static bool is_hex(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

/* s starts "\xNN" (any case): what the decoder below would take for a byte. */
static bool looks_hex_escape(const unsigned char *s, size_t n)
{
    return n >= 4 && s[0] == '\\' && s[1] == 'x' && is_hex(s[2]) && is_hex(s[3]);
}

void td_json_escape(struct td_buf *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    td_buf_putc(out, '"');
    for (size_t i = 0; i < n;) {
        /* the common case: a run of printable ASCII, appended at once */
        size_t run = i;
        while (run < n && u[run] >= 0x20 && u[run] < 0x7f && u[run] != '"' && u[run] != '\\') {
            run++;
        }
        if (run > i) {
            td_buf_append(out, u + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = u[i];
        if (c == '"') {
            td_buf_puts(out, "\\\"");
            i++;
        } else if (c == '\\') {
            /* a backslash that would read as \xNN is itself written \x5c */
            td_buf_puts(out, looks_hex_escape(u + i, n - i) ? "\\\\x5c" : "\\\\");
            i++;
        } else if (c == '\n') {
            td_buf_puts(out, "\\n");
            i++;
        } else if (c == '\r') {
            td_buf_puts(out, "\\r");
            i++;
        } else if (c == '\t') {
            td_buf_puts(out, "\\t");
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            td_buf_printf(out, "\\u%04x", c);
            i++;
        } else {
            size_t k = td_utf8_seq(u + i, n - i);
            if (k == 0) { /* the decoded string holds the 4 characters \xNN */
                td_buf_printf(out, "\\\\x%02x", c);
                i++;
            } else {
                td_buf_append(out, u + i, k);
                i += k;
            }
        }
    }
    td_buf_putc(out, '"');
}

void td_json_str(struct td_json *j, const char *k, const char *s)
{
    if (!s) {
        td_json_null(j, k);
        return;
    }
    td_json_strn(j, k, s, strlen(s));
}

void td_json_strn(struct td_json *j, const char *k, const char *s, size_t n)
{
    key(j, k);
    td_json_escape(j->out, s, n);
}

void td_json_name(struct td_json *j, const char *k, const char *s)
{
    key(j, k);
    td_buf_putc(j->out, '"');
    td_buf_append(j->out, s, strlen(s));
    td_buf_putc(j->out, '"');
}

void td_json_u64(struct td_json *j, const char *k, uint64_t v)
{
    char digits[24];
    size_t n = sizeof digits;
    key(j, k);
    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    td_buf_append(j->out, digits + n, sizeof digits - n);
}

void td_json_i64(struct td_json *j, const char *k, int64_t v)
{
    key(j, k);
    td_buf_printf(j->out, "%" PRId64, v);
}

void td_json_bool(struct td_json *j, const char *k, bool v)
{
    key(j, k);
    td_buf_puts(j->out, v ? "true" : "false");
}

void td_json_null(struct td_json *j, const char *k)
{
    key(j, k);
    td_buf_puts(j->out, "null");
}

void td_json_raw(struct td_json *j, const char *k, const char *raw)
{
    key(j, k);
    td_buf_puts(j->out, raw);
}
