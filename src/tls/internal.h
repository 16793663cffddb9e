#ifndef TD_TLS_INTERNAL_H
#define TD_TLS_INTERNAL_H

#include "tls/names.h"
#include "tls/tls.h"

/* HandshakeType values (TD_HS_CLIENT_HELLO, ...) come from tls/names.h (generated
 * from data/iana). TD_HS_HELLO_RETRY_REQUEST is what tlsdiag calls a ServerHello
 * with the HelloRetryRequest random. */

/* ContentType values (TD_CT_HANDSHAKE, ...) come from tls/names.h too. */

/* A record's version bytes: SSL 3.0 to TLS 1.3 (0x0300..0x0304), the range
 * record headers use (RFC 8446 5.1: legacy_record_version). */
static inline bool td_record_version_ok(uint8_t major, uint8_t minor)
{
    uint16_t v = (uint16_t)(major << 8 | minor);
    return v >= TD_VERSION_SSL3 && v <= TD_VERSION_TLS1_3;
}

/* SSL 2.0 (draft-hickman-netscape-ssl-00, no IANA registry): message types
 * and ERROR codes. */
enum {
    TD_SSL2_MT_ERROR = 0,
    TD_SSL2_MT_CLIENT_HELLO = 1,
    TD_SSL2_MT_CLIENT_MASTER_KEY = 2,
    TD_SSL2_MT_SERVER_HELLO = 4,
};
enum {
    TD_SSL2_PE_NO_CIPHER = 1,
    TD_SSL2_PE_NO_CERTIFICATE = 2,
    TD_SSL2_PE_BAD_CERTIFICATE = 4,
    TD_SSL2_PE_UNSUPPORTED_CERTIFICATE_TYPE = 6,
};
/* SSL 2.0 certificate type (draft-hickman-netscape-ssl-00 C) */
enum { TD_SSL2_CT_X509_CERTIFICATE = 1 };

/* RFC 8446 5.1/5.2: plaintext records up to 2^14, ciphertext up to 2^14+256;
 * TLS 1.2 allows 2^14+2048. */
#define TD_RECORD_MAX (16384 + 2048)

/* Shared by hello.c and extensions.c: where a parse failure is reported. */
struct td_pctx {
    const char **err;
    size_t *err_off;
    struct td_cur *at; /* the cursor whose offset is reported on failure */
};

#define TD_PFAIL(p, msg)                                                                                               \
    do {                                                                                                               \
        *(p)->err = (msg);                                                                                             \
        *(p)->err_off = td_cur_offset((p)->at);                                                                        \
        return false;                                                                                                  \
    } while (0)

/* Exactly one of ch, sh: the message whose extensions are read. */
struct td_hello_out {
    struct td_client_hello *ch;
    struct td_server_hello *sh;
};

/* An extensions block (optional: RFC 5246 7.4.1.2), each extension recorded in
 * out and read by its row of the table in extensions.c. */
bool td_hello_exts(struct td_pctx *p, struct td_cur *c, struct td_exts *out, const struct td_hello_out *h);
/* An opaque vector behind a 1- or 2-byte length, copied into out. */
bool td_hello_blob(struct td_pctx *p, struct td_cur *c, int prefix_bytes, struct td_blob *out, const char *what);
void td_strs_free(struct td_strs *s);

/* --- one connection, split by what each file holds (conn.c is the hub) ---
 *
 * conn.c           the connection object, the message list, detection and
 *                  feed_dir (each side's bytes to its mode's reader)
 * record.c         TLS record framing and header checks, plaintext alerts
 * defrag.c         handshake messages reassembled across records, parsed
 * decrypt.c        keys from the key log, records opened with them
 * infer.c          what encrypted records still give away (size, position)
 * ssl2.c           SSL 2.0 records
 * plaintext.c      a side that does not speak TLS (HTTP on a TLS port)
 * preamble_feed.c  a plain-text preamble before TLS (preamble.c: protocols)
 * gap.c            bytes missing from the capture */

/* conn.c */
/* A new message at the end of c's list; NULL once max_messages is reached
 * (counted in dropped_msgs). */
struct td_msg *td_conn_add_msg(struct td_tls_conn *c, enum td_msg_kind kind, enum td_role from, const struct td_at *at);
void td_conn_set_text(struct td_msg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The first reason given is the one kept. */
void td_conn_fail(struct td_tls_conn *c, const char *why);
/* A malformed record or message: that direction is no longer read. */
void td_conn_malformed(struct td_tls_conn *c, enum td_role from, const struct td_at *at, uint64_t offset,
                       const char *what, const char *why);
void td_conn_check_complete(struct td_tls_conn *c);
void td_conn_check_settled(struct td_tls_conn *c);
/* What the first bytes of a side are: TLS, SSL 2.0, other, or not known yet. */
enum td_dir_mode td_conn_detect(const uint8_t *p, size_t n, bool *need_more);
/* Bytes of one side, from wherever its mode stands (detection included). */
void td_conn_feed_dir(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at);

/* record.c */
void td_conn_feed_tls(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at);
/* The record whose last byte just arrived. */
void td_conn_end_record(struct td_tls_conn *c, enum td_role from, const struct td_at *at);
/* The alert in d->alert. */
void td_conn_on_alert(struct td_tls_conn *c, enum td_role from, const struct td_at *at);
/* An application data record, folded into the side's last one. */
void td_conn_appdata(struct td_tls_conn *c, enum td_role from, const struct td_at *at);

/* defrag.c */
/* Parse every complete handshake message buffered in this direction. */
void td_conn_drain_handshake(struct td_tls_conn *c, enum td_role from, const struct td_at *at);
void td_conn_on_client_hello(struct td_tls_conn *c, struct td_msg *m, struct td_client_hello *ch);

/* decrypt.c */
void td_conn_setup_keys(struct td_tls_conn *c);
void td_conn_keys_after_ccs(struct td_tls_conn *c, enum td_role from);
bool td_conn_decrypted_record(struct td_tls_conn *c, enum td_role from, const struct td_at *at);

/* infer.c */
void td_conn_encrypted_msg(struct td_tls_conn *c, enum td_role from, enum td_msg_kind kind, uint8_t hs_type,
                           bool inferred, const struct td_at *at);
void td_conn_after_handshake_alert(struct td_tls_conn *c, enum td_role from);
void td_conn_end_appdata_record(struct td_tls_conn *c, enum td_role from, const struct td_at *at);

/* ssl2.c */
void td_conn_feed_ssl2(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at);

/* plaintext.c */
void td_conn_feed_other(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at);
void td_conn_http_line(struct td_tls_conn *c, enum td_role from, const struct td_buf *t, const struct td_at *at);

/* preamble_feed.c */
void td_conn_feed_preamble(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n,
                           const struct td_at *at);
/* Could these first bytes still begin a TLS record or an SSLv2 hello? */
bool td_conn_maybe_tls_start(const uint8_t *p, size_t n);
void td_conn_pre_flush(struct td_tls_conn *c, enum td_role from, const struct td_at *at);
void td_conn_pre_give_up(struct td_tls_conn *c, enum td_role from, const struct td_at *at);

#endif
