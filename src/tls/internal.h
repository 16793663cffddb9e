#ifndef TD_TLS_INTERNAL_H
#define TD_TLS_INTERNAL_H

#include "tls/names.h"
#include "tls/tls.h"

/* HandshakeType values (TD_HS_CLIENT_HELLO, ...) come from tls/names.h (generated
 * from data/iana). TD_HS_HELLO_RETRY_REQUEST is what tlsdiag calls a ServerHello
 * with the HelloRetryRequest random. */

/* RFC 8446 5.1 ContentType */
enum {
    TD_CT_CHANGE_CIPHER_SPEC = 20,
    TD_CT_ALERT = 21,
    TD_CT_HANDSHAKE = 22,
    TD_CT_APPLICATION_DATA = 23,
    TD_CT_HEARTBEAT = 24,
};

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

#endif
