/* Read ahead (capture layer internal, pcap_map.c): a thread reads a file's
 * bytes [from, size) in order, in chunks, into two buffers in turn, so the
 * copy out of the page cache runs on another core while the caller works on
 * the chunk before. Each buffer has `prefix` bytes before its chunk for the
 * caller's own use (the end of the chunk before, a record cut in two). */
#ifndef TD_CAPTURE_AHEAD_H
#define TD_CAPTURE_AHEAD_H

#include <stddef.h>
#include <stdint.h>

struct td_ahead;

/* NULL when no thread could be started (read synchronously instead). */
struct td_ahead *td_ahead_start(int fd, uint64_t from, uint64_t size, size_t prefix, size_t chunk);
/* The next chunk in order (waiting for it), its length in *len: less than
 * the chunk size only at the end of the file or when a read fell short
 * (*err then errno, 0 for the end of the file, *short_at the offset; *err
 * is -1 otherwise). NULL when there is no more. The caller holds at most
 * two chunks: td_ahead_done gives back the older. */
uint8_t *td_ahead_next(struct td_ahead *a, size_t *len, int *err, uint64_t *short_at);
void td_ahead_done(struct td_ahead *a);
void td_ahead_stop(struct td_ahead *a);

#endif
