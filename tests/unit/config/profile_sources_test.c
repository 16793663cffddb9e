/* The profile rows whose source is a ClientHello testssl.sh captured: each row
 * equals that hello, read at test time from testssl.sh's own file
 * (/etc/testssl/client-simulation.txt, Debian's testssl.sh package), parsed
 * here with the bounds-checked cursor. Per row, what is compared: the TLS 1.2
 * suites (SCSV and GREASE left out), the TLS 1.3 suites, supported_groups (the
 * row's documented additions in front left out), signature_algorithms and the
 * versions; a field not compared is a documented difference (the row's
 * comment in config/profiles.c says why). */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "config/config.h"
#include "config/profiles.h"

#define TESTSSL_FILE "/etc/testssl/client-simulation.txt"

enum { F_S12 = 1, F_S13 = 2, F_GROUPS = 4, F_SIGS = 8, F_VERSIONS = 16 };

struct source_row {
    const char *profile, *testssl; /* our row, testssl.sh's names+=() */
    unsigned fields;
    size_t groups_added; /* groups the row puts in front of the capture's (X25519MLKEM768 of later releases) */
};

static const struct source_row rows[] = {
    {"android-7", "Android 7.0 (native)", F_S12 | F_S13 | F_GROUPS | F_SIGS | F_VERSIONS, 0},
    {"chrome", "Chrome 101 (Win 10)", F_S12 | F_S13 | F_GROUPS | F_SIGS | F_VERSIONS, 1},
    {"firefox", "Firefox 100 (Win 10)", F_S12 | F_S13 | F_GROUPS | F_SIGS | F_VERSIONS, 1},
    {"windows-schannel-2012r2", "IE 11 Win 8.1", F_S12 | F_S13 | F_GROUPS | F_SIGS | F_VERSIONS, 0},
    {"java8-limited", "Java 8u111", F_SIGS, 0}, /* suites, groups, versions: 8u291's policy */
    {"java11", "Java 11.0.2 (OpenJDK)", F_S12 | F_S13 | F_GROUPS | F_SIGS, 0}, /* TLS 1.0/1.1 off since 11.0.11 */
    {"openssl-1.0.2", "OpenSSL 1.0.2e", F_S12 | F_S13 | F_GROUPS | F_SIGS, 0}, /* its SSLv3 not sent */
    {"openssl-1.1.1", "OpenSSL 1.1.1d (Debian)", F_S12 | F_S13 | F_GROUPS | F_SIGS, 0}, /* upstream TLS 1.0+ */
    {"openssl-3.0", "OpenSSL 3.0.3 (git)", F_S12 | F_S13 | F_GROUPS | F_SIGS, 0},       /* Debian's TLS 1.2+ */
    {"curl", "OpenSSL 3.0.3 (git)", F_S12 | F_S13 | F_GROUPS | F_SIGS, 0},
};

struct hello {
    uint16_t s12[200], s13[8], groups[40], sigs[40];
    size_t n12, n13, ngroups, nsigs;
    unsigned versions;
};

static bool grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a; }

static unsigned version_bit(uint16_t v) { return v >= 0x0300 && v <= 0x0304 ? 1u << (v - 0x0300) : 0; }

/* A u16-prefixed list of u16 into out, GREASE left out. */
static bool list16(struct td_cur *c, uint16_t *out, size_t cap, size_t *n)
{
    struct td_cur l;
    uint16_t v;
    *n = 0;
    if (!td_cur_get_u16_prefixed(c, &l)) {
        return false;
    }
    while (td_cur_get_u16(&l, &v)) {
        if (!grease(v) && *n < cap) {
            out[(*n)++] = v;
        }
    }
    return td_cur_len(&l) == 0;
}

static bool parse_exts(struct td_cur *c, struct hello *h)
{
    struct td_cur exts, body, l;
    uint16_t type, v;
    uint8_t len8;
    if (!td_cur_get_u16_prefixed(c, &exts)) {
        return false;
    }
    while (td_cur_len(&exts)) {
        if (!td_cur_get_u16(&exts, &type) || !td_cur_get_u16_prefixed(&exts, &body)) {
            return false;
        }
        if (type == 10 && !list16(&body, h->groups, 40, &h->ngroups)) {
            return false;
        }
        if (type == 13 && !list16(&body, h->sigs, 40, &h->nsigs)) {
            return false;
        }
        if (type == 43) {
            h->versions = 0;
            if (!td_cur_get_u8(&body, &len8) || !td_cur_get_bytes(&body, &l, len8)) {
                return false;
            }
            while (td_cur_get_u16(&l, &v)) {
                h->versions |= version_bit(v);
            }
        }
    }
    return true;
}

