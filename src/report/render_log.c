/* tlsdiag log: the failures found in an input, as text blocks like the pcap
 * verdicts and as JSON Lines. The lines quoted come from the log and are
 * hostile: text output escapes control bytes and invalid UTF-8 as \xNN, JSON
 * goes through the JSON writer. */
#include <string.h>

#include "base/json.h"
#include "report/internal.h"

#include "base/banned.h"

/* The length of the valid UTF-8 sequence at p (0: not one). */
static size_t utf8_len(const uint8_t *p, size_t n)
{
    size_t l = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 && p[0] < 0xe0 ? 2 : 0;
    if (l == 0 || l > n) {
        return 0;
    }
    for (size_t i = 1; i < l; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    return l;
}

static void put_escaped(struct td_buf *out, const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    for (size_t i = 0; i < n;) {
        size_t l = p[i] >= 0x80 ? utf8_len(p + i, n - i) : 0;
        if (l) {
            td_buf_append(out, p + i, l);
            i += l;
        } else if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\') {
            td_buf_printf(out, "\\x%02x", p[i++]);
        } else {
            td_buf_putc(out, (char)p[i++]);
        }
    }
}

static void render_party(struct td_buf *out, const struct td_log_finding *f)
{
    if (f->decided_by != TD_LOG_NOBODY) {
        const char *who = f->decided_by == TD_LOG_LOCAL  ? "the program that wrote the log (its own TLS stack)"
                          : f->decided_by == TD_LOG_PEER ? "the peer"
                                                         : td_log_party_name(f->decided_by);
        td_buf_printf(out, "  Decided  by %s%s\n",
                      f->decided_by == TD_LOG_CLIENT || f->decided_by == TD_LOG_SERVER ? "the " : "", who);
    }
    if (f->alert >= 0) {
        td_buf_printf(out, "  Alert    %s (%d), sent by the %s\n", td_log_alert_name(f->alert), f->alert,
                      f->alert_sent_by == TD_LOG_LOCAL ? "program that wrote the log"
                                                       : td_log_party_name(f->alert_sent_by));
    }
}

static void render_finding_text(struct td_buf *out, const char *file, const struct td_log_finding *f,
                                const struct td_render_opts *o)
{
    const struct td_cause_info *ci = td_cause_info(f->cause);
    uint64_t first = f->num_evidence ? f->evidence[0].line : 0;
    uint64_t last = f->num_evidence ? f->evidence[f->num_evidence - 1].line : 0;
    td_buf_printf(out, "%s:%llu", file, (unsigned long long)first);
    if (last != first) {
        td_buf_printf(out, "-%llu", (unsigned long long)last);
    }
    td_buf_printf(out, "  %s\n", f->family);
    td_buf_printf(out, "  %sCause%s    %s%s%s (%s)", td_col(o, TD_COL_BOLD), td_col(o, TD_COL_RESET),
                  td_col(o, TD_COL_RED), ci->title, td_col(o, TD_COL_RESET), td_confidence_name(f->confidence));
    if (td_log_explanation(f)) {
        td_buf_printf(out, ": %s", td_log_explanation(f));
    }
    td_buf_printf(out, "  [%s]\n", ci->slug);
    for (size_t i = 0; i < f->num_candidates; i++) {
        td_buf_printf(out, "%s%s", i ? ", " : "  Or       ", td_cause_info(f->candidates[i])->slug);
    }
    td_buf_puts(out, f->num_candidates ? "\n" : "");
    for (size_t i = 0; i < f->num_also; i++) {
        td_buf_printf(out, "  %s %s  [%s]\n", i ? "        " : "Also    ", td_cause_info(f->also[i])->title,
                      td_cause_info(f->also[i])->slug);
    }
    for (size_t i = 0; i < f->num_evidence; i++) {
        const struct td_log_evidence *e = &f->evidence[i];
        td_buf_printf(out, "  %s line %-6llu ", i == 0 ? "Evidence" : "        ", (unsigned long long)e->line);
        put_escaped(out, e->text, e->text_len);
        td_buf_puts(out, e->cut ? " [...]\n" : "\n");
    }
    if (f->more_evidence) {
        td_buf_printf(out, "           and %zu more lines\n", f->more_evidence);
    }
    render_party(out, f);
    if (f->rules_out[0]) {
        td_buf_printf(out, "  Rules out %s\n", f->rules_out);
    }
    td_buf_printf(out, "  %sFix%s      %s\n", td_col(o, TD_COL_YELLOW), td_col(o, TD_COL_RESET), ci->resolution);
    td_buf_printf(out, "  Next     %s\n\n", f->next);
}

