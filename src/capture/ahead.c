#include "capture/ahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/mem.h"

#include "base/banned.h"

enum { FREE, READY, HELD };

struct td_ahead {
    int fd;
    size_t prefix, chunk;
    uint8_t *mem[2];
    /* under mu */
    int state[2];
    size_t len[2];
    int err[2];
    uint64_t short_at[2];
    unsigned fill, take, held; /* the next to fill, to take; chunks held */
    bool stop, ended;          /* asked to stop; the thread read its last */
    bool started;
    uint64_t at, size; /* the thread's next offset, the end */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t t;
};

static void *ahead_main(void *arg)
{
    struct td_ahead *a = arg;
    pthread_mutex_lock(&a->mu);
    while (!a->stop && a->at < a->size) {
        unsigned i = a->fill;
        if (a->state[i] != FREE) {
            pthread_cond_wait(&a->cv, &a->mu);
            continue;
        }
        uint64_t at = a->at, left = a->size - at;
        size_t want = left < a->chunk ? (size_t)left : a->chunk, got = 0;
        int err = -1;
        pthread_mutex_unlock(&a->mu);
        while (got < want) {
            ssize_t k = pread(a->fd, a->mem[i] + a->prefix + got, want - got, (off_t)(at + got));
            if (k < 0 && errno == EINTR) {
                continue;
            }
            if (k <= 0) {
                err = k < 0 ? errno : 0;
                break;
            }
            got += (size_t)k;
        }
        pthread_mutex_lock(&a->mu);
        a->len[i] = got;
        a->err[i] = err;
        a->short_at[i] = at + got;
        a->state[i] = READY;
        a->fill ^= 1u;
        a->at = err >= 0 ? a->size : at + got; /* a short read is the last */
        pthread_cond_broadcast(&a->cv);
    }
    a->ended = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

struct td_ahead *td_ahead_start(int fd, uint64_t from, uint64_t size, size_t prefix, size_t chunk)
{
    struct td_ahead *a = td_calloc(1, sizeof *a);
    a->fd = fd;
    a->prefix = prefix;
    a->chunk = chunk;
    a->at = from;
    a->size = size;
    for (int i = 0; i < 2; i++) {
        a->mem[i] = td_malloc(prefix + chunk);
    }
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    a->started = pthread_create(&a->t, NULL, ahead_main, a) == 0;
    if (!a->started) {
        td_ahead_stop(a);
        return NULL;
    }
    return a;
}

uint8_t *td_ahead_next(struct td_ahead *a, size_t *len, int *err, uint64_t *short_at)
{
    pthread_mutex_lock(&a->mu);
    unsigned i = a->take;
    while (a->state[i] != READY && !a->ended) {
        pthread_cond_wait(&a->cv, &a->mu);
    }
    uint8_t *p = NULL;
    if (a->state[i] == READY) {
        a->state[i] = HELD;
        a->take ^= 1u;
        a->held++;
        *len = a->len[i];
        *err = a->err[i];
        *short_at = a->short_at[i];
        p = a->mem[i] + a->prefix;
    }
    pthread_mutex_unlock(&a->mu);
    return p;
}

void td_ahead_done(struct td_ahead *a)
{
    pthread_mutex_lock(&a->mu);
    if (a->held == 2) {
        a->state[a->take] = FREE; /* the older of the two held is the one to take after the newer */
        a->held--;
        pthread_cond_broadcast(&a->cv);
    }
    pthread_mutex_unlock(&a->mu);
}

void td_ahead_stop(struct td_ahead *a)
{
    if (!a) {
        return;
    }
    pthread_mutex_lock(&a->mu);
    a->stop = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    if (a->started) {
        pthread_join(a->t, NULL);
    }
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    free(a->mem[0]);
    free(a->mem[1]);
    free(a);
}
