/* Community ID v1: the spec's published TCP vectors (the community-id-spec
 * baseline, also in Zeek's btest for community_id_v1), either direction, a
 * seed, IPv6, and flows it cannot name. */
#include "testlib.h"

#include <arpa/inet.h>
#include <string.h>

#include "base/net.h"
#include "crypto/crypto.h"

static struct td_addr addr(const char *s)
{
    struct td_addr a = {0};
    a.family = strchr(s, ':') ? 6 : 4;
    assert_int_equal(inet_pton(a.family == 6 ? AF_INET6 : AF_INET, s, a.a), 1);
    return a;
}

static void test_spec_vectors(void **state)
{
    (void)state;
    struct td_addr a = addr("1.2.3.4"), b = addr("5.6.7.8");
    char cid[TD_COMMUNITY_ID_LEN];
    assert_true(td_community_id(&a, 1122, &b, 3344, TD_IPPROTO_TCP, 0, cid));
    assert_string_equal(cid, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
    assert_true(td_community_id(&b, 3344, &a, 1122, TD_IPPROTO_TCP, 0, cid)); /* the other direction */
    assert_string_equal(cid, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
    assert_true(td_community_id(&a, 1122, &b, 3344, TD_IPPROTO_TCP, 1, cid));
    assert_string_equal(cid, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=");
    assert_true(td_community_id(&a, 1122, &b, 3344, 17, 0, cid)); /* UDP: the spec's vector too */
    assert_string_equal(cid, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=");
}

/* Same address both sides (loopback): the ports order the endpoints. The
 * value is the one tshark 4.0's communityid gives for tests/captures/openssl-lo.pcap
 * tcp.stream 2; the IPv6 one is Python's hashlib over the spec's layout. */
static void test_same_address_and_ipv6(void **state)
{
    (void)state;
    struct td_addr lo = addr("127.0.0.1");
    char cid[TD_COMMUNITY_ID_LEN], rev[TD_COMMUNITY_ID_LEN];
    assert_true(td_community_id(&lo, 50826, &lo, 443, TD_IPPROTO_TCP, 0, cid));
    assert_string_equal(cid, "1:1Ym7c1V4tG1fYvFkLTwYUXzItTw=");
    struct td_addr x = addr("fe80:1:203:405:607:809:a0b:c0d"), y = addr("fe80:1011:1213:1415:1617:1819:1a1b:1c1d");
    assert_true(td_community_id(&y, 3344, &x, 1122, TD_IPPROTO_TCP, 0, cid));
    assert_true(td_community_id(&x, 1122, &y, 3344, TD_IPPROTO_TCP, 0, rev));
    assert_string_equal(cid, "1:x46CnGcE5e7seY/CGiklKh9QYug=");
    assert_string_equal(cid, rev);
}

static void test_unnamed_flows(void **state)
{
    (void)state;
    struct td_addr v4 = addr("1.2.3.4"), v6 = addr("::1"), none = {0};
    char cid[TD_COMMUNITY_ID_LEN] = "x";
    assert_false(td_community_id(&v4, 1, &v6, 2, TD_IPPROTO_TCP, 0, cid));
    assert_string_equal(cid, "");
    assert_false(td_community_id(&none, 1, &none, 2, TD_IPPROTO_TCP, 0, cid));
}

static void test_addr_port_parse(void **state)
{
    (void)state;
    struct td_addr a;
    uint16_t p;
    char s[80];
    assert_true(td_addr_port_parse("192.0.2.1:443", &a, &p));
    td_addr_port_str(&a, p, s, sizeof s);
    assert_string_equal(s, "192.0.2.1:443");
    assert_true(td_addr_port_parse("[2001:db8::1]:8443", &a, &p));
    td_addr_port_str(&a, p, s, sizeof s);
    assert_string_equal(s, "[2001:db8::1]:8443");
    static const char *bad[] = {"",          ":",        "1.2.3.4",          "1.2.3.4:", "1.2.3.4:65536",
                                "1.2.3.4:x", "[::1:443", "2001:db8::1:443x", "[]:1",     "999.1.1.1:1",
                                "[::1]:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(td_addr_port_parse(bad[i], &a, &p));
    }
}

/* --shard's hash: both directions the same, the endpoints told apart. */
static void test_flow_sym_hash(void **state)
{
    (void)state;
    struct td_addr a = addr("192.0.2.1"), b = addr("192.0.2.2"), c = addr("2001:db8::1"), d = addr("2001:db8::2");
    assert_int_equal(td_flow_sym_hash(&a, 50000, &b, 443), td_flow_sym_hash(&b, 443, &a, 50000));
    assert_int_equal(td_flow_sym_hash(&c, 50000, &d, 443), td_flow_sym_hash(&d, 443, &c, 50000));
    assert_int_equal(td_flow_sym_hash(&a, 443, &a, 50000), td_flow_sym_hash(&a, 50000, &a, 443));
    assert_int_not_equal(td_flow_sym_hash(&a, 50000, &b, 443), td_flow_sym_hash(&a, 50001, &b, 443));
    assert_int_not_equal(td_flow_sym_hash(&a, 50000, &b, 443), td_flow_sym_hash(&a, 443, &b, 50000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_vectors),  cmocka_unit_test(test_same_address_and_ipv6),
        cmocka_unit_test(test_unnamed_flows), cmocka_unit_test(test_addr_port_parse),
        cmocka_unit_test(test_flow_sym_hash),
    };
    return tl_run_tests("crypto/community_id", tests);
}
