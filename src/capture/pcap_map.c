#include "capture/pcap_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/mem.h"
#include "capture/sigbus.h"

#include "base/banned.h"

#define FILE_HDR 24
#define REC_HDR 16
#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
/* The smallest of libpcap's per-link-type maximum captured lengths
 * (MAXIMUM_SNAPLEN): a record above it goes to libpcap, which decides. */
#define SAFE_CAPLEN 262144u
/* The window the file is read into, a few records at a time: large reads,
 * and it stays in the second-level cache. */
#define WINDOW (1u << 20)

/* Touched once per this many bytes of a record (at most the page size). */
#define TOUCH_STEP 4096u
#define PREFETCH_AHEAD 8192u
/* Chunks dropped from memory at a time. */
#define DROP_BATCH 2
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif

struct td_pcap_map {
    int fd;
    /* Mapped (base, guarded by capture/sigbus.c): the window is the whole
     * file, entered a WINDOW-byte chunk at a time (chunks: the chunks
     * entered), pages dropped behind. Read: buf, WINDOW bytes read in turn.
     * Either way win holds the file's bytes [wstart, wstart + wlen). */
    const uint8_t *base;
    int guard;
    uint64_t chunks;
    uint64_t prefetched; /* lines asked for up to here */
    /* td_pcap_map_scout: the chunks the reader has entered (published for
     * the scout's thread), and the scout's own progress */
    _Atomic uint64_t entered;
    _Atomic uint64_t dropped; /* chunks dropped from memory */
    atomic_bool scouting;
    uint64_t scouted;
    uint8_t *buf;
    const uint8_t *win;
    uint64_t wstart; /* file offset of win[0] */
    size_t wlen;
    uint64_t size;
    uint64_t pos; /* next record */
    bool nsec;    /* time stamps in nanoseconds */
    uint32_t snapshot;
    int err; /* a read fell short of the size the file had when opened (0: errno unknown) */
    bool failed;
    uint64_t failed_at;
    /* libpcap's view: the file header, then the bytes from `from` on */
    uint64_t from, lpos;
};

/* pread until n bytes or the end; the count read. */
static size_t read_at(int fd, uint8_t *buf, size_t n, uint64_t at, int *err)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(fd, buf + got, n - got, (off_t)(at + got));
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            *err = k < 0 ? errno : 0;
            break;
        }
        got += (size_t)k;
    }
    return got;
}

static void fail(struct td_pcap_map *m, uint64_t at, int err)
{
    if (!m->failed) {
        m->failed = true;
        m->failed_at = at;
        m->err = err;
    }
}

struct td_pcap_map *td_pcap_map_open(int fd, uint64_t size)
{
    uint8_t b[FILE_HDR];
    int err = 0;
    if (size < FILE_HDR || read_at(fd, b, FILE_HDR, 0, &err) != FILE_HDR) {
        return NULL;
    }
    uint32_t magic = td_load_u32(b);
    if ((magic != MAGIC_USEC && magic != MAGIC_NSEC) || td_load_u16(b + 4) != 2 || td_load_u16(b + 6) != 4) {
        return NULL;
    }
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    struct td_pcap_map *m = td_calloc(1, sizeof *m);
    m->fd = fd;
    m->guard = -1;
    m->size = size;
    const char *no_map = getenv("TLSDIAG_NO_MMAP");
    void *p = size <= (uint64_t)SIZE_MAX && !(no_map && *no_map)
                  ? mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE | MAP_NORESERVE, fd, 0)
                  : MAP_FAILED;
    if (p != MAP_FAILED && (m->guard = td_sigbus_guard(p, (size_t)size)) < 0) {
        munmap(p, (size_t)size);
        p = MAP_FAILED;
    }
    if (p != MAP_FAILED) {
        (void)madvise(p, (size_t)size, MADV_SEQUENTIAL);
        m->base = p;
        m->win = m->base;
        m->wlen = (size_t)size;
    } else {
        m->buf = td_malloc(WINDOW);
        m->win = m->buf;
        m->wstart = FILE_HDR;
    }
    m->pos = FILE_HDR;
    m->nsec = magic == MAGIC_NSEC;
    return m;
}

/* Mapped: the chunks before `upto` leave memory (MADV_DONTNEED: the
 * pages stay in the page cache), DROP_BATCH chunks at a time (each call
 * interrupts the other core to flush its TLB). Either thread may call it:
 * the range is claimed first. */
