/* tlsdiag probe --client: one line (or JSON object) per client profile:
 * connects or not, what was negotiated, and for a failure the cause and fix. */
#ifndef TD_REPORT_RENDER_CLIENT_H
#define TD_REPORT_RENDER_CLIENT_H

#include "base/mem.h"
#include "config/client_config.h"
#include "config/profiles.h"
#include "probe/client.h"
#include "report/report.h"

void td_render_client_header(struct td_buf *out, const char *target);
void td_render_client_text(struct td_buf *out, const struct td_client_profile *p, const struct td_client_outcome *c,
                           const struct td_render_opts *o);
/* One JSON object and a newline; store: the truststore the chain was judged with (its name);
 * confidence: "medium" when the cause is one of two readings, NULL (null) when not assessed. */
void td_render_client_json(struct td_buf *out, const char *target, const struct td_client_profile *p,
                           const struct td_client_outcome *c, const char *store, const char *confidence);
/* --client list --json: a profile as its ClientHello carries it (names), one object and a newline. */
void td_render_client_profile_json(struct td_buf *out, const struct td_client_profile *p,
                                   const struct td_client_plan *plan);
/* --client-config: the client the files make, and for a failure the setting to change. */
void td_render_client_config_text(struct td_buf *out, const char *target, const struct td_client_config *cc,
                                  const struct td_client_outcome *c, const struct td_conf_finding *blame,
                                  const struct td_render_opts *o);
void td_render_client_config_json(struct td_buf *out, const char *target, const struct td_client_config *cc,
                                  const struct td_client_outcome *c, const struct td_conf_finding *blame,
                                  const char *store, const char *confidence);
void td_render_client_total(struct td_buf *out, size_t ok, size_t n, unsigned connections, double seconds);

/* --html: a target's matrix as a <section> with a table: _begin, a _row per
 * profile (or the _config_row of --client-config), _end with the totals. */
void td_html_client_begin(struct td_buf *out, const char *target);
void td_html_client_row(struct td_buf *out, const struct td_client_profile *p, const struct td_client_outcome *c);
void td_html_client_config_row(struct td_buf *out, const struct td_client_config *cc, const struct td_client_outcome *c,
                               const struct td_conf_finding *blame);
void td_html_client_end(struct td_buf *out, size_t ok, size_t n, unsigned connections, double seconds);

#endif
