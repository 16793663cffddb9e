/* td_replay: the captured ClientHello sent again (the baseline: is it still
 * refused the way the capture shows?), then the variants of replay_plan.c,
 * one change each, through the probe's own connection and exchange (net.c,
 * its timeout, its bounded read). The offer changes (SNI, version, suite,
 * group) go first; the form changes (an extension less, a split, padding)
 * only when no offer change is accepted: they test for intolerance, and an
 * accepted offer change already names the cause. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"
#include "probe/internal.h"
#include "probe/replay_internal.h"
#include "tls/names.h"

#include "base/banned.h"

#define DEFAULT_MAX_CONNECTIONS 40

const char *td_replay_answer_str(const struct td_replay_outcome *o, char *buf, size_t len)
{
    char a[32], b[64], c[40];
    switch (o->answer) {
    case TD_RA_ACCEPTED:
        snprintf(buf, len, "accepted: %s%s, %s%s%s", o->hrr ? "HelloRetryRequest, " : "",
                 td_version_str(o->version, a, sizeof a), td_suite_str(o->suite, b, sizeof b), o->group ? ", " : "",
                 o->group ? td_group_str(o->group, c, sizeof c) : "");
        break;
    case TD_RA_ALERT:
        snprintf(buf, len, "refused: alert %s", td_alert_str(o->alert_desc, a, sizeof a));
        break;
    case TD_RA_CLOSED:
        snprintf(buf, len, "refused: connection closed without an alert");
        break;
    case TD_RA_TIMEOUT:
        snprintf(buf, len, "no answer within the timeout");
        break;
    case TD_RA_NOT_TLS:
        snprintf(buf, len, "answered, not in TLS");
        break;
    case TD_RA_NO_CONNECT:
        snprintf(buf, len, "no TCP connection");
        break;
    default:
        snprintf(buf, len, "not sent");
        break;
    }
    return buf;
}

static bool same_answer(const struct td_replay_outcome *a, const struct td_replay_outcome *b)
{
    return a->answer == b->answer && (a->answer != TD_RA_ALERT || a->alert_desc == b->alert_desc);
}

static void outcome_of(const struct td_probe_exch *x, struct td_replay_outcome *o)
{
    td_memzero(o, sizeof *o);
    if (!x->connected) {
        o->answer = TD_RA_NO_CONNECT;
    } else if (x->sh || x->hrr) {
        o->answer = TD_RA_ACCEPTED;
        o->hrr = x->hrr;
        o->version = x->version;
        o->suite = x->suite;
        o->group = x->group;
    } else if (x->alert) {
        o->answer = TD_RA_ALERT;
        o->alert_desc = x->alert_desc;
    } else if (x->not_tls) {
        o->answer = TD_RA_NOT_TLS;
    } else if (x->closed || x->reset) {
        o->answer = TD_RA_CLOSED;
    } else {
        o->answer = TD_RA_TIMEOUT;
    }
}

struct replay_run {
    struct td_probe_ctx p;
    const struct td_rh *h;
    const struct td_replay_opts *o;
    const char *sni;
    unsigned max_connections;
};

static void send_variant(struct replay_run *run, struct td_replay_variant *v, char *notes, size_t notes_len)
{
    struct td_rh_edit e;
    struct td_buf hello = {0};
    td_replay_edit_of(v, run->sni, &e);
    if (!td_rh_build(run->h, &e, &hello, notes, notes_len)) {
        snprintf(v->what + strlen(v->what), sizeof v->what - strlen(v->what), " (does not fit: not sent)");
        td_buf_free(&hello);
        return;
    }
    v->hello_len = hello.len;
    if (!run->o->dry_run) {
        struct td_probe_exch x;
        int64_t t0 = td_probe_now_ms();
        run->p.split_at = v->kind == TD_VK_SPLIT ? hello.len / 2 : 0;
        td_probe_exchange(&run->p, &hello, &x);
        v->ms = (double)(td_probe_now_ms() - t0);
        outcome_of(&x, &v->got);
    }
    td_buf_free(&hello);
}

static bool is_form(enum td_variant_kind k) { return k >= TD_VK_DROP_PQ; }

/* Whether variant i is worth a connection: its kind not proven yet, the form
 * changes only when no offer change was accepted, and within the budget. */
static bool worth_sending(struct replay_run *run, struct td_replay_result *r, size_t i)
{
    for (size_t k = 1; k < i; k++) {
        if (r->v[k].got.answer == TD_RA_ACCEPTED && (r->v[k].kind == r->v[i].kind || is_form(r->v[i].kind))) {
            return false;
        }
    }
    if (run->p.r->connections >= run->max_connections) {
        r->budget_reached = true;
        return false;
    }
    return true;
}

static void conclude(struct td_replay_result *r, const struct td_rh *h, const char *sni)
{
    char got[160];
    for (size_t i = 1; i < r->num_v && r->num_proofs < sizeof r->proof / sizeof r->proof[0]; i++) {
        if (r->v[i].got.answer == TD_RA_ACCEPTED) {
            r->proof[r->num_proofs++] = i;
        }
    }
    if (r->num_proofs == 0) {
        return;
    }
    const struct td_replay_variant *v = &r->v[r->proof[0]];
    r->cause = td_replay_cause_of(v);
    td_replay_answer_str(&v->got, got, sizeof got);
    snprintf(r->evidence, sizeof r->evidence,
             "the same ClientHello with only \"%s\" changed is accepted (server chose %s)", v->what,
             got + strlen("accepted: "));
    for (size_t i = 1; i < r->num_proofs; i++) {
        size_t used = strlen(r->evidence);
        snprintf(r->evidence + used, sizeof r->evidence - used, "%s \"%s\"", i == 1 ? "; also enough alone:" : ",",
                 r->v[r->proof[i]].what);
    }
    td_replay_fixes(r, v, h, sni);
}

