/* Link, IP and TCP header decoding. Every field is read through td_cur. */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>

#include "base/mem.h"
#include "capture/capture.h"

#include "base/banned.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_PPPOE 0x8864
#define ETHERTYPE_TEB 0x6558 /* transparent Ethernet bridging (GRE, GENEVE) */
#define ETHERTYPE_ERSPAN2 0x88be
#define ETHERTYPE_ERSPAN3 0x22eb
#define UDP_VXLAN 4789
#define UDP_GENEVE 6081
#define UDP_GTPU 2152
#define TD_MAX_ENCAP 8 /* tunnels inside tunnels, at most */

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

struct dec {
    const char **why;
    size_t *at;
    struct td_cur *c;
    int depth; /* encapsulations opened so far */
};

static enum td_decode_result decode_ipv4(struct dec *d, struct td_cur *c, struct td_tcpseg *seg);
static enum td_decode_result decode_ipv6(struct dec *d, struct td_cur *c, struct td_tcpseg *seg);
static enum td_decode_result decode_ethertype(struct dec *d, uint16_t type, struct td_cur *c, struct td_tcpseg *seg);
static enum td_decode_result decode_ip_by_version(struct dec *d, struct td_cur *c, struct td_tcpseg *seg);
static enum td_decode_result fail(struct dec *d, enum td_decode_result r, const char *why);

/* An inner packet: the tunnel's payload, bounded by what the outer header says. */
static bool enter(struct dec *d) { return ++d->depth <= TD_MAX_ENCAP; }

/* An Ethernet frame inside a tunnel (VXLAN, GENEVE, GRE bridging, ERSPAN). */
static enum td_decode_result decode_inner_ether(struct dec *d, struct td_cur *c, struct td_tcpseg *seg)
{
    uint16_t type;
    if (!td_cur_skip(c, 12) || !td_cur_get_u16(c, &type)) {
        return fail(d, TD_DEC_TRUNCATED, "Ethernet header inside a tunnel cut short");
    }
    return decode_ethertype(d, type, c, seg);
}

/*
 * GRE (RFC 2784, RFC 2890): flags and version, protocol type, then the
 * optional checksum+reserved, key and sequence number words.
 * ERSPAN (draft-foschiano-erspan): type II an 8-byte header, type III 12 (+8
 * with the platform sub-header), then the mirrored Ethernet frame.
 */
static enum td_decode_result decode_gre(struct dec *d, struct td_cur *c, struct td_tcpseg *seg)
{
    uint16_t flags, proto;
    if (!td_cur_get_u16(c, &flags) || !td_cur_get_u16(c, &proto)) {
        return fail(d, TD_DEC_TRUNCATED, "GRE header cut short");
    }
    if ((flags & 0x0007) != 0) {
        return TD_DEC_NOT_TCP; /* version 1 is PPTP's enhanced GRE: PPP inside, not decoded */
    }
    size_t opt = ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) + ((flags & 0x1000) ? 4 : 0);
    if (!td_cur_skip(c, opt)) {
        return fail(d, TD_DEC_TRUNCATED, "GRE optional fields cut short");
    }
    if (proto == ETHERTYPE_ERSPAN2 && (flags & 0x1000) == 0) {
        return decode_inner_ether(d, c, seg); /* ERSPAN type I: no header */
    }
    if (proto == ETHERTYPE_ERSPAN2) {
        if (!td_cur_skip(c, 8)) {
            return fail(d, TD_DEC_TRUNCATED, "ERSPAN type II header cut short");
        }
        return decode_inner_ether(d, c, seg);
    }
    if (proto == ETHERTYPE_ERSPAN3) {
        uint8_t b11;
        if (!td_cur_peek_u8(c, 11, &b11) || !td_cur_skip(c, 12) || ((b11 & 0x01) && !td_cur_skip(c, 8))) {
            return fail(d, TD_DEC_TRUNCATED, "ERSPAN type III header cut short");
        }
        return decode_inner_ether(d, c, seg);
    }
    if (proto == ETHERTYPE_TEB) {
        return decode_inner_ether(d, c, seg);
    }
    return decode_ethertype(d, proto, c, seg);
}

