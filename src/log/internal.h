/* The log layer's own declarations: the recogniser table, the per-line
 * match, alerts and packed error codes, names pulled out of lines. */
#ifndef TD_LOG_INTERNAL_H
#define TD_LOG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log.h"

/* Who decided, as a recogniser row says it. */
enum td_log_dec { TD_LOG_DEC_ANY, TD_LOG_DEC_LOCAL, TD_LOG_DEC_PEER };

/* Row flags. */
enum {
    TD_LF_LINE = 1u << 0,   /* a self-contained log line: one failure per line, never merged */
    TD_LF_START = 1u << 1,  /* a new connection starts (curl "Trying", s_client "CONNECTED(") */
    TD_LF_CLI = 1u << 2,    /* the program that wrote the line was the TLS client */
    TD_LF_SRV = 1u << 3,    /* ... the TLS server */
    TD_LF_CCERT = 1u << 4,  /* about the client's certificate (the server verified it) */
    TD_LF_CREQ = 1u << 5,   /* the server asked for a client certificate */
    TD_LF_SHELLO = 1u << 6, /* the server answered the ClientHello (ServerHello or later) */
    TD_LF_VERIFY = 1u << 7, /* an offline check (openssl verify): no peer */
};

/* One wording: `match` is lower case with _ and letter-letter - as spaces and
 * runs of blanks as one (as td_log_normalize writes lines); parts joined with
 * '&' must all be present. cause TD_CAUSE_NONE: a context row (flags only). */
struct td_log_pattern {
    const char *family;
    const char *match;
    enum td_cause cause;
    enum td_confidence confidence;
    enum td_log_dec decided;
    unsigned flags;
    const char *why; /* tlsdiag's words for this wording, or NULL */
};

/* The candidates that remain when a cause is named below high. */
size_t td_log_default_candidates(enum td_cause c, enum td_cause *out, size_t max);

/* What one line says. */
struct td_log_hit {
    const struct td_log_pattern *row; /* the best cause row, NULL when none */
    enum td_cause cause;              /* row's or alert's */
    enum td_confidence confidence;
    enum td_log_dec decided;
    const char *why;
    unsigned flags; /* every matching row's */
    size_t rows;    /* how many rows matched */
    int alert;      /* -1: none */
    bool alert_received;
    const char *family;     /* the best row's */
    const char *ctx_family; /* the first context row's (nginx around OpenSSL's words) */
};

/* Lower-cases, maps _ and letter-letter - to blanks, folds blanks, appends the
 * names of packed OpenSSL/BoringSSL error codes; writes at most cap-1 bytes
 * and a NUL. Returns the length. */
size_t td_log_normalize(const uint8_t *line, size_t len, char *out, size_t cap);
/* Matches a normalized line: the best cause row, every row's flags, the alert.
 * bits: the caller's zeroed scratch of 2^TD_LOG_GRAM_BITS bits (left zeroed):
 * a row is tried only when the 4 bytes its text starts with are on the line. */
#define TD_LOG_GRAM_BITS 16
void td_log_match(const char *norm, uint64_t *bits, struct td_log_hit *hit);
uint32_t td_log_row_gram(const struct td_log_pattern *p);
/* How much a cause at a confidence says (named causes above unknown); -1 for none. */
int td_log_rank(enum td_cause c, enum td_confidence conf);

/* Alerts: the description named on the line and who sent it. false: none. */
bool td_log_find_alert(const char *norm, int *out_desc, bool *out_received);
/* The cause a received or sent alert points to, for the program's role. */
void td_log_alert_cause(int desc, bool received, enum td_log_party role, bool saw_creq, bool saw_shello,
                        struct td_log_hit *hit);
/* The name of a packed error code's reason (OpenSSL 1.x/3.x hex, BoringSSL
 * decimal), NULL when not known. */
const char *td_log_ssl_reason(uint32_t reason, bool boringssl);

/* Host, port and name from a raw line, kept only when pasteable into a shell
 * command ([A-Za-z0-9.:_*[]-]). */
void td_log_extract(const uint8_t *line, size_t len, struct td_log_finding *f);

/* The next-step command and what the lines rule out. */
void td_log_next_step(struct td_log_finding *f, enum td_log_party role, bool offline);
const char *td_log_rules_out(const struct td_log_finding *f, bool saw_shello);

/* openssl s_client/s_server -msg traces (trace.c). */
struct td_log_trace;
struct td_log_trace *td_log_trace_new(void);
void td_log_trace_free(struct td_log_trace *t);
/* true when the line is part of a -msg trace (a ">>>"/"<<<" header or its
 * hex): taken. *in_text: the line is part of a text trace (Java's, s_client
 * -trace), read there and left to the recognisers too. */
bool td_log_trace_line(struct td_log_trace *t, const uint8_t *line, size_t len, uint64_t lineno, bool local_is_server,
                       bool *in_text);
/* The pcap rules' verdict on the handshake traced so far; false when the
 * trace held no ClientHello or the rules found no fault. Resets the trace. */
bool td_log_trace_verdict(struct td_log_trace *t, struct td_verdict *v);
/* What the trace says of its sides: the program that wrote it (enum td_role,
 * from who sent the ClientHello; -1 when no ClientHello told) and the first
 * fatal alert it holds (sender -1: none). */
struct td_log_trace_sides {
    int local, alert_from, alert_desc;
};
void td_log_trace_sides(const struct td_log_trace *t, struct td_log_trace_sides *out);
/* Told by a reader: who wrote the trace. */
void td_log_trace_set_local(struct td_log_trace *t, int role);

extern const struct td_log_pattern td_log_patterns[];
extern const size_t td_log_num_patterns;

#endif
