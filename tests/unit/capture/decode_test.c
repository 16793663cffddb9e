#include "testlib.h"

#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"

/* An IPv4 TCP packet 10.0.0.1:40000 -> 10.0.0.2:443 with payload "hi". */
static void ipv4_tcp(struct td_buf *out, uint16_t frag)
{
    struct td_bld b;
    td_bld_init(&b, out);
    td_bld_u8(&b, 0x45);
    td_bld_u8(&b, 0);
    td_bld_u16(&b, 20 + 20 + 2);
    td_bld_u16(&b, 1);
    td_bld_u16(&b, frag);
    td_bld_u8(&b, 64);
    td_bld_u8(&b, 6);
    td_bld_u16(&b, 0);
    td_bld_u32(&b, 0x0a000001);
    td_bld_u32(&b, 0x0a000002);
    td_bld_u16(&b, 40000);
    td_bld_u16(&b, 443);
    td_bld_u32(&b, 1000);
    td_bld_u32(&b, 2000);
    td_bld_u8(&b, 5 << 4);
    td_bld_u8(&b, TD_TCP_ACK | TD_TCP_PSH);
    td_bld_u16(&b, 65535);
    td_bld_u16(&b, 0);
    td_bld_u16(&b, 0);
    td_bld_bytes(&b, "hi", 2);
    assert_true(td_bld_finish(&b));
}

/* IPv6 with a hop-by-hop and a destination-options header before TCP. */
static void ipv6_tcp(struct td_buf *out)
{
    struct td_bld b;
    uint8_t addr[16] = {0x20, 0x01, 0x0d, 0xb8};
    td_bld_init(&b, out);
    td_bld_u32(&b, 0x60000000);
    td_bld_u16(&b, 8 + 8 + 20 + 2);
    td_bld_u8(&b, 0); /* hop-by-hop */
    td_bld_u8(&b, 64);
    addr[15] = 1;
    td_bld_bytes(&b, addr, 16);
    addr[15] = 2;
    td_bld_bytes(&b, addr, 16);
    td_bld_u8(&b, 60); /* next: destination options */
    td_bld_u8(&b, 0);
    td_bld_bytes(&b, "\x01\x04\0\0\0\0", 6);
    td_bld_u8(&b, 6); /* next: TCP */
    td_bld_u8(&b, 0);
    td_bld_bytes(&b, "\x01\x04\0\0\0\0", 6);
    td_bld_u16(&b, 40000);
    td_bld_u16(&b, 443);
    td_bld_u32(&b, 1);
    td_bld_u32(&b, 2);
    td_bld_u8(&b, 5 << 4);
    td_bld_u8(&b, TD_TCP_ACK);
    td_bld_u16(&b, 1);
    td_bld_u32(&b, 0);
    td_bld_bytes(&b, "hi", 2);
    assert_true(td_bld_finish(&b));
}

static void check_tcp(int dlt, const struct td_buf *frame, int family)
{
    struct td_tcpseg s;
    const char *why;
    size_t at;
    assert_int_equal(td_decode_frame(dlt, frame->data, frame->len, &s, &why, &at), TD_DEC_TCP);
    assert_int_equal(s.src.family, family);
    assert_int_equal(s.sport, 40000);
    assert_int_equal(s.dport, 443);
    assert_int_equal(td_cur_len(&s.payload), 2);
    assert_true(td_mem_eq(td_cur_data(&s.payload), "hi", 2));
    assert_int_equal(s.ttl, 64); /* the innermost IP header's TTL / hop limit, and IPv4's ID */
    assert_int_equal(s.has_ip_id, family == 4);
    if (family == 4) {
        assert_int_equal(s.ip_id, 1);
    }
    /* every truncation of the headers is reported, never read past */
    for (size_t n = 0; n < frame->len - 2; n++) {
        uint8_t *copy = td_memdup(frame->data, n);
        enum td_decode_result r = td_decode_frame(dlt, copy, n, &s, &why, &at);
        assert_true(r != TD_DEC_TCP || td_cur_len(&s.payload) < 2);
        free(copy);
    }
}

