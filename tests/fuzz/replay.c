/* make test: every file of a regression corpus through a fuzz target, built
 * with the normal and the sanitizer flags (no clang needed). Prints one line
 * per corpus and exits non-zero if the target crashes (the sanitizers abort). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int main(int argc, char **argv)
{
    size_t n = 0;
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
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
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
