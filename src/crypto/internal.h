#ifndef TD_CRYPTO_INTERNAL_H
#define TD_CRYPTO_INTERNAL_H

#include "crypto/crypto.h"

struct td_keylog_entry {
    uint8_t label; /* index into the known labels */
    uint8_t random[32];
    uint8_t secret[64];
    size_t secret_len;
};

struct td_keylog {
    struct td_keylog_entry *e;
    size_t n, cap;
    size_t bad;
    bool sorted;
};

const struct td_keylog_entry *td_keylog_find(const struct td_keylog *k, const char *label,
                                             const uint8_t client_random[32]);

#endif
