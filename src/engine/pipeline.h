/* Two threads over one capture file (engine internal).
 *
 * A second thread runs the engine over the whole file (reading, decoding,
 * TCP, TLS): each connection it reports, each problem and each progress
 * report, with the counts as they were at that moment, goes into a bounded
 * queue in order; the calling thread takes them in that order and calls the
 * caller's callbacks (facts, verdicts, output) with the counts brought to
 * the same moment, so that the output is the one-thread output byte for
 * byte. */
#ifndef TD_ENGINE_PIPELINE_H
#define TD_ENGINE_PIPELINE_H

#include "capture/reader.h"
#include "engine/engine.h"

/* Run e over r with the engine on a second thread, cb's callbacks and the
 * counts in stats on this one (cb and stats: those e was made with).
 * Returns td_engine_loop's value. */
int td_pipeline_run(struct td_engine *e, struct td_reader *r, const struct td_engine_cb *cb,
                    struct td_run_stats *stats);
/* Cores online. */
long td_pipeline_cores(void);

#endif
