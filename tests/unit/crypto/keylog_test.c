/* crypto/keylog: td_keylog_lines gives a session's key log lines in the NSS
 * format (lowercase hex whatever the input's case), each distinct line once,
 * only that session's, at most TD_KEYLOG_MAX_LINES; they read back as the
 * same secrets. */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"

#define R1 "1111111111111111111111111111111111111111111111111111111111111111"
#define R2 "2222222222222222222222222222222222222222222222222222222222222222"
#define S32 "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"
#define S48 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static void collect(void *ctx, const char *line, size_t len) { td_buf_append(ctx, line, len); }

static struct td_keylog *load(const char *text)
{
    struct td_keylog *k = td_keylog_new();
    td_keylog_add_text(k, (const uint8_t *)text, strlen(text));
    return k;
}

static void random_of(uint8_t out[32], uint8_t byte)
{
    for (int i = 0; i < 32; i++) {
        out[i] = byte;
    }
}

static void test_lines_of_one_session(void **state)
{
    (void)state;
    struct td_keylog *k = load("# a comment\n"
                               "SERVER_HANDSHAKE_TRAFFIC_SECRET " R1 " " S32 "\n"
                               "CLIENT_RANDOM " R2 " " S48 "\n"
                               "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R1 " " S32 "\r\n"
                               "SERVER_HANDSHAKE_TRAFFIC_SECRET " R1 " " S32 "\n" /* the same line again */
                               "RSA 0011 2233\n");
    uint8_t r1[32], r3[32];
    random_of(r1, 0x11);
    random_of(r3, 0x33);
    struct td_buf out = {0};
    assert_int_equal(td_keylog_lines(k, r1, collect, &out), 2);
    const char *want = "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R1 " 00112233445566778899aabbccddeeff00112233445566778899"
                       "aabbccddeeff\n"
                       "SERVER_HANDSHAKE_TRAFFIC_SECRET " R1 " 00112233445566778899aabbccddeeff00112233445566778899"
                       "aabbccddeeff\n";
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.data, want, out.len);
    /* they read back as the same secrets */
    struct td_keylog *back = td_keylog_new();
    td_keylog_add_text(back, out.data, out.len);
    assert_int_equal(td_keylog_count(back), 2);
    assert_int_equal(td_keylog_bad_lines(back), 0);
    assert_true(td_keylog_has(back, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", r1));
    td_keylog_free(back);
    /* nothing for an unknown session, nor without a key log */
    td_buf_reset(&out);
    assert_int_equal(td_keylog_lines(k, r3, collect, &out), 0);
    assert_int_equal(td_keylog_lines(NULL, r1, collect, &out), 0);
    assert_int_equal(out.len, 0);
    td_buf_free(&out);
    td_keylog_free(k);
}

/* TLS 1.2: the CLIENT_RANDOM line, its 48-byte master secret whole. */
static void test_tls12_master_secret(void **state)
{
    (void)state;
    struct td_keylog *k = load("CLIENT_RANDOM " R2 " " S48 "\nCLIENT_RANDOM " R1 " " S48 "\n");
    uint8_t r2[32];
    random_of(r2, 0x22);
    struct td_buf out = {0};
    assert_int_equal(td_keylog_lines(k, r2, collect, &out), 1);
    char want[256];
    snprintf(want, sizeof want, "CLIENT_RANDOM %s %s\n", R2, S48);
    for (char *p = want + strlen("CLIENT_RANDOM "); *p; p++) {
        *p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
    }
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.data, want, out.len);
    td_buf_free(&out);
    td_keylog_free(k);
}

/* A hostile log with many different secrets for one session: bounded. */
static void test_bounded(void **state)
{
    (void)state;
    struct td_keylog *k = td_keylog_new();
    char line[256];
    for (int i = 0; i < 100; i++) {
        snprintf(line, sizeof line, "CLIENT_TRAFFIC_SECRET_0 %s %064x\n", R1, i);
        td_keylog_add_text(k, (const uint8_t *)line, strlen(line));
    }
    uint8_t r1[32];
    random_of(r1, 0x11);
    struct td_buf out = {0};
    assert_int_equal(td_keylog_lines(k, r1, collect, &out), TD_KEYLOG_MAX_LINES);
    size_t lines = 0;
    for (size_t i = 0; i < out.len; i++) {
        lines += out.data[i] == '\n';
    }
    assert_int_equal(lines, TD_KEYLOG_MAX_LINES);
    td_buf_free(&out);
    td_keylog_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_of_one_session),
        cmocka_unit_test(test_tls12_master_secret),
        cmocka_unit_test(test_bounded),
    };
    return tl_run_tests("crypto/keylog", tests);
}