static void run_all(struct replay_run *run, struct td_replay_result *r)
{
    send_variant(run, &r->v[0], r->notes, sizeof r->notes);
    if (!run->o->dry_run && r->v[0].got.answer == TD_RA_NO_CONNECT) {
        r->skipped = true;          /* unreachable from here: nothing is proven, nothing changed */
        if (run->p.dial_error[0]) { /* the STARTTLS talk failed */
            td_strcopy(r->skip_why, sizeof r->skip_why, run->p.dial_error);
        } else {
            snprintf(r->skip_why, sizeof r->skip_why, "no TCP connection to %s (refused or no answer within %d ms)",
                     r->server, run->p.o->timeout_ms);
        }
        return;
    }
    if (!run->o->dry_run) {
        r->same_refusal = same_answer(&r->v[0].got, &r->captured);
        r->changed = !r->same_refusal;
        if (r->v[0].got.answer == TD_RA_ACCEPTED) {
            return; /* accepted as it is now: no variant can say more */
        }
    }
    for (size_t i = 1; i < r->num_v; i++) {
        if (run->o->dry_run || worth_sending(run, r, i)) {
            send_variant(run, &r->v[i], NULL, 0);
        }
    }
}

static void stamp(struct td_replay_result *r)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(r->when, sizeof r->when, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The probe's STARTTLS for the capture's preamble ("SMTP": smtp); false for
 * the others (proxies, LMTP): a bare ClientHello would not be understood. */
static bool starttls_of(const char *preamble, enum td_probe_starttls *out)
{
    *out = TD_STARTTLS_NONE;
    if (!preamble) {
        return true;
    }
    if (strcmp(preamble, "PostgreSQL") == 0) {
        *out = TD_STARTTLS_POSTGRES;
        return true;
    }
    return td_probe_starttls_parse(preamble, out) && *out != TD_STARTTLS_NONE && *out != TD_STARTTLS_AUTO;
}

static bool prepare(const struct td_replay_input *in, struct td_replay_result *r, struct td_rh *h,
                    enum td_probe_starttls *starttls)
{
    const char *err;
    size_t off;
    if (!starttls_of(in->preamble, starttls)) {
        snprintf(r->skip_why, sizeof r->skip_why,
                 "TLS began after a %s preamble tlsdiag cannot speak: a bare ClientHello would not be understood, "
                 "so it is not replayed",
                 in->preamble);
    } else if (in->answered) {
        snprintf(r->skip_why, sizeof r->skip_why,
                 "the server answered this ClientHello in the capture (ServerHello): the failure came later, and "
                 "a replay of the hello proves nothing about it");
    } else if (!td_rh_parse(h, in->hello, in->hello_len, &err, &off)) {
        snprintf(r->skip_why, sizeof r->skip_why, "the captured ClientHello is malformed at offset %zu: %s", off, err);
    } else {
        return true;
    }
    r->skipped = true;
    return false;
}

bool td_replay(const struct td_replay_input *in, const struct td_replay_hints *hints, const struct td_replay_opts *o,
               struct td_replay_result *r, char *err, size_t err_len)
{
    td_memzero(r, sizeof *r);
    stamp(r);
    r->stream = in->stream;
    r->captured = in->captured;
    r->pcap_cause = in->pcap_cause;
    r->pcap_confidence = in->pcap_confidence;
    const char *target = o->target ? o->target : in->server;
    struct td_probe_result *pr = td_calloc(1, sizeof *pr);
    struct td_probe_opts po = {.timeout_ms = o->timeout_ms ? o->timeout_ms : 3000};
    struct td_rh *h = td_calloc(1, sizeof *h);
    struct replay_run run = {.h = h, .o = o, .max_connections = o->max_connections ? o->max_connections : 40};
    run.p.o = &po;
    run.p.r = pr;
    run.p.starttls = TD_STARTTLS_NONE; /* or the capture's STARTTLS (prepare) */
    td_limits_default(&run.p.lim);
    td_strcopy(r->server, sizeof r->server, target);
    if (!td_probe_parse_target(target, pr->host, sizeof pr->host, &pr->port)) {
        snprintf(err, err_len, "%s: not HOST, HOST:PORT or [IPv6]:PORT", target);
        free(h);
        free(pr);
        return false;
    }
    int64_t t0 = td_probe_now_ms();
    if (prepare(in, r, h, &run.p.starttls) && !td_probe_resolve(&run.p)) {
        r->skipped = true;
        td_strcopy(r->skip_why, sizeof r->skip_why, pr->error);
    } else if (!r->skipped) {
        td_strcopy(r->server, sizeof r->server, pr->address);
        run.sni = o->sni ? o->sni : hints && hints->sni[0] ? hints->sni : NULL;
        r->num_v = 1;
        snprintf(r->v[0].what, sizeof r->v[0].what, "the captured ClientHello (fresh random, session id, key shares)");
        if (run.p.starttls != TD_STARTTLS_NONE) {
            snprintf(r->notes, sizeof r->notes, "each hello sent after %s STARTTLS, as in the capture",
                     td_probe_starttls_name(run.p.starttls));
        }
        td_replay_plan(r, h, in, hints, run.sni);
        run_all(&run, r);
        conclude(r, h, run.sni);
    }
    r->connections = pr->connections;
    r->seconds = (double)(td_probe_now_ms() - t0) / 1000.0;
    free(h);
    free(pr);
    return true;
}
