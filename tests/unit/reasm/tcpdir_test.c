#include "testlib.h"

#include <string.h>

#include "reasm/reasm.h"

/* Collects what the flow table delivers, per endpoint. */
struct sink {
    struct td_buf got[2];
    uint64_t gaps[2];
    int fins[2], rsts[2], ends, news;
    uint32_t last_stream;
    struct td_flow *last_flow;
    struct td_flowtab *tab;
    uint64_t data_frames[8]; /* td_flowtab_data_at for each on_data */
    size_t num_data;
};

static void on_new(void *ctx, struct td_flow *f)
{
    struct sink *s = ctx;
    s->news++;
    s->last_stream = f->stream;
    s->last_flow = f;
    f->app = s;
}
static void on_data(void *ctx, struct td_flow *f, int from, const uint8_t *p, size_t n)
{
    (void)f;
    struct sink *s = ctx;
    td_buf_append(&s->got[from], p, n);
    if (s->tab && s->num_data < 8) {
        struct td_time ts;
        td_flowtab_data_at(s->tab, &s->data_frames[s->num_data++], &ts);
    }
}
static void on_gap(void *ctx, struct td_flow *f, int from, uint64_t bytes, const char *why)
{
    (void)f, (void)why;
    struct sink *s = ctx;
    s->gaps[from] += bytes;
    for (uint64_t i = 0; i < bytes; i++) {
        td_buf_putc(&s->got[from], '_'); /* mark the hole in the output */
    }
}
static void on_flags(void *ctx, struct td_flow *f, int from, uint8_t flags)
{
    (void)f;
    struct sink *s = ctx;
    if (flags & TD_TCP_FIN) {
        s->fins[from]++;
    } else {
        s->rsts[from]++;
    }
}
static void on_end(void *ctx, struct td_flow *f, const char *why)
{
    (void)f, (void)why;
    struct sink *s = ctx;
    s->ends++;
}

static const struct td_reasm_ops ops = {on_new, on_data, on_gap, on_flags, on_end};

/* A segment whose payload on the wire was wire_len bytes, of which data was captured. */
static void seg_cut(struct td_flowtab *t, int from, uint32_t seq, uint32_t ack, uint8_t flags, const char *data,
                    uint32_t wire_len);

static void seg(struct td_flowtab *t, int from, uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
    seg_cut(t, from, seq, ack, flags, data, data ? (uint32_t)strlen(data) : 0);
}

static void seg_cut(struct td_flowtab *t, int from, uint32_t seq, uint32_t ack, uint8_t flags, const char *data,
                    uint32_t wire_len)
{
    static uint64_t frame;
    struct td_tcpseg s;
    td_memzero(&s, sizeof s);
    s.src.family = s.dst.family = 4;
    s.src.a[0] = 10, s.src.a[3] = (uint8_t)(from ? 2 : 1);
    s.dst.a[0] = 10, s.dst.a[3] = (uint8_t)(from ? 1 : 2);
    s.sport = from ? 443 : 40000;
    s.dport = from ? 40000 : 443;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    size_t n = data ? strlen(data) : 0;
    td_cur_init(&s.payload, (const uint8_t *)data, n);
    s.payload_wire_len = wire_len;
    struct td_time ts = {1000, 0};
    td_flowtab_segment(t, &s, &ts, ++frame);
}

static struct td_flowtab *table(struct sink *s)
{
    struct td_limits lim;
    td_limits_default(&lim);
    td_memzero(s, sizeof *s);
    return td_flowtab_new(&lim, &ops, s);
}

static void done(struct td_flowtab *t, struct sink *s)
{
    td_flowtab_free(t);
    td_buf_free(&s->got[0]);
    td_buf_free(&s->got[1]);
}

#define A TD_TCP_ACK
#define SYN TD_TCP_SYN

static void test_in_order_and_out_of_order(void **state)
{
    (void)state;
    struct sink s;
    struct td_flowtab *t = table(&s);
    seg(t, 0, 100, 0, SYN, NULL);
    seg(t, 1, 500, 101, SYN | A, NULL);
    seg(t, 0, 101, 501, A, "hello ");
    seg(t, 0, 113, 501, A, "third"); /* out of order */
    seg(t, 0, 107, 501, A, "world ");
    seg(t, 0, 101, 501, A, "hello "); /* retransmission */
    seg(t, 0, 110, 501, A, "ld thi"); /* overlap with what we have */
    seg(t, 1, 501, 118, A, "ok");
    assert_string_equal(td_buf_cstr(&s.got[0]), "hello world third");
    assert_string_equal(td_buf_cstr(&s.got[1]), "ok");
    assert_int_equal(s.gaps[0], 0);
    assert_int_equal(s.news, 1);
    done(t, &s);
}