/* UDP (RFC 768) carrying VXLAN (RFC 7348) or GENEVE (RFC 8926). */
static enum td_decode_result decode_udp(struct dec *d, struct td_cur *c, struct td_tcpseg *seg)
{
    uint16_t sport, dport, len, csum;
    if (!td_cur_get_u16(c, &sport) || !td_cur_get_u16(c, &dport) || !td_cur_get_u16(c, &len) ||
        !td_cur_get_u16(c, &csum)) {
        return TD_DEC_NOT_TCP;
    }
    (void)sport, (void)len, (void)csum;
    if (dport == UDP_VXLAN) {
        uint8_t fl;
        if (!td_cur_get_u8(c, &fl) || !td_cur_skip(c, 7)) {
            return fail(d, TD_DEC_TRUNCATED, "VXLAN header cut short");
        }
        if (!(fl & 0x08)) {
            return TD_DEC_NOT_TCP; /* no valid VNI: not VXLAN */
        }
        return decode_inner_ether(d, c, seg);
    }
    if (dport == UDP_GENEVE) {
        uint8_t vo, fl;
        uint16_t proto;
        if (!td_cur_get_u8(c, &vo) || !td_cur_get_u8(c, &fl) || !td_cur_get_u16(c, &proto) || !td_cur_skip(c, 4) ||
            !td_cur_skip(c, (size_t)(vo & 0x3f) * 4)) {
            return fail(d, TD_DEC_TRUNCATED, "GENEVE header cut short");
        }
        if ((vo >> 6) != 0) {
            return TD_DEC_NOT_TCP;
        }
        (void)fl;
        return proto == ETHERTYPE_TEB ? decode_inner_ether(d, c, seg) : decode_ethertype(d, proto, c, seg);
    }
    if (dport == UDP_GTPU || sport == UDP_GTPU) {
        /* 3GPP TS 29.281 5.1: flags, type (255: G-PDU), length, TEID; then
         * sequence number, N-PDU and next extension type when E, S or PN is
         * set; extension headers are 4*n bytes, their last byte the next type. */
        uint8_t fl, type, next = 0;
        uint16_t glen;
        uint32_t teid;
        if (!td_cur_get_u8(c, &fl) || !td_cur_get_u8(c, &type) || !td_cur_get_u16(c, &glen) ||
            !td_cur_get_u32(c, &teid)) {
            return fail(d, TD_DEC_TRUNCATED, "GTP-U header cut short");
        }
        (void)glen, (void)teid;
        if ((fl >> 5) != 1 || type != 255) {
            return TD_DEC_NOT_TCP; /* not GTPv1, or a signalling message */
        }
        if (fl & 0x07) {
            if (!td_cur_skip(c, 3) || !td_cur_get_u8(c, &next)) {
                return fail(d, TD_DEC_TRUNCATED, "GTP-U optional fields cut short");
            }
        }
        for (int i = 0; next != 0 && i < 8; i++) {
            uint8_t units;
            if (!td_cur_get_u8(c, &units) || units == 0 || !td_cur_skip(c, (size_t)units * 4 - 2) ||
                !td_cur_get_u8(c, &next)) {
                return fail(d, TD_DEC_TRUNCATED, "GTP-U extension header cut short");
            }
        }
        return decode_ip_by_version(d, c, seg);
    }
    return TD_DEC_NOT_TCP;
}

/* What an IP header's protocol (IPv4) or next header (IPv6) carries, when not TCP. */
static enum td_decode_result decode_ip_payload(struct dec *d, uint8_t proto, struct td_cur *c, uint32_t len,
                                               struct td_tcpseg *seg)
{
    if (proto != 4 && proto != 41 && proto != 47 && proto != 17) {
        return TD_DEC_NOT_TCP;
    }
    if (!enter(d)) {
        return fail(d, TD_DEC_MALFORMED, "more than 8 nested tunnels");
    }
    struct td_cur inner = *c;
    if (len < td_cur_len(c)) {
        td_cur_get_bytes(c, &inner, len); /* drop Ethernet padding after the tunnel */
    }
    switch (proto) {
    case 4: /* IP in IP (RFC 2003) */
        return decode_ipv4(d, &inner, seg);
    case 41: /* IPv6 in IP (RFC 4213) */
        return decode_ipv6(d, &inner, seg);
    case 47:
        return decode_gre(d, &inner, seg);
    default:
        return decode_udp(d, &inner, seg);
    }
}

static enum td_decode_result fail(struct dec *d, enum td_decode_result r, const char *why)
{
    *d->why = why;
    *d->at = td_cur_offset(d->c);
    return r;
}

bool td_link_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
#if defined(DLT_RAW) && DLT_RAW != 12
    case 12:
#endif
    case 101: /* LINKTYPE_RAW when libpcap does not map it */
        return true;
    default:
        return false;
    }
}

/*
 * TCP header (RFC 9293 section 3.1): ports, seq, ack, data offset, flags,
 * window, checksum, urgent pointer, options.
 */
