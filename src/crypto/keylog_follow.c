/* A key log followed as it grows, as tail -F follows a file: clients append
 * a session's lines at its handshake while tlsdiag watch runs. Each refresh
 * reads the complete lines written since the last one; a file replaced
 * (another inode) or truncated is read again from its start. The store
 * keeps the newest entries: past its cap the oldest quarter is dropped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"
#include "crypto/internal.h"
#include "crypto/keylog_follow.h"

#include "base/banned.h"

/* Read at most this much per refresh: a huge log is taken in steps. */
#define READ_MAX (16u << 20)

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool td_keylog_follow(struct td_keylog *k, const char *path, size_t max_entries, int wait_ms, char *err, size_t err_len)
{
    td_keylog_follow_free(k);
    k->follow = td_calloc(1, sizeof *k->follow);
    k->follow->path = td_strndup(path, strlen(path));
    k->follow->max = max_entries < 16 ? 16 : max_entries;
    k->follow->wait_ms = wait_ms;
    k->follow->wait = td_calloc(1, sizeof *k->follow->wait);
    td_keylog_wait_init(k->follow->wait, wait_ms, mono_ms());
    return td_keylog_refresh(k, err, err_len) >= 0;
}

void td_keylog_follow_free(struct td_keylog *k)
{
    if (k->follow) {
        free(k->follow->path);
        free(k->follow->wait);
        free(k->follow);
        k->follow = NULL;
    }
}

static int seq_cmp(const void *a, const void *b)
{
    const struct td_keylog_entry *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void td_keylog_drop_oldest(struct td_keylog *k)
{
    qsort(k->e, k->n, sizeof *k->e, seq_cmp);
    size_t drop = k->n / 4 ? k->n / 4 : k->n;
    td_memzero(k->e, drop * sizeof *k->e);
    td_memmove(k->e, k->e + drop, (k->n - drop) * sizeof *k->e);
    k->n -= drop;
    td_memzero(k->e + k->n, drop * sizeof *k->e);
    k->sorted = false;
}

/* The bytes from f->off to the file's last complete line, added. */
static int read_new(struct td_keylog *k, int fd, long long size)
{
    struct td_keylog_follow *f = k->follow;
    size_t want = (size_t)(size - f->off) < READ_MAX ? (size_t)(size - f->off) : READ_MAX;
    uint8_t *buf = td_malloc(want ? want : 1);
    ssize_t got = pread(fd, buf, want, (off_t)f->off);
    int added = 0;
    if (got > 0) {
        size_t end = (size_t)got;
        while (end > 0 && buf[end - 1] != '\n') {
            end--; /* a line still being written: read with the next refresh */
        }
        if (end == 0 && (size_t)got == READ_MAX) {
            end = (size_t)got; /* no newline in 16 MiB: not a key log line, skipped */
        }
        size_t before = k->n;
        uint64_t seq = k->seq;
        td_keylog_add_text(k, buf, end);
        added = k->seq != seq || k->n != before;
        f->off += (long long)end;
    }
    td_memzero(buf, want);
    free(buf);
    return got < 0 ? -1 : added;
}

int td_keylog_refresh(struct td_keylog *k, char *err, size_t err_len)
{
    struct td_keylog_follow *f = k ? k->follow : NULL;
    if (!f) {
        return 0;
    }
    int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (err && fd >= 0) {
            snprintf(err, err_len, "%s: not a regular file", f->path);
        } else if (err) {
            snprintf(err, err_len, "%s: %s", f->path, strerror(errno));
        }
        if (fd >= 0) {
            close(fd);
            return -1;
        }
        return errno == ENOENT ? 0 : -1; /* not written yet: clients create it */
    }
    if ((unsigned long long)st.st_dev != f->dev || (unsigned long long)st.st_ino != f->ino ||
        (long long)st.st_size < f->off) {
        f->dev = (unsigned long long)st.st_dev; /* rotated or truncated: from its start */
        f->ino = (unsigned long long)st.st_ino;
        f->off = 0;
    }
    int added = (long long)st.st_size > f->off ? read_new(k, fd, (long long)st.st_size) : 0;
    close(fd);
    if (added < 0 && err) {
        snprintf(err, err_len, "%s: read error", f->path);
    }
    if (added > 0) {
        td_keylog_wait_grew(f->wait, mono_ms());
    }
    return added;
}

