/* The client profiles. Each row gives the stack's defaults as its own
 * documentation states them; where a default changed within a release line
 * the row says which update it follows. Sources, by row:
 *  java8     JDK 8 "JSSE Reference Guide", SunJSSE default-enabled cipher suites (8u261+); the client's
 *            TLS 1.3 off by default since 8u261 (JDK-8245466); java.security jdk.tls.disabledAlgorithms
 *            of 8u291+ (SSLv3, TLSv1, TLSv1.1, RC4, DES, 3DES_EDE_CBC, anon, NULL); default named groups
 *            of JDK 8 (no x25519).
 *  java8-limited  the same without AES-256: the limited JCE policy of releases before 8u161
 *            ("Java Cryptography Extension Unlimited Strength Jurisdiction Policy Files").
 *  java11    JDK 11 "Java Security Standard Algorithm Names" and the SunJSSE provider documentation: TLS
 *            1.3 (JEP 332) with TLS_AES_128_GCM_SHA256 and TLS_AES_256_GCM_SHA384 (ChaCha20 came in
 *            JDK 12), x25519/x448 (JEP 324).
 *  java17, java21  the JDK 17 / 21 SunJSSE documentation: ChaCha20-Poly1305 suites (JDK-8140466),
 *            default named groups x25519, secp256r1, secp384r1, secp521r1, x448, ffdhe2048..8192; the
 *            TLS 1.2 suites in the order OpenJDK 17.0.15 sends them here (JAVA17_12, t2445).
 *  openssl-1.0.2  OpenSSL 1.0.2 ciphers(1) DEFAULT (ALL:!EXPORT:!LOW:!aNULL:!eNULL:!SSLv2), no TLS 1.3,
 *            the NIST curves only.
 *  openssl-1.1.1, openssl-3.0, openssl-3.5  ciphers(1) DEFAULT and SSL_CTX_set_ciphersuites(3)'s
 *            default TLS 1.3 list; SSL_CTX_set1_groups(3) defaults; OpenSSL 3.0's security level 1 (and
 *            Debian's MinProtocol = TLSv1.2); 3.5's default X25519MLKEM768 key share (CHANGES.md 3.5).
 *  curl      this machine's curl 7.88.1 on OpenSSL 3.0.19: OpenSSL's defaults (curl sets none).
 *  go-1.21, go-1.22, go-1.24  crypto/tls defaultCipherSuites and the release notes: 1.22 removed the
 *            RSA key exchange suites from the defaults, 1.23 the 3DES ones; 1.24 offers X25519MLKEM768
 *            first; the client's minimum version is TLS 1.2 since Go 1.18.
 *  python-3.12  Lib/ssl.py create_default_context: minimum TLS 1.2 and _DEFAULT_CIPHERS
 *            "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM"
 *            (since 3.10), on OpenSSL 3.
 *  node-20   Node.js 20 tls documentation, "Modifying the default TLS cipher suite": the default
 *            --tls-cipher-list and tls.DEFAULT_MIN_VERSION TLSv1.2.
 *  chrome, firefox  the ClientHellos of current stable releases (cipher suites in their order, groups;
 *            GREASE values left out), as published by their TLS stacks (BoringSSL, NSS).
 *  android-7 Android 7.0/7.1 (BoringSSL) SSLSocket defaults, developer.android.com SSLSocket table.
 *  testssl.sh's captured ClientHellos (/etc/testssl/client-simulation.txt; see the block above the
 *            macros below): signature_algorithms of java8-limited ("Java 8u111", SignatureAndHashAlgorithm
 *            before the 8u261 rewrite), java11 ("Java 11.0.2 (OpenJDK)": also its suites and groups, no x25519
 *            in its TLS), openssl-1.0.2 ("OpenSSL 1.0.2e": suites, groups and sigalgs; its SSLv3 left out),
 *            openssl-1.1.1 ("OpenSSL 1.1.1d (Debian)"), chrome ("Chrome 101 (Win 10)"), firefox ("Firefox
 *            100 (Win 10)"), android-7 ("Android 7.0 (native)": suites, secp256r1 only), windows-schannel-
 *            2012r2 ("IE 11 Win 8.1", Schannel of Windows 8.1 / Server 2012 R2: suites). The DEFAULT suites of
 *            the OpenSSL rows (1.1.1, 3.0, 3.5, curl) as OpenSSL sends them (OSSL_DEFAULT).
 *  signature_algorithms  captured here (see OSSL3_SIGS below) for openssl-3.0, curl, python-3.12, node-20,
 *            java17 and go-*; java8, java21 and openssl-3.5 from their stacks' source (JAVA8_SIGS,
 *            JAVA21_SIGS, OSSL35_SIGS below). Every row sends its own list.
 *  windows-schannel-2012r2  Microsoft "TLS Cipher Suites in Windows 8.1" (the order of Windows Server
 *            2012 R2 with the 2015 updates): no ECDHE_RSA with AES-GCM, no ChaCha20, no x25519. */
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "config/internal.h"
#include "config/profiles.h"
#include "tls/names.h"