static enum td_decode_result decode_tcp(struct dec *d, struct td_cur *ip_payload, uint32_t wire_len,
                                        struct td_tcpseg *seg)
{
    struct td_cur *c = ip_payload;
    d->c = c;
    uint8_t off_flags, flags, b;
    uint16_t window, csum, urg;
    if (!td_cur_get_u16(c, &seg->sport) || !td_cur_get_u16(c, &seg->dport) || !td_cur_get_u32(c, &seg->seq) ||
        !td_cur_get_u32(c, &seg->ack) || !td_cur_get_u8(c, &off_flags) || !td_cur_get_u8(c, &flags) ||
        !td_cur_get_u16(c, &window) || !td_cur_get_u16(c, &csum) || !td_cur_get_u16(c, &urg)) {
        return fail(d, TD_DEC_TRUNCATED, "TCP header cut short");
    }
    (void)csum, (void)urg, (void)b;
    size_t hdr_len = (size_t)(off_flags >> 4) * 4;
    if (hdr_len < 20) {
        return fail(d, TD_DEC_MALFORMED, "TCP data offset below 20 bytes");
    }
    if (wire_len < hdr_len) {
        return fail(d, TD_DEC_MALFORMED, "TCP data offset beyond the IP payload");
    }
    if (!td_cur_skip(c, hdr_len - 20)) {
        return fail(d, TD_DEC_TRUNCATED, "TCP options cut short");
    }
    seg->flags = flags;
    seg->window = window;
    seg->payload = *c;
    seg->payload_wire_len = wire_len - (uint32_t)hdr_len;
    if (td_cur_len(c) > seg->payload_wire_len) {
        /* Captured more than IP says: Ethernet padding. */
        struct td_cur trimmed;
        td_cur_get_bytes(c, &trimmed, seg->payload_wire_len);
        seg->payload = trimmed;
    }
    return TD_DEC_TCP;
}

/* IPv4 header (RFC 791 section 3.1). */
static enum td_decode_result decode_ipv4(struct dec *d, struct td_cur *c, struct td_tcpseg *seg)
{
    struct td_cur start = *c; /* the whole packet, for reassembly of a fragment */
    d->c = c;
    uint8_t vihl, tos, ttl, proto;
    uint16_t total, id, frag, csum;
    if (!td_cur_get_u8(c, &vihl) || !td_cur_get_u8(c, &tos) || !td_cur_get_u16(c, &total) || !td_cur_get_u16(c, &id) ||
        !td_cur_get_u16(c, &frag) || !td_cur_get_u8(c, &ttl) || !td_cur_get_u8(c, &proto) ||
        !td_cur_get_u16(c, &csum)) {
        return fail(d, TD_DEC_TRUNCATED, "IPv4 header cut short");
    }
    (void)tos, (void)csum;
    seg->ttl = ttl; /* which hop sent it (a reset from a middlebox has another TTL than the server's) */
    seg->has_ip_id = true;
    seg->ip_id = id;
    if ((vihl >> 4) != 4) {
        return fail(d, TD_DEC_MALFORMED, "IPv4 version field is not 4");
    }
    size_t ihl = (size_t)(vihl & 0x0f) * 4;
    if (ihl < 20 || total < ihl) {
        return fail(d, TD_DEC_MALFORMED, "IPv4 header or total length too small");
    }
    seg->src.family = seg->dst.family = 4;
    td_memzero(seg->src.a, sizeof seg->src.a);
    td_memzero(seg->dst.a, sizeof seg->dst.a);
    if (!td_cur_copy(c, seg->src.a, 4) || !td_cur_copy(c, seg->dst.a, 4) || !td_cur_skip(c, ihl - 20)) {
        return fail(d, TD_DEC_TRUNCATED, "IPv4 addresses or options cut short");
    }
    if ((frag & 0x3fff) != 0) { /* MF set or a non-zero offset */
        size_t n = total < td_cur_len(&start) ? total : td_cur_len(&start);
        td_cur_get_bytes(&start, &seg->frag_ip, n);
        return fail(d, TD_DEC_FRAGMENT, "IPv4 fragment");
    }
    uint32_t wire_len = total - (uint32_t)ihl;
    /* TSO captures carry total length 0; take what was captured. */
    if (total == 0) {
        wire_len = (uint32_t)td_cur_len(c);
    }
    if (proto != 6) {
        return decode_ip_payload(d, proto, c, wire_len, seg);
    }
    return decode_tcp(d, c, wire_len, seg);
}

