/* Java's javax.net.debug traces in the JDK 8 format (before the new TLS
 * stack), rebuilt into records and judged by the pcap rules. There is no
 * JDK 8 on the test machine: these samples are written from the format of
 * Oracle's "Debugging SSL/TLS Connections" page (JDK 8) and the traces pasted
 * in public bug reports; the raw-dump sample carries the bytes of a real
 * JDK 17 ClientHello in JDK 8's "[Raw write]" layout. The JDK 11+ format and
 * s_client -trace are tested live (t2110-log-traces). Each sample cut at
 * every byte never crashes and never finds more. */
#include "testlib.h"

#include <string.h>

#include "log/internal.h"
#include "log/log.h"
#include "log/trace_internal.h"

#include "base/banned.h"

static const char jdk8_nocipher[] =
    "*** ClientHello, TLSv1.2\n"
    "RandomCookie:  GMT: 1469999111 bytes = { 12, 34, 56 }\n"
    "Session ID:  {}\n"
    "Cipher Suites: [TLS_RSA_WITH_AES_128_CBC_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA, SSL_RSA_WITH_3DES_EDE_CBC_SHA, "
    "TLS_EMPTY_RENEGOTIATION_INFO_SCSV]\n"
    "Compression Methods:  { 0 }\n"
    "Extension elliptic_curves, curve names: {secp256r1, secp384r1, secp521r1}\n"
    "Extension ec_point_formats, formats: [uncompressed]\n"
    "Extension signature_algorithms, signature_algorithms: SHA512withECDSA, SHA512withRSA, SHA256withECDSA, "
    "SHA256withRSA, SHA1withRSA\n"
    "Extension server_name, server_name: [type=host_name (0), value=api.example.com]\n"
    "***\n"
    "main, WRITE: TLSv1.2 Handshake, length = 145\n"
    "main, READ: TLSv1.2 Alert, length = 2\n"
    "main, RECV TLSv1.2 ALERT:  fatal, handshake_failure\n"
    "main, called closeSocket()\n"
    "main, handling exception: javax.net.ssl.SSLHandshakeException: Received fatal alert: handshake_failure\n";

static const char jdk8_sni[] =
    "*** ClientHello, TLSv1.2\n"
    "Cipher Suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"
    "Extension elliptic_curves, curve names: {secp256r1}\n"
    "Extension server_name, server_name: [type=host_name (0), value=old.example.com]\n"
    "***\n"
    "http-nio-8080-exec-3, WRITE: TLSv1.2 Handshake, length = 120\n"
    "http-nio-8080-exec-3, RECV TLSv1.2 ALERT:  fatal, unrecognized_name\n"
    "http-nio-8080-exec-3, handling exception: javax.net.ssl.SSLHandshakeException: Received fatal alert: "
    "unrecognized_name\n";

static const char jdk8_nocert[] =
    "*** ClientHello, TLSv1.2\n"
    "Cipher Suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA]\n"
    "Extension elliptic_curves, curve names: {secp256r1, secp384r1}\n"
    "Extension ec_point_formats, formats: [uncompressed]\n"
    "Extension signature_algorithms, signature_algorithms: SHA256withECDSA, SHA256withRSA\n"
    "Extension server_name, server_name: [type=host_name (0), value=mtls.example.com]\n"
    "***\n"
    "main, WRITE: TLSv1.2 Handshake, length = 130\n"
    "main, READ: TLSv1.2 Handshake, length = 89\n"
    "*** ServerHello, TLSv1.2\n"
    "RandomCookie:  GMT: 1469999112 bytes = { 1, 2, 3 }\n"
    "Session ID:  {91, 112}\n"
    "Cipher Suite: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n"
    "Compression Method: 0\n"
    "Extension renegotiation_info, renegotiated_connection: <empty>\n"
    "***\n"
    "%% Initialized:  [Session-1, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n"
    "** TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n"
    "*** Certificate chain\n"
    "chain [0] = [\n"
    "[\n"
    "  Version: V3\n"
    "  Subject: CN=mtls.example.com\n"
    "]\n"
    "***\n"
    "*** ECDH ServerKeyExchange\n"
    "Signature Algorithm SHA256withRSA\n"
    "*** CertificateRequest\n"
    "Cert Types: RSA, DSS, ECDSA\n"
    "Supported Signature Algorithms: SHA512withECDSA, SHA256withECDSA, SHA256withRSA\n"
    "Cert Authorities:\n"
    "<CN=Example Client CA>\n"
    "*** ServerHelloDone\n"
    "Warning: no suitable certificate found - continuing without client authentication\n"
    "*** Certificate chain\n"
    "<Empty>\n"
    "***\n"
    "*** ECDHClientKeyExchange\n"
    "main, WRITE: TLSv1.2 Handshake, length = 77\n"
    "main, WRITE: TLSv1.2 Change Cipher Spec, length = 1\n"
    "*** Finished\n"
    "main, WRITE: TLSv1.2 Handshake, length = 40\n"
    "main, READ: TLSv1.2 Alert, length = 2\n"
    "main, RECV TLSv1.2 ALERT:  fatal, handshake_failure\n"
    "main, handling exception: javax.net.ssl.SSLHandshakeException: Received fatal alert: handshake_failure\n";

