/* tlsdiag log's recognisers on hand-written lines: each wording (of many
 * versions) gives its cause, confidence, and who decided; transcripts merge
 * into one failure; the reader cuts long lines, keeps NUL bytes and invalid
 * UTF-8 as data, and gives the same findings whatever the pieces; a sample
 * cut at every byte never crashes and never finds more. */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#include "log/internal.h"
#include "log/log.h"

#include "base/banned.h"

enum { ANYC = -1 };

struct sample {
    const char *name;
    const char *text;
    enum td_cause cause;
    int confidence; /* enum td_confidence, or ANYC */
    enum td_log_party decided_by;
    enum td_log_party alert_sent_by;
};

#define NB TD_LOG_NOBODY
#define CL TD_LOG_CLIENT
#define SV TD_LOG_SERVER
#define LO TD_LOG_LOCAL
#define PE TD_LOG_PEER
#define HI TD_CONF_HIGH
#define ME TD_CONF_MEDIUM
#define LW TD_CONF_LOW

static const struct sample samples[] = {
    /* curl, OpenSSL 3 and 1.1.1 wordings */
    {"curl-untrusted",
     "*   Trying 127.0.0.1:8443...\n* Connected to localhost (127.0.0.1) port 8443 (#0)\n"
     "* TLSv1.3 (OUT), TLS alert, unknown CA (560):\n* SSL certificate problem: unable to get local issuer "
     "certificate\n"
     "curl: (60) SSL certificate problem: unable to get local issuer certificate\n",
     TD_CAUSE_UNKNOWN_CA, ME, CL, CL},
    {"curl-selfsigned-3", "curl: (60) SSL certificate problem: self-signed certificate\n", TD_CAUSE_SELF_SIGNED, HI, CL,
     NB},
    {"curl-selfsigned-1", "curl: (60) SSL certificate problem: self signed certificate in certificate chain\n",
     TD_CAUSE_UNKNOWN_CA, HI, CL, NB},
    {"curl-expired", "curl: (60) SSL certificate problem: certificate has expired\n", TD_CAUSE_EXPIRED_CERT, HI, CL,
     NB},
    {"curl-name-7", "curl: (51) SSL: no alternative certificate subject name matches target host name 'a.test'\n",
     TD_CAUSE_HOSTNAME_MISMATCH, HI, CL, NB},
    {"curl-name-8", "curl: (60) SSL: no alternative certificate subject name matches target hostname '127.0.0.1'\n",
     TD_CAUSE_HOSTNAME_MISMATCH, HI, CL, NB},
    {"curl-version-3", "curl: (35) OpenSSL/3.0.11: error:0A00042E:SSL routines::tlsv1 alert protocol version\n",
     TD_CAUSE_PROTOCOL_MISMATCH, ME, SV, SV},
    {"curl-version-111", "curl: (35) error:1409442E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version\n",
     TD_CAUSE_PROTOCOL_MISMATCH, ME, SV, SV},
    {"curl-hsfail-32", "curl: (35) TLS connect error: error:0A000410:SSL routines::ssl/tls alert handshake failure\n",
     TD_CAUSE_CIPHER_MISMATCH, LW, SV, SV},
    {"curl-hsfail-102", "curl: (35) error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure\n",
     TD_CAUSE_CIPHER_MISMATCH, LW, SV, SV},
    {"curl-hsfail-creq",
     "* TLSv1.2 (IN), TLS handshake, Request CERT (13):\n"
     "* TLSv1.2 (IN), TLS alert, handshake failure (552):\n"
     "curl: (35) error:0A000410:SSL routines::sslv3 alert handshake failure\n",
     TD_CAUSE_CLIENT_CERT_MISSING, ME, SV, SV},
    {"curl-certreq13",
     "curl: (56) OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0\n",
     TD_CAUSE_CLIENT_CERT_MISSING, HI, SV, SV},
    {"curl-wrongversion", "curl: (35) error:0A00010B:SSL routines::wrong version number\n", TD_CAUSE_NOT_TLS, ME, CL,
     NB},
    {"curl-syscall", "curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to api.test:443\n",
     TD_CAUSE_UNKNOWN, LW, SV, NB},
    {"curl-reset", "curl: (35) Recv failure: Connection reset by peer\n", TD_CAUSE_TCP_RESET, ME, SV, NB},
    {"curl-cafile", "curl: (77) error setting certificate verify locations:  CAfile: /nope.pem CApath: none\n",
     TD_CAUSE_UNKNOWN_CA, ME, CL, NB},
    {"curl-pinned", "curl: (90) SSL: public key does not match pinned public key\n", TD_CAUSE_CERTIFICATE_REJECTED, HI,
     CL, NB},
    {"curl-gnutls-term", "curl: (35) gnutls_handshake() failed: The TLS connection was non-properly terminated.\n",
     TD_CAUSE_UNKNOWN, LW, SV, NB},
    {"curl-gnutls-verify",
     "curl: (60) server certificate verification failed. CAfile: /etc/ssl/certs/ca.crt CRLfile: none\n",
     TD_CAUSE_UNKNOWN_CA, LW, CL, NB},
    {"curl-schannel-root",
     "curl: (60) schannel: SEC_E_UNTRUSTED_ROOT (0x80090325) - The certificate chain was issued by "
     "an authority that is not trusted.\n",
     TD_CAUSE_UNKNOWN_CA, ME, CL, NB},
    {"curl-schannel-name",
     "curl: (60) schannel: SEC_E_WRONG_PRINCIPAL (0x80090322) - The target principal name is "
     "incorrect.\n",
     TD_CAUSE_HOSTNAME_MISMATCH, HI, CL, NB},
    {"curl-schannel-alg",
     "curl: (35) schannel: next InitializeSecurityContext failed: SEC_E_ALGORITHM_MISMATCH "
     "(0x80090331) - The client and server cannot communicate, because they do not possess a common algorithm.\n",
     TD_CAUSE_CIPHER_MISMATCH, ME, CL, NB},
    {"curl-sectransp", "curl: (60) SSL certificate problem: Certificate chain had an expired certificate\n",
     TD_CAUSE_EXPIRED_CERT, HI, CL, NB},
    {"curl-sectransp-code", "* SSL: Handshake failed (-9836)\n", TD_CAUSE_PROTOCOL_MISMATCH, ME, SV, NB},
    /* openssl s_client / verify */
    {"s_client-unknownca",
     "CONNECTED(00000003)\ndepth=0 CN = localhost\n"
     "verify error:num=20:unable to get local issuer certificate\nverify return:1\n"
     "40B7:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../ssl/record/rec_layer_s3.c:1586:SSL "
     "alert number 48\n",
     TD_CAUSE_UNKNOWN_CA, ME, CL, SV},
    {"s_client-version",
     "CONNECTED(00000003)\n"
     "4057:error:0A000102:SSL routines:tls_process_server_hello:unsupported protocol:ssl/statem/statem_clnt.c:1690:\n",
     TD_CAUSE_PROTOCOL_MISMATCH, HI, CL, NB},
    {"s_client-dh", "CONNECTED(00000003)\n140:error:141A318A:SSL routines:tls_process_ske_dhe:dh key too small\n",
     TD_CAUSE_GROUP_MISMATCH, HI, CL, NB},
    {"s_client-reneg",
     "CONNECTED(00000003)\n"
     "error:0A000152:SSL routines:final_renegotiate:unsafe legacy renegotiation disabled\n",
     TD_CAUSE_NO_SECURE_RENEGOTIATION, HI, CL, NB},
    {"verify-expired", "error 10 at 0 depth lookup: certificate has expired\nerror leaf.pem: verification failed\n",
     TD_CAUSE_EXPIRED_CERT, HI, LO, NB},
    {"verify-102", "leaf.pem: CN = a.test\nerror 20 at 0 depth lookup:unable to get local issuer certificate\n",
     TD_CAUSE_UNKNOWN_CA, ME, LO, NB},
    {"packed-only", "SSL_connect failed: error:0A000086\n", TD_CAUSE_NONE, ANYC, NB, NB},
    /* Java */
    {"java-pkix",
     "javax.net.ssl.SSLHandshakeException: PKIX path building failed: "
     "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to "
     "requested target\n\tat java.base/sun.security.ssl.Alert.createSSLException(Alert.java:131)\n",
     TD_CAUSE_UNKNOWN_CA, ME, LO, NB},
    {"java-alert", "javax.net.ssl.SSLHandshakeException: Received fatal alert: handshake_failure\n",
     TD_CAUSE_CIPHER_MISMATCH, LW, PE, PE},
    {"java-version",
     "javax.net.ssl.SSLHandshakeException: The server selected protocol version TLS10 is not accepted "
     "by client preferences [TLS13, TLS12]\n",
     TD_CAUSE_PROTOCOL_MISMATCH, HI, CL, NB},
    {"java-noproto",
     "javax.net.ssl.SSLHandshakeException: No appropriate protocol (protocol is disabled or cipher "
     "suites are inappropriate)\n",
     TD_CAUSE_PROTOCOL_MISMATCH, ME, LO, NB},
    {"java-san", "java.security.cert.CertificateException: No subject alternative DNS name matching api.test found.\n",
     TD_CAUSE_HOSTNAME_MISMATCH, HI, LO, NB},
    {"java-expired",
     "Caused by: java.security.cert.CertificateExpiredException: NotAfter: Tue Jan 01 00:00:00 UTC 2019\n",
     TD_CAUSE_EXPIRED_CERT, HI, LO, NB},
    {"java-constraints", "javax.net.ssl.SSLHandshakeException: Certificates do not conform to algorithm constraints\n",
     TD_CAUSE_CERT_UNUSABLE, HI, LO, NB},
    {"java-plain", "javax.net.ssl.SSLException: Unsupported or unrecognized SSL message\n", TD_CAUSE_NOT_TLS, ME, LO,
     NB},
    {"java-remote", "javax.net.ssl.SSLHandshakeException: Remote host terminated the handshake\n", TD_CAUSE_UNKNOWN, LW,
     PE, NB},
    {"java-emptychain", "javax.net.ssl.SSLHandshakeException: Empty client certificate chain\n",
     TD_CAUSE_CLIENT_CERT_MISSING, HI, SV, NB},
    {"java-debug-new",
     "javax.net.ssl|DEBUG|01|main|2026-01-01 00:00:00.000 UTC|ClientHello.java:641|Produced "
     "ClientHello handshake message (\n\"ClientHello\": {\n  \"client version\"      : \"TLSv1.2\",\n"
     "javax.net.ssl|ERROR|01|main|2026-01-01|TransportContext.java:363|Fatal (CERTIFICATE_UNKNOWN): PKIX path "
     "building failed: unable to find valid certification path to requested target (\n",
     TD_CAUSE_UNKNOWN_CA, ME, CL, CL},
    {"java-debug-old",
     "*** ClientHello, TLSv1.2\nmain, READ: TLSv1.2 Alert, length = 2\n"
     "main, RECV TLSv1.2 ALERT:  fatal, protocol_version\n",
     TD_CAUSE_PROTOCOL_MISMATCH, ME, PE, PE},
    /* Go */
    {"go-unknown",
     "Get \"https://127.0.0.1:8443/\": tls: failed to verify certificate: x509: certificate signed by "
     "unknown authority\n",
     TD_CAUSE_UNKNOWN_CA, ME, LO, NB},
    {"go-name", "x509: certificate is valid for localhost, not api.test\n", TD_CAUSE_HOSTNAME_MISMATCH, HI, LO, NB},
    {"go-expired",
     "x509: certificate has expired or is not yet valid: current time 2026-12-01T00:00:00Z is after "
     "2020-01-01T00:00:00Z\n",
     TD_CAUSE_EXPIRED_CERT, HI, LO, NB},
    {"go-notyet",
     "x509: certificate has expired or is not yet valid: current time 2026-12-01T00:00:00Z is before "
     "2030-01-01T00:00:00Z\n",
     TD_CAUSE_NOT_YET_VALID_CERT, HI, LO, NB},
    {"go-remote", "remote error: tls: handshake failure\n", TD_CAUSE_CIPHER_MISMATCH, LW, PE, PE},
    {"go-remote-version", "remote error: tls: protocol version not supported\n", TD_CAUSE_PROTOCOL_MISMATCH, ME, PE,
     PE},
    {"go-server-version", "tls: server selected unsupported protocol version 301\n", TD_CAUSE_PROTOCOL_MISMATCH, HI, CL,
     NB},
    {"go-server-side",
     "2026/12/01 00:00:00 http: TLS handshake error from 127.0.0.1:5555: remote error: tls: bad "
     "certificate\n",
     TD_CAUSE_CERTIFICATE_REJECTED, ME, CL, CL},
    /* Python */
    {"python-verify",
     "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
     "self-signed certificate (_ssl.c:1006)\n",
     TD_CAUSE_SELF_SIGNED, HI, LO, NB},
    {"python-wrongver", "ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1123)\n",
     TD_CAUSE_NOT_TLS, ME, LO, NB},
    {"python-alert", "ssl.SSLError: [SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version (_ssl.c:997)\n",
     TD_CAUSE_PROTOCOL_MISMATCH, ME, PE, PE},
    {"python-36-name", "ssl.CertificateError: hostname '127.0.0.1' doesn't match 'localhost'\n",
     TD_CAUSE_HOSTNAME_MISMATCH, HI, LO, NB},
    {"python-eof", "ssl.SSLEOFError: EOF occurred in violation of protocol (_ssl.c:1129)\n", TD_CAUSE_UNKNOWN, LW, PE,
     NB},
    /* Node */
    {"node-leaf", "Error: unable to verify the first certificate\n  code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'\n",
     TD_CAUSE_INCOMPLETE_CHAIN, ME, LO, NB},
    {"node-altname",
     "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: "
     "api.test. is not in the cert's altnames: DNS:localhost\n",
     TD_CAUSE_HOSTNAME_MISMATCH, HI, LO, NB},
    {"node-depth0", "Error: self-signed certificate\n  code: 'DEPTH_ZERO_SELF_SIGNED_CERT'\n", TD_CAUSE_SELF_SIGNED, HI,
     LO, NB},
    {"node-eproto",
     "Error: write EPROTO 4057:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake "
     "failure:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1586:SSL alert number 40\n",
     TD_CAUSE_CIPHER_MISMATCH, LW, PE, PE},
    /* nginx, Apache, HAProxy, Envoy, Apigee */
    {"nginx-client",
     "2026/12/01 00:00:00 [info] 10#10: *1 SSL_do_handshake() failed (SSL: error:0A000418:SSL "
     "routines::tlsv1 alert unknown ca:SSL alert number 48) while SSL handshaking, client: 127.0.0.1, server: "
     "0.0.0.0:8443\n",
     TD_CAUSE_UNKNOWN_CA, ME, CL, CL},
    {"nginx-upstream",
     "2026/12/01 00:00:00 [error] 10#10: *1 SSL_do_handshake() failed (SSL: error:0A000086:SSL "
     "routines::certificate verify failed:self-signed certificate) while SSL handshaking to upstream, client: "
     "127.0.0.1, server: , request: \"GET / HTTP/1.1\", upstream: \"https://127.0.0.1:9443/\"\n",
     TD_CAUSE_SELF_SIGNED, HI, CL, NB},
    {"nginx-upstream-version",
     "[error] 1#1: *3 SSL_do_handshake() failed (SSL: error:0A00042E:SSL routines::tlsv1 "
     "alert protocol version:SSL alert number 70) while SSL handshaking to upstream, upstream: "
     "\"https://10.0.0.5:443/\"\n",
     TD_CAUSE_PROTOCOL_MISMATCH, ME, SV, SV},
    {"nginx-nocert",
     "[info] 1#1: *5 client sent no required SSL certificate while reading client request headers, "
     "client: 127.0.0.1\n",
     TD_CAUSE_CLIENT_CERT_MISSING, HI, SV, NB},
    {"nginx-clientverify",
     "[info] 1#1: *6 client SSL certificate verify error: (10:certificate has expired) while "
     "reading client request headers\n",
     TD_CAUSE_CLIENT_CERT_EXPIRED, HI, SV, NB},
    {"apache-ccert",
     "[ssl:info] [pid 9] [client 10.0.0.1:5000] AH02039: Certificate Verification: Error (20): unable to "
     "get local issuer certificate\n",
     TD_CAUSE_CLIENT_CERT_UNTRUSTED, ME, SV, NB},
    {"apache-proxy",
     "[ssl:info] [pid 9:tid 9] [remote 10.0.0.5:443] AH02276: Certificate Verification: Error (10): "
     "certificate has expired [subject: CN=a.test]\n[ssl:info] [pid 9:tid 9] [remote 10.0.0.5:443] AH02003: SSL Proxy "
     "connect failed\n[ssl:info] [pid 9:tid 9] SSL Library Error: error:0A000086:SSL routines::certificate verify "
     "failed\n[proxy:error] [pid 9:tid 9] [client 127.0.0.1:39034] AH00898: Error during SSL Handshake with remote "
     "server returned by /\n",
     TD_CAUSE_EXPIRED_CERT, HI, CL, NB},
    {"apache-nocert",
     "[ssl:info] [pid 9:tid 9] [client 127.0.0.1:42378] AH01964: Connection to child 128 established "
     "(server localhost:5330)\n[ssl:info] [pid 9:tid 9] [client 127.0.0.1:42378] AH02008: SSL library error 1 in "
     "handshake (server localhost:5330)\n[ssl:info] [pid 9:tid 9] SSL Library Error: error:0A0000C7:SSL "
     "routines::peer did not return a certificate -- No CAs known to server for verification?\n",
     TD_CAUSE_CLIENT_CERT_MISSING, HI, SV, NB},
    {"apache-version",
     "[ssl:info] [pid 9] SSL Library Error: error:0A000102:SSL routines::unsupported protocol -- "
     "AH02008: SSL library error 1 in handshake (server a.test:443)\n",
     TD_CAUSE_PROTOCOL_MISMATCH, HI, SV, NB},
    {"haproxy-bare", "127.0.0.1:5555 [01/Dec/2026:00:00:00.000] fe/1: SSL handshake failure\n", TD_CAUSE_UNKNOWN, LW,
     NB, NB},
    {"haproxy-ccert", "fe/1: SSL client certificate not trusted\n", TD_CAUSE_CLIENT_CERT_UNTRUSTED, HI, SV, NB},
    {"envoy-packed",
     "[debug][connection] remote address:10.0.0.1:443,TLS_error:|268435581:SSL "
     "routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end\n",
     TD_CAUSE_UNKNOWN_CA, LW, LO, NB},
    {"envoy-number-only",
     "upstream connect error or disconnect/reset before headers. reset reason: connection failure, "
     "transport failure reason: TLS error: 268436504:SSL routines\n",
     TD_CAUSE_CLIENT_CERT_UNTRUSTED, ME, SV, SV},
    {"envoy-nocipher", "downstream transport failure reason: TLS error: 268435640:SSL routines:OPENSSL_internal\n",
     TD_CAUSE_CIPHER_MISMATCH, HI, SV, NB},
    {"apigee-fault",
     "{\"fault\":{\"faultstring\":\"SSL Handshake failed javax.net.ssl.SSLHandshakeException: Received "
     "fatal alert: "
     "handshake_failure\",\"detail\":{\"errorcode\":\"messaging.adaptors.http.flow.SslHandshakeFailed\"}}}\n",
     TD_CAUSE_CIPHER_MISMATCH, LW, SV, SV},
    {"apigee-mp",
     "2026-12-01 ERROR HTTP.CLIENT - HTTPClient$Context.handshakeFailed() : SSLClientChannel[C:Remote:"
     "10.1.1.1:443 Local:10.0.0.2:5000]@1 handshakeFailed javax.net.ssl.SSLHandshakeException: General SSLEngine "
     "problem\nCaused by: sun.security.validator.ValidatorException: PKIX path building failed\n",
     TD_CAUSE_UNKNOWN_CA, ME, CL, NB},
    /* .NET, Windows */
    {"dotnet-chain",
     "System.Security.Authentication.AuthenticationException: The remote certificate is invalid because "
     "of errors in the certificate chain: UntrustedRoot\n",
     TD_CAUSE_UNKNOWN_CA, ME, CL, NB},
    {"dotnet-alert", "Authentication failed because the remote party sent a TLS alert: 'HandshakeFailure'.\n",
     TD_CAUSE_CIPHER_MISMATCH, LW, PE, PE},
    {"schannel-event",
     "A fatal alert was received from the remote endpoint. The TLS protocol defined fatal alert code "
     "is 70.\n",
     TD_CAUSE_PROTOCOL_MISMATCH, ME, PE, PE},
    {"schannel-event-sent",
     "A fatal alert was generated and sent to the remote endpoint. This may result in "
     "termination of the connection. The TLS protocol defined fatal alert code is 48.\n",
     TD_CAUSE_UNKNOWN_CA, ME, LO, LO},
    {"gnutls-cli",
     "*** Fatal error: A TLS fatal alert has been received.\n*** Received alert [112]: The server name "
     "sent was not recognized\n",
     TD_CAUSE_SNI_REQUIRED, ME, PE, PE},
    /* more stacks and versions */
    {"dotnet-framework-trust",
     "System.Net.WebException: The underlying connection was closed: Could not establish "
     "trust relationship for the SSL/TLS secure channel.\n",
     TD_CAUSE_UNKNOWN_CA, ME, CL, NB},
    {"dotnet-framework-channel",
     "Invoke-WebRequest : The request was aborted: Could not create SSL/TLS secure "
     "channel.\n",
     TD_CAUSE_PROTOCOL_MISMATCH, LW, NB, NB},
    {"nss-issuer", "curl: (60) Peer's Certificate issuer is not recognized.\n", TD_CAUSE_UNKNOWN_CA, ME, CL, NB},
    {"nss-version", "curl: (35) Peer reports incompatible or unsupported protocol version.\n",
     TD_CAUSE_PROTOCOL_MISMATCH, ME, SV, NB},
    {"chrome-date", "NET::ERR_CERT_DATE_INVALID\n", TD_CAUSE_EXPIRED_CERT, ME, CL, NB},
    {"jdk8-server-chose",
     "javax.net.ssl.SSLHandshakeException: Server chose TLSv1, but that protocol version is not "
     "enabled or not supported by the client.\n",
     TD_CAUSE_PROTOCOL_MISMATCH, HI, CL, NB},
    {"jdk7-unrecognized", "javax.net.ssl.SSLProtocolException: handshake alert:  unrecognized_name\n",
     TD_CAUSE_UNRECOGNIZED_NAME, ME, PE, PE},
    {"okhttp-name", "javax.net.ssl.SSLPeerUnverifiedException: Hostname api.test not verified:\n",
     TD_CAUSE_HOSTNAME_MISMATCH, HI, CL, NB},
    {"android-anchor",
     "javax.net.ssl.SSLHandshakeException: java.security.cert.CertPathValidatorException: Trust "
     "anchor for certification path not found.\n",
     TD_CAUSE_UNKNOWN_CA, ME, CL, NB},
    {"go-macos", "x509: \xe2\x80\x9clocalhost\xe2\x80\x9d certificate is not trusted\n", TD_CAUSE_UNKNOWN_CA, ME, LO,
     NB},
    {"psql", "psql: error: server does not support SSL, but SSL was required\n", TD_CAUSE_UPGRADE_REFUSED, HI, SV, NB},
    {"gnutls-dh",
     "*** Fatal error: The Diffie-Hellman prime sent by the server is not acceptable (not long "
     "enough).\n",
     TD_CAUSE_GROUP_MISMATCH, HI, CL, NB},
    {"python-unrecognized", "ssl.SSLError: [SSL: TLSV1_UNRECOGNIZED_NAME] tlsv1 unrecognized name (_ssl.c:852)\n",
     TD_CAUSE_UNRECOGNIZED_NAME, ME, PE, NB},
    {"ruby-name", "OpenSSL::SSL::SSLError: hostname \"api.test\" does not match the server certificate\n",
     TD_CAUSE_HOSTNAME_MISMATCH, HI, CL, NB},
    {"mbedtls-alert",
     "mbedtls_ssl_handshake returned - mbedTLS: (-0x7780) SSL - A fatal alert message was received "
     "from our peer\n",
     TD_CAUSE_UNKNOWN, LW, SV, NB},
    /* shapes seen in public bug reports */
    {"guzzle-doc-url",
     "cURL error 35: OpenSSL/3.0.2: error:0A00010B:SSL routines::wrong version number (see "
     "https://curl.haxx.se/libcurl/c/libcurl-errors.html)\n",
     TD_CAUSE_NOT_TLS, ME, CL, NB},
    {"nginx-upstream-nosni",
     "*10 SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake "
     "failure:SSL alert number 40) while SSL handshaking to upstream, client: 172.19.0.1, upstream: "
     "\"https://192.0.2.1/x\", host: \"example.org\"\n",
     TD_CAUSE_SNI_REQUIRED, LW, SV, SV},
    {"nginx-sigalg",
     "[crit] 24#24: *110 SSL_do_handshake() failed (SSL: error:14201044:SSL "
     "routines:tls_choose_sigalg:internal error) while SSL handshaking, client: 192.0.2.9, server: 0.0.0.0:443\n",
     TD_CAUSE_SIGNATURE_MISMATCH, ME, SV, NB},
    {"envoy-revoked",
     "upstream connect error or disconnect/reset before headers. reset reason: remote connection "
     "failure, transport failure reason: TLS error: 268436500:SSL "
     "routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_REVOKED\n",
     TD_CAUSE_CLIENT_CERT_REJECTED, ME, SV, SV},
    /* the connection before TLS, as tlsdiag probe names it */
    {"curl-dns", "curl: (6) Could not resolve host: api.test\n", TD_CAUSE_DNS_FAILURE, HI, CL, NB},
    {"go-dns", "Get \"https://api.test/\": dial tcp: lookup api.test on 127.0.0.53:53: no such host\n",
     TD_CAUSE_DNS_FAILURE, HI, CL, NB},
    {"curl-refused", "curl: (7) Failed to connect to 127.0.0.1 port 9 after 0 ms: Connection refused\n",
     TD_CAUSE_CONNECT_REFUSED, HI, SV, NB},
    {"client-rejected",
     "* TLSv1.2 (IN), TLS alert, bad certificate (554):\ncurl: (35) error:0A000412:SSL "
     "routines::sslv3 alert bad certificate\n",
     TD_CAUSE_CLIENT_CERT_REJECTED, ME, SV, SV},
    {"unrelated", "GET /index.html 200\nthe weather is fine\n", TD_CAUSE_NONE, ANYC, NB, NB},
};

