/* ems_required: a peer that requires extended_master_secret (RFC 7627 5.2:
 * "MAY ... abort the handshake" without it; FIPS 140-3 makes it a must for
 * TLS 1.2: RHEL 9 FIPS mode, OpenSSL's FIPS provider with ems_check, Java with
 * jdk.tls.allowLegacyMasterSecret=false) and a ClientHello without it
 * (GnuTLS %NO_SESSION_HASH, OpenSSL Options = -ExtendedMasterSecret, old
 * embedded stacks). The alert (handshake_failure) does not name the
 * extension: what proves it is the same server accepting an otherwise equal
 * hello that carried it. */
#include <stdio.h>
#include <string.h>

#include "diag/rules_internal.h"

#include "base/banned.h"

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 16777619u;
    }
    return h;
}

static uint32_t fnv_u16s(uint32_t h, const struct td_u16s *s)
{
    for (size_t i = 0; i < s->n; i++) {
        uint8_t two[2] = {(uint8_t)(s->v[i] >> 8), (uint8_t)s->v[i]};
        h = fnv(h, two, 2);
    }
    return fnv(h, "|", 1);
}

uint32_t td_hello_shape(const struct td_facts *f)
{
    uint8_t vers[4] = {(uint8_t)(f->ch_min >> 8), (uint8_t)f->ch_min, (uint8_t)(f->ch_max >> 8), (uint8_t)f->ch_max};
    uint32_t h = fnv(2166136261u, vers, sizeof vers);
    h = fnv_u16s(h, &f->ch_suites);
    h = fnv_u16s(h, &f->ch_groups);
    h = fnv_u16s(h, &f->ch_sigalgs);
    return fnv(h, f->ch_alpn, strlen(f->ch_alpn));
}

static bool shape_accepted(const struct td_server_view *sv, uint32_t shape)
{
    for (size_t i = 0; i < sv->num_ems_shapes; i++) {
        if (sv->ems_shapes[i] == shape) {
            return true;
        }
    }
    return false;
}

/* One of the client's suites is one the server negotiated below TLS 1.3. */
static bool suite_in_common(const struct td_facts *f, const struct td_server_view *sv)
{
    for (size_t i = 0; i < sv->num_suites; i++) {
        if (!sv->suite_is13[i] && has_u16(&f->ch_suites, sv->suites[i])) {
            return true;
        }
    }
    return false;
}

bool td_rule_ems(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    bool alert_fits = !f->alert[TD_SERVER] || f->alert_desc[TD_SERVER] == TD_ALERT_HANDSHAKE_FAILURE;
    bool server13 = sv && (sv->versions_ok & (1u << (TD_VERSION_TLS1_3 & 0xff)));
    if (!server_refused_hello(f) || f->ch_ems || !alert_fits || f->ch_min > TD_VERSION_TLS1_2 ||
        (f->ch_max >= TD_VERSION_TLS1_3 && server13) || !sv || !sv->ok12_ems || sv->ok12_no_ems) {
        return false;
    }
    bool same = shape_accepted(sv, td_hello_shape(f));
    if (!same && !suite_in_common(f, sv)) {
        return false; /* the offer differs in more than the extension: other rules judge it */
    }
    verdict(v, TD_CAUSE_EMS_REQUIRED, same ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_CLIENT);
    td_verdict_hello(v, f);
    td_verdict_evidence(v, f->ch_frame, "ClientHello without extended_master_secret (extension 23)");
    td_verdict_alert(v, f, TD_SERVER);
    td_verdict_evidence(v, sv->ems_frame,
                        "%s negotiated extended_master_secret in each of its %u TLS 1.2 handshake%s%s", f->server,
                        (unsigned)sv->ok12_ems, sv->ok12_ems == 1 ? "" : "s",
                        same ? ", one of them for a ClientHello with the same versions, suites, groups, "
                               "signature schemes and ALPN as this one"
                             : "");
    SAY(v,
        "the client offers no extended_master_secret (RFC 7627) and %s refused it; the same server completed every "
        "TLS 1.2 handshake that had it%s: it requires the extension, as FIPS-mode peers do",
        f->server, same ? ", including one offering exactly what this client offers" : "");
    FIX(v, "client: offer extended_master_secret (GnuTLS: drop %%NO_SESSION_HASH; OpenSSL: remove Options = "
           "-ExtendedMasterSecret / SSL_OP_NO_EXTENDED_MASTER_SECRET; Java: jdk.tls.useExtendedMasterSecret=true), "
           "or offer TLS 1.3; server, until then: allow legacy master secrets (Java "
           "jdk.tls.allowLegacyMasterSecret=true; RHEL: update-crypto-policies --set FIPS:NO-ENFORCE-EMS).");
    if (!same) {
        td_verdict_candidate(v, TD_CAUSE_CIPHER_MISMATCH);
    }
    v->aborted_by = TD_SIDE_SERVER;
    return true;
}
