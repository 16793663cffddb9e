/* tlsdiag probe [options] HOST[:PORT]... */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/mem.h"
#include "cert/audit.h"
#include "cli/cli.h"
#include "probe/probe.h"
#include "report/report.h"

#include "base/banned.h"

static void help(FILE *f)
{
    fputs("usage: tlsdiag probe [options] HOST[:PORT]...\n"
          "\n"
          "Finds out, against a live server, which protocol versions, cipher suites (every one of the\n"
          "IANA registry, by elimination) and key-exchange groups it accepts, whether it needs SNI or\n"
          "chooses its certificate by it, what chain it sends and what is wrong with it, and whether it\n"
          "wants a client certificate; then which clients will fail and why.\n"
          "\n"
          "      --sni NAME         send NAME as SNI and check the certificate against it (default: HOST)\n"
          "      --no-sni           send no SNI\n"
          "      --ca PATH          truststore for the chain (PEM, directory, JKS, PKCS#12); default: the\n"
          "                         system store\n"
          "      --cert F --key F   a client certificate (PEM) to try\n"
          "      --timeout MS       per connection step (default 3000)\n"
          "  -f FILE                targets, one per line\n"
          "      --jobs N           probe up to N targets at once (default 8)\n"
          "      --json             one JSON object per target\n"
          "      --color WHEN       auto (default), always, never\n"
          "  -h, --help             this help\n"
          "\n"
          "Exit status: 0 nothing that makes clients fail, 1 error findings, 2 usage error.\n",
          f);
}

struct job {
    const char *target;
    size_t addr;
    pid_t pid;
    FILE *out;
    int status;
    bool done;
};

static int merge_rc(int rc, int c)
{
    if (c == TD_EXIT_USAGE || rc == TD_EXIT_USAGE) {
        return TD_EXIT_USAGE;
    }
    return c == TD_EXIT_FAILURES ? TD_EXIT_FAILURES : rc;
}

/* One target, its report written to out; the exit status it deserves. */
static int probe_one(const char *target, size_t addr, const struct td_probe_opts *o, bool json,
                     const struct td_render_opts *ro, FILE *out)
{
    struct td_probe_result r;
    char err[400];
    struct td_probe_opts oa = *o;
    oa.address_index = addr;
    if (!td_probe(target, &oa, &r, err, sizeof err)) {
        fprintf(stderr, "tlsdiag probe: %s\n", err);
        return TD_EXIT_USAGE;
    }
    struct td_buf b = {0};
    if (json) {
        td_render_probe_json(&b, &r);
    } else {
        td_render_probe_text(&b, &r, ro);
    }
    fwrite(b.data, 1, b.len, out);
    td_buf_free(&b);
    int c = td_probe_errors(&r) ? TD_EXIT_FAILURES : TD_EXIT_OK;
    td_probe_result_free(&r);
    return c;
}

