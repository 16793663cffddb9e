/* The javax.net.debug trace of JDK 8 before the new TLS stack (JDK 8u251 and
 * older; 8u261 prints the JDK 11 format), as Oracle's "Debugging SSL/TLS
 * Connections" page and bug reports show it:
 *     *** ClientHello, TLSv1.2
 *     Cipher Suites: [TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, ...]
 *     Extension elliptic_curves, curve names: {secp256r1, secp384r1}
 *     Extension signature_algorithms, signature_algorithms: SHA512withECDSA, SHA256withRSA
 *     Extension server_name, server_name: [type=host_name (0), value=api.example.com]
 *     ***
 *     main, WRITE: TLSv1.2 Handshake, length = 211
 *     main, RECV TLSv1.2 ALERT:  fatal, handshake_failure
 * (the thread name varies), "main, SEND TLSv1.2 ALERT:  fatal, description = certificate_unknown" for an alert
 * it sends, "[Raw write]: length = 5" then "0000: 16 03 03 00 D3 ..." dumps with javax.net.debug=all. JDK 8 does
 * not say which side it is; its record lines tell: a server prints "THREAD, READ: TLSv1 Handshake, length = 197"
 * before the ClientHello it received, a client "main, WRITE: TLSv1.2 Handshake, length = 211" after the one it
 * wrote. Neither seen: the client is assumed (the usual paste). */
#include <string.h>

#include "base/mem.h"
#include "log/internal.h"
#include "log/trace_java.h"

#include "base/banned.h"

/* JDK 8's names of the signature algorithms (TLS 1.2 hash/signature pairs). */
static const struct td_name jdk8_sigalgs[] = {
    {0x0603, "SHA512withECDSA"}, {0x0601, "SHA512withRSA"},   {0x0602, "SHA512withDSA"},   {0x0503, "SHA384withECDSA"},
    {0x0501, "SHA384withRSA"},   {0x0502, "SHA384withDSA"},   {0x0403, "SHA256withECDSA"}, {0x0401, "SHA256withRSA"},
    {0x0402, "SHA256withDSA"},   {0x0303, "SHA224withECDSA"}, {0x0301, "SHA224withRSA"},   {0x0302, "SHA224withDSA"},
    {0x0203, "SHA1withECDSA"},   {0x0201, "SHA1withRSA"},     {0x0202, "SHA1withDSA"},     {0x0101, "MD5withRSA"},
};

/* Suite names; JDK 8 spells some old ones SSL_ (SSL_RSA_WITH_3DES_EDE_CBC_SHA). */
static void suites(struct td_log_msg *m, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && m->num_suites < TD_LOG_MSG_SUITES) {
        while (i < n && !(s[i] == 'T' || s[i] == 'S')) {
            i++;
        }
        size_t st = i;
        while (i < n && s[i] != ',' && s[i] != ']' && s[i] != ' ') {
            i++;
        }
        char name[96];
        size_t k = i - st;
        if (k < 4 || k >= sizeof name) {
            continue;
        }
        td_memcopy(name, s + st, k);
        if (td_mem_eq(name, "SSL_", 4)) {
            td_memcopy(name, "TLS_", 4);
        }
        uint32_t v;
        if (td_log_name_value(td_suite_names, td_suite_names_len, name, k, &v)) {
            m->suites[m->num_suites++] = (uint16_t)v;
        }
    }
}

