/* Apigee Edge's certInfo JSON (GET .../keystores/NAME/certs/CERT), a degraded
 * input: names, dates and a few strings, no signature and no key. Read with a
 * small bounded JSON parser: any object that has a "subject" or an
 * "expiryDate" is a certificate, wherever it sits (certInfo arrays, a bare
 * list, one object). Depth and sizes are limited; bad JSON names its offset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cursor.h"
#include "base/mem.h"
#include "cert/internal.h"

#include "base/banned.h"

#define MAX_DEPTH 48

struct rec {
    bool any;
    char subject[512], issuer[512], serial[130], sig[64], key[96], bc[48], valid[8];
    int64_t from_ms, to_ms;
    bool has_from, has_to;
    char *sans[TD_CERT_MAX_SANS];
    size_t nsans;
};

struct jp {
    struct td_cur c;
    struct td_certset *s;
    const char *path;
    int group;
    size_t found;
    char err[200];
};

static void skip_ws(struct jp *j)
{
    uint8_t b;
    while (td_cur_peek_u8(&j->c, 0, &b) && (b == ' ' || b == '\t' || b == '\r' || b == '\n')) {
        td_cur_skip(&j->c, 1);
    }
}

static bool bad(struct jp *j, const char *what)
{
    if (!j->err[0]) {
        snprintf(j->err, sizeof j->err, "%s at byte offset %zu", what, td_cur_offset(&j->c));
    }
    return false;
}

static void put_utf8(char *out, size_t cap, size_t *n, uint32_t c)
{
    uint8_t b[4];
    size_t k = 0;
    if (c < 0x80) {
        b[k++] = (uint8_t)c;
    } else if (c < 0x800) {
        b[k++] = (uint8_t)(0xC0 | (c >> 6));
        b[k++] = (uint8_t)(0x80 | (c & 0x3F));
    } else {
        b[k++] = (uint8_t)(0xE0 | (c >> 12));
        b[k++] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        b[k++] = (uint8_t)(0x80 | (c & 0x3F));
    }
    for (size_t i = 0; i < k && *n + 1 < cap; i++) {
        out[(*n)++] = (char)b[i];
    }
}

/* A JSON string into out (truncated to cap, always terminated). */
static bool parse_string(struct jp *j, char *out, size_t cap)
{
    uint8_t b;
    size_t n = 0;
    if (!td_cur_get_u8(&j->c, &b) || b != '"') {
        return bad(j, "string expected");
    }
    for (;;) {
        if (!td_cur_get_u8(&j->c, &b)) {
            return bad(j, "unterminated string");
        }
        if (b == '"') {
            break;
        }
        if (b == '\\') {
            if (!td_cur_get_u8(&j->c, &b)) {
                return bad(j, "unterminated escape");
            }
            uint32_t c = b;
            switch (b) {
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case 't':
                c = '\t';
                break;
            case 'u':
                c = 0;
                for (int i = 0; i < 4; i++) {
                    if (!td_cur_get_u8(&j->c, &b)) {
                        return bad(j, "short \\u escape");
                    }
                    int v = b >= '0' && b <= '9'   ? b - '0'
                            : b >= 'a' && b <= 'f' ? b - 'a' + 10
                            : b >= 'A' && b <= 'F' ? b - 'A' + 10
                                                   : -1;
                    if (v < 0) {
                        return bad(j, "bad \\u escape");
                    }
                    c = c * 16 + (uint32_t)v;
                }
                break;
            case '"':
            case '\\':
            case '/':
                break;
            default:
                return bad(j, "bad escape");
            }
            put_utf8(out, cap, &n, c);
        } else if (n + 1 < cap) {
            out[n++] = (char)b;
        }
    }
    out[n] = '\0';
    return true;
}

