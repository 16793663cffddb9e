/* CAs a client trusts or not for reasons outside the certificate: TLS-
 * inspection proxies, and public CAs the browser and Java stores distrust
 * for certificates issued after a date.
 *
 * TLS-inspection (corporate proxy) CAs, recognised by the issuer's name: a
 * proxy between the client and the server ends TLS and re-signs the server's
 * certificate with its own CA, which only the machines it manages trust.
 * Patterns are the organisation or common-name words these products put in
 * their default CA certificates; matched case-insensitively on the DN. */
#include <ctype.h>
#include <string.h>

#include "cert/cert.h"

#include "base/banned.h"

static const struct {
    const char *pattern, *vendor;
} inspection[] = {
    {"zscaler", "Zscaler"},
    {"netskope", "Netskope"},
    {"palo alto networks", "Palo Alto Networks"},
    {"fortinet", "Fortinet (FortiGate)"},
    {"fortigate", "Fortinet (FortiGate)"},
    {"blue coat", "Blue Coat / Symantec ProxySG"},
    {"bluecoat", "Blue Coat / Symantec ProxySG"},
    {"proxysg", "Blue Coat / Symantec ProxySG"},
    {"cisco umbrella", "Cisco Umbrella"},
    {"opendns", "Cisco Umbrella"},
    {"sophos", "Sophos"},
    {"check point", "Check Point"},
    {"checkpoint", "Check Point"},
    {"forcepoint", "Forcepoint"},
    {"websense", "Forcepoint"},
    {"mcafee web gateway", "McAfee / Skyhigh Web Gateway"},
    {"skyhigh", "McAfee / Skyhigh Web Gateway"},
    {"barracuda", "Barracuda"},
    {"watchguard", "WatchGuard"},
    {"menlo security", "Menlo Security"},
    {"cloudflare gateway", "Cloudflare Gateway"},
    {"iboss", "iboss"},
    {"cato networks", "Cato Networks"},
    {"kaspersky", "Kaspersky (web traffic scanning)"},
    {"eset ssl filter", "ESET (SSL/TLS filtering)"},
    {"avast", "Avast / AVG (web shield)"},
    {"bitdefender", "Bitdefender (encrypted web scan)"},
};

/* s contains p (lower case), ignoring case. */
static bool contains(const char *s, const char *p)
{
    size_t n = strlen(p);
    for (; *s; s++) {
        size_t i = 0;
        while (i < n && s[i] && tolower((unsigned char)s[i]) == p[i]) {
            i++;
        }
        if (i == n) {
            return true;
        }
    }
    return false;
}

const char *td_inspection_vendor(const char *dn)
{
    for (size_t i = 0; dn && i < sizeof inspection / sizeof inspection[0]; i++) {
        if (contains(dn, inspection[i].pattern)) {
            return inspection[i].vendor;
        }
    }
    return NULL;
}

/* Public CAs whose TLS certificates issued after a date (notBefore) the
 * stores no longer trust, though the root is still in them: Chrome's and
 * Mozilla's announcements, and Java's (jdk.security.caDistrustPolicies). */
static const struct {
    const char *pattern, *owner;
    int64_t after; /* epoch: certificates with notBefore after this are distrusted */
    const char *who;
} distrusted[] = {
    {"entrust", "Entrust", 1731283200 /* 2024-11-11 */,
     "Chrome 131 (from 2024-11-11), Firefox (from 2024-11-30), Java 8u441/11.0.26/17.0.14/21.0.6 (from 2024-11-11)"},
    {"affirmtrust", "Entrust (AffirmTrust)", 1731283200 /* 2024-11-11 */,
     "Chrome 131 (from 2024-11-11), Firefox (from 2024-11-30), Java (from 2024-11-11)"},
    {"chunghwa telecom", "Chunghwa Telecom", 1753920000 /* 2025-07-31 */, "Chrome 139 (from 2025-07-31)"},
    {"netlock", "NetLock", 1753920000 /* 2025-07-31 */, "Chrome 139 (from 2025-07-31)"},
    {"camerfirma", "Camerfirma", 1609459200 /* 2021-01-01 */, "Chrome 90 and Firefox (2021): every certificate"},
};

const char *td_distrusted_ca(const char *dn, int64_t not_before, const char **who)
{
    for (size_t i = 0; dn && i < sizeof distrusted / sizeof distrusted[0]; i++) {
        if (contains(dn, distrusted[i].pattern) && not_before > distrusted[i].after) {
            *who = distrusted[i].who;
            return distrusted[i].owner;
        }
    }
    return NULL;
}
