/* capture/keep: frames wait with their flow until it is decided; written
 * flows come out whole (both directions, then their later frames), dropped
 * ones never; the per-flow bound cuts and says so; a SYN on a decided
 * 5-tuple is a new connection. The file is read back with td_reader.
 * Decryption Secrets Blocks: their layout (lengths, padding), one before a
 * written flow's first frame in each file that has frames of it, none for
 * flows without key log lines or dropped ones. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    feed(k, 1, 1, 40001, 2, 443, TD_TCP_SYN, 0);                       /* B: 1 frame */
    assert_true(td_keep_decide(k, &s, 443, &c, 40000, true, NULL, 0)); /* either order of the endpoints */
    feed(k, 2, 2, 443, 1, 40000, TD_TCP_RST, 0);                       /* after the decision: written at once */
    assert_true(td_keep_decide(k, &c, 40001, &s, 443, false, NULL, 0));
    feed(k, 2, 1, 40001, 2, 443, TD_TCP_FIN | TD_TCP_ACK, 0); /* dropped flow: never written */
    feed(k, 3, 1, 40001, 2, 443, TD_TCP_SYN, 0);              /* the 5-tuple again: a new connection */
    feed(k, 3, 2, 443, 1, 40001, TD_TCP_RST | TD_TCP_ACK, 0);
    assert_true(td_keep_decide(k, &c, 40001, &s, 443, true, NULL, 0));
    assert_false(td_keep_decide(k, &c, 1, &s, 2, true, NULL, 0)); /* nothing known of it */
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
    assert_true(td_keep_decide(k, &c, 40000, &s, 443, true, NULL, 0));
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
        assert_true(td_pcapngw_packet(w, DLT_RAW_IP, &ts, f, len, len, NULL, err, sizeof err));
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

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct blocks {
    unsigned dsb, epb;
    unsigned epb_before_dsb; /* packets that came before the file's first DSB */
    char secrets[1024];      /* the DSBs' secrets, one after the other */
    size_t secrets_len;
};

/* Walks the file's blocks, checking each DSB's layout as the pcapng draft gives it. */
static void read_blocks(const char *path, struct blocks *out)
{
    td_memzero(out, sizeof *out);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    for (size_t at = 0; at + 12 <= n;) {
        uint32_t type = be32(buf + at), len = be32(buf + at + 4);
        assert_true(len >= 12 && len % 4 == 0 && at + len <= n);
        assert_int_equal(be32(buf + at + len - 4), len);
        if (type == 10) {
            uint32_t stype = be32(buf + at + 8), slen = be32(buf + at + 12);
            assert_int_equal(stype, 0x544c534b);
            assert_int_equal(len, 20 + slen + (4 - slen % 4) % 4); /* padded to 32 bits, no options */
            for (uint32_t i = 16 + slen; i < len - 4; i++) {
                assert_int_equal(buf[at + i], 0);
            }
            assert_true(out->secrets_len + slen <= sizeof out->secrets);
            td_memcopy(out->secrets + out->secrets_len, buf + at + 16, slen);
            out->secrets_len += slen;
            out->epb_before_dsb += out->dsb == 0 ? out->epb : 0;
            out->dsb++;
        }
        out->epb += type == 6;
        at += len;
    }
}

static char *temp_path(char *path)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

#define LINE_A "CLIENT_RANDOM 0101 aa\n" /* 22 bytes: 2 of padding */
#define LINE_B "CLIENT_TRAFFIC_SECRET_0 0202 bb\n"

/* One DSB before the first packet that needs it, not again in the same
 * file; read back by td_reader as key log text. */
