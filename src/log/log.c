/* The line reader and the per-failure accumulator. Lines come from a bounded
 * buffer (a line longer than TD_LOG_LINE_MAX is cut there and the rest of it
 * skipped, counted in the stats); each is matched (match.c); a failure line
 * joins the open finding when it belongs to the same transcript (within
 * MERGE_GAP lines, no new connection started between, neither line a
 * self-contained log line), otherwise it opens a new one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "log/internal.h"

#include "base/banned.h"

#define MERGE_GAP 40    /* lines of a transcript between two lines of one failure */
#define CONTEXT_GAP 400 /* unrecognised lines after which a transcript's role and names are forgotten */

struct td_log {
    uint8_t line[TD_LOG_LINE_MAX];
    size_t line_len;
    bool skipping; /* inside the cut part of a long line */
    char norm[TD_LOG_LINE_MAX + 512];
    uint64_t grams[(1u << TD_LOG_GRAM_BITS) / 64]; /* td_log_match's scratch, zero between lines */
    struct td_log_stats stats;
    /* the transcript so far (since its last START) */
    enum td_log_party role;
    bool saw_creq, saw_shello, offline;
    const char *family;           /* the transcript's format: its program's (a context row's) if known */
    bool family_ctx;              /* family came from a context row (curl, nginx, java around OpenSSL's words) */
    struct td_log_finding target; /* host/port/name seen, for the next finding */
    /* the open finding */
    bool open, open_line_mode;
    int open_rank;
    enum td_log_dec open_dec, open_alert_dec; /* resolved to client/server when settled */
    uint64_t last_line;                       /* of the open finding's last evidence */
    uint64_t last_seen;                       /* the last line any row recognised */
    struct td_log_finding cur;
    struct td_log_trace *trace; /* the s_client -msg trace of the transcript */
    /* settled findings */
    struct td_log_finding *findings;
    size_t num_findings, cap_findings;
};