int cmd_probe(int argc, char **argv)
{
    enum { OPT_SNI = 256, OPT_NOSNI, OPT_CA, OPT_CERT, OPT_KEY, OPT_TIMEOUT, OPT_JSON, OPT_COLOR, OPT_JOBS };
    static const struct option longopts[] = {
        {"sni", required_argument, NULL, OPT_SNI},       {"no-sni", no_argument, NULL, OPT_NOSNI},
        {"ca", required_argument, NULL, OPT_CA},         {"cert", required_argument, NULL, OPT_CERT},
        {"key", required_argument, NULL, OPT_KEY},       {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"json", no_argument, NULL, OPT_JSON},           {"color", required_argument, NULL, OPT_COLOR},
        {"colour", required_argument, NULL, OPT_COLOR},  {"help", no_argument, NULL, 'h'},
        {"jobs", required_argument, NULL, OPT_JOBS},
        {NULL, 0, NULL, 0},
    };
    struct td_probe_opts o;
    td_memzero(&o, sizeof o);
    o.timeout_ms = 3000;
    const char *ca_path = NULL, *list = NULL, *color = "auto";
    bool json = false;
    size_t jobs_max = 8;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            help(stdout);
            return TD_EXIT_OK;
        case 'f':
            list = optarg;
            break;
        case OPT_SNI:
            o.sni = optarg;
            break;
        case OPT_NOSNI:
            o.no_sni = true;
            break;
        case OPT_CA:
            ca_path = optarg;
            break;
        case OPT_CERT:
            o.cert_path = optarg;
            break;
        case OPT_KEY:
            o.key_path = optarg;
            break;
        case OPT_TIMEOUT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 10 || v > 600000) {
                fprintf(stderr, "tlsdiag probe: --timeout takes milliseconds (10 to 600000), not '%s'\n", optarg);
                return TD_EXIT_USAGE;
            }
            o.timeout_ms = (int)v;
            break;
        }
        case OPT_JSON:
            json = true;
            break;
        case OPT_JOBS: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 256) {
                fprintf(stderr, "tlsdiag probe: --jobs takes 1 to 256, not '%s'\n", optarg);
                return TD_EXIT_USAGE;
            }
            jobs_max = (size_t)v;
            break;
        }
        case OPT_COLOR:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                fputs("tlsdiag probe: --color takes auto, always or never\n", stderr);
                return TD_EXIT_USAGE;
            }
            color = optarg;
            break;
        default:
            fputs("Try 'tlsdiag probe --help'.\n", stderr);
            return TD_EXIT_USAGE;
        }
    }
    if ((o.cert_path != NULL) != (o.key_path != NULL)) {
        fputs("tlsdiag probe: --cert and --key go together\n", stderr);
        return TD_EXIT_USAGE;
    }
    char **targets = td_calloc((size_t)argc + 1, sizeof *targets);
    size_t n = 0, cap = (size_t)argc + 1;
    for (int i = optind; i < argc; i++) {
        targets[n++] = td_strndup(argv[i], strlen(argv[i]));
    }
    if (list) {
        FILE *f = strcmp(list, "-") == 0 ? stdin : fopen(list, "r");
        if (!f) {
            fprintf(stderr, "tlsdiag probe: -f %s: cannot read\n", list);
            for (size_t i = 0; i < n; i++) {
                free(targets[i]);
            }
            free(targets);
            return TD_EXIT_USAGE;
        }
        char line[512];
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\r\n#")] = '\0';
            char *s = line;
            while (*s == ' ' || *s == '\t') {
                s++;
            }
            if (!*s) {
                continue;
            }
            if (n + 1 >= cap) {
                cap *= 2;
                targets = td_realloc(targets, cap * sizeof *targets);
            }
            targets[n++] = td_strndup(s, strlen(s));
        }
        if (f != stdin) {
            fclose(f);
        }
    }
    int rc = TD_EXIT_OK;
    struct td_certset *ca = NULL;
    size_t ntargets = n;
    if (n == 0) {
        fputs("tlsdiag probe: no target given\nTry 'tlsdiag probe --help'.\n", stderr);
        rc = TD_EXIT_USAGE;
        goto out;
    }
    if (ca_path) {
        char err[600];
        ca = td_certset_new();
        if (!td_certset_add_path(ca, ca_path, err, sizeof err)) {
            fprintf(stderr, "tlsdiag probe: --ca %s\n", err);
            rc = TD_EXIT_USAGE;
            goto out;
        }
        o.ca = ca;
    }
    struct td_term term;
    td_term_detect(&term, color);
    struct td_render_opts ro = {.color = term.color, .utf8 = term.utf8};
    /* One job per address of each target (a name with A and AAAA records is
     * probed on each: they may be different servers). */
    size_t nj = 0;
    struct job *jobs = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t na = td_probe_num_addresses(targets[i]);
        for (size_t k = 0; k < (na ? na : 1); k++) {
            jobs = td_realloc(jobs, (nj + 1) * sizeof *jobs);
            td_memzero(&jobs[nj], sizeof jobs[nj]);
            jobs[nj].target = targets[i];
            jobs[nj].addr = k;
            nj++;
        }
    }
    n = nj;
    if (n == 1 || jobs_max == 1) {
        for (size_t i = 0; i < n; i++) {
            int c = probe_one(jobs[i].target, jobs[i].addr, &o, json, &ro, stdout);
            rc = merge_rc(rc, c);
        }
        free(jobs);
        goto out;
    }
    /* Several: up to jobs_max child processes at once, each writing its report
     * to a temporary file; reports are printed in the order given. */
    size_t next_start = 0, running = 0, next_print = 0;
    while (next_print < n) {
        while (running < jobs_max && next_start < n) {
            struct job *j = &jobs[next_start];
            j->out = tmpfile();
            fflush(stdout);
            fflush(stderr);
            j->pid = j->out ? fork() : -1;
            if (j->pid == 0) {
                int c = probe_one(j->target, j->addr, &o, json, &ro, j->out);
                fflush(j->out);
                _exit(c);
            }
            if (j->pid < 0) { /* no process: do it here */
                j->status = probe_one(j->target, j->addr, &o, json, &ro, j->out ? j->out : stdout);
                j->done = true;
            } else {
                running++;
            }
            next_start++;
        }
        if (running > 0) {
            int st;
            pid_t pid = waitpid(-1, &st, 0);
            for (size_t i = 0; pid > 0 && i < next_start; i++) {
                if (jobs[i].pid == pid && !jobs[i].done) {
                    jobs[i].done = true;
                    jobs[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : TD_EXIT_USAGE;
                    running--;
                }
            }
        }
        while (next_print < n && jobs[next_print].done) {
            struct job *j = &jobs[next_print++];
            if (j->out) {
                char buf[8192];
                size_t k;
                rewind(j->out);
                while ((k = fread(buf, 1, sizeof buf, j->out)) > 0) {
                    fwrite(buf, 1, k, stdout);
                }
                fclose(j->out);
            }
            fflush(stdout);
            rc = merge_rc(rc, j->status);
        }
        if (term.stderr_tty && !json) {
            fprintf(stderr, "probed %zu of %zu targets\r", next_print, n);
        }
    }
    if (term.stderr_tty && !json) {
        fputs("\033[K", stderr);
    }
    free(jobs);
out:
    td_certset_free(ca);
    for (size_t i = 0; i < ntargets; i++) {
        free(targets[i]);
    }
    free(targets);
    return rc;
}
