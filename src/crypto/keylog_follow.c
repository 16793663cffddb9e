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

#include "base/banned.h"

/* Read at most this much per refresh: a huge log is taken in steps. */
#define READ_MAX (16u << 20)

bool td_keylog_follow(struct td_keylog *k, const char *path, size_t max_entries, int wait_ms, char *err, size_t err_len)
{
    td_keylog_follow_free(k);
    k->follow = td_calloc(1, sizeof *k->follow);
    k->follow->path = td_strndup(path, strlen(path));
    k->follow->max = max_entries < 16 ? 16 : max_entries;
    k->follow->wait_ms = wait_ms;
    return td_keylog_refresh(k, err, err_len) >= 0;
}

void td_keylog_follow_free(struct td_keylog *k)
{
    if (k->follow) {
        free(k->follow->path);
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
    return added;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The client writes a session's lines when it reads the ServerHello, a
 * moment after the capture saw it: a session not in the file yet is waited
 * for (up to wait_ms, once per session: a client that does not log its keys
 * costs one wait). */
bool td_keylog_follow_miss(struct td_keylog *k, const uint8_t client_random[32])
{
    struct td_keylog_follow *f = k->follow;
    bool came = td_keylog_refresh(k, NULL, 0) > 0;
    if (td_keylog_knows(k, client_random) || f->wait_ms <= 0 ||
        (f->have_missed && td_mem_eq(f->missed, client_random, 32))) {
        return came;
    }
    long long deadline = now_ms() + f->wait_ms;
    while (now_ms() < deadline) {
        struct timespec nap = {0, 2 * 1000 * 1000};
        nanosleep(&nap, NULL);
        came |= td_keylog_refresh(k, NULL, 0) > 0;
        if (td_keylog_knows(k, client_random)) {
            return true;
        }
    }
    td_memcopy(f->missed, client_random, 32);
    f->have_missed = true;
    return came;
}
