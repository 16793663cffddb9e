#include "analyse/tally.h"

#include <stdio.h>
#include <string.h>

#include "base/mem.h"

#include "base/banned.h"

void td_tally_init(struct td_tally *t, int64_t now)
{
    td_memzero(t, sizeof *t);
    t->start = now;
}

static size_t key_of(struct td_tally *t, enum td_cause cause, const char *server)
{
    for (size_t i = 0; i < t->num_keys; i++) {
        if (t->keys[i].cause == cause && strcmp(t->keys[i].server, server) == 0) {
            return i;
        }
    }
    if (t->num_keys == TD_TALLY_KEYS) {
        return TD_TALLY_KEYS;
    }
    struct td_tally_key *k = &t->keys[t->num_keys];
    k->cause = cause;
    td_strcopy(k->server, sizeof k->server, server);
    return t->num_keys++;
}

void td_tally_add(struct td_tally *t, int64_t now, enum td_outcome o, bool failed, enum td_cause cause,
                  const char *server)
{
    if ((unsigned)o < 3) {
        t->by_outcome[o]++;
    }
    if (!failed) {
        return;
    }
    t->failures++;
    size_t k = key_of(t, cause, server ? server : "");
    if (k == TD_TALLY_KEYS) {
        t->other_keys++;
    } else {
        t->keys[k].total++;
    }
    t->recent[t->recent_next].at = now;
    t->recent[t->recent_next].key = (uint16_t)k;
    t->recent_next = (t->recent_next + 1) % TD_TALLY_RECENT;
    if (t->recent_len < TD_TALLY_RECENT) {
        t->recent_len++;
    }
}

uint64_t td_tally_window(const struct td_tally *t, int64_t now, int64_t seconds, uint64_t *counts, bool *cut)
{
    td_memzero(counts, (TD_TALLY_KEYS + 1) * sizeof *counts);
    uint64_t sum = 0;
    size_t i = 0;
    for (; i < t->recent_len; i++) {
        size_t at = (t->recent_next + TD_TALLY_RECENT - 1 - i) % TD_TALLY_RECENT;
        if (t->recent[at].at < now - seconds) {
            break;
        }
        counts[t->recent[at].key]++;
        sum++;
    }
    /* every remembered failure is in the window, and some were forgotten */
    *cut = i == t->recent_len && t->failures > t->recent_len;
    return sum;
}
