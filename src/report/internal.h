#ifndef TD_REPORT_INTERNAL_H
#define TD_REPORT_INTERNAL_H

#include "report/report.h"
#include "tls/names.h"

/* Terminal colours (only when o->color: a terminal, no NO_COLOR). */
#define TD_COL_RED "\033[31m"
#define TD_COL_GREEN "\033[32m"
#define TD_COL_YELLOW "\033[33m"
#define TD_COL_BOLD "\033[1m"
#define TD_COL_RESET "\033[0m"
static inline const char *td_col(const struct td_render_opts *o, const char *c) { return o->color ? c : ""; }

/* A file name as one shell word for the Look lines: bare when it holds only
 * [A-Za-z0-9_./:@%+,=-], else in single quotes (a quote as '\'', the bytes
 * td_text_escape would escape as \xNN: safe to paste, never raw). */
void td_shell_word(struct td_buf *out, const char *s);

const char *td_cert_type_name(uint8_t t);
const char *td_alert_level_name(uint8_t l);
bool td_msg_decoded(const struct td_msg *m);
/* What the ladder shows after a message's name ("up to TLSv1.2, 28 suites,
 * SNI a.test"; "fatal protocol_version (record version TLSv1.2)"): the text
 * ladder's and the HTML ladder's words. */
void td_render_msg_summary(struct td_buf *out, const struct td_msg *m, const struct td_render_opts *o);
/* The "findings" array of tlsdiag cert (with_cert: each finding's cert) and
 * tlsdiag probe (with_changed: "changed", the default change its cause is
 * known for, diag/changes.c, or null). */
void td_render_findings_json(struct td_json *j, const struct td_cert_finding *f, size_t n, bool with_cert,
                             bool with_changed);
/* What the capture lacks of a connection, in words ("" when it holds all
 * of it, from the SYNs, both ways, whole). */
void td_coverage_words(const struct td_coverage *cov, char *out, size_t len);
/* True when the run's captures missed something worth a capture-quality
 * section; *out gets the tcpdump command line that would capture properly. */
bool td_capture_advice(const struct td_run_stats *s, char *out, size_t len);

#endif
