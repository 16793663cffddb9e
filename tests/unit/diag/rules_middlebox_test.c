/* hello_too_large (diag/rules_middlebox.c) on hand-built facts with TCP
 * coverage: what the peer acknowledged of a ClientHello of two segments. */
#include "testlib.h"

#include <string.h>

#include "diag/diag.h"

static uint16_t suites_a[] = {0x1301, 0x1302, 0xc02f};
static uint16_t groups_pq[] = {0x11ec, 29, 23};

/* A 1,800-byte TLS 1.3 ClientHello (last byte in frame 5) with an
 * X25519MLKEM768 key share; the server acknowledged all but the last
 * unacked bytes, sent nothing, and the client gave up (FIN, frame 12). */
static void stalled(struct td_facts *f, uint64_t unacked)
{
    memset(f, 0, sizeof *f);
    f->tls = true;
    f->outcome = TD_OUTCOME_FAILED;
    f->have_ch = true;
    f->ch_frame = 5;
    f->ch_min = f->ch_max = 0x0304;
    f->ch_supported_versions = true;
    f->ch_suites.v = suites_a;
    f->ch_suites.n = 3;
    f->ch_groups.v = groups_pq;
    f->ch_groups.n = 3;
    f->ch_key_shares.v = groups_pq;
    f->ch_key_shares.n = 2;
    f->ch_pq_share = 0x11ec;
    f->ch_len = 1800;
    f->sni = true;
    strcpy(f->sni_name, "api.example.com"); /* test code: banned.h is not included */
    strcpy(f->server, "10.0.0.2:443");
    f->server_port = 443;
    f->fin[0] = true;
    f->fin_frame[0] = 12;
    f->cov.valid = true;
    f->cov.dir[0].segments = 6;
    f->cov.dir[0].payload_bytes = 1800;
    f->cov.dir[0].syn = f->cov.dir[0].from_start = f->cov.dir[0].acked = true;
    f->cov.dir[0].unacked_bytes = unacked;
    f->cov.dir[1].segments = 2;
    f->cov.dir[1].syn = f->cov.dir[1].from_start = f->cov.dir[1].acked = true;
}

static void test_second_segment_never_acknowledged(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    stalled(&f, 352);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_HELLO_TOO_LARGE);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.fix_side, TD_SIDE_NETWORK);
    assert_non_null(strstr(v.explanation, "first 1448 bytes and never the last 352"));
    assert_non_null(strstr(v.explanation, "X25519MLKEM768"));
    assert_non_null(strstr(v.fix, "GODEBUG=tlsmlkem=0"));
    assert_non_null(v.changed);
    assert_non_null(strstr(v.changed->what, "OpenSSL 3.5"));
    /* a reset from the server's side after it: the same, said */
    f.rst[1] = true;
    f.rst_frame[1] = 8;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_HELLO_TOO_LARGE);
    assert_non_null(strstr(v.explanation, "reset"));
    /* without a PQ share: the cause stays, the change line goes */
    stalled(&f, 352);
    f.ch_pq_share = 0;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_HELLO_TOO_LARGE);
    assert_null(v.changed);
}

static void test_nothing_acknowledged(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    stalled(&f, 1800); /* a large hello none of which was acknowledged: medium */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_HELLO_TOO_LARGE);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_true(v.num_candidates > 0 && v.candidates[0] == TD_CAUSE_NO_RESPONSE);
    /* a small one: plain silence */
    stalled(&f, 300);
    f.ch_len = 300;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NO_RESPONSE);
}

static void test_not_when(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    /* everything acknowledged, nothing answered: silence, not the size */
    stalled(&f, 0);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_NO_RESPONSE);
    /* still open when the capture ended: it may yet be answered */
    stalled(&f, 352);
    f.fin[0] = false;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_HELLO_TOO_LARGE);
    /* the capture lost bytes of the client's direction: it cannot tell */
    stalled(&f, 352);
    f.cov.dir[0].gap_bytes = 100;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_HELLO_TOO_LARGE);
    /* the server's direction is not in the capture */
    stalled(&f, 352);
    f.cov.dir[1].segments = 0;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_HELLO_TOO_LARGE);
    /* the server answered */
    stalled(&f, 352);
    f.server_msgs = 1;
    f.have_sh = true;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_HELLO_TOO_LARGE);
}

static void test_inspection_ca(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    stalled(&f, 0);
    f.ch_len = 300;
    f.ch_min = 0x0303; /* a TLS 1.2-1.3 client, TLS 1.2 chosen: the certificate in clear */
    f.have_sh = true;
    f.sh_frame = 6;
    f.version = 0x0303;
    f.server_msgs = 3;
    f.have_cert = true;
    f.cert_frame = 6;
    strcpy(f.chain.leaf.subject, "CN=api.example.com");
    strcpy(f.chain.leaf.issuer, "CN=Zscaler Intermediate Root CA (zscaler.net),O=Zscaler Inc.");
    f.alert[0] = true;
    f.alert_level[0] = 2;
    f.alert_desc[0] = 48; /* unknown_ca */
    f.alert_frame[0] = 8;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_TLS_INSPECTION_CA);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_int_equal(v.fix_side, TD_SIDE_CLIENT);
    assert_non_null(strstr(v.explanation, "Zscaler"));
    assert_non_null(strstr(v.fix, "truststore"));
    /* a client that trusts the proxy's root has nothing to refuse */
    f.chain.trust_checked = f.chain.trusted = true;
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_TLS_INSPECTION_CA);
    /* an ordinary CA: the certificate rules decide */
    f.chain.trust_checked = f.chain.trusted = false;
    strcpy(f.chain.leaf.issuer, "CN=R11,O=Let's Encrypt");
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_TLS_INSPECTION_CA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_segment_never_acknowledged),
        cmocka_unit_test(test_nothing_acknowledged),
        cmocka_unit_test(test_not_when),
        cmocka_unit_test(test_inspection_ca),
    };
    return tl_run_tests("rules_middlebox", tests);
}
