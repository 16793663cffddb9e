/* Capture file readers: classic pcap through libpcap, pcapng through our own
 * bounded block reader (libpcap cannot read pcapng files whose interfaces have
 * different link types, which `dumpcap -i eth0 -i any` and mergecap write).
 * Frames are numbered from 1 as Wireshark numbers them. */
#ifndef TD_CAPTURE_READER_H
#define TD_CAPTURE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/mem.h"
#include "capture/capture.h"

struct td_frame {
    uint64_t number;
    int dlt; /* libpcap DLT_ value of this frame's interface */
    struct td_time ts;
    const uint8_t *data; /* valid until the next td_reader_next */
    size_t caplen, wirelen;
    uint64_t pos; /* bytes of the input read up to the end of this frame */
};

struct td_reader;

/* Open a capture ("-" is standard input). NULL with err filled on failure. */
struct td_reader *td_reader_open(const char *path, char *err, size_t err_len);
/* A live capture on iface (NULL: "any") through libpcap, with a BPF filter
 * (NULL: none), a snap length (0: 262144) and a kernel buffer (0: libpcap's
 * default). Needs CAP_NET_RAW. */
struct td_reader *td_reader_open_live(const char *iface, const char *filter, int snaplen, int buffer_bytes, char *err,
                                      size_t err_len);
/* Packets the kernel passed and dropped so far (live captures only). */
bool td_reader_live_drops(const struct td_reader *r, uint64_t *received, uint64_t *dropped);
/* 1: a frame; 2: none yet (live capture, read timeout); 0: end of file; -1: the file is damaged from here on (err says
 * how, naming the byte offset); the frames before it were good. */
int td_reader_next(struct td_reader *r, struct td_frame *f, char *err, size_t err_len);
/* Bytes consumed so far and the file size (0 if unknown), for progress. */
void td_reader_progress(const struct td_reader *r, uint64_t *done, uint64_t *total);
const char *td_reader_format(const struct td_reader *r);
/* A pipe, a FIFO, a terminal or a live capture, not a regular file: its
 * end is not in sight, so results are best given as they settle. */
bool td_reader_is_stream(const struct td_reader *r);
void td_reader_close(struct td_reader *r);

/* A regular file's classic pcap read in place (no copy per frame):
 * td_reader_next_mapped gives the next frame (1), valid until the next call,
 * or 0 when the in-place reader has no more to give (the end, a record that
 * libpcap reads, or a read error: td_reader_next goes on from there and says
 * which). One thread at a time may call the reader. */
bool td_reader_mapped(const struct td_reader *r);
int td_reader_next_mapped(struct td_reader *r, struct td_frame *f);
/* td_pcap_map_scout for the file read in place: from another thread than
 * the reader's, while it reads. */
bool td_reader_scout(struct td_reader *r, unsigned ahead);
/* The file could not be read to its end: it was cut short (or a read
 * failed) while read, after td_reader_next returned -1. An input error, not
 * damage in the capture. */
bool td_reader_io_error(const struct td_reader *r);
/* Key log lines found so far in pcapng Decryption Secrets Blocks (appended to
 * out, then forgotten by the reader). false when there are none. */
bool td_reader_take_secrets(struct td_reader *r, struct td_buf *out);

#endif