static void test_dsb_layout(void **state)
{
    (void)state;
    char path[] = "/tmp/keep_dsbXXXXXX";
    char err[256];
    struct td_pcapngw *w = td_pcapngw_open(temp_path(path), 0, 0, err, sizeof err);
    assert_non_null(w);
    struct td_pcapngw_secrets sec = {{0}, 0};
    td_buf_append(&sec.lines, LINE_A, strlen(LINE_A));
    uint8_t f[1600];
    size_t len = frame(f, 1, 40000, 2, 443, TD_TCP_SYN, 0);
    struct td_time ts = {1, 0};
    assert_true(td_pcapngw_packet(w, DLT_RAW_IP, &ts, f, len, len, NULL, err, sizeof err));
    assert_true(td_pcapngw_packet(w, DLT_RAW_IP, &ts, f, len, len, &sec, err, sizeof err));
    assert_int_equal(sec.in_file, 1);
    assert_true(td_pcapngw_packet(w, DLT_RAW_IP, &ts, f, len, len, &sec, err, sizeof err));
    assert_true(td_pcapngw_close(w, err, sizeof err));
    td_buf_free(&sec.lines);
    struct blocks b;
    read_blocks(path, &b);
    assert_int_equal(b.dsb, 1);
    assert_int_equal(b.epb, 3);
    assert_int_equal(b.epb_before_dsb, 1);
    assert_int_equal(b.secrets_len, strlen(LINE_A));
    assert_memory_equal(b.secrets, LINE_A, b.secrets_len);
    struct td_reader *r = td_reader_open(path, err, sizeof err);
    assert_non_null(r);
    struct td_frame fr;
    while (td_reader_next(r, &fr, err, sizeof err) == 1) {
    }
    struct td_buf got = {0};
    assert_true(td_reader_take_secrets(r, &got));
    assert_true(got.len >= strlen(LINE_A));
    assert_memory_equal(got.data, LINE_A, strlen(LINE_A));
    td_buf_free(&got);
    td_reader_close(r);
    unlink(path);
}

/* -G: a written flow's frames that land in the next file bring its lines
 * there again; a flow written without lines, and a dropped one, bring none. */
static void test_keep_keys_per_file(void **state)
{
    (void)state;
    char path[] = "/tmp/keep_keysXXXXXX", name[64];
    char err[256];
    struct td_pcapngw *w = td_pcapngw_open(temp_path(path), 0, 10, err, sizeof err);
    assert_non_null(w);
    struct td_keep *k = td_keep_new(w, 256u << 10);
    struct td_addr c = v4(1), s = v4(2);
    feed(k, 1, 1, 40000, 2, 443, TD_TCP_SYN, 0);
    feed(k, 1, 2, 443, 1, 40000, TD_TCP_SYN | TD_TCP_ACK, 0);
    feed(k, 2, 1, 40001, 2, 443, TD_TCP_SYN, 0);
    feed(k, 2, 1, 40002, 2, 443, TD_TCP_SYN, 0);
    assert_true(td_keep_decide(k, &c, 40000, &s, 443, true, (const uint8_t *)LINE_A, strlen(LINE_A)));
    assert_true(td_keep_decide(k, &c, 40001, &s, 443, false, (const uint8_t *)LINE_B, strlen(LINE_B)));
    assert_true(td_keep_decide(k, &c, 40002, &s, 443, true, NULL, 0));
    feed(k, 20, 1, 40002, 2, 443, TD_TCP_ACK, 10); /* the next file: no lines for this one */
    feed(k, 21, 1, 40000, 2, 443, TD_TCP_ACK, 10); /* A's again */
    feed(k, 21, 2, 443, 1, 40000, TD_TCP_ACK, 10);
    struct td_keep_stats st;
    td_keep_stats(k, &st);
    assert_int_equal(st.conns_written, 2);
    assert_int_equal(st.conns_keyed, 1);
    assert_int_equal(st.keys_let_go, 0);
    td_keep_free(k);
    assert_int_equal(td_pcapngw_files(w), 2);
    assert_true(td_pcapngw_close(w, err, sizeof err));
    struct blocks b;
    read_blocks(path, &b);
    assert_int_equal(b.epb, 3);
    assert_int_equal(b.dsb, 1);
    assert_int_equal(b.epb_before_dsb, 0);
    assert_memory_equal(b.secrets, LINE_A, strlen(LINE_A));
    assert_int_equal(b.secrets_len, strlen(LINE_A));
    snprintf(name, sizeof name, "%s1", path);
    read_blocks(name, &b);
    assert_int_equal(b.epb, 3);
    assert_int_equal(b.dsb, 1);
    assert_int_equal(b.epb_before_dsb, 1); /* the flow without lines came first */
    assert_int_equal(b.secrets_len, strlen(LINE_A));
    assert_memory_equal(b.secrets, LINE_A, b.secrets_len);
    unlink(name);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_dropped_reused), cmocka_unit_test(test_per_flow_bound),
        cmocka_unit_test(test_rotation_by_size),       cmocka_unit_test(test_dsb_layout),
        cmocka_unit_test(test_keep_keys_per_file),
    };
    return tl_run_tests("capture/keep", tests);
}