static struct td_log *scan(const char *text, size_t len, size_t piece)
{
    struct td_log *lg = td_log_new();
    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;
        td_log_push(lg, (const uint8_t *)text + off, n);
    }
    td_log_end(lg);
    return lg;
}

static void test_samples(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        const struct sample *s = &samples[i];
        struct td_log *lg = scan(s->text, strlen(s->text), 4096);
        size_t n = td_log_num_findings(lg);
        if (s->cause == TD_CAUSE_NONE) {
            if (n != 0) {
                fail_msg("%s: expected nothing, got %s", s->name, td_cause_info(td_log_finding_at(lg, 0)->cause)->slug);
            }
            td_log_free(lg);
            continue;
        }
        if (n != 1) {
            fail_msg("%s: %zu findings, expected 1", s->name, n);
        }
        const struct td_log_finding *f = td_log_finding_at(lg, 0);
        if (f->cause != s->cause) {
            fail_msg("%s: cause %s, expected %s", s->name, td_cause_info(f->cause)->slug,
                     td_cause_info(s->cause)->slug);
        }
        if (s->confidence != ANYC && (int)f->confidence != s->confidence) {
            fail_msg("%s: confidence %s", s->name, td_confidence_name(f->confidence));
        }
        if (f->decided_by != s->decided_by) {
            fail_msg("%s: decided by %s", s->name, td_log_party_name(f->decided_by));
        }
        if (f->alert_sent_by != s->alert_sent_by) {
            fail_msg("%s: alert sent by %s", s->name, td_log_party_name(f->alert_sent_by));
        }
        if (f->confidence != TD_CONF_HIGH && f->cause != TD_CAUSE_UNKNOWN && f->num_candidates == 0 &&
            f->cause != TD_CAUSE_GROUP_MISMATCH && f->cause != TD_CAUSE_MALFORMED_MESSAGE) {
            fail_msg("%s: below high with no candidate", s->name);
        }
        assert_true(f->next[0] != '\0');
        td_log_free(lg);
    }
}

