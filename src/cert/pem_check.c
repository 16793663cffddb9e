/* A PEM file cut short: OpenSSL's reader only says it found nothing, the
 * operator needs the line where the block stops. */
#include <stdio.h>
#include <string.h>

#include "base/cursor.h"
#include "cert/internal.h"

#include "base/mem.h"

#include "base/banned.h"

/* The next line (without its LF or CR LF); false at the end. */
static bool next_line(struct td_cur *c, struct td_cur *line)
{
    if (!td_cur_len(c)) {
        return false;
    }
    size_t n = 0;
    const uint8_t *p = td_cur_data(c);
    while (n < td_cur_len(c) && p[n] != '\n') {
        n++;
    }
    if (!td_cur_get_bytes(c, line, n)) {
        return false;
    }
    td_cur_skip(c, 1); /* the LF, when there is one */
    if (line->len && line->p[line->len - 1] == '\r') {
        line->len--;
    }
    return true;
}

/* "-----BEGIN X-----" / "-----END X-----": the label X into out. */
static bool armour(const struct td_cur *line, const char *kind, char *out, size_t len)
{
    size_t k = strlen(kind), n = td_cur_len(line);
    const char *s = (const char *)td_cur_data(line);
    if (n < k + 10 || !td_mem_eq(s, "-----", 5) || !td_mem_eq(s + 5, kind, k) || !td_mem_eq(s + n - 5, "-----", 5)) {
        return false;
    }
    snprintf(out, len, "%.*s", (int)(n - k - 10), s + 5 + k);
    return true;
}

bool td_pem_blocks_whole(const uint8_t *p, size_t len, const char *path, char *err, size_t err_len)
{
    struct td_cur c, line = {0};
    td_cur_init(&c, p, len);
    char open[80] = "", label[80];
    size_t lineno = 0, begun = 0;
    while (next_line(&c, &line)) {
        lineno++;
        if (armour(&line, "BEGIN ", label, sizeof label)) {
            if (begun) {
                snprintf(err, err_len, "%s: PEM block %s (line %zu) truncated at line %zu: a new BEGIN before its END",
                         path, open, begun, lineno - 1);
                return false;
            }
            td_strcopy(open, sizeof open, label);
            begun = lineno;
        } else if (begun && armour(&line, "END ", label, sizeof label)) {
            begun = 0;
        }
    }
    if (begun) {
        snprintf(err, err_len, "%s: PEM block %s (line %zu) truncated at line %zu: no -----END %s----- line", path,
                 open, begun, lineno, open);
        return false;
    }
    return true;
}