static const char jdk8_raw[] =
    "*** ClientHello, TLSv1.3\n"
    "Cipher Suites: [TLS_AES_256_GCM_SHA384]\n"
    "***\n"
    "[Raw write]: length = 343\n"
    "0000: 16 03 03 01 52 01 00 01   4E 03 03 E6 A5 83 4A 04  ....R...N.....J.\n"
    "0010: 4A 8C 6C 8C 16 C0 D6 CF   9B 60 B0 68 58 A4 9D 82  J.l......`.hX...\n"
    "0020: 07 48 67 5A 7B 46 5D CB   92 12 DA 20 BD 11 F2 5F  .HgZ.F].... ..._\n"
    "0030: 45 D2 D5 9B 88 D4 55 D5   BE 2B B7 76 BC E0 1A AA  E.....U..+.v....\n"
    "0040: F4 2E 7A 17 5B B5 29 77   89 EF AA 4E 00 06 13 02  ..z.[.)w...N....\n"
    "0050: 13 01 13 03 01 00 00 FF   00 00 00 10 00 0E 00 00  ................\n"
    "0060: 0B 73 65 72 76 65 72 2E   74 65 73 74 00 05 00 05  .server.test....\n"
    "0070: 01 00 00 00 00 00 0A 00   16 00 14 00 1D 00 17 00  ................\n"
    "0080: 18 00 19 00 1E 01 00 01   01 01 02 01 03 01 04 00  ................\n"
    "0090: 0D 00 22 00 20 04 03 05   03 06 03 08 07 08 08 08  ..\". ...........\n"
    "00A0: 04 08 05 08 06 08 09 08   0A 08 0B 04 01 05 01 06  ................\n"
    "00B0: 01 02 03 02 01 00 2B 00   03 02 03 04 00 2D 00 02  ......+......-..\n"
    "00C0: 01 01 00 32 00 22 00 20   04 03 05 03 06 03 08 07  ...2.\". ........\n"
    "00D0: 08 08 08 04 08 05 08 06   08 09 08 0A 08 0B 04 01  ................\n"
    "00E0: 05 01 06 01 02 03 02 01   00 33 00 6B 00 69 00 1D  .........3.k.i..\n"
    "00F0: 00 20 F1 EB DE D2 49 1B   ED 9F 11 7A D6 15 7A 16  . ....I....z..z.\n"
    "0100: 7B 89 1C BB 29 8A 37 54   75 66 41 52 84 0F D4 14  ....).7TufAR....\n"
    "0110: 24 75 00 17 00 41 04 F3   2C 31 2B D2 16 28 D5 B4  $u...A..,1+..(..\n"
    "0120: D2 FA AD EC 2F B7 E9 0E   59 A8 32 76 E8 7F 90 83  ..../...Y.2v....\n"
    "0130: CE BA 98 AE 36 1B 1B C9   14 88 74 5E B0 7C 46 F6  ....6.....t^..F.\n"
    "0140: 94 21 0A 6A CE 59 CD 04   08 54 A5 71 FB 9B C7 31  .!.j.Y...T.q...1\n"
    "0150: 33 8B B1 18 5A 0B 48                               3...Z.H\n"
    "main, READ: TLSv1.2 Alert, length = 2\n"
    "[Raw read]: length = 5\n"
    "0000: 15 03 03 00 02                                     .....\n"
    "[Raw read]: length = 2\n"
    "0000: 02 46                                              .F\n"
    "main, RECV TLSv1.2 ALERT:  fatal, protocol_version\n"
    "main, handling exception: javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version\n";