/* The next step names what the lines said: host, port and name. */
static void test_targets(void **state)
{
    (void)state;
    const char *t = "*   Trying 10.0.0.7:8443...\n* Connected to api.test (10.0.0.7) port 8443 (#0)\n"
                    "curl: (60) SSL certificate problem: certificate has expired\n";
    struct td_log *lg = scan(t, strlen(t), 7);
    assert_int_equal(td_log_num_findings(lg), 1);
    const struct td_log_finding *f = td_log_finding_at(lg, 0);
    assert_string_equal(f->host, "api.test");
    assert_string_equal(f->port, "8443");
    assert_non_null(strstr(f->next, "-connect api.test:8443 -servername api.test"));
    td_log_free(lg);
    /* hostile names never reach a command */
    const char *h = "Get \"https://a.test;rm${IFS}-rf/\": x509: certificate signed by unknown authority\n";
    lg = scan(h, strlen(h), 4096);
    f = td_log_finding_at(lg, 0);
    assert_non_null(f);
    assert_null(strstr(f->next, "rm$"));
    assert_null(strstr(f->next, "IFS"));
    assert_string_equal(f->host, "a.test");
    td_log_free(lg);
    /* the help page an error message links to is not the server */
    const char *g = "cURL error 60: SSL certificate problem: certificate has expired (see "
                    "https://curl.haxx.se/libcurl/c/libcurl-errors.html) for https://api.test:8443/v1\n";
    lg = scan(g, strlen(g), 4096);
    f = td_log_finding_at(lg, 0);
    assert_non_null(f);
    assert_string_equal(f->host, "api.test");
    assert_string_equal(f->port, "8443");
    td_log_free(lg);
}

