/* tlsdiag config's entry point: read every file (one bad file does not stop
 * the others: it becomes a config_file_error finding), lint each, then the
 * stores given on the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "config/internal.h"

#include "base/banned.h"

void td_config_lint(const char *const *paths, size_t n, const struct td_conf_opts *o, struct td_conf_report *r)
{
    td_memzero(r, sizeof *r);
    r->files = td_calloc(n ? n : 1, sizeof *r->files);
    for (size_t i = 0; i < n; i++) {
        struct td_conf_file *f = &r->files[r->num_files++];
        if (!td_conf_file_read(paths[i], f)) {
            struct td_conf_finding *fd = td_conf_add_finding(r, TD_CAUSE_CONFIG_FILE_ERROR, TD_SEV_ERROR, f, NULL);
            unsigned line = 0;
            if (sscanf(f->err, "%u:", &line) == 1) {
                fd->line = line;
            }
            td_strcopy(fd->message, sizeof fd->message, f->err);
            snprintf(fd->change, sizeof fd->change, "%s",
                     f->kind == TD_CONF_UNKNOWN ? "give an Apigee TargetEndpoint/TargetServer/VirtualHost (XML or "
                                                  "JSON), a .properties, an nginx, HAProxy or Envoy file"
                                                : "correct the file at the place named");
            r->input_errors++;
            continue; /* what was read before a syntax error is not linted: it may be half a block */
        }
        td_conf_lint_file(r, i);
    }
    td_conf_lint_stores(r, o);
}

void td_conf_report_free(struct td_conf_report *r)
{
    for (size_t i = 0; i < r->num_files; i++) {
        td_conf_file_free(&r->files[i]);
    }
    free(r->files);
    free(r->findings);
    td_memzero(r, sizeof *r);
}

size_t td_conf_report_count(const struct td_conf_report *r, enum td_sev sev)
{
    size_t n = 0;
    for (size_t i = 0; i < r->num_findings; i++) {
        n += r->findings[i].sev == sev;
    }
    return n;
}
