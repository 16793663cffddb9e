/* tlsdiag probe --replay output: per replayed connection, the captured
 * refusal against the baseline, each variant and its answer, then the cause
 * proven and the smallest fix on each side (text, or one JSON object). */
#include <stdio.h>
#include <string.h>

#include "base/cause.h"
#include "base/json.h"
#include "report/internal.h"
#include "report/report.h"

#include "base/banned.h"

static void variant_line(struct td_buf *b, const struct td_replay_variant *v, bool dry_run)
{
    char got[160];
    if (dry_run) {
        td_buf_printf(b, "    %-62s %5zu bytes\n", v->what, v->hello_len);
    } else {
        td_buf_printf(b, "    %-62s %s (%.0f ms)\n", v->what, td_replay_answer_str(&v->got, got, sizeof got), v->ms);
    }
}

static void verdict_text(struct td_buf *b, const struct td_replay_result *r, const struct td_render_opts *o)
{
    if (r->num_proofs == 0) {
        td_buf_puts(b, r->v[0].got.answer == TD_RA_ACCEPTED ? "  not proven: the server now takes the hello as captured"
                                                            : "  not proven: no single change was accepted");
        if (r->pcap_cause) {
            td_buf_printf(b, " (the capture's verdict %s stays at %s)", td_cause_info(r->pcap_cause)->slug,
                          r->pcap_confidence ? r->pcap_confidence : "?");
        }
        td_buf_putc(b, '\n');
        return;
    }
    td_buf_printf(b, "  %sverdict: %s (high), proven by replay at %s%s\n", td_col(o, "\033[1m"),
                  td_cause_info(r->cause)->slug, r->when, td_col(o, "\033[0m"));
    td_buf_printf(b, "    %s\n", r->evidence);
    if (r->num_proofs > 1) {
        td_buf_puts(b, "    each of these is enough (all are fixes):");
        for (size_t i = 0; i < r->num_proofs; i++) {
            td_buf_printf(b, "%s \"%s\" (%s)", i ? ";" : "", r->v[r->proof[i]].what,
                          td_cause_info(td_replay_cause_of(&r->v[r->proof[i]]))->slug);
        }
        td_buf_putc(b, '\n');
    }
    if (r->pcap_cause && r->pcap_cause != r->cause) {
        td_buf_printf(b, "    the capture alone said %s (%s)\n", td_cause_info(r->pcap_cause)->slug,
                      r->pcap_confidence ? r->pcap_confidence : "?");
    }
    td_buf_printf(b, "  smallest change, client side: %s\n", r->fix_client);
    td_buf_printf(b, "  smallest change, server side: %s\n", r->fix_server);
    td_buf_printf(b, "  (%s)\n", td_cause_info(r->cause)->resolution);
}

void td_render_replay_text(struct td_buf *b, const struct td_replay_result *r, bool dry_run,
                           const struct td_render_opts *o)
{
    char got[160];
    td_buf_printf(b, "tcp.stream %u  replayed to %s  (%u TCP connection%s, %.3f s%s)\n", r->stream, r->server,
                  r->connections, r->connections == 1 ? "" : "s", r->seconds,
                  r->budget_reached ? ", connection budget reached" : "");
    if (r->skipped) {
        td_buf_printf(b, "  not replayed: %s\n", r->skip_why);
        return;
    }
    td_buf_printf(b, "  in the capture: %s", td_replay_answer_str(&r->captured, got, sizeof got));
    if (r->pcap_cause) {
        td_buf_printf(b, "; tlsdiag pcap's verdict: %s (%s)", td_cause_info(r->pcap_cause)->slug,
                      r->pcap_confidence ? r->pcap_confidence : "?");
    }
    td_buf_putc(b, '\n');
    if (r->notes[0]) {
        td_buf_printf(b, "  note: %s\n", r->notes);
    }
    size_t unsent = 0;
    for (size_t i = 0; i < r->num_v; i++) {
        if (dry_run || r->v[i].got.answer != TD_RA_NONE) {
            variant_line(b, &r->v[i], dry_run);
        } else {
            unsent++;
        }
    }
    if (unsent) {
        td_buf_printf(b, "    (%zu more variant%s not sent: %s)\n", unsent, unsent == 1 ? "" : "s",
                      r->budget_reached ? "the connection budget was reached"
                      : r->v[0].got.answer == TD_RA_ACCEPTED || r->v[0].got.answer == TD_RA_NO_CONNECT
                          ? "the captured hello alone settles it"
                          : "a change already accepted settles them");
    }
    if (dry_run) {
        td_buf_printf(b, "  dry run: %zu ClientHellos, none sent\n", r->num_v);
        return;
    }
    if (r->changed) {
        td_buf_printf(b, "  the server's behaviour changed since the capture: it %s the same ClientHello\n",
                      r->v[0].got.answer == TD_RA_ACCEPTED ? "now accepts" : "now answers differently to");
    } else {
        td_buf_puts(b, "  the server still refuses the captured ClientHello the same way\n");
    }
    verdict_text(b, r, o);
}

