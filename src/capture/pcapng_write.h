/* Writing pcapng (tlsdiag pcap/watch --write-failed): a Section Header, one
 * Interface Description per link type met (nanosecond timestamps), Enhanced
 * Packet Blocks. Rotation as tcpdump -C/-G: past rotate_bytes, or rotate_secs
 * of capture time after a file's first packet, the next file is FILE1, FILE2... */
#ifndef TD_CAPTURE_PCAPNG_WRITE_H
#define TD_CAPTURE_PCAPNG_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/net.h"

struct td_pcapngw;

/* NULL with err when path cannot be created. rotate_*: 0 for never. */
struct td_pcapngw *td_pcapngw_open(const char *path, uint64_t rotate_bytes, int64_t rotate_secs, char *err,
                                   size_t err_len);
/* false (err says why; later writes are skipped) when a write failed. */
bool td_pcapngw_packet(struct td_pcapngw *w, int dlt, const struct td_time *ts, const uint8_t *data, size_t caplen,
                       size_t wirelen, char *err, size_t err_len);
/* Files written so far (1 + rotations). */
unsigned td_pcapngw_files(const struct td_pcapngw *w);
bool td_pcapngw_close(struct td_pcapngw *w, char *err, size_t err_len);

#endif