static void drop_before(struct td_pcap_map *m, uint64_t upto, uint64_t batch)
{
    uint64_t from = atomic_load_explicit(&m->dropped, memory_order_relaxed);
    if (upto < from + batch || !atomic_compare_exchange_strong_explicit(&m->dropped, &from, upto, memory_order_relaxed,
                                                                        memory_order_relaxed)) {
        return;
    }
    long page = sysconf(_SC_PAGESIZE);
    uint64_t at = from * WINDOW / (uint64_t)page * (uint64_t)page;
    uint64_t to = upto * WINDOW / (uint64_t)page * (uint64_t)page;
    (void)madvise((void *)(m->base + at), (size_t)(to - at), MADV_DONTNEED);
}

/* Mapped, entering chunk c: the chunks before c - 2 are no longer in use
 * (a record, at most a quarter of a chunk, that began two chunks back has
 * been handed out and is done with) and may go; chunk c + 1 is mapped ahead
 * in one call rather than fault by fault. With a scout, both are its work
 * (the reader drops chunks only when the scout, busy, has let twice as many
 * wait). */
static void map_enter(struct td_pcap_map *m, uint64_t c)
{
    atomic_store_explicit(&m->entered, c + 1, memory_order_release);
    bool scouted = atomic_load_explicit(&m->scouting, memory_order_relaxed);
    if (c >= 2) {
        drop_before(m, c - 2, scouted ? DROP_BATCH + 1 : DROP_BATCH);
    }
    if (scouted) {
        return;
    }
    long page = sysconf(_SC_PAGESIZE);
    uint64_t at = (c + 1) * WINDOW / (uint64_t)page * (uint64_t)page;
    if (at < m->size) {
        uint64_t to = at + WINDOW < m->size ? at + WINDOW : m->size;
        (void)madvise((void *)(m->base + at), (size_t)(to - at), MADV_POPULATE_READ);
    }
}

/* Mapped: the bytes [pos, pos + need) (within the file's size when opened)
 * are still the file's: each page touched, and no SIGBUS said otherwise. */
static bool map_has(struct td_pcap_map *m, size_t need)
{
    uint64_t end = m->pos + need;
    while (m->chunks <= (end - 1) / WINDOW) {
        map_enter(m, m->chunks++);
    }
    for (uint64_t at = m->pos; at < end; at = (at | (TOUCH_STEP - 1)) + 1) {
        (void)*(const volatile uint8_t *)(m->base + at);
    }
    /* every line of the next PREFETCH_AHEAD bytes asked for now: the next
     * records' first touch does not wait for memory (the hardware does not
     * prefetch across pages) */
    uint64_t lim = end + PREFETCH_AHEAD < m->size ? end + PREFETCH_AHEAD : m->size;
    if (atomic_load_explicit(&m->scouting, memory_order_relaxed)) {
        lim = 0; /* the scout has brought them in */
    }
    if (m->prefetched < end) {
        m->prefetched = end & ~(uint64_t)63;
    }
    for (; m->prefetched < lim; m->prefetched += 64) {
        __builtin_prefetch(m->base + m->prefetched);
    }
    uint64_t lost;
    if (td_sigbus_hit(m->guard, &lost) && lost < end) { /* (the scout may have lost a page further on) */
        fail(m, lost, 0);
        return false;
    }
    return true;
}

bool td_pcap_map_scout(struct td_pcap_map *m, unsigned ahead)
{
    if (!m->base) {
        return false;
    }
    atomic_store_explicit(&m->scouting, true, memory_order_relaxed);
    uint64_t entered = atomic_load_explicit(&m->entered, memory_order_acquire);
    if (entered >= 3) {
        drop_before(m, entered - 3, 1); /* before the chunk before the reader's */
    }
    if (m->scouted < entered) {
        m->scouted = entered; /* behind the reader: from where it is */
    }
    uint64_t at = m->scouted * WINDOW;
    if (m->scouted >= entered + ahead || at >= m->size) {
        return false;
    }
    uint64_t to = at + WINDOW < m->size ? at + WINDOW : m->size;
    long page = sysconf(_SC_PAGESIZE);
    uint64_t from = at / (uint64_t)page * (uint64_t)page;
    (void)madvise((void *)(m->base + from), (size_t)(to - from), MADV_POPULATE_READ);
    for (; at < to; at += 64) {
        (void)*(const volatile uint8_t *)(m->base + at);
    }
    m->scouted++;
    return true;
}

/* The bytes [pos, pos + need) in the window (need <= WINDOW): the bytes
 * from pos on move to its start and the rest is read. false when the file
 * no longer has them (it shrank, or a read failed). */