/* IPv6 header (RFC 8200 section 3) and the extension headers of section 4. */
static enum td_decode_result decode_ipv6(struct dec *d, struct td_cur *c, struct td_tcpseg *seg)
{
    struct td_cur start = *c; /* the whole packet, for reassembly of a fragment */
    d->c = c;
    uint32_t vtcfl;
    uint16_t plen;
    uint8_t next, hlim;
    if (!td_cur_get_u32(c, &vtcfl) || !td_cur_get_u16(c, &plen) || !td_cur_get_u8(c, &next) ||
        !td_cur_get_u8(c, &hlim)) {
        return fail(d, TD_DEC_TRUNCATED, "IPv6 header cut short");
    }
    seg->ttl = hlim;
    seg->has_ip_id = false;
    if ((vtcfl >> 28) != 6) {
        return fail(d, TD_DEC_MALFORMED, "IPv6 version field is not 6");
    }
    seg->src.family = seg->dst.family = 6;
    if (!td_cur_copy(c, seg->src.a, 16) || !td_cur_copy(c, seg->dst.a, 16)) {
        return fail(d, TD_DEC_TRUNCATED, "IPv6 addresses cut short");
    }
    uint32_t remaining = plen;
    if (plen == 0) { /* jumbogram or TSO: take what was captured */
        remaining = (uint32_t)td_cur_len(c);
    }
    for (int hops = 0; hops < 16; hops++) {
        uint8_t nh, hlen;
        size_t ext_len;
        switch (next) {
        case 6:
            return decode_tcp(d, c, remaining, seg);
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
            if (!td_cur_get_u8(c, &nh) || !td_cur_get_u8(c, &hlen)) {
                return fail(d, TD_DEC_TRUNCATED, "IPv6 extension header cut short");
            }
            ext_len = ((size_t)hlen + 1) * 8;
            break;
        case 51: /* AH: length in 4-octet units, minus 2 */
            if (!td_cur_get_u8(c, &nh) || !td_cur_get_u8(c, &hlen)) {
                return fail(d, TD_DEC_TRUNCATED, "IPv6 AH header cut short");
            }
            ext_len = ((size_t)hlen + 2) * 4;
            break;
        case 44: { /* fragment */
            uint8_t res;
            uint16_t offm;
            if (!td_cur_get_u8(c, &nh) || !td_cur_get_u8(c, &res) || !td_cur_get_u16(c, &offm)) {
                return fail(d, TD_DEC_TRUNCATED, "IPv6 fragment header cut short");
            }
            if ((offm & 0xfff9) != 0) { /* offset or M flag: a real fragment */
                size_t n = 40 + (size_t)plen < td_cur_len(&start) ? 40 + (size_t)plen : td_cur_len(&start);
                td_cur_get_bytes(&start, &seg->frag_ip, n);
                return fail(d, TD_DEC_FRAGMENT, "IPv6 fragment");
            }
            ext_len = 8; /* atomic fragment: carry on */
            break;
        }
        case 4:
        case 41:
        case 47:
        case 17:
            return decode_ip_payload(d, next, c, remaining, seg);
        default:
            return TD_DEC_NOT_TCP;
        }
        if (ext_len < 2 || remaining < ext_len || !td_cur_skip(c, ext_len - 2)) {
            return fail(d, TD_DEC_TRUNCATED, "IPv6 extension header cut short");
        }
        remaining -= (uint32_t)ext_len;
        next = nh;
    }
    return fail(d, TD_DEC_MALFORMED, "too many IPv6 extension headers");
}

static enum td_decode_result decode_ip_by_version(struct dec *d, struct td_cur *c, struct td_tcpseg *seg)
{
    uint8_t v;
    if (!td_cur_peek_u8(c, 0, &v)) {
        return fail(d, TD_DEC_TRUNCATED, "empty IP packet");
    }
    if ((v >> 4) == 4) {
        return decode_ipv4(d, c, seg);
    }
    if ((v >> 4) == 6) {
        return decode_ipv6(d, c, seg);
    }
    return fail(d, TD_DEC_NOT_IP, "not an IP packet");
}