#include "base/banned.h"

#define JAVA_12                                                                                                        \
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"                                   \
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"                                   \
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,TLS_DHE_DSS_WITH_AES_256_GCM_SHA384,TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,"     \
    "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,TLS_ECDHE_RSA_WITH_AES_256_CBC_"      \
    "SHA384,"                                                                                                          \
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,TLS_DHE_RSA_WITH_AES_256_CBC_"      \
    "SHA256,"                                                                                                          \
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,"     \
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,"        \
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_128_GCM_SHA256,"                \
    "TLS_RSA_WITH_AES_256_CBC_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA256,TLS_RSA_WITH_AES_256_CBC_SHA,"                    \
    "TLS_RSA_WITH_AES_128_CBC_SHA"
#define JAVA8_LIMITED                                                                                                  \
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"                                   \
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,TLS_DHE_DSS_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256," \
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,"  \
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_DHE_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_128_GCM_SHA256,"             \
    "TLS_RSA_WITH_AES_128_CBC_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA"
/* The TLS 1.2 suites in the order OpenJDK 17.0.15, Python 3.12's create_default_context and Node 20 send
 * them on this machine's OpenSSL 3.0.19 (openssl s_server -trace on loopback; t2445 captures them again and
 * compares). Python's is its _DEFAULT_CIPHERS string, Node's its default --tls-cipher-list, as OpenSSL
 * orders them. */
#define JAVA17_12                                                                                                      \
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,"                                 \
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"                             \
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"                               \
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,"                                   \
    "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384,TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,"                                         \
    "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,"                                     \
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,"                                   \
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,"                                       \
    "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256,TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,"                                         \
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,"                                        \
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,"                                         \
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_DHE_RSA_WITH_AES_256_CBC_SHA,"                                             \
    "TLS_DHE_DSS_WITH_AES_256_CBC_SHA,TLS_DHE_RSA_WITH_AES_128_CBC_SHA,TLS_DHE_DSS_WITH_AES_128_CBC_SHA,"              \
    "TLS_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_256_CBC_SHA256,"                 \
    "TLS_RSA_WITH_AES_128_CBC_SHA256,TLS_RSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_AES_128_CBC_SHA"
#define PYTHON_12                                                                                                      \
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"                                   \
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"                                   \
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,"                       \
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,"                                   \
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,"                                   \
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,"                                         \
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"
#define NODE_12                                                                                                        \
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,"                                   \
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,"                                   \
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,"                                       \
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,"                                       \
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,TLS_DHE_DSS_WITH_AES_256_GCM_SHA384,"                                         \
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,"                               \
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,"                           \
    "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8,TLS_ECDHE_ECDSA_WITH_AES_256_CCM,TLS_DHE_RSA_WITH_AES_256_CCM_8,"              \
    "TLS_DHE_RSA_WITH_AES_256_CCM,TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384,"                                           \
    "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384,TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384,"                                     \
    "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384,TLS_DHE_DSS_WITH_AES_128_GCM_SHA256,"                                        \
    "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,TLS_ECDHE_ECDSA_WITH_AES_128_CCM,TLS_DHE_RSA_WITH_AES_128_CCM_8,"              \
    "TLS_DHE_RSA_WITH_AES_128_CCM,TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256,"                                           \
    "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256,TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256,"                                     \
    "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,"                                    \
    "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,"                                     \
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,"                                        \
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_DHE_RSA_WITH_AES_256_CBC_SHA,"                                             \
    "TLS_DHE_DSS_WITH_AES_256_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,"                                           \
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_DHE_RSA_WITH_AES_128_CBC_SHA,"                                             \
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_256_CCM_8,"                     \
    "TLS_RSA_WITH_AES_256_CCM,TLS_RSA_WITH_ARIA_256_GCM_SHA384,TLS_RSA_WITH_AES_128_GCM_SHA256,"                       \
    "TLS_RSA_WITH_AES_128_CCM_8,TLS_RSA_WITH_AES_128_CCM,TLS_RSA_WITH_ARIA_128_GCM_SHA256,"                            \
    "TLS_RSA_WITH_AES_256_CBC_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA256,TLS_RSA_WITH_AES_256_CBC_SHA,"                    \
    "TLS_RSA_WITH_AES_128_CBC_SHA"
