#include "capture/reader.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cursor.h"
#include "base/mem.h"
#include "capture/pcap_map.h"

#include "base/banned.h"

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 1u
#define PCAPNG_PB 2u /* obsolete Packet Block */
#define PCAPNG_SPB 3u
#define PCAPNG_EPB 6u
#define PCAPNG_DSB 10u             /* Decryption Secrets Block */
#define DSB_TLS_KEYLOG 0x544c534bu /* "TLSK": NSS key log lines */
#define PCAPNG_BOM 0x1A2B3C4Du
/* A block larger than this is damage, not data. */
#define PCAPNG_BLOCK_MAX (16u << 20)
#define PCAPNG_MAX_IFACES 4096
#define LIVE_WAIT_MS 100

struct iface {
    int dlt;
    uint32_t snaplen;
    uint64_t units_per_sec; /* if_tsresol */
    int64_t offset_sec;     /* if_tsoffset */
};

struct td_reader {
    const char *format;
    uint64_t frame;
    uint64_t total;
    /* libpcap (classic pcap) */
    pcap_t *pcap;
    /* a regular file's classic pcap read in place while map_fast, then by
     * libpcap through the same reader (pcap_map.h) */
    struct td_pcap_map *map;
    bool map_fast;
    bool io_error; /* the file could not be read to its end (cut short while read) */
    int dlt;
    /* pcapng */
    FILE *f;
    bool own_file;
    bool pipe; /* not a regular file: read what is there, unbuffered (tcpdump -w - | tlsdiag pcap -) */
    uint64_t pos;
    bool big_endian;
    bool in_section;
    struct iface *ifaces;
    size_t num_ifaces;
    uint8_t *block;
    size_t block_cap;
    /* key log lines from Decryption Secrets Blocks, not yet taken */
    struct td_buf secrets;
    /* the magic bytes already read from a pipe */
    uint8_t head[4];
    size_t head_len, head_pos;
};

/* --- a FILE that replays the bytes we peeked, then reads the rest --- */
static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
    struct td_reader *r = cookie;
    size_t n = 0;
    while (n < size && r->head_pos < r->head_len) {
        buf[n++] = (char)r->head[r->head_pos++];
    }
    if (n > 0) {
        return (ssize_t)n;
    }
    if (!r->pipe) {
        return (ssize_t)fread(buf, 1, size, r->f);
    }
    /* One read: what a pipe holds now reaches libpcap now, not when a
     * buffer's worth has come. A signal (EINTR) ends the read. */
    return read(fileno(r->f), buf, size);
}

static int replay_close(void *cookie)
{
    (void)cookie;
    return 0;
}

