/* The profiles' trust (config/profile_trust.h). Sources, by fact:
 *  ISRG Root X1 gaps   letsencrypt.org/docs/certificate-compatibility ("Java 8 >= 8u141",
 *                      "Android >= 7.1.1" trust ISRG Root X1).
 *  ISRG Root X2 gaps   JDK-8317374 "Add Let's Encrypt ISRG Root X2" (JDK 22; backports in 21.0.2, 17.0.10,
 *                      11.0.22 as JDK-8320521, 8u401/8u402 as JDK-8322258: the January 2024 updates). Android 7:
 *                      the root was created 2020-09-04 (its notBefore), after Android 7's last update (2019).
 *  SHA-1               Java: java.security jdk.certpath.disabledAlgorithms "SHA1 jdkCA & usage TLSServer"
 *                      (chains to the JDK's own cacerts roots only); OpenSSL 3.0: SHA-1 signatures count 64
 *                      bits, under security level 1's 80 (CHANGES.md 3.0; Debian's level 2 too), so curl,
 *                      Python, Node and openssl-3.x refuse them while 1.0.2/1.1.1 at level 1 accept them;
 *                      Go 1.18 release notes (crypto/x509 rejects SHA-1 signed certificates); Chrome 57 and
 *                      Firefox 52 (Google and Mozilla security blogs, "The end of SHA-1", 2017).
 *  CN without SAN      Go 1.15 release notes (CommonName no longer a host name; the GODEBUG went in 1.17);
 *                      Chrome 58 (commonName matching removed); Firefox: security.pki.name_matching_mode (CN
 *                      only for certificates issued before 2016-08-23). Java's HostnameChecker, curl's
 *                      verifyhost, OpenSSL's X509_check_host (Python), Node's checkServerIdentity fall back to
 *                      the CN when no DNS name is in subjectAltName.
 *  398 days            Chromium net/docs/certificate_lifetimes.md: Chrome 85+ refuses leaves with notBefore
 *                      from 2020-09-01 valid more than 398 days, from publicly trusted CAs only.
 *  partial chains      Java's PKIX: any trustedCertEntry is a trust anchor (RFC 5280 6.1).
 *  distrusted CAs      cert/inspection.c's table (td_distrusted_ca), the stores named by the words here.
 *  path as sent        OpenSSL 1.0.2 looks for the issuer among the certificates sent before the store
 *                      (X509_V_FLAG_TRUSTED_FIRST off by default; on by default from 1.1.0): a cross-signed
 *                      root in the chain leads it to that root's expired issuer (openssl.org blog, "Old Let's
 *                      Encrypt Root Certificate Expiry and OpenSSL 1.0.2", 2021-09-13: DST Root CA X3).
 * Not modelled (no source at hand): Android's and Schannel's SHA-1 and CN rules. */
#include <string.h>

#include "config/profile_trust.h"

#include "base/banned.h"

#define X1(absent)                                                                                                     \
    {                                                                                                                  \
        "ISRG Root X1", "0b9fa5a59eed715c26c1020c711b4f6ec42d58b0015e14337a39dad301c5afc3", absent                     \
    }
#define X2(absent)                                                                                                     \
    {                                                                                                                  \
        "ISRG Root X2", "762195c225586ee6c0237456e2107dc54f1efc21f61a792ebd515913cce68332", absent                     \
    }

/* One row per (profile, root it lacks). */
static const struct {
    const char *profile;
    struct td_root_gap gap;
} gaps[] = {
    {"java8", X2("Java 8 before 8u401 (cacerts)")},
    {"java8-limited", X1("Java 8 before 8u141 (cacerts)")},
    {"java8-limited", X2("Java 8 before 8u401 (cacerts)")},
    {"java11", X2("Java 11 before 11.0.22 (cacerts)")},
    {"java17", X2("Java 17 before 17.0.10 (cacerts)")},
    {"java21", X2("Java 21 before 21.0.2 (cacerts)")},
    {"android-7", X1("Android before 7.1.1 (the system store)")},
    {"android-7", X2("Android 7 (the system store)")},
};

struct row {
    const char *profile;
    enum td_trust_source source;
    bool sha1, sha1_public_only, cn, partial;
    const char *distrust;
    bool max_398, path_as_sent;
};