/* openssl s_server -trace refusing a TLS 1.3-only client (OpenSSL 3.0's
 * output, the extensions cut to those the rules read): the ClientHello is a
 * "Received Record", so the trace is the server's. */
static const char srv_trace_version[] =
    "ACCEPT\n"
    "Received Record\n"
    "Header:\n"
    "  Version = TLS 1.0 (0x301)\n"
    "  Content Type = Handshake (22)\n"
    "  Length = 220\n"
    "    ClientHello, Length=216\n"
    "      client_version=0x303 (TLS 1.2)\n"
    "      cipher_suites (len=8)\n"
    "        {0x13, 0x02} TLS_AES_256_GCM_SHA384\n"
    "        {0x13, 0x01} TLS_AES_128_GCM_SHA256\n"
    "      compression_methods (len=1)\n"
    "        No Compression (0x00)\n"
    "      extensions, length = 19\n"
    "        extension_type=supported_groups(10), length=4\n"
    "          ecdh_x25519 (29)\n"
    "        extension_type=supported_versions(43), length=3\n"
    "          TLS 1.3 (772)\n"
    "\n"
    "Sent Record\n"
    "Header:\n"
    "  Version = TLS 1.2 (0x303)\n"
    "  Content Type = Alert (21)\n"
    "  Length = 2\n"
    "    Level=fatal(2), description=protocol version(70)\n"
    "\n"
    "80FB2C5AAD7F0000:error:0A000102:SSL routines:tls_early_post_process_client_hello:unsupported "
    "protocol:../ssl/statem/statem_srvr.c:1664:\n";

/* s_server -msg, the same refusal (OpenSSL 3.0, as printed): "<<<" ClientHello. */
static const char srv_msg_version[] =
    "ACCEPT\n"
    "<<< TLS 1.0, RecordHeader [length 0005]\n"
    "    16 03 01 00 40\n"
    "<<< TLS 1.3, Handshake [length 0040], ClientHello\n"
    "    01 00 00 3c 03 03 00 00 00 00 00 00 00 00 00 00\n"
    "    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
    "    00 00 00 00 00 00 00 00 04 13 02 13 01 01 00 00\n"
    "    0f 00 2b 00 03 02 03 04 00 0a 00 04 00 02 00 1d\n"
    ">>> TLS 1.2, RecordHeader [length 0005]\n"
    "    15 03 03 00 02\n"
    ">>> TLS 1.2, Alert [length 0002], fatal protocol_version\n"
    "    02 46\n"
    "80BB11FE367F0000:error:0A000102:SSL routines:tls_early_post_process_client_hello:unsupported "
    "protocol:../ssl/statem/statem_srvr.c:1664:\n";

/* s_client -trace: a HelloRetryRequest for P-384 (the random OpenSSL prints
 * as gmt_unix_time and random_bytes), a second ClientHello still without a
 * P-384 share, refused by the server. */
/* Its ClientHello record, sent twice (the first with record version TLS 1.0):
 * x25519 and P-384 listed, an x25519 share only. */
#define SC_HRR_HELLO                                                                                                   \
    "  Content Type = Handshake (22)\n"                                                                                \
    "  Length = 100\n"                                                                                                 \
    "    ClientHello, Length=96\n"                                                                                     \
    "      client_version=0x303 (TLS 1.2)\n"                                                                           \
    "      cipher_suites (len=2)\n"                                                                                    \
    "        {0x13, 0x02} TLS_AES_256_GCM_SHA384\n"                                                                    \
    "      extensions, length = 60\n"                                                                                  \
    "        extension_type=supported_groups(10), length=6\n"                                                          \
    "          ecdh_x25519 (29)\n"                                                                                     \
    "          secp384r1 (P-384) (24)\n"                                                                               \
    "        extension_type=supported_versions(43), length=3\n"                                                        \
    "          TLS 1.3 (772)\n"                                                                                        \
    "        extension_type=key_share(51), length=38\n"                                                                \
    "            NamedGroup: ecdh_x25519 (29)\n"

