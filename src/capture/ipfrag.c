/* IPv4 (RFC 791 3.2) and IPv6 (RFC 8200 4.5) fragment reassembly, the hole
 * list of RFC 815 kept as a bitmap of 8-byte blocks. Bounded: at most TD_FRAG_MAX datagrams in progress
 * (the oldest is dropped for a new one), each at most 65535 bytes. */
#include <stdlib.h>

#include "base/mem.h"
#include "capture/capture.h"

#include "base/banned.h"

#define TD_FRAG_MAX 64
#define TD_FRAG_BLOCKS (65536 / 8)

struct frag_dgram {
    bool used;
    uint8_t family;
    uint8_t src[16], dst[16], proto;
    uint32_t id;
    uint64_t age;
    uint8_t hdr[60]; /* the first fragment's header */
    size_t hdr_len;
    size_t total;  /* payload length, once the last fragment is seen; 0 until then */
    uint8_t *data; /* 65536 bytes of payload */
    uint8_t have[TD_FRAG_BLOCKS / 8];
};

struct td_ipfrag {
    struct frag_dgram d[TD_FRAG_MAX];
    uint64_t clock;
};

struct td_ipfrag *td_ipfrag_new(void) { return td_calloc(1, sizeof(struct td_ipfrag)); }

static void drop(struct frag_dgram *g)
{
    free(g->data);
    td_memzero(g, sizeof *g);
}

void td_ipfrag_free(struct td_ipfrag *t)
{
    if (!t) {
        return;
    }
    for (size_t i = 0; i < TD_FRAG_MAX; i++) {
        drop(&t->d[i]);
    }
    free(t);
}

static struct frag_dgram *find(struct td_ipfrag *t, uint8_t family, const uint8_t *src, const uint8_t *dst,
                               uint8_t proto, uint32_t id)
{
    struct frag_dgram *oldest = &t->d[0], *free_slot = NULL;
    for (size_t i = 0; i < TD_FRAG_MAX; i++) {
        struct frag_dgram *g = &t->d[i];
        if (!g->used) {
            free_slot = free_slot ? free_slot : g;
            continue;
        }
        if (g->family == family && g->id == id && g->proto == proto && td_mem_eq(g->src, src, 16) &&
            td_mem_eq(g->dst, dst, 16)) {
            return g;
        }
        if (g->age < oldest->age) {
            oldest = g;
        }
    }
    struct frag_dgram *g = free_slot ? free_slot : oldest;
    drop(g);
    g->used = true;
    g->family = family;
    td_memcopy(g->src, src, 16);
    td_memcopy(g->dst, dst, 16);
    g->proto = proto;
    g->id = id;
    g->data = td_calloc(1, 65536);
    return g;
}

static bool complete(const struct frag_dgram *g)
{
    if (!g->total || !g->hdr_len) {
        return false;
    }
    for (size_t b = 0; b < (g->total + 7) / 8; b++) {
        if (!(g->have[b / 8] & (1u << (b % 8)))) {
            return false;
        }
    }
    return true;
}

/* One fragment's payload `data` at byte offset off of datagram g. */
static bool store(struct frag_dgram *g, size_t off, bool more, const struct td_cur *data, struct td_buf *out)
{
    size_t len = td_cur_len(data);
    if (!more) {
        g->total = off + len;
    }
    /* first bytes win on overlap: copy only the blocks not yet held */
    for (size_t b = off / 8; b * 8 < off + len; b++) {
        if (g->have[b / 8] & (1u << (b % 8))) {
            continue;
        }
        size_t from = b * 8, n = from + 8 <= off + len ? 8 : off + len - from;
        struct td_cur piece = *data, part;
        if (!td_cur_skip(&piece, from - off) || !td_cur_get_bytes(&piece, &part, n)) {
            break;
        }
        td_memcopy(g->data + from, td_cur_data(&part), n);
        g->have[b / 8] |= (uint8_t)(1u << (b % 8));
    }
    if (!complete(g)) {
        return false;
    }
    /* the whole datagram: the header, unfragmented, then the payload */
    size_t whole = g->hdr_len + g->total;
    td_buf_reset(out);
    td_buf_append_slow(out, g->hdr, g->hdr_len);
    td_buf_append_slow(out, g->data, g->total);
    if (g->family == 4) {
        out->data[2] = (uint8_t)(whole >> 8);
        out->data[3] = (uint8_t)(whole & 0xff);
        out->data[6] = 0;
        out->data[7] = 0;
    } else {
        out->data[4] = (uint8_t)(g->total >> 8);
        out->data[5] = (uint8_t)(g->total & 0xff);
    }
    drop(g);
    return true;
}

