#include "engine/pipeline.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/mem.h"

#include "base/banned.h"

#define BATCH_FRAMES 256
#define BATCHES 8 /* in flight: about 3 MB of MTU-sized frames */
/* Each batch holds a copy of its frames' bytes (the reader's are valid only
 * until its next frame): BATCH_BYTES, and a frame is taken only while a
 * whole one of the largest the in-place reader gives still fits. */
#define FRAME_MAX (262144u + 16u)
#define BATCH_BYTES (FRAME_MAX + BATCH_FRAMES * 1600u)

struct pframe {
    struct td_frame f;
    struct td_decoded d;
};

struct batch {
    struct pframe fr[BATCH_FRAMES];
    size_t n;
    uint8_t *bytes; /* BATCH_BYTES: the frames' bytes */
    bool last;      /* the in-place reader had no more after these */
};

struct pipeline {
    struct td_reader *r;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch *b; /* BATCHES, used in turn */
    /* under mu: batches filled and taken so far; stop asks the reader to end */
    uint64_t filled, taken;
    bool stop;
};

long td_pipeline_cores(void) { return sysconf(_SC_NPROCESSORS_ONLN); }

/* Fill one batch from the in-place reader, copying and decoding each frame. */
static void fill(struct pipeline *p, struct batch *b)
{
    b->n = 0;
    b->last = false;
    size_t used = 0;
    while (b->n < BATCH_FRAMES && BATCH_BYTES - used >= FRAME_MAX) {
        struct pframe *pf = &b->fr[b->n];
        if (!td_reader_next_mapped(p->r, &pf->f)) {
            b->last = true;
            break;
        }
        td_memcopy(b->bytes + used, pf->f.data, pf->f.caplen);
        pf->f.data = b->bytes + used;
        used += pf->f.caplen;
        struct td_decoded *d = &pf->d;
        d->res = td_decode_frame(pf->f.dlt, pf->f.data, pf->f.caplen, &d->seg, &d->why, &d->at);
        b->n++;
    }
}

static void *reader_main(void *arg)
{
    struct pipeline *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->filled - p->taken == BATCHES) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        bool stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop) {
            return NULL;
        }
        struct batch *b = &p->b[p->filled % BATCHES];
        fill(p, b);
        pthread_mutex_lock(&p->mu);
        p->filled++;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (b->last) {
            return NULL;
        }
    }
}

/* The caller's side: each batch in turn, in file order. */
static void consume(struct pipeline *p, bool (*on_frame)(void *, const struct td_frame *, const struct td_decoded *),
                    void *ctx)
{
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->filled == p->taken) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        struct batch *b = &p->b[p->taken % BATCHES];
        pthread_mutex_unlock(&p->mu);
        bool go = true;
        for (size_t i = 0; i < b->n && go; i++) {
            go = on_frame(ctx, &b->fr[i].f, &b->fr[i].d);
        }
        bool last = b->last;
        pthread_mutex_lock(&p->mu);
        p->taken++;
        p->stop = !go;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (last || !go) {
            return;
        }
    }
}

void td_pipeline_run(struct td_reader *r,
                     bool (*on_frame)(void *ctx, const struct td_frame *f, const struct td_decoded *d), void *ctx)
{
    struct pipeline p = {.r = r};
    p.b = td_calloc(BATCHES, sizeof *p.b);
    for (size_t i = 0; i < BATCHES; i++) {
        p.b[i].bytes = td_malloc(BATCH_BYTES);
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    pthread_t t;
    if (pthread_create(&t, NULL, reader_main, &p) == 0) {
        consume(&p, on_frame, ctx);
        pthread_join(t, NULL);
    }
    /* no thread (resources): td_reader_next reads every frame instead */
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    for (size_t i = 0; i < BATCHES; i++) {
        free(p.b[i].bytes);
    }
    free(p.b);
}