static void test_missing_syn_and_wraparound(void **state)
{
    (void)state;
    struct sink s;
    struct td_flowtab *t = table(&s);
    /* no SYN captured; the sequence numbers wrap around 2^32 mid-stream */
    seg(t, 0, 0xfffffffcu, 7, A, "abcd");
    seg(t, 0, 0x00000004u, 7, A, "ijkl"); /* ahead: buffered */
    seg(t, 0, 0x00000000u, 7, A, "efgh");
    assert_string_equal(td_buf_cstr(&s.got[0]), "abcdefghijkl");
    done(t, &s);
}

static void test_gap_acknowledged_by_peer(void **state)
{
    (void)state;
    struct sink s;
    struct td_flowtab *t = table(&s);
    seg(t, 0, 100, 0, SYN, NULL);
    seg(t, 1, 500, 101, SYN | A, NULL);
    seg(t, 0, 101, 501, A, "aaaa");
    seg(t, 0, 109, 501, A, "cccc"); /* 105..108 never captured */
    assert_string_equal(td_buf_cstr(&s.got[0]), "aaaa");
    seg(t, 1, 501, 113, A, NULL); /* the server acknowledges all of it */
    assert_string_equal(td_buf_cstr(&s.got[0]), "aaaa____cccc");
    assert_int_equal(s.gaps[0], 4);
    done(t, &s);
}

static void test_gap_at_end_of_capture_and_fin(void **state)
{
    (void)state;
    struct sink s;
    struct td_flowtab *t = table(&s);
    seg(t, 0, 100, 0, SYN, NULL);
    seg(t, 0, 101, 0, A, "ab");
    seg(t, 0, 105, 0, A | TD_TCP_FIN, "ef"); /* FIN after a hole */
    assert_int_equal(s.fins[0], 0);          /* not in order yet */
    td_flowtab_finish(t);
    assert_string_equal(td_buf_cstr(&s.got[0]), "ab__ef");
    assert_int_equal(s.fins[0], 1);
    assert_int_equal(s.ends, 1);
    done(t, &s);
}

static void test_port_reuse_new_stream(void **state)
{
    (void)state;
    struct sink s;
    struct td_flowtab *t = table(&s);
    seg(t, 0, 100, 0, SYN, NULL);
    seg(t, 0, 100, 0, SYN, NULL); /* a retransmitted SYN: same stream */
    assert_int_equal(s.news, 1);
    seg(t, 1, 500, 101, SYN | A, NULL);
    seg(t, 0, 101, 501, A | TD_TCP_RST, NULL);
    seg(t, 0, 9000, 0, SYN, NULL); /* same ports, after RST: Wireshark's next tcp.stream */
    assert_int_equal(s.news, 2);
    assert_int_equal(s.last_stream, 1);
    seg(t, 0, 7777, 0, SYN, NULL); /* another ISN: yet another stream */
    assert_int_equal(s.news, 3);
    done(t, &s);
}

/* tshark 4.0 on hand-made captures: the SYN's sequence number against the
 * direction's base (first SYN; first segment - 1; the peer's first ACK - 1). */
static void test_port_reuse_as_wireshark(void **state)
{
    (void)state;
    struct sink s;
    struct td_flowtab *t = table(&s);
    seg(t, 0, 100, 0, SYN, NULL);
    seg(t, 1, 0, 101, TD_TCP_RST | A, NULL);
    td_flow_release(t, s.last_flow); /* the application reported the refused attempt */
    seg(t, 0, 100, 0, SYN, NULL);    /* retried after the RST, same ISN: same stream, followed again */
    assert_int_equal(s.news, 2);
    assert_int_equal(s.last_stream, 0);
    seg(t, 1, 500, 101, SYN | A, NULL);
    seg(t, 0, 101, 501, A | TD_TCP_FIN, NULL);
    seg(t, 1, 501, 102, A | TD_TCP_FIN, NULL);
    seg(t, 0, 100, 0, SYN, NULL); /* even after both FINs */
    assert_int_equal(s.news, 2);
    assert_int_equal(s.last_stream, 0);
    done(t, &s);

    t = table(&s);
    seg(t, 0, 100, 50, A, NULL); /* no SYN: base 99 */
    seg(t, 0, 99, 0, SYN, NULL);
    assert_int_equal(s.news, 1);
    seg(t, 0, 100, 0, SYN, NULL);
    assert_int_equal(s.news, 2);
    done(t, &s);

    t = table(&s);
    seg(t, 1, 50, 100, A, NULL); /* the peer acknowledges 100: base 99 */
    seg(t, 0, 100, 0, SYN, NULL);
    assert_int_equal(s.news, 2);
    done(t, &s);
}

/* Bytes buffered out of order are delivered with their own segment's frame. */
static void test_out_of_order_keeps_its_frame(void **state)
{
    (void)state;
    struct sink s;
    struct td_flowtab *t = table(&s);
    s.tab = t;
    seg(t, 0, 100, 0, SYN, NULL);
    uint64_t first;
    struct td_time ts;
    td_flowtab_data_at(t, &first, &ts);
    seg(t, 0, 105, 0, A, "world"); /* frame first+1, ahead: buffered */
    seg(t, 0, 101, 0, A, "hell");  /* frame first+2: both now delivered */
    assert_string_equal(td_buf_cstr(&s.got[0]), "hellworld");
    assert_int_equal(s.num_data, 2);
    assert_int_equal(s.data_frames[0], first + 2);
    assert_int_equal(s.data_frames[1], first + 1);
    done(t, &s);
}

