/* TLS-inspection (corporate proxy) CAs, recognised by the issuer's name: a
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
