#include "base/escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

size_t td_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t need;
    uint32_t min, cp;
    if (c < 0x80) {
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        need = 2, min = 0x80, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        need = 3, min = 0x800, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        need = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < need) {
        return 0;
    }
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return need;
}

/* Valid UTF-8 that a terminal still acts on: C1 controls (U+0080-U+009F,
 * 0x9b is CSI) and the marks that reorder or hide text (U+061C, U+200E-F,
 * U+202A-E, U+2066-9). */
static bool acts_on_terminal(const unsigned char *s, size_t k)
{
    if (k == 2) {
        return (s[0] == 0xc2 && s[1] < 0xa0) || (s[0] == 0xd8 && s[1] == 0x9c);
    }
    if (k != 3 || s[0] != 0xe2) {
        return false;
    }
    if (s[1] == 0x80) {
        return s[2] == 0x8e || s[2] == 0x8f || (s[2] >= 0xaa && s[2] <= 0xae);
    }
    return s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9;
}

static void hex_byte(struct td_buf *out, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char b[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
    td_buf_append(out, b, 4);
}

void td_text_escape(struct td_buf *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t run = i;
        while (run < n && u[run] >= 0x20 && u[run] < 0x7f) {
            run++;
        }
        if (run > i) {
            td_buf_append(out, u + i, run - i);
            i = run;
            continue;
        }
        size_t k = u[i] < 0x80 ? 0 : td_utf8_seq(u + i, n - i);
        if (k && !acts_on_terminal(u + i, k)) {
            td_buf_append(out, u + i, k);
            i += k;
            continue;
        }
        for (size_t e = i + (k ? k : 1); i < e; i++) {
            hex_byte(out, u[i]);
        }
    }
}

const char *td_esc(struct td_esc *e, const char *s)
{
    struct td_buf b = {0};
    td_text_escape(&b, s ? s : "", s ? strlen(s) : 0);
    e->s = td_realloc(e->s, (e->n + 1) * sizeof *e->s);
    td_buf_cstr(&b);
    e->s[e->n] = (char *)b.data;
    return e->s[e->n++];
}

void td_esc_free(struct td_esc *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->s[i]);
    }
    free(e->s);
    e->s = NULL;
    e->n = 0;
}
