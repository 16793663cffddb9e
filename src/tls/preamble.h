/* Plain-text (or plain binary) preambles before TLS on the same connection:
 * STARTTLS-style upgrades (SMTP, LMTP, IMAP, POP3, FTP, LDAP, XMPP,
 * PostgreSQL, MySQL) and proxy set-ups (HTTP CONNECT, SOCKS4/5, the HAProxy
 * PROXY protocol v1/v2).
 *
 * One table row per protocol (preamble.c): how to recognise it from the first
 * bytes of either side, how to cut the next whole message of a side, and what
 * a message means (a request for TLS, its acceptance or refusal). The TLS
 * layer (conn.c) owns the buffering; at each message boundary it checks
 * whether TLS starts there. Everything here reads through struct td_cur. */
#ifndef TD_TLS_PREAMBLE_H
#define TD_TLS_PREAMBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "tls/tls.h"

struct td_pre_proto;

/* The longest single preamble message, and all preamble bytes of a side,
 * kept before giving up (then the side is shown as not TLS). */
#define TD_PRE_MSG_MAX 4096
#define TD_PRE_TOTAL_MAX 65536

enum td_pre_match { TD_PRE_NO, TD_PRE_MORE, TD_PRE_YES };

/* Recognise a protocol from the first bytes `in` of side `from` (the port
 * helps tell SMTP from FTP, whose greetings look alike). */
enum td_pre_match td_pre_match(enum td_role from, const struct td_cur *in, uint16_t server_port,
                               const struct td_pre_proto **out);
/* Length of the next whole message of `from` at the start of `in`: 0 when
 * more bytes are needed, SIZE_MAX when the bytes are not this protocol. */
size_t td_pre_frame(const struct td_preamble *pr, enum td_role from, const struct td_cur *in);
/* Interpret one whole message; writes a printable description to out. */
void td_pre_message(struct td_preamble *pr, enum td_role from, const struct td_cur *msg, char *out, size_t out_len);
/* Start with the protocol found by td_pre_match. */
void td_pre_start(struct td_preamble *pr, const struct td_pre_proto *proto);

#endif
