#include "capture/pcapng_write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/builder.h"
#include "base/mem.h"

#include "base/banned.h"

#define MAX_LINKS 16
#define SNAPLEN 262144u
#define BLOCK_DSB 0x0000000Au
#define SECRETS_TLS_KEYLOG 0x544c534bu /* "TLSK": NSS key log lines */

struct td_pcapngw {
    char *path;
    int fd; /* -1: none */
    unsigned files;
    uint64_t rotate_bytes, bytes;
    int64_t rotate_secs, first_sec;
    bool any_packet, failed;
    int links[MAX_LINKS]; /* DLT of each interface of this file */
    size_t num_links;
    struct td_buf block;
};

static bool write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            return false;
        }
        p += k;
        n -= (size_t)k;
    }
    return true;
}

/* One block (big-endian, as the Section Header's byte-order magic says): type, length, body, padding, length. */
static void block(struct td_pcapngw *w, uint32_t type, const struct td_buf *body)
{
    size_t pad = (4 - body->len % 4) % 4;
    uint32_t total = (uint32_t)(12 + body->len + pad);
    struct td_bld b;
    td_buf_reset(&w->block);
    td_bld_init(&b, &w->block);
    td_bld_u32(&b, type);
    td_bld_u32(&b, total);
    td_bld_bytes(&b, body->data, body->len);
    for (size_t i = 0; i < pad; i++) {
        td_bld_u8(&b, 0);
    }
    td_bld_u32(&b, total);
    td_bld_finish(&b);
    if (!w->failed && !write_all(w->fd, w->block.data, w->block.len)) {
        w->failed = true;
    }
    w->bytes += w->block.len;
}

static void section_header(struct td_pcapngw *w)
{
    struct td_buf body = {0};
    struct td_bld b;
    td_bld_init(&b, &body);
    td_bld_u32(&b, 0x1A2B3C4Du); /* byte-order magic */
    td_bld_u16(&b, 1);
    td_bld_u16(&b, 0);
    td_bld_u32(&b, 0xFFFFFFFFu); /* section length: not given */
    td_bld_u32(&b, 0xFFFFFFFFu);
    td_bld_finish(&b);
    block(w, 0x0A0D0D0Au, &body);
    td_buf_free(&body);
}

static void interface(struct td_pcapngw *w, int dlt)
{
    struct td_buf body = {0};
    struct td_bld b;
    td_bld_init(&b, &body);
    td_bld_u16(&b, (uint16_t)dlt);
    td_bld_u16(&b, 0);
    td_bld_u32(&b, SNAPLEN);
    td_bld_u16(&b, 9); /* if_tsresol: 10^-9 s */
    td_bld_u16(&b, 1);
    td_bld_u32(&b, 0x09000000u); /* the value byte, then padding */
    td_bld_u32(&b, 0);           /* opt_endofopt */
    td_bld_finish(&b);
    block(w, 1, &body);
    td_buf_free(&body);
    w->links[w->num_links++] = dlt;
}

static bool open_file(struct td_pcapngw *w, char *err, size_t err_len)
{
    char name[4096];
    if (w->files == 0) {
        td_strcopy(name, sizeof name, w->path);
    } else {
        snprintf(name, sizeof name, "%s%u", w->path, w->files);
    }
    w->fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        snprintf(err, err_len, "%s: %s", name, strerror(errno));
        return false;
    }
    w->files++;
    w->bytes = 0;
    w->num_links = 0;
    w->any_packet = false;
    section_header(w);
    return true;
}

struct td_pcapngw *td_pcapngw_open(const char *path, uint64_t rotate_bytes, int64_t rotate_secs, char *err,
                                   size_t err_len)
{
    struct td_pcapngw *w = td_calloc(1, sizeof *w);
    w->fd = -1;
    w->path = td_memdup(path, strlen(path) + 1);
    w->rotate_bytes = rotate_bytes;
    w->rotate_secs = rotate_secs;
    if (!open_file(w, err, err_len)) {
        free(w->path);
        free(w);
        return NULL;
    }
    return w;
}

/* Decryption Secrets Block (draft-ietf-opsawg-pcapng): block type and
 * length, secrets type and length, the secrets padded to 32 bits, no
 * options, the length again. Written in three pieces so that the secrets
 * are never copied (no copy of them left in freed memory). */