/* IPv6: the base header and the extension headers before the Fragment header
 * (RFC 8200 4.5: the unfragmentable part), then the fragment. The datagram is
 * rebuilt as a base header whose next header is the fragment's. */
static bool add_v6(struct td_ipfrag *t, const struct td_cur *ip, struct td_buf *out)
{
    struct td_cur c = *ip;
    uint32_t vtcfl, id;
    uint16_t plen, offm;
    uint8_t next, hlim, src[16], dst[16], nh = 0, res;
    if (!td_cur_get_u32(&c, &vtcfl) || !td_cur_get_u16(&c, &plen) || !td_cur_get_u8(&c, &next) ||
        !td_cur_get_u8(&c, &hlim) || !td_cur_copy(&c, src, 16) || !td_cur_copy(&c, dst, 16)) {
        return false;
    }
    (void)vtcfl, (void)hlim;
    size_t left = plen < td_cur_len(&c) ? plen : td_cur_len(&c);
    c.len = left;
    for (int hops = 0; next != 44; hops++) {
        uint8_t hl;
        size_t ext;
        if (hops >= 16 || !(next == 0 || next == 43 || next == 60 || next == 135 || next == 51) ||
            !td_cur_get_u8(&c, &nh) || !td_cur_get_u8(&c, &hl)) {
            return false;
        }
        ext = next == 51 ? ((size_t)hl + 2) * 4 : ((size_t)hl + 1) * 8;
        if (!td_cur_skip(&c, ext - 2)) {
            return false;
        }
        next = nh;
    }
    if (!td_cur_get_u8(&c, &nh) || !td_cur_get_u8(&c, &res) || !td_cur_get_u16(&c, &offm) || !td_cur_get_u32(&c, &id)) {
        return false;
    }
    size_t off = (size_t)(offm >> 3) * 8, len = td_cur_len(&c);
    bool more = offm & 1;
    if (off + len > 65535 - 40 || (more && len % 8)) {
        return false;
    }
    struct frag_dgram *g = find(t, 6, src, dst, 0, id);
    g->age = ++t->clock;
    static const uint8_t v6[4] = {0x60, 0, 0, 0};
    td_memcopy(g->hdr, v6, 4);
    g->hdr[4] = g->hdr[5] = 0;
    g->hdr[6] = nh;
    g->hdr[7] = 64;
    td_memcopy(g->hdr + 8, src, 16);
    td_memcopy(g->hdr + 24, dst, 16);
    g->hdr_len = 40;
    return store(g, off, more, &c, out);
}

bool td_ipfrag_add(struct td_ipfrag *t, const struct td_cur *ip, struct td_buf *out)
{
    struct td_cur c = *ip, hdr;
    uint8_t vihl, tos, ttl, proto, src[16] = {0}, dst[16] = {0};
    uint16_t total, id, frag, csum;
    if (td_cur_peek_u8(ip, 0, &vihl) && (vihl >> 4) == 6) {
        return add_v6(t, ip, out);
    }
    if (!td_cur_get_u8(&c, &vihl) || !td_cur_get_u8(&c, &tos) || !td_cur_get_u16(&c, &total) ||
        !td_cur_get_u16(&c, &id) || !td_cur_get_u16(&c, &frag) || !td_cur_get_u8(&c, &ttl) ||
        !td_cur_get_u8(&c, &proto) || !td_cur_get_u16(&c, &csum) || !td_cur_copy(&c, src, 4) ||
        !td_cur_copy(&c, dst, 4)) {
        return false;
    }
    (void)tos, (void)ttl, (void)csum;
    size_t ihl = (size_t)(vihl & 0x0f) * 4;
    struct td_cur again = *ip;
    if (ihl < 20 || !td_cur_get_bytes(&again, &hdr, ihl) || total < ihl) {
        return false;
    }
    size_t off = (size_t)(frag & 0x1fff) * 8, len = td_cur_len(&again);
    bool more = frag & 0x2000;
    if (len > (size_t)total - ihl) {
        len = (size_t)total - ihl;
        again.len = len;
    }
    if (off + len > 65535 - 60 || (more && len % 8)) {
        return false; /* beyond the largest datagram, or a middle fragment not a multiple of 8 */
    }
    struct frag_dgram *g = find(t, 4, src, dst, proto, id);
    g->age = ++t->clock;
    if (off == 0) {
        td_memcopy(g->hdr, td_cur_data(&hdr), ihl);
        g->hdr_len = ihl;
    }
    return store(g, off, more, &again, out);
}
