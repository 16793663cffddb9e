/* tlsdiag pcap's state, shared by cmd_pcap.c (the analysis callbacks, the
 * run) and pcap_args.c (the options). Internal to src/cli. */
#ifndef TD_CLI_PCAP_RUN_H
#define TD_CLI_PCAP_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/cli.h"
#include "cli/write_failed.h"
#include "report/report.h"

/* One connection rendered and held back, to be shown in tcp.stream order. */
struct held {
    uint32_t stream;
    char *text;
    size_t len;
};

/* What was rendered of a connection whose verdict comes later; or, when
 * verdicts go out at once (a pipe), of one whose verdict was shown and may be
 * revised at the end (its JSON start, to give the record again). */
struct kept {
    struct td_buf out;
    bool given;
    struct kept *next;              /* pcap_run.given, freed with the summary */
    struct td_replay_input *replay; /* --replay: its ClientHello, when it failed; NULL once replayed */
};

struct pcap_run {
    bool json, verbose, failed_only, summary_only;
    bool fail_on_empty; /* port checks (no_client_hello) make the exit status 1 too */
    long long stream;   /* -1: all */
    const char *host;
    const char *export_dir; /* --export-certs */
    bool export_error;
    struct td_term term;
    struct td_render_opts ro;
    const char *file;
    uint64_t problems;
    struct held *held;
    size_t num_held, cap_held, held_bytes;
    bool streaming;
    bool at_once;            /* a pipe or FIFO: verdicts given as they settle, revised at the end */
    struct kept *given;      /* shown at once, may be revised */
    size_t num_given;        /* at most TD_ANALYSIS_MAX_HELD: the analysis holds no more */
    struct both *given_both; /* --html: the wrappers of given ones */
    struct cli_write_failed wf;
    bool progress_shown;
    uint64_t shown;                 /* connections shown from this file */
    bool failed_shown;              /* one of them failed, or was rejected after completing */
    bool filter_error;              /* --stream named a stream the file does not have */
    struct td_html *html;           /* --html: the page's collector, or NULL */
    bool text_off;                  /* --html -: the page replaces the text on stdout */
    struct cli_pcap_replay *replay; /* --replay, or NULL */
};

/* What on_conn kept for a verdict to come, when --html also waits for it. */
struct both {
    void *text, *html;
    struct both *next; /* pcap_run.given_both, when text is a given verdict */
};

struct pcap_args {
    const char **files;
    size_t num_files;
    const char *color, *ca_path, *keylog_path, *expect_host, *html;
    bool html_all, replay;
    uint32_t shard_k, shard_n;
    unsigned threads; /* --threads: 0 (default) or 1, or 2: td_engine_cb.threads */
};

/* 0 to go on, -1 after --help, else the exit status of a usage error (said). */
int pcap_parse_args(int argc, char **argv, struct pcap_run *r, struct pcap_args *a);

#endif