#define GO_ECDHE                                                                                                       \
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"                                   \
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"                                   \
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,"                       \
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,"    \
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
#define GO_RSA                                                                                                         \
    "TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_128_CBC_SHA,"                    \
    "TLS_RSA_WITH_AES_256_CBC_SHA"
#define BROWSER_12                                                                                                     \
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"                                   \
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"                                   \
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,"                       \
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_AES_128_GCM_SHA256,"           \
    "TLS_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_256_CBC_SHA"
#define OSSL13 "TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256,TLS_AES_128_GCM_SHA256"
#define OSSL3_GROUPS "x25519,secp256r1,x448,secp521r1,secp384r1,ffdhe2048,ffdhe3072,ffdhe4096,ffdhe6144,ffdhe8192"
#define JAVA_GROUPS "x25519,secp256r1,secp384r1,secp521r1,x448,ffdhe2048,ffdhe3072,ffdhe4096,ffdhe6144,ffdhe8192"
/* signature_algorithms as these clients sent them here (tshark on loopback): OpenSSL 3.0.19 at Debian's
 * security level 2 (s_client, curl, Python and Node 20 alike: no SHA-1 schemes), OpenJDK 17.0.15, and Go
 * 1.19, whose crypto/tls supportedSignatureAlgorithms list (common.go) Go 1.21 to 1.24 keep. */
#define OSSL3_SIGS                                                                                                     \
    "ecdsa_secp256r1_sha256,ecdsa_secp384r1_sha384,ecdsa_secp521r1_sha512,ed25519,ed448,rsa_pss_pss_sha256,"           \
    "rsa_pss_pss_sha384,rsa_pss_pss_sha512,rsa_pss_rsae_sha256,rsa_pss_rsae_sha384,rsa_pss_rsae_sha512,"               \
    "rsa_pkcs1_sha256,rsa_pkcs1_sha384,rsa_pkcs1_sha512,ecdsa_sha224,rsa_sha224,dsa_sha224,dsa_sha256,dsa_sha384,dsa_" \
    "sha512"
#define JAVA17_SIGS                                                                                                    \
    "ecdsa_secp256r1_sha256,ecdsa_secp384r1_sha384,ecdsa_secp521r1_sha512,ed25519,ed448,rsa_pss_rsae_sha256,"          \
    "rsa_pss_rsae_sha384,rsa_pss_rsae_sha512,rsa_pss_pss_sha256,rsa_pss_pss_sha384,rsa_pss_pss_sha512,"                \
    "rsa_pkcs1_sha256,rsa_pkcs1_sha384,rsa_pkcs1_sha512,dsa_sha256,ecdsa_sha224,rsa_sha224,dsa_sha224,ecdsa_sha1,rsa_" \
    "pkcs1_sha1,dsa_sha1"
#define GO_SIGS                                                                                                        \
    "rsa_pss_rsae_sha256,ecdsa_secp256r1_sha256,ed25519,rsa_pss_rsae_sha384,rsa_pss_rsae_sha512,rsa_pkcs1_sha256,"     \
    "rsa_pkcs1_sha384,rsa_pkcs1_sha512,ecdsa_secp384r1_sha384,ecdsa_secp521r1_sha512,rsa_pkcs1_sha1,ecdsa_sha1"
/* From the ClientHellos testssl.sh 3.0 captured (/etc/testssl/client-simulation.txt, Debian's testssl.sh;
 * tests/unit/config/profile_sources_test.c parses them and holds each row to them): OSSL_DEFAULT is
 * "OpenSSL 3.0.3 (git)" and "OpenSSL 1.1.1d (Debian)" alike, and `openssl ciphers -s DEFAULT` of this
 * machine's OpenSSL 3.0.19; the others as named. */
#define OSSL_DEFAULT                                                                                                   \
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"                                   \
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,"                               \
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,"                           \
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"                                   \
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,"                                     \
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,"                                       \
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,"                                   \
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,"                                        \
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_DHE_RSA_WITH_AES_256_CBC_SHA,"                                             \
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,"                                         \
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_128_GCM_SHA256,"                \
    "TLS_RSA_WITH_AES_256_CBC_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA256,TLS_RSA_WITH_AES_256_CBC_SHA,"                    \
    "TLS_RSA_WITH_AES_128_CBC_SHA"

