/* tlsdiag: the command table (after git.c). Each subcommand parses its own
 * options, calls one library entry point and renders. */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#include "base/banned.h"

#ifndef TD_VERSION
#define TD_VERSION "0.1.0"
#endif

struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static const struct cmd commands[] = {
    {"pcap", cmd_pcap, "reconstruct and check every TLS handshake in a capture"},
    {"cert", cmd_cert, "check certificates, chains, keystores and truststores (no network)"},
    {"probe", cmd_probe, "find out against a live server what it accepts and why clients fail"},
    {"log", cmd_log, "name the TLS failure in error messages and logs (curl, Java, nginx, Go, ...)"},
    {"lab", cmd_lab, "reproduce each failure in-process, as captures, and check the diagnosis"},
    {"config", cmd_config, "lint gateway and client TLS configuration files (Apigee, Java, nginx, HAProxy, Envoy)"},
    {"watch", cmd_watch, "capture live and show each failed handshake as it happens, with a rolling summary"},
};

void td_term_detect(struct td_term *t, const char *color_opt)
{
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    bool tty = isatty(STDOUT_FILENO);
    t->stderr_tty = isatty(STDERR_FILENO);
    if (color_opt && strcmp(color_opt, "always") == 0) {
        t->color = true;
    } else if (color_opt && strcmp(color_opt, "never") == 0) {
        t->color = false;
    } else {
        t->color = tty && !(term && strcmp(term, "dumb") == 0);
    }
    if (nc && nc[0]) { /* https://no-color.org: NO_COLOR wins */
        t->color = false;
    }
    const char *cs = nl_langinfo(CODESET);
    t->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: tlsdiag <command> [options] [args]\n\n"
               "Tells why a TLS handshake failed, and how to fix it.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
    }
    fprintf(f, "\n'tlsdiag <command> --help' shows a command's options; man tlsdiag has the details.\n");
}

int main(int argc, char **argv)
{
    setlocale(LC_CTYPE, "");
    if (argc < 2) {
        usage(stderr);
        return TD_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return TD_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("tlsdiag %s\n", TD_VERSION);
        return TD_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return commands[i].fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "tlsdiag: '%s' is not a tlsdiag command\n", name);
    usage(stderr);
    return TD_EXIT_USAGE;
}
