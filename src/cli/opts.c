#include "cli/opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tlsdiag %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'tlsdiag %s --help'.\n", cmd);
    return 2;
}

int cli_try_help(const char *cmd)
{
    fprintf(stderr, "Try 'tlsdiag %s --help'.\n", cmd);
    return 2;
}

bool cli_parse_color(const char *cmd, const char *arg, const char **out)
{
    if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never")) {
        fprintf(stderr, "tlsdiag %s: --color takes auto, always or never\n", cmd);
        return false;
    }
    *out = arg;
    return true;
}

bool cli_parse_long(const char *cmd, const char *opt, const char *arg, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || errno || v < lo || v > hi) {
        fprintf(stderr, "tlsdiag %s: %s takes a whole number from %ld to %ld, not '%s'\n", cmd, opt, lo, hi, arg);
        return false;
    }
    *out = v;
    return true;
}

bool cli_write_buf(struct td_buf *b)
{
    bool ok = true;
    if (b->len) {
        ok = fwrite(b->data, 1, b->len, stdout) == b->len;
    }
    td_buf_free(b);
    return ok;
}

bool cli_parse_shard(const char *cmd, const char *arg, uint32_t *k, uint32_t *n)
{
    char *end;
    errno = 0;
    unsigned long kk = strtoul(arg, &end, 10);
    unsigned long nn = 0;
    bool ok = end != arg && *end == '/' && arg[0] != '-';
    if (ok) {
        const char *ns = end + 1;
        nn = strtoul(ns, &end, 10);
        ok = end != ns && !*end && ns[0] != '-' && !errno && nn >= 1 && nn <= 4096 && kk >= 1 && kk <= nn;
    }
    if (!ok) {
        fprintf(stderr, "tlsdiag %s: --shard takes K/N with 1 <= K <= N <= 4096 (e.g. 1/4), not '%s'\n", cmd, arg);
        return false;
    }
    *k = (uint32_t)(kk - 1);
    *n = (uint32_t)nn;
    return true;
}
