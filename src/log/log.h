/* tlsdiag log: TLS failures recognised in what people paste (stack traces,
 * curl -v, openssl s_client, nginx/Apache/HAProxy/Envoy/Apigee logs, Go,
 * Python, Node, .NET and Schannel messages). A library layer: no printing.
 *
 * Lines are read from a bounded buffer (td_log_push / td_log_end); each line
 * is matched against the recognisers of log/patterns.def; consecutive lines of
 * one failure (a Java stack trace, a curl -v transcript, an s_client session)
 * are merged into one finding with every evidence line number. Every byte of
 * the input is hostile: NUL bytes and invalid UTF-8 are data, lines longer
 * than TD_LOG_LINE_MAX are cut (and counted). */
#ifndef TD_LOG_LOG_H
#define TD_LOG_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cause.h"
#include "diag/diag.h"

#define TD_LOG_LINE_MAX 8192      /* bytes of a line kept; the rest is cut */
#define TD_LOG_EVIDENCE_MAX 12    /* evidence lines kept per finding */
#define TD_LOG_EVIDENCE_TEXT 240  /* bytes of each evidence line kept */
#define TD_LOG_FINDINGS_MAX 10000 /* findings kept per input */
#define TD_LOG_CANDIDATES_MAX 4

/* Who decided, who sent the alert. CLIENT/SERVER when the log tells which
 * role the program that wrote it had; LOCAL/PEER otherwise. */
enum td_log_party { TD_LOG_NOBODY, TD_LOG_CLIENT, TD_LOG_SERVER, TD_LOG_LOCAL, TD_LOG_PEER };
const char *td_log_party_name(enum td_log_party p);
/* The IANA name of a TLS alert description ("unknown_ca"). */
const char *td_log_alert_name(int desc);

struct td_log_evidence {
    uint64_t line;
    char text[TD_LOG_EVIDENCE_TEXT]; /* raw bytes of the line (hostile: escape when shown) */
    size_t text_len;
    bool cut; /* the line was longer than kept */
};

struct td_log_finding {
    enum td_cause cause;
    enum td_confidence confidence;
    enum td_cause candidates[TD_LOG_CANDIDATES_MAX];
    size_t num_candidates;
    enum td_cause also[TD_LOG_CANDIDATES_MAX]; /* other faults the same lines name */
    size_t num_also;
    enum td_log_party decided_by;
    enum td_log_party alert_sent_by;    /* TD_LOG_NOBODY: no alert seen */
    int alert;                          /* TLS alert description, -1 when none */
    const char *family;                 /* the format first recognised ("curl", "java", ...) */
    const char *explanation;            /* tlsdiag words (static); see td_log_explanation */
    char trace_why[700];                /* the pcap rules words when a handshake trace was judged */
    bool traced;                        /* the lines held a handshake trace (s_client -msg) and it was judged */
    const char *rules_out;              /* what the lines rule out (static), "" when nothing */
    char host[128], port[8], name[128]; /* pulled out of the lines, checked to be pasteable */
    bool host_weak;                     /* host from a line a later one may better (curl "Trying IP") */
    char next[1024];                    /* the command that settles the rest */
    struct td_log_evidence evidence[TD_LOG_EVIDENCE_MAX];
    size_t num_evidence;
    size_t more_evidence; /* evidence lines not kept */
};

struct td_log_stats {
    uint64_t lines;
    uint64_t cut_lines;
    uint64_t bytes;
    uint64_t findings_dropped; /* over TD_LOG_FINDINGS_MAX */
};

struct td_log;

struct td_log *td_log_new(void);
void td_log_free(struct td_log *lg);
/* Feed bytes of the input, in pieces of any size. */
void td_log_push(struct td_log *lg, const uint8_t *data, size_t len);
/* The end of the input: the last line and the open failure are settled. */
void td_log_end(struct td_log *lg);
size_t td_log_num_findings(const struct td_log *lg);
const struct td_log_finding *td_log_finding_at(const struct td_log *lg, size_t i);
const struct td_log_stats *td_log_stats(const struct td_log *lg);
/* The explanation to show (the trace's when judged), or NULL. */
const char *td_log_explanation(const struct td_log_finding *f);
/* The formats recognised, for "no TLS failure recognised" (static text). */
const char *td_log_formats(void);

#endif
