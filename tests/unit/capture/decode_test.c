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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_types),
        cmocka_unit_test(test_fragments_and_malformed),
    };
    return tl_run_tests("capture/decode", tests);
}
