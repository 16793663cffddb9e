#include "cli/export_certs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/opts.h"
#include "report/report.h"

#include "base/banned.h"

static bool make_dirs(const char *dir)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s", dir);
    if (n <= 0 || (size_t)n >= sizeof path) {
        errno = ENAMETOOLONG;
        return false;
    }
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST) {
                return false;
            }
            *p = '/';
        }
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        return false;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return false;
    }
    return true;
}

bool cli_export_dir(const char *dir)
{
    /* root passes access(W_OK) on a read-only mount: a file is tried */
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.tlsdiag-write-test", dir);
    FILE *f = NULL;
    if (!make_dirs(dir) || !(f = fopen(probe, "w"))) {
        cli_warn("tlsdiag pcap: --export-certs %s: %s", dir, strerror(errno));
        return false;
    }
    fclose(f);
    unlink(probe);
    return true;
}

static bool write_file(const char *path, const struct td_buf *b)
{
    FILE *f = fopen(path, "w");
    bool ok = f && fwrite(b->data, 1, b->len, f) == b->len;
    if (f && fclose(f) != 0) {
        ok = false;
    }
    if (!ok) {
        cli_warn("tlsdiag pcap: --export-certs: %s: %s", path, strerror(errno));
    }
    return ok;
}

bool cli_export_chains(const char *dir, const struct td_tls_conn *c)
{
    bool ok = true;
    for (int side = TD_CLIENT; side <= TD_SERVER; side++) {
        struct td_buf b = {0};
        if (td_render_chain_pem(&b, c, (enum td_role)side)) {
            char name[128], path[4200];
            td_chain_file_name(c, (enum td_role)side, name, sizeof name);
            snprintf(path, sizeof path, "%s/%s", dir, name);
            ok &= write_file(path, &b);
        }
        td_buf_free(&b);
    }
    return ok;
}
