/* Capture layer: link-layer, IP and TCP header decoding of one frame.
 *
 * Frames come from libpcap (pcap and pcapng); this layer only decodes headers
 * through bounds-checked cursors and hands back a view of the TCP payload. */
#ifndef TD_CAPTURE_H
#define TD_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "base/net.h"

struct td_tcpseg {
    struct td_addr src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t window;
    struct td_cur payload;     /* captured payload bytes (a view into the frame) */
    uint32_t payload_wire_len; /* payload length on the wire (>= captured when snaplen cut it) */
    struct td_cur frag_ip;     /* TD_DEC_FRAGMENT: the IP fragment, headers included (a view into the frame) */
    uint8_t ttl;               /* the (innermost) IP header's TTL or IPv6 hop limit */
    bool has_ip_id;            /* IPv4: ip_id holds its identification */
    uint16_t ip_id;
};

enum td_decode_result {
    TD_DEC_TCP = 0,   /* seg filled */
    TD_DEC_NOT_IP,    /* ARP, LLDP, ... */
    TD_DEC_NOT_TCP,   /* UDP, ICMP, ... */
    TD_DEC_FRAGMENT,  /* an IP fragment: counted, not reassembled */
    TD_DEC_TRUNCATED, /* headers cut by the snap length */
    TD_DEC_MALFORMED, /* header fields that cannot be right */
    TD_DEC_UNSUPPORTED_LINK,
};

/* Decode one frame of the given libpcap DLT_ link type. On anything but
 * TD_DEC_TCP, *why says what was wrong and *at the offset in the frame. */
enum td_decode_result td_decode_frame(int dlt, const uint8_t *frame, size_t caplen, struct td_tcpseg *seg,
                                      const char **why, size_t *at);

bool td_link_supported(int dlt);

/* IPv4 and IPv6 reassembly (RFC 791 3.2, RFC 8200 4.5, RFC 815): a bounded table of datagrams in
 * progress (ipfrag.c). td_ipfrag_add takes one fragment (seg->frag_ip of a
 * TD_DEC_FRAGMENT); when it completes a datagram, *out holds the whole packet
 * (decode it as DLT_RAW) and it returns true. Overlaps keep the first bytes. */
struct td_ipfrag;
struct td_buf;
struct td_ipfrag *td_ipfrag_new(void);
void td_ipfrag_free(struct td_ipfrag *t);
bool td_ipfrag_add(struct td_ipfrag *t, const struct td_cur *ip, struct td_buf *out);
/* "192.0.2.1:443" or "[2001:db8::1]:443" */

#endif
