/* Rendering of connections and run summaries. Renderers append to a td_buf;
 * only src/cli prints. */
#ifndef TD_REPORT_H
#define TD_REPORT_H

#include <stdbool.h>

#include "base/mem.h"
#include "engine/engine.h"
#include "tls/tls.h"

struct td_render_opts {
    bool verbose;
    bool color;
    bool utf8;
    const char *file;
};

void td_render_conn_json(struct td_buf *out, const struct td_tls_conn *c, const struct td_render_opts *o);
void td_render_conn_text(struct td_buf *out, const struct td_tls_conn *c, const struct td_render_opts *o);
void td_render_summary_text(struct td_buf *out, const struct td_run_stats *s, const struct td_render_opts *o);
void td_render_summary_json(struct td_buf *out, const struct td_run_stats *s, const struct td_render_opts *o);

const char *td_outcome_name(enum td_outcome o);
/* "1700000000.123456789" */
void td_time_str(const struct td_time *t, char *out, size_t len);

#endif
