/* Strings from the wire (a capture, a socket, a certificate, a log, a
 * config) never reach a terminal or a JSON reader raw: anyone who can send a
 * ClientHello could otherwise clear the operator's screen, retitle the
 * window or hide lines. One escaping for text, one for JSON (base/json.c
 * uses td_utf8_seq), both as tshark writes bytes: \xNN. */
#ifndef TD_BASE_ESCAPE_H
#define TD_BASE_ESCAPE_H

#include <stddef.h>

#include "base/mem.h"

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not valid
 * (overlong forms, surrogates and code points past U+10FFFF are not). */
size_t td_utf8_seq(const unsigned char *s, size_t n);

/* Appends s for a terminal: printable ASCII and valid UTF-8 as they are;
 * control characters (newline and tab included: a wire string never starts
 * a line of its own), DEL, C1 controls, bidirectional overrides and every
 * byte that is not valid UTF-8 as \xNN per byte. A backslash stays as it is:
 * the text is for eyes (the TLS layer's own \xNN of plain-text lines reads
 * the same); JSON is the reversible form (base/json.h). */
void td_text_escape(struct td_buf *out, const char *s, size_t n);

/* Escaped copies of wire strings for printf arguments, valid until
 * td_esc_free: td_buf_printf(out, "SNI %s", td_esc(&e, sni)). */
struct td_esc {
    char **s;
    size_t n;
};
const char *td_esc(struct td_esc *e, const char *s); /* NULL gives "" */
void td_esc_free(struct td_esc *e);

#endif
