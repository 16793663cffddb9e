/* Classic pcap files read in place (capture layer internal, reader.c).
 *
 * A regular file in this machine's byte order, version 2.4, with the
 * standard 16-byte record header, is read with large pread()s into a 1 MiB
 * window and its records handed out as views into the window: no copy per
 * frame (a record cut by the window's end moves to its start with the rest). libpcap still reads the file
 * header (so the link type, snapshot length and every header error are its
 * own), and takes over at the first record this reader does not handle
 * exactly as libpcap would (a length past the snapshot or the end of the
 * file, a time stamp field with its top bit set): from there on it reads
 * the rest through td_pcap_map_pcap, with its own checks and messages.
 * Not a mapping: a file cut short while it is read (another process
 * truncating it) is a read that falls short, not a SIGBUS. */
#ifndef TD_CAPTURE_PCAP_MAP_H
#define TD_CAPTURE_PCAP_MAP_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct td_pcap_map;

/* Read fd (a regular file of `size` bytes) in place when its header is one
 * this reader handles; NULL otherwise (read it through stdio as before). */
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
/* 1: the next record, a view valid until the next call; 0: the end of the
 * file; -1: a record to hand to libpcap (td_pcap_map_pcap at
 * td_pcap_map_pos); -2: the file no longer has the bytes it had when opened
 * (td_pcap_map_failed). */
int td_pcap_map_next(struct td_pcap_map *m, struct td_pcap_rec *rec);
uint64_t td_pcap_map_pos(const struct td_pcap_map *m);
/* From another thread than the reader's, while it reads (mapped files
 * only): bring the next chunk of the file, at most `ahead` chunks of 1 MiB
 * before the reader, into memory and the caches, so that the reader's first
 * touch of it does not wait on memory. false: nothing to do now (that far
 * ahead already, the end, or not mapped). From the first call on, the
 * reader leaves mapping ahead to the scout. */
bool td_pcap_map_scout(struct td_pcap_map *m, unsigned ahead);
/* A read fell short of the size the file had when opened (it was cut short
 * while read, or an I/O error), also one of libpcap's through
 * td_pcap_map_pcap: true, with why saying so and naming the byte offset. */
bool td_pcap_map_failed(const struct td_pcap_map *m, char *why, size_t len);
void td_pcap_map_close(struct td_pcap_map *m);

#endif