static const char sc_hrr_noshare[] =
    "Sent Record\n"
    "Header:\n"
    "  Version = TLS 1.0 (0x301)\n" SC_HRR_HELLO "\n"
    "Received Record\n"
    "Header:\n"
    "  Version = TLS 1.2 (0x303)\n"
    "  Content Type = Handshake (22)\n"
    "  Length = 88\n"
    "    ServerHello, Length=84\n"
    "      server_version=0x303 (TLS 1.2)\n"
    "      Random:\n"
    "        gmt_unix_time=0xCF21AD74\n"
    "        random_bytes (len=28): E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C\n"
    "      cipher_suite {0x13, 0x02} TLS_AES_256_GCM_SHA384\n"
    "      extensions, length = 12\n"
    "        extension_type=supported_versions(43), length=2\n"
    "            TLS 1.3 (772)\n"
    "        extension_type=key_share(51), length=2\n"
    "            NamedGroup: secp384r1 (P-384) (24)\n"
    "\n"
    "Sent Record\n"
    "Header:\n"
    "  Version = TLS 1.2 (0x303)\n" SC_HRR_HELLO "\n"
    "Received Record\n"
    "Header:\n"
    "  Version = TLS 1.2 (0x303)\n"
    "  Content Type = Alert (21)\n"
    "  Length = 2\n"
    "    Level=fatal(2), description=illegal parameter(47)\n"
    "\n"
    "80DB2C5AAD7F0000:error:0A00042F:SSL routines:ssl3_read_bytes:tlsv1 alert illegal parameter:"
    "../ssl/record/rec_layer_s3.c:1605:SSL alert number 47\n";

/* Java 17: the HelloRetryRequest as JDK 11+ prints it, then the client gives
 * up with an alert of its own instead of a second ClientHello. */
#define JL "javax.net.ssl|DEBUG|10|main|2026-12-02 03:54:45.453 UTC|"
static const char java_hrr_gave_up[] = JL
    "ClientHello.java:639|Produced ClientHello handshake message (\n"
    "\"ClientHello\": {\n"
    "  \"client version\"      : \"TLSv1.2\",\n"
    "  \"cipher suites\"       : \"[TLS_AES_256_GCM_SHA384(0x1302), TLS_AES_128_GCM_SHA256(0x1301)]\",\n"
    "  \"extensions\"          : [\n"
    "    \"supported_groups (10)\": {\n"
    "      \"versions\": [x25519, secp256r1, secp384r1]\n"
    "    },\n"
    "    \"supported_versions (43)\": {\n"
    "      \"versions\": [TLSv1.3, TLSv1.2]\n"
    "    },\n"
    "    \"key_share (51)\": {\n"
    "      \"client_shares\": [  \n"
    "        {\n"
    "          \"named group\": x25519\n"
    "        },\n"
    "      ]\n"
    "    }\n"
    "  ]\n"
    "}\n"
    ")\n" JL "ServerHello.java:897|Consuming ServerHello handshake message (\n"
    "\"HelloRetryRequest\": {\n"
    "  \"server version\"      : \"TLSv1.2\",\n"
    "  \"random\"              : \"CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C\",\n"
    "  \"cipher suite\"        : \"TLS_AES_256_GCM_SHA384(0x1302)\",\n"
    "  \"extensions\"          : [\n"
    "    \"supported_versions (43)\": {\n"
    "      \"selected version\": [TLSv1.3]\n"
    "    },\n"
    "    \"key_share (51)\": {\n"
    "      \"selected group\": [secp384r1]\n"
    "    }\n"
    "  ]\n"
    "}\n"
    ")\n" JL "TransportContext.java:375|Fatal (ILLEGAL_PARAMETER): Unexpected HelloRetryRequest selected group: "
    "secp384r1\n"
    "javax.net.ssl.SSLException: Unexpected HelloRetryRequest selected group: secp384r1\n";

/* JDK 8 as a server (Tomcat's thread): it READ the ClientHello it prints,
 * found no suite in common and sent handshake_failure. */
static const char jdk8_server[] = "http-nio-8443-exec-1, READ: TLSv1.2 Handshake, length = 120\n"
                                  "*** ClientHello, TLSv1.2\n"
                                  "Cipher Suites: [TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_CBC_SHA]\n"
                                  "Extension server_name, server_name: [type=host_name (0), value=api.example.com]\n"
                                  "***\n"
                                  "%% Initialized:  [Session-1, SSL_NULL_WITH_NULL_NULL]\n"
                                  "http-nio-8443-exec-1, fatal error: 40: no cipher suites in common\n"
                                  "javax.net.ssl.SSLHandshakeException: no cipher suites in common\n"
                                  "http-nio-8443-exec-1, SEND TLSv1.2 ALERT:  fatal, description = handshake_failure\n"
                                  "http-nio-8443-exec-1, WRITE: TLSv1.2 Alert, length = 2\n";