#define OSSL102_SUITES                                                                                                 \
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,"                                   \
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,"                                   \
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,"                                         \
    "TLS_DH_DSS_WITH_AES_256_GCM_SHA384,TLS_DHE_DSS_WITH_AES_256_GCM_SHA384,"                                          \
    "TLS_DH_RSA_WITH_AES_256_GCM_SHA384,TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,"                                          \
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,TLS_DHE_DSS_WITH_AES_256_CBC_SHA256,"                                         \
    "TLS_DH_RSA_WITH_AES_256_CBC_SHA256,TLS_DH_DSS_WITH_AES_256_CBC_SHA256,"                                           \
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA,TLS_DHE_DSS_WITH_AES_256_CBC_SHA,TLS_DH_RSA_WITH_AES_256_CBC_SHA,"               \
    "TLS_DH_DSS_WITH_AES_256_CBC_SHA,TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA,"                                           \
    "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA,TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA,"                                      \
    "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA,TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384,"                                       \
    "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384,"                                     \
    "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384,TLS_ECDH_RSA_WITH_AES_256_CBC_SHA,"                                        \
    "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_256_CBC_SHA256,"             \
    "TLS_RSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_CAMELLIA_256_CBC_SHA,"                                                  \
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,"                                   \
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,"                                   \
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,"                                         \
    "TLS_DH_DSS_WITH_AES_128_GCM_SHA256,TLS_DHE_DSS_WITH_AES_128_GCM_SHA256,"                                          \
    "TLS_DH_RSA_WITH_AES_128_GCM_SHA256,TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,"                                          \
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,TLS_DHE_DSS_WITH_AES_128_CBC_SHA256,"                                         \
    "TLS_DH_RSA_WITH_AES_128_CBC_SHA256,TLS_DH_DSS_WITH_AES_128_CBC_SHA256,"                                           \
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA,TLS_DHE_DSS_WITH_AES_128_CBC_SHA,TLS_DH_RSA_WITH_AES_128_CBC_SHA,"               \
    "TLS_DH_DSS_WITH_AES_128_CBC_SHA,TLS_DHE_RSA_WITH_SEED_CBC_SHA,TLS_DHE_DSS_WITH_SEED_CBC_SHA,"                     \
    "TLS_DH_RSA_WITH_SEED_CBC_SHA,TLS_DH_DSS_WITH_SEED_CBC_SHA,TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA,"                 \
    "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA,TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA,"                                      \
    "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA,TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256,"                                       \
    "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256,"                                     \
    "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256,TLS_ECDH_RSA_WITH_AES_128_CBC_SHA,"                                        \
    "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA256,"             \
    "TLS_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_SEED_CBC_SHA,TLS_RSA_WITH_CAMELLIA_128_CBC_SHA,"                        \
    "TLS_RSA_WITH_IDEA_CBC_SHA,TLS_ECDHE_RSA_WITH_RC4_128_SHA,TLS_ECDHE_ECDSA_WITH_RC4_128_SHA,"                       \
    "TLS_ECDH_RSA_WITH_RC4_128_SHA,TLS_ECDH_ECDSA_WITH_RC4_128_SHA,TLS_RSA_WITH_RC4_128_SHA,"                          \
    "TLS_RSA_WITH_RC4_128_MD5,TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA,"              \
    "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA,TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA,"                                             \
    "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA,TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA,"                                               \
    "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA,TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA,"                                         \
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA,TLS_DHE_RSA_WITH_DES_CBC_SHA,TLS_DHE_DSS_WITH_DES_CBC_SHA,"                         \
    "TLS_DH_RSA_WITH_DES_CBC_SHA,TLS_DH_DSS_WITH_DES_CBC_SHA,TLS_RSA_WITH_DES_CBC_SHA"

#define OSSL102_GROUPS                                                                                                 \
    "secp256r1,secp521r1,brainpoolP512r1,brainpoolP384r1,secp384r1,brainpoolP256r1,secp256k1,sect571r1,"               \
    "sect571k1,sect409k1,sect409r1,sect283k1,sect283r1"

