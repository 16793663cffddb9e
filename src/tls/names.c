#include "tls/names.h"

#include <stdio.h>

#include "base/banned.h"

const char *td_name_find(const struct td_name *t, size_t len, uint32_t v)
{
    size_t lo = 0, hi = len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].value == v) {
            return t[mid].name;
        }
        if (t[mid].value < v) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

bool td_is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

const char *td_suite_name(uint16_t v) { return td_name_find(td_suite_names, td_suite_names_len, v); }
const char *td_alert_name(uint8_t v) { return td_name_find(td_alert_names, td_alert_names_len, v); }
const char *td_hstype_name(uint8_t v) { return td_name_find(td_hstype_names, td_hstype_names_len, v); }
const char *td_ext_name(uint16_t v) { return td_name_find(td_ext_names, td_ext_names_len, v); }
const char *td_group_name(uint16_t v) { return td_name_find(td_group_names, td_group_names_len, v); }
const char *td_sigscheme_name(uint16_t v) { return td_name_find(td_sigscheme_names, td_sigscheme_names_len, v); }
const char *td_version_name(uint16_t v) { return td_name_find(td_version_names, td_version_names_len, v); }

static const char *fmt(const char *name, uint16_t v, const char *prefix, char *buf, size_t len)
{
    if (name) {
        return name;
    }
    if (td_is_grease(v)) {
        snprintf(buf, len, "GREASE_0x%04x", v);
    } else {
        snprintf(buf, len, "%s0x%04x", prefix, v);
    }
    return buf;
}

const char *td_suite_str(uint16_t v, char *buf, size_t len) { return fmt(td_suite_name(v), v, "", buf, len); }
const char *td_group_str(uint16_t v, char *buf, size_t len) { return fmt(td_group_name(v), v, "", buf, len); }
const char *td_sigscheme_str(uint16_t v, char *buf, size_t len) { return fmt(td_sigscheme_name(v), v, "", buf, len); }
const char *td_ext_str(uint16_t v, char *buf, size_t len) { return fmt(td_ext_name(v), v, "unknown_", buf, len); }

bool td_version_is_tls13_experiment(uint16_t v)
{
    return (v >> 8) == TD_VERSION_TLS13_DRAFT_MAJOR || (v >> 8) == TD_VERSION_FIZZ_MAJOR ||
           (v >= TD_VERSION_GOOGLE_EXP_FIRST && v <= TD_VERSION_GOOGLE_EXP_LAST);
}

bool td_version_is_tls13_family(uint16_t v) { return v == TD_VERSION_TLS1_3 || td_version_is_tls13_experiment(v); }

const char *td_version_str(uint16_t v, char *buf, size_t len)
{
    const char *n = td_version_name(v);
    if (n) {
        return n;
    }
    if ((v >> 8) == TD_VERSION_TLS13_DRAFT_MAJOR) { /* TLS 1.3 drafts */
        snprintf(buf, len, "TLSv1.3-draft%u", v & 0xff);
        return buf;
    }
    if (td_version_is_tls13_experiment(v)) {
        /* Facebook's (Fizz, 0xfb17 = draft 23) and Google's TLS 1.3 experiments:
         * read as TLS 1.3, named by number as Wireshark does */
        snprintf(buf, len, "0x%04x", v);
        return buf;
    }
    return fmt(NULL, v, "unknown_version_", buf, len); /* shown as such, never guessed */
}

const char *td_alert_str(uint8_t v, char *buf, size_t len)
{
    const char *n = td_alert_name(v);
    if (n) {
        return n;
    }
    snprintf(buf, len, "unknown_alert_%u", v);
    return buf;
}

/* A name from a table indexed by id, else "0x1234". */
static const char *by_index(const char *const *names, size_t n, uint16_t v, char *buf, size_t len)
{
    if (v < n && names[v]) {
        return names[v];
    }
    snprintf(buf, len, "0x%04x", v);
    return buf;
}

const char *td_hpke_kdf_str(uint16_t v, char *buf, size_t len)
{
    static const char *const kdf[] = {NULL, "HKDF-SHA256", "HKDF-SHA384", "HKDF-SHA512"};
    return by_index(kdf, sizeof kdf / sizeof kdf[0], v, buf, len);
}

const char *td_hpke_aead_str(uint16_t v, char *buf, size_t len)
{
    static const char *const aead[] = {NULL, "AES-128-GCM", "AES-256-GCM", "ChaCha20Poly1305"};
    return v == 0xffff ? "export-only" : by_index(aead, sizeof aead / sizeof aead[0], v, buf, len);
}
