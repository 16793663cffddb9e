/* tlsdiag watch --metrics ADDR:PORT: a listening socket served from the
 * capture loop (each tick, at most every 100 ms): every pending connection is
 * read up to the end of its request head (200 ms at most), answered with the
 * page the caller renders (GET /metrics, or any path), and closed. No thread:
 * the counters are read where they are written. */
#ifndef TD_CLI_METRICS_HTTP_H
#define TD_CLI_METRICS_HTTP_H

#include <stdbool.h>

#include "base/mem.h"

struct cli_metrics {
    int fd; /* -1: not listening */
    char addr[80];
    unsigned long served;
};

/* ADDR:PORT ([v6]:PORT for IPv6; port 0 picks one, said in addr). false
 * (said on stderr) when it cannot listen. */
bool cli_metrics_listen(struct cli_metrics *m, const char *addr_port);
/* Answer the connections waiting: render(ctx, out) fills the page. */
void cli_metrics_serve(struct cli_metrics *m, void (*render)(void *ctx, struct td_buf *out), void *ctx);
void cli_metrics_close(struct cli_metrics *m);

#endif
