/* Java properties files (java.util.Properties.load): the Apigee Message
 * Processor's message-processor.properties and system.properties overrides
 * (conf_system_jsse.enableSNIExtension=false), a JVM's system properties
 * (https.protocols, jdk.tls.client.protocols, https.cipherSuites) and
 * java.security (jdk.tls.disabledAlgorithms, written over continuation lines).
 * Comments start with # or !; key and value are split at the first unescaped
 * '=', ':' or blank; a line ending in an odd number of backslashes goes on
 * (the next line's leading blanks dropped); \t \n \r \f \uXXXX escapes. */
#include <stdio.h>
#include <string.h>

#include "config/internal.h"

#include "base/banned.h"

#define LOGICAL_MAX (64u << 10)

static const struct {
    const char *name;
    enum td_conf_key key;
    bool server_side;
} keys[] = {
    {"jsse.enableSNIExtension", TD_CK_SNI_ENABLED, false},
    {"https.protocols", TD_CK_PROTOCOL_LIST, false},
    {"jdk.tls.client.protocols", TD_CK_PROTOCOL_LIST, false},
    {"jdk.tls.server.protocols", TD_CK_PROTOCOL_LIST, true},
    {"https.cipherSuites", TD_CK_CIPHER_LIST, false},
    {"jdk.tls.client.cipherSuites", TD_CK_CIPHER_LIST, false},
    {"jdk.tls.server.cipherSuites", TD_CK_CIPHER_LIST, true},
    {"jdk.tls.disabledAlgorithms", TD_CK_DISABLED_ALGS, false},
    {"jdk.tls.namedGroups", TD_CK_GROUPS, false},
    {"javax.net.ssl.trustStore", TD_CK_TRUSTSTORE, false},
};

/* Apigee's ways of writing a JVM property in a component's .properties file. */
static const char *const prefixes[] = {"conf_system_", "conf/system.properties+", "conf_java_"};

static void map_key(struct td_conf_file *f, const char *k, const char *v, size_t vl, uint32_t line)
{
    const char *bare = k;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t pl = strlen(prefixes[i]);
        if (strncmp(k, prefixes[i], pl) == 0) {
            bare = k + pl;
        }
    }
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(bare, keys[i].name) == 0) {
            struct td_conf_item *it = td_conf_add_item(f, keys[i].key, 0, line, 1, k, v, vl);
            if (it) {
                it->server_side = keys[i].server_side;
            }
            return;
        }
    }
}

static int hexval(uint8_t b)
{
    return b >= '0' && b <= '9'   ? b - '0'
           : b >= 'a' && b <= 'f' ? b - 'a' + 10
           : b >= 'A' && b <= 'F' ? b - 'A' + 10
                                  : -1;
}

/* One logical line (continuations joined, escapes undone) into key and value. */
static bool logical_line(struct td_scan *s, struct td_sbuf *key, struct td_sbuf *val)
{
    struct td_sbuf *out = key;
    bool sep_seen = false, at_line_start = true;
    uint8_t b;
    while (td_scan_get(s, &b)) {
        if (at_line_start && (b == ' ' || b == '\t' || b == '\f')) {
            continue;
        }
        at_line_start = false;
        if (b == '\n' || b == '\r') {
            break;
        }
        if (b == '\\') {
            uint8_t e;
            if (!td_scan_get(s, &e)) {
                break;
            }
            if (e == '\n' || e == '\r') {
                if (e == '\r' && td_scan_peek(s, 0, &e) && e == '\n') {
                    td_scan_get(s, NULL);
                }
                at_line_start = true;
                continue;
            }
            if (e == 'u') {
                uint32_t c = 0;
                for (int i = 0; i < 4; i++) {
                    uint8_t h;
                    if (!td_scan_get(s, &h) || hexval(h) < 0) {
                        return td_scan_fail(s, "bad \\u escape");
                    }
                    c = c * 16 + (uint32_t)hexval(h);
                }
                e = c < 0x80 ? (uint8_t)c : '?';
            } else {
                e = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 'f' ? '\f' : e;
            }
            td_sbuf_putc(out, (char)e);
            continue;
        }
        if (out == key && (b == '=' || b == ':' || b == ' ' || b == '\t')) {
            out = val;
            sep_seen = b != ' ' && b != '\t';
            /* blanks, then at most one '=' or ':', then blanks */
            while (td_scan_peek(s, 0, &b) && (b == ' ' || b == '\t' || (!sep_seen && (b == '=' || b == ':')))) {
                sep_seen = sep_seen || b == '=' || b == ':';
                td_scan_get(s, NULL);
            }
            continue;
        }
        td_sbuf_putc(out, (char)b);
    }
    return !(key->over || val->over) || td_scan_fail(s, "a property longer than %u bytes", LOGICAL_MAX);
}

bool td_props_parse(struct td_scan *s, struct td_conf_file *f)
{
    td_conf_add_group(f, -1, 1, "file");
    while (!td_scan_eof(s)) {
        td_scan_skip_ws(s);
        uint8_t b;
        if (!td_scan_peek(s, 0, &b)) {
            break;
        }
        if (b == '#' || b == '!') {
            while (td_scan_get(s, &b) && b != '\n') {
            }
            continue;
        }
        uint32_t line = s->line;
        struct td_sbuf key = {.max = LOGICAL_MAX}, val = {.max = LOGICAL_MAX};
        bool ok = logical_line(s, &key, &val);
        if (ok && key.p) {
            size_t vl = val.len;
            while (vl > 0 && (val.p[vl - 1] == ' ' || val.p[vl - 1] == '\t')) {
                vl--;
            }
            map_key(f, key.p, val.p ? val.p : "", vl, line);
        }
        td_sbuf_free(&key);
        td_sbuf_free(&val);
        if (!ok) {
            return false;
        }
    }
    return true;
}
