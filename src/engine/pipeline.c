#include "engine/pipeline.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"
#include "engine/internal.h"

#include "base/banned.h"

/* Events in flight at most: connections waiting for the calling thread
 * (memory stays bounded when it is the slower one). */
#define EVENTS 256
/* The calling thread is woken when this many are waiting (or at the end):
 * a wake-up costs more than a few connections take. */
#define WAKE_AT 32
#define GIVE_BACK 16
/* While it has nothing to do, the calling thread brings the file into
 * memory this many 1 MiB chunks ahead of the engine (td_reader_scout),
 * looking again this often (ns) once that far ahead. */
#define SCOUT_AHEAD 2
#define SCOUT_NAP_NS 200000

enum kind { EV_CONN, EV_HTTP, EV_PROBLEM, EV_PROGRESS };

struct event {
    enum kind kind;
    struct td_tls_conn *c;   /* EV_CONN, EV_HTTP: owned until taken */
    const char *file;        /* EV_PROBLEM */
    uint64_t frame, a, b;    /* EV_PROBLEM: frame; EV_PROGRESS: done (a), total (b) */
    long long offset;        /* EV_PROBLEM */
    char *what;              /* EV_PROBLEM: a copy */
    struct td_run_stats now; /* the engine's counts when it happened */
};

struct pipeline {
    struct td_engine *e;
    struct td_reader *r;
    int rc;
    struct td_run_stats counts; /* the engine thread's */
    pthread_mutex_t mu;
    pthread_cond_t to_engine, to_caller; /* signalled only while the other side waits */
    struct event ev[EVENTS];
    /* under mu: events queued and taken so far; the engine has finished;
     * who waits */
    uint64_t queued, taken;
    bool finished, engine_waits, caller_waits;
    bool scout; /* the calling thread scouts the file while idle */
};

long td_pipeline_cores(void) { return sysconf(_SC_NPROCESSORS_ONLN); }

/* What an event taken still holds. */
static void release(struct event *ev)
{
    if (ev->c) {
        td_engine_conn_free(ev->c);
    }
    free(ev->what);
    ev->c = NULL;
    ev->what = NULL;
}

/* The engine thread: one event into the queue, waiting while it is full.
 * What the slot's event before held is freed here, by the thread that
 * allocated it (frees from the other thread contend for malloc's arena). */
static void push(struct pipeline *p, struct event *ev)
{
    ev->now = p->counts;
    pthread_mutex_lock(&p->mu);
    while (p->queued - p->taken == EVENTS) {
        p->engine_waits = true;
        pthread_cond_wait(&p->to_engine, &p->mu);
    }
    struct event *slot = &p->ev[p->queued % EVENTS];
    pthread_mutex_unlock(&p->mu);
    release(slot);
    *slot = *ev;
    pthread_mutex_lock(&p->mu);
    p->queued++;
    if (p->caller_waits && p->queued - p->taken >= WAKE_AT) {
        p->caller_waits = false;
        pthread_cond_signal(&p->to_caller);
    }
    pthread_mutex_unlock(&p->mu);
}

static void q_take(void *ctx, struct td_tls_conn *c, bool http)
{
    struct event ev = {.kind = http ? EV_HTTP : EV_CONN, .c = c};
    push(ctx, &ev);
}

static void q_problem(void *ctx, const char *file, uint64_t frame, long long offset, const char *what)
{
    size_t n = strlen(what) + 1;
    struct event ev = {.kind = EV_PROBLEM, .file = file, .frame = frame, .offset = offset, .what = td_malloc(n)};
    td_memcopy(ev.what, what, n);
    push(ctx, &ev);
}

static void q_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct event ev = {.kind = EV_PROGRESS, .a = done, .b = total};
    push(ctx, &ev);
}

