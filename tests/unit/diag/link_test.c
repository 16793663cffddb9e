/* A gateway's 5xx and the southbound connection it is owed to: addresses and
 * timing decide, and a guess is never called proven. */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#include "diag/diag.h"

#define MS 1000000LL
#define T0 (1767225600LL * 1000000000LL)

static struct td_facts facts[6];
static const struct td_facts *fs[6];

static void conn(size_t i, const char *client_ip, int64_t start_ns)
{
    td_memzero(&facts[i], sizeof facts[i]);
    facts[i].tls = true;
    facts[i].outcome = TD_OUTCOME_FAILED;
    snprintf(facts[i].client_ip, sizeof facts[i].client_ip, "%s", client_ip);
    facts[i].first_ns = start_ns;
    fs[i] = &facts[i];
}

/* GET at T0, 502 at T0 + 40 ms, from gateway 203.0.113.5. */
static void http(struct td_http_error *h, bool with_request)
{
    td_memzero(h, sizeof *h);
    snprintf(h->server_ip, sizeof h->server_ip, "203.0.113.5");
    h->status = 502;
    h->request_frame = with_request ? 4 : 0;
    h->request_ns = T0;
    h->status_frame = 20;
    h->status_ns = T0 + 40 * MS;
}

/* The case that was wrong at high: an unrelated failure 130 ms before the
 * request, and the real one 0.3 ms after it. */
static void test_the_connection_after_the_request_wins(void **state)
{
    (void)state;
    struct td_http_error h;
    http(&h, true);
    conn(0, "203.0.113.5", T0 - 130 * MS);
    conn(1, "203.0.113.5", T0 + MS * 3 / 10);
    struct td_link l;
    td_link_candidates(&h, fs, 2, &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.idx[0], 1);
    assert_int_equal(l.after_request_ns[0], MS * 3 / 10);
    assert_int_equal(l.in_window, 1);
    assert_int_equal(l.confidence, TD_CONF_HIGH);
    assert_int_equal(l.idx[1], 0); /* listed, not chosen */
}

/* Several attempts inside the window: the first is taken, the link is not
 * proven, the others are listed. */
static void test_several_in_the_window_are_medium(void **state)
{
    (void)state;
    struct td_http_error h;
    http(&h, true);
    conn(0, "203.0.113.5", T0 + 20 * MS);
    conn(1, "203.0.113.5", T0 + 2 * MS);
    conn(2, "203.0.113.5", T0 + 10 * MS);
    struct td_link l;
    td_link_candidates(&h, fs, 3, &l);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.idx[0], 1);
    assert_int_equal(l.idx[1], 2);
    assert_int_equal(l.idx[2], 0);
    assert_int_equal(l.confidence, TD_CONF_MEDIUM);
}

/* Only before the request (clock skew between capture points?): a guess. */
static void test_only_before_the_request_is_low(void **state)
{
    (void)state;
    struct td_http_error h;
    http(&h, true);
    conn(0, "203.0.113.5", T0 - 500 * MS);
    conn(1, "203.0.113.5", T0 - 2000 * MS); /* beyond the skew allowed */
    conn(2, "198.51.100.9", T0 + MS);       /* another host */
    conn(3, "203.0.113.5", T0 + 41 * MS);   /* after the answer */
    struct td_link l;
    td_link_candidates(&h, fs, 4, &l);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.idx[0], 0);
    assert_int_equal(l.in_window, 0);
    assert_int_equal(l.confidence, TD_CONF_LOW);
}

/* Without the request, only the answer places it: never better than low. */
static void test_without_the_request_is_low(void **state)
{
    (void)state;
    struct td_http_error h;
    http(&h, false);
    conn(0, "203.0.113.5", T0 + 5 * MS);
    struct td_link l;
    td_link_candidates(&h, fs, 1, &l);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.confidence, TD_CONF_LOW);
}

/* More candidates than the list holds: the best are kept, in order. */
static void test_the_list_is_bounded(void **state)
{
    (void)state;
    struct td_http_error h;
    http(&h, true);
    for (size_t i = 0; i < 6; i++) {
        conn(i, "203.0.113.5", T0 + (int64_t)(6 - i) * MS);
    }
    struct td_link l;
    td_link_candidates(&h, fs, 6, &l);
    assert_int_equal(l.n, TD_MAX_LINKS);
    assert_int_equal(l.in_window, 6);
    for (size_t k = 0; k < TD_MAX_LINKS; k++) {
        assert_int_equal(l.idx[k], 5 - (long)k);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_connection_after_the_request_wins),
        cmocka_unit_test(test_several_in_the_window_are_medium),
        cmocka_unit_test(test_only_before_the_request_is_low),
        cmocka_unit_test(test_without_the_request_is_low),
        cmocka_unit_test(test_the_list_is_bounded),
    };
    return tl_run_tests("diag/link", tests);
}
