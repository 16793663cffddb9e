/* FNV-1a, the one hash of the code base (flow table, decode cache, server
 * table): small inputs, no adversary that gains from collisions beyond a
 * longer chain. */
#ifndef TD_BASE_HASH_H
#define TD_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define TD_HASH32_INIT 2166136261u

static inline uint32_t td_hash32_bytes(uint32_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

static inline uint32_t td_hash32_str(const char *s)
{
    uint32_t h = TD_HASH32_INIT;
    for (; *s; s++) {
        h = (h ^ (uint8_t)*s) * 16777619u;
    }
    return h;
}

#endif
