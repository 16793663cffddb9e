/* The analysis pipeline: frames in, verdicts out.
 *
 *   capture (file, stdin, live handle) -> engine (frames -> TCP -> TLS
 *   connections) -> facts -> the per-server view -> verdicts -> gateway links
 *   -> results, through callbacks, as each connection settles.
 *
 * Every command that reads traffic (pcap, lab, the fuzzers, and later watch
 * and replay) goes through this one API; src/report renders what it gives.
 * A failed connection's verdict can depend on what the same server does
 * later in the capture (other clients with SNI, other versions): it is held
 * back until the end of its input, or, when the caller asks for verdicts at
 * once (live input), given with what is known and revised at the end. Memory
 * is bounded: at most max_held failures wait, then they are judged at once. */
#ifndef TD_ANALYSE_H
#define TD_ANALYSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/reader.h"
#include "diag/diag.h"
#include "engine/engine.h"

#define TD_ANALYSIS_MAX_HELD 2048
#define TD_ANALYSIS_MAX_HTTP 4096
#define TD_ANALYSIS_MAX_SERVERS 65536

struct td_analysis_opts {
    struct td_diag_opts diag; /* truststore (--ca) and the name meant (--expect-host) */
    /* The name or address an operator asked about (--host): a client without
     * SNI that connected to this address is judged as if it meant this name. */
    const char *host_hint;
    struct td_keylog *keylog;       /* secrets to decrypt with, or NULL */
    const struct td_limits *limits; /* NULL: td_limits_default */
    size_t max_held;                /* 0: TD_ANALYSIS_MAX_HELD */
    /* false (files): a failure waits for the end of its input. true (live):
     * its verdict is given at once and revised at the end if it changed. */
    bool verdicts_at_once;
    /* Set asynchronously (a signal handler) to end the input cleanly: what
     * was read is judged and summarised. NULL: never. */
    const volatile int *stop;
    bool utf8;                 /* "→" rather than "->" in result descriptions */
    uint32_t shard_k, shard_n; /* --shard: struct td_engine_cb */
    unsigned threads;          /* --threads: struct td_engine_cb */
};

/* One connection, as the callbacks see it. */
struct td_conn_result {
    uint32_t stream;
    const struct td_tls_conn *conn; /* in on_conn only (freed before a held verdict) */
    const struct td_facts *facts;
    const struct td_verdict *verdict;       /* NULL in on_conn when the verdict waits */
    const struct td_http_error *downstream; /* the 5xx this failure made a gateway answer, or NULL */
    const char *desc;                       /* "client → server" (set with the verdict) */
    bool revised;                           /* a verdict given before, changed by later traffic */
    bool rejected_after;                    /* completed, and the verdict names a fault */
    /* Shown as completed in on_conn, found refused at the end (a gateway
     * relayed the backend's refusal page): the outcome is now failed. */
    bool outcome_revised;
};

/* A plain connection whose server answered HTTP 5xx, with the failed TLS
 * connection behind it (up NULL when none was found). The link is inferred
 * from addresses and timing: its confidence caps the verdict's, and the other
 * connections that fit are listed. */
struct td_http_result {
    const struct td_http_error *http;
    const struct td_verdict *up;
    uint32_t up_stream;
    const char *up_desc;
    enum td_confidence link_confidence;
    int64_t up_after_request_ns; /* when it started, from the request (or the answer) */
    size_t in_window;            /* connections that started between request and answer */
    struct {
        uint32_t stream;
        enum td_cause cause;
        int64_t after_request_ns;
    } others[TD_MAX_LINKS - 1];
    size_t num_others;
};

/* What one server endpoint did over the whole input. */
struct td_server_stat {
    char name[80];
    struct td_server_view view;
    uint32_t causes[TD_CAUSE_COUNT];
};

struct td_analysis_summary {
    const char *file;
    const struct td_run_stats *stats;
    uint32_t causes[TD_CAUSE_COUNT]; /* verdicts by cause */
    uint64_t rejected_after;         /* completed handshakes whose verdict names a fault */
    /* Port checks (no_client_hello: TCP opened and closed without a byte of
     * the client), by the outcome the run's counts gave them (enum td_outcome). */
    uint64_t port_checks[3];
    size_t num_http, http_linked; /* HTTP 5xx answers, and those tied to a failed TLS connection */
    /* Every server endpoint seen, in a stable order. */
    const struct td_server_stat *const *servers;
    size_t num_servers;
};

struct td_analysis_cb {
    void *ctx;
    /* A connection is over (c valid during the call). If r->verdict is set it
     * is final; otherwise the verdict comes later through on_verdict, with
     * the pointer returned here (what the caller kept of the connection). */
    void *(*on_conn)(void *ctx, const struct td_conn_result *r);
    /* The verdict of a connection on_conn saw without one, or a revision
     * (r->revised) of one given at once. keep: on_conn's return value. */
    void (*on_verdict)(void *ctx, const struct td_conn_result *r, void *keep);
    void (*on_http)(void *ctx, const struct td_http_result *h);
    /* The end of one input: counts, causes, servers. */
    void (*on_summary)(void *ctx, const struct td_analysis_summary *s);
    void (*on_problem)(void *ctx, const char *file, uint64_t frame, long long offset, const char *what);
    void (*on_progress)(void *ctx, uint64_t done, uint64_t total);
    /* Periodic, while reading (struct td_engine_cb on_tick). NULL: none. */
    void (*on_tick)(void *ctx);
    /* Each frame as read, before the analysis takes it (struct td_engine_cb
     * on_frame). NULL: none. */
    void (*on_frame)(void *ctx, const struct td_frame *f);
};

struct td_analysis;

struct td_analysis *td_analysis_new(const struct td_analysis_opts *o, const struct td_analysis_cb *cb);
/* The decode cache of certificates the analysis uses (o->diag.cert_cache,
 * or its own, freed with it): renderers of its results may share it. */
struct td_cert_cache *td_analysis_cert_cache(const struct td_analysis *a);
void td_analysis_free(struct td_analysis *a);
/* The counts of the input being read, so far (frames, handshakes, evictions). */
const struct td_run_stats *td_analysis_stats(const struct td_analysis *a);
/* Change opts.verdicts_at_once between inputs (a pipe after a file). */
void td_analysis_set_verdicts_at_once(struct td_analysis *a, bool at_once);

/* One capture file ("-": standard input) from start to summary. Returns 0
 * when the whole input was read, 1 when reading stopped early (damage, told
 * through on_problem; what was read is still judged), 2 when it could not be
 * opened (err says why; no summary). */
int td_analyse_file(struct td_analysis *a, const char *path, char *err, size_t err_len);
/* The same from an open reader (a file, or a live handle from
 * td_reader_open_live); name labels problems and the summary. */
int td_analyse_reader(struct td_analysis *a, struct td_reader *r, const char *name);

/* Already-decoded connections (tests, replays): begin, any number of
 * connections and HTTP answers, then end, which judges what waits and calls
 * on_summary with stats (may be NULL). */
void td_analysis_begin(struct td_analysis *a, const char *name);
void td_analysis_add_conn(struct td_analysis *a, const struct td_tls_conn *c);
void td_analysis_add_http(struct td_analysis *a, const struct td_tls_conn *c);
void td_analysis_end(struct td_analysis *a, const struct td_run_stats *stats);

#endif