static void test_link_types(void **state)
{
    (void)state;
    struct td_buf ip4 = {0}, ip6 = {0}, f = {0};
    ipv4_tcp(&ip4, 0);
    ipv6_tcp(&ip6);

    /* Ethernet with QinQ (802.1ad outer, 802.1Q inner) */
    static const uint8_t eth[12] = {0};
    td_buf_append(&f, eth, 12);
    td_buf_append(&f, "\x88\xa8\x00\x01\x81\x00\x00\x02\x08\x00", 10);
    td_buf_append(&f, ip4.data, ip4.len);
    check_tcp(DLT_EN10MB, &f, 4);

    /* Linux cooked v1: protocol in the last 2 of 16 bytes */
    td_buf_reset(&f);
    td_buf_append(&f, "\0\0\0\x01\0\x06\0\0\0\0\0\0\0\0\x86\xdd", 16);
    td_buf_append(&f, ip6.data, ip6.len);
    check_tcp(DLT_LINUX_SLL, &f, 6);

    /* Linux cooked v2: protocol first, 20 bytes */
    td_buf_reset(&f);
    td_buf_append(&f, "\x08\x00\0\0\0\0\0\x01\0\x01\0\x06\0\0\0\0\0\0\0\0", 20);
    td_buf_append(&f, ip4.data, ip4.len);
    check_tcp(276, &f, 4);

    /* BSD NULL, little-endian AF_INET; LOOP, network order AF_INET6 (BSD 24) */
    td_buf_reset(&f);
    td_buf_append(&f, "\x02\0\0\0", 4);
    td_buf_append(&f, ip4.data, ip4.len);
    check_tcp(DLT_NULL, &f, 4);
    td_buf_reset(&f);
    td_buf_append(&f, "\0\0\0\x18", 4);
    td_buf_append(&f, ip6.data, ip6.len);
    check_tcp(DLT_LOOP, &f, 6);

    /* raw IP */
    check_tcp(DLT_RAW, &ip4, 4);
    check_tcp(DLT_RAW, &ip6, 6);
    check_tcp(228, &ip4, 4);
    check_tcp(229, &ip6, 6);
    td_buf_free(&ip4);
    td_buf_free(&ip6);
    td_buf_free(&f);
}

static void test_fragments_and_malformed(void **state)
{
    (void)state;
    struct td_buf ip4 = {0};
    struct td_tcpseg s;
    const char *why;
    size_t at;
    ipv4_tcp(&ip4, 0x2000); /* MF */
    assert_int_equal(td_decode_frame(DLT_RAW, ip4.data, ip4.len, &s, &why, &at), TD_DEC_FRAGMENT);
    td_buf_reset(&ip4);
    ipv4_tcp(&ip4, 0x0010); /* offset 16 */
    assert_int_equal(td_decode_frame(DLT_RAW, ip4.data, ip4.len, &s, &why, &at), TD_DEC_FRAGMENT);
    td_buf_reset(&ip4);
    ipv4_tcp(&ip4, 0x4000); /* DF only: not a fragment */
    assert_int_equal(td_decode_frame(DLT_RAW, ip4.data, ip4.len, &s, &why, &at), TD_DEC_TCP);
    ip4.data[32] = 0x30; /* TCP data offset 12 bytes */
    assert_int_equal(td_decode_frame(DLT_RAW, ip4.data, ip4.len, &s, &why, &at), TD_DEC_MALFORMED);
    assert_non_null(strstr(why, "data offset"));
    assert_int_equal(at, 40);
    ip4.data[32] = 0x50;
    /* Ethernet padding after the IP packet is not payload */
    td_buf_append(&ip4, "\0\0\0\0\0\0", 6);
    assert_int_equal(td_decode_frame(DLT_RAW, ip4.data, ip4.len, &s, &why, &at), TD_DEC_TCP);
    assert_int_equal(td_cur_len(&s.payload), 2);
    td_buf_free(&ip4);
}

/* An outer IPv4 header 192.0.2.1 -> 192.0.2.2 with protocol proto around inner. */
static void outer_ipv4(struct td_buf *out, uint8_t proto, const struct td_buf *inner)
{
    struct td_bld b;
    td_bld_init(&b, out);
    td_bld_u8(&b, 0x45);
    td_bld_u8(&b, 0);
    td_bld_u16(&b, (uint16_t)(20 + inner->len));
    td_bld_u16(&b, 7);
    td_bld_u16(&b, 0);
    td_bld_u8(&b, 64);
    td_bld_u8(&b, proto);
    td_bld_u16(&b, 0);
    td_bld_u32(&b, 0xc0000201);
    td_bld_u32(&b, 0xc0000202);
    td_bld_bytes(&b, inner->data, inner->len);
    assert_true(td_bld_finish(&b));
}

