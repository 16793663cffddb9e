/* The job pool (jobs.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "cli/jobs.h"

#include "base/banned.h"

struct job {
    pid_t pid;
    FILE *out;
    int status;
    bool done;
};

static void start(const struct cli_jobs *j, struct job *job, size_t i, size_t *running)
{
    job->out = tmpfile();
    fflush(stdout);
    fflush(stderr);
    job->pid = job->out ? fork() : -1;
    if (job->pid == 0) {
        int c = j->run(j->ctx, i, job->out);
        fflush(job->out);
        _exit(c);
    }
    if (job->pid < 0) { /* no process: do it here */
        job->status = j->run(j->ctx, i, job->out ? job->out : stdout);
        job->done = true;
    } else {
        (*running)++;
    }
}

/* Waits for one child and marks its job done. */
static void reap(struct job *jobs, size_t started, size_t *running)
{
    int st;
    pid_t pid = waitpid(-1, &st, 0);
    for (size_t i = 0; pid > 0 && i < started; i++) {
        if (jobs[i].pid == pid && !jobs[i].done) {
            jobs[i].done = true;
            jobs[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : TD_EXIT_USAGE;
            (*running)--;
        }
    }
}

static void print(struct job *job)
{
    if (job->out) {
        char buf[8192];
        size_t k;
        rewind(job->out);
        while ((k = fread(buf, 1, sizeof buf, job->out)) > 0) {
            fwrite(buf, 1, k, stdout);
        }
        fclose(job->out);
    }
    fflush(stdout);
}

void cli_run_jobs(const struct cli_jobs *j)
{
    if (j->n == 1 || j->max == 1) {
        for (size_t i = 0; i < j->n; i++) {
            j->done(j->ctx, i, j->run(j->ctx, i, stdout));
        }
        return;
    }
    struct job *jobs = td_calloc(j->n ? j->n : 1, sizeof *jobs);
    size_t next_start = 0, running = 0, next_print = 0;
    while (next_print < j->n) {
        while (running < j->max && next_start < j->n) {
            start(j, &jobs[next_start], next_start, &running);
            next_start++;
        }
        if (running > 0) {
            reap(jobs, next_start, &running);
        }
        while (next_print < j->n && jobs[next_print].done) {
            print(&jobs[next_print]);
            j->done(j->ctx, next_print, jobs[next_print].status);
            next_print++;
        }
    }
    free(jobs);
}