/* Separate failures stay separate: two nginx lines, two curl runs. */
static void test_separate(void **state)
{
    (void)state;
    const char *t = "[info] 1#1: *1 SSL_do_handshake() failed (SSL: error:0A000418:SSL routines::tlsv1 alert unknown "
                    "ca) while SSL handshaking, client: 127.0.0.1, server: 0.0.0.0:443\n"
                    "[info] 1#1: *2 SSL_do_handshake() failed (SSL: error:0A00042E:SSL routines::tlsv1 alert protocol "
                    "version) while SSL handshaking, client: 127.0.0.1, server: 0.0.0.0:443\n"
                    "*   Trying 127.0.0.1:443...\ncurl: (60) SSL certificate problem: certificate has expired\n"
                    "*   Trying 127.0.0.1:443...\ncurl: (60) SSL certificate problem: self-signed certificate\n";
    struct td_log *lg = scan(t, strlen(t), 4096);
    assert_int_equal(td_log_num_findings(lg), 4);
    assert_int_equal(td_log_finding_at(lg, 0)->cause, TD_CAUSE_UNKNOWN_CA);
    assert_int_equal(td_log_finding_at(lg, 1)->cause, TD_CAUSE_PROTOCOL_MISMATCH);
    assert_int_equal(td_log_finding_at(lg, 2)->cause, TD_CAUSE_EXPIRED_CERT);
    assert_int_equal(td_log_finding_at(lg, 3)->cause, TD_CAUSE_SELF_SIGNED);
    assert_int_equal(td_log_finding_at(lg, 2)->evidence[0].line, 4);
    td_log_free(lg);
}

