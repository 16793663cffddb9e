/* The per-server table of one input: what the capture shows each server
 * endpoint doing (its view, fed to the rules) and its verdict counts. */
#ifndef TD_ANALYSE_SERVERS_H
#define TD_ANALYSE_SERVERS_H

#include <stddef.h>

#include "analyse/analyse.h"

#define TD_SERVER_BUCKETS 4096

struct td_server_node {
    struct td_server_stat s;
    struct td_server_node *next;
};

struct td_server_table {
    struct td_server_node *buckets[TD_SERVER_BUCKETS];
    size_t num;
};

/* The entry for "addr:port", created on first use; NULL past
 * TD_ANALYSIS_MAX_SERVERS (the connection is then judged without a view). */
struct td_server_stat *td_servers_get(struct td_server_table *t, const char *name);
/* Every entry, in a stable order (bucket, then newest first); free() it. */
const struct td_server_stat **td_servers_list(const struct td_server_table *t, size_t *n);
void td_servers_clear(struct td_server_table *t);

#endif
