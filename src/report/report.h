/* Rendering of connections and run summaries. Renderers append to a td_buf;
 * only src/cli prints. */
#ifndef TD_REPORT_H
#define TD_REPORT_H

#include <stdbool.h>

#include "base/json.h"
#include "analyse/analyse.h"
#include "analyse/lab_check.h"
#include "base/mem.h"
#include "cert/audit.h"
#include "diag/diag.h"
#include "probe/probe.h"
#include "engine/engine.h"
#include "log/log.h"
#include "tls/tls.h"

struct td_render_opts {
    bool verbose;
    bool color;
    bool utf8;
    const char *file;
    struct td_cert_cache *cert_cache; /* decoded certificates, owned by the caller; NULL: none */
    /* The connection's handshake completed and was then refused
     * (td_facts_settle): its outcome is shown as failed. */
    bool rejected_after_handshake;
};

void td_render_conn_json(struct td_buf *out, const struct td_tls_conn *c, const struct td_render_opts *o);
void td_render_conn_text(struct td_buf *out, const struct td_tls_conn *c, const struct td_render_opts *o);
void td_render_summary_text(struct td_buf *out, const struct td_run_stats *s, const struct td_render_opts *o);
/* causes: counts per enum td_cause (TD_CAUSE_COUNT entries), or NULL. */
void td_render_summary_json(struct td_buf *out, const struct td_run_stats *s, const uint32_t *causes,
                            const struct td_render_opts *o);

/* A connection result: open renders the ladder (text) or opens the JSON
 * object; close appends the verdict (and the gateway answer it caused) and
 * ends the block. Between the two the connection may be gone. */
void td_render_result_open(struct td_buf *out, const struct td_tls_conn *c, bool json, const struct td_render_opts *o);
void td_render_result_close(struct td_buf *out, const struct td_conn_result *r, bool json,
                            const struct td_render_opts *o);

/* The end of one input of the analysis: the counts, then (text) verdicts by
 * cause and each server with failures. */
void td_render_analysis_text(struct td_buf *out, const struct td_analysis_summary *s, const struct td_render_opts *o);
void td_render_analysis_json(struct td_buf *out, const struct td_analysis_summary *s, const struct td_render_opts *o);

/* The verdict: text lines under the ladder; JSON fields added to the open
 * connection object (the caller closes it). */
void td_render_verdict_text(struct td_buf *out, const struct td_verdict *v, uint32_t stream,
                            const struct td_render_opts *o);
void td_render_verdict_json(struct td_json *j, const struct td_verdict *v);
/* A connection object as td_render_conn_json writes it, left open for
 * td_render_verdict_json; close with td_render_conn_json_close. */
void td_render_conn_json_open(struct td_json *j, const struct td_tls_conn *c, const struct td_render_opts *o);
void td_render_conn_json_close(struct td_json *j);

const char *td_outcome_name(enum td_outcome o);
/* "1700000000.123456789" */
void td_time_str(const struct td_time *t, char *out, size_t len);

/* Gateways: the 5xx a gateway answered (northbound) and the failed TLS
 * connection it made (southbound, up; NULL when none was found). */
void td_render_http_text(struct td_buf *out, const struct td_http_result *r, const struct td_render_opts *o);
void td_render_http_json(struct td_buf *out, const struct td_http_result *r, const struct td_render_opts *o);
void td_render_downstream_text(struct td_buf *out, const struct td_http_error *h, const struct td_render_opts *o);
void td_render_downstream_json(struct td_json *j, const struct td_http_error *h);

/* tlsdiag probe: text, and one JSON object per target (with a newline). */
void td_render_probe_text(struct td_buf *out, const struct td_probe_result *r, const struct td_render_opts *o);
void td_render_probe_json(struct td_buf *out, const struct td_probe_result *r);

/* tlsdiag lab: --list; the header, one line (or JSON object, capture the
 * kept file or NULL) per scenario, and the total line. */
void td_render_lab_list(struct td_buf *out, bool json);
void td_render_lab_header(struct td_buf *out);
void td_render_lab_text(struct td_buf *out, const struct td_lab_info *in, const struct td_lab_outcome *r,
                        const struct td_render_opts *o);
void td_render_lab_json(struct td_buf *out, const struct td_lab_info *in, const struct td_lab_outcome *r,
                        const char *capture);
void td_render_lab_total(struct td_buf *out, size_t good, size_t ran, const char *kept_in);

/* tlsdiag cert: text, and one JSON object (with a newline). */
void td_render_cert_text(struct td_buf *out, const struct td_cert_report *r, const struct td_render_opts *o);
void td_render_cert_json(struct td_buf *out, const struct td_cert_report *r);

/* tlsdiag log: each failure found in one input (text blocks like the pcap
 * verdicts, or one JSON object per failure), then the input's summary (a
 * JSON object of "type": "summary"). */
void td_render_log_text(struct td_buf *out, const char *file, const struct td_log *lg, const struct td_render_opts *o);
void td_render_log_json(struct td_buf *out, const char *file, const struct td_log *lg);

#endif
