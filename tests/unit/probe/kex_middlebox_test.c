/* probe/kex.c and middlebox.c, their verdicts without a network: each path
 * from what the hellos got to the finding (rsa_kex_removed with the refusal;
 * hello_too_large when size is what fails; hello_intolerance for the
 * post-quantum share alone, the F5 size, the split form), and no finding
 * when the base hello itself was not answered or nothing failed. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "probe/internal.h"
#include "tls/names.h"

static struct td_probe_result *rsa_only(void)
{
    struct td_probe_result *r = calloc(1, sizeof *r);
    r->v[3].accepted = true;
    r->v[3].version = TD_VERSION_TLS1_2;
    r->v[3].suites[0] = 0x002f; /* TLS_RSA_WITH_AES_128_CBC_SHA */
    r->v[3].suites[1] = 0x009d; /* TLS_RSA_WITH_AES_256_GCM_SHA384 */
    r->v[3].num_suites = 2;
    return r;
}

static void done(struct td_probe_result *r)
{
    td_probe_result_free(r);
    free(r);
}

static void test_rsa_kex_removed(void **state)
{
    (void)state;
    struct td_probe_result *r = rsa_only();
    r->kex.rsa_kex_only = TD_TRI_YES;
    r->kex.rsa_refusal_alert = true;
    r->kex.rsa_refusal_desc = TD_ALERT_HANDSHAKE_FAILURE;
    td_probe_kex_verdict(r);
    assert_int_equal(r->num_findings, 1);
    assert_int_equal(r->findings[0].cause, TD_CAUSE_RSA_KEX_REMOVED);
    assert_int_equal(r->findings[0].sev, TD_SEV_ERROR);
    assert_non_null(strstr(r->findings[0].message, "TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_GCM_SHA384"));
    assert_non_null(strstr(r->findings[0].message, "alert handshake_failure (40)"));
    done(r);
    r = rsa_only(); /* refused by silence */
    r->kex.rsa_kex_only = TD_TRI_YES;
    td_probe_kex_verdict(r);
    assert_int_equal(r->num_findings, 1);
    assert_non_null(strstr(r->findings[0].message, "(no ServerHello)"));
    done(r);
    for (int t = TD_TRI_UNKNOWN; t <= TD_TRI_NO; t += TD_TRI_NO - TD_TRI_UNKNOWN) {
        r = rsa_only();
        r->kex.rsa_kex_only = (enum td_probe_tri)t;
        td_probe_kex_verdict(r);
        assert_int_equal(r->num_findings, 0);
        done(r);
    }
}

/* TLS 1.3 spoken, the hello with post-quantum groups first refused: hello_intolerance; not refused: nothing. */
static void test_pq_refused(void **state)
{
    (void)state;
    struct td_probe_result *r = calloc(1, sizeof *r);
    r->kex.pq_refused = true;
    td_probe_kex_verdict(r);
    assert_int_equal(r->num_findings, 1);
    assert_int_equal(r->findings[0].cause, TD_CAUSE_HELLO_INTOLERANCE);
    assert_non_null(strstr(r->findings[0].message, "X25519MLKEM768 and X25519Kyber768Draft00 before its own groups "
                                                   "(no ServerHello)"));
    done(r);
    r = calloc(1, sizeof *r);
    r->kex.pq_selected = TD_TRI_NO;
    r->kex.pq_group = TD_GROUP_X25519;
    td_probe_kex_verdict(r);
    assert_int_equal(r->num_findings, 0);
    done(r);
}

/* A run of the five forms: each answer given in order base, pq, split, f5, large. */
static struct td_probe_result *mb(enum td_probe_answer base, enum td_probe_answer pq, enum td_probe_answer split,
                                  enum td_probe_answer f5, enum td_probe_answer large)
{
    struct td_probe_result *r = calloc(1, sizeof *r);
    const enum td_probe_answer a[TD_MB_FORMS] = {base, pq, split, f5, large};
    static const size_t bytes[TD_MB_FORMS] = {512, 1457, 512, 300, 1500};
    static const unsigned segs[TD_MB_FORMS] = {1, 2, 2, 1, 2};
    r->mb.run = true;
    for (int f = 0; f < TD_MB_FORMS; f++) {
        r->mb.t[f] = (struct td_probe_mb_try){a[f], bytes[f], segs[f]};
    }
    td_probe_middlebox_verdict(r);
    return r;
}

static size_t count(const struct td_probe_result *r, enum td_cause c, enum td_sev sev, const char *words)
{
    size_t n = 0;
    for (size_t i = 0; i < r->num_findings; i++) {
        n += r->findings[i].cause == c && r->findings[i].sev == sev && strstr(r->findings[i].message, words);
    }
    return n;
}

static void test_middlebox_verdicts(void **state)
{
    (void)state;
    enum td_probe_answer A = TD_ANS_ANSWERED, T = TD_ANS_TIMEOUT, R = TD_ANS_RESET, N = TD_ANS_NOT_RUN;
    struct td_probe_result *r = mb(A, A, A, A, A);
    assert_int_equal(r->num_findings, 0);
    done(r);
    r = mb(T, N, N, N, N); /* the base hello itself: nothing to compare */
    assert_int_equal(r->num_findings, 0);
    done(r);
    r = mb(A, T, A, A, T); /* size: both big hellos */
    assert_int_equal(r->num_findings, 1);
    assert_int_equal(count(r, TD_CAUSE_HELLO_TOO_LARGE, TD_SEV_ERROR,
                           "1457 bytes (2 TCP segments) with an "
                           "X25519MLKEM768 key share got no answer"),
                     1);
    done(r);
    r = mb(A, R, A, A, A); /* the share, not the size */
    assert_int_equal(r->num_findings, 1);
    assert_int_equal(count(r, TD_CAUSE_HELLO_INTOLERANCE, TD_SEV_ERROR, "the post-quantum key share itself"), 1);
    done(r);
    r = mb(A, A, A, A, R); /* 1,500 bytes refused, the post-quantum one answered: still size */
    assert_int_equal(count(r, TD_CAUSE_HELLO_TOO_LARGE, TD_SEV_ERROR,
                           "padded to 1500 bytes without it (2 segments) "
                           "was reset"),
                     1);
    done(r);
    r = mb(A, A, A, T, A); /* F5 */
    assert_int_equal(r->num_findings, 1);
    assert_int_equal(count(r, TD_CAUSE_HELLO_INTOLERANCE, TD_SEV_ERROR, "300 bytes (between 256 and 511)"), 1);
    done(r);
    r = mb(A, A, TD_ANS_CLOSED, A, A); /* split: a warning */
    assert_int_equal(r->num_findings, 1);
    assert_int_equal(count(r, TD_CAUSE_HELLO_INTOLERANCE, TD_SEV_WARNING, "two TCP segments 200 ms apart"), 1);
    done(r);
    r = calloc(1, sizeof *r); /* not run */
    td_probe_middlebox_verdict(r);
    assert_int_equal(r->num_findings, 0);
    done(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_kex_removed),
        cmocka_unit_test(test_pq_refused),
        cmocka_unit_test(test_middlebox_verdicts),
    };
    return tl_run_tests("probe/kex_middlebox", tests);
}