const char *td_log_party_name(enum td_log_party p)
{
    static const char *const names[] = {"nobody", "client", "server", "local", "peer"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "nobody";
}

const char *td_log_formats(void)
{
    return "Java JSSE exceptions and -Djavax.net.debug output (JDK 8 and 11+), openssl s_client and verify, curl "
           "(OpenSSL, GnuTLS, Schannel, Secure Transport), nginx, Apache httpd and HAProxy error logs, Envoy/Istio "
           "logs (BoringSSL codes), Apigee faults and Message Processor logs, Go crypto/tls and crypto/x509, Python "
           "ssl, Node.js TLS codes, .NET and Windows Schannel messages";
}

struct td_log *td_log_new(void)
{
    struct td_log *lg = td_calloc(1, sizeof *lg);
    lg->cur.alert = -1;
    lg->trace = td_log_trace_new();
    return lg;
}

void td_log_free(struct td_log *lg)
{
    if (lg) {
        td_log_trace_free(lg->trace);
        free(lg->findings);
        free(lg);
    }
}

size_t td_log_num_findings(const struct td_log *lg) { return lg->num_findings; }
const struct td_log_finding *td_log_finding_at(const struct td_log *lg, size_t i)
{
    return i < lg->num_findings ? &lg->findings[i] : NULL;
}
const struct td_log_stats *td_log_stats(const struct td_log *lg) { return &lg->stats; }

const char *td_log_explanation(const struct td_log_finding *f)
{
    return f->trace_why[0] ? f->trace_why : f->explanation;
}

static enum td_log_party resolve(enum td_log_party role, enum td_log_dec d)
{
    if (d == TD_LOG_DEC_ANY) {
        return TD_LOG_NOBODY;
    }
    if (role == TD_LOG_NOBODY) {
        return d == TD_LOG_DEC_LOCAL ? TD_LOG_LOCAL : TD_LOG_PEER;
    }
    bool local = d == TD_LOG_DEC_LOCAL;
    return (role == TD_LOG_CLIENT) == local ? TD_LOG_CLIENT : TD_LOG_SERVER;
}

/* A verification failure about the client's certificate is a client-certificate cause. */
static enum td_cause client_cert_cause(enum td_cause c)
{
    switch (c) {
    case TD_CAUSE_UNKNOWN_CA:
    case TD_CAUSE_SELF_SIGNED:
    case TD_CAUSE_INCOMPLETE_CHAIN:
    case TD_CAUSE_CERTIFICATE_REJECTED:
    case TD_CAUSE_CERT_UNUSABLE:
        return TD_CAUSE_CLIENT_CERT_UNTRUSTED;
    case TD_CAUSE_EXPIRED_CERT:
    case TD_CAUSE_NOT_YET_VALID_CERT:
        return TD_CAUSE_CLIENT_CERT_EXPIRED;
    default:
        return c;
    }
}

static void add_candidate(struct td_log_finding *f, enum td_cause c)
{
    if (c == f->cause || c == TD_CAUSE_NONE || c == TD_CAUSE_UNKNOWN) {
        return;
    }
    for (size_t i = 0; i < f->num_candidates; i++) {
        if (f->candidates[i] == c) {
            return;
        }
    }
    if (f->num_candidates < TD_LOG_CANDIDATES_MAX) {
        f->candidates[f->num_candidates++] = c;
    }
}

static void add_also(struct td_log_finding *f, enum td_cause c)
{
    for (size_t i = 0; i < f->num_also; i++) {
        if (f->also[i] == c) {
            return;
        }
    }
    if (c != f->cause && f->num_also < TD_LOG_CANDIDATES_MAX) {
        f->also[f->num_also++] = c;
    }
}

static void add_evidence_text(struct td_log_finding *f, uint64_t line, const char *text)
{
    if (f->num_evidence == TD_LOG_EVIDENCE_MAX) {
        f->more_evidence++;
        return;
    }
    size_t i = f->num_evidence++;
    while (i > 0 && f->evidence[i - 1].line > line) { /* kept in line order */
        f->evidence[i] = f->evidence[i - 1];
        i--;
    }
    struct td_log_evidence *e = &f->evidence[i];
    size_t n = strlen(text);
    e->line = line;
    e->text_len = n < sizeof e->text ? n : sizeof e->text;
    e->cut = n > sizeof e->text;
    td_memcopy(e->text, text, e->text_len);
}

/* The rules name the endpoints by the placeholder addresses the trace was
 * fed with (log/trace.c): a log does not hold them, so they are said in words. */
static void unplace(char *s, size_t cap)
{
    static const struct {
        const char *addr, *words;
    } places[] = {{"192.0.2.2:443", "the server"}, {"192.0.2.1:40000", "the client"}};
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        char *p;
        size_t a = strlen(places[i].addr), w = strlen(places[i].words);
        while ((p = strstr(s, places[i].addr)) != NULL) {
            size_t rest = strlen(p + a) + 1;
            if ((size_t)(p - s) + w + rest > cap) {
                break;
            }
            td_memmove(p + w, p + a, rest);
            td_memcopy(p, places[i].words, w);
        }
    }
}

/* The sides as the trace shows them: who wrote it (the ClientHello's
 * sender is the client) and, when the words named no alert, the one it holds. */
static void trace_sides(struct td_log *lg, struct td_log_finding *f)
{
    struct td_log_trace_sides s;
    td_log_trace_sides(lg->trace, &s);
    if (s.local == TD_CLIENT || s.local == TD_SERVER) {
        lg->role = s.local == TD_SERVER ? TD_LOG_SERVER : TD_LOG_CLIENT;
        if (s.alert_from >= 0 && f->alert < 0) {
            f->alert = s.alert_desc;
            lg->open_alert_dec = s.alert_from == s.local ? TD_LOG_DEC_LOCAL : TD_LOG_DEC_PEER;
        }
    }
}

/* A handshake trace in the lines: the pcap rules' verdict on it, when it
 * says more than the words. */