#define OSSL102_SIGS                                                                                                   \
    "rsa_pkcs1_sha512,dsa_sha512,ecdsa_secp521r1_sha512,rsa_pkcs1_sha384,dsa_sha384,"                                  \
    "ecdsa_secp384r1_sha384,rsa_pkcs1_sha256,dsa_sha256,ecdsa_secp256r1_sha256,rsa_sha224,dsa_sha224,"                 \
    "ecdsa_sha224,rsa_pkcs1_sha1,dsa_sha1,ecdsa_sha1"

#define JAVA11_12                                                                                                      \
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,"                                 \
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_256_GCM_SHA384,"                                           \
    "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384,"                                     \
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,TLS_DHE_DSS_WITH_AES_256_GCM_SHA384,"                                         \
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_GCM_SHA256,"                                           \
    "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256,"                                     \
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,TLS_DHE_DSS_WITH_AES_128_GCM_SHA256,"                                         \
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,"                                   \
    "TLS_RSA_WITH_AES_256_CBC_SHA256,TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384,"                                          \
    "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384,TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,"                                        \
    "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,"                                        \
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_AES_256_CBC_SHA,TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA,"             \
    "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA,TLS_DHE_RSA_WITH_AES_256_CBC_SHA,TLS_DHE_DSS_WITH_AES_256_CBC_SHA,"             \
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,"                                   \
    "TLS_RSA_WITH_AES_128_CBC_SHA256,TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256,"                                          \
    "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256,TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,"                                        \
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,"                                        \
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_128_CBC_SHA,TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA,"             \
    "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA,TLS_DHE_RSA_WITH_AES_128_CBC_SHA,TLS_DHE_DSS_WITH_AES_128_CBC_SHA"

#define JAVA11_GROUPS                                                                                                  \
    "secp256r1,secp384r1,secp521r1,sect283k1,sect283r1,sect409k1,sect409r1,sect571k1,sect571r1,secp256k1,"             \
    "ffdhe2048,ffdhe3072,ffdhe4096,ffdhe6144,ffdhe8192"

#define JAVA11_SIGS                                                                                                    \
    "ecdsa_secp256r1_sha256,ecdsa_secp384r1_sha384,ecdsa_secp521r1_sha512,rsa_pss_rsae_sha256,"                        \
    "rsa_pss_rsae_sha384,rsa_pss_rsae_sha512,rsa_pss_pss_sha256,rsa_pss_pss_sha384,rsa_pss_pss_sha512,"                \
    "rsa_pkcs1_sha256,rsa_pkcs1_sha384,rsa_pkcs1_sha512,dsa_sha256,ecdsa_sha224,rsa_sha224,dsa_sha224,"                \
    "ecdsa_sha1,rsa_pkcs1_sha1,dsa_sha1"

#define JAVA8_OLD_SIGS                                                                                                 \
    "ecdsa_secp521r1_sha512,rsa_pkcs1_sha512,ecdsa_secp384r1_sha384,rsa_pkcs1_sha384,"                                 \
    "ecdsa_secp256r1_sha256,rsa_pkcs1_sha256,dsa_sha256,ecdsa_sha1,rsa_pkcs1_sha1,dsa_sha1"

#define CHROME_SIGS                                                                                                    \
    "ecdsa_secp256r1_sha256,rsa_pss_rsae_sha256,rsa_pkcs1_sha256,ecdsa_secp384r1_sha384,"                              \
    "rsa_pss_rsae_sha384,rsa_pkcs1_sha384,rsa_pss_rsae_sha512,rsa_pkcs1_sha512"

#define FIREFOX_SIGS                                                                                                   \
    "ecdsa_secp256r1_sha256,ecdsa_secp384r1_sha384,ecdsa_secp521r1_sha512,rsa_pss_rsae_sha256,"                        \
    "rsa_pss_rsae_sha384,rsa_pss_rsae_sha512,rsa_pkcs1_sha256,rsa_pkcs1_sha384,rsa_pkcs1_sha512,"                      \
    "ecdsa_sha1,rsa_pkcs1_sha1"

#define ANDROID7_12                                                                                                    \
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,"                                 \
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"                             \
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,"                               \
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,"                                           \
    "TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_128_CBC_SHA,"                    \
    "TLS_RSA_WITH_AES_256_CBC_SHA"

#define ANDROID7_SIGS                                                                                                  \
    "rsa_pkcs1_sha512,ecdsa_secp521r1_sha512,rsa_pkcs1_sha384,ecdsa_secp384r1_sha384,rsa_pkcs1_sha256,"                \
    "ecdsa_secp256r1_sha256,rsa_sha224,ecdsa_sha224,rsa_pkcs1_sha1,ecdsa_sha1"