void td_keylog_follow_conn(struct td_keylog *k, const struct td_addr *a, const struct td_addr *b)
{
    if (k && k->follow) {
        k->follow->peer = a && b ? td_keylog_peer_key(a, b) : 0;
    }
}

bool td_keylog_wait_stats(const struct td_keylog *k, struct td_keylog_wait_stats *out)
{
    td_memzero(out, sizeof *out);
    if (!k || !k->follow) {
        return false;
    }
    *out = k->follow->wait->st;
    return true;
}

/* Whether this session was decided on already; if not, it is from now on. */
static bool decided(struct td_keylog_follow *f, const uint8_t client_random[32])
{
    const size_t cap = sizeof f->missed / sizeof f->missed[0];
    for (size_t i = 0; i < f->num_missed; i++) {
        if (td_mem_eq(f->missed[i], client_random, 32)) {
            return true;
        }
    }
    td_memcopy(f->missed[f->next_missed], client_random, 32);
    f->next_missed = (f->next_missed + 1) % cap;
    f->num_missed += f->num_missed < cap;
    return false;
}

/* The client writes a session's lines when it reads the ServerHello, a
 * moment after the capture saw it: a session not in the file yet is waited
 * for, once per session, as long as keylog_follow.h allows (a client that
 * does not log its keys costs at most one wait, and none once its address
 * pair is known to miss or the budget is spent). */
bool td_keylog_follow_miss(struct td_keylog *k, const uint8_t client_random[32])
{
    struct td_keylog_follow *f = k->follow;
    bool came = td_keylog_refresh(k, NULL, 0) > 0;
    if (td_keylog_knows(k, client_random)) {
        td_keylog_wait_found(f->wait, f->peer);
        return came;
    }
    if (f->wait_ms <= 0 || decided(f, client_random)) {
        return came;
    }
    enum td_keylog_wait_why why;
    int64_t t0 = mono_ms();
    int ms = td_keylog_wait_decide(f->wait, t0, f->peer, &why);
    if (ms <= 0) {
        td_keylog_wait_skipped(f->wait, why);
        return came;
    }
    int64_t now = t0;
    bool found = false;
    while (!found && now < t0 + ms) {
        struct timespec nap = {0, 2 * 1000 * 1000};
        nanosleep(&nap, NULL);
        came |= td_keylog_refresh(k, NULL, 0) > 0;
        found = td_keylog_knows(k, client_random);
        now = mono_ms();
    }
    td_keylog_wait_done(f->wait, now, f->peer, now - t0, found);
    return came || found;
}

/* --- when to wait (keylog_follow.h) --------------------------------------- */

void td_keylog_wait_init(struct td_keylog_wait *w, int wait_ms, int64_t now_ms)
{
    td_memzero(w, sizeof *w);
    w->wait_ms = wait_ms;
    w->grew_ms = now_ms;
    w->credit_ms = wait_ms;
    w->credit_at_ms = now_ms;
}

/* Lexicographic, family first (an IPv4 address is its first 4 bytes): the pair hashes the same in either order. */
static int addr_cmp(const struct td_addr *a, const struct td_addr *b)
{
    if (a->family != b->family) {
        return a->family < b->family ? -1 : 1;
    }
    size_t n = a->family == 4 ? 4 : sizeof a->a;
    for (size_t i = 0; i < n; i++) {
        if (a->a[i] != b->a[i]) {
            return a->a[i] < b->a[i] ? -1 : 1;
        }
    }
    return 0;
}

static uint64_t fnv1a(uint64_t h, const struct td_addr *a)
{
    size_t n = a->family == 4 ? 4 : sizeof a->a;
    h = (h ^ a->family) * 0x100000001b3ull;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ a->a[i]) * 0x100000001b3ull;
    }
    return h;
}

