#ifndef TD_TLS_INTERNAL_H
#define TD_TLS_INTERNAL_H

#include "tls/names.h"
#include "tls/tls.h"

/* RFC 8446 4 HandshakeType values tlsdiag acts on. */
enum {
    TD_HS_HELLO_REQUEST = 0,
    TD_HS_CLIENT_HELLO = 1,
    TD_HS_SERVER_HELLO = 2,
    TD_HS_NEW_SESSION_TICKET = 4,
    TD_HS_HELLO_RETRY_REQUEST = 6, /* not on the wire: a ServerHello with the HRR random */
    TD_HS_ENCRYPTED_EXTENSIONS = 8,
    TD_HS_CERTIFICATE = 11,
    TD_HS_SERVER_KEY_EXCHANGE = 12,
    TD_HS_CERTIFICATE_REQUEST = 13,
    TD_HS_SERVER_HELLO_DONE = 14,
    TD_HS_CERTIFICATE_VERIFY = 15,
    TD_HS_CLIENT_KEY_EXCHANGE = 16,
    TD_HS_FINISHED = 20,
    TD_HS_CERTIFICATE_STATUS = 22,
};

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

#endif