static const struct row rows[] = {
    {"java8", TD_TRUST_JAVA, true, true, true, true, "Java"},
    {"java8-limited", TD_TRUST_JAVA, true, true, true, true, "Java"},
    {"java11", TD_TRUST_JAVA, true, true, true, true, "Java"},
    {"java17", TD_TRUST_JAVA, true, true, true, true, "Java"},
    {"java21", TD_TRUST_JAVA, true, true, true, true, "Java"},
    {"openssl-1.0.2", TD_TRUST_SYSTEM, false, false, true, false, NULL, false, true},
    {"openssl-1.1.1", TD_TRUST_SYSTEM, false, false, true, false, NULL},
    {"openssl-3.0", TD_TRUST_SYSTEM, true, false, true, false, NULL},
    {"openssl-3.5", TD_TRUST_SYSTEM, true, false, true, false, NULL},
    {"curl", TD_TRUST_SYSTEM, true, false, true, false, NULL},
    {"go-1.21", TD_TRUST_SYSTEM, true, false, false, false, NULL},
    {"go-1.22", TD_TRUST_SYSTEM, true, false, false, false, NULL},
    {"go-1.24", TD_TRUST_SYSTEM, true, false, false, false, NULL},
    {"python-3.12", TD_TRUST_SYSTEM, true, false, true, false, NULL},
    {"node-20", TD_TRUST_BUNDLED_MOZILLA, true, false, true, false, NULL},
    {"chrome", TD_TRUST_PLATFORM, true, false, false, false, "Chrome", true},
    {"firefox", TD_TRUST_BUNDLED_MOZILLA, true, false, false, false, "Firefox"},
    {"android-7", TD_TRUST_PLATFORM, false, false, true, false, NULL},
    {"windows-schannel-2012r2", TD_TRUST_PLATFORM, false, false, true, false, NULL},
};

bool td_profile_trust(const char *profile, enum td_trust_source *source, struct td_client_rules *rules)
{
    const struct row *r = NULL;
    for (size_t i = 0; profile && i < sizeof rows / sizeof rows[0] && !r; i++) {
        r = strcmp(rows[i].profile, profile) == 0 ? &rows[i] : NULL;
    }
    struct td_client_rules none = {0};
    *rules = none;
    if (!r) {
        return false;
    }
    *source = r->source;
    rules->reject_sha1 = r->sha1;
    rules->sha1_public_only = r->sha1_public_only;
    rules->cn_fallback = r->cn;
    rules->partial_chain = r->partial;
    rules->distrust = r->distrust;
    rules->max_398_days = r->max_398;
    rules->path_as_sent = r->path_as_sent;
    for (size_t i = 0; i < sizeof gaps / sizeof gaps[0] && rules->num_gaps < TD_CLIENT_MAX_GAPS; i++) {
        if (strcmp(gaps[i].profile, profile) == 0) {
            rules->gaps[rules->num_gaps++] = &gaps[i].gap;
        }
    }
    return true;
}

const char *td_trust_source_slug(enum td_trust_source s)
{
    static const char *const slug[] = {"system", "java", "bundled-mozilla", "platform"};
    return slug[s];
}

void td_trust_store_words(enum td_trust_source s, const char **name, const char **add)
{
    static const struct {
        const char *name, *add;
    } w[] = {
        {"the system store (/etc/ssl/certs)",
         "copy it to /usr/local/share/ca-certificates/ROOT.crt and run update-ca-certificates, or point the client at "
         "a bundle holding it: curl --cacert, Python cafile=, SSL_CERT_FILE"},
        {"Java's cacerts (" TD_JAVA_CACERTS ")",
         "keytool -importcert -trustcacerts -alias ROOT -file ROOT.pem -keystore TRUSTSTORE.jks, then "
         "-Djavax.net.ssl.trustStore=TRUSTSTORE.jks (Apigee: upload it to the TrustStore the TargetEndpoint names)"},
        {"Mozilla's roots (bundled; this machine's store stands in)",
         "NODE_EXTRA_CA_CERTS=ROOT.pem, or the ca option of tls.connect"},
        {"the platform's store (this machine's stands in)", "install it as a trusted root on the device or host"},
    };
    *name = w[s].name;
    *add = w[s].add;
}
