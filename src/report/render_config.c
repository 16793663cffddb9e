/* tlsdiag config output. Text: the files read (kind, settings found), then
 * each finding, errors first, as "SEVERITY cause: title" and under it
 * "`FILE` line N `SETTING`: what is wrong: the change". JSON: the same, with
 * every setting read (name, meaning, value, line, block). */
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "report/internal.h"
#include "report/render_config.h"

#include "base/banned.h"

static const char *sev_col(const struct td_render_opts *o, enum td_sev s)
{
    return td_col(o, s == TD_SEV_ERROR ? TD_COL_RED : s == TD_SEV_WARNING ? TD_COL_YELLOW : "");
}

static void finding_text(struct td_buf *out, const struct td_conf_finding *f, const struct td_render_opts *o)
{
    const struct td_cause_info *ci = td_cause_info(f->cause);
    td_buf_printf(out, "%s%-7s%s %s: %s\n", sev_col(o, f->sev), td_sev_name(f->sev), td_col(o, TD_COL_RESET), ci->slug,
                  ci->title);
    td_buf_printf(out, "  `%s`", f->file);
    if (f->line) {
        td_buf_printf(out, " line %u", f->line);
    }
    if (f->element[0]) {
        td_buf_printf(out, " `%s`", f->element);
    }
    td_buf_printf(out, ": %s", f->message);
    if (f->change[0]) {
        td_buf_printf(out, ": %s", f->change);
    }
    td_buf_puts(out, "\n");
}

void td_render_config_text(struct td_buf *out, const struct td_conf_report *r, const struct td_render_opts *o)
{
    for (size_t i = 0; i < r->num_files; i++) {
        const struct td_conf_file *f = &r->files[i];
        if (f->ok) {
            td_buf_printf(out, "%s: %s, %zu TLS setting%s\n", f->path, td_conf_kind_name(f->kind), f->num_items,
                          f->num_items == 1 ? "" : "s");
        } else {
            td_buf_printf(out, "%s: %snot read%s\n", f->path, td_col(o, TD_COL_RED), td_col(o, TD_COL_RESET));
        }
    }
    td_buf_puts(out, "\n");
    static const enum td_sev order[] = {TD_SEV_ERROR, TD_SEV_WARNING, TD_SEV_INFO};
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < r->num_findings; i++) {
            if (r->findings[i].sev == order[k]) {
                finding_text(out, &r->findings[i], o);
            }
        }
    }
    size_t e = td_conf_report_count(r, TD_SEV_ERROR), w = td_conf_report_count(r, TD_SEV_WARNING);
    if (!r->num_findings) {
        td_buf_printf(out, "%sno problem found%s\n", td_col(o, TD_COL_GREEN), td_col(o, TD_COL_RESET));
    }
    td_buf_printf(out, "%zu file%s, %zu error%s, %zu warning%s\n", r->num_files, r->num_files == 1 ? "" : "s", e,
                  e == 1 ? "" : "s", w, w == 1 ? "" : "s");
}

static void file_json(struct td_json *j, const struct td_conf_file *f)
{
    td_json_obj_begin(j, NULL);
    td_json_str(j, "path", f->path);
    td_json_name(j, "kind", td_conf_kind_name(f->kind));
    td_json_bool(j, "ok", f->ok);
    if (!f->ok) {
        td_json_str(j, "error", f->err);
    }
    td_json_arr_begin(j, "settings");
    for (size_t i = 0; i < f->num_items; i++) {
        const struct td_conf_item *it = &f->items[i];
        td_json_obj_begin(j, NULL);
        td_json_str(j, "name", it->name);
        td_json_name(j, "key", td_conf_key_name(it->key));
        td_json_str(j, "value", it->value);
        td_json_u64(j, "line", it->line);
        td_json_u64(j, "col", it->col);
        td_json_bool(j, "server_side", it->server_side);
        if (it->key == TD_CK_CIPHER_STRING) { /* what the string selects (TLS 1.2 and below), in order */
            uint16_t suites[TD_CONF_MAX_SUITES];
            char unknown[2];
            size_t n = td_conf_cipher_string(it->value, suites, TD_CONF_MAX_SUITES, unknown, 0);
            td_json_arr_begin(j, "suites");
            for (size_t k = 0; k < n; k++) {
                char buf[32];
                td_json_name(j, NULL, td_suite_str(suites[k], buf, sizeof buf));
            }
            td_json_arr_end(j);
        }
        if (it->group >= 0 && (size_t)it->group < f->num_groups) {
            td_json_str(j, "block", f->groups[it->group].name);
        }
        td_json_obj_end(j);
    }
    td_json_arr_end(j);
    td_json_obj_end(j);
}

void td_render_config_json(struct td_buf *out, const struct td_conf_report *r)
{
    struct td_json j;
    td_json_init(&j, out);
    td_json_obj_begin(&j, NULL);
    td_json_arr_begin(&j, "files");
    for (size_t i = 0; i < r->num_files; i++) {
        file_json(&j, &r->files[i]);
    }
    td_json_arr_end(&j);
    td_json_arr_begin(&j, "findings");
    for (size_t i = 0; i < r->num_findings; i++) {
        const struct td_conf_finding *f = &r->findings[i];
        td_json_obj_begin(&j, NULL);
        td_json_name(&j, "cause", td_cause_info(f->cause)->slug);
        td_json_name(&j, "severity", td_sev_name(f->sev));
        td_json_name(&j, "title", td_cause_info(f->cause)->title);
        td_json_str(&j, "file", f->file);
        td_json_u64(&j, "line", f->line);
        td_json_str(&j, "element", f->element);
        td_json_str(&j, "message", f->message);
        td_json_str(&j, "change", f->change);
        td_json_obj_end(&j);
    }
    td_json_arr_end(&j);
    td_json_u64(&j, "errors", td_conf_report_count(r, TD_SEV_ERROR));
    td_json_u64(&j, "warnings", td_conf_report_count(r, TD_SEV_WARNING));
    td_json_u64(&j, "input_errors", r->input_errors);
    td_json_obj_end(&j);
    td_buf_putc(out, '\n');
}
