#ifndef TD_REASM_INTERNAL_H
#define TD_REASM_INTERNAL_H

#include "reasm/reasm.h"

struct td_lru {
    struct td_flow *head, *tail;
    size_t count;
};

struct td_flowtab {
    struct td_limits lim;
    struct td_reasm_ops ops;
    void *ctx;
    struct td_flow **buckets;
    size_t nbuckets, nflows;
    struct td_lru live, dead;
    struct td_time now; /* latest capture time seen */
    uint64_t frame;     /* frame number of the segment being processed */
    struct td_time ts;  /* its capture time */
    /* Frame and time of the bytes being delivered: the segment's own when
     * they were buffered out of order (td_flowtab_data_at). */
    uint64_t data_frame;
    struct td_time data_ts;
    struct td_flowtab_stats stats;
};

struct td_ooo {
    struct td_ooo *next;
    uint32_t seq;
    uint32_t len;
    uint64_t frame; /* the segment's frame and time */
    struct td_time ts;
    uint8_t data[];
};

void td_tcpdir_segment(struct td_flowtab *t, struct td_flow *f, int from, const struct td_tcpseg *s);
/* Give up on missing bytes: deliver whatever is buffered after gaps. */
void td_tcpdir_flush(struct td_flowtab *t, struct td_flow *f, int from, const char *why);
void td_tcpdir_free(struct td_tcpdir *d);

#endif
