/* What every subcommand's option parsing shares: the same words for the same
 * mistakes, and the one way to write a rendered buffer. */
#ifndef TD_CLI_OPTS_H
#define TD_CLI_OPTS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include "base/mem.h"

/* "tlsdiag CMD: MESSAGE" then "Try 'tlsdiag CMD --help'." on stderr; returns
 * the usage exit status (2). */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After getopt's own message: "Try 'tlsdiag CMD --help'."; returns 2. */
int cli_try_help(const char *cmd);
/* --color WHEN: auto, always or never. false (after saying so) otherwise. */
bool cli_parse_color(const char *cmd, const char *arg, const char **out);
/* A whole number in [lo, hi] for option opt. false (after saying so) otherwise. */
bool cli_parse_long(const char *cmd, const char *opt, const char *arg, long lo, long hi, long *out);
/* --shard K/N with 1 <= K <= N <= 4096: *k = K - 1 (0-based), *n = N. false (after saying so) otherwise. */
bool cli_parse_shard(const char *cmd, const char *arg, uint32_t *k, uint32_t *n);
/* One line on stderr, formatted, then escaped as wire strings are in text
 * (base/escape.h): file names, errors that quote a file or a peer never
 * reach the terminal raw. fmt has no trailing newline. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write b to standard output and free it; false when the write failed. */
bool cli_write_buf(struct td_buf *b);

/* An output file written whole or not at all (tlsdiag pcap --html FILE):
 * a temporary file next to PATH, renamed into place by cli_out_commit; "-"
 * is standard output. Both say on stderr why they failed ("tlsdiag CMD: OPT
 * PATH: cannot write: ..."). */
struct cli_out {
    const char *path;
    char *tmp;
    FILE *f;
};
bool cli_out_open(const char *cmd, const char *opt, const char *path, struct cli_out *o);
/* Writes b (freed) and renames the file into place. */
bool cli_out_commit(const char *cmd, const char *opt, struct cli_out *o, struct td_buf *b);
/* Leaves PATH as it was (after an error): the temporary file removed. */
void cli_out_discard(struct cli_out *o);

#endif