static void *engine_main(void *arg)
{
    struct pipeline *p = arg;
    p->rc = td_engine_loop(p->e, p->r);
    pthread_mutex_lock(&p->mu);
    p->finished = true;
    if (p->caller_waits) {
        p->caller_waits = false;
        pthread_cond_signal(&p->to_caller);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* The counts the caller sees move from `from` to `to` as the engine's did:
 * every field is a count or a maximum only the engine moves (the caller's
 * own changes, such as a handshake found refused after it completed, stay). */
static void advance(struct td_run_stats *stats, const struct td_run_stats *from, const struct td_run_stats *to)
{
    _Static_assert(offsetof(struct td_run_stats, poor_port) % sizeof(uint64_t) == 0 &&
                       offsetof(struct td_run_stats, poor_port) + sizeof(uint16_t) <= sizeof(struct td_run_stats),
                   "struct td_run_stats: uint64_t counts, then poor_port");
    size_t n = offsetof(struct td_run_stats, poor_port) / sizeof(uint64_t);
    uint64_t s[sizeof *stats / sizeof(uint64_t)], f[sizeof *stats / sizeof(uint64_t)],
        t[sizeof *stats / sizeof(uint64_t)];
    td_memcopy(s, stats, n * sizeof(uint64_t));
    td_memcopy(f, from, n * sizeof(uint64_t));
    td_memcopy(t, to, n * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++) {
        s[i] += t[i] - f[i];
    }
    td_memcopy(stats, s, n * sizeof(uint64_t));
    if (!stats->poor_port) {
        stats->poor_port = to->poor_port;
    }
}

static void deliver(const struct td_engine_cb *cb, struct td_run_stats *stats, struct td_run_stats *seen,
                    struct event *ev)
{
    advance(stats, seen, &ev->now);
    *seen = ev->now;
    switch (ev->kind) {
    case EV_CONN:
        if (cb->on_conn) {
            cb->on_conn(cb->ctx, ev->c);
        }
        break;
    case EV_HTTP:
        if (cb->on_http_error) {
            cb->on_http_error(cb->ctx, ev->c);
        }
        break;
    case EV_PROBLEM:
        if (cb->on_problem) {
            cb->on_problem(cb->ctx, ev->file, ev->frame, ev->offset, ev->what);
        }
        break;
    case EV_PROGRESS:
        if (cb->on_progress) {
            cb->on_progress(cb->ctx, ev->a, ev->b);
        }
        break;
    }
}

/* Under mu, nothing to take: scout the file ahead of the engine, or nap
 * (until woken, or a while when the scout may soon have more to do). */
static void idle(struct pipeline *p)
{
    pthread_mutex_unlock(&p->mu);
    bool scouted = p->scout && td_reader_scout(p->r, SCOUT_AHEAD);
    pthread_mutex_lock(&p->mu);
    if (scouted || p->queued != p->taken || p->finished) {
        return;
    }
    p->caller_waits = true;
    if (!p->scout) {
        pthread_cond_wait(&p->to_caller, &p->mu);
        return;
    }
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += SCOUT_NAP_NS;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&p->to_caller, &p->mu, &t);
}

/* The calling thread: every event in turn, until the engine has finished. */
static void consume(struct pipeline *p, const struct td_engine_cb *cb, struct td_run_stats *stats,
                    struct td_run_stats *seen)
{
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->queued == p->taken && !p->finished) {
            idle(p);
        }
        p->caller_waits = false;
        uint64_t from = p->taken, to = p->queued;
        bool end = p->finished && from == to;
        pthread_mutex_unlock(&p->mu);
        if (end) {
            return;
        }
        /* slots given back a few at a time, the engine woken when half
         * the queue is free again */
        for (uint64_t i = from; i < to;) {
            uint64_t upto = to - i > GIVE_BACK ? i + GIVE_BACK : to;
            for (; i < upto; i++) {
                deliver(cb, stats, seen, &p->ev[i % EVENTS]);
            }
            pthread_mutex_lock(&p->mu);
            p->taken = upto;
            if (p->engine_waits && p->queued - p->taken <= EVENTS / 2) {
                p->engine_waits = false;
                pthread_cond_signal(&p->to_engine);
            }
            pthread_mutex_unlock(&p->mu);
        }
    }
}

int td_pipeline_run(struct td_engine *e, struct td_reader *r, const struct td_engine_cb *cb, struct td_run_stats *stats)
{
    struct pipeline *p = td_calloc(1, sizeof *p);
    p->e = e;
    p->r = r;
    p->counts = *stats;
    p->scout = getenv("TLSDIAG_NO_SCOUT") == NULL;
    struct td_run_stats seen = *stats;
    struct td_engine_cb q = *cb;
    q.ctx = p;
    q.on_conn = NULL;
    q.on_http_error = NULL;
    q.on_problem = q_problem;
    q.on_progress = cb->on_progress ? q_progress : NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->to_engine, NULL);
    pthread_cond_init(&p->to_caller, NULL);
    td_engine_divert(e, &q, &p->counts, q_take);
    pthread_t t;
    if (pthread_create(&t, NULL, engine_main, p) == 0) {
        (void)pthread_setname_np(t, "tlsdiag-engine"); /* as top -H and perf show it */
        consume(p, cb, stats, &seen);
        pthread_join(t, NULL);
        advance(stats, &seen, &p->counts); /* what finishing counted */
        td_engine_divert(e, cb, stats, NULL);
    } else { /* no thread (resources): this one does it all */
        td_engine_divert(e, cb, stats, NULL);
        p->rc = td_engine_loop(e, r);
    }
    for (size_t i = 0; i < EVENTS; i++) {
        release(&p->ev[i]);
    }
    int rc = p->rc;
    pthread_cond_destroy(&p->to_caller);
    pthread_cond_destroy(&p->to_engine);
    pthread_mutex_destroy(&p->mu);
    free(p);
    return rc;
}
