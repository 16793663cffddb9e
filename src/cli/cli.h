#ifndef TD_CLI_H
#define TD_CLI_H

#include <stdbool.h>
#include <stdio.h>

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

#endif
