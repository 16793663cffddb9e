#include "base/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

static void *check(void *p, size_t n)
{
    if (!p && n) {
        fputs("tlsdiag: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *td_malloc(size_t n) { return check(malloc(n ? n : 1), 1); }
void *td_calloc(size_t num, size_t size) { return check(calloc(num ? num : 1, size ? size : 1), 1); }
void *td_realloc(void *p, size_t n) { return check(realloc(p, n ? n : 1), 1); }

void *td_memdup(const void *p, size_t n)
{
    void *q = td_malloc(n);
    if (n) {
        memcpy(q, p, n);
    }
    return q;
}

char *td_strndup(const char *s, size_t n)
{
    char *q = td_malloc(n + 1);
    if (n) {
        memcpy(q, s, n);
    }
    q[n] = '\0';
    return q;
}

void td_strcopy(char *dst, size_t size, const char *src)
{
    if (size == 0) {
        return;
    }
    if (!src) {
        src = "(null)";
    }
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void td_memcopy(void *dst, const void *src, size_t n)
{
    if (n) {
        memcpy(dst, src, n);
    }
}

void td_memmove(void *dst, const void *src, size_t n)
{
    if (n) {
        memmove(dst, src, n);
    }
}

bool td_mem_eq(const void *a, const void *b, size_t n) { return n == 0 || memcmp(a, b, n) == 0; }
void td_memzero(void *p, size_t n)
{
    if (n) {
        memset(p, 0, n);
    }
}

void td_buf_free(struct td_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void td_buf_reset(struct td_buf *b) { b->len = 0; }

void td_buf_consume(struct td_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    td_memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

static void reserve(struct td_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        cap *= 2;
    }
    b->data = td_realloc(b->data, cap);
    b->cap = cap;
}

void td_buf_append_slow(struct td_buf *b, const void *p, size_t n)
{
    reserve(b, n);
    td_memcopy(b->data + b->len, p, n);
    b->len += n;
}

void td_buf_putc_slow(struct td_buf *b, char c) { td_buf_append_slow(b, &c, 1); }
void td_buf_puts(struct td_buf *b, const char *s) { td_buf_append(b, s, strlen(s)); }

static void pad_to(struct td_buf *b, size_t start, size_t width)
{
    while (b->len - start < width) {
        td_buf_putc(b, ' ');
    }
}

void td_buf_put_u64(struct td_buf *b, uint64_t v)
{
    char d[20];
    size_t n = 0;
    do {
        d[sizeof d - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    td_buf_append(b, d + sizeof d - n, n);
}

void td_buf_put_u64_left(struct td_buf *b, uint64_t v, size_t width)
{
    size_t start = b->len;
    td_buf_put_u64(b, v);
    pad_to(b, start, width);
}

void td_buf_puts_left(struct td_buf *b, const char *s, size_t width)
{
    size_t start = b->len;
    td_buf_puts(b, s);
    pad_to(b, start, width);
}

/* Spaces up to width before (right) or after (left) the n bytes of p. */
static void put_padded(struct td_buf *b, const char *p, size_t n, size_t width, bool left)
{
    if (!left) {
        for (size_t k = n; k < width; k++) {
            td_buf_putc(b, ' ');
        }
    }
    td_buf_append(b, p, n);
    if (left) {
        for (size_t k = n; k < width; k++) {
            td_buf_putc(b, ' ');
        }
    }
}

/* The formats the renderers use most, without printf: %s, %c, %%, and %d
 * %u %ld %lu %lld %llu %zu, each with an optional '-' and a width. false
 * on anything else (the caller formats the whole text with vsnprintf). */
static bool fmt_fast(struct td_buf *b, const char *fmt, va_list *ap)
{
    for (const char *p = fmt; *p;) {
        const char *q = p;
        while (*q && *q != '%') {
            q++;
        }
        td_buf_append(b, p, (size_t)(q - p));
        if (!*q) {
            return true;
        }
        q++;
        if (*q == '0') {
            return false; /* zero padding */
        }
        bool left = *q == '-';
        q += left;
        size_t width = 0;
        while (*q >= '0' && *q <= '9') {
            width = width * 10 + (size_t)(*q++ - '0');
            if (width > 4096) {
                return false;
            }
        }
        int longs = 0;
        bool size = false;
        if (*q == 'z') {
            size = true;
            q++;
        } else {
            while (*q == 'l' && longs < 2) {
                longs++;
                q++;
            }
        }
        char d[24];
        size_t n = 0;
        bool neg = false;
        unsigned long long v = 0;
        switch (*q) {
        case '%':
            if (width || left || longs || size) {
                return false;
            }
            td_buf_putc(b, '%');
            p = q + 1;
            continue;
        case 's': {
            if (longs || size) {
                return false;
            }
            const char *s = va_arg(*ap, const char *);
            if (!s) {
                s = "(null)";
            }
            put_padded(b, s, strlen(s), width, left);
            p = q + 1;
            continue;
        }
        case 'c': {
            if (longs || size) {
                return false;
            }
            char c = (char)va_arg(*ap, int);
            put_padded(b, &c, 1, width, left);
            p = q + 1;
            continue;
        }
        case 'u':
            v = size         ? va_arg(*ap, size_t)
                : longs == 2 ? va_arg(*ap, unsigned long long)
                : longs == 1 ? va_arg(*ap, unsigned long)
                             : va_arg(*ap, unsigned);
            break;
        case 'd': {
            if (size) {
                return false;
            }
            long long x = longs == 2 ? va_arg(*ap, long long) : longs == 1 ? va_arg(*ap, long) : va_arg(*ap, int);
            neg = x < 0;
            v = neg ? 0ull - (unsigned long long)x : (unsigned long long)x;
            break;
        }
        default:
            return false;
        }
        do {
            d[sizeof d - ++n] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        if (neg) {
            d[sizeof d - ++n] = '-';
        }
        put_padded(b, d + sizeof d - n, n, width, left);
        p = q + 1;
    }
    return true;
}

void td_buf_printf(struct td_buf *b, const char *fmt, ...)
{
    va_list ap, again;
    size_t start = b->len;
    va_start(ap, fmt);
    va_copy(again, ap);
    bool done = fmt_fast(b, fmt, &ap);
    va_end(ap);
    if (done) {
        va_end(again);
        return;
    }
    b->len = start;
    reserve(b, 128);
    /* One pass when it fits in the spare room, which it nearly always does. */
    size_t room = b->cap - b->len;
    va_list twice;
    va_copy(twice, again);
    int n = vsnprintf((char *)b->data + b->len, room, fmt, again);
    va_end(again);
    if (n >= 0 && (size_t)n >= room) {
        reserve(b, (size_t)n);
        vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, twice);
    }
    va_end(twice);
    if (n >= 0) {
        b->len += (size_t)n;
    }
}

void td_buf_shrink(struct td_buf *b)
{
    if (b->data && b->cap > b->len + 1) {
        b->data = td_realloc(b->data, b->len + 1);
        b->cap = b->len + 1;
    }
}

const char *td_buf_cstr(struct td_buf *b)
{
    reserve(b, 0);
    b->data[b->len] = '\0';
    return (const char *)b->data;
}