static uint32_t rd32(const struct td_reader *r, const uint8_t *p)
{
    return r->big_endian ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                         : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const struct td_reader *r, const uint8_t *p)
{
    return r->big_endian ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

struct td_reader *td_reader_open(const char *path, char *err, size_t err_len)
{
    struct td_reader *r = td_calloc(1, sizeof *r);
    struct stat st;
    if (strcmp(path, "-") == 0) {
        r->f = stdin;
        r->pipe = fstat(fileno(stdin), &st) == 0 && !S_ISREG(st.st_mode);
    } else {
        r->f = fopen(path, "rb");
        r->own_file = true;
        if (!r->f) {
            td_strcopy(err, err_len, strerror(errno));
            free(r);
            return NULL;
        }
        if (fstat(fileno(r->f), &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                snprintf(err, err_len, "is a directory");
                fclose(r->f);
                free(r);
                return NULL;
            }
            r->total = (uint64_t)st.st_size;
            r->pipe = !S_ISREG(st.st_mode);
        }
    }
    if (r->pipe) {
        setvbuf(r->f, NULL, _IONBF, 0); /* no bytes wait in stdio for a buffer to fill */
    }
    r->head_len = fread(r->head, 1, 4, r->f);
    if (r->head_len < 4) {
        snprintf(err, err_len, r->head_len == 0 ? "empty file, not a capture" : "file too short to be a capture");
        td_reader_close(r);
        return NULL;
    }
    uint32_t magic = (uint32_t)r->head[0] << 24 | (uint32_t)r->head[1] << 16 | (uint32_t)r->head[2] << 8 | r->head[3];
    if (magic == PCAPNG_SHB) {
        r->format = "pcapng";
        r->pos = 0;
        return r;
    }
    /* Classic pcap (or anything else): libpcap reads it, or says why not. */
    r->format = "pcap";
    char perr[PCAP_ERRBUF_SIZE] = "";
    if (r->own_file && !r->pipe && (r->map = td_pcap_map_open(fileno(r->f), r->total)) != NULL) {
        r->pcap = td_pcap_map_pcap(r->map, 24, perr);
        r->map_fast = r->pcap != NULL;
    } else {
        static const cookie_io_functions_t io = {replay_read, NULL, NULL, replay_close};
        FILE *replay = fopencookie(r, "rb", io);
        r->pcap = replay ? pcap_fopen_offline_with_tstamp_precision(replay, PCAP_TSTAMP_PRECISION_NANO, perr) : NULL;
        if (!r->pcap && replay) {
            fclose(replay);
        }
    }
    if (!r->pcap) {
        snprintf(err, err_len, "not a pcap or pcapng capture (%s)", perr[0] ? perr : "unreadable");
        td_reader_close(r);
        return NULL;
    }
    r->dlt = pcap_datalink(r->pcap);
    if (r->map_fast) {
        td_pcap_map_set_limits(r->map, pcap_snapshot(r->pcap));
    }
    return r;
}

/* The file read in place gave fewer bytes than it had when opened. */
static bool read_failed(struct td_reader *r, char *err, size_t err_len)
{
    char why[256];
    r->io_error = r->map && td_pcap_map_failed(r->map, why, sizeof why);
    if (r->io_error) {
        snprintf(err, err_len, "after frame %llu: %s", (unsigned long long)r->frame, why);
    }
    return r->io_error;
}

/* A record from the file read in place (1), the end (0), or libpcap takes
 * over from this record on (2): it reads what the in-place reader leaves to
 * it. */
static int next_mapped(struct td_reader *r, struct td_frame *f, char *err, size_t err_len)
{
    if (td_reader_next_mapped(r, f)) {
        return 1;
    }
    if (read_failed(r, err, err_len)) {
        return -1;
    }
    if (td_pcap_map_pos(r->map) == r->total) {
        return 0;
    }
    char perr[PCAP_ERRBUF_SIZE] = "";
    r->map_fast = false;
    pcap_close(r->pcap);
    r->pcap = td_pcap_map_pcap(r->map, td_pcap_map_pos(r->map), perr);
    if (!r->pcap) {
        snprintf(err, err_len, "after frame %llu: %s", (unsigned long long)r->frame, perr);
        return -1;
    }
    return 2;
}

static int next_pcap(struct td_reader *r, struct td_frame *f, char *err, size_t err_len)
{
    if (r->map_fast) {
        int mrc = next_mapped(r, f, err, err_len);
        if (mrc != 2) {
            return mrc;
        }
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(r->pcap, &h, &data);
    if (rc != 1 && read_failed(r, err, err_len)) {
        return -1;
    }
    if (rc == 1) {
        f->number = ++r->frame;
        f->dlt = pcap_datalink(r->pcap);
        f->ts.sec = h->ts.tv_sec;
        f->ts.nsec = (uint32_t)h->ts.tv_usec; /* nanoseconds: opened with PRECISION_NANO */
        f->data = data;
        f->caplen = h->caplen;
        f->wirelen = h->len;
        r->pos += 16 + h->caplen;
        return 1;
    }
    if (rc == PCAP_ERROR_BREAK) {
        return 0;
    }
    if (rc == 0) {
        /* live capture, non-blocking: nothing in the ring yet. Wait up to
         * LIVE_WAIT_MS (a signal ends the wait early), then let the caller
         * look at its stop flag and clock. */
        struct pollfd pfd = {.fd = pcap_get_selectable_fd(r->pcap), .events = POLLIN};
        poll(&pfd, 1, LIVE_WAIT_MS);
        return 2;
    }
    snprintf(err, err_len, "after frame %llu: %s", (unsigned long long)r->frame, pcap_geterr(r->pcap));
    return -1;
}

/* Read one whole block into r->block. 1 ok, 0 clean EOF, -1 damage. */
/* One bounded read of a pcapng block with every length check the format
 * needs (header, body, trailer, byte order); kept whole so that no path
 * skips one. */
static int read_block(struct td_reader *r, uint32_t *type, size_t *len, char *err, size_t err_len)
{
    uint8_t hdr[8];
    size_t got = 0;
    while (got < 8 && r->head_pos < r->head_len) {
        hdr[got++] = r->head[r->head_pos++];
    }
    got += fread(hdr + got, 1, 8 - got, r->f);
    if (got == 0) {
        return 0;
    }
    if (got < 8) {
        snprintf(err, err_len, "file ends inside a block header at byte %llu", (unsigned long long)r->pos);
        return -1;
    }
    uint32_t t = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
    if (t == PCAPNG_SHB) {
        /* The byte order of a section is set by its own SHB. */
        uint8_t bom[4];
        if (fread(bom, 1, 4, r->f) != 4) {
            snprintf(err, err_len, "file ends inside a section header at byte %llu", (unsigned long long)r->pos);
            return -1;
        }
        uint32_t b = (uint32_t)bom[0] << 24 | (uint32_t)bom[1] << 16 | (uint32_t)bom[2] << 8 | bom[3];
        if (b == PCAPNG_BOM) {
            r->big_endian = true;
        } else if (b == 0x4D3C2B1Au) {
            r->big_endian = false;
        } else {
            snprintf(err, err_len, "section header at byte %llu has no valid byte-order magic",
                     (unsigned long long)r->pos);
            return -1;
        }
        *type = PCAPNG_SHB;
        uint32_t total = rd32(r, hdr + 4);
        if (total < 28 || total % 4 || total > PCAPNG_BLOCK_MAX) {
            snprintf(err, err_len, "section header at byte %llu has an impossible length %u",
                     (unsigned long long)r->pos, total);
            return -1;
        }
        size_t rest = total - 12;
        if (r->block_cap < rest + 4) {
            r->block = td_realloc(r->block, rest + 4);
            r->block_cap = rest + 4;
        }
        td_memcopy(r->block, bom, 4);
        if (fread(r->block + 4, 1, rest - 4 + 4, r->f) != rest) {
            snprintf(err, err_len, "file ends inside the section header at byte %llu", (unsigned long long)r->pos);
            return -1;
        }
        *len = rest;
        r->pos += total;
        return 1;
    }
    if (!r->in_section) {
        snprintf(err, err_len, "byte %llu: block before any section header", (unsigned long long)r->pos);
        return -1;
    }
    *type = rd32(r, hdr);
    uint32_t total = rd32(r, hdr + 4);
    if (total < 12 || total % 4 || total > PCAPNG_BLOCK_MAX) {
        snprintf(err, err_len, "block at byte %llu has an impossible length %u", (unsigned long long)r->pos, total);
        return -1;
    }
    size_t body = total - 12;
    if (r->block_cap < body + 4) {
        r->block = td_realloc(r->block, body + 4);
        r->block_cap = body + 4;
    }
    if (fread(r->block, 1, body + 4, r->f) != body + 4) {
        snprintf(err, err_len, "file ends inside the block at byte %llu (cut short?)", (unsigned long long)r->pos);
        return -1;
    }
    if (rd32(r, r->block + body) != total) {
        snprintf(err, err_len, "block at byte %llu: trailing length does not match", (unsigned long long)r->pos);
        return -1;
    }
    *len = body;
    r->pos += total;
    return 1;
}

/* IDB options (pcapng spec section 4.2): if_tsresol (9), if_tsoffset (14). */
static void idb_options(struct td_reader *r, struct td_cur *c, struct iface *ifc)
{
    while (td_cur_len(c) >= 4) {
        uint8_t b[4];
        td_cur_copy(c, b, 4);
        uint16_t code = rd16(r, b), len = rd16(r, b + 2);
        struct td_cur v;
        if (code == 0 || !td_cur_get_bytes(c, &v, len) || !td_cur_skip(c, (4 - len % 4) % 4)) {
            return;
        }
        uint8_t x;
        if (code == 9 && len >= 1 && td_cur_get_u8(&v, &x)) {
            uint64_t u = 1;
            unsigned e = x & 0x7f;
            if (e <= 18 || (x & 0x80 && e < 64)) {
                for (unsigned i = 0; i < e; i++) {
                    u *= (x & 0x80) ? 2 : 10;
                }
                ifc->units_per_sec = u;
            }
        } else if (code == 14 && len == 8) {
            uint8_t o[8];
            td_cur_copy(&v, o, 8);
            uint64_t hi = rd32(r, r->big_endian ? o : o + 4), lo = rd32(r, r->big_endian ? o + 4 : o);
            ifc->offset_sec = (int64_t)(hi << 32 | lo);
        }
    }
}

static void set_time(const struct iface *ifc, uint32_t hi, uint32_t lo, struct td_time *ts)
{
    uint64_t t = (uint64_t)hi << 32 | lo, u = ifc->units_per_sec ? ifc->units_per_sec : 1000000;
    uint64_t frac = t % u;
    ts->sec = (int64_t)(t / u) + ifc->offset_sec;
    /* frac/u in nanoseconds without overflow for any resolution up to 2^63 */
    ts->nsec = (uint32_t)(u <= 1000000000u ? frac * (1000000000u / u) : frac / (u / 1000000000u));
}

/* Long by nature: one branch per pcapng block type (SHB, IDB, EPB, SPB, PB,
 * DSB), in the order of the spec (draft-ietf-opsawg-pcapng), each bounded. */
static int next_pcapng(struct td_reader *r, struct td_frame *f, char *err, size_t err_len)
{
    for (;;) {
        uint32_t type;
        size_t len;
        uint64_t at = r->pos;
        int rc = read_block(r, &type, &len, err, err_len);
        if (rc <= 0) {
            return rc;
        }
        struct td_cur c;
        td_cur_init(&c, r->block, len);
        uint8_t b[20];
        if (type == PCAPNG_SHB) {
            r->in_section = true;
            r->num_ifaces = 0; /* interface ids restart in every section */
            continue;
        }
        if (type == PCAPNG_IDB) {
            if (!td_cur_copy(&c, b, 8)) {
                snprintf(err, err_len, "interface block at byte %llu is too short", (unsigned long long)at);
                return -1;
            }
            if (r->num_ifaces >= PCAPNG_MAX_IFACES) {
                snprintf(err, err_len, "more than %d interfaces in one section", PCAPNG_MAX_IFACES);
                return -1;
            }
            r->ifaces = td_realloc(r->ifaces, (r->num_ifaces + 1) * sizeof *r->ifaces);
            struct iface *ifc = &r->ifaces[r->num_ifaces++];
            /* LINKTYPE_ values equal DLT_ values for every type we decode;
             * LINKTYPE_RAW (101) is handled by the decoder as such. */
            ifc->dlt = rd16(r, b);
            ifc->snaplen = rd32(r, b + 4);
            ifc->units_per_sec = 1000000;
            ifc->offset_sec = 0;
            idb_options(r, &c, ifc);
            continue;
        }
        uint32_t ifid = 0, hi = 0, lo = 0, caplen, wirelen;
        if (type == PCAPNG_EPB || type == PCAPNG_PB) {
            if (!td_cur_copy(&c, b, 20)) {
                snprintf(err, err_len, "packet block at byte %llu is too short", (unsigned long long)at);
                return -1;
            }
            ifid = type == PCAPNG_EPB ? rd32(r, b) : rd16(r, b);
            hi = rd32(r, b + 4), lo = rd32(r, b + 8);
            caplen = rd32(r, b + 12), wirelen = rd32(r, b + 16);
        } else if (type == PCAPNG_SPB) {
            if (!td_cur_copy(&c, b, 4)) {
                snprintf(err, err_len, "simple packet block at byte %llu is too short", (unsigned long long)at);
                return -1;
            }
            wirelen = rd32(r, b);
            caplen = wirelen;
            if (r->num_ifaces && r->ifaces[0].snaplen && caplen > r->ifaces[0].snaplen) {
                caplen = r->ifaces[0].snaplen;
            }
            if (caplen > td_cur_len(&c)) {
                caplen = (uint32_t)td_cur_len(&c);
            }
        } else if (type == PCAPNG_DSB) {
            /* editcap --inject-secrets: u32 type, u32 length, the secrets */
            uint32_t stype = 0, slen = 0;
            struct td_cur sec;
            if (td_cur_copy(&c, b, 8)) {
                stype = rd32(r, b);
                slen = rd32(r, b + 4);
            }
            if (stype == DSB_TLS_KEYLOG && td_cur_get_bytes(&c, &sec, slen)) {
                td_buf_append(&r->secrets, td_cur_data(&sec), td_cur_len(&sec));
                td_buf_putc(&r->secrets, '\n');
            }
            continue;
        } else {
            continue; /* name resolution, statistics, custom... */
        }
        if (ifid >= r->num_ifaces) {
            snprintf(err, err_len, "packet block at byte %llu names interface %u, which was not described",
                     (unsigned long long)at, ifid);
            return -1;
        }
        struct td_cur data;
        if (!td_cur_get_bytes(&c, &data, caplen)) {
            snprintf(err, err_len, "packet block at byte %llu: captured length %u runs past the block",
                     (unsigned long long)at, caplen);
            return -1;
        }
        f->number = ++r->frame;
        f->dlt = r->ifaces[ifid].dlt;
        set_time(&r->ifaces[ifid], hi, lo, &f->ts);
        f->data = td_cur_data(&data);
        f->caplen = caplen;
        f->wirelen = wirelen < caplen ? caplen : wirelen;
        return 1;
    }
}

struct td_reader *td_reader_open_live(const char *iface, const char *filter, int snaplen, int buffer_bytes, char *err,
                                      size_t err_len)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(iface ? iface : "any", perr);
    if (!p) {
        snprintf(err, err_len, "%s: %s", iface ? iface : "any", perr);
        return NULL;
    }
    /* 100 ms: the kernel hands a TPACKET_V3 block over at most that long
     * after its first packet, so a verdict is out well within a second. */
    if (pcap_set_snaplen(p, snaplen > 0 ? snaplen : 262144) != 0 || pcap_set_timeout(p, 100) != 0 ||
        (buffer_bytes > 0 && pcap_set_buffer_size(p, buffer_bytes) != 0) ||
        pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) != 0) {
        snprintf(err, err_len, "%s: %s", iface ? iface : "any", pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    int rc = pcap_activate(p);
    if (rc < 0) {
        snprintf(err, err_len, "%s: %s", iface ? iface : "any",
                 rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc));
        pcap_close(p);
        return NULL;
    }
    if (filter && filter[0]) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 || pcap_setfilter(p, &prog) != 0) {
            snprintf(err, err_len, "filter '%s': %s", filter, pcap_geterr(p));
            pcap_close(p);
            return NULL;
        }
        pcap_freecode(&prog);
    }
    /* Non-blocking, with our own poll (next_pcap): with TPACKET_V3 libpcap's
     * blocking read waits for a block with no end when there is no traffic,
     * and a signal does not end it. */
    if (pcap_setnonblock(p, 1, perr) != 0) {
        snprintf(err, err_len, "%s: %s", iface ? iface : "any", perr);
        pcap_close(p);
        return NULL;
    }
    struct td_reader *r = td_calloc(1, sizeof *r);
    r->format = "live";
    r->pcap = p;
    return r;
}