static struct td_log *scan(const char *text, size_t len, size_t piece)
{
    struct td_log *lg = td_log_new();
    for (size_t i = 0; i < len; i += piece) {
        td_log_push(lg, (const uint8_t *)text + i, len - i < piece ? len - i : piece);
    }
    td_log_end(lg);
    return lg;
}

static bool has_evidence(const struct td_log_finding *f, uint64_t line, const char *start)
{
    for (size_t i = 0; i < f->num_evidence; i++) {
        if (f->evidence[i].line == line && f->evidence[i].text_len >= strlen(start) &&
            memcmp(f->evidence[i].text, start, strlen(start)) == 0) {
            return true;
        }
    }
    return false;
}

/* One finding, judged from the trace: the cause, the confidence, the ClientHello's line (0: not evidence). */
static const struct td_log_finding *judged(struct td_log *lg, enum td_cause c, enum td_confidence conf,
                                           uint64_t hello_line)
{
    assert_int_equal(td_log_num_findings(lg), 1);
    const struct td_log_finding *f = td_log_finding_at(lg, 0);
    assert_true(f->traced);
    assert_int_equal(f->cause, c);
    assert_int_equal(f->confidence, conf);
    assert_true(hello_line == 0 || has_evidence(f, hello_line, "[trace] ClientHello"));
    assert_non_null(strstr(td_log_explanation(f), "pcap rules"));
    assert_null(strstr(td_log_explanation(f), "192.0.2.")); /* the trace's placeholder addresses, never shown */
    return f;
}

/* One finding with the trace judged, its ClientHello (text) at line, and
 * the sides: who decided, who sent the alert. */
static const struct td_log_finding *sides(struct td_log *lg, uint64_t line, const char *text, enum td_log_party decided,
                                          enum td_log_party sent)
{
    assert_int_equal(td_log_num_findings(lg), 1);
    const struct td_log_finding *f = td_log_finding_at(lg, 0);
    assert_true(f->traced);
    assert_true(has_evidence(f, line, text));
    assert_int_equal(f->decided_by, decided);
    assert_int_equal(f->alert_sent_by, sent);
    return f;
}

static void cut_everywhere(const char *text)
{
    size_t len = strlen(text);
    for (size_t cut = 0; cut <= len; cut++) {
        struct td_log *lg = scan(text, cut, cut % 5 + 1);
        assert_true(td_log_num_findings(lg) <= 1);
        td_log_free(lg);
    }
}

static void test_jdk8_offer(void **state)
{
    (void)state;
    /* only TLS_RSA_* suites offered and a bare handshake_failure: the rules read the offer */
    struct td_log *lg = scan(jdk8_nocipher, strlen(jdk8_nocipher), 4096);
    const struct td_log_finding *f = td_log_finding_at(lg, 0);
    assert_int_equal(td_log_num_findings(lg), 1);
    assert_true(f->traced);
    assert_true(has_evidence(f, 1, "[trace] ClientHello offers up to TLSv1.2, 4 suites, api.example.com"));
    assert_true(f->confidence != TD_CONF_HIGH); /* handshake_failure proves no reason */
    td_log_free(lg);
    lg = scan(jdk8_sni, strlen(jdk8_sni), 7);
    judged(lg, TD_CAUSE_UNRECOGNIZED_NAME, TD_CONF_HIGH, 1);
    assert_non_null(strstr(td_log_explanation(td_log_finding_at(lg, 0)), "old.example.com"));
    td_log_free(lg);
    cut_everywhere(jdk8_nocipher);
    cut_everywhere(jdk8_sni);
}

static void test_jdk8_client_cert(void **state)
{
    (void)state;
    struct td_log *lg = scan(jdk8_nocert, strlen(jdk8_nocert), 4096);
    const struct td_log_finding *f = judged(lg, TD_CAUSE_CLIENT_CERT_MISSING, TD_CONF_HIGH, 0);
    assert_true(has_evidence(f, 28, "[trace] CertificateRequest"));
    assert_true(has_evidence(f, 35, "[trace] client Certificate is empty"));
    assert_int_equal(f->decided_by, TD_LOG_SERVER); /* it WROTE the ClientHello it printed: the client's trace */
    td_log_free(lg);
    cut_everywhere(jdk8_nocert);
}

