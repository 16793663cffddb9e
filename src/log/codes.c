/* The reason numbers of packed SSL error codes, for lines that carry the
 * number without its text (Envoy's "TLS error: 268435581", a cut line).
 * OpenSSL: include/openssl/sslerr.h; BoringSSL: include/openssl/ssl.h. Both
 * number received alerts 1000 + the alert description. Only the reasons
 * tlsdiag log has a recogniser for are listed. */
#include <stdio.h>

#include "log/internal.h"

#include "base/banned.h"

static const struct {
    uint16_t reason;
    const char *name;
} openssl_reasons[] =
    {
        {101, "no_suitable_key_share"},
        {134, "certificate_verify_failed"},
        {155, "https_proxy_request"},
        {156, "http_request"},
        {181, "no_ciphers_available"},
        {191, "no_protocols_available"},
        {193, "no_shared_cipher"},
        {198, "packet_length_too_long"},
        {199, "peer_did_not_return_a_certificate"},
        {252, "unknown_protocol"},
        {258, "unsupported_protocol"},
        {267, "wrong_version_number"},
        {294, "unexpected_eof_while_reading"},
        {338, "unsafe_legacy_renegotiation_disabled"},
        {394, "dh_key_too_small"},
        {396, "version_too_low"},
},
  boringssl_reasons[] = {
      {125, "certificate_verify_failed"},
      {155, "https_proxy_request"},
      {156, "http_request"},
      {175, "no_ciphers_available"},
      {184, "no_shared_cipher"},
      {192, "peer_did_not_return_a_certificate"},
      {233, "unknown_protocol"},
      {236, "unsafe_legacy_renegotiation_disabled"},
      {240, "unsupported_protocol"},
      {247, "wrong_version_number"},
      {253, "no_common_signature_algorithms"},
      {266, "no_shared_group"},
      {280, "no_supported_versions_enabled"},
};

const char *td_log_ssl_reason(uint32_t reason, bool boringssl)
{
    if (reason >= 1000 && reason < 1256) {
        /* "tlsv1 alert" is the prefix the alert reader knows for both stacks */
        static _Thread_local char buf[64];
        snprintf(buf, sizeof buf, "tlsv1 alert %s", td_log_alert_name((int)(reason - 1000)));
        return buf;
    }
    size_t n = boringssl ? sizeof boringssl_reasons / sizeof boringssl_reasons[0]
                         : sizeof openssl_reasons / sizeof openssl_reasons[0];
    for (size_t i = 0; i < n; i++) {
        uint16_t r = boringssl ? boringssl_reasons[i].reason : openssl_reasons[i].reason;
        if (r == reason) {
            return boringssl ? boringssl_reasons[i].name : openssl_reasons[i].name;
        }
    }
    return NULL;
}
