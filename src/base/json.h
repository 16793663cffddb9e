/* A small JSON writer into a td_buf. It tracks whether a comma is due, so that
 * renderers read as a list of fields. Strings are escaped per RFC 8259 and
 * stay valid UTF-8 whatever the capture held, reversibly: valid UTF-8 is kept
 * (control characters as \u00XX), a byte that is not valid UTF-8 becomes the
 * four characters \xNN of the decoded string, and a backslash that the bytes
 * had before "xNN" becomes \x5c: replacing every \xNN of the decoded string
 * by the byte NN gives back the bytes read (man/tlsdiag.1, JSON OUTPUT). */
#ifndef TD_BASE_JSON_H
#define TD_BASE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/mem.h"

#define TD_JSON_MAX_DEPTH 32

struct td_json {
    struct td_buf *out;
    int depth;
    bool need_comma[TD_JSON_MAX_DEPTH];
};

void td_json_init(struct td_json *j, struct td_buf *out);
void td_json_obj_begin(struct td_json *j, const char *key); /* key NULL inside arrays / top level */
void td_json_obj_end(struct td_json *j);
void td_json_arr_begin(struct td_json *j, const char *key);
void td_json_arr_end(struct td_json *j);
void td_json_str(struct td_json *j, const char *key, const char *s);
void td_json_strn(struct td_json *j, const char *key, const char *s, size_t n);
/* A string known to need no escaping: names from tlsdiag's own tables. */
void td_json_name(struct td_json *j, const char *key, const char *s);
void td_json_u64(struct td_json *j, const char *key, uint64_t v);
void td_json_i64(struct td_json *j, const char *key, int64_t v);
void td_json_bool(struct td_json *j, const char *key, bool v);
void td_json_null(struct td_json *j, const char *key);
/* A pre-formatted number (e.g. a timestamp with nanoseconds). */
void td_json_raw(struct td_json *j, const char *key, const char *raw);
void td_json_escape(struct td_buf *out, const char *s, size_t n);

#endif
