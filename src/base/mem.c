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

void td_buf_printf(struct td_buf *b, const char *fmt, ...)
{
    va_list ap;
    reserve(b, 128);
    /* One pass when it fits in the spare room, which it nearly always does. */
    size_t room = b->cap - b->len;
    va_start(ap, fmt);
    int n = vsnprintf((char *)b->data + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n >= room) {
        reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

const char *td_buf_cstr(struct td_buf *b)
{
    reserve(b, 0);
    b->data[b->len] = '\0';
    return (const char *)b->data;
}
