/* TCP as it would cross the wire between two peers whose bytes we hold:
 * three-way handshake, MSS-sized segments with correct sequence and
 * acknowledgement numbers, an ACK for each flight, FIN and RST, written as
 * Ethernet/IPv4 frames with valid checksums. Time advances deterministically. */
#ifndef TD_LAB_TCPSIM_H
#define TD_LAB_TCPSIM_H

#include <stddef.h>
#include <stdint.h>

#include "capture/writer.h"

enum { TD_SIM_C2S = 0, TD_SIM_S2C = 1 };

struct td_tcpsim {
    struct td_pcapw *w;
    int64_t t_ns;   /* capture clock */
    uint32_t ip[2]; /* client, server */
    uint16_t port[2];
    uint32_t seq[2]; /* next sequence number each side sends */
    uint16_t ipid[2];
    uint16_t mss;
    uint64_t frames;
};

void td_tcpsim_init(struct td_tcpsim *s, struct td_pcapw *w, int64_t t_ns, uint32_t cip, uint16_t cport, uint32_t sip,
                    uint16_t sport);
void td_tcpsim_open(struct td_tcpsim *s);
/* Data from dir, cut into MSS segments, then the other side's ACK. */
void td_tcpsim_data(struct td_tcpsim *s, int dir, const uint8_t *p, size_t len);
/* The same, but every segment after the first is lost on the path after the
 * capture point: the peer acknowledges the first only; the sender
 * retransmits the rest twice (after 200 ms, then 400 ms), in vain. */
void td_tcpsim_data_lost(struct td_tcpsim *s, int dir, const uint8_t *p, size_t len);
/* A flight of at most one segment lost on the path after the capture point:
 * no ACK; the sender retransmits it twice (200 ms, 400 ms), in vain. */
void td_tcpsim_data_unacked(struct td_tcpsim *s, int dir, const uint8_t *p, size_t len);
void td_tcpsim_fin(struct td_tcpsim *s, int dir);
/* FIN from first, FIN from the other, the last ACK. */
void td_tcpsim_close(struct td_tcpsim *s, int first);
void td_tcpsim_rst(struct td_tcpsim *s, int dir);
void td_tcpsim_wait(struct td_tcpsim *s, int64_t ns);

#endif
