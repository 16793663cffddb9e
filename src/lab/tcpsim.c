#include "lab/tcpsim.h"

#include "base/builder.h"
#include "base/mem.h"

#include "base/banned.h"

#define STEP_NS 40000 /* between two frames of a flight */

void td_tcpsim_init(struct td_tcpsim *s, struct td_pcapw *w, int64_t t_ns, uint32_t cip, uint16_t cport, uint32_t sip,
                    uint16_t sport)
{
    td_memzero(s, sizeof *s);
    s->w = w;
    s->t_ns = t_ns;
    s->ip[0] = cip;
    s->ip[1] = sip;
    s->port[0] = cport;
    s->port[1] = sport;
    /* Fixed initial sequence numbers: the same scenario gives the same capture shape. */
    s->seq[0] = 0x1a2b3c4du ^ ((uint32_t)cport << 16);
    s->seq[1] = 0x5e6f7081u ^ sport;
    s->ipid[0] = 0x1000;
    s->ipid[1] = 0x2000;
    s->mss = 1448;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    }
    if (n & 1) {
        sum += (uint32_t)(p[n - 1] << 8);
    }
    return sum;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* One frame from dir with the given flags and payload. */
static void frame(struct td_tcpsim *s, int dir, uint8_t flags, const uint8_t *p, size_t len)
{
    static const uint8_t mac[2][6] = {{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}, {0x02, 0x00, 0x5e, 0x10, 0x00, 0x02}};
    struct td_buf b = {0};
    struct td_bld w;
    td_bld_init(&w, &b);
    int other = 1 - dir;
    bool syn = flags & 0x02;
    size_t tcp_hlen = syn ? 24 : 20;
    td_bld_bytes(&w, mac[other], 6);
    td_bld_bytes(&w, mac[dir], 6);
    td_bld_u16(&w, 0x0800);
    size_t ip_at = b.len;
    td_bld_u8(&w, 0x45);
    td_bld_u8(&w, 0);
    td_bld_u16(&w, (uint16_t)(20 + tcp_hlen + len));
    td_bld_u16(&w, s->ipid[dir]++);
    td_bld_u16(&w, 0x4000); /* DF */
    td_bld_u8(&w, 64);
    td_bld_u8(&w, 6);
    td_bld_u16(&w, 0);
    td_bld_u32(&w, s->ip[dir]);
    td_bld_u32(&w, s->ip[other]);
    size_t tcp_at = b.len;
    td_bld_u16(&w, s->port[dir]);
    td_bld_u16(&w, s->port[other]);
    td_bld_u32(&w, s->seq[dir]);
    td_bld_u32(&w, (flags & 0x10) ? s->seq[other] : 0);
    td_bld_u8(&w, (uint8_t)((tcp_hlen / 4) << 4));
    td_bld_u8(&w, flags);
    td_bld_u16(&w, 64240);
    td_bld_u16(&w, 0);
    td_bld_u16(&w, 0);
    if (syn) {
        td_bld_u8(&w, 2); /* MSS */
        td_bld_u8(&w, 4);
        td_bld_u16(&w, s->mss);
    }
    td_bld_bytes(&w, p, len);
    if (!td_bld_finish(&w)) {
        td_buf_free(&b);
        return;
    }
    put16(b.data + ip_at + 10, csum_fold(csum_add(0, b.data + ip_at, 20)));
    uint8_t pseudo[12];
    for (int i = 0; i < 4; i++) {
        pseudo[i] = b.data[ip_at + 12 + i];
        pseudo[4 + i] = b.data[ip_at + 16 + i];
    }
    pseudo[8] = 0;
    pseudo[9] = 6;
    put16(pseudo + 10, (uint16_t)(tcp_hlen + len));
    uint32_t sum = csum_add(csum_add(0, pseudo, 12), b.data + tcp_at, tcp_hlen + len);
    put16(b.data + tcp_at + 16, csum_fold(sum));
    struct td_time ts = {s->t_ns / 1000000000, (uint32_t)(s->t_ns % 1000000000)};
    td_pcapw_write(s->w, &ts, b.data, b.len);
    s->frames++;
    s->t_ns += STEP_NS;
    s->seq[dir] += (uint32_t)len + ((flags & 0x03) ? 1u : 0u);
    td_buf_free(&b);
}

void td_tcpsim_open(struct td_tcpsim *s)
{
    frame(s, TD_SIM_C2S, 0x02, NULL, 0);
    frame(s, TD_SIM_S2C, 0x12, NULL, 0);
    frame(s, TD_SIM_C2S, 0x10, NULL, 0);
}

void td_tcpsim_data(struct td_tcpsim *s, int dir, const uint8_t *p, size_t len)
{
    if (len == 0) {
        return;
    }
    for (size_t off = 0; off < len; off += s->mss) {
        size_t n = len - off < s->mss ? len - off : s->mss;
        frame(s, dir, (uint8_t)(0x10 | (off + n == len ? 0x08 : 0)), p + off, n);
    }
    s->t_ns += 200000; /* the peer's delayed ACK */
    frame(s, 1 - dir, 0x10, NULL, 0);
    s->t_ns += 1000000; /* processing before the next flight */
}

void td_tcpsim_data_lost(struct td_tcpsim *s, int dir, const uint8_t *p, size_t len)
{
    if (len <= s->mss) {
        td_tcpsim_data(s, dir, p, len);
        return;
    }
    uint32_t start = s->seq[dir], end;
    frame(s, dir, 0x10, p, s->mss);
    frame(s, dir, 0x18, p + s->mss, len - s->mss > s->mss ? s->mss : len - s->mss);
    end = s->seq[dir];
    s->t_ns += 200000;
    s->seq[dir] = start + s->mss; /* the ACK frame acknowledges seq[dir]: the first segment only */
    frame(s, 1 - dir, 0x10, NULL, 0);
    for (int64_t rto = 200000000; rto <= 400000000; rto *= 2) {
        s->t_ns += rto;
        frame(s, dir, 0x18, p + s->mss, len - s->mss > s->mss ? s->mss : len - s->mss);
        s->seq[dir] = start + s->mss;
    }
    s->seq[dir] = end;
}

void td_tcpsim_data_unacked(struct td_tcpsim *s, int dir, const uint8_t *p, size_t len)
{
    size_t n = len < s->mss ? len : s->mss;
    uint32_t start = s->seq[dir];
    frame(s, dir, 0x18, p, n);
    for (int64_t rto = 200000000; rto <= 400000000; rto *= 2) {
        s->t_ns += rto;
        s->seq[dir] = start;
        frame(s, dir, 0x18, p, n);
    }
}

void td_tcpsim_fin(struct td_tcpsim *s, int dir) { frame(s, dir, 0x11, NULL, 0); }

void td_tcpsim_close(struct td_tcpsim *s, int first)
{
    frame(s, first, 0x11, NULL, 0);
    s->t_ns += 100000;
    frame(s, 1 - first, 0x11, NULL, 0);
    frame(s, first, 0x10, NULL, 0);
}

void td_tcpsim_rst(struct td_tcpsim *s, int dir) { frame(s, dir, 0x14, NULL, 0); }

void td_tcpsim_wait(struct td_tcpsim *s, int64_t ns) { s->t_ns += ns; }
