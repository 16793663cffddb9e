/* crypto/keylog_follow.h: when a lookup of a followed key log waits for a
 * session's lines (watch --keylog), as a pure function of the state and the
 * time: not when the key log has been idle for long, not for an address pair
 * missed lately (longer after each miss, forgiven by a hit, in a bounded
 * table), and never more than the budget's share of the time. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/keylog_follow.h"

#define WAIT 250
#define T0 1000000 /* an arbitrary start, in monotonic ms */

static struct td_keylog_wait *fresh(void)
{
    struct td_keylog_wait *w = calloc(1, sizeof *w);
    assert_non_null(w);
    td_keylog_wait_init(w, WAIT, T0);
    return w;
}

static int decide(const struct td_keylog_wait *w, int64_t now, uint64_t peer, enum td_keylog_wait_why want)
{
    enum td_keylog_wait_why why = TD_KEYLOG_WAIT;
    int ms = td_keylog_wait_decide(w, now, peer, &why);
    assert_int_equal(why, want);
    assert_true(want == TD_KEYLOG_WAIT ? ms >= TD_KEYLOG_WAIT_MIN_MS && ms <= WAIT : ms == 0);
    return ms;
}

static void test_first_wait_is_full(void **state)
{
    (void)state;
    struct td_keylog_wait *w = fresh();
    assert_int_equal(decide(w, T0, 7, TD_KEYLOG_WAIT), WAIT);
    assert_int_equal(decide(w, T0, 0, TD_KEYLOG_WAIT), WAIT); /* pair unknown: the budget alone */
    td_keylog_wait_init(w, 0, T0);
    decide(w, T0, 7, TD_KEYLOG_SKIP_BUDGET); /* no waiting at all */
    free(w);
}

static void test_idle_key_log(void **state)
{
    (void)state;
    struct td_keylog_wait *w = fresh();
    decide(w, T0 + TD_KEYLOG_IDLE_MS, 7, TD_KEYLOG_WAIT); /* the start counts as a change */
    decide(w, T0 + TD_KEYLOG_IDLE_MS + 1, 7, TD_KEYLOG_SKIP_IDLE);
    td_keylog_wait_grew(w, T0 + TD_KEYLOG_IDLE_MS + 5);
    decide(w, T0 + TD_KEYLOG_IDLE_MS + 6, 7, TD_KEYLOG_WAIT);
    td_keylog_wait_skipped(w, TD_KEYLOG_SKIP_IDLE);
    assert_int_equal(w->st.skipped_idle, 1);
    free(w);
}

static void test_pair_missed_is_shunned_longer_each_time(void **state)
{
    (void)state;
    struct td_keylog_wait *w = fresh();
    int64_t now = T0 + WAIT;
    td_keylog_wait_done(w, now, 7, WAIT, false);
    decide(w, now + 1, 7, TD_KEYLOG_SKIP_PEER);
    decide(w, now + TD_KEYLOG_SHUN_MS - 1, 7, TD_KEYLOG_SKIP_PEER);
    decide(w, now + 10000, 8, TD_KEYLOG_WAIT); /* another pair: waited for */
    now += TD_KEYLOG_SHUN_MS;
    td_keylog_wait_grew(w, now);
    decide(w, now, 7, TD_KEYLOG_WAIT); /* tried again once the time is up */
    td_keylog_wait_done(w, now + WAIT, 7, WAIT, false);
    now += WAIT;
    decide(w, now + TD_KEYLOG_SHUN_MS, 7, TD_KEYLOG_SKIP_PEER); /* a second miss: twice as long */
    td_keylog_wait_grew(w, now + 2 * TD_KEYLOG_SHUN_MS);
    decide(w, now + 2 * TD_KEYLOG_SHUN_MS, 7, TD_KEYLOG_WAIT);
    for (int i = 0; i < 40; i++) {
        td_keylog_wait_done(w, now, 7, 0, false); /* many: never past the longest */
    }
    td_keylog_wait_grew(w, now + TD_KEYLOG_SHUN_MAX_MS);
    decide(w, now + TD_KEYLOG_SHUN_MAX_MS - 1, 7, TD_KEYLOG_SKIP_PEER);
    decide(w, now + TD_KEYLOG_SHUN_MAX_MS, 7, TD_KEYLOG_WAIT);
    assert_int_equal(w->st.waits, 42);
    assert_int_equal(w->st.found, 0);
    assert_int_equal(w->st.waited_ms, 2 * WAIT);
    free(w);
}

static void test_hit_forgives(void **state)
{
    (void)state;
    struct td_keylog_wait *w = fresh();
    td_keylog_wait_done(w, T0 + WAIT, 7, WAIT, false);
    td_keylog_wait_done(w, T0 + WAIT, 9, 0, false);
    decide(w, T0 + 5000, 7, TD_KEYLOG_SKIP_PEER);
    td_keylog_wait_found(w, 7); /* a session of the pair in the log (a client behind the same NAT that logs) */
    decide(w, T0 + 5000, 7, TD_KEYLOG_WAIT);
    decide(w, T0 + 5000, 9, TD_KEYLOG_SKIP_PEER);
    td_keylog_wait_done(w, T0 + 5020, 9, 20, true); /* a wait that found it: forgiven as well */
    decide(w, T0 + 10000, 9, TD_KEYLOG_WAIT);
    assert_int_equal(w->st.found, 1);
    td_keylog_wait_done(w, T0 + 10000, 0, 0, false); /* an unknown pair is never shunned */
    decide(w, T0 + 20000, 0, TD_KEYLOG_WAIT);
    free(w);
}

