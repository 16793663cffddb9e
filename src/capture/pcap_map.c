#include "capture/pcap_map.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
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
/* Pages more than TRIM_KEEP behind the reader are dropped from the mapping,
 * TRIM_STEP at a time: the resident size stays near TRIM_KEEP + TRIM_STEP. */
#define TRIM_KEEP (1u << 20)
#define TRIM_STEP (2u << 20)

struct td_pcap_map {
    const uint8_t *base;
    uint64_t size;
    uint64_t pos;     /* next record */
    uint64_t dropped; /* bytes [0, dropped) no longer mapped in (page multiple) */
    bool nsec;        /* time stamps in nanoseconds */
    uint32_t snapshot;
    /* libpcap's view: the file header, then the bytes from `from` on */
    uint64_t from, lpos;
};

struct td_pcap_map *td_pcap_map_open(int fd, uint64_t size)
{
    if (size < FILE_HDR || size > (uint64_t)SIZE_MAX) {
        return NULL;
    }
    void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        return NULL;
    }
    const uint8_t *b = p;
    uint32_t magic = td_load_u32(b);
    if ((magic != MAGIC_USEC && magic != MAGIC_NSEC) || td_load_u16(b + 4) != 2 || td_load_u16(b + 6) != 4) {
        munmap(p, (size_t)size);
        return NULL;
    }
    (void)madvise(p, (size_t)size, MADV_SEQUENTIAL);
    struct td_pcap_map *m = td_calloc(1, sizeof *m);
    m->base = b;
    m->size = size;
    m->pos = FILE_HDR;
    m->nsec = magic == MAGIC_NSEC;
    return m;
}

void td_pcap_map_release(struct td_pcap_map *m, uint64_t at)
{
    if (at < m->dropped + TRIM_KEEP + TRIM_STEP) {
        return;
    }
    long page = sysconf(_SC_PAGESIZE);
    uint64_t upto = (at - TRIM_KEEP) / (uint64_t)page * (uint64_t)page;
    (void)madvise((void *)(m->base + m->dropped), (size_t)(upto - m->dropped), MADV_DONTNEED);
    m->dropped = upto;
}

/* libpcap reads through this: the file header, then [from, size). */
static ssize_t map_read(void *cookie, char *buf, size_t n)
{
    struct td_pcap_map *m = cookie;
    uint64_t phys = m->lpos < FILE_HDR ? m->lpos : m->from + (m->lpos - FILE_HDR);
    uint64_t end = m->lpos < FILE_HDR ? FILE_HDR : m->size;
    size_t k = phys >= end ? 0 : (size_t)(end - phys < n ? end - phys : n);
    td_memcopy(buf, m->base + phys, k);
    m->lpos += k;
    if (phys >= FILE_HDR) {
        td_pcap_map_release(m, phys + k);
    }
    return (ssize_t)k;
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
    if (m->size - m->pos < REC_HDR) {
        return -1;
    }
    const uint8_t *h = m->base + m->pos;
    uint32_t sec = td_load_u32(h), frac = td_load_u32(h + 4), caplen = td_load_u32(h + 8);
    /* libpcap reads the time stamp fields as signed 32-bit numbers: leave
     * the negative ones, and every length it would check, to it. */
    if (sec > INT32_MAX || frac > INT32_MAX || caplen > m->snapshot || caplen > SAFE_CAPLEN ||
        m->size - m->pos - REC_HDR < caplen) {
        return -1;
    }
    rec->sec = sec;
    rec->nsec = m->nsec ? frac : (uint32_t)((uint64_t)frac * 1000u);
    rec->data = h + REC_HDR;
    rec->caplen = caplen;
    rec->wirelen = td_load_u32(h + 12);
    m->pos += REC_HDR + caplen;
    /* The next record's header and first bytes: their cache lines load
     * while this frame is worked on (a record is a new line, often a new
     * page, and nothing else predicts where it starts). */
    __builtin_prefetch(m->base + m->pos);
    __builtin_prefetch(m->base + m->pos + 64);
    return 1;
}

uint64_t td_pcap_map_pos(const struct td_pcap_map *m) { return m->pos; }

void td_pcap_map_close(struct td_pcap_map *m)
{
    if (!m) {
        return;
    }
    munmap((void *)m->base, (size_t)m->size);
    free(m);
}