static void judge_trace(struct td_log *lg, struct td_log_finding *f)
{
    struct td_verdict *v = td_calloc(1, sizeof *v);
    if (td_log_trace_verdict(lg->trace, v)) {
        f->traced = true;
        trace_sides(lg, f);
        int r = td_log_rank(v->cause, v->confidence);
        if (r > lg->open_rank) {
            if (lg->open_rank >= 10) {
                add_candidate(f, f->cause);
            }
            f->cause = v->cause;
            f->confidence = v->confidence;
            snprintf(f->trace_why, sizeof f->trace_why, "the handshake traced, judged by the pcap rules: %s",
                     v->explanation);
            unplace(f->trace_why, sizeof f->trace_why);
            f->num_candidates = 0;
            for (size_t i = 0; i < v->num_candidates; i++) {
                add_candidate(f, v->candidates[i]);
            }
            lg->open_rank = r;
            if (v->aborted_by == TD_SIDE_CLIENT || v->aborted_by == TD_SIDE_SERVER) {
                bool local = (v->aborted_by == TD_SIDE_SERVER) == (lg->role == TD_LOG_SERVER);
                lg->open_dec = local ? TD_LOG_DEC_LOCAL : TD_LOG_DEC_PEER;
            }
        }
        for (size_t i = 0; i < v->num_evidence; i++) {
            char text[sizeof v->evidence[i].what + 16];
            snprintf(text, sizeof text, "[trace] %s", v->evidence[i].what);
            add_evidence_text(f, v->evidence[i].frame, text);
        }
    }
    free(v);
}

/* unrecognized_name from the words: the name the lines show (the SNI, else
 * a host name connected to, which clients send as SNI) is the one refused. */
static void name_why(struct td_log_finding *f)
{
    const char *n = f->name[0] ? f->name : strpbrk(f->host, "abcdefghijklmnopqrstuvwxyz") ? f->host : "";
    if (f->cause == TD_CAUSE_UNRECOGNIZED_NAME && !f->trace_why[0] && n[0]) {
        snprintf(f->trace_why, sizeof f->trace_why,
                 "unrecognized_name: the server serves no such name as %s, the name the lines show the client "
                 "asking for (SNI)",
                 n);
    }
}

static void settle(struct td_log *lg)
{
    if (!lg->open) {
        return;
    }
    lg->open = false;
    struct td_log_finding *f = &lg->cur;
    judge_trace(lg, f);
    if (f->confidence != TD_CONF_HIGH) {
        enum td_cause d[TD_LOG_CANDIDATES_MAX];
        size_t n = td_log_default_candidates(f->cause, d, TD_LOG_CANDIDATES_MAX);
        for (size_t i = 0; i < n; i++) {
            add_candidate(f, d[i]);
        }
    } else {
        f->num_candidates = 0;
    }
    if (!f->host[0] || (f->host_weak && lg->target.host[0])) {
        td_memcopy(f->host, lg->target.host, sizeof f->host);
        td_memcopy(f->port, lg->target.port, sizeof f->port);
    }
    if (!f->name[0]) {
        td_memcopy(f->name, lg->target.name, sizeof f->name);
    }
    if (lg->family_ctx || !f->family) {
        f->family = lg->family ? lg->family : "log";
    }
    f->decided_by = resolve(lg->role, lg->open_dec);
    f->alert_sent_by = f->alert >= 0 ? resolve(lg->role, lg->open_alert_dec) : TD_LOG_NOBODY;
    name_why(f);
    f->rules_out = td_log_rules_out(f, lg->saw_shello);
    td_log_next_step(f, lg->role, lg->offline);
    if (lg->num_findings >= TD_LOG_FINDINGS_MAX) {
        lg->stats.findings_dropped++;
        return;
    }
    if (lg->num_findings == lg->cap_findings) {
        lg->cap_findings = lg->cap_findings ? lg->cap_findings * 2 : 8;
        lg->findings = td_realloc(lg->findings, lg->cap_findings * sizeof *lg->findings);
    }
    lg->findings[lg->num_findings++] = *f;
}

static void add_evidence(struct td_log *lg, const uint8_t *line, size_t len, bool cut)
{
    struct td_log_finding *f = &lg->cur;
    if (f->num_evidence == TD_LOG_EVIDENCE_MAX) {
        f->more_evidence++;
        return;
    }
    struct td_log_evidence *e = &f->evidence[f->num_evidence++];
    e->line = lg->stats.lines;
    e->text_len = len < sizeof e->text ? len : sizeof e->text;
    e->cut = cut || len > sizeof e->text;
    td_memcopy(e->text, line, e->text_len);
}

