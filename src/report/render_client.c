/* tlsdiag probe --client output: the matrix. */
#include <stdio.h>

#include "base/json.h"
#include "report/internal.h"
#include "report/render_client.h"

#include "base/banned.h"

void td_render_client_header(struct td_buf *out, const char *target)
{
    td_buf_printf(out, "%s: as each client would connect\n%-24s %-9s %-8s %s\n", target, "client", "result", "version",
                  "suite / cause: why: fix");
}

void td_render_client_text(struct td_buf *out, const struct td_client_profile *p, const struct td_client_outcome *c,
                           const struct td_render_opts *o)
{
    char vb[32], sb[32];
    if (c->connects) {
        td_buf_printf(out, "%-24s %sconnects%s  %-8s %s\n", p->name, td_col(o, TD_COL_GREEN), td_col(o, TD_COL_RESET),
                      td_version_str(c->version, vb, sizeof vb), td_suite_str(c->suite, sb, sizeof sb));
        return;
    }
    td_buf_printf(out, "%-24s %sfails%s     %-8s %s: %s\n%-24s %-9s %-8s fix: %s\n", p->name, td_col(o, TD_COL_RED),
                  td_col(o, TD_COL_RESET), "-", td_cause_info(c->cause)->slug, c->why, "", "", "", c->fix);
}

void td_render_client_json(struct td_buf *out, const char *target, const struct td_client_profile *p,
                           const struct td_client_outcome *c, const char *store, const char *confidence)
{
    struct td_json j;
    char vb[32], sb[32], gb[32];
    td_json_init(&j, out);
    td_json_obj_begin(&j, NULL);
    td_json_str(&j, "target", target);
    td_json_name(&j, "client", p->name);
    td_json_str(&j, "stack", p->stack);
    td_json_bool(&j, "connects", c->connects);
    /* every key in every row (null where it does not apply) */
    td_json_str(&j, "version", c->connects ? td_version_str(c->version, vb, sizeof vb) : NULL);
    td_json_str(&j, "suite", c->connects ? td_suite_str(c->suite, sb, sizeof sb) : NULL);
    td_json_str(&j, "group", c->connects && c->group ? td_group_str(c->group, gb, sizeof gb) : NULL);
    td_json_str(&j, "cause", c->connects ? NULL : td_cause_info(c->cause)->slug);
    td_json_str(&j, "why", c->connects ? NULL : c->why);
    td_json_str(&j, "fix", c->connects ? NULL : c->fix);
    td_json_str(&j, "trust_store", store);
    td_json_str(&j, "confidence", confidence);
    td_json_u64(&j, "connections", c->connections);
    td_json_obj_end(&j);
    td_buf_putc(out, '\n');
}

void td_render_client_total(struct td_buf *out, size_t ok, size_t n, unsigned connections, double seconds)
{
    td_buf_printf(out, "%zu of %zu clients connect (%u connections, %.2f s)\n", ok, n, connections, seconds);
}

static void names_json(struct td_json *j, const char *key, const uint16_t *v, size_t n, bool groups)
{
    td_json_arr_begin(j, key);
    for (size_t i = 0; i < n; i++) {
        char b[32];
        td_json_name(j, NULL, groups ? td_group_str(v[i], b, sizeof b) : td_suite_str(v[i], b, sizeof b));
    }
    td_json_arr_end(j);
}

