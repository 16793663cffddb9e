/* crypto/keylog_follow: a key log followed as it grows (watch --keylog).
 * A file not there yet is fine; only complete lines are read, the rest with
 * the next refresh; a lookup of a session not in the store reads what came
 * since; a file truncated or replaced by another (rotation) is read again
 * from its start; the store keeps its cap, the oldest sessions dropped
 * first; a session whose line never comes is waited for once, bounded, and
 * then not another of the same address pair. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "crypto/keylog_follow.h"

#define S32 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static char path[256];

static void line_for(char *out, size_t cap, int session)
{
    snprintf(out, cap, "CLIENT_HANDSHAKE_TRAFFIC_SECRET %064x " S32 "\n", session);
}

static void random_for(uint8_t r[32], int session)
{
    memset(r, 0, 32);
    r[28] = (uint8_t)(session >> 24);
    r[29] = (uint8_t)(session >> 16);
    r[30] = (uint8_t)(session >> 8);
    r[31] = (uint8_t)session;
}

static void write_file(const char *mode, const char *text)
{
    FILE *f = fopen(path, mode);
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void append_session(int session)
{
    char l[256];
    line_for(l, sizeof l, session);
    write_file("a", l);
}

static bool has(struct td_keylog *k, int session)
{
    uint8_t r[32];
    random_for(r, session);
    return td_keylog_has(k, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", r);
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/td-keylog-follow-%d", (int)getpid());
    unlink(path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void test_grows_and_partial_lines(void **state)
{
    (void)state;
    struct td_keylog *k = td_keylog_new();
    char err[256];
    assert_true(td_keylog_follow(k, path, 1000, 0, err, sizeof err)); /* not there yet */
    assert_int_equal(td_keylog_count(k), 0);
    append_session(1);
    assert_int_equal(td_keylog_refresh(k, NULL, 0), 1);
    assert_int_equal(td_keylog_count(k), 1);
    assert_int_equal(td_keylog_refresh(k, NULL, 0), 0); /* nothing new */
    char l[256];
    line_for(l, sizeof l, 2);
    size_t half = strlen(l) / 2;
    char first[256];
    snprintf(first, sizeof first, "%.*s", (int)half, l);
    write_file("a", first); /* a client half-way through its write */
    assert_int_equal(td_keylog_refresh(k, NULL, 0), 0);
    assert_false(has(k, 2));
    write_file("a", l + half);
    assert_true(has(k, 2)); /* the lookup itself reads what came */
    assert_int_equal(td_keylog_count(k), 2);
    assert_int_equal(td_keylog_bad_lines(k), 0);
    td_keylog_free(k);
}

static void test_truncated_and_rotated(void **state)
{
    (void)state;
    struct td_keylog *k = td_keylog_new();
    char err[256];
    append_session(1);
    append_session(2);
    assert_true(td_keylog_follow(k, path, 1000, 0, err, sizeof err));
    assert_int_equal(td_keylog_count(k), 2);
    char l[256];
    line_for(l, sizeof l, 3);
    write_file("w", l); /* truncated, one shorter line: read from its start */
    assert_true(has(k, 3));
    char rotated[300];
    snprintf(rotated, sizeof rotated, "%s.new", path);
    FILE *f = fopen(rotated, "w");
    assert_non_null(f);
    line_for(l, sizeof l, 4);
    fputs(l, f); /* the same size as before: only its inode tells */
    fclose(f);
    assert_int_equal(rename(rotated, path), 0);
    assert_true(has(k, 4));
    assert_true(has(k, 1)); /* what was read stays */
    td_keylog_free(k);
}

static void test_cap_drops_oldest(void **state)
{
    (void)state;
    struct td_keylog *k = td_keylog_new();
    char err[256];
    assert_true(td_keylog_follow(k, path, 100, 0, err, sizeof err));
    for (int s = 1; s <= 1000; s++) {
        append_session(s);
        if (s % 7 == 0) {
            td_keylog_refresh(k, NULL, 0);
        }
    }
    td_keylog_refresh(k, NULL, 0);
    assert_true(td_keylog_count(k) <= 100);
    assert_true(td_keylog_count(k) >= 75);
    for (int s = 1000; s > 1000 - 75; s--) {
        assert_true(has(k, s)); /* the newest kept */
    }
    assert_false(has(k, 1));
    assert_false(has(k, 500));
    td_keylog_free(k);
}

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_wait_once_bounded(void **state)
{
    (void)state;
    struct td_keylog *k = td_keylog_new();
    char err[256];
    assert_true(td_keylog_follow(k, path, 1000, 60, err, sizeof err));
    long long t0 = ms_now();
    assert_false(has(k, 9));
    long long waited = ms_now() - t0;
    assert_true(waited >= 55 && waited < 1000);
    t0 = ms_now();
    assert_false(has(k, 9)); /* waited for in vain once: not again */
    assert_true(ms_now() - t0 < 30);
    append_session(9);
    assert_true(has(k, 9));
    td_keylog_free(k);
}

/* The pair of addresses of a session waited for in vain is not waited for
 * again (the frame's addresses, as watch gives them); another pair is, within
 * the budget; the waits counted. */
static void test_pair_missed_not_waited_again(void **state)
{
    (void)state;
    struct td_keylog *k = td_keylog_new();
    char err[256];
    struct td_keylog_wait_stats st;
    assert_false(td_keylog_wait_stats(k, &st)); /* not followed */
    assert_true(td_keylog_follow(k, path, 1000, 60, err, sizeof err));
    struct td_addr cli = {4, {192, 0, 2, 1}}, srv = {4, {192, 0, 2, 80}}, other = {4, {192, 0, 2, 2}};
    td_keylog_follow_conn(k, &srv, &cli); /* the ServerHello's frame: server to client */
    long long t0 = ms_now();
    assert_false(has(k, 9));
    assert_true(ms_now() - t0 >= 55);
    td_keylog_follow_conn(k, &cli, &srv);
    t0 = ms_now();
    assert_false(has(k, 10)); /* the same client: not waited for */
    assert_true(ms_now() - t0 < 30);
    td_keylog_follow_conn(k, &other, &srv);
    assert_false(has(k, 11)); /* another client, but the one wait in hand is spent: not now */
    assert_true(td_keylog_wait_stats(k, &st));
    assert_int_equal(st.waits, 1);
    assert_int_equal(st.found, 0);
    assert_true(st.waited_ms >= 55 && st.waited_ms < 1000);
    assert_int_equal(st.skipped_peer, 1);
    assert_int_equal(st.skipped_budget, 1);
    append_session(10);
    td_keylog_follow_conn(k, &cli, &srv);
    assert_true(has(k, 10)); /* its lines read all the same when they come */
    td_keylog_free(k);
}

static void test_not_a_file(void **state)
{
    (void)state;
    struct td_keylog *k = td_keylog_new();
    char err[256] = "";
    assert_false(td_keylog_follow(k, "/tmp", 1000, 0, err, sizeof err));
    assert_non_null(strstr(err, "not a regular file"));
    assert_int_equal(td_keylog_refresh(NULL, NULL, 0), 0);
    td_keylog_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_grows_and_partial_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_and_rotated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_drops_oldest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_once_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pair_missed_not_waited_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_file, setup, teardown),
    };
    return tl_run_tests("crypto/keylog_follow", tests);
}
