#include "base/cursor.h"

#include "base/banned.h"

void td_cur_init(struct td_cur *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->len = p ? len : 0;
    c->base = p;
}

size_t td_cur_len(const struct td_cur *c) { return c->len; }
const uint8_t *td_cur_data(const struct td_cur *c) { return c->p; }

size_t td_cur_offset(const struct td_cur *c)
{
    return c->base ? (size_t)(c->p - c->base) : 0;
}

static bool get_be(struct td_cur *c, size_t n, uint32_t *out)
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

bool td_cur_get_u8(struct td_cur *c, uint8_t *out)
{
    uint32_t v;
    if (!get_be(c, 1, &v)) {
        return false;
    }
    *out = (uint8_t)v;
    return true;
}

bool td_cur_get_u16(struct td_cur *c, uint16_t *out)
{
    uint32_t v;
    if (!get_be(c, 2, &v)) {
        return false;
    }
    *out = (uint16_t)v;
    return true;
}

bool td_cur_get_u24(struct td_cur *c, uint32_t *out) { return get_be(c, 3, out); }
bool td_cur_get_u32(struct td_cur *c, uint32_t *out) { return get_be(c, 4, out); }

bool td_cur_skip(struct td_cur *c, size_t n)
{
    if (c->len < n) {
        return false;
    }
    c->p += n;
    c->len -= n;
    return true;
}

bool td_cur_get_bytes(struct td_cur *c, struct td_cur *out, size_t n)
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

bool td_cur_copy(struct td_cur *c, uint8_t *out, size_t n)
{
    if (c->len < n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = c->p[i];
    }
    c->p += n;
    c->len -= n;
    return true;
}

static bool get_prefixed(struct td_cur *c, size_t len_bytes, struct td_cur *out)
{
    struct td_cur save = *c;
    uint32_t n;
    if (!get_be(c, len_bytes, &n) || !td_cur_get_bytes(c, out, n)) {
        *c = save;
        return false;
    }
    return true;
}

bool td_cur_get_u8_prefixed(struct td_cur *c, struct td_cur *out) { return get_prefixed(c, 1, out); }
bool td_cur_get_u16_prefixed(struct td_cur *c, struct td_cur *out) { return get_prefixed(c, 2, out); }
bool td_cur_get_u24_prefixed(struct td_cur *c, struct td_cur *out) { return get_prefixed(c, 3, out); }

bool td_cur_peek_u8(const struct td_cur *c, size_t at, uint8_t *out)
{
    if (at >= c->len) {
        return false;
    }
    *out = c->p[at];
    return true;
}