static void test_ooo_limit_is_a_gap_not_growth(void **state)
{
    (void)state;
    struct sink s;
    struct td_limits lim;
    td_limits_default(&lim);
    lim.ooo_bytes = 16;
    td_memzero(&s, sizeof s);
    struct td_flowtab *t = td_flowtab_new(&lim, &ops, &s);
    seg(t, 0, 100, 0, SYN, NULL);
    seg(t, 0, 111, 0, A, "0123456789"); /* hole 101..110 */
    seg(t, 0, 121, 0, A, "abcdefghij"); /* over the 16-byte limit: the hole is given up */
    assert_int_equal(s.gaps[0], 10);
    assert_string_equal(td_buf_cstr(&s.got[0]), "__________0123456789abcdefghij");
    done(t, &s);
}

/* A capture of the client's direction only: the client's ACKs still say how
 * much the server sent. */
static void test_coverage_one_sided(void **state)
{
    (void)state;
    struct sink s;
    struct td_flowtab *t = table(&s);
    seg(t, 0, 100, 0, SYN, NULL);
    seg(t, 0, 101, 501, A, NULL);
    seg(t, 0, 101, 501, A, "hello");
    seg(t, 0, 106, 1001, A, "again");
    struct td_dir_coverage c, sv;
    td_flow_dir_coverage(s.last_flow, 0, &c);
    td_flow_dir_coverage(s.last_flow, 1, &sv);
    assert_true(c.syn && c.from_start);
    assert_int_equal(c.segments, 4);
    assert_int_equal(c.payload_bytes, 10);
    assert_int_equal(c.acked_missing, 0);
    assert_int_equal(sv.segments, 0);
    assert_true(sv.acked);
    assert_int_equal(sv.acked_missing, 500); /* 501 .. 1001 acknowledged, none captured */
    done(t, &s);
}

/* No SYN, and the server's first captured segment lies after what the
 * client already acknowledged: the lost start is a gap, not the start. */
static void test_coverage_midstream_lost_start(void **state)
{
    (void)state;
    struct sink s;
    struct td_flowtab *t = table(&s);
    seg(t, 0, 1000, 5000, A, "req");
    seg(t, 1, 5100, 1003, A, "tail"); /* 5000..5099 not captured */
    assert_int_equal(s.gaps[1], 0);   /* may still arrive out of order */
    seg(t, 0, 1003, 5104, A, NULL);   /* acknowledged: never will */
    assert_int_equal(s.gaps[1], 100);
    assert_string_equal(td_buf_cstr(&s.got[1]), "____________________________________________________________"
                                                "________________________________________tail");
    struct td_dir_coverage c, sv;
    td_flow_dir_coverage(s.last_flow, 0, &c);
    td_flow_dir_coverage(s.last_flow, 1, &sv);
    assert_false(c.syn);
    assert_false(c.from_start);
    assert_false(sv.from_start);
    assert_int_equal(sv.acked_missing, 100);
    done(t, &s);
}

static void test_coverage_snap_length(void **state)
{
    (void)state;
    struct sink s;
    struct td_flowtab *t = table(&s);
    seg(t, 0, 100, 0, SYN, NULL);
    seg(t, 1, 500, 101, SYN | A, NULL);
    seg_cut(t, 0, 101, 501, A, "abc", 10); /* 7 bytes cut off by the snap length */
    seg(t, 0, 111, 501, A, "next");
    assert_string_equal(td_buf_cstr(&s.got[0]), "abc_______next");
    struct td_dir_coverage c;
    td_flow_dir_coverage(s.last_flow, 0, &c);
    assert_int_equal(c.snap_frames, 1);
    assert_int_equal(c.snap_bytes, 7);
    assert_int_equal(c.gap_bytes, 7);
    assert_true(c.from_start);
    done(t, &s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_and_out_of_order), cmocka_unit_test(test_missing_syn_and_wraparound),
        cmocka_unit_test(test_gap_acknowledged_by_peer),  cmocka_unit_test(test_gap_at_end_of_capture_and_fin),
        cmocka_unit_test(test_port_reuse_new_stream),     cmocka_unit_test(test_ooo_limit_is_a_gap_not_growth),
        cmocka_unit_test(test_port_reuse_as_wireshark),   cmocka_unit_test(test_out_of_order_keeps_its_frame),
        cmocka_unit_test(test_coverage_one_sided),        cmocka_unit_test(test_coverage_midstream_lost_start),
        cmocka_unit_test(test_coverage_snap_length),
    };
    return tl_run_tests("reasm/tcpdir", tests);
}