#define SCHANNEL81_12                                                                                                  \
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,"                                     \
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,"                                           \
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,"                                         \
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA,TLS_DHE_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_256_GCM_SHA384,"               \
    "TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_256_CBC_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA256,"                 \
    "TLS_RSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,"               \
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,"                                 \
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,"                                    \
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,TLS_DHE_DSS_WITH_AES_256_CBC_SHA256,"                                        \
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256,TLS_DHE_DSS_WITH_AES_256_CBC_SHA,"                                            \
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_3DES_EDE_CBC_SHA,TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"

#define SCHANNEL81_SIGS                                                                                                \
    "rsa_pkcs1_sha256,rsa_pkcs1_sha384,rsa_pkcs1_sha512,rsa_pkcs1_sha1,ecdsa_secp256r1_sha256,"                        \
    "ecdsa_secp384r1_sha384,ecdsa_secp521r1_sha512,ecdsa_sha1,dsa_sha1"
/* OpenSSL 3.5 ssl/t1_lib.c tls12_sigalgs: ML-DSA (the default provider's TLS-SIGALG entries) first, the
 * brainpool TLS 1.3 schemes after EdDSA; the SHA-1 entries left out at security level 1, as OpenSSL 3.0's
 * hello shows (OSSL3_SIGS, "OpenSSL 3.0.3 (git)" of testssl.sh). */
#define OSSL35_SIGS                                                                                                    \
    "mldsa65,mldsa87,mldsa44,ecdsa_secp256r1_sha256,ecdsa_secp384r1_sha384,ecdsa_secp521r1_sha512,ed25519,ed448,"      \
    "ecdsa_brainpoolP256r1tls13_sha256,ecdsa_brainpoolP384r1tls13_sha384,ecdsa_brainpoolP512r1tls13_sha512,"           \
    "rsa_pss_pss_sha256,rsa_pss_pss_sha384,rsa_pss_pss_sha512,rsa_pss_rsae_sha256,rsa_pss_rsae_sha384,"                \
    "rsa_pss_rsae_sha512,rsa_pkcs1_sha256,rsa_pkcs1_sha384,rsa_pkcs1_sha512,ecdsa_sha224,rsa_sha224,dsa_sha224,"       \
    "dsa_sha256,dsa_sha384,dsa_sha512"
/* SunJSSE sends SignatureScheme's enum order, less the schemes of inactive protocols and those
 * jdk.tls.disabledAlgorithms refuses (MD5withRSA). jdk8u's SignatureScheme.java (the TLS 1.3 rewrite of
 * 8u261): EdDSA first but TLS 1.3 only, and TLS 1.3 off in the client, so Java 11.0.2's list. OpenJDK 21's
 * (read in openj9-openjdk-jdk21, less its own brainpool entry): JDK 17's order, as captured from 17.0.15. */
#define JAVA8_SIGS JAVA11_SIGS
#define JAVA21_SIGS JAVA17_SIGS
#define V12 TD_V_TLS12
#define V1213 (TD_V_TLS12 | TD_V_TLS13)
#define V10_12 (TD_V_TLS10 | TD_V_TLS11 | TD_V_TLS12)
#define JCACERTS "Java cacerts ($JAVA_HOME/lib/security/cacerts)"
#define JCHECKS                                                                                                        \
    "PKIX: validity, EKU serverAuth, jdk.certpath.disabledAlgorithms (MD5, SHA-1 from public CAs), RSA >= 1024; host " \
    "name by HTTPS rules (HttpsURLConnection)"
#define OCHECKS                                                                                                        \
    "X509_verify_cert: validity, EKU, security level (RSA >= 2048, no SHA-1 at level 2); host name when the "          \
    "application asks (curl, Python and Node do)"