/* The line's cause: the row's or the alert's, whichever says more. */
static void line_cause(struct td_log *lg, struct td_log_hit *h)
{
    if (h->alert >= 0) {
        struct td_log_hit a = *h;
        td_log_alert_cause(h->alert, h->alert_received, lg->role, lg->saw_creq, lg->saw_shello, &a);
        if (td_log_rank(a.cause, a.confidence) > td_log_rank(h->cause, h->confidence)) {
            h->cause = a.cause;
            h->confidence = a.confidence;
            h->why = a.why;
            h->decided = a.decided;
        } else if (h->decided == TD_LOG_DEC_ANY) {
            h->decided = a.decided;
        }
    }
    /* nginx sends no SNI to its upstreams unless proxy_ssl_server_name on: a
     * refusal without a reason is most often that */
    if (h->alert_received && (h->alert == 40 || h->alert == 112) && lg->role == TD_LOG_CLIENT && lg->family &&
        strcmp(lg->family, "nginx") == 0 && td_log_rank(h->cause, h->confidence) <= 13) {
        h->cause = TD_CAUSE_SNI_REQUIRED;
        h->confidence = TD_CONF_LOW;
        h->why = "nginx sends no SNI to an upstream unless proxy_ssl_server_name is on (and proxy_ssl_name names it): "
                 "servers behind CDNs and virtual hosts refuse such a ClientHello";
    }
    if ((h->flags & TD_LF_CCERT) || (lg->role == TD_LOG_SERVER && h->decided == TD_LOG_DEC_LOCAL &&
                                     h->cause != TD_CAUSE_NONE && !(h->flags & TD_LF_VERIFY))) {
        h->cause = client_cert_cause(h->cause);
    }
}

static void open_finding(struct td_log *lg, const struct td_log_hit *h, bool line_mode)
{
    settle(lg);
    td_memzero(&lg->cur, sizeof lg->cur);
    lg->cur.alert = -1;
    lg->cur.family = h->family;
    lg->open = true;
    lg->open_line_mode = line_mode;
    lg->open_rank = -1;
    lg->open_dec = lg->open_alert_dec = TD_LOG_DEC_ANY;
}

static void merge(struct td_log *lg, const struct td_log_hit *h)
{
    struct td_log_finding *f = &lg->cur;
    int r = td_log_rank(h->cause, h->confidence);
    if (r > lg->open_rank) {
        if (lg->open_rank >= 10) {
            add_candidate(f, f->cause);
        }
        f->cause = h->cause;
        f->confidence = h->confidence;
        f->explanation = h->why;
        lg->open_dec = h->decided;
        lg->open_rank = r;
    } else if (r >= 10 && h->cause != f->cause) {
        if (h->confidence == TD_CONF_HIGH && f->confidence == TD_CONF_HIGH) {
            add_also(f, h->cause);
        } else {
            add_candidate(f, h->cause);
        }
    }
    if (lg->open_dec == TD_LOG_DEC_ANY) {
        lg->open_dec = h->decided;
    }
    if (h->alert >= 0 && f->alert < 0) {
        f->alert = h->alert;
        lg->open_alert_dec = h->alert_received ? TD_LOG_DEC_PEER : TD_LOG_DEC_LOCAL;
    }
}

static void update_context(struct td_log *lg, const struct td_log_hit *h, uint64_t n)
{
    bool gap = lg->last_seen && n - lg->last_seen > CONTEXT_GAP;
    lg->last_seen = n;
    if ((h->flags & TD_LF_START) || gap) {
        if (lg->open && !lg->open_line_mode && (h->flags & TD_LF_START)) {
            settle(lg);
        }
        lg->role = TD_LOG_NOBODY;
        lg->saw_creq = lg->saw_shello = lg->offline = false;
        lg->family = NULL;
        lg->family_ctx = false;
        td_memzero(&lg->target, sizeof lg->target);
    }
    if (h->ctx_family && !lg->family_ctx) {
        lg->family = h->ctx_family;
        lg->family_ctx = true;
    } else if (!lg->family) {
        lg->family = h->family;
    }
    if (h->flags & TD_LF_CLI) {
        lg->role = TD_LOG_CLIENT;
    } else if ((h->flags & TD_LF_SRV) && lg->role == TD_LOG_NOBODY) {
        lg->role = TD_LOG_SERVER;
    }
    lg->saw_creq |= (h->flags & TD_LF_CREQ) != 0;
    lg->saw_shello |= (h->flags & TD_LF_SHELLO) != 0;
    lg->offline |= (h->flags & TD_LF_VERIFY) != 0;
}

