/* What the HTML renderers share: a connection's ladder copied out of the
 * connection (freed before its verdict may come) and the SVG drawings. */
#ifndef TD_REPORT_HTML_INTERNAL_H
#define TD_REPORT_HTML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

#define TD_HTML_MAX_ROWS 48 /* ladder rows drawn; the rest counted */

enum td_html_tone { TD_TONE_NORMAL, TD_TONE_ALERT, TD_TONE_FIN, TD_TONE_RST, TD_TONE_GAP, TD_TONE_QUIET };

struct td_html_row {
    uint64_t frame;
    int64_t ns; /* capture time */
    bool from_server;
    enum td_html_tone tone;
    bool anchor; /* the first row of its frame: evidence links point at it */
    char name[40];
    char detail[200];
};

struct td_html_ladder {
    char id[32]; /* "c0-16": file index and tcp.stream, the prefix of the rows' ids */
    char left[96], right[96];
    struct td_html_row *rows;
    size_t num_rows, more_rows;
};

/* The rows of a TLS connection's ladder (rows allocated; free with _free). */
void td_html_ladder_from_conn(struct td_html_ladder *l, const struct td_tls_conn *c, const struct td_render_opts *o);
void td_html_ladder_free(struct td_html_ladder *l);
/* The ladder as an inline SVG of class cls ("ladder" for a failed connection). */
void td_html_ladder_svg(struct td_buf *out, const struct td_html_ladder *l, const char *cls);
/* Does the ladder hold a row anchored at frame? */
bool td_html_ladder_has(const struct td_html_ladder *l, uint64_t frame);

/* Failures over time, stacked by cause, or by server (servers: the names
 * of the first TD_HTML_CHART_SERVERS servers with failures; a point's server
 * past them is counted as "other servers"); NULL: by cause. */
#define TD_HTML_CHART_SERVERS 12
struct td_html_point {
    int64_t ns;
    enum td_cause cause;
    uint16_t server;
};
void td_html_chart_svg(struct td_buf *out, const struct td_html_point *p, size_t n, const char *const *servers,
                       size_t num_servers);
/* A cause's colour in the chart and legend ("#c62828"). */
const char *td_html_cause_color(enum td_cause c);
/* Copy at most cap-1 bytes of src (NULL: ""), never cutting a UTF-8 sequence. */
void td_html_copy(char *dst, size_t cap, const char *src);
/* "2026-01-01 00:00:00.123 UTC" */
void td_html_time(struct td_buf *out, int64_t ns);

/* A connection kept in full for the page. */
#define TD_HTML_MAX_CHAIN 6
struct td_html_cert {
    char subject[240], issuer[240], not_after[64];
    bool self_signed;
};

/* A chain as one side sent it, with what the chain check found. */
struct td_html_chain {
    struct td_html_cert certs[TD_HTML_MAX_CHAIN];
    size_t num, total;
    char missing_issuer[240]; /* the issuer that was not sent */
    size_t broken_at;         /* the first certificate that does not certify the one before (0: none) */
};

struct td_html_conn {
    size_t file;
    uint32_t stream;
    bool failed; /* outcome failed, or refused after the handshake */
    enum td_outcome outcome;
    int64_t first_ns;
    char sni[256], proto[140], reason[160], coverage[400], note[240], keylog[120];
    struct td_html_ladder ladder;
    struct td_html_chain chain[2]; /* by role: the server's, the client's (mutual TLS) */
    bool have_verdict, revised, outcome_revised;
    struct td_verdict v;
};

/* A gateway's 5xx, with what it inherits from the failed connection behind it. */
struct td_html_http {
    size_t file;
    struct td_http_error h;
    bool up;
    uint32_t up_stream;
    enum td_cause cause;
    enum td_confidence conf;
    char explanation[600], fix[600];
};

/* Where each frame is drawn on the page: evidence that cites a frame of
 * another connection ("the server accepted TLS 1.3 from another client")
 * links to it when that one is drawn. */
struct td_html_frame_at {
    size_t file;
    uint64_t frame;
    const char *id; /* the ladder's id prefix */
};
struct td_html_frames {
    struct td_html_frame_at *v;
    size_t n;
};
/* The id prefix of the ladder that draws frame of file, or NULL. */
const char *td_html_frame_find(const struct td_html_frames *f, size_t file, uint64_t frame);

/* One connection's section: heading, the gateway answers it caused (drawn
 * above), the ladder, the verdict, the evidence linked to the ladder's
 * rows, the chain, the fix and the tshark command. */
void td_html_conn_section(struct td_buf *out, const struct td_html_conn *c, const struct td_html_http *const *up,
                          size_t num_up, const char *file, const struct td_html_frames *frames);
/* A gateway answer no drawn connection explains: its own section. */
void td_html_http_section(struct td_buf *out, const struct td_html_http *h, const char *file);
/* An ok connection, folded in a <details>. */
void td_html_ok_details(struct td_buf *out, const struct td_html_conn *c);

/* The collector of tlsdiag pcap --html (render_html.c), and its page (html_pcap.c). */
struct td_html_server {
    char name[80];
    uint32_t ok, failed;
    uint32_t causes[TD_CAUSE_COUNT];
};

struct td_html_file {
    char *name;
    bool have_summary;
    struct td_run_stats stats;
    uint32_t causes[TD_CAUSE_COUNT];
    size_t num_http, http_linked;
    int64_t tmin, tmax;
    struct td_html_server *servers;
    size_t num_servers, servers_more;
};

struct td_html_okrow {
    size_t file;
    char server[80], version[48], suite[80];
    enum td_outcome outcome;
    uint32_t n;
};

struct td_html {
    struct td_html_opts o;
    struct td_cert_cache *cache;
    struct td_html_file *files;
    size_t num_files;
    struct td_html_conn **failed, **ok;
    size_t num_failed, num_ok, failed_more, ok_more;
    uint64_t conns;
    struct td_html_http *http;
    size_t num_http;
    struct td_html_point *pts;
    char chart_servers[TD_HTML_CHART_SERVERS][80]; /* the chart's servers, first failure first */
    size_t num_chart_servers;
    size_t num_pts, pts_dropped;
    struct td_html_okrow *rows;
    size_t num_rows;
    uint64_t rows_other;
};

void td_html_write_pcap(struct td_buf *out, struct td_html *h);

#endif