void td_render_client_profile_json(struct td_buf *out, const struct td_client_profile *p,
                                   const struct td_client_plan *plan)
{
    static const char *const vn[] = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
    struct td_json j;
    td_json_init(&j, out);
    td_json_obj_begin(&j, NULL);
    td_json_name(&j, "client", p->name);
    td_json_str(&j, "stack", p->stack);
    td_json_arr_begin(&j, "versions");
    for (int i = 0; i < 5; i++) {
        if (plan->versions & (1u << i)) {
            td_json_name(&j, NULL, vn[i]);
        }
    }
    td_json_arr_end(&j);
    names_json(&j, "suites", plan->suites, plan->num_suites, false);
    names_json(&j, "suites13", plan->suites13, plan->num_suites13, false);
    names_json(&j, "groups", plan->groups, plan->num_groups, true);
    td_json_arr_begin(&j, "signature_algorithms"); /* empty: tlsdiag's own list (every scheme) */
    for (size_t i = 0; i < plan->num_sigalgs; i++) {
        char b[48];
        td_json_name(&j, NULL, td_sigscheme_str(plan->sigalgs[i], b, sizeof b));
    }
    td_json_arr_end(&j);
    td_json_name(&j, "sni", p->sni == TD_SNI_DOTTED ? "names with a dot" : "host names");
    td_json_str(&j, "trust_store", p->trust);
    td_json_str(&j, "certificate_checks", p->cert_checks);
    td_json_obj_end(&j);
    td_buf_putc(out, '\n');
}

void td_render_client_config_text(struct td_buf *out, const char *target, const struct td_client_config *cc,
                                  const struct td_client_outcome *c, const struct td_conf_finding *blame,
                                  const struct td_render_opts *o)
{
    char vb[32], sb[32];
    td_buf_printf(out, "%s: the client these files configure (base profile %s)", target, cc->base->name);
    if (c->connects) {
        td_buf_printf(out, " %sconnects%s: %s, %s\n", td_col(o, TD_COL_GREEN), td_col(o, TD_COL_RESET),
                      td_version_str(c->version, vb, sizeof vb), td_suite_str(c->suite, sb, sizeof sb));
        return;
    }
    td_buf_printf(out, " %sfails%s: %s: %s\n", td_col(o, TD_COL_RED), td_col(o, TD_COL_RESET),
                  td_cause_info(c->cause)->slug, c->why);
    if (!blame->file[0]) {
        td_buf_printf(out, "  fix: %s\n", c->fix);
        return;
    }
    td_buf_printf(out, "  `%s`", blame->file);
    if (blame->line) {
        td_buf_printf(out, " line %u", blame->line);
    }
    if (blame->element[0]) {
        td_buf_printf(out, " `%s`", blame->element);
    }
    td_buf_printf(out, ": %s", blame->message);
    td_buf_printf(out, ": %s\n", blame->change[0] ? blame->change : c->fix);
}

void td_render_client_config_json(struct td_buf *out, const char *target, const struct td_client_config *cc,
                                  const struct td_client_outcome *c, const struct td_conf_finding *blame,
                                  const char *store, const char *confidence)
{
    struct td_json j;
    char vb[32], sb[32];
    td_json_init(&j, out);
    td_json_obj_begin(&j, NULL);
    td_json_str(&j, "target", target);
    td_json_name(&j, "base", cc->base->name);
    td_json_bool(&j, "connects", c->connects);
    td_json_str(&j, "version", c->connects ? td_version_str(c->version, vb, sizeof vb) : NULL);
    td_json_str(&j, "suite", c->connects ? td_suite_str(c->suite, sb, sizeof sb) : NULL);
    td_json_str(&j, "cause", c->connects ? NULL : td_cause_info(c->cause)->slug);
    td_json_str(&j, "why", c->connects ? NULL : c->why);
    td_json_str(&j, "file", c->connects ? NULL : blame->file);
    if (c->connects) {
        td_json_null(&j, "line");
    } else {
        td_json_u64(&j, "line", blame->line);
    }
    td_json_str(&j, "element", c->connects ? NULL : blame->element);
    td_json_str(&j, "message", c->connects ? NULL : blame->message);
    td_json_str(&j, "change", c->connects ? NULL : blame->change[0] ? blame->change : c->fix);
    td_json_str(&j, "trust_store", store);
    td_json_str(&j, "confidence", confidence);
    td_json_u64(&j, "connections", c->connections);
    td_json_obj_end(&j);
    td_buf_putc(out, '\n');
}
