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
#include "crypto/keylog_follow.h"
#include "diag/diag.h"
#include "probe/probe.h"
#include "probe/replay.h"
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
    bool ecs; /* JSON under Elastic Common Schema names (--ecs) */
    /* The machine that saw the traffic (watch --observer, default the host
     * name): "observer" (ECS observer.hostname) in each record; NULL: none. */
    const char *observer;
};

void td_render_conn_json(struct td_buf *out, const struct td_tls_conn *c, const struct td_render_opts *o);
void td_render_conn_text(struct td_buf *out, const struct td_tls_conn *c, const struct td_render_opts *o);
/* s: the counts of connections that spoke TLS (td_render_analysis_* take
 * port checks and plain text out of the run's counts); port_checks: TCP
 * connections opened and closed without a byte, counted apart. */
void td_render_summary_text(struct td_buf *out, const struct td_run_stats *s, uint64_t port_checks,
                            const struct td_render_opts *o);
/* causes: counts per enum td_cause (TD_CAUSE_COUNT entries), or NULL. */
void td_render_summary_json(struct td_buf *out, const struct td_run_stats *s, const uint32_t *causes,
                            uint64_t port_checks, const struct td_render_opts *o);

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

/* --export-certs: the certificates side sent in c (every Certificate
 * message, leaf first as sent) as PEM; returns how many. The file name:
 * "STREAM-SERVERADDR_PORT.pem" for the server's, "STREAM-client.pem". */
size_t td_render_chain_pem(struct td_buf *out, const struct td_tls_conn *c, enum td_role side);
void td_chain_file_name(const struct td_tls_conn *c, enum td_role side, char *out, size_t len);

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

/* HTML pages (tlsdiag pcap --html, tlsdiag probe --html): one self-contained
 * file, inline CSS and SVG, no script, a Content-Security-Policy that fetches
 * nothing. Every string from the wire, a certificate or a file goes through
 * td_html_esc: &<>"' as entities, control characters and bytes that are not
 * valid UTF-8 as the text \xNN. */
void td_html_esc(struct td_buf *out, const char *s);
void td_html_esc_n(struct td_buf *out, const char *s, size_t n);
/* The page's start (doctype, CSP, CSS, title escaped, <body>) and end. */
void td_html_page_begin(struct td_buf *out, const char *title);
void td_html_page_end(struct td_buf *out);
/* The page's start with the title and <h1> "WHAT: TARGET TARGET..." (probe, probe --client). */
void td_html_page_begin_targets(struct td_buf *out, const char *what, char *const *targets, size_t n);

/* tlsdiag pcap --html: a collector fed from the analysis callbacks, with
 * bounded memory: full detail (ladder, verdict, evidence, chain) for the
 * first max_failed failed connections, counts for the rest and for ok ones;
 * ok ladders (<details>) only for captures under small connections, or all
 * with --html-all. */
struct td_html_opts {
    bool all;          /* --html-all: a ladder for every connection */
    size_t max_failed; /* 0: 2000 */
    size_t small;      /* 0: 500 */
    bool utf8;
};
struct td_html;
struct td_html *td_html_new(const struct td_html_opts *o, struct td_cert_cache *cache);
void td_html_free(struct td_html *h);
/* A new input (capture file) begins. */
void td_html_file(struct td_html *h, const char *file);
/* on_conn: returns what to give back to td_html_verdict when r->verdict is
 * NULL (NULL: nothing waits). */
void *td_html_conn(struct td_html *h, const struct td_conn_result *r);
void td_html_verdict(struct td_html *h, const struct td_conn_result *r, void *keep);
/* Instead of td_html_verdict: the connection is not to be shown after all
 * (a port check under --failed, known only with its verdict). */
void td_html_drop(struct td_html *h, void *keep);
void td_html_http(struct td_html *h, const struct td_http_result *r);
void td_html_summary(struct td_html *h, const struct td_analysis_summary *s);
/* The whole page. */
void td_html_page(struct td_html *h, struct td_buf *out);

/* tlsdiag probe --html: one target's section (versions, suites and groups
 * table, the chain as a tree, the findings). */
void td_render_probe_html(struct td_buf *out, const struct td_probe_result *r);
/* "community_id": the Community ID v1 of a TCP flow (seed 0), for joins
 * with Zeek, Suricata and Arkime records; null when it cannot be computed. */
void td_render_community_id(struct td_json *j, const struct td_addr *client, uint16_t client_port,
                            const struct td_addr *server, uint16_t server_port);

/* --ecs: the same records under Elastic Common Schema names (render_ecs.c):
 * open while the connection is alive, close with its verdict. */
void td_render_ecs_open(struct td_buf *out, const struct td_tls_conn *c, const struct td_render_opts *o);
void td_render_ecs_close(struct td_buf *out, const struct td_conn_result *r, const struct td_render_opts *o);
void td_render_http_ecs(struct td_buf *out, const struct td_http_result *r, const struct td_render_opts *o);

/* tlsdiag watch: the rolling summary (analyse/tally.h), the drops and the key log waits. */
struct td_tally;
struct td_watch_drops {
    bool kernel_known; /* pcap_stats answered */
    uint64_t kernel_received, kernel_dropped;
    uint64_t ours; /* connections tlsdiag gave up on (its memory bounds) */
    bool keylog;   /* --keylog followed: what its waits for sessions' lines cost (the capture loop stalled) */
    struct td_keylog_wait_stats keylog_waits;
};
void td_render_watch_text(struct td_buf *out, const struct td_tally *t, int64_t now, const struct td_watch_drops *d);
void td_render_watch_json(struct td_buf *out, const struct td_tally *t, int64_t now, const struct td_watch_drops *d);
/* The same as Prometheus text exposition format (version 0.0.4). */
void td_render_watch_metrics(struct td_buf *out, const struct td_tally *t, const struct td_watch_drops *d);

/* tlsdiag probe --replay: one replayed connection (render_replay.c). */
void td_render_replay_text(struct td_buf *b, const struct td_replay_result *r, bool dry_run,
                           const struct td_render_opts *o);
void td_render_replay_json(struct td_buf *b, const struct td_replay_result *r, bool dry_run);
/* tlsdiag log: each failure found in one input (text blocks like the pcap
 * verdicts, or one JSON object per failure), then the input's summary (a
 * JSON object of "type": "summary"). */
void td_render_log_text(struct td_buf *out, const char *file, const struct td_log *lg, const struct td_render_opts *o);
void td_render_log_json(struct td_buf *out, const char *file, const struct td_log *lg);

#endif