static const struct td_client_profile profiles[] = {
    {"java8", "Java 8u291+ (SunJSSE), the Apigee Message Processor", V12, JAVA_12, false, "",
     "secp256r1,secp384r1,secp521r1,ffdhe2048,ffdhe3072", TD_SNI_DOTTED, JCACERTS, JCHECKS, JAVA8_SIGS},
    {"java8-limited", "Java 8 before 8u161 without the unlimited-strength JCE policy", V12, JAVA8_LIMITED, false, "",
     "secp256r1,secp384r1,secp521r1", TD_SNI_DOTTED, JCACERTS, JCHECKS, JAVA8_OLD_SIGS},
    {"java11", "Java 11 (SunJSSE)", V1213, JAVA11_12, false, "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384",
     JAVA11_GROUPS, TD_SNI_DOTTED, JCACERTS, JCHECKS, JAVA11_SIGS},
    {"java17", "Java 17 (SunJSSE)", V1213, JAVA17_12, false,
     "TLS_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256", JAVA_GROUPS, TD_SNI_DOTTED, JCACERTS,
     JCHECKS, JAVA17_SIGS},
    {"java21", "Java 21 (SunJSSE)", V1213, JAVA17_12, false,
     "TLS_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256", JAVA_GROUPS, TD_SNI_DOTTED, JCACERTS,
     JCHECKS, JAVA21_SIGS},
    {"openssl-1.0.2", "OpenSSL 1.0.2 (s_client, libssl defaults)", V10_12, OSSL102_SUITES, false, "", OSSL102_GROUPS,
     TD_SNI_HOSTNAMES, "the OS store (/etc/ssl/certs)", OCHECKS, OSSL102_SIGS},
    {"openssl-1.1.1", "OpenSSL 1.1.1 (libssl defaults)", V10_12 | TD_V_TLS13, OSSL_DEFAULT, false, OSSL13,
     "x25519,secp256r1,x448,secp521r1,secp384r1", TD_SNI_HOSTNAMES, "the OS store (/etc/ssl/certs)", OCHECKS,
     OSSL3_SIGS},
    {"openssl-3.0", "OpenSSL 3.0 (libssl defaults, Debian's MinProtocol TLSv1.2)", V1213, OSSL_DEFAULT, false, OSSL13,
     OSSL3_GROUPS, TD_SNI_HOSTNAMES, "the OS store (/etc/ssl/certs)", OCHECKS, OSSL3_SIGS},
    {"openssl-3.5", "OpenSSL 3.5 (libssl defaults)", V1213, OSSL_DEFAULT, false, OSSL13, "X25519MLKEM768," OSSL3_GROUPS,
     TD_SNI_HOSTNAMES, "the OS store (/etc/ssl/certs)", OCHECKS, OSSL35_SIGS},
    {"curl", "curl 7.88.1 on OpenSSL 3.0.19 (this machine's)", V1213, OSSL_DEFAULT, false, OSSL13, OSSL3_GROUPS,
     TD_SNI_HOSTNAMES, "the OS store (/etc/ssl/certs/ca-certificates.crt)", OCHECKS, OSSL3_SIGS},
    {"go-1.21", "Go 1.21 crypto/tls", V1213,
     GO_ECDHE "," GO_RSA ",TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,TLS_RSA_WITH_3DES_EDE_CBC_SHA", false,
     "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256",
     "x25519,secp256r1,secp384r1,secp521r1", TD_SNI_HOSTNAMES, "the OS store",
     "x509.Verify: validity, EKU, no SHA-1, host name", GO_SIGS},
    {"go-1.22", "Go 1.22 crypto/tls (no RSA key exchange)", V1213, GO_ECDHE ",TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
     false, "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256",
     "x25519,secp256r1,secp384r1,secp521r1", TD_SNI_HOSTNAMES, "the OS store",
     "x509.Verify: validity, EKU, no SHA-1, host name", GO_SIGS},
    {"go-1.24", "Go 1.24 crypto/tls", V1213, GO_ECDHE, false,
     "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256",
     "X25519MLKEM768,x25519,secp256r1,secp384r1,secp521r1", TD_SNI_HOSTNAMES, "the OS store",
     "x509.Verify: validity, EKU, no SHA-1, host name", GO_SIGS},
    {"python-3.12", "Python 3.12 ssl.create_default_context (OpenSSL 3)", V1213, PYTHON_12, false, OSSL13, OSSL3_GROUPS,
     TD_SNI_HOSTNAMES, "the OS store (load_default_certs)", OCHECKS, OSSL3_SIGS},
    {"node-20", "Node.js 20 tls (OpenSSL 3)", V1213, NODE_12, false, OSSL13, OSSL3_GROUPS, TD_SNI_HOSTNAMES,
     "Node's bundled Mozilla roots", OCHECKS, OSSL3_SIGS},
    {"chrome", "Chrome (BoringSSL), current stable", V1213, BROWSER_12, false,
     "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256",
     "X25519MLKEM768,x25519,secp256r1,secp384r1", TD_SNI_HOSTNAMES, "Chrome Root Store",
     "validity, EKU, no SHA-1, RSA >= 1024, Certificate Transparency, name by SAN only", CHROME_SIGS},
    {"firefox", "Firefox (NSS), current stable", V1213,
     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
     "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,"
     "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_"
     "SHA,"
     "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,"
     "TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_"
     "256_CBC_SHA",
     false, "TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256,TLS_AES_256_GCM_SHA384",
     "X25519MLKEM768,x25519,secp256r1,secp384r1,secp521r1,ffdhe2048,ffdhe3072", TD_SNI_HOSTNAMES,
     "Mozilla root store (NSS)", "validity, EKU, no SHA-1, name by SAN only", FIREFOX_SIGS},
    {"android-7", "Android 7.0/7.1 SSLSocket (BoringSSL)", V10_12, ANDROID7_12, false, "", "secp256r1",
     TD_SNI_HOSTNAMES, "Android 7 system store (no ISRG Root X1)", "validity, EKU, name", ANDROID7_SIGS},
    {"windows-schannel-2012r2", "Windows Server 2012 R2 Schannel (2015 updates)", V10_12, SCHANNEL81_12, false, "",
     "secp256r1,secp384r1", TD_SNI_HOSTNAMES, "the Windows root store (automatic root update)",
     "CryptoAPI chain engine: validity, EKU, name", SCHANNEL81_SIGS},
};