bool td_reader_live_drops(const struct td_reader *r, uint64_t *received, uint64_t *dropped)
{
    struct pcap_stat ps;
    if (!r->pcap || strcmp(r->format, "live") != 0 || pcap_stats(r->pcap, &ps) != 0) {
        return false;
    }
    *received = ps.ps_recv;
    *dropped = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
    return true;
}

int td_reader_next(struct td_reader *r, struct td_frame *f, char *err, size_t err_len)
{
    int rc = r->pcap ? next_pcap(r, f, err, err_len) : next_pcapng(r, f, err, err_len);
    f->pos = r->pos;
    return rc;
}

bool td_reader_mapped(const struct td_reader *r) { return r->map_fast; }

bool td_reader_scout(struct td_reader *r, unsigned ahead) { return r->map && td_pcap_map_scout(r->map, ahead); }

int td_reader_next_mapped(struct td_reader *r, struct td_frame *f)
{
    struct td_pcap_rec rec;
    if (!r->map_fast || td_pcap_map_next(r->map, &rec) != 1) {
        return 0;
    }
    f->number = ++r->frame;
    f->dlt = r->dlt;
    f->ts.sec = rec.sec;
    f->ts.nsec = rec.nsec;
    f->data = rec.data;
    f->caplen = rec.caplen;
    f->wirelen = rec.wirelen;
    r->pos = td_pcap_map_pos(r->map);
    f->pos = r->pos;
    return 1;
}

bool td_reader_io_error(const struct td_reader *r) { return r->io_error; }

void td_reader_progress(const struct td_reader *r, uint64_t *done, uint64_t *total)
{
    *done = r->pos;
    *total = r->total;
}

const char *td_reader_format(const struct td_reader *r) { return r->format; }

bool td_reader_is_stream(const struct td_reader *r) { return r->pipe || strcmp(r->format, "live") == 0; }

void td_reader_close(struct td_reader *r)
{
    if (!r) {
        return;
    }
    if (r->pcap) {
        pcap_close(r->pcap);
    }
    td_pcap_map_close(r->map); /* after libpcap, which may read through it */
    if (r->f && r->own_file) {
        fclose(r->f);
    }
    free(r->ifaces);
    free(r->block);
    td_memzero(r->secrets.data, r->secrets.len);
    td_buf_free(&r->secrets);
    free(r);
}

bool td_reader_take_secrets(struct td_reader *r, struct td_buf *out)
{
    if (r->secrets.len == 0) {
        return false;
    }
    td_buf_append(out, r->secrets.data, r->secrets.len);
    td_memzero(r->secrets.data, r->secrets.len);
    td_buf_reset(&r->secrets);
    return true;
}
