/* Writing captures (tlsdiag lab): classic pcap through libpcap, Ethernet
 * frames, nanosecond timestamps, so that Wireshark, tshark and tcpdump open
 * them as they open their own. */
#ifndef TD_CAPTURE_WRITER_H
#define TD_CAPTURE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"

struct td_pcapw;

struct td_pcapw *td_pcapw_open(const char *path, char *err, size_t err_len);
void td_pcapw_write(struct td_pcapw *w, const struct td_time *ts, const uint8_t *frame, size_t len);
/* false when something could not be written (err says what). */
bool td_pcapw_close(struct td_pcapw *w, char *err, size_t err_len);

#endif
