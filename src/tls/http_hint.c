/* What an HTTP error page says about TLS: the words gateways and servers put
 * in the body of the answer they give when a handshake failed. */
#include "tls/tls.h"

#include "base/mem.h"

#include "base/banned.h"

static const char *const phrases[] = {
    /* nginx, ssl_verify_client on: its 400 pages */
    "No required SSL certificate was sent",
    "The SSL certificate error",
    /* Apigee Edge fault bodies (messaging.adaptors.http.flow.SslHandshakeFailed) */
    "SslHandshakeFailed",
    "SSL Handshake failed",
    /* Envoy's local replies */
    "upstream connect error or disconnect/reset before headers",
    "CERTIFICATE_VERIFY_FAILED",
    /* Apache mod_proxy's 500/502 page */
    "Error during SSL Handshake with remote server",
};

const char *td_http_tls_hint(const uint8_t *p, size_t n)
{
    for (size_t k = 0; k < sizeof phrases / sizeof phrases[0]; k++) {
        size_t m = 0;
        while (phrases[k][m]) {
            m++;
        }
        for (size_t i = 0; i + m <= n; i++) {
            if (td_mem_eq(p + i, phrases[k], m)) {
                return phrases[k];
            }
        }
    }
    return NULL;
}

bool td_http_cert_page(const char *phrase)
{
    /* the first two phrases: nginx's client-certificate pages */
    return phrase == phrases[0] || phrase == phrases[1];
}
