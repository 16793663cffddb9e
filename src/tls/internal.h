#ifndef TD_TLS_INTERNAL_H
#define TD_TLS_INTERNAL_H

#include "tls/names.h"
#include "tls/tls.h"

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
