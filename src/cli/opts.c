#include "base/escape.h"
#include "cli/opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mem.h"

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

void cli_warn(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
    struct td_buf b = {0};
    td_text_escape(&b, msg, len);
    td_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, stderr);
    td_buf_free(&b);
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

/* mkstemp makes the file 0600: give it what a plain fopen would. */
static void fchmod_umask(const char *path)
{
    mode_t m = umask(0);
    umask(m);
    chmod(path, 0666 & ~m);
}

bool cli_out_open(const char *cmd, const char *opt, const char *path, struct cli_out *o)
{
    td_memzero(o, sizeof *o);
    o->path = path;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return true;
    }
    size_t n = strlen(path);
    o->tmp = td_malloc(n + 8);
    td_memcopy(o->tmp, path, n);
    td_memcopy(o->tmp + n, ".XXXXXX", 8);
    int fd = mkstemp(o->tmp);
    if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
        fprintf(stderr, "tlsdiag %s: %s %s: cannot write: %s\n", cmd, opt, path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        return false;
    }
    return true;
}

bool cli_out_commit(const char *cmd, const char *opt, struct cli_out *o, struct td_buf *b)
{
    bool ok = b->len == 0 || fwrite(b->data, 1, b->len, o->f) == b->len;
    td_buf_free(b);
    if (o->f == stdout) {
        return fflush(stdout) == 0 && ok;
    }
    ok = fclose(o->f) == 0 && ok;
    if (ok) {
        fchmod_umask(o->tmp);
        ok = rename(o->tmp, o->path) == 0;
    }
    if (!ok) {
        fprintf(stderr, "tlsdiag %s: %s %s: cannot write: %s\n", cmd, opt, o->path, strerror(errno));
        unlink(o->tmp);
    }
    free(o->tmp);
    return ok;
}

void cli_out_discard(struct cli_out *o)
{
    if (o->f == stdout) {
        return;
    }
    fclose(o->f);
    unlink(o->tmp);
    free(o->tmp);
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
