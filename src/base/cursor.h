/* A bounds-checked read cursor over bytes it does not own (after BoringSSL's CBS).
 *
 * Every read either succeeds and advances the cursor, or fails, returns false
 * and leaves the cursor where it was. No parser outside this file does pointer
 * arithmetic on input bytes. `base` remembers where the outermost buffer began,
 * so that a parser can report the offset at which input went wrong. */
#ifndef TD_BASE_CURSOR_H
#define TD_BASE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/mem.h"

struct td_cur {
    const uint8_t *p;    /* next unread byte */
    size_t len;          /* bytes left */
    const uint8_t *base; /* start of the outermost buffer, for offsets */
};

/* Defined here so that every parser inlines them: they run for every field
 * of every frame. */
static inline void td_cur_init(struct td_cur *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->len = p ? len : 0;
    c->base = p;
}

static inline size_t td_cur_len(const struct td_cur *c) { return c->len; }
static inline const uint8_t *td_cur_data(const struct td_cur *c) { return c->p; }

static inline size_t td_cur_offset(const struct td_cur *c) { return c->base ? (size_t)(c->p - c->base) : 0; }

static inline bool td_cur_get_be_(struct td_cur *c, size_t n, uint32_t *out)
{
    if (c->len < n) {
        return false;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | c->p[i];
    }
    c->p += n;
    c->len -= n;
    *out = v;
    return true;
}

static inline bool td_cur_get_u8(struct td_cur *c, uint8_t *out)
{
    uint32_t v;
    if (!td_cur_get_be_(c, 1, &v)) {
        return false;
    }
    *out = (uint8_t)v;
    return true;
}

static inline bool td_cur_get_u16(struct td_cur *c, uint16_t *out)
{
    uint32_t v;
    if (!td_cur_get_be_(c, 2, &v)) {
        return false;
    }
    *out = (uint16_t)v;
    return true;
}

static inline bool td_cur_get_u24(struct td_cur *c, uint32_t *out) { return td_cur_get_be_(c, 3, out); }
static inline bool td_cur_get_u32(struct td_cur *c, uint32_t *out) { return td_cur_get_be_(c, 4, out); }

static inline bool td_cur_skip(struct td_cur *c, size_t n)
{
    if (c->len < n) {
        return false;
    }
    c->p += n;
    c->len -= n;
    return true;
}

static inline bool td_cur_get_bytes(struct td_cur *c, struct td_cur *out, size_t n)
{
    if (c->len < n) {
        return false;
    }
    out->p = c->p;
    out->len = n;
    out->base = c->base;
    c->p += n;
    c->len -= n;
    return true;
}

static inline bool td_cur_copy(struct td_cur *c, uint8_t *out, size_t n)
{
    if (c->len < n) {
        return false;
    }
    td_memcopy(out, c->p, n);
    c->p += n;
    c->len -= n;
    return true;
}

static inline bool td_cur_prefixed_(struct td_cur *c, size_t len_bytes, struct td_cur *out)
{
    struct td_cur save = *c;
    uint32_t n;
    if (!td_cur_get_be_(c, len_bytes, &n) || !td_cur_get_bytes(c, out, n)) {
        *c = save;
        return false;
    }
    return true;
}

static inline bool td_cur_get_u8_prefixed(struct td_cur *c, struct td_cur *out) { return td_cur_prefixed_(c, 1, out); }
static inline bool td_cur_get_u16_prefixed(struct td_cur *c, struct td_cur *out) { return td_cur_prefixed_(c, 2, out); }
static inline bool td_cur_get_u24_prefixed(struct td_cur *c, struct td_cur *out) { return td_cur_prefixed_(c, 3, out); }

static inline bool td_cur_peek_u8(const struct td_cur *c, size_t at, uint8_t *out)
{
    if (at >= c->len) {
        return false;
    }
    *out = c->p[at];
    return true;
}

#endif
