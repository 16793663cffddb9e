/* probe/replay.c and replay_plan.c without a network: the variants a hello
 * gets (in order, none twice, none for what it already offers), the cause
 * each proves, --dry-run sending nothing, and the hellos that are not
 * replayed (answered in the capture, malformed, after a proxy's preamble). */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/replay.h"
#include "tls/names.h"

static void input(struct td_replay_input *in, const char *sni)
{
    struct td_buf body = {0};
    tl_client_hello(&body, sni);
    memset(in, 0, sizeof *in);
    in->hello = body.data;
    in->hello_len = body.len;
    snprintf(in->server, sizeof in->server, "127.0.0.1:9");
    in->captured.answer = TD_RA_ALERT;
    in->captured.alert_desc = TD_ALERT_HANDSHAKE_FAILURE;
}

static size_t count(const struct td_replay_result *r, enum td_variant_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < r->num_v; i++) {
        n += r->v[i].kind == k;
    }
    return n;
}

static void test_dry_run_plans_and_sends_nothing(void **state)
{
    (void)state;
    struct td_replay_input in;
    input(&in, NULL);
    struct td_replay_hints h = {
        .suites = {0xc02b, 0x1301}, .num_suites = 2, .groups = {TD_GROUP_SECP384R1}, .num_groups = 1};
    struct td_replay_opts o = {.dry_run = true, .sni = "server.test"};
    struct td_replay_result *r = calloc(1, sizeof *r);
    char err[200];
    assert_true(td_replay(&in, &h, &o, r, err, sizeof err));
    assert_false(r->skipped);
    assert_int_equal(r->connections, 0);
    assert_int_equal(r->v[0].kind, TD_VK_BASELINE);
    assert_int_equal(r->v[1].kind, TD_VK_SNI); /* the offer changes first */
    assert_non_null(strstr(r->v[1].what, "server.test"));
    assert_int_equal(count(r, TD_VK_VERSION), 0); /* it offers TLS 1.3 already */
    size_t g = 1 + count(r, TD_VK_SNI), s = g + count(r, TD_VK_GROUP);
    assert_int_equal(r->v[g].kind, TD_VK_GROUP);         /* groups before suites */
    assert_int_equal(r->v[g].value, TD_GROUP_SECP384R1); /* the capture's learned group before the common ones */
    assert_int_equal(r->v[s].kind, TD_VK_SUITE);
    assert_int_equal(r->v[s].value, 0xc02b); /* the capture's learned suite before the common ones */
    for (size_t i = 0; i < r->num_v; i++) {
        assert_true(r->v[i].kind != TD_VK_SUITE || r->v[i].value != 0x1301); /* offered: not added */
        assert_true(r->v[i].kind != TD_VK_GROUP || r->v[i].value != TD_GROUP_X25519);
        assert_true(r->v[i].hello_len > 0 && r->v[i].got.answer == TD_RA_NONE);
        for (size_t k = i + 1; k < r->num_v; k++) {
            assert_false(r->v[i].kind == r->v[k].kind && r->v[i].value == r->v[k].value);
        }
    }
    assert_int_equal(count(r, TD_VK_SPLIT), 1);
    assert_int_equal(count(r, TD_VK_DROP_EXT), 5); /* each extension of the sample hello (no server_name) */
    assert_int_equal(r->num_proofs, 0);
    free(r);
    free(in.hello);
}

static void test_causes_of_variants(void **state)
{
    (void)state;
    static const struct {
        enum td_variant_kind k;
        enum td_cause c;
    } want[] = {
        {TD_VK_SNI, TD_CAUSE_SNI_REQUIRED},          {TD_VK_VERSION, TD_CAUSE_PROTOCOL_MISMATCH},
        {TD_VK_SUITE, TD_CAUSE_CIPHER_MISMATCH},     {TD_VK_GROUP, TD_CAUSE_GROUP_MISMATCH},
        {TD_VK_DROP_PQ, TD_CAUSE_HELLO_INTOLERANCE}, {TD_VK_DROP_EXT, TD_CAUSE_HELLO_INTOLERANCE},
        {TD_VK_SPLIT, TD_CAUSE_HELLO_INTOLERANCE},   {TD_VK_PAD, TD_CAUSE_HELLO_INTOLERANCE},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct td_replay_variant v = {.kind = want[i].k};
        assert_int_equal(td_replay_cause_of(&v), want[i].c);
    }
}

static void test_not_replayed(void **state)
{
    (void)state;
    struct td_replay_input in;
    struct td_replay_opts o = {.dry_run = true};
    struct td_replay_result *r = calloc(1, sizeof *r);
    char err[200];
    input(&in, "server.test");
    in.answered = true;
    assert_true(td_replay(&in, NULL, &o, r, err, sizeof err));
    assert_true(r->skipped);
    assert_non_null(strstr(r->skip_why, "ServerHello"));
    in.answered = false;
    in.preamble = "SOCKS5"; /* a proxy's preamble: not spoken by the replay */
    assert_true(td_replay(&in, NULL, &o, r, err, sizeof err));
    assert_true(r->skipped && strstr(r->skip_why, "SOCKS5"));
    in.preamble = "SMTP"; /* STARTTLS: replayed after the probe's own */
    assert_true(td_replay(&in, NULL, &o, r, err, sizeof err));
    assert_false(r->skipped);
    assert_non_null(strstr(r->notes, "smtp STARTTLS"));
    in.preamble = NULL;
    in.hello_len = 40; /* cut inside the suites */
    assert_true(td_replay(&in, NULL, &o, r, err, sizeof err));
    assert_true(r->skipped && strstr(r->skip_why, "malformed at offset"));
    o.target = "host:99999";
    assert_false(td_replay(&in, NULL, &o, r, err, sizeof err)); /* a usage error */
    free(r);
    free(in.hello);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dry_run_plans_and_sends_nothing),
        cmocka_unit_test(test_causes_of_variants),
        cmocka_unit_test(test_not_replayed),
    };
    return tl_run_tests("probe/replay", tests);
}
