#include "base/builder.h"

#include "base/banned.h"

void td_bld_init(struct td_bld *b, struct td_buf *out)
{
    b->out = out;
    b->depth = 0;
    b->error = false;
}

static void put_be(struct td_bld *b, uint32_t v, int n)
{
    if (b->error) {
        return;
    }
    for (int i = n - 1; i >= 0; i--) {
        td_buf_putc(b->out, (char)((v >> (8 * i)) & 0xff));
    }
}

void td_bld_u8(struct td_bld *b, uint8_t v) { put_be(b, v, 1); }
void td_bld_u16(struct td_bld *b, uint16_t v) { put_be(b, v, 2); }
void td_bld_u24(struct td_bld *b, uint32_t v) { put_be(b, v, 3); }
void td_bld_u32(struct td_bld *b, uint32_t v) { put_be(b, v, 4); }

void td_bld_bytes(struct td_bld *b, const void *p, size_t n)
{
    if (!b->error) {
        td_buf_append(b->out, p, n);
    }
}

void td_bld_open(struct td_bld *b, int len_bytes)
{
    if (b->error) {
        return;
    }
    if (b->depth >= TD_BLD_MAX_DEPTH || len_bytes < 1 || len_bytes > 3) {
        b->error = true;
        return;
    }
    b->len_at[b->depth] = b->out->len;
    b->len_bytes[b->depth] = (uint8_t)len_bytes;
    b->depth++;
    put_be(b, 0, len_bytes);
}

void td_bld_close(struct td_bld *b)
{
    if (b->error) {
        return;
    }
    if (b->depth == 0) {
        b->error = true;
        return;
    }
    b->depth--;
    size_t at = b->len_at[b->depth];
    int n = b->len_bytes[b->depth];
    size_t len = b->out->len - at - (size_t)n;
    if (len >> (8 * n)) {
        b->error = true;
        return;
    }
    for (int i = 0; i < n; i++) {
        b->out->data[at + (size_t)i] = (uint8_t)(len >> (8 * (n - 1 - i)));
    }
}

bool td_bld_finish(struct td_bld *b) { return !b->error && b->depth == 0; }
