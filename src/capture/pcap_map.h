/* Classic pcap files read in place (capture layer internal, reader.c).
 *
 * A regular file in this machine's byte order, version 2.4, with the
 * standard 16-byte record header, is mapped and its records handed out as
 * views into the mapping: no copy per frame. libpcap still reads the file
 * header (so the link type, snapshot length and every header error are its
 * own), and takes over at the first record this reader does not handle
 * exactly as libpcap would (a length past the snapshot or the end of the
 * file, a time stamp field with its top bit set): from there on it reads
 * the rest through td_pcap_map_pcap, with its own checks and messages.
 * Pages behind the reader are dropped from the mapping as it goes, so the
 * resident size stays bounded whatever the file's size. */
#ifndef TD_CAPTURE_PCAP_MAP_H
#define TD_CAPTURE_PCAP_MAP_H

#include <pcap/pcap.h>
#include <stdint.h>

struct td_pcap_map;

/* Map fd (a regular file of `size` bytes) when its header is one this
 * reader handles; NULL otherwise (read it through stdio as before). */
struct td_pcap_map *td_pcap_map_open(int fd, uint64_t size);
/* A libpcap handle reading the file header, then the records from byte
 * `at` on (NULL with perr filled when libpcap refuses the header). */
pcap_t *td_pcap_map_pcap(struct td_pcap_map *m, uint64_t at, char *perr);
/* Tell the map the link type and snapshot length libpcap read. */
void td_pcap_map_set_limits(struct td_pcap_map *m, int snapshot);

struct td_pcap_rec {
    int64_t sec;
    uint32_t nsec;
    const uint8_t *data;
    uint32_t caplen, wirelen;
};
/* 1: the next record, in place; 0: the end of the file; -1: a record to hand
 * to libpcap (td_pcap_map_pcap at td_pcap_map_pos). */
int td_pcap_map_next(struct td_pcap_map *m, struct td_pcap_rec *rec);
uint64_t td_pcap_map_pos(const struct td_pcap_map *m);
/* The bytes before `at` are no longer needed: drop their pages (all but the
 * last few MiB) from the mapping; a later access reads them in again. */
void td_pcap_map_release(struct td_pcap_map *m, uint64_t at);
void td_pcap_map_close(struct td_pcap_map *m);

#endif