static enum td_decode_result decode_ethertype(struct dec *d, uint16_t type, struct td_cur *c, struct td_tcpseg *seg)
{
    /* 802.1Q, 802.1ad (QinQ) tags: TCI then the next ethertype. */
    for (int tags = 0; tags < 8 && (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD);
         tags++) {
        uint16_t tci;
        if (!td_cur_get_u16(c, &tci) || !td_cur_get_u16(c, &type)) {
            return fail(d, TD_DEC_TRUNCATED, "VLAN tag cut short");
        }
    }
    if (type == ETHERTYPE_IPV4) {
        return decode_ipv4(d, c, seg);
    }
    if (type == ETHERTYPE_IPV6) {
        return decode_ipv6(d, c, seg);
    }
    if (type == ETHERTYPE_MPLS || type == ETHERTYPE_MPLS_MC) {
        /* RFC 3032: 4-byte label entries until the bottom-of-stack bit, then
         * IP told by its version nibble (an Ethernet pseudowire is not decoded) */
        for (int labels = 0; labels < 16; labels++) {
            uint32_t e;
            if (!td_cur_get_u32(c, &e)) {
                return fail(d, TD_DEC_TRUNCATED, "MPLS label stack cut short");
            }
            if (e & 0x100) {
                uint8_t v;
                if (td_cur_peek_u8(c, 0, &v) && (v >> 4) != 4 && (v >> 4) != 6) {
                    return TD_DEC_NOT_IP;
                }
                return decode_ip_by_version(d, c, seg);
            }
        }
        return fail(d, TD_DEC_MALFORMED, "MPLS label stack without a bottom");
    }
    if (type == ETHERTYPE_PPPOE) {
        /* RFC 2516 session stage: ver/type, code, session id, length, then PPP's protocol */
        uint8_t vt, code;
        uint16_t sid, len, ppp;
        if (!td_cur_get_u8(c, &vt) || !td_cur_get_u8(c, &code) || !td_cur_get_u16(c, &sid) ||
            !td_cur_get_u16(c, &len) || !td_cur_get_u16(c, &ppp)) {
            return fail(d, TD_DEC_TRUNCATED, "PPPoE header cut short");
        }
        (void)vt, (void)code, (void)sid, (void)len;
        if (ppp == 0x0021) {
            return decode_ipv4(d, c, seg);
        }
        if (ppp == 0x0057) {
            return decode_ipv6(d, c, seg);
        }
        return TD_DEC_NOT_IP;
    }
    return TD_DEC_NOT_IP;
}

enum td_decode_result td_decode_frame(int dlt, const uint8_t *frame, size_t caplen, struct td_tcpseg *seg,
                                      const char **why, size_t *at)
{
    struct td_cur c;
    td_cur_init(&c, frame, caplen);
    struct dec d = {why, at, &c, 0};
    *why = NULL;
    *at = 0;
    uint16_t type;
    uint32_t fam;
    switch (dlt) {
    case DLT_EN10MB:
        if (!td_cur_skip(&c, 12) || !td_cur_get_u16(&c, &type)) {
            return fail(&d, TD_DEC_TRUNCATED, "Ethernet header cut short");
        }
        return decode_ethertype(&d, type, &c, seg);
    case DLT_LINUX_SLL: /* 16 bytes; protocol last */
        if (!td_cur_skip(&c, 14) || !td_cur_get_u16(&c, &type)) {
            return fail(&d, TD_DEC_TRUNCATED, "Linux cooked header cut short");
        }
        return decode_ethertype(&d, type, &c, seg);
    case DLT_LINUX_SLL2: /* 20 bytes; protocol first */
        if (!td_cur_get_u16(&c, &type) || !td_cur_skip(&c, 18)) {
            return fail(&d, TD_DEC_TRUNCATED, "Linux cooked v2 header cut short");
        }
        return decode_ethertype(&d, type, &c, seg);
    case DLT_NULL:
    case DLT_LOOP: {
        /* A 4-byte address family: host order for NULL, network order for
         * LOOP. Accept either order, since the writer's byte order is unknown. */
        if (!td_cur_get_u32(&c, &fam)) {
            return fail(&d, TD_DEC_TRUNCATED, "loopback header cut short");
        }
        uint32_t swapped = ((fam & 0xff) << 24) | ((fam & 0xff00) << 8) | ((fam >> 8) & 0xff00) | (fam >> 24);
        uint32_t f = fam < 256 ? fam : swapped;
        if (f == 2) {
            return decode_ipv4(&d, &c, seg);
        }
        if (f == 10 || f == 24 || f == 28 || f == 30) {
            return decode_ipv6(&d, &c, seg);
        }
        return TD_DEC_NOT_IP;
    }
    case DLT_IPV4:
        return decode_ipv4(&d, &c, seg);
    case DLT_IPV6:
        return decode_ipv6(&d, &c, seg);
    default:
        if (dlt == DLT_RAW || dlt == 12 || dlt == 101 || dlt == 14) {
            return decode_ip_by_version(&d, &c, seg);
        }
        return fail(&d, TD_DEC_UNSUPPORTED_LINK, "unsupported link type");
    }
}
