/* capture/keep: frames wait with their flow until it is decided; written
 * flows come out whole (both directions, then their later frames), dropped
 * ones never; the per-flow bound cuts and says so; a SYN on a decided
 * 5-tuple is a new connection. The file is read back with td_reader. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "capture/keep.h"
#include "capture/reader.h"

#define DLT_RAW_IP 101

/* An IPv4+TCP frame (no link header) from a:ap to b:bp with flags and n payload bytes. */
static size_t frame(uint8_t *out, uint8_t a, uint16_t ap, uint8_t b, uint16_t bp, uint8_t flags, size_t n)
{
    size_t len = 40 + n;
    uint8_t h[40] = {0x45,
                     0,
                     (uint8_t)(len >> 8),
                     (uint8_t)len,
                     0,
                     0,
                     0x40,
                     0,
                     64,
                     6,
                     0,
                     0,
                     10,
                     0,
                     0,
                     a,
                     10,
                     0,
                     0,
                     b,
                     (uint8_t)(ap >> 8),
                     (uint8_t)ap,
                     (uint8_t)(bp >> 8),
                     (uint8_t)bp,
                     0,
                     0,
                     0,
                     1,
                     0,
                     0,
                     0,
                     0,
                     0x50,
                     flags,
                     0xff,
                     0xff,
                     0,
                     0,
                     0,
                     0};
    td_memcopy(out, h, sizeof h);
    td_memzero(out + 40, n);
    return len;
}

static void feed(struct td_keep *k, int64_t sec, uint8_t a, uint16_t ap, uint8_t b, uint16_t bp, uint8_t flags,
                 size_t n)
{
    uint8_t f[1600];
    size_t len = frame(f, a, ap, b, bp, flags, n);
    struct td_time ts = {sec, 0};
    td_keep_frame(k, DLT_RAW_IP, &ts, f, len, len);
}

static struct td_addr v4(uint8_t last)
{
    struct td_addr x = {0};
    x.family = 4;
    x.a[0] = 10;
    x.a[3] = last;
    return x;
}

static uint64_t frames_in(const char *path)
{
    char err[256];
    struct td_reader *r = td_reader_open(path, err, sizeof err);
    assert_non_null(r);
    struct td_frame f;
    uint64_t n = 0;
    while (td_reader_next(r, &f, err, sizeof err) == 1) {
        assert_int_equal(f.dlt, DLT_RAW_IP);
        n++;
    }
    td_reader_close(r);
    return n;
}

static void test_written_dropped_reused(void **state)
{
    (void)state;
    char path[] = "/tmp/keep_testXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    struct td_pcapngw *w = td_pcapngw_open(path, 0, 0, err, sizeof err);
    assert_non_null(w);
    struct td_keep *k = td_keep_new(w, 256u << 10);
    struct td_addr c = v4(1), s = v4(2);
    feed(k, 1, 1, 40000, 2, 443, TD_TCP_SYN, 0); /* A: 3 frames */
    feed(k, 1, 2, 443, 1, 40000, TD_TCP_SYN | TD_TCP_ACK, 0);
    feed(k, 1, 1, 40000, 2, 443, TD_TCP_ACK, 100);
    feed(k, 1, 1, 40001, 2, 443, TD_TCP_SYN, 0);              /* B: 1 frame */
    assert_true(td_keep_decide(k, &s, 443, &c, 40000, true)); /* either order of the endpoints */
    feed(k, 2, 2, 443, 1, 40000, TD_TCP_RST, 0);              /* after the decision: written at once */
    assert_true(td_keep_decide(k, &c, 40001, &s, 443, false));
    feed(k, 2, 1, 40001, 2, 443, TD_TCP_FIN | TD_TCP_ACK, 0); /* dropped flow: never written */
    feed(k, 3, 1, 40001, 2, 443, TD_TCP_SYN, 0);              /* the 5-tuple again: a new connection */
    feed(k, 3, 2, 443, 1, 40001, TD_TCP_RST | TD_TCP_ACK, 0);
    assert_true(td_keep_decide(k, &c, 40001, &s, 443, true));
    assert_false(td_keep_decide(k, &c, 1, &s, 2, true)); /* nothing known of it */
    struct td_keep_stats st;
    td_keep_stats(k, &st);
    assert_int_equal(st.conns_written, 2);
    assert_int_equal(st.packets_written, 6);
    assert_int_equal(st.conns_cut, 0);
    td_keep_free(k);
    assert_true(td_pcapngw_close(w, err, sizeof err));
    assert_int_equal(frames_in(path), 6);
    unlink(path);
}

static void test_per_flow_bound(void **state)
{
    (void)state;
    char path[] = "/tmp/keep_testXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    struct td_pcapngw *w = td_pcapngw_open(path, 0, 0, err, sizeof err);
    struct td_keep *k = td_keep_new(w, 4096);
    for (int i = 0; i < 10; i++) {
        feed(k, 1, 1, 40000, 2, 443, TD_TCP_ACK, 1000); /* 1040 bytes a frame: 3 fit in 4096 */
    }
    struct td_addr c = v4(1), s = v4(2);
    assert_true(td_keep_decide(k, &c, 40000, &s, 443, true));
    struct td_keep_stats st;
    td_keep_stats(k, &st);
    assert_int_equal(st.conns_cut, 1);
    assert_int_equal(st.packets_written, 3);
    td_keep_free(k);
    assert_true(td_pcapngw_close(w, err, sizeof err));
    assert_int_equal(frames_in(path), 3);
    unlink(path);
}

/* -C: past rotate_bytes the next file is PATH1, PATH2, ...; each a whole pcapng, no frame lost. */
static void test_rotation_by_size(void **state)
{
    (void)state;
    char path[] = "/tmp/keep_rotXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256], name[64];
    struct td_pcapngw *w = td_pcapngw_open(path, 2000, 0, err, sizeof err);
    assert_non_null(w);
    uint8_t f[1600];
    for (int i = 0; i < 10; i++) {
        size_t len = frame(f, 1, 40000, 2, 443, TD_TCP_ACK,
                           500); /* 572-byte blocks: a file passes 2000 bytes with its 4th */
        struct td_time ts = {1, (uint32_t)i};
        assert_true(td_pcapngw_packet(w, DLT_RAW_IP, &ts, f, len, len, err, sizeof err));
    }
    unsigned files = td_pcapngw_files(w);
    assert_true(td_pcapngw_close(w, err, sizeof err));
    assert_int_equal(files, 3); /* 4 + 4 + 2, as tcpdump -C: checked before each write */
    uint64_t total = frames_in(path);
    assert_int_equal(total, 4);
    for (unsigned i = 1; i < files; i++) {
        snprintf(name, sizeof name, "%s%u", path, i);
        total += frames_in(name);
        unlink(name);
    }
    assert_int_equal(total, 10);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_dropped_reused),
        cmocka_unit_test(test_per_flow_bound),
        cmocka_unit_test(test_rotation_by_size),
    };
    return tl_run_tests("capture/keep", tests);
}
