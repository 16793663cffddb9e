/* Private to the preamble files of src/tls: the helpers over the cursor that
 * the recognisers share (preamble.c) and the functions of each table row.
 * The table itself is in preamble.c; the rows' functions are in
 *   preamble_starttls.c  SMTP/LMTP, FTP, IMAP, POP3, LDAP, XMPP
 *   preamble_db.c        PostgreSQL, MySQL
 *   preamble_proxy.c     HTTP CONNECT, HAProxy PROXY v1/v2, SOCKS4/4a, SOCKS5
 * Each row has a match (first bytes of one side -> is it this protocol?), a
 * frame (length of the next whole message: 0 need more, SIZE_MAX not this
 * protocol) and a msg (what a whole message means). */
#ifndef TD_TLS_PREAMBLE_INTERNAL_H
#define TD_TLS_PREAMBLE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "tls/preamble.h"
#include "tls/tls.h"

/* ---- helpers over the cursor (preamble.c) ---- */

static inline bool td_pre_byte_at(const struct td_cur *c, size_t i, uint8_t *out) { return td_cur_peek_u8(c, i, out); }

/* Does c start with s at `at` (ASCII, case-insensitive)? TD_PRE_MORE when c
 * is a proper prefix of s. */
enum td_pre_match td_pre_prefix_ci(const struct td_cur *c, size_t at, const char *s);
bool td_pre_has_prefix_ci(const struct td_cur *c, size_t at, const char *s);
/* Is s somewhere in the first `within` bytes of c? */
bool td_pre_contains_ci(const struct td_cur *c, const char *s, size_t within);
/* Length of the line at the start of c, '\n' included: 0 when incomplete,
 * SIZE_MAX on a NUL or a line over TD_PRE_MSG_MAX. */
size_t td_pre_line_len(const struct td_cur *c);
/* Length up to and including the NUL that ends a string at `at`, 0 if none yet. */
size_t td_pre_nul_end(const struct td_cur *c, size_t at);
/* A printable copy of the message (a line without its CR LF). */
void td_pre_printable(const struct td_cur *msg, char *out, size_t len);
/* A server answer to the upgrade request: accepted when ok, refused when not. */
void td_pre_answer(struct td_preamble *pr, bool ok, const char *desc);
/* The frame of the line-based protocols: one line. */
size_t td_pre_frame_line(const struct td_preamble *pr, enum td_role from, const struct td_cur *in);

/* ---- the rows' functions ---- */

#define TD_PRE_MATCH_FN(name)                                                                                          \
    enum td_pre_match td_pre_match_##name(enum td_role from, const struct td_cur *in, uint16_t port)
#define TD_PRE_FRAME_FN(name)                                                                                          \
    size_t td_pre_frame_##name(const struct td_preamble *pr, enum td_role from, const struct td_cur *in)
#define TD_PRE_MSG_FN(name)                                                                                            \
    void td_pre_msg_##name(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t len)

/* preamble_starttls.c */
TD_PRE_MATCH_FN(ftp);
TD_PRE_MSG_FN(ftp);
TD_PRE_MATCH_FN(smtp);
TD_PRE_MSG_FN(smtp);
TD_PRE_MATCH_FN(imap);
TD_PRE_MSG_FN(imap);
TD_PRE_MATCH_FN(pop3);
TD_PRE_MSG_FN(pop3);
TD_PRE_MATCH_FN(ldap);
TD_PRE_FRAME_FN(ldap);
TD_PRE_MSG_FN(ldap);
TD_PRE_MATCH_FN(xmpp);
TD_PRE_FRAME_FN(xml);
TD_PRE_MSG_FN(xmpp);

/* preamble_db.c */
TD_PRE_MATCH_FN(pg);
TD_PRE_FRAME_FN(pg);
TD_PRE_MSG_FN(pg);
TD_PRE_MATCH_FN(mysql);
TD_PRE_FRAME_FN(mysql);
TD_PRE_MSG_FN(mysql);

/* preamble_proxy.c */
TD_PRE_MATCH_FN(connect);
TD_PRE_MSG_FN(connect);
TD_PRE_MATCH_FN(proxy1);
TD_PRE_MSG_FN(proxy1);
TD_PRE_MATCH_FN(proxy2);
TD_PRE_FRAME_FN(proxy2);
TD_PRE_MSG_FN(proxy2);
TD_PRE_MATCH_FN(socks4);
TD_PRE_FRAME_FN(socks4);
TD_PRE_MSG_FN(socks4);
TD_PRE_MATCH_FN(socks5);
TD_PRE_FRAME_FN(socks5);
TD_PRE_MSG_FN(socks5);

#endif
