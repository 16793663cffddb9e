/* Writing pcapng (tlsdiag pcap/watch --write-failed): a Section Header, one
 * Interface Description per link type met (nanosecond timestamps), Enhanced
 * Packet Blocks, and the Decryption Secrets Blocks (TLS key log lines) that
 * packets need, each before the first packet of its file that needs it, so
 * that every file decrypts alone in Wireshark and tlsdiag. Rotation as tcpdump -C/-G: past rotate_bytes, or rotate_secs
 * of capture time after a file's first packet, the next file is FILE1, FILE2... */
#ifndef TD_CAPTURE_PCAPNG_WRITE_H
#define TD_CAPTURE_PCAPNG_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/mem.h"
#include "base/net.h"

struct td_pcapngw;

/* NULL with err when path cannot be created. rotate_*: 0 for never. */
struct td_pcapngw *td_pcapngw_open(const char *path, uint64_t rotate_bytes, int64_t rotate_secs, char *err,
                                   size_t err_len);
/* The secrets a connection's packets need (the caller's): NSS key log lines,
 * and the file that has them so far (as td_pcapngw_files counts; 0: none). */
struct td_pcapngw_secrets {
    struct td_buf lines;
    unsigned in_file;
};

/* sec (NULL: none needed): written as a Decryption Secrets Block just before
 * this packet when the file it goes to does not have them yet. false (err
 * says why; later writes are skipped) when a write failed. */
bool td_pcapngw_packet(struct td_pcapngw *w, int dlt, const struct td_time *ts, const uint8_t *data, size_t caplen,
                       size_t wirelen, struct td_pcapngw_secrets *sec, char *err, size_t err_len);
/* Whether a later packet may go to another file (-C, -G): secrets kept for it. */
bool td_pcapngw_rotates(const struct td_pcapngw *w);
/* Files written so far (1 + rotations). */
unsigned td_pcapngw_files(const struct td_pcapngw *w);
bool td_pcapngw_close(struct td_pcapngw *w, char *err, size_t err_len);

#endif
