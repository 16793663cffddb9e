/* When a lookup of a followed key log waits for a session's line
 * (keylog_follow.c, tlsdiag watch --keylog). A client that logs its keys
 * writes them milliseconds after the ServerHello the capture saw; one that
 * never does (most clients on a gateway) would cost the whole wait, with the
 * capture loop stalled, at each of its handshakes. So a wait is made only
 * when it can pay off and the capture can afford it:
 *  - the key log grew in the last TD_KEYLOG_IDLE_MS (or watch started that
 *    recently): a file nobody writes to is not waited for;
 *  - the client and server addresses of the connection were not missed
 *    lately: a pair whose session was waited for in vain is not waited for
 *    again for TD_KEYLOG_SHUN_MS, twice as long after each further miss (up
 *    to TD_KEYLOG_SHUN_MAX_MS); a session of the pair found in the log
 *    forgives it. A bounded table (TD_KEYLOG_PEERS, one slot per hash: a pair
 *    pushed out by another costs one more wait);
 *  - a budget: waiting takes at most TD_KEYLOG_BUDGET_PERMILLE of wall time,
 *    with at most one full wait in hand (a wait is cut to what is left, none
 *    under TD_KEYLOG_WAIT_MIN_MS).
 * td_keylog_wait_decide is a pure function of this state and the time; the
 * other calls record what happened. */
#ifndef TD_CRYPTO_KEYLOG_FOLLOW_H
#define TD_CRYPTO_KEYLOG_FOLLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "base/net.h"
#include "crypto/crypto.h"

#define TD_KEYLOG_IDLE_MS (300 * 1000)
#define TD_KEYLOG_SHUN_MS (60 * 1000)
#define TD_KEYLOG_SHUN_MAX_MS (3600 * 1000)
#define TD_KEYLOG_PEERS 4096
#define TD_KEYLOG_BUDGET_PERMILLE 100
#define TD_KEYLOG_WAIT_MIN_MS 10

/* What the waits cost and bought, since the key log was followed. */
struct td_keylog_wait_stats {
    uint64_t waits, found;                               /* waits made, and those the session's lines came in */
    uint64_t waited_ms;                                  /* their total */
    uint64_t skipped_idle, skipped_peer, skipped_budget; /* sessions not waited for, by why */
};

/* tlsdiag watch: the two addresses of the frame the engine reads next, the
 * connection of any lookup it makes (NULL, NULL: not known). The engine reads
 * a frame right after the analysis' on_frame hook, in the same thread. */
void td_keylog_follow_conn(struct td_keylog *k, const struct td_addr *a, const struct td_addr *b);
/* false for a store that does not follow a file. */
bool td_keylog_wait_stats(const struct td_keylog *k, struct td_keylog_wait_stats *out);

struct td_keylog_peer {
    uint64_t key;     /* td_keylog_peer_key of the pair; 0: a free slot */
    int64_t until_ms; /* no wait for this pair before then */
    uint32_t misses;  /* in a row */
};

struct td_keylog_wait {
    int wait_ms;       /* the longest wait */
    int64_t grew_ms;   /* when the key log last grew (the start counts) */
    int64_t credit_ms; /* budget left at credit_at_ms, at most wait_ms */
    int64_t credit_at_ms;
    struct td_keylog_peer peer[TD_KEYLOG_PEERS];
    struct td_keylog_wait_stats st;
};

enum td_keylog_wait_why {
    TD_KEYLOG_WAIT,        /* wait (the returned ms) */
    TD_KEYLOG_SKIP_IDLE,   /* the key log has not grown for TD_KEYLOG_IDLE_MS */
    TD_KEYLOG_SKIP_PEER,   /* the pair was missed lately */
    TD_KEYLOG_SKIP_BUDGET, /* the share of wall time is spent */
};

void td_keylog_wait_init(struct td_keylog_wait *w, int wait_ms, int64_t now_ms);
/* The pair of addresses, either order (0 never: 0 is "no pair known"). */
uint64_t td_keylog_peer_key(const struct td_addr *a, const struct td_addr *b);
/* How long to wait now for a session of this pair (peer 0: unknown) not in
 * the store: 0 and why not, or the milliseconds (why TD_KEYLOG_WAIT). */
int td_keylog_wait_decide(const struct td_keylog_wait *w, int64_t now_ms, uint64_t peer,
                          enum td_keylog_wait_why *out_why);
/* What happened: skipped (counted by why), or waited waited_ms and found
 * the session or not (the budget charged, the pair shunned or forgiven). */
void td_keylog_wait_skipped(struct td_keylog_wait *w, enum td_keylog_wait_why why);
void td_keylog_wait_done(struct td_keylog_wait *w, int64_t now_ms, uint64_t peer, int64_t waited_ms, bool found);
/* A session of this pair found in the store without a wait: forgiven. */
void td_keylog_wait_found(struct td_keylog_wait *w, uint64_t peer);
void td_keylog_wait_grew(struct td_keylog_wait *w, int64_t now_ms);

#endif
