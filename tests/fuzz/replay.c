/* make test: every file of a regression corpus through a fuzz target, built
 * with the normal and the sanitizer flags (no clang needed). Prints one line
 * per corpus and exits non-zero if the target crashes (the sanitizers abort);
 * a crash or sanitizer report names the input it was replaying on stderr.
 * t1400-hostile replays thousands of cut captures this way, in one process. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char current[4096];

static void say_current(void)
{
    static const char what[] = "replay: crashed on input ";
    if (write(2, what, sizeof what - 1) < 0 || write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0) {
        return;
    }
}

static void on_signal(int sig)
{
    say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The sanitizers' runtime calls this before it exits (weak: absent without -fsanitize). */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

int main(int argc, char **argv)
{
    size_t n = 0;
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        signal(sigs[i], on_signal);
    }
    if (__sanitizer_set_death_callback) {
        __sanitizer_set_death_callback(say_current);
    }
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            fprintf(stderr, "%s: cannot open\n", argv[i]);
            return 2;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') {
                continue;
            }
            char *p = current;
            snprintf(p, sizeof current, "%s/%s", argv[i], e->d_name);
            FILE *f = fopen(p, "rb");
            if (!f) {
                continue;
            }
            static uint8_t buf[8 << 20];
            size_t len = fread(buf, 1, sizeof buf, f);
            fclose(f);
            uint8_t *copy = malloc(len ? len : 1); /* exact size: overreads are caught */
            memcpy(copy, buf, len);
            LLVMFuzzerTestOneInput(copy, len);
            free(copy);
            n++;
        }
        closedir(d);
    }
    printf("replayed %zu inputs\n", n);
    return 0;
}