static bool parse_number(struct jp *j, int64_t *out)
{
    uint8_t b;
    bool neg = false, any = false, frac = false;
    int64_t v = 0;
    if (td_cur_peek_u8(&j->c, 0, &b) && b == '-') {
        neg = true;
        td_cur_skip(&j->c, 1);
    }
    while (td_cur_peek_u8(&j->c, 0, &b) &&
           ((b >= '0' && b <= '9') || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-')) {
        if (b == '.' || b == 'e' || b == 'E') {
            frac = true;
        } else if (!frac && b >= '0' && b <= '9' && v < INT64_MAX / 10 - 10) {
            v = v * 10 + (b - '0');
        }
        any = true;
        td_cur_skip(&j->c, 1);
    }
    *out = neg ? -v : v;
    return any ? true : bad(j, "number expected");
}

static bool parse_value(struct jp *j, struct rec *parent, const char *key, int depth);

static void field(struct rec *r, const char *key, const char *sval, int64_t nval, bool is_num)
{
    if (!key) {
        return;
    }
    r->any = true;
    if (is_num) {
        if (strcmp(key, "validFrom") == 0) {
            r->from_ms = nval;
            r->has_from = true;
        } else if (strcmp(key, "expiryDate") == 0) {
            r->to_ms = nval;
            r->has_to = true;
        }
        return;
    }
    struct {
        const char *k;
        char *dst;
        size_t cap;
    } map[] = {{"subject", r->subject, sizeof r->subject},    {"issuer", r->issuer, sizeof r->issuer},
               {"serialNumber", r->serial, sizeof r->serial}, {"sigAlgName", r->sig, sizeof r->sig},
               {"publicKey", r->key, sizeof r->key},          {"basicConstraints", r->bc, sizeof r->bc},
               {"isValid", r->valid, sizeof r->valid}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(key, map[i].k) == 0) {
            td_strcopy(map[i].dst, map[i].cap, sval);
        }
    }
    if ((strcmp(key, "subjectAlternativeNames") == 0 || strcmp(key, "subjectAltNames") == 0) &&
        r->nsans < TD_CERT_MAX_SANS && sval[0]) {
        char buf[300];
        snprintf(buf, sizeof buf, "%s%s", strchr(sval, ':') ? "" : "DNS:", sval);
        r->sans[r->nsans++] = td_strndup(buf, strlen(buf));
    }
}

static void iso(int64_t epoch, char *out, size_t cap)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        out[0] = '\0';
        return;
    }
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

static void emit(struct jp *j, struct rec *r)
{
    char origin[320];
    const char *b = strrchr(j->path, '/');
    snprintf(origin, sizeof origin, "%s#%zu", b && b[1] ? b + 1 : j->path, ++j->found);
    struct td_entry *e = td_set_add_degraded(j->s, j->group, origin);
    struct td_cert_info *in = &e->info;
    in->ok = true;
    td_strcopy(in->subject, sizeof in->subject, r->subject);
    td_strcopy(in->issuer, sizeof in->issuer, r->issuer);
    td_strcopy(in->serial, sizeof in->serial, r->serial);
    td_strcopy(in->sig_alg, sizeof in->sig_alg, r->sig);
    unsigned bits = 0;
    const char *comma = strstr(r->key, "bits");
    if (comma && sscanf(r->key, "%*[^,], %u bits", &bits) == 1 && strncmp(r->key, "RSA", 3) == 0) {
        snprintf(in->key, sizeof in->key, "RSA %u", bits);
    } else {
        td_strcopy(in->key, sizeof in->key, r->key);
    }
    td_strcopy(e->bc, sizeof e->bc, r->bc);
    in->is_ca = strstr(r->bc, "CA:TRUE") != NULL || strstr(r->bc, "CA:true") != NULL;
    if (r->has_from) {
        in->not_before_epoch = floor_div(r->from_ms, 1000);
        iso(in->not_before_epoch, in->not_before, sizeof in->not_before);
    }
    if (r->has_to) {
        in->not_after_epoch = floor_div(r->to_ms, 1000);
        iso(in->not_after_epoch, in->not_after, sizeof in->not_after);
    }
    for (size_t i = 0; i < r->nsans; i++) {
        in->sans[i] = r->sans[i];
        r->sans[i] = NULL;
    }
    in->num_sans = in->num_sans_total = r->nsans;
    r->nsans = 0;
}