/* "Extension NAME, ...": rebuilt as the JDK 11 reader does. */
static void extension(struct td_log_msg *m, const char *s, size_t n)
{
    const char *v;
    size_t vn;
    size_t at;
    if (td_log_jvalue(s, n, "value=", &v, &vn) && td_log_jfind(s, n, "Extension server_name", NULL)) {
        size_t e = 0;
        while (e < vn && !strchr(" ,]", v[e])) {
            e++;
        }
        td_log_msg_ext_sni(m, v, e);
    } else if (td_log_jfind(s, n, "Extension elliptic_curves", NULL) ||
               td_log_jfind(s, n, "Extension supported_groups", NULL)) {
        td_log_jext(m, TD_EXT_SUPPORTED_GROUPS, s + 10, n - 10);
    } else if (td_log_jfind(s, n, "Extension ec_point_formats", NULL)) {
        td_log_jext(m, TD_EXT_EC_POINT_FORMATS, s, n);
    } else if (td_log_jfind(s, n, "Extension signature_algorithms, ", &at)) {
        uint16_t a[TD_LOG_MSG_LIST];
        size_t k = td_log_names_in(s + at, n - at, jdk8_sigalgs, sizeof jdk8_sigalgs / sizeof jdk8_sigalgs[0], a, 0,
                                   TD_LOG_MSG_LIST);
        td_log_msg_ext_list(m, TD_EXT_SIGNATURE_ALGORITHMS, 2, 2, a, k);
    } else if (td_log_jfind(s, n, "Extension renegotiation_info", NULL)) {
        td_log_jext(m, TD_EXT_RENEGOTIATION_INFO, s, n);
    } else if (td_log_jfind(s, n, "Extension extended_master_secret", NULL)) {
        td_log_jext(m, TD_EXT_EXTENDED_MASTER_SECRET, s, n);
    } else if (td_log_jfind(s, n, "Extension application_layer_protocol_negotiation", NULL) &&
               td_log_jfind(s, n, "[", &at)) {
        td_log_msg_ext_alpn(m, s + at, n - at, "[], ");
    }
}

static void msg_line(struct td_log_jtrace *j, const char *s, size_t n)
{
    struct td_log_msg *m = &j->msg;
    size_t at;
    if (td_log_jfind(s, n, "Cipher Suite", &at) && at == 0) {
        suites(m, s + 12, n - 12);
    } else if (n > 10 && td_mem_eq(s, "Extension ", 10)) {
        extension(m, s, n);
    } else if (td_log_jfind(s, n, "Supported Signature Algorithms:", &at)) {
        m->num_sigalgs = td_log_names_in(s + at, n - at, jdk8_sigalgs, sizeof jdk8_sigalgs / sizeof jdk8_sigalgs[0],
                                         m->sigalgs, 0, TD_LOG_MSG_LIST);
    } else if (n == 7 && td_mem_eq(s, "<Empty>", 7)) {
        j->empty_cert = true;
    }
}

void td_log_jdk8_end(struct td_log_jtrace *j, struct td_log_trace *t)
{
    if (j->block == JB_OLD_MSG && (j->msg.hs_type != TD_HS_CERTIFICATE || j->empty_cert)) {
        td_log_msg_feed(t, &j->msg);
    }
    if (j->block == JB_OLD_MSG || j->block == JB_OLD_RAW) {
        j->block = JB_NONE;
    }
    j->empty_cert = false;
}

/* "*** ClientHello, TLSv1.2", "*** ServerHelloDone", "***": messages. */
static void star_line(struct td_log_jtrace *j, struct td_log_trace *t, const char *s, size_t n, uint64_t line)
{
    static const struct {
        const char *name;
        uint8_t type;
        int dir;
    } msgs[] = {{"*** ClientHello", TD_HS_CLIENT_HELLO, TD_CLIENT},
                {"*** ServerHelloDone", TD_HS_SERVER_HELLO_DONE, TD_SERVER},
                {"*** ServerHello", TD_HS_SERVER_HELLO, TD_SERVER},
                {"*** CertificateRequest", TD_HS_CERTIFICATE_REQUEST, TD_SERVER},
                {"*** Certificate chain", TD_HS_CERTIFICATE, TD_SERVER}};
    td_log_jdk8_end(j, t);
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        size_t k = strlen(msgs[i].name);
        if (n < k || !td_mem_eq(s, msgs[i].name, k)) {
            continue;
        }
        if (msgs[i].type == TD_HS_CLIENT_HELLO && j->read_hs) {
            j->local = TD_SERVER; /* it read the ClientHello */
            td_log_trace_set_local(t, TD_SERVER);
        }
        j->hello_open = msgs[i].type == TD_HS_CLIENT_HELLO && !j->read_hs;
        j->read_hs = false;
        int dir = msgs[i].type == TD_HS_CERTIFICATE && j->shd ? TD_CLIENT : msgs[i].dir;
        td_log_msg_begin(&j->msg, msgs[i].type, dir, line);
        if (n > k + 2 && s[k] == ',') {
            uint16_t v = td_log_version_value(s + k + 2, n - k - 2);
            j->msg.version = v ? v : j->msg.version;
        }
        j->shd = msgs[i].type == TD_HS_SERVER_HELLO_DONE || (j->shd && msgs[i].type != TD_HS_CLIENT_HELLO);
        j->block = JB_OLD_MSG;
        if (msgs[i].type == TD_HS_SERVER_HELLO_DONE) {
            td_log_jdk8_end(j, t);
        }
        return;
    }
}