static bool window_has(struct td_pcap_map *m, size_t need)
{
    if (m->base) {
        return map_has(m, need);
    }
    if (m->pos + need <= m->wstart + m->wlen) {
        return true;
    }
    size_t off = (size_t)(m->pos - m->wstart), keep = m->wlen - off;
    td_memmove(m->buf, m->buf + off, keep);
    uint8_t *w = m->buf;
    m->wstart = m->pos;
    m->wlen = keep;
    uint64_t at = m->wstart + m->wlen, left = m->size - at;
    size_t want = WINDOW - m->wlen < left ? WINDOW - m->wlen : (size_t)left;
    int err = 0;
    size_t got = read_at(m->fd, w + m->wlen, want, at, &err);
    m->wlen += got;
    if (got < want) {
        fail(m, at + got, err);
    }
    return m->pos + need <= m->wstart + m->wlen;
}

bool td_pcap_map_failed(const struct td_pcap_map *m, char *why, size_t len)
{
    if (m->failed) {
        snprintf(why, len, "%s at byte %llu of the %llu the file had when opened",
                 m->err ? strerror(m->err) : "the file was cut short while read", (unsigned long long)m->failed_at,
                 (unsigned long long)m->size);
    }
    return m->failed;
}

/* libpcap reads through this: the file header, then [from, size). */
static ssize_t map_read(void *cookie, char *buf, size_t n)
{
    struct td_pcap_map *m = cookie;
    uint64_t phys = m->lpos < FILE_HDR ? m->lpos : m->from + (m->lpos - FILE_HDR);
    uint64_t end = m->lpos < FILE_HDR ? FILE_HDR : m->size;
    size_t k = phys >= end ? 0 : (size_t)(end - phys < n ? end - phys : n);
    int err = 0;
    size_t got = read_at(m->fd, (uint8_t *)buf, k, phys, &err);
    if (got < k) {
        fail(m, phys + got, err);
    }
    m->lpos += got;
    return (ssize_t)got;
}

static int map_close(void *cookie)
{
    (void)cookie;
    return 0;
}

pcap_t *td_pcap_map_pcap(struct td_pcap_map *m, uint64_t at, char *perr)
{
    static const cookie_io_functions_t io = {map_read, NULL, NULL, map_close};
    m->from = at;
    m->lpos = 0;
    FILE *f = fopencookie(m, "rb", io);
    if (!f) {
        snprintf(perr, PCAP_ERRBUF_SIZE, "unreadable");
        return NULL;
    }
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!p) {
        fclose(f);
    }
    return p;
}

void td_pcap_map_set_limits(struct td_pcap_map *m, int snapshot)
{
    m->snapshot = snapshot > 0 ? (uint32_t)snapshot : 0;
}

int td_pcap_map_next(struct td_pcap_map *m, struct td_pcap_rec *rec)
{
    if (m->pos == m->size) {
        return 0;
    }
    if (m->failed) {
        return -2;
    }
    if (m->size - m->pos < REC_HDR) {
        return -1;
    }
    if (!window_has(m, REC_HDR)) {
        return -2;
    }
    const uint8_t *h = m->win + (m->pos - m->wstart);
    uint32_t sec = td_load_u32(h), frac = td_load_u32(h + 4), caplen = td_load_u32(h + 8);
    /* libpcap reads the time stamp fields as signed 32-bit numbers: leave
     * the negative ones, and every length it would check, to it. */
    if (sec > INT32_MAX || frac > INT32_MAX || caplen > m->snapshot || caplen > SAFE_CAPLEN ||
        m->size - m->pos - REC_HDR < caplen) {
        return -1;
    }
    if (!window_has(m, REC_HDR + caplen)) {
        return -2;
    }
    h = m->win + (m->pos - m->wstart);
    rec->sec = sec;
    rec->nsec = m->nsec ? frac : (uint32_t)((uint64_t)frac * 1000u);
    rec->data = h + REC_HDR;
    rec->caplen = caplen;
    rec->wirelen = td_load_u32(h + 12);
    m->pos += REC_HDR + caplen;
    return 1;
}

uint64_t td_pcap_map_pos(const struct td_pcap_map *m) { return m->pos; }

void td_pcap_map_close(struct td_pcap_map *m)
{
    if (!m) {
        return;
    }
    if (m->base) {
        td_sigbus_unguard(m->guard);
        munmap((void *)m->base, (size_t)m->size);
    }
    free(m->buf);
    free(m);
}
