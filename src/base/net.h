/* Addresses, times and TCP flags: what every layer above the capture names
 * a connection and its moments with. */
#ifndef TD_BASE_NET_H
#define TD_BASE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct td_time {
    int64_t sec;
    uint32_t nsec;
};

struct td_addr {
    uint8_t family; /* 4 or 6 */
    uint8_t a[16];  /* IPv4 in the first 4 bytes */
};

#define TD_TCP_FIN 0x01
#define TD_TCP_SYN 0x02
#define TD_TCP_RST 0x04
#define TD_TCP_PSH 0x08
#define TD_TCP_ACK 0x10

/* "192.0.2.1", "2001:db8::1" */
void td_addr_str(const struct td_addr *a, char *out, size_t out_len);
/* "192.0.2.1:443", "[2001:db8::1]:443" */
void td_addr_port_str(const struct td_addr *a, uint16_t port, char *out, size_t out_len);
/* The reverse of td_addr_port_str; false when s is not of that form. */
bool td_addr_port_parse(const char *s, struct td_addr *a, uint16_t *port);
/* A hash of a TCP flow that both directions share (the smaller endpoint,
 * address then port, first; FNV-1a): --shard K/N keeps the flows whose hash
 * modulo N is K-1. */
uint32_t td_flow_sym_hash(const struct td_addr *a, uint16_t a_port, const struct td_addr *b, uint16_t b_port);

#endif
