/* Allocation and byte helpers. The only place that calls malloc/memcpy/memcmp
 * directly (tools/check_layers.sh enforces it): allocation failure aborts with
 * a message, so callers never carry half-initialised state. */
#ifndef TD_BASE_MEM_H
#define TD_BASE_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *td_malloc(size_t n);
void *td_calloc(size_t num, size_t size);
void *td_realloc(void *p, size_t n);
void *td_memdup(const void *p, size_t n);
char *td_strndup(const char *s, size_t n);
/* snprintf(dst, size, "%s", src) without printf: at most size - 1 bytes,
 * always terminated (size > 0); NULL is "(null)", as glibc prints it. */
void td_strcopy(char *dst, size_t size, const char *src);
void td_memcopy(void *dst, const void *src, size_t n);
void td_memmove(void *dst, const void *src, size_t n);
bool td_mem_eq(const void *a, const void *b, size_t n);
void td_memzero(void *p, size_t n);

/* A growable byte buffer. */
struct td_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

void td_buf_free(struct td_buf *b);
void td_buf_reset(struct td_buf *b);
/* Drop the first n bytes. */
void td_buf_consume(struct td_buf *b, size_t n);
void td_buf_append_slow(struct td_buf *b, const void *p, size_t n);
/* Appends are the renderers' inner loop: the common case stays inline. */
static inline void td_buf_append(struct td_buf *b, const void *p, size_t n)
{
    if (n == 0) {
        return; /* p may be NULL then */
    }
    if (b->len + n + 1 <= b->cap) {
        __builtin_memcpy(b->data + b->len, p, n);
        b->len += n;
        return;
    }
    td_buf_append_slow(b, p, n);
}
/* A number in this machine's byte order from unaligned bytes, inlined (a
 * capture file's record headers, read in place). */
static inline uint32_t td_load_u32(const void *p)
{
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}
static inline uint16_t td_load_u16(const void *p)
{
    uint16_t v;
    __builtin_memcpy(&v, p, 2);
    return v;
}
void td_buf_putc_slow(struct td_buf *b, char c);
static inline void td_buf_putc(struct td_buf *b, char c)
{
    if (b->len + 2 <= b->cap) {
        b->data[b->len++] = (uint8_t)c;
        return;
    }
    td_buf_putc_slow(b, c);
}
void td_buf_puts(struct td_buf *b, const char *s);
void td_buf_printf(struct td_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The renderers' most frequent formats without printf: v in decimal (%llu),
 * and padded with spaces on the right up to width bytes (%-*llu, %-*s). */
void td_buf_put_u64(struct td_buf *b, uint64_t v);
void td_buf_put_u64_left(struct td_buf *b, uint64_t v, size_t width);
void td_buf_puts_left(struct td_buf *b, const char *s, size_t width);
/* Give back the spare room (a buffer kept a long while). */
void td_buf_shrink(struct td_buf *b);
/* NUL-terminated view of the contents (the NUL is not counted in len). */
const char *td_buf_cstr(struct td_buf *b);

#endif
