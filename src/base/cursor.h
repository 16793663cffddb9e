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

struct td_cur {
    const uint8_t *p;    /* next unread byte */
    size_t len;          /* bytes left */
    const uint8_t *base; /* start of the outermost buffer, for offsets */
};

void td_cur_init(struct td_cur *c, const uint8_t *p, size_t len);
size_t td_cur_len(const struct td_cur *c);
const uint8_t *td_cur_data(const struct td_cur *c);
/* Offset of the next unread byte from the start of the outermost buffer. */
size_t td_cur_offset(const struct td_cur *c);

bool td_cur_get_u8(struct td_cur *c, uint8_t *out);
bool td_cur_get_u16(struct td_cur *c, uint16_t *out);
bool td_cur_get_u24(struct td_cur *c, uint32_t *out);
bool td_cur_get_u32(struct td_cur *c, uint32_t *out);
bool td_cur_skip(struct td_cur *c, size_t n);
/* Cut the next n bytes out as a child view. */
bool td_cur_get_bytes(struct td_cur *c, struct td_cur *out, size_t n);
/* Copy the next n bytes out. */
bool td_cur_copy(struct td_cur *c, uint8_t *out, size_t n);
/* Cut out a vector prefixed by a 1-, 2- or 3-byte length; the child is checked
 * against its own length (RFC 8446 section 3.4 "Vectors"). */
bool td_cur_get_u8_prefixed(struct td_cur *c, struct td_cur *out);
bool td_cur_get_u16_prefixed(struct td_cur *c, struct td_cur *out);
bool td_cur_get_u24_prefixed(struct td_cur *c, struct td_cur *out);
/* Peek without advancing. */
bool td_cur_peek_u8(const struct td_cur *c, size_t at, uint8_t *out);

#endif
