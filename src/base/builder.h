/* A byte builder with nested length prefixes (after BoringSSL's CBB).
 * td_bld_open(b, 2) reserves a 2-byte length that td_bld_close(b) fills in.
 * Errors are sticky: once a length overflows its prefix, or nesting is too
 * deep, every later call is a no-op and td_bld_finish returns false. */
#ifndef TD_BASE_BUILDER_H
#define TD_BASE_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/mem.h"

#define TD_BLD_MAX_DEPTH 8

struct td_bld {
    struct td_buf *out;
    size_t len_at[TD_BLD_MAX_DEPTH];
    uint8_t len_bytes[TD_BLD_MAX_DEPTH];
    int depth;
    bool error;
};

void td_bld_init(struct td_bld *b, struct td_buf *out);
void td_bld_u8(struct td_bld *b, uint8_t v);
void td_bld_u16(struct td_bld *b, uint16_t v);
void td_bld_u24(struct td_bld *b, uint32_t v);
void td_bld_u32(struct td_bld *b, uint32_t v);
void td_bld_bytes(struct td_bld *b, const void *p, size_t n);
void td_bld_open(struct td_bld *b, int len_bytes);
void td_bld_close(struct td_bld *b);
/* All opened vectors closed and no error. */
bool td_bld_finish(struct td_bld *b);

#endif
