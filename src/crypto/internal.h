#ifndef TD_CRYPTO_INTERNAL_H
#define TD_CRYPTO_INTERNAL_H

#include "crypto/crypto.h"

struct td_keylog_entry {
    uint8_t label; /* index into the known labels */
    uint8_t random[32];
    uint8_t secret[64];
    size_t secret_len;
    uint64_t seq; /* the order lines came in: the oldest are dropped first when following */
};

/* A key log file followed as it grows (td_keylog_follow, keylog_follow.c). */
struct td_keylog_wait;
struct td_keylog_follow {
    char *path;
    long long off;               /* bytes of the file read, up to its last complete line */
    unsigned long long dev, ino; /* the file read: another one (rotated) is read from its start */
    size_t max;                  /* entries kept */
    int wait_ms;                 /* how long a lookup waits at most for a missing session's line */
    /* the last sessions waited for in vain (or not waited for): not again (a
     * session has several lookups, other sessions' may come between) */
    uint8_t missed[16][32];
    size_t num_missed, next_missed;
    uint64_t peer;               /* td_keylog_peer_key of the connection looked up next; 0: unknown */
    struct td_keylog_wait *wait; /* when to wait (keylog_follow.h) */
};

struct td_keylog {
    struct td_keylog_entry *e;
    size_t n, cap;
    size_t bad;
    bool sorted;
    uint64_t seq;
    struct td_keylog_follow *follow; /* NULL: a file read once */
};

const struct td_keylog_entry *td_keylog_find(const struct td_keylog *k, const char *label,
                                             const uint8_t client_random[32]);

/* Any line of this session in the store. */
bool td_keylog_knows(const struct td_keylog *k, const uint8_t client_random[32]);
/* A lookup of a session not in the store: the followed file's new lines
 * read (waiting up to wait_ms for them when keylog_follow.h says so); true
 * when lines came. */
bool td_keylog_follow_miss(struct td_keylog *k, const uint8_t client_random[32]);
/* Room for one more entry in a followed store: the oldest quarter dropped. */
void td_keylog_drop_oldest(struct td_keylog *k);
void td_keylog_follow_free(struct td_keylog *k);

#endif
