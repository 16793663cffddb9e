/* A pool of child processes for commands that do several independent jobs
 * (tlsdiag probe: one per target address) and print them in order. */
#ifndef TD_CLI_JOBS_H
#define TD_CLI_JOBS_H

#include <stddef.h>
#include <stdio.h>

struct cli_jobs {
    size_t n;   /* jobs 0 .. n-1 */
    size_t max; /* at most this many at once */
    /* Job i: writes its report to out, returns its exit status. */
    int (*run)(void *ctx, size_t i, FILE *out);
    /* Job i's report has been printed (in order: 0, 1, ...), with its status. */
    void (*done)(void *ctx, size_t i, int status);
    void *ctx;
};

/* Runs the jobs. One job, or max 1: in this process, straight to stdout.
 * Otherwise up to max child processes at once, each writing to a temporary
 * file; a report is printed once it and all before it are done, so the output
 * is that of the jobs run one after another. A job whose process could not be
 * started runs in this process; a child that dies reports status 2. */
void cli_run_jobs(const struct cli_jobs *j);

#endif
