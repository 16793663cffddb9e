/* TLS alerts as logs name them, who sent them, and what each points to.
 * "tlsv1 alert unknown ca" (OpenSSL), "Received fatal alert: unknown_ca"
 * (Java), "remote error: tls: unknown certificate authority" (Go), curl -v's
 * "(IN), TLS alert, unknown CA (560)", Schannel's event "fatal alert code is
 * 48": the peer sent it, so the peer decided. "(OUT), TLS alert", Java's
 * "SEND ... ALERT" and "Fatal (X):", Schannel's "generated and sent": the
 * local stack decided. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "log/internal.h"
#include "tls/names.h"

#include "base/banned.h"

/* Names as the stacks spell them once normalized (lower case, _ as blank);
 * longer names before their prefixes. */
static const struct {
    const char *name;
    int desc;
} alert_names[] = {
    {"handshake failure", 40},
    {"handshakefailure", 40},
    {"no certificate", 41},
    {"bad certificate status response", 113},
    {"bad certificate hash value", 114},
    {"bad certificate", 42},
    {"badcertificate", 42},
    {"unsupported certificate", 43},
    {"unsupportedcert", 43},
    {"certificate revoked", 44},
    {"revoked certificate", 44},
    {"certificaterevoked", 44},
    {"certificate expired", 45},
    {"expired certificate", 45},
    {"certificateexpired", 45},
    {"certificate unknown", 46},
    {"certificateunknown", 46},
    {"unknown certificate authority", 48},
    {"unknown certificate", 46},
    {"illegal parameter", 47},
    {"illegalparameter", 47},
    {"unknown ca", 48},
    {"unknownca", 48},
    {"access denied", 49},
    {"decode error", 50},
    {"error decoding message", 50},
    {"decrypt error", 51},
    {"error decrypting message", 51},
    {"protocol version not supported", 70},
    {"protocol version", 70},
    {"protocolversion", 70},
    {"insufficient security", 71},
    {"internal error", 80},
    {"inappropriate fallback", 86},
    {"user canceled", 90},
    {"user cancelled", 90},
    {"no renegotiation", 100},
    {"missing extension", 109},
    {"unsupported extension", 110},
    {"certificate unobtainable", 111},
    {"unrecognized name", 112},
    {"unknown psk identity", 115},
    {"certificate required", 116},
    {"certificaterequired", 116},
    {"no application protocol", 120},
    {"unexpected message", 10},
    {"bad record mac", 20},
    {"record overflow", 22},
    {"decompression failure", 30},
};

/* The IANA names (the generated registry table of tls/names.h). */
const char *td_log_alert_name(int desc)
{
    const char *n = desc >= 0 && desc < 256 ? td_alert_name((uint8_t)desc) : NULL;
    return n ? n : "unassigned";
}

/* The alert named at s (a name or a number). */
static bool alert_at(const char *s, int *out)
{
    while (*s == ' ' || *s == '\'' || *s == '[' || *s == '(') {
        s++;
    }
    if (isdigit((unsigned char)*s)) {
        long v = strtol(s, NULL, 10);
        if (v >= 0 && v < 256) {
            *out = (int)v;
            return true;
        }
        return false;
    }
    for (size_t i = 0; i < sizeof alert_names / sizeof alert_names[0]; i++) {
        if (strncmp(s, alert_names[i].name, strlen(alert_names[i].name)) == 0) {
            *out = alert_names[i].desc;
            return true;
        }
    }
    return false;
}

static const struct {
    const char *marker;
    bool received;
} markers[] = {
    {"received fatal alert:", true},
    {"remote error: tls:", true},
    {"remote error: ", true}, /* Go before 1.6: "remote error: bad certificate" */
    {"(in), tls alert,", true},
    {"recv tlsv1.3 alert: fatal,", true},
    {"recv tlsv1.2 alert: fatal,", true},
    {"recv tlsv1.1 alert: fatal,", true},
    {"recv tlsv1 alert: fatal,", true},
    {"recv sslv3 alert: fatal,", true},
    {"received alert [", true},
    {"handshake alert: ", true}, /* JDK 7/8: "SSLProtocolException: handshake alert: unrecognized_name" */
    {"sent a tls alert:", true},
    {"fatal alert code is", true}, /* "received from the remote endpoint"; the sent form is below */
    {"tlsv13 alert ", true},
    {"tlsv1 alert ", true},
    {"sslv3 alert ", true},
    {"ssl/tls alert ", true},
    {"ssl alert number ", true},
    {"(out), tls alert,", false},
    {"send tlsv1.3 alert: fatal, description =", false},
    {"send tlsv1.2 alert: fatal, description =", false},
    {"send tlsv1.1 alert: fatal, description =", false},
    {"send tlsv1 alert: fatal, description =", false},
    {"fatal (", false},
    {"local error: tls:", false},
};

bool td_log_find_alert(const char *norm, int *out_desc, bool *out_received)
{
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        const char *p = strstr(norm, markers[i].marker);
        if (!p || !alert_at(p + strlen(markers[i].marker), out_desc)) {
            continue;
        }
        *out_received = markers[i].received;
        if (strstr(norm, "generated and sent to the remote endpoint")) {
            *out_received = false;
        }
        if (*out_desc == TD_ALERT_CLOSE_NOTIFY || *out_desc == TD_ALERT_USER_CANCELED) {
            continue; /* close_notify, user_canceled: not a refusal */
        }
        return true;
    }
    return false;
}
