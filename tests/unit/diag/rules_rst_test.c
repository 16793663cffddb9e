/* Who reset the connection (diag/rules_util.c td_verdict_rst_origin, used by
 * the tcp_reset and hello_too_large rules): the RST's IP TTL against the
 * server's SYN-ACK, on hand-built facts. */
#include "testlib.h"

#include <string.h>

#include "diag/diag.h"
#include "facts_fixture.h"

static uint16_t suites[] = {0x1301};

/* A ClientHello answered by a server-side RST (frame 6) whose TTL is rst_ttl;
 * the SYN-ACK came with TTL 63 (one hop from the capture point). */
static void reset(struct td_facts *f, uint8_t rst_ttl)
{
    fx_hello(f, suites, 1, "filtered.example.com");
    f->rst[1] = true;
    f->rst_frame[1] = 6;
    f->cov.valid = true;
    for (int d = 0; d < 2; d++) {
        f->cov.dir[d].segments = 3;
        f->cov.dir[d].syn = f->cov.dir[d].from_start = f->cov.dir[d].acked = true;
    }
    f->cov.dir[0].payload_bytes = 300;
    f->cov.dir[1].syn_ip = (struct td_ip_mark){.seen = true, .has_id = true, .ttl = 63, .id = 0};
    f->cov.dir[1].rst_ip = (struct td_ip_mark){.seen = true, .has_id = true, .ttl = rst_ttl, .id = 4660};
}

static void test_reset_from_another_hop(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    reset(&f, 64);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_TCP_RESET);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_int_equal(v.fix_side, TD_SIDE_NETWORK);
    assert_true(fx_evidence_has(&v,
                                "the RST's TTL is 64, the SYN-ACK's 63, IP ID 4660 against the SYN-ACK's 0: not "
                                "sent by the server but by a device 0 hops from the capture point (the server is 1)"));
    assert_int_equal(v.candidates[0], TD_CAUSE_HELLO_INTOLERANCE);
}

static void test_reset_from_the_server(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    reset(&f, 63);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_TCP_RESET);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.fix_side, TD_SIDE_SERVER);
    assert_true(fx_evidence_has(&v, "the RST has the SYN-ACK's TTL (63)"));
    assert_true(fx_evidence_has(&v, "1 hop from the capture point"));
}

static void test_unknown_without_marks(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    reset(&f, 64);
    f.cov.dir[1].syn_ip.seen = false; /* the SYN-ACK not captured: nothing to compare */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_TCP_RESET);
    assert_int_equal(v.fix_side, TD_SIDE_SERVER);
    assert_false(fx_evidence_has(&v, "TTL"));
    reset(&f, 200); /* IPv6: no ID; a 255-based device 55 hops away */
    f.cov.dir[1].rst_ip.has_id = false;
    td_diagnose(&f, NULL, &v);
    assert_true(fx_evidence_has(&v, "the RST's TTL is 200, the SYN-ACK's 63: not sent by the server but by a device 55 "
                                    "hops"));
}

/* A hello of two segments whose second was never acknowledged, then the
 * reset: hello_too_large, with who reset it as evidence. */
static void too_large(struct td_facts *f, struct td_verdict *v, uint8_t rst_ttl)
{
    reset(f, rst_ttl);
    f->ch_len = 1800;
    f->cov.dir[0].payload_bytes = 1800;
    f->cov.dir[0].unacked_bytes = 400;
    td_diagnose(f, NULL, v);
    assert_int_equal(v->cause, TD_CAUSE_HELLO_TOO_LARGE);
}

static void test_hello_too_large_names_the_hop(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    too_large(&f, &v, 64);
    assert_true(fx_evidence_has(&v, "not sent by the server but by a device 0 hops from the capture point"));
    too_large(&f, &v, 63);
    assert_true(fx_evidence_has(&v, "the RST has the SYN-ACK's TTL (63)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_from_another_hop),
        cmocka_unit_test(test_reset_from_the_server),
        cmocka_unit_test(test_unknown_without_marks),
        cmocka_unit_test(test_hello_too_large_names_the_hop),
    };
    return tl_run_tests("diag/rules_rst", tests);
}
