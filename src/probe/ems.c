/* tlsdiag probe: does the server require extended_master_secret (RFC 7627)?
 * The secure renegotiation check's hello (checks.c) carries it; one more,
 * the same but without it, tells: accepted, the server does not require it;
 * refused, it does, as FIPS-mode servers (RHEL 9, OpenSSL's FIPS provider
 * with ems_check, Java jdk.tls.allowLegacyMasterSecret=false) do. */
#include "probe/internal.h"
#include "tls/tls.h"

#include "base/banned.h"

enum { V_TLS10 = 1, V_TLS12 = 3 }; /* r->v[] indexes (scan.c's td_probe_versions) */

void td_probe_check_ems(struct td_probe_ctx *p, int best)
{
    struct td_probe_result *r = p->r;
    if (r->chk.secure_reneg == TD_TRI_UNKNOWN) {
        return; /* the hello with the extension was not accepted: nothing to compare with */
    }
    for (int vi = best > V_TLS12 ? V_TLS12 : best; vi >= V_TLS10; vi--) {
        const struct td_probe_version *v = &r->v[vi];
        if (!v->accepted || !v->num_suites) {
            continue;
        }
        struct td_probe_exch x;
        td_probe_raw_hello(p, v->version, v->suites, v->num_suites, true, &x);
        bool refused = !x.sh && (x.alert || x.closed || x.reset);
        r->chk.ems_required = x.sh ? TD_TRI_NO : refused ? TD_TRI_YES : TD_TRI_UNKNOWN;
        r->chk.ems_alert = x.alert ? x.alert_desc : 0;
        return;
    }
}
