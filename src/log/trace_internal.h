/* Handshake traces read from logs as text (Java's javax.net.debug in the
 * JDK 11+ and JDK 8 formats, openssl s_client -trace): each printed message is
 * rebuilt into its bytes from the fields the trace prints (trace_msg.c) and
 * fed to the TLS layer as a capture's records would be (trace.c), so one rule
 * set judges captures and logs. Raw record dumps (Java's "Raw write" with
 * javax.net.debug=all) are fed as they are. Every line is hostile: fields are
 * read with bounds, and a message that does not rebuild whole is not fed. */
#ifndef TD_LOG_TRACE_INTERNAL_H
#define TD_LOG_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/names.h"
#include "tls/tls.h"

struct td_log_trace;

#define TD_LOG_MSG_SUITES 160
#define TD_LOG_MSG_EXT 4096
#define TD_LOG_MSG_LIST 96

/* One message as a trace prints it. */
struct td_log_msg {
    uint8_t hs_type;  /* TD_HS_*; 0: none being read */
    int dir;          /* enum td_role of its sender */
    uint64_t line;    /* its first line */
    uint16_t version; /* legacy_version */
    uint16_t suites[TD_LOG_MSG_SUITES];
    size_t num_suites;
    uint8_t ext[TD_LOG_MSG_EXT]; /* extensions, each type|length|body */
    size_t ext_len;
    uint16_t sigalgs[TD_LOG_MSG_LIST]; /* CertificateRequest's */
    size_t num_sigalgs;
    bool tls13; /* a ServerHello that selects TLS 1.3 */
    bool hrr;   /* a HelloRetryRequest (a ServerHello with its random) */
    bool bad;   /* something did not fit: not fed */
};

void td_log_msg_begin(struct td_log_msg *m, uint8_t hs_type, int dir, uint64_t line);
void td_log_msg_ext(struct td_log_msg *m, uint16_t type, const uint8_t *body, size_t len);
/* An extension holding a list of 1- or 2-byte values (width) under a
 * prefix_bytes length (0: the bare values, as a ServerHello's
 * supported_versions). */
void td_log_msg_ext_list(struct td_log_msg *m, uint16_t type, int prefix_bytes, int width, const uint16_t *v, size_t n);
void td_log_msg_ext_sni(struct td_log_msg *m, const char *name, size_t len);
/* ALPN from names separated by any of seps. */
void td_log_msg_ext_alpn(struct td_log_msg *m, const char *names, size_t len, const char *seps);
/* key_share: a client's shares (one per group) or a server's share; the
 * keys are zeros of the group's length (the rules read the groups only). */
void td_log_msg_ext_key_share(struct td_log_msg *m, const uint16_t *groups, size_t n, bool server);
/* Builds the message and feeds it (m is cleared). */
void td_log_msg_feed(struct td_log_trace *t, struct td_log_msg *m);
/* A whole message of content type `type` from dir (a record of its own);
 * then_encrypted: what follows it is encrypted on the wire (a TLS 1.3
 * ServerHello), so it is not fed, as a capture without keys would not show it. */
void td_log_trace_message(struct td_log_trace *t, int dir, uint8_t type, const uint8_t *body, size_t len, uint64_t line,
                          bool then_encrypted);
/* An alert, a ChangeCipherSpec. */
void td_log_trace_alert(struct td_log_trace *t, int dir, uint8_t level, uint8_t desc, uint64_t line);
void td_log_trace_ccs(struct td_log_trace *t, int dir, uint64_t line);
/* Raw record bytes as sent (Java's "Raw write"/"Raw read"): the first call
 * of a connection forgets what was rebuilt of it. */
void td_log_trace_raw(struct td_log_trace *t, int dir, const uint8_t *p, size_t n, uint64_t line);

/* The message a trace names ("ClientHello", "ServerHelloDone", ...) at s,
 * when the name is the whole of s[0..n) or followed by `after`; 0 if none. */
uint8_t td_log_msg_named(const char *s, size_t n, const char *after);
/* A HelloRetryRequest's random (RFC 8446 4.1.3); a trace naming it
 * "HelloRetryRequest" or printing this random gives m->hrr. */
extern const uint8_t td_log_hrr_random[32];
/* s names a HelloRetryRequest (the whole name, or followed by `after`). */
bool td_log_msg_is_hrr(const char *s, size_t n, const char *after);

/* The value of an IANA name in a table (td_suite_names, ...), case
 * insensitive; false when not there. */
bool td_log_name_value(const struct td_name *table, size_t len, const char *s, size_t n, uint32_t *out);
/* The values of the names (runs of [A-Za-z0-9_.]) of s found in table,
 * appended to out[have..max); the new count. */
size_t td_log_names_in(const char *s, size_t n, const struct td_name *table, size_t len, uint16_t *out, size_t have,
                       size_t max);
/* "TLSv1.2", "TLS 1.2", "SSLv3": the version; 0 when not one. */
uint16_t td_log_version_value(const char *s, size_t n);
/* The hex bytes of a dump line ("0000: 16 03 03 ..." or "0000 - 16 03-03 ..."),
 * at most max; -1 when the line is not one. */
int td_log_dump_line(const char *s, size_t n, uint8_t *out, size_t max);

/* The two text trace formats: each reads every line of the log (never
 * consuming it: the recognisers see it too); true when the line is part of
 * a trace (it keeps the failure's transcript open, as a stack frame does). */
struct td_log_jtrace;
struct td_log_jtrace *td_log_jtrace_new(void);
void td_log_jtrace_free(struct td_log_jtrace *j);
bool td_log_jtrace_line(struct td_log_jtrace *j, struct td_log_trace *t, const char *s, size_t n, uint64_t line);
struct td_log_otrace;
struct td_log_otrace *td_log_otrace_new(void);
void td_log_otrace_free(struct td_log_otrace *o);
bool td_log_otrace_line(struct td_log_otrace *o, struct td_log_trace *t, const char *s, size_t n, uint64_t line);

#endif