static void test_jdk8_raw(void **state)
{
    (void)state;
    /* the raw records win over the rebuilt ClientHello (TLS 1.3 only, as the bytes say) */
    struct td_log *lg = scan(jdk8_raw, strlen(jdk8_raw), 13);
    const struct td_log_finding *f = judged(lg, TD_CAUSE_PROTOCOL_MISMATCH, TD_CONF_HIGH, 4);
    assert_true(has_evidence(f, 4, "[trace] ClientHello offers TLSv1.3 only, 3 suites, server.test"));
    td_log_free(lg);
    cut_everywhere(jdk8_raw);
}

/* The newer alerts name the newer causes, as pcap has them, at medium from
 * the words alone (no offer seen); the SNI the lines show is named. */
static void test_newer_alerts(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum td_cause cause;
    } words[] = {
        {"javax.net.ssl.SSLHandshakeException: Received fatal alert: unrecognized_name\n", TD_CAUSE_UNRECOGNIZED_NAME},
        {"ssl.SSLError: [SSL: TLSV1_UNRECOGNIZED_NAME] tlsv1 unrecognized name (_ssl.c:1006)\n",
         TD_CAUSE_UNRECOGNIZED_NAME},
        {"curl: (35) OpenSSL/3.0.11: error:0A000460:SSL routines::tlsv1 alert no application protocol\n",
         TD_CAUSE_ALPN_MISMATCH},
        {"javax.net.ssl.SSLHandshakeException: Received fatal alert: no_application_protocol\n",
         TD_CAUSE_ALPN_MISMATCH},
        {"error:0A000056:SSL routines::inappropriate fallback\n", TD_CAUSE_INAPPROPRIATE_FALLBACK},
        {"javax.net.ssl.SSLHandshakeException: Received fatal alert: inappropriate_fallback\n",
         TD_CAUSE_INAPPROPRIATE_FALLBACK},
        {"javax.net.ssl.SSLHandshakeException: No supported signature algorithm\n", TD_CAUSE_SIGNATURE_MISMATCH},
        {"SSL_do_handshake() failed (SSL: error:0A000076:SSL routines::no suitable signature algorithm) (SSL: "
         "error:0A0000D8:SSL routines::no common signature algorithms)\n",
         TD_CAUSE_SIGNATURE_MISMATCH},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        struct td_log *lg = scan(words[i].text, strlen(words[i].text), 4096);
        assert_int_equal(td_log_num_findings(lg), 1);
        const struct td_log_finding *f = td_log_finding_at(lg, 0);
        if (f->cause != words[i].cause || f->confidence != TD_CONF_MEDIUM) {
            fail_msg("%s: %d at %d", words[i].text, f->cause, f->confidence);
        }
        td_log_free(lg);
    }
    const char *named = "* Connected to old.example.com (192.0.2.7) port 443 (#0)\n"
                        "curl: (35) error:0A000458:SSL routines::tlsv1 unrecognized name\n";
    struct td_log *lg = scan(named, strlen(named), 4096);
    assert_non_null(strstr(td_log_explanation(td_log_finding_at(lg, 0)), "old.example.com"));
    td_log_free(lg);
}

static void test_dump_line(void **state)
{
    (void)state;
    uint8_t b[16];
    assert_int_equal(td_log_dump_line("  0000: 16 03 03 01 52 01 00 01   4E 03  ....", 44, b, 16), 10);
    assert_int_equal(b[9], 0x03);
    const char *o = "0000 - 00 0e 00 00 0b 73 65 72-76 65 72 2e 74 65 73   .....server.tes";
    assert_int_equal(td_log_dump_line(o, strlen(o), b, 16), 15);
    assert_int_equal(b[8], 0x76);
    /* the ascii column is never read as bytes, whatever it holds */
    const char *a = "0000: 41                                               AB CD EF";
    assert_int_equal(td_log_dump_line(a, strlen(a), b, 16), 1);
    assert_int_equal(td_log_dump_line("0000:", 5, b, 16), -1);
    assert_int_equal(td_log_dump_line("hello world", 11, b, 16), -1);
}

/* Hostile traces: lists longer than kept, extension bodies that do not
 * rebuild, names that are no names, a second ClientHello mid-message. */
