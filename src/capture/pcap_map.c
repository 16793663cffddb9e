#include "capture/pcap_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"

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

struct td_pcap_map {
    int fd;
    uint8_t *win;    /* WINDOW bytes: the file's bytes [wstart, wstart + wlen) */
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
    m->win = td_malloc(WINDOW);
    m->wstart = FILE_HDR;
    m->size = size;
    m->pos = FILE_HDR;
    m->nsec = magic == MAGIC_NSEC;
    return m;
}

/* The bytes [pos, pos + need) in the window (need <= WINDOW): the bytes
 * from pos on move to its start and the rest is read. false when the file
 * no longer has them (it shrank, or a read failed). */
static bool window_has(struct td_pcap_map *m, size_t need)
{
    if (m->pos + need <= m->wstart + m->wlen) {
        return true;
    }
    size_t off = (size_t)(m->pos - m->wstart), keep = m->wlen - off;
    td_memmove(m->win, m->win + off, keep);
    m->wstart = m->pos;
    m->wlen = keep;
    uint64_t at = m->wstart + m->wlen, left = m->size - at;
    size_t want = WINDOW - m->wlen < left ? WINDOW - m->wlen : (size_t)left;
    int err = 0;
    size_t got = read_at(m->fd, m->win + m->wlen, want, at, &err);
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
    free(m->win);
    free(m);
}