/* A deep stack trace is one failure: its frames keep it open. */
static void test_stack(void **state)
{
    (void)state;
    struct td_buf b = {0};
    td_buf_puts(&b, "javax.net.ssl.SSLHandshakeException: PKIX path building failed\n");
    for (int i = 0; i < 200; i++) {
        td_buf_printf(&b, "\tat org.example.Layer%d.call(Layer%d.java:%d)\n", i, i, i + 10);
    }
    td_buf_puts(&b, "Caused by: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid "
                    "certification path to requested target\n\t... 57 more\n");
    struct td_log *lg = scan((const char *)b.data, b.len, 4096);
    assert_int_equal(td_log_num_findings(lg), 1);
    assert_int_equal(td_log_finding_at(lg, 0)->num_evidence, 2);
    td_log_free(lg);
    td_buf_free(&b);
}

/* Lines of any length, NUL bytes, CR LF, invalid UTF-8: data, not errors. */
static void test_reader(void **state)
{
    (void)state;
    struct td_buf b = {0};
    for (int i = 0; i < 3 * TD_LOG_LINE_MAX; i++) {
        td_buf_putc(&b, 'x');
    }
    td_buf_puts(&b, " certificate has expired\r\n"); /* past the cut: not seen */
    static const char second[] = "\xff\xfe\0curl: (60) SSL certificate problem: certificate has expired\r\n";
    td_buf_append(&b, second, sizeof second - 1);
    struct td_log *lg = scan((const char *)b.data, b.len, 1000);
    assert_int_equal(td_log_stats(lg)->lines, 2);
    assert_int_equal(td_log_stats(lg)->cut_lines, 1);
    assert_int_equal(td_log_num_findings(lg), 1);
    const struct td_log_finding *f = td_log_finding_at(lg, 0);
    assert_int_equal(f->evidence[0].line, 2);
    assert_int_equal(f->evidence[0].text[2], '\0');
    assert_int_equal(f->evidence[0].text[f->evidence[0].text_len - 1], 'd'); /* CR dropped */
    td_log_free(lg);
    td_buf_free(&b);
}