static void secrets(struct td_pcapngw *w, const struct td_buf *lines)
{
    size_t pad = (4 - lines->len % 4) % 4;
    uint32_t total = (uint32_t)(20 + lines->len + pad);
    static const uint8_t zeros[3];
    struct td_buf frame = {0}; /* the 16 bytes before the secrets, then the 4 after */
    struct td_bld b;
    td_bld_init(&b, &frame);
    td_bld_u32(&b, BLOCK_DSB);
    td_bld_u32(&b, total);
    td_bld_u32(&b, SECRETS_TLS_KEYLOG);
    td_bld_u32(&b, (uint32_t)lines->len);
    td_bld_u32(&b, total);
    td_bld_finish(&b);
    if (!w->failed && !(write_all(w->fd, frame.data, 16) && write_all(w->fd, lines->data, lines->len) &&
                        write_all(w->fd, zeros, pad) && write_all(w->fd, frame.data + 16, 4))) {
        w->failed = true;
    }
    td_buf_free(&frame);
    w->bytes += total;
}

static bool rotate_due(const struct td_pcapngw *w, const struct td_time *ts)
{
    if (!w->any_packet) {
        return false;
    }
    return (w->rotate_bytes && w->bytes >= w->rotate_bytes) ||
           (w->rotate_secs && ts->sec - w->first_sec >= w->rotate_secs);
}

static size_t link_index(struct td_pcapngw *w, int dlt)
{
    for (size_t i = 0; i < w->num_links; i++) {
        if (w->links[i] == dlt) {
            return i;
        }
    }
    if (w->num_links == MAX_LINKS) {
        return MAX_LINKS;
    }
    interface(w, dlt);
    return w->num_links - 1;
}

bool td_pcapngw_packet(struct td_pcapngw *w, int dlt, const struct td_time *ts, const uint8_t *data, size_t caplen,
                       size_t wirelen, struct td_pcapngw_secrets *sec, char *err, size_t err_len)
{
    if (w->failed) {
        return false;
    }
    if (rotate_due(w, ts)) {
        bool ok = close(w->fd) == 0;
        w->fd = -1;
        if (!ok || !open_file(w, err, err_len)) {
            w->failed = true;
            return false;
        }
    }
    size_t ifc = link_index(w, dlt);
    if (ifc == MAX_LINKS) {
        return true; /* more link types than a file gets: the packet is left out */
    }
    if (sec && sec->lines.len && sec->in_file != w->files) {
        secrets(w, &sec->lines);
        sec->in_file = w->files;
    }
    if (!w->any_packet) {
        w->any_packet = true;
        w->first_sec = ts->sec;
    }
    uint64_t t = (uint64_t)ts->sec * 1000000000u + ts->nsec;
    struct td_buf body = {0};
    struct td_bld b;
    td_bld_init(&b, &body);
    td_bld_u32(&b, (uint32_t)ifc);
    td_bld_u32(&b, (uint32_t)(t >> 32));
    td_bld_u32(&b, (uint32_t)t);
    td_bld_u32(&b, (uint32_t)caplen);
    td_bld_u32(&b, (uint32_t)(wirelen < caplen ? caplen : wirelen));
    td_bld_bytes(&b, data, caplen);
    td_bld_finish(&b);
    block(w, 6, &body);
    td_buf_free(&body);
    if (w->failed) {
        snprintf(err, err_len, "cannot write the capture: %s", strerror(errno));
    }
    return !w->failed;
}

unsigned td_pcapngw_files(const struct td_pcapngw *w) { return w->files; }

bool td_pcapngw_rotates(const struct td_pcapngw *w) { return w->rotate_bytes || w->rotate_secs; }

bool td_pcapngw_close(struct td_pcapngw *w, char *err, size_t err_len)
{
    if (!w) {
        return true;
    }
    bool ok = !w->failed && w->fd >= 0;
    if (w->fd >= 0 && close(w->fd) != 0) {
        ok = false;
    }
    if (!ok) {
        snprintf(err, err_len, "%s: cannot write the capture: %s", w->path, strerror(errno));
    }
    td_buf_free(&w->block);
    free(w->path);
    free(w);
    return ok;
}
