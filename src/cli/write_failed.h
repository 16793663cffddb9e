/* --write-failed FILE [-C MB] [-G SECONDS] (tlsdiag pcap and watch): the
 * frames of failed connections, and of the gateway HTTP connections tied to
 * them, into pcapng (capture/keep.h, capture/pcapng_write.h). */
#ifndef TD_CLI_WRITE_FAILED_H
#define TD_CLI_WRITE_FAILED_H

#include <stdbool.h>

#include "analyse/analyse.h"
#include "capture/keep.h"

/* Frames kept per connection until its verdict. */
#define CLI_KEEP_PER_CONN (256u << 10)

struct cli_write_failed {
    const char *path; /* NULL: not asked for */
    long rotate_mb, rotate_secs;
    struct td_pcapngw *w;
    struct td_keep *k;
};

/* The long option value commands give --write-failed (getopt_long's val). */
#define CLI_OPT_WRITE_FAILED 0x1000
/* --write-failed FILE, -C MB, -G SECONDS: true when opt was one of them (a bad
 * value is said on stderr and *bad set). */
bool cli_write_failed_opt(struct cli_write_failed *wf, const char *cmd, int opt, const char *arg, bool *bad);
/* false (said on stderr) when FILE cannot be created. */
bool cli_write_failed_open(struct cli_write_failed *wf, const char *cmd);
void cli_write_failed_frame(struct cli_write_failed *wf, const struct td_frame *f);
/* A connection is over: written when it failed (or was refused right after). */
void cli_write_failed_conn(struct cli_write_failed *wf, const struct td_conn_result *res);
/* A gateway's HTTP error: written when tied to a failed TLS connection. */
void cli_write_failed_http(struct cli_write_failed *wf, const struct td_http_result *h);
/* Closes, and says on stderr what was written (and which connections were
 * cut at CLI_KEEP_PER_CONN). false when writing failed. */
bool cli_write_failed_close(struct cli_write_failed *wf, const char *cmd);

#endif