static void test_bounded_table(void **state)
{
    (void)state;
    struct td_keylog_wait *w = fresh();
    uint64_t a = 5, b = 5 + TD_KEYLOG_PEERS; /* the same slot */
    td_keylog_wait_done(w, T0, a, 0, false);
    decide(w, T0 + 10000, a, TD_KEYLOG_SKIP_PEER);
    decide(w, T0 + 10000, b, TD_KEYLOG_WAIT); /* not mistaken for a */
    td_keylog_wait_done(w, T0 + 10000, b, 0, false);
    decide(w, T0 + 20000, b, TD_KEYLOG_SKIP_PEER);
    decide(w, T0 + 20000, a, TD_KEYLOG_WAIT); /* pushed out: one more wait */
    td_keylog_wait_found(w, a);               /* a is not there: b stays */
    decide(w, T0 + 20000, b, TD_KEYLOG_SKIP_PEER);
    free(w);
}

/* Clients that never log, each from another address, 20 handshakes a second
 * for 100 s, each wait as long as decided: waiting takes the budget's share
 * of the time (plus the one full wait in hand at the start), no more. */
static void test_budget_share(void **state)
{
    (void)state;
    struct td_keylog_wait *w = fresh();
    int64_t now = T0, end = T0 + 100000, waited = 0;
    uint64_t skipped = 0, peer = 100;
    while (now < end) {
        enum td_keylog_wait_why why;
        int ms = td_keylog_wait_decide(w, now, peer, &why);
        if (ms > 0) {
            assert_int_equal(why, TD_KEYLOG_WAIT);
            assert_true(ms <= WAIT);
            now += ms;
            td_keylog_wait_done(w, now, peer, ms, false);
            waited += ms;
        } else {
            assert_int_equal(why, TD_KEYLOG_SKIP_BUDGET);
            td_keylog_wait_skipped(w, why);
            skipped++;
        }
        td_keylog_wait_grew(w, now); /* the logging clients keep the log alive */
        now += 50;
        peer++;
    }
    int64_t share = (now - T0) * TD_KEYLOG_BUDGET_PERMILLE / 1000;
    assert_true(waited <= WAIT + share);
    assert_true(waited >= share * 9 / 10); /* and the budget is used */
    assert_int_equal((int64_t)w->st.waited_ms, waited);
    assert_int_equal(w->st.skipped_budget, skipped);
    assert_true(skipped > 500 && w->st.waits > 500); /* short waits, about every other handshake */
    free(w);
}

static void test_overshoot_earned_back(void **state)
{
    (void)state;
    struct td_keylog_wait *w = fresh();
    td_keylog_wait_done(w, T0 + 400, 0, 400, true); /* slept longer than decided */
    /* 250 in hand at most, 400 spent: -150, back to the minimum 10 after 1600 ms */
    decide(w, T0 + 400 + 1500, 0, TD_KEYLOG_SKIP_BUDGET);
    assert_int_equal(decide(w, T0 + 400 + 1600, 0, TD_KEYLOG_WAIT), 10);
    assert_int_equal(decide(w, T0 + 400 + 60000, 0, TD_KEYLOG_WAIT), WAIT); /* never more than one wait in hand */
    free(w);
}

static void test_peer_key(void **state)
{
    (void)state;
    struct td_addr a = {4, {192, 0, 2, 1}}, b = {4, {192, 0, 2, 2}}, c = {4, {192, 0, 2, 3}};
    struct td_addr a6 = {6, {192, 0, 2, 1}};
    assert_true(td_keylog_peer_key(&a, &b) == td_keylog_peer_key(&b, &a)); /* either direction */
    assert_true(td_keylog_peer_key(&a, &b) != td_keylog_peer_key(&a, &c));
    assert_true(td_keylog_peer_key(&a, &b) != td_keylog_peer_key(&a6, &b));
    assert_true(td_keylog_peer_key(&a, &a) != 0);
    struct td_addr junk = a;
    junk.a[10] = 0xff; /* an IPv4 address: only its 4 bytes count */
    assert_true(td_keylog_peer_key(&junk, &b) == td_keylog_peer_key(&a, &b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_wait_is_full),
        cmocka_unit_test(test_idle_key_log),
        cmocka_unit_test(test_pair_missed_is_shunned_longer_each_time),
        cmocka_unit_test(test_hit_forgives),
        cmocka_unit_test(test_bounded_table),
        cmocka_unit_test(test_budget_share),
        cmocka_unit_test(test_overshoot_earned_back),
        cmocka_unit_test(test_peer_key),
    };
    return tl_run_tests("crypto/keylog_wait", tests);
}