/* A frame of a stack trace between the lines of one failure: Java's and
 * Node's "    at pkg.Class.method(File.java:12)", "... 17 more", Python's
 * '  File "x.py", line 3, in f'. They keep the failure open however deep the
 * trace. */
static bool stack_frame(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t')) {
        i++;
    }
    if (i == 0) {
        return false;
    }
    const char *s = (const char *)p + i;
    size_t rest = n - i;
    return (rest > 3 && strncmp(s, "at ", 3) == 0 && memchr(s, '(', rest)) ||
           (rest > 4 && strncmp(s, "... ", 4) == 0 && rest >= 5 && strncmp(s + rest - 4, "more", 4) == 0) ||
           (rest > 6 && strncmp(s, "File \"", 6) == 0);
}

static void on_line(struct td_log *lg, const uint8_t *line, size_t len, bool cut)
{
    uint64_t n = ++lg->stats.lines;
    lg->stats.cut_lines += cut;
    bool in_text;
    if (td_log_trace_line(lg->trace, line, len, n, lg->role == TD_LOG_SERVER, &in_text)) {
        lg->last_seen = n;
        return;
    }
    if (in_text && lg->open && !lg->open_line_mode && n - lg->last_line <= MERGE_GAP) {
        lg->last_line = n; /* a handshake trace between the lines of one failure */
    }
    td_log_normalize(line, len, lg->norm, sizeof lg->norm);
    struct td_log_hit h;
    td_log_match(lg->norm, lg->grams, &h);
    if (h.rows == 0 && h.alert < 0) {
        if (lg->open && !lg->open_line_mode && n - lg->last_line <= MERGE_GAP && stack_frame(line, len)) {
            lg->last_line = n; /* the trace goes on */
            lg->last_seen = n;
        }
        return;
    }
    bool line_mode = (h.flags & TD_LF_LINE) != 0;
    if (line_mode) { /* a self-contained line: its own role, its own transcript */
        lg->role = TD_LOG_NOBODY;
        lg->saw_creq = lg->saw_shello = false;
        lg->family = NULL;
        lg->family_ctx = false;
        td_memzero(&lg->target, sizeof lg->target);
    }
    update_context(lg, &h, n);
    td_log_extract(line, len, &lg->target);
    line_cause(lg, &h);
    if (h.cause == TD_CAUSE_NONE) {
        return;
    }
    bool join = lg->open && !line_mode && !lg->open_line_mode && n - lg->last_line <= MERGE_GAP;
    if (!join) {
        open_finding(lg, &h, line_mode);
    }
    /* the format: the transcript's (curl around OpenSSL's words), else the line's */
    if (td_log_rank(h.cause, h.confidence) > lg->open_rank && h.family) {
        lg->cur.family = h.family; /* the words that name the cause, unless the program is known (settle) */
    }
    merge(lg, &h);
    td_log_extract(line, len, &lg->cur);
    add_evidence(lg, line, len, cut);
    lg->last_line = n;
    if (line_mode) {
        settle(lg);
    }
}

void td_log_push(struct td_log *lg, const uint8_t *data, size_t len)
{
    lg->stats.bytes += len;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if (c == '\n') {
            if (!lg->skipping) {
                size_t l = lg->line_len;
                if (l > 0 && lg->line[l - 1] == '\r') {
                    l--;
                }
                on_line(lg, lg->line, l, false);
            }
            lg->line_len = 0;
            lg->skipping = false;
        } else if (!lg->skipping) {
            if (lg->line_len == sizeof lg->line) {
                on_line(lg, lg->line, lg->line_len, true);
                lg->skipping = true;
                lg->line_len = 0;
            } else {
                lg->line[lg->line_len++] = c;
            }
        }
    }
}

void td_log_end(struct td_log *lg)
{
    if (lg->line_len > 0 && !lg->skipping) {
        on_line(lg, lg->line, lg->line_len, false);
    }
    lg->line_len = 0;
    lg->skipping = false;
    settle(lg);
}