/* The same findings whatever the pieces; a cut at every byte: no crash, never more findings. */
static void test_cuts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        const char *t = samples[i].text;
        size_t len = strlen(t);
        struct td_log *whole = scan(t, len, len ? len : 1);
        size_t n = td_log_num_findings(whole);
        for (size_t piece = 1; piece < 9; piece++) {
            struct td_log *lg = scan(t, len, piece);
            assert_int_equal(td_log_num_findings(lg), n);
            for (size_t k = 0; k < n; k++) {
                assert_int_equal(td_log_finding_at(lg, k)->cause, td_log_finding_at(whole, k)->cause);
            }
            td_log_free(lg);
        }
        for (size_t cut = 0; cut <= len; cut++) {
            struct td_log *lg = scan(t, cut, 4096);
            assert_true(td_log_num_findings(lg) <= n);
            td_log_free(lg);
        }
        td_log_free(whole);
    }
}

/* openssl s_client -msg (OpenSSL 3.0): a TLS 1.2 offer without SNI refused
 * with handshake_failure. The trace is rebuilt and judged by the pcap rules. */
static const char msg_trace[] = "CONNECTED(00000003)\n"
                                ">>> TLS 1.0, RecordHeader [length 0005]\n"
                                "    16 03 01 00 83\n"
                                ">>> TLS 1.2, Handshake [length 0083], ClientHello\n"
                                "    01 00 00 7f 03 03 cf 2d e5 60 3e 89 70 54 4d 0b\n"
                                "    e6 9e 49 2d 1e 6c 14 b1 a3 5b 42 d0 63 65 19 20\n"
                                "    02 e8 83 d1 6f e1 00 00 04 c0 2c 00 ff 01 00 00\n"
                                "    52 00 0b 00 04 03 00 01 02 00 0a 00 0c 00 0a 00\n"
                                "    1d 00 17 00 1e 00 19 00 18 00 23 00 00 00 16 00\n"
                                "    00 00 17 00 00 00 0d 00 2a 00 28 04 03 05 03 06\n"
                                "    03 08 07 08 08 08 09 08 0a 08 0b 08 04 08 05 08\n"
                                "    06 04 01 05 01 06 01 03 03 03 01 03 02 04 02 05\n"
                                "    02 06 02\n"
                                "<<< TLS 1.2, RecordHeader [length 0005]\n"
                                "    15 03 03 00 02\n"
                                "<<< TLS 1.2, Alert [length 0002], fatal handshake_failure\n"
                                "    02 28\n"
                                "803B759EE07F0000:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake "
                                "failure:../ssl/record/rec_layer_s3.c:1601:SSL alert number 40\n";

