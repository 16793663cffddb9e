/* One line against the recognisers: normalization (so that OpenSSL's
 * "certificate verify failed", Python's CERTIFICATE_VERIFY_FAILED and Envoy's
 * packed 268435581 read the same), then every row, then the alert. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "log/internal.h"

#include "base/banned.h"

static bool is_alpha(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Appends " " and s to out when it fits. */
static size_t append(char *out, size_t n, size_t cap, const char *s)
{
    size_t l = strlen(s);
    if (n + 1 + l + 1 > cap) {
        return n;
    }
    out[n++] = ' ';
    for (size_t i = 0; i < l; i++) {
        out[n++] = s[i] == '_' ? ' ' : (char)tolower((unsigned char)s[i]);
    }
    out[n] = '\0';
    return n;
}

/* The reasons of the packed error codes on the line: OpenSSL's
 * "error:0A000418:" (3.x: lib 20 << 23; 1.x: lib 20 << 24) and BoringSSL's
 * decimal "268435581:SSL routines" (lib 16 << 24, reason in the low 12 bits). */
static size_t decode_codes(const char *norm, size_t n, size_t cap, char *out)
{
    size_t len = n;
    for (const char *p = norm; (p = strstr(p, "error:")) != NULL && p < norm + n;) {
        p += 6;
        char *end;
        unsigned long v = strtoul(p, &end, 16);
        if (end - p == 8 && *end == ':') {
            const char *name = NULL;
            if (((v >> 23) & 0xff) == 20) {
                name = td_log_ssl_reason((uint32_t)(v & 0x7fffff), false);
            } else if ((v >> 24) == 0x14) {
                name = td_log_ssl_reason((uint32_t)(v & 0xfff), false);
            }
            if (name) {
                len = append(out, len, cap, name);
            }
        }
    }
    for (const char *p = norm; (p = strstr(p, ":ssl routines")) != NULL && p < norm + n; p++) {
        const char *q = p;
        while (q > norm && isdigit((unsigned char)q[-1]) && p - q < 11) {
            q--;
        }
        if (p - q >= 9) {
            unsigned long v = strtoul(q, NULL, 10);
            if ((v >> 24) == 16) {
                const char *name = td_log_ssl_reason((uint32_t)(v & 0xfff), true);
                if (name) {
                    len = append(out, len, cap, name);
                }
            }
        }
    }
    return len;
}

size_t td_log_normalize(const uint8_t *line, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    if (cap == 0) {
        return 0;
    }
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        uint8_t c = line[i];
        if (c == '_' || c == '\t' || c == '\0' ||
            (c == '-' && i > 0 && i + 1 < len && is_alpha(line[i - 1]) && is_alpha(line[i + 1]))) {
            c = ' ';
        }
        if (c == ' ' && n > 0 && out[n - 1] == ' ') {
            continue;
        }
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[n] = '\0';
    return decode_codes(out, n, cap, out);
}

/* All '&'-joined parts of m are in s (a part "!words": not in s). */
static bool matches(const char *s, const char *m)
{
    if (!strchr(m, '&')) {
        return strstr(s, m) != NULL;
    }
    char part[160];
    while (*m) {
        const char *amp = strchr(m, '&');
        size_t l = amp ? (size_t)(amp - m) : strlen(m);
        if (l >= sizeof part) {
            return false;
        }
        td_memcopy(part, m, l);
        part[l] = '\0';
        bool absent = part[0] == '!'; /* "!words": must not be on the line */
        if ((strstr(s, part + absent) != NULL) == absent) {
            return false;
        }
        m += l + (amp ? 1 : 0);
    }
    return true;
}

/* How much a cause at a confidence says: a named cause above "unknown", then
 * by confidence. -1: nothing. */
int td_log_rank(enum td_cause c, enum td_confidence conf)
{
    if (c == TD_CAUSE_NONE) {
        return -1;
    }
    return (c == TD_CAUSE_UNKNOWN ? 0 : 10) + (2 - (int)conf) * 3;
}

/* A hash of the 4 bytes at p: the prefilter's key (TD_LOG_GRAM_BITS bits). */
static uint32_t gram(const char *p)
{
    uint32_t v = (uint32_t)(uint8_t)p[0] << 24 | (uint32_t)(uint8_t)p[1] << 16 | (uint32_t)(uint8_t)p[2] << 8 |
                 (uint8_t)p[3];
    return (v * 2654435761u) >> (32 - TD_LOG_GRAM_BITS);
}

uint32_t td_log_row_gram(const struct td_log_pattern *p) { return gram(p->match); }

/* Sets (on) or clears the bit of every 4-byte window of the line. */
static void mark(uint64_t *bits, const char *norm, size_t n, bool on)
{
    for (size_t i = 0; i + 4 <= n; i++) {
        uint32_t g = gram(norm + i);
        if (on) {
            bits[g >> 6] |= 1ull << (g & 63);
        } else {
            bits[g >> 6] = 0;
        }
    }
}

void td_log_match(const char *norm, uint64_t *bits, struct td_log_hit *hit)
{
    td_memzero(hit, sizeof *hit);
    hit->alert = -1;
    int best = -1;
    size_t n = strlen(norm);
    mark(bits, norm, n, true);
    for (size_t i = 0; i < td_log_num_patterns; i++) {
        const struct td_log_pattern *p = &td_log_patterns[i];
        uint32_t g = gram(p->match); /* every row's text starts with 4 bytes that must be on the line */
        if (!(bits[g >> 6] & (1ull << (g & 63))) || !matches(norm, p->match)) {
            continue;
        }
        hit->flags |= p->flags;
        hit->rows++;
        if (!hit->family) {
            hit->family = p->family;
        }
        /* the program's format: OpenSSL's words appear inside most of the others */
        if (p->cause == TD_CAUSE_NONE && (!hit->ctx_family || strcmp(hit->ctx_family, "openssl") == 0)) {
            hit->ctx_family = p->family;
        }
        int r = td_log_rank(p->cause, p->confidence);
        /* equal: the row that says who decided (curl's "(35)" says nothing) */
        if (r > best || (r == best && r >= 0 && hit->decided == TD_LOG_DEC_ANY && p->decided != TD_LOG_DEC_ANY)) {
            best = r;
            hit->row = p;
            hit->cause = p->cause;
            hit->confidence = p->confidence;
            hit->decided = p->decided;
            hit->why = p->why;
            hit->family = p->family;
        }
    }
    mark(bits, norm, n, false);
    int desc;
    bool received;
    if (td_log_find_alert(norm, &desc, &received)) {
        hit->alert = desc;
        hit->alert_received = received;
    }
}
