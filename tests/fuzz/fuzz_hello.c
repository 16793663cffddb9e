/* The handshake message parsers on their own: ClientHello (and its SSLv2
 * form), ServerHello, Certificate (1.2 and 1.3), ServerKeyExchange,
 * CertificateRequest. */
#include <stdlib.h>

#include "fuzz.h"
#include "tls/names.h"
#include "tls/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *err;
    size_t off;
    struct td_cur c;
    td_cur_init(&c, data, size);
    td_client_hello_free(td_parse_client_hello(&c, &err, &off));
    td_cur_init(&c, data, size);
    td_client_hello_free(td_parse_sslv2_client_hello(&c, &err, &off));
    td_cur_init(&c, data, size);
    td_server_hello_free(td_parse_server_hello(&c, &err, &off));
    for (int tls13 = 0; tls13 < 2; tls13++) {
        td_cur_init(&c, data, size);
        td_certificate_free(td_parse_certificate(&c, tls13, 16, &err, &off));
    }
    td_cur_init(&c, data, size);
    struct td_server_key_exchange *ske = td_parse_server_key_exchange(&c, 0xc02f, TD_VERSION_TLS1_2, &err, &off);
    free(ske);
    for (int v = 0; v < 2; v++) {
        td_cur_init(&c, data, size);
        uint16_t version = v ? TD_VERSION_TLS1_3 : TD_VERSION_TLS1_2;
        td_certificate_request_free(td_parse_certificate_request(&c, version, &err, &off));
    }
    return 0;
}