static void test_trace(void **state)
{
    (void)state;
    struct td_log *lg = scan(msg_trace, strlen(msg_trace), 4096);
    assert_int_equal(td_log_num_findings(lg), 1);
    const struct td_log_finding *f = td_log_finding_at(lg, 0);
    assert_true(f->traced);
    assert_true(f->cause == TD_CAUSE_SNI_REQUIRED || f->cause == TD_CAUSE_CIPHER_MISMATCH);
    assert_true(f->confidence != TD_CONF_HIGH);
    assert_int_equal(f->evidence[0].line, 4); /* the ClientHello's header line */
    assert_non_null(strstr(f->evidence[0].text, "[trace] ClientHello offers up to TLSv1.2"));
    assert_non_null(strstr(td_log_explanation(f), "pcap rules"));
    td_log_free(lg);
    /* the same in pieces; cut anywhere: no crash, never more */
    size_t len = strlen(msg_trace);
    for (size_t cut = 0; cut <= len; cut++) {
        lg = scan(msg_trace, cut, cut % 7 + 1);
        assert_true(td_log_num_findings(lg) <= 1);
        td_log_free(lg);
    }
    /* a second ClientHello starts a new traced connection (found by fuzz_log: it was fed with no direction) */
    struct td_buf two = {0};
    td_buf_puts(&two, msg_trace);
    td_buf_puts(&two, msg_trace);
    lg = scan((const char *)two.data, two.len, 4096);
    assert_true(td_log_num_findings(lg) >= 1);
    assert_true(td_log_finding_at(lg, td_log_num_findings(lg) - 1)->traced);
    td_log_free(lg);
    td_buf_free(&two);
    /* hex that lies about its length, and a header with no hex: nothing fed, no crash */
    const char *bad = ">>> TLS 1.2, Handshake [length ffff], ClientHello\n    01 00 00 7f 03 03\n"
                      "<<< TLS 1.2, Alert [length 0002], fatal handshake_failure\n"
                      "error:0A000410:SSL routines::sslv3 alert handshake failure\n";
    lg = scan(bad, strlen(bad), 3);
    assert_int_equal(td_log_num_findings(lg), 1);
    assert_false(td_log_finding_at(lg, 0)->traced);
    td_log_free(lg);
}

/* Every row is written as lines are normalized (else it could never match),
 * and its first part has the 4 bytes the prefilter keys on. */
static void test_table(void **state)
{
    (void)state;
    assert_true(td_log_num_patterns > 250);
    for (size_t i = 0; i < td_log_num_patterns; i++) {
        const char *m = td_log_patterns[i].match;
        char norm[512];
        td_log_normalize((const uint8_t *)m, strlen(m), norm, sizeof norm);
        if (strcmp(norm, m) != 0) {
            fail_msg("row %zu \"%s\" is not normalized (\"%s\")", i, m, norm);
        }
        if (strcspn(m, "&") < 4) {
            fail_msg("row %zu \"%s\": its first part is shorter than 4 bytes", i, m);
        }
        assert_non_null(td_log_patterns[i].family);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples), cmocka_unit_test(test_targets), cmocka_unit_test(test_separate),
        cmocka_unit_test(test_reader),  cmocka_unit_test(test_cuts),    cmocka_unit_test(test_table),
        cmocka_unit_test(test_trace),   cmocka_unit_test(test_stack),
    };
    return tl_run_tests("log/log", tests);
}