/* Ethernet around an IP packet (ethertype IPv4 or IPv6). */
static void ether(struct td_buf *out, uint16_t type, const struct td_buf *inner)
{
    struct td_bld b;
    td_bld_init(&b, out);
    td_bld_bytes(&b, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
    td_bld_u16(&b, type);
    td_bld_bytes(&b, inner->data, inner->len);
    assert_true(td_bld_finish(&b));
}

static void udp(struct td_buf *out, uint16_t dport, const uint8_t *hdr, size_t hdr_len, const struct td_buf *inner)
{
    struct td_bld b;
    td_bld_init(&b, out);
    td_bld_u16(&b, 50000);
    td_bld_u16(&b, dport);
    td_bld_u16(&b, (uint16_t)(8 + hdr_len + inner->len));
    td_bld_u16(&b, 0);
    td_bld_bytes(&b, hdr, hdr_len);
    td_bld_bytes(&b, inner->data, inner->len);
    assert_true(td_bld_finish(&b));
}

static void prefixed(struct td_buf *out, const uint8_t *hdr, size_t hdr_len, const struct td_buf *inner)
{
    td_buf_append(out, hdr, hdr_len);
    td_buf_append(out, inner->data, inner->len);
}

/* TLS inside tunnels: IP-in-IP (v4, v6), GRE (IP, bridged Ethernet, ERSPAN
 * II and III), VXLAN, GENEVE, GTP-U, MPLS, PPPoE; the inner TCP segment comes
 * out, and every truncation is reported, never read past. */
static void test_encapsulations(void **state)
{
    (void)state;
    struct td_buf ip4 = {0}, ip6 = {0}, eth4 = {0}, t = {0}, f = {0}, mid = {0};
    ipv4_tcp(&ip4, 0);
    ipv6_tcp(&ip6);
    ether(&eth4, 0x0800, &ip4);
    struct {
        const char *name;
        uint8_t proto; /* outer IPv4 protocol, 0: an Ethernet frame */
        const uint8_t *hdr;
        size_t hdr_len;
        const struct td_buf *inner;
        uint16_t udp_port; /* non-zero: the header rides in UDP to this port */
        int family;
    } cases[] = {
        {"IPIP", 4, NULL, 0, &ip4, 0, 4},
        {"6in4", 41, NULL, 0, &ip6, 0, 6},
        {"GRE IPv4", 47, (const uint8_t *)"\0\0\x08\0", 4, &ip4, 0, 4},
        {"GRE key+seq IPv6", 47, (const uint8_t *)"\x30\0\x86\xdd\0\0\0\x01\0\0\0\x02", 12, &ip6, 0, 6},
        {"GRE bridged", 47, (const uint8_t *)"\0\0\x65\x58", 4, &eth4, 0, 4},
        {"ERSPAN II", 47,
         (const uint8_t *)"\x10\0\x88\xbe\0\0\0\x01"
                          "\x10\x01\0\x01\0\0\0\0",
         16, &eth4, 0, 4},
        {"ERSPAN III", 47,
         (const uint8_t *)"\x10\0\x22\xeb\0\0\0\x01"
                          "\x20\x01\0\x01\0\0\0\0\0\0\0\0",
         20, &eth4, 0, 4},
        {"VXLAN", 17, (const uint8_t *)"\x08\0\0\0\0\0\x2a\0", 8, &eth4, 4789, 4},
        {"GENEVE", 17, (const uint8_t *)"\x01\0\x65\x58\0\0\x2a\0\x01\x02\x03\x04", 12, &eth4, 6081, 4},
        {"GTP-U", 17, (const uint8_t *)"\x30\xff\0\x2a\0\0\0\x01", 8, &ip4, 2152, 4},
        {"MPLS", 0, (const uint8_t *)"\x88\x47\0\x01\x00\x40\0\x02\x01\x40", 10, &ip4, 0, 4},
        {"PPPoE", 0, (const uint8_t *)"\x88\x64\x11\0\0\x01\0\x2c\0\x21", 10, &ip4, 0, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        td_buf_reset(&t);
        td_buf_reset(&f);
        td_buf_reset(&mid);
        if (cases[i].proto == 0) {
            /* an Ethernet header whose ethertype is the case's first two bytes */
            td_buf_append(&f, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
            prefixed(&f, cases[i].hdr, cases[i].hdr_len, cases[i].inner);
        } else {
            if (cases[i].udp_port) {
                udp(&mid, cases[i].udp_port, cases[i].hdr, cases[i].hdr_len, cases[i].inner);
            } else {
                prefixed(&mid, cases[i].hdr, cases[i].hdr_len, cases[i].inner);
            }
            outer_ipv4(&t, cases[i].proto, &mid);
            ether(&f, 0x0800, &t);
        }
        print_message("%s\n", cases[i].name);
        check_tcp(DLT_EN10MB, &f, cases[i].family);
    }
    /* a tunnel in a tunnel in ... stops at 8 */
    td_buf_reset(&t);
    td_buf_append(&t, ip4.data, ip4.len);
    for (int k = 0; k < 10; k++) {
        td_buf_reset(&mid);
        outer_ipv4(&mid, 4, &t);
        td_buf_reset(&t);
        td_buf_append(&t, mid.data, mid.len);
    }
    struct td_tcpseg s;
    const char *why;
    size_t at;
    assert_int_equal(td_decode_frame(DLT_RAW, t.data, t.len, &s, &why, &at), TD_DEC_MALFORMED);
    td_buf_free(&ip4);
    td_buf_free(&ip6);
    td_buf_free(&eth4);
    td_buf_free(&t);
    td_buf_free(&f);
    td_buf_free(&mid);
}

/* IPv4 fragments of the test packet, any order, overlapping, reassemble into
 * it; absurd offsets are refused; a full table drops the oldest, never grows. */
static void test_ipfrag(void **state)
{
    (void)state;
    struct td_buf ip4 = {0}, out = {0};
    ipv4_tcp(&ip4, 0);
    struct td_ipfrag *t = td_ipfrag_new();
    /* payload (TCP header + "hi") is 22 bytes: fragments [0,8) [8,16) [16,22), plus a duplicate of the first */
    const size_t offs[] = {16, 0, 8, 0};
    bool done = false;
    for (size_t i = 0; i < 4 && !done; i++) {
        struct td_buf f = {0};
        size_t off = offs[i], n = off + 8 <= 22 ? 8 : 22 - off;
        td_buf_append_slow(&f, ip4.data, 20);
        td_buf_append_slow(&f, ip4.data + 20 + off, n); /* n <= 8 */
        f.data[2] = 0;
        f.data[3] = (uint8_t)(20 + n);
        uint16_t fr = (uint16_t)((off + n < 22 ? 0x2000 : 0) | (off / 8));
        f.data[6] = (uint8_t)(fr >> 8);
        f.data[7] = (uint8_t)fr;
        struct td_cur c;
        td_cur_init(&c, f.data, f.len);
        done = td_ipfrag_add(t, &c, &out);
        td_buf_free(&f);
    }
    assert_true(done);
    assert_int_equal(out.len, ip4.len);
    assert_true(td_mem_eq(out.data, ip4.data, ip4.len));
    /* an offset past 65535 bytes */
    struct td_buf bad = {0};
    td_buf_append_slow(&bad, ip4.data, ip4.len);
    bad.data[6] = 0x3f;
    bad.data[7] = 0xff;
    struct td_cur c;
    td_cur_init(&c, bad.data, bad.len);
    assert_false(td_ipfrag_add(t, &c, &out));
    /* 1000 different datagrams that never complete: bounded table */
    for (int i = 0; i < 1000; i++) {
        bad.data[4] = (uint8_t)(i >> 8);
        bad.data[5] = (uint8_t)i;
        bad.data[6] = 0x20;
        bad.data[7] = 0;
        td_cur_init(&c, bad.data, bad.len);
        td_ipfrag_add(t, &c, &out);
    }
    /* IPv6: the same TCP segment behind a Fragment header, through the decoder */
    const size_t offs6[] = {8, 16, 0};
    done = false;
    for (size_t i = 0; i < 3 && !done; i++) {
        struct td_buf f = {0};
        struct td_bld b;
        size_t off = offs6[i], n = off + 8 <= 22 ? 8 : 22 - off;
        td_bld_init(&b, &f);
        td_bld_u32(&b, 0x60000000);
        td_bld_u16(&b, (uint16_t)(8 + n));
        td_bld_u8(&b, 44);
        td_bld_u8(&b, 64);
        td_bld_bytes(&b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
        td_bld_bytes(&b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
        td_bld_u8(&b, 6);
        td_bld_u8(&b, 0);
        td_bld_u16(&b, (uint16_t)((off / 8) << 3 | (off + n < 22 ? 1 : 0)));
        td_bld_u32(&b, 0xabcd);
        td_bld_bytes(&b, ip4.data + 20 + off, n);
        assert_true(td_bld_finish(&b));
        struct td_tcpseg s6;
        const char *why;
        size_t at;
        assert_int_equal(td_decode_frame(DLT_RAW, f.data, f.len, &s6, &why, &at), TD_DEC_FRAGMENT);
        done = td_ipfrag_add(t, &s6.frag_ip, &out);
        td_buf_free(&f);
    }
    assert_true(done);
    struct td_tcpseg s6;
    const char *why;
    size_t at;
    assert_int_equal(td_decode_frame(DLT_RAW, out.data, out.len, &s6, &why, &at), TD_DEC_TCP);
    assert_int_equal(s6.src.family, 6);
    assert_int_equal(s6.dport, 443);
    assert_true(td_mem_eq(td_cur_data(&s6.payload), "hi", 2));
    td_buf_free(&bad);
    td_buf_free(&ip4);
    td_buf_free(&out);
    td_ipfrag_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_types),
        cmocka_unit_test(test_fragments_and_malformed),
        cmocka_unit_test(test_encapsulations),
        cmocka_unit_test(test_ipfrag),
    };
    return tl_run_tests("capture/decode", tests);
}
