/* tlsdiag cert's inputs, told apart by content: PEM, DER, PKCS#7, PKCS#12,
 * JKS/JCEKS, certInfo JSON; then the audit of what was read. */
#include <string.h>

#include "cert/audit.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = td_fuzz_path(data, size);
    if (!path) {
        return 0;
    }
    struct td_certset *s = td_certset_new();
    td_certset_add_password(s, "changeit");
    char err[600];
    if (td_certset_add_path(s, path, err, sizeof err)) {
        struct td_audit_opts o;
        memset(&o, 0, sizeof o);
        o.host = "www.example.test";
        o.at = 1767225600;
        o.warn_days = 30;
        struct td_cert_report r;
        td_cert_audit(s, &o, &r);
        td_cert_report_free(&r);
    }
    td_certset_free(s);
    return 0;
}
