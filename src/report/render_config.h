/* tlsdiag config output: each finding with the file, line, the setting as
 * written and the change to make; the files read. Text, and one JSON object. */
#ifndef TD_REPORT_RENDER_CONFIG_H
#define TD_REPORT_RENDER_CONFIG_H

#include "base/mem.h"
#include "config/config.h"
#include "report/report.h"

void td_render_config_text(struct td_buf *out, const struct td_conf_report *r, const struct td_render_opts *o);
/* {"files": [...], "findings": [...], "errors": N, "warnings": N, "input_errors": N} and a newline. */
void td_render_config_json(struct td_buf *out, const struct td_conf_report *r);

#endif
