#include <inttypes.h>
#include <stdio.h>

#include "report/internal.h"

#include "base/banned.h"

const char *td_outcome_name(enum td_outcome o)
{
    switch (o) {
    case TD_OUTCOME_OK:
        return "ok";
    case TD_OUTCOME_FAILED:
        return "failed";
    case TD_OUTCOME_INCOMPLETE:
        return "incomplete";
    }
    return "?";
}

void td_time_str(const struct td_time *t, char *out, size_t len)
{
    snprintf(out, len, "%" PRId64 ".%09u", t->sec, t->nsec);
}

const char *td_cert_type_name(uint8_t t)
{
    /* RFC 5246 7.4.4 / RFC 8422 5.5 ClientCertificateType */
    switch (t) {
    case 1:
        return "rsa_sign";
    case 2:
        return "dss_sign";
    case 3:
        return "rsa_fixed_dh";
    case 4:
        return "dss_fixed_dh";
    case 64:
        return "ecdsa_sign";
    case 65:
        return "rsa_fixed_ecdh";
    case 66:
        return "ecdsa_fixed_ecdh";
    default:
        return NULL;
    }
}

const char *td_alert_level_name(uint8_t l)
{
    return l == 1 ? "warning" : l == 2 ? "fatal" : NULL;
}