static void outcome_json(struct td_json *j, const char *key, const struct td_replay_outcome *x)
{
    static const char *const names[] = {"not_sent", "accepted", "alert", "closed", "timeout", "not_tls", "no_connect"};
    char buf[160];
    td_json_obj_begin(j, key);
    td_json_name(j, "answer", names[x->answer]);
    td_json_str(j, "text", td_replay_answer_str(x, buf, sizeof buf));
    td_json_obj_end(j);
}

static void proof_json(struct td_json *j, const struct td_replay_result *r)
{
    td_json_arr_begin(j, "fixes");
    for (size_t i = 0; i < r->num_proofs; i++) {
        td_json_obj_begin(j, NULL);
        td_json_str(j, "change", r->v[r->proof[i]].what);
        td_json_name(j, "cause", td_cause_info(td_replay_cause_of(&r->v[r->proof[i]]))->slug);
        td_json_obj_end(j);
    }
    td_json_arr_end(j);
    if (r->num_proofs) {
        td_json_name(j, "cause", td_cause_info(r->cause)->slug);
        td_json_name(j, "confidence", "high");
        td_json_str(j, "proven_by_replay_at", r->when);
        td_json_str(j, "evidence", r->evidence);
        td_json_str(j, "fix_client", r->fix_client);
        td_json_str(j, "fix_server", r->fix_server);
    }
}

void td_render_replay_json(struct td_buf *b, const struct td_replay_result *r, bool dry_run)
{
    struct td_json j;
    char secs[32];
    td_json_init(&j, b);
    td_json_obj_begin(&j, NULL);
    td_json_name(&j, "type", "replay");
    td_json_u64(&j, "stream", r->stream);
    td_json_str(&j, "server", r->server);
    td_json_bool(&j, "dry_run", dry_run);
    if (r->skipped) {
        td_json_str(&j, "skipped", r->skip_why);
    } else {
        outcome_json(&j, "captured", &r->captured);
        td_json_str(&j, "notes", r->notes);
        td_json_bool(&j, "changed", r->changed);
        td_json_arr_begin(&j, "variants");
        for (size_t i = 0; i < r->num_v; i++) {
            td_json_obj_begin(&j, NULL);
            td_json_str(&j, "change", r->v[i].what);
            td_json_u64(&j, "bytes", r->v[i].hello_len);
            outcome_json(&j, "got", &r->v[i].got);
            td_json_obj_end(&j);
        }
        td_json_arr_end(&j);
        proof_json(&j, r);
    }
    if (r->pcap_cause) {
        td_json_name(&j, "pcap_cause", td_cause_info(r->pcap_cause)->slug);
    }
    td_json_u64(&j, "connections", r->connections);
    td_json_bool(&j, "budget_reached", r->budget_reached);
    snprintf(secs, sizeof secs, "%.3f", r->seconds);
    td_json_raw(&j, "seconds", secs);
    td_json_obj_end(&j);
    td_buf_putc(b, '\n');
}
