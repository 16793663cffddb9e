/* A file mapping that survives its file being cut short (capture layer
 * internal, pcap_map.c).
 *
 * A page of a mapped file past the file's end, once another process has
 * truncated it, is a SIGBUS on access. While a mapping is guarded, such a
 * SIGBUS is caught: the page becomes a page of zeros (so the access goes on)
 * and the mapping is marked hit with the file offset of the first page that
 * was lost. The reader asks td_sigbus_hit after touching the bytes of each
 * record and before handing it out: a record whose bytes were lost is never
 * given out, and the file is an input error. A SIGBUS outside every guarded
 * mapping goes to the action there was before (by default, the end of the
 * process, as without the guard). As systemd's journal reader does. */
#ifndef TD_CAPTURE_SIGBUS_H
#define TD_CAPTURE_SIGBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guard [base, base + len): a slot (>= 0), or -1 when none is free (then do
 * not map: read the file instead). */
int td_sigbus_guard(const uint8_t *base, size_t len);
/* The mapping lost a page: true, with the offset of the first lost byte. */
bool td_sigbus_hit(int slot, uint64_t *offset);
void td_sigbus_unguard(int slot);

#endif