static void test_hostile(void **state)
{
    (void)state;
    struct td_buf b = {0};
    td_buf_puts(&b, "*** ClientHello, TLSv9.9\nCipher Suites: [");
    for (int i = 0; i < 400; i++) {
        td_buf_puts(&b, "TLS_AES_128_GCM_SHA256, SSL_, TLS_, ");
    }
    td_buf_puts(&b, "]\nExtension server_name, server_name: [type=host_name (0), value=]\n"
                    "Extension elliptic_curves, curve names: {");
    for (int i = 0; i < 400; i++) {
        td_buf_puts(&b, "x25519, ");
    }
    td_buf_puts(&b, "}\n*** ClientHello, TLSv1.2\n***\n[Raw write]: length = 3\n0000: 16 03\n"
                    "main, RECV TLSv1.2 ALERT:  fatal, \nmain, SEND TLSv1.2 ALERT:  fatal, description = nosuch\n"
                    "javax.net.ssl|DEBUG|1|m|t|X.java:1|Produced ClientHello handshake message (\n"
                    "    \"server_name (99999999999)\": {\n    \"key_share (51)\": {\n  ]\n)\n"
                    "javax.net.ssl|ERROR|1|m|t|X.java:1|Fatal (NOSUCH): No appropriate protocol\n");
    struct td_log *lg = scan((const char *)b.data, b.len, 4096);
    assert_true(td_log_num_findings(lg) >= 1);
    td_log_free(lg);
    td_buf_free(&b);
}

/* s_server -trace and -msg: the ClientHello received makes the trace the
 * server's: the alert it sent is the server's, and the server decided. */
static void test_server_traces(void **state)
{
    (void)state;
    const char *texts[] = {srv_trace_version, srv_msg_version};
    for (size_t i = 0; i < 2; i++) {
        struct td_log *lg = scan(texts[i], strlen(texts[i]), 11);
        const struct td_log_finding *f = sides(lg, i == 0 ? 7 : 4, "[trace] ClientHello offers TLSv1.3 only",
                                               TD_LOG_SERVER, TD_LOG_SERVER);
        assert_int_equal(f->cause, TD_CAUSE_PROTOCOL_MISMATCH);
        assert_int_equal(f->confidence, TD_CONF_HIGH);
        assert_int_equal(f->alert, 70);
        td_log_free(lg);
        cut_everywhere(texts[i]);
    }
}

/* A HelloRetryRequest rebuilt (s_client's random, Java's name): the client
 * that gives up, or retries without the share asked for, is hrr_failed. */
static void test_hrr(void **state)
{
    (void)state;
    struct td_log *lg = scan(sc_hrr_noshare, strlen(sc_hrr_noshare), 4096);
    const struct td_log_finding *f = judged(lg, TD_CAUSE_HRR_FAILED, TD_CONF_HIGH, 6);
    assert_true(has_evidence(f, 24, "[trace] HelloRetryRequest asks for a secp384r1 key share"));
    assert_true(has_evidence(f, 41, "[trace] second ClientHello without a secp384r1 key share"));
    assert_int_equal(f->alert_sent_by, TD_LOG_SERVER);
    td_log_free(lg);
    lg = scan(java_hrr_gave_up, strlen(java_hrr_gave_up), 9);
    judged(lg, TD_CAUSE_HRR_FAILED, TD_CONF_HIGH, 1);
    sides(lg, 22, "[trace] HelloRetryRequest asks for a secp384r1 key share", TD_LOG_CLIENT, TD_LOG_CLIENT);
    td_log_free(lg);
    cut_everywhere(sc_hrr_noshare);
    cut_everywhere(java_hrr_gave_up);
}

/* JDK 8 on the server: its READ before the ClientHello says so. */
static void test_jdk8_server(void **state)
{
    (void)state;
    struct td_log *lg = scan(jdk8_server, strlen(jdk8_server), 4096);
    sides(lg, 2, "[trace] ClientHello offers up to TLSv1.2, 2 suites", TD_LOG_SERVER, TD_LOG_SERVER);
    td_log_free(lg);
    cut_everywhere(jdk8_server);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jdk8_offer),    cmocka_unit_test(test_jdk8_client_cert),
        cmocka_unit_test(test_jdk8_raw),      cmocka_unit_test(test_dump_line),
        cmocka_unit_test(test_hostile),       cmocka_unit_test(test_newer_alerts),
        cmocka_unit_test(test_server_traces), cmocka_unit_test(test_hrr),
        cmocka_unit_test(test_jdk8_server),
    };
    return tl_run_tests("log/trace", tests);
}