uint64_t td_keylog_peer_key(const struct td_addr *a, const struct td_addr *b)
{
    const struct td_addr *lo = addr_cmp(a, b) <= 0 ? a : b, *hi = lo == a ? b : a;
    uint64_t h = fnv1a(fnv1a(0xcbf29ce484222325ull, lo), hi);
    return h ? h : 1;
}

/* The budget in hand at now: what was left, plus the share of the time since, at most one full wait. */
static int64_t credit(const struct td_keylog_wait *w, int64_t now_ms)
{
    int64_t c = w->credit_ms;
    if (now_ms > w->credit_at_ms) {
        c += (now_ms - w->credit_at_ms) * TD_KEYLOG_BUDGET_PERMILLE / 1000;
    }
    return c < w->wait_ms ? c : w->wait_ms;
}

static struct td_keylog_peer *slot(struct td_keylog_wait *w, uint64_t peer) { return &w->peer[peer % TD_KEYLOG_PEERS]; }

int td_keylog_wait_decide(const struct td_keylog_wait *w, int64_t now_ms, uint64_t peer,
                          enum td_keylog_wait_why *out_why)
{
    const struct td_keylog_peer *p = &w->peer[peer % TD_KEYLOG_PEERS];
    int64_t c = credit(w, now_ms);
    if (now_ms - w->grew_ms > TD_KEYLOG_IDLE_MS) {
        *out_why = TD_KEYLOG_SKIP_IDLE;
    } else if (peer && p->key == peer && now_ms < p->until_ms) {
        *out_why = TD_KEYLOG_SKIP_PEER;
    } else if (c < TD_KEYLOG_WAIT_MIN_MS || w->wait_ms <= 0) {
        *out_why = TD_KEYLOG_SKIP_BUDGET;
    } else {
        *out_why = TD_KEYLOG_WAIT;
        return (int)c;
    }
    return 0;
}

void td_keylog_wait_skipped(struct td_keylog_wait *w, enum td_keylog_wait_why why)
{
    if (why == TD_KEYLOG_SKIP_IDLE) {
        w->st.skipped_idle++;
    } else if (why == TD_KEYLOG_SKIP_PEER) {
        w->st.skipped_peer++;
    } else if (why == TD_KEYLOG_SKIP_BUDGET) {
        w->st.skipped_budget++;
    }
}

void td_keylog_wait_found(struct td_keylog_wait *w, uint64_t peer)
{
    struct td_keylog_peer *p = slot(w, peer);
    if (peer && p->key == peer) {
        td_memzero(p, sizeof *p);
    }
}

void td_keylog_wait_done(struct td_keylog_wait *w, int64_t now_ms, uint64_t peer, int64_t waited_ms, bool found)
{
    waited_ms = waited_ms > 0 ? waited_ms : 0;
    w->st.waits++;
    w->st.found += found;
    w->st.waited_ms += (uint64_t)waited_ms;
    w->credit_ms = credit(w, now_ms) - waited_ms; /* below 0 after an overshoot: earned back first */
    w->credit_at_ms = now_ms;
    if (found) {
        td_keylog_wait_found(w, peer);
        return;
    }
    struct td_keylog_peer *p = slot(w, peer);
    if (!peer) {
        return;
    }
    if (p->key != peer) {
        p->key = peer; /* a free slot, or another pair pushed out */
        p->misses = 0;
    }
    p->misses += p->misses < 32;
    int64_t shun = TD_KEYLOG_SHUN_MS;
    for (uint32_t i = 1; i < p->misses && shun < TD_KEYLOG_SHUN_MAX_MS; i++) {
        shun *= 2;
    }
    p->until_ms = now_ms + (shun < TD_KEYLOG_SHUN_MAX_MS ? shun : TD_KEYLOG_SHUN_MAX_MS);
}

void td_keylog_wait_grew(struct td_keylog_wait *w, int64_t now_ms) { w->grew_ms = now_ms; }
