/* Running counts of a live analysis (tlsdiag watch): handshakes by outcome,
 * failures by cause and server since the start and over a recent window,
 * for the rolling summary and the metrics. Fixed size: at most
 * TD_TALLY_KEYS (cause, server) pairs are told apart (the rest are counted
 * together), and the window remembers the last TD_TALLY_RECENT failures. */
#ifndef TD_ANALYSE_TALLY_H
#define TD_ANALYSE_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cause.h"
#include "tls/tls.h"

#define TD_TALLY_KEYS 256
#define TD_TALLY_RECENT 4096

struct td_tally_key {
    enum td_cause cause;
    char server[80];
    uint64_t total;
};

struct td_tally {
    int64_t start;          /* seconds (the caller's clock) */
    uint64_t by_outcome[3]; /* TD_OUTCOME_OK, _FAILED, _INCOMPLETE */
    uint64_t failures;      /* failed, or rejected right after completing */
    struct td_tally_key keys[TD_TALLY_KEYS];
    size_t num_keys;
    uint64_t other_keys; /* failures whose pair did not fit in keys */
    struct {
        int64_t at;
        uint16_t key; /* TD_TALLY_KEYS: one of the others */
    } recent[TD_TALLY_RECENT];
    size_t recent_next, recent_len;
};

void td_tally_init(struct td_tally *t, int64_t now);
/* One connection's outcome; failed (with its cause and server) when it failed
 * or was refused right after completing. */
void td_tally_add(struct td_tally *t, int64_t now, enum td_outcome o, bool failed, enum td_cause cause,
                  const char *server);

/* Failures per key (counts[TD_TALLY_KEYS + 1], the last for the others) since
 * now - seconds; returns their sum. *cut is set when the window is older than
 * what the tally remembers (the counts are then a lower bound). */
uint64_t td_tally_window(const struct td_tally *t, int64_t now, int64_t seconds, uint64_t *counts, bool *cut);

#endif