static bool parse_object(struct jp *j, int depth)
{
    struct rec r;
    td_memzero(&r, sizeof r);
    uint8_t b;
    bool ok = true;
    td_cur_skip(&j->c, 1); /* { */
    skip_ws(j);
    if (td_cur_peek_u8(&j->c, 0, &b) && b == '}') {
        td_cur_skip(&j->c, 1);
        return true;
    }
    for (;;) {
        char key[64];
        skip_ws(j);
        if (!parse_string(j, key, sizeof key)) {
            ok = false;
            break;
        }
        skip_ws(j);
        if (!td_cur_get_u8(&j->c, &b) || b != ':') {
            ok = bad(j, "':' expected");
            break;
        }
        skip_ws(j);
        if (!parse_value(j, &r, key, depth + 1)) {
            ok = false;
            break;
        }
        skip_ws(j);
        if (!td_cur_get_u8(&j->c, &b) || (b != ',' && b != '}')) {
            ok = bad(j, "',' or '}' expected");
            break;
        }
        if (b == '}') {
            break;
        }
    }
    if (ok && (r.subject[0] || r.has_to)) {
        emit(j, &r);
    }
    for (size_t i = 0; i < r.nsans; i++) {
        free(r.sans[i]);
    }
    return ok;
}

static bool parse_value(struct jp *j, struct rec *parent, const char *key, int depth)
{
    uint8_t b;
    if (depth > MAX_DEPTH) {
        return bad(j, "nesting too deep");
    }
    if (!td_cur_peek_u8(&j->c, 0, &b)) {
        return bad(j, "value expected");
    }
    if (b == '{') {
        return parse_object(j, depth);
    }
    if (b == '[') {
        td_cur_skip(&j->c, 1);
        skip_ws(j);
        if (td_cur_peek_u8(&j->c, 0, &b) && b == ']') {
            td_cur_skip(&j->c, 1);
            return true;
        }
        for (;;) {
            skip_ws(j);
            if (!parse_value(j, parent, key, depth + 1)) {
                return false;
            }
            skip_ws(j);
            if (!td_cur_get_u8(&j->c, &b) || (b != ',' && b != ']')) {
                return bad(j, "',' or ']' expected");
            }
            if (b == ']') {
                return true;
            }
        }
    }
    if (b == '"') {
        char s[600];
        if (!parse_string(j, s, sizeof s)) {
            return false;
        }
        if (parent) {
            field(parent, key, s, 0, false);
        }
        return true;
    }
    if (b == '-' || (b >= '0' && b <= '9')) {
        int64_t v;
        if (!parse_number(j, &v)) {
            return false;
        }
        if (parent) {
            field(parent, key, "", v, true);
        }
        return true;
    }
    static const char *const words[] = {"true", "false", "null"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if (td_cur_len(&j->c) >= n && td_mem_eq(td_cur_data(&j->c), words[i], n)) {
            td_cur_skip(&j->c, n);
            return true;
        }
    }
    return bad(j, "JSON value expected");
}

bool td_certinfo_load(struct td_certset *s, const uint8_t *p, size_t len, const char *path, char *err, size_t err_len)
{
    struct jp j;
    td_memzero(&j, sizeof j);
    td_cur_init(&j.c, p, len);
    j.s = s;
    j.path = path;
    const char *b = strrchr(path, '/');
    j.group = td_set_group(s, b && b[1] ? b + 1 : path, true);
    skip_ws(&j);
    /* The seed's sample is a fragment: `"certInfo": [ {...},` — read it as far
     * as it goes and keep the certificates seen before the JSON ends. */
    uint8_t first = 0;
    td_cur_peek_u8(&j.c, 0, &first);
    if (first == '"') {
        char key[64];
        if (parse_string(&j, key, sizeof key)) {
            skip_ws(&j);
            uint8_t colon;
            if (td_cur_get_u8(&j.c, &colon) && colon == ':') {
                skip_ws(&j);
            }
        }
    }
    bool ok = parse_value(&j, NULL, NULL, 0);
    if (j.found == 0) {
        snprintf(err, err_len, "%s: JSON without certificate objects (%s)", path,
                 j.err[0] ? j.err : "no object with \"subject\" or \"expiryDate\"");
        return false;
    }
    if (!ok) {
        td_set_note(s, "%s: JSON ends early or is malformed (%s); the %zu certificate(s) before it were read", path,
                    j.err, j.found);
    }
    return true;
}
