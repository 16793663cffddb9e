/* Two threads over one capture file read in place (engine internal).
 *
 * A second thread reads the frames of a classic pcap file in place, copies
 * them into its batch and decodes their headers (td_decode_frame, which keeps no state) in batches;
 * the calling thread takes each batch in file order and does everything else
 * (reassembly, TLS, verdicts, output) exactly as with one thread, so the
 * output is the same byte for byte. */
#ifndef TD_ENGINE_PIPELINE_H
#define TD_ENGINE_PIPELINE_H

#include <stdbool.h>

#include "capture/reader.h"
#include "engine/engine.h"

/* Each frame in order; on_frame returns false to stop. Returns when the
 * in-place reader has no more frames to give (td_reader_next goes on from there:
 * the end, or a record libpcap reads) or on_frame said stop. */
void td_pipeline_run(struct td_reader *r,
                     bool (*on_frame)(void *ctx, const struct td_frame *f, const struct td_decoded *d), void *ctx);
/* Cores online. */
long td_pipeline_cores(void);

#endif