size_t td_client_profile_count(void) { return sizeof profiles / sizeof profiles[0]; }

const struct td_client_profile *td_client_profile_at(size_t i)
{
    return i < td_client_profile_count() ? &profiles[i] : NULL;
}

const struct td_client_profile *td_client_profile_find(const char *name)
{
    for (size_t i = 0; name && i < td_client_profile_count(); i++) {
        if (strcmp(profiles[i].name, name) == 0) {
            return &profiles[i];
        }
    }
    return NULL;
}

static bool in_table(const struct td_name *t, size_t tlen, const char *n, size_t len, uint16_t *out)
{
    for (size_t i = 0; i < tlen; i++) {
        if (td_conf_ieq(n, len, t[i].name)) {
            *out = (uint16_t)t[i].value;
            return true;
        }
    }
    return false;
}

static bool group_by_name(const char *n, size_t len, uint16_t *out)
{
    return in_table(td_group_names, td_group_names_len, n, len, out);
}

static bool sigscheme_by_name(const char *n, size_t len, uint16_t *out)
{
    return in_table(td_sigscheme_names, td_sigscheme_names_len, n, len, out);
}

/* Each comma-separated name of list through lookup into out. */
static bool resolve(const char *list, bool (*lookup)(const char *, size_t, uint16_t *), uint16_t *out, size_t cap,
                    size_t *num, char *err, size_t err_len)
{
    *num = 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        uint16_t v;
        if (n && !lookup(p, n, &v)) {
            snprintf(err, err_len, "'%.*s' is no name tlsdiag knows", (int)n, p);
            return false;
        }
        if (n && *num < cap) {
            out[(*num)++] = v;
        }
        p += n + (p[n] == ',');
    }
    return true;
}

bool td_client_profile_plan(const struct td_client_profile *p, struct td_client_plan *out, char *err, size_t err_len)
{
    td_memzero(out, sizeof *out);
    out->versions = p->versions;
    if (p->openssl_string) { /* words OpenSSL does not know it ignores, and so do we (Node's list has one) */
        char unknown[64];
        out->num_suites = td_conf_cipher_string(p->suites, out->suites, TD_PLAN_MAX_SUITES, unknown, sizeof unknown);
    } else if (!resolve(p->suites, td_conf_suite_by_name, out->suites, TD_PLAN_MAX_SUITES, &out->num_suites, err,
                        err_len)) {
        return false;
    }
    return resolve(p->suites13, td_conf_suite_by_name, out->suites13, 8, &out->num_suites13, err, err_len) &&
           resolve(p->groups, group_by_name, out->groups, TD_PLAN_MAX_GROUPS, &out->num_groups, err, err_len) &&
           resolve(p->sigalgs ? p->sigalgs : "", sigscheme_by_name, out->sigalgs, TD_PLAN_MAX_SIGALGS,
                   &out->num_sigalgs, err, err_len);
}

bool td_client_sends_sni(const struct td_client_profile *p, const char *host)
{
    bool ip = strchr(host, ':') != NULL || strspn(host, "0123456789.") == strlen(host);
    if (ip || !host[0]) {
        return false;
    }
    return p->sni != TD_SNI_DOTTED || strchr(host, '.') != NULL;
}