void td_render_log_text(struct td_buf *out, const char *file, const struct td_log *lg, const struct td_render_opts *o)
{
    size_t n = td_log_num_findings(lg);
    const struct td_log_stats *st = td_log_stats(lg);
    for (size_t i = 0; i < n; i++) {
        render_finding_text(out, file, td_log_finding_at(lg, i), o);
    }
    if (n == 0) {
        td_buf_printf(out, "%s: no TLS failure recognised (%llu lines read).\n  Formats known: %s.\n", file,
                      (unsigned long long)st->lines, td_log_formats());
    } else {
        td_buf_printf(out, "%s: %zu TLS failure%s recognised in %llu line%s\n", file, n, n == 1 ? "" : "s",
                      (unsigned long long)st->lines, st->lines == 1 ? "" : "s");
    }
    if (st->cut_lines) {
        td_buf_printf(out, "%s: %llu line%s longer than %d bytes cut there\n", file, (unsigned long long)st->cut_lines,
                      st->cut_lines == 1 ? "" : "s", TD_LOG_LINE_MAX);
    }
    if (st->findings_dropped) {
        td_buf_printf(out, "%s: %llu more failures not kept (limit %d)\n", file,
                      (unsigned long long)st->findings_dropped, TD_LOG_FINDINGS_MAX);
    }
}

static void json_party(struct td_json *j, const char *key, enum td_log_party p)
{
    if (p == TD_LOG_NOBODY) {
        td_json_null(j, key);
    } else {
        td_json_name(j, key, td_log_party_name(p));
    }
}

static void render_finding_json(struct td_buf *out, const char *file, const struct td_log_finding *f)
{
    struct td_json j;
    td_json_init(&j, out);
    td_json_obj_begin(&j, NULL);
    td_json_name(&j, "type", "failure");
    td_json_str(&j, "file", file);
    td_json_name(&j, "cause", td_cause_info(f->cause)->slug);
    td_json_name(&j, "title", td_cause_info(f->cause)->title);
    td_json_name(&j, "confidence", td_confidence_name(f->confidence));
    td_json_arr_begin(&j, "candidates");
    for (size_t i = 0; i < f->num_candidates; i++) {
        td_json_name(&j, NULL, td_cause_info(f->candidates[i])->slug);
    }
    td_json_arr_end(&j);
    td_json_arr_begin(&j, "also");
    for (size_t i = 0; i < f->num_also; i++) {
        td_json_name(&j, NULL, td_cause_info(f->also[i])->slug);
    }
    td_json_arr_end(&j);
    td_json_name(&j, "format", f->family);
    td_json_bool(&j, "trace_judged", f->traced);
    if (td_log_explanation(f)) {
        td_json_str(&j, "explanation", td_log_explanation(f));
    } else {
        td_json_null(&j, "explanation");
    }
    json_party(&j, "decided_by", f->decided_by);
    if (f->alert >= 0) {
        td_json_name(&j, "alert", td_log_alert_name(f->alert));
    } else {
        td_json_null(&j, "alert");
    }
    json_party(&j, "alert_sent_by", f->alert_sent_by);
    td_json_arr_begin(&j, "evidence");
    for (size_t i = 0; i < f->num_evidence; i++) {
        td_json_obj_begin(&j, NULL);
        td_json_u64(&j, "line", f->evidence[i].line);
        td_json_strn(&j, "text", f->evidence[i].text, f->evidence[i].text_len);
        td_json_bool(&j, "cut", f->evidence[i].cut);
        td_json_obj_end(&j);
    }
    td_json_arr_end(&j);
    td_json_u64(&j, "more_evidence", f->more_evidence);
    td_json_str(&j, "rules_out", f->rules_out);
    td_json_str(&j, "fix", td_cause_info(f->cause)->resolution);
    td_json_str(&j, "next", f->next);
    td_json_str(&j, "host", f->host);
    td_json_str(&j, "port", f->port);
    td_json_str(&j, "name", f->name);
    td_json_obj_end(&j);
    td_buf_putc(out, '\n');
}

void td_render_log_json(struct td_buf *out, const char *file, const struct td_log *lg)
{
    size_t n = td_log_num_findings(lg);
    const struct td_log_stats *st = td_log_stats(lg);
    for (size_t i = 0; i < n; i++) {
        render_finding_json(out, file, td_log_finding_at(lg, i));
    }
    struct td_json j;
    td_json_init(&j, out);
    td_json_obj_begin(&j, NULL);
    td_json_name(&j, "type", "summary");
    td_json_str(&j, "file", file);
    td_json_u64(&j, "lines", st->lines);
    td_json_u64(&j, "cut_lines", st->cut_lines);
    td_json_u64(&j, "failures", n);
    td_json_u64(&j, "failures_dropped", st->findings_dropped);
    if (n == 0) {
        td_json_name(&j, "message", "no TLS failure recognised");
        td_json_name(&j, "formats", td_log_formats());
    }
    td_json_obj_end(&j);
    td_buf_putc(out, '\n');
}