/* "main, RECV TLSv1.2 ALERT:  fatal, handshake_failure", "..., SEND ... description = X";
 * "main, WRITE: TLSv1.2 Change Cipher Spec, length = 1". */
static bool record_line(struct td_log_jtrace *j, struct td_log_trace *t, const char *s, size_t n, uint64_t line)
{
    size_t at;
    bool write = td_log_jfind(s, n, ", WRITE: ", NULL);
    if (td_log_jfind(s, n, " Handshake, length = ", NULL) && (write || td_log_jfind(s, n, ", READ: ", NULL))) {
        if (write && j->hello_open) {
            j->local = TD_CLIENT; /* it wrote the ClientHello it printed */
            td_log_trace_set_local(t, TD_CLIENT);
        }
        j->read_hs = !write;
        j->hello_open = false;
        return true;
    }
    if (td_log_jfind(s, n, " ALERT:  ", &at) &&
        (td_log_jfind(s, n, ", RECV ", NULL) || td_log_jfind(s, n, ", SEND ", NULL))) {
        bool sent = td_log_jfind(s, n, ", SEND ", NULL);
        const char *r = s + at + 9;
        size_t rn = n - at - 9, c;
        uint8_t level = rn >= 5 && td_mem_eq(r, "fatal", 5) ? 2 : 1;
        if (!td_log_jfind(r, rn, ", ", &c)) {
            return true;
        }
        r += c + 2;
        rn -= c + 2;
        if (rn > 14 && td_mem_eq(r, "description = ", 14)) {
            r += 14;
            rn -= 14;
        }
        uint32_t d;
        if (td_log_name_value(td_alert_names, td_alert_names_len, r, rn, &d)) {
            td_log_trace_alert(t, sent ? j->local : 1 - j->local, level, (uint8_t)d, line);
        }
        return true;
    }
    if (td_log_jfind(s, n, " Change Cipher Spec, length = ", NULL) &&
        (td_log_jfind(s, n, ", WRITE: ", NULL) || td_log_jfind(s, n, ", READ: ", NULL))) {
        td_log_trace_ccs(t, write ? j->local : 1 - j->local, line);
        return true;
    }
    return false;
}

bool td_log_jdk8_line(struct td_log_jtrace *j, struct td_log_trace *t, const char *s, size_t n, uint64_t line)
{
    if (j->block == JB_OLD_RAW) {
        uint8_t b[16];
        if (td_log_dump_line(s, n, b, sizeof b) > 0) {
            td_log_jraw(j, t, s, n);
            return true;
        }
        j->block = JB_NONE;
    }
    if (n >= 3 && td_mem_eq(s, "***", 3) && (n == 3 || s[3] == ' ')) {
        star_line(j, t, s, n, line);
        return true;
    }
    if (n > 11 && (td_mem_eq(s, "[Raw write", 10) || td_mem_eq(s, "[Raw read", 9))) {
        td_log_jdk8_end(j, t);
        j->block = JB_OLD_RAW;
        j->dir = s[5] == 'w' ? j->local : 1 - j->local;
        j->line = line;
        return true;
    }
    if (j->block == JB_OLD_MSG) {
        msg_line(j, s, n);
        return true;
    }
    return record_line(j, t, s, n, line);
}
