#ifndef TD_CLI_H
#define TD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "base/mem.h"
#include "diag/diag.h"
#include "probe/replay.h"

/* Exit codes (man/tlsdiag.1 EXIT STATUS). */
enum { TD_EXIT_OK = 0, TD_EXIT_FAILURES = 1, TD_EXIT_USAGE = 2 };

struct td_term {
    bool color;
    bool utf8;
    bool stderr_tty;
};

void td_term_detect(struct td_term *t, const char *color_opt);

int cmd_pcap(int argc, char **argv);
void cli_pcap_help(FILE *f);
int cmd_cert(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_config(int argc, char **argv);
/* tlsdiag probe --client (cmd_probe_client.c): cmd_probe hands over when it sees --client. */
int cmd_probe_client(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_log(int argc, char **argv);
/* tlsdiag probe --replay CAPTURE ... (cmd_replay.c) */
int cmd_probe_replay(int argc, char **argv);

/* tlsdiag pcap --replay (cmd_replay.c): hints learned from the connections
 * that completed; each failed connection's hello taken in on_conn; its
 * verdict, when not high, replayed and rewritten (proven) or annotated. */
#define CLI_REPLAY_MAX_SERVERS 64
struct cli_pcap_replay {
    struct td_replay_opts o;
    struct td_replay_hints hints[CLI_REPLAY_MAX_SERVERS];
    size_t num_hints;
    unsigned replayed, proven, connections;
    double seconds;
};
struct cli_pcap_replay *cli_pcap_replay_new(int timeout_ms);
void cli_pcap_replay_free(struct cli_pcap_replay *pr);
void cli_pcap_replay_learn(struct cli_pcap_replay *pr, const struct td_tls_conn *c);
struct td_replay_input *cli_pcap_replay_take(const struct td_tls_conn *c);
/* true when a replay ran and *out (v's copy) says what it found. */
bool cli_pcap_replay_verdict(struct cli_pcap_replay *pr, const struct td_replay_input *in, const struct td_verdict *v,
                             struct td_verdict *out);
void cli_pcap_replay_summary(const struct cli_pcap_replay *pr, struct td_buf *b);

#endif