/* record header, handshake header, legacy_version, random, session_id, suites, compression, extensions */
static bool parse_hello(const uint8_t *b, size_t n, uint16_t lowest, struct hello *h)
{
    struct td_cur c, skip;
    uint16_t legacy, suites[200];
    size_t ns;
    memset(h, 0, sizeof *h);
    td_cur_init(&c, b, n);
    if (!td_cur_skip(&c, 5 + 4) || !td_cur_get_u16(&c, &legacy) || !td_cur_skip(&c, 32) ||
        !td_cur_get_u8_prefixed(&c, &skip) || !list16(&c, suites, 200, &ns) || !td_cur_get_u8_prefixed(&c, &skip)) {
        return false;
    }
    for (uint16_t v = lowest; v <= legacy; v++) {
        h->versions |= version_bit(v);
    }
    for (size_t i = 0; i < ns; i++) {
        if (suites[i] >> 8 == 0x13 && h->n13 < 8) {
            h->s13[h->n13++] = suites[i];
        } else if (suites[i] != 0x00ff && h->n12 < 200) {
            h->s12[h->n12++] = suites[i];
        }
    }
    return parse_exts(&c, h);
}

/* The quoted value of `key+=("...")` at or after from, into out. */
static bool field(const char *from, const char *key, char *out, size_t cap)
{
    const char *p = strstr(from, key);
    if (!p || !(p = strchr(p, '"'))) {
        return false;
    }
    size_t len = strcspn(++p, "\"");
    if (len >= cap) {
        return false;
    }
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void testssl_hello(const char *file, const char *name, struct hello *h)
{
    char key[200], hex[8192], low[16];
    static uint8_t bytes[4096];
    snprintf(key, sizeof key, "names+=(\"%s\")", name);
    const char *at = strstr(file, key);
    if (!at || !field(at, "handshakebytes+=(", hex, sizeof hex) || !field(at, "lowest_protocol+=(", low, sizeof low)) {
        fail_msg("%s: no hello of \"%s\"", TESTSSL_FILE, name);
    }
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n && i < sizeof bytes; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        bytes[i] = (uint8_t)v;
    }
    if (!parse_hello(bytes, n, (uint16_t)strtoul(low, NULL, 16), h)) {
        fail_msg("%s: the hello of \"%s\" does not parse", TESTSSL_FILE, name);
    }
}

static void same(const char *profile, const char *what, const uint16_t *ours, size_t n_ours, const uint16_t *theirs,
                 size_t n_theirs)
{
    if (n_ours != n_theirs) {
        fail_msg("%s: %s: %zu in the row, %zu in testssl.sh's hello", profile, what, n_ours, n_theirs);
    }
    for (size_t i = 0; i < n_ours; i++) {
        if (ours[i] != theirs[i]) {
            fail_msg("%s: %s #%zu: 0x%04x in the row, 0x%04x in testssl.sh's hello", profile, what, i, ours[i],
                     theirs[i]);
        }
    }
}

static void test_rows_equal_testssl(void **state)
{
    (void)state;
    const char *file = slurp(TESTSSL_FILE);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct source_row *r = &rows[i];
        struct td_client_plan plan;
        struct hello h;
        char err[200];
        assert_true(td_client_profile_plan(td_client_profile_find(r->profile), &plan, err, sizeof err));
        testssl_hello(file, r->testssl, &h);
        if (r->fields & F_S12) {
            same(r->profile, "suites", plan.suites, plan.num_suites, h.s12, h.n12);
        }
        if (r->fields & F_S13) {
            same(r->profile, "TLS 1.3 suites", plan.suites13, plan.num_suites13, h.s13, h.n13);
        }
        if (r->fields & F_GROUPS) {
            assert_true(plan.num_groups >= r->groups_added);
            same(r->profile, "groups", plan.groups + r->groups_added, plan.num_groups - r->groups_added, h.groups,
                 h.ngroups);
        }
        if (r->fields & F_SIGS) {
            same(r->profile, "signature_algorithms", plan.sigalgs, plan.num_sigalgs, h.sigs, h.nsigs);
        }
        if ((r->fields & F_VERSIONS) && plan.versions != h.versions) {
            fail_msg("%s: versions 0x%x in the row, 0x%x in testssl.sh's hello", r->profile, plan.versions, h.versions);
        }
    }
}

/* The parser itself: a hello cut short fails, it does not read past the end. */
static void test_truncated(void **state)
{
    (void)state;
    struct hello h;
    const uint8_t cut[] = {0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2c, 0x03, 0x03, 0x00};
    assert_false(parse_hello(cut, sizeof cut, 0x0301, &h));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_equal_testssl),
        cmocka_unit_test(test_truncated),
    };
    return tl_run_tests("config/profile_sources", tests);
}
