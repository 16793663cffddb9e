/* capture/pcap_map: a classic pcap file read in place gives the frames
 * libpcap gives (numbers, times, lengths, bytes), and where a record is one
 * the in-place reader leaves to libpcap (cut short, past the snapshot
 * length, past libpcap's maximum, a time stamp field libpcap reads as
 * negative), libpcap takes over there and says what it says on its own.
 * The oracle is libpcap reading the same file, mapped and read through a
 * window (TLSDIAG_NO_MMAP=1). A file cut short by another process while it
 * is read, mapped or not, is an error naming the byte, never a SIGBUS; the
 * guard (capture/sigbus.c) on its own. Also td_buf_put_u64* against printf. */
#include "testlib.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/reader.h"
#include "capture/sigbus.h"

struct rec {
    uint32_t sec, frac, caplen, wirelen;
};

/* A pcap file: magic, snaplen, then each record with caplen bytes of
 * pattern (or only `cut` bytes of the last one when cut > 0). */
static void write_pcap(const char *path, uint32_t magic, uint32_t snaplen, const struct rec *r, size_t n, size_t cut)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    bool swap = magic == 0xd4c3b2a1u; /* the other byte order: every field swapped */
#define SW(x) (swap ? __builtin_bswap32(x) : (x))
    uint32_t hdr[6] = {magic, swap ? 0x0200u | 0x0400u << 16 : 2u | 4u << 16, 0, 0, SW(snaplen), SW(1u)};
    fwrite(hdr, 4, 6, f);
    for (size_t i = 0; i < n; i++) {
        uint32_t h[4] = {SW(r[i].sec), SW(r[i].frac), SW(r[i].caplen), SW(r[i].wirelen)};
#undef SW
        size_t body = r[i].caplen > 70000 ? 70000 : r[i].caplen;
        if (i == n - 1 && cut) {
            fwrite(h, 1, cut < 16 ? cut : 16, f);
            body = cut > 16 ? cut - 16 : 0;
        } else {
            fwrite(h, 4, 4, f);
        }
        for (size_t k = 0; k < body; k++) {
            fputc((int)((i * 7 + k) & 0xff), f);
        }
    }
    fclose(f);
}

/* Our reader and libpcap agree frame by frame, and on how the file ends. */
static void same_as_libpcap(const char *path, bool mapped, size_t want_frames)
{
    char err[512] = "", perr[PCAP_ERRBUF_SIZE];
    struct td_reader *r = td_reader_open(path, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(td_reader_mapped(r), mapped);
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    assert_non_null(p);
    struct td_frame f;
    struct pcap_pkthdr *h;
    const u_char *data;
    size_t n = 0;
    int rc, prc;
    while ((rc = td_reader_next(r, &f, err, sizeof err)) == 1) {
        prc = pcap_next_ex(p, &h, &data);
        assert_int_equal(prc, 1);
        n++;
        assert_int_equal(f.number, n);
        assert_int_equal(f.ts.sec, h->ts.tv_sec);
        assert_int_equal(f.ts.nsec, (uint32_t)h->ts.tv_usec);
        assert_int_equal(f.caplen, h->caplen);
        assert_int_equal(f.wirelen, h->len);
        assert_memory_equal(f.data, data, f.caplen);
    }
    prc = pcap_next_ex(p, &h, &data);
    assert_int_equal(n, want_frames);
    if (prc == PCAP_ERROR_BREAK) {
        assert_int_equal(rc, 0);
    } else {
        char want[600];
        snprintf(want, sizeof want, "after frame %zu: %s", n, pcap_geterr(p));
        assert_int_equal(rc, -1);
        assert_string_equal(err, want);
    }
    pcap_close(p);
    td_reader_close(r);
}

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/pcap_map_test.%d.pcap", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static const struct rec good[] = {
    {1700000000, 999999, 60, 60},
    {1700000001, 0, 1514, 1514},
    {1700000001, 5, 96, 1514},
    {1700000002, 7, 0, 0},
};

static void test_mapped_usec_and_nsec(void **state)
{
    (void)state;
    write_pcap(path, 0xa1b2c3d4u, 262144, good, 4, 0);
    same_as_libpcap(path, true, 4);
    write_pcap(path, 0xa1b23c4du, 262144, good, 4, 0);
    same_as_libpcap(path, true, 4);
}

static void test_cut_short_handed_to_libpcap(void **state)
{
    (void)state;
    /* inside the last header, then inside the last frame's bytes */
    write_pcap(path, 0xa1b2c3d4u, 262144, good, 3, 9);
    same_as_libpcap(path, true, 2);
    write_pcap(path, 0xa1b2c3d4u, 262144, good, 3, 40);
    same_as_libpcap(path, true, 2);
}

static void test_odd_records_handed_to_libpcap(void **state)
{
    (void)state;
    /* past the snapshot length (libpcap cuts it and goes on) */
    struct rec over[] = {{1, 0, 60, 60}, {2, 0, 200, 200}, {3, 0, 60, 60}};
    write_pcap(path, 0xa1b2c3d4u, 100, over, 3, 0);
    same_as_libpcap(path, true, 3);
    /* past libpcap's maximum: its error */
    struct rec huge[] = {{1, 0, 60, 60}, {2, 0, 300000, 300000}};
    write_pcap(path, 0xa1b2c3d4u, 262144, huge, 2, 0);
    same_as_libpcap(path, true, 1);
    /* time stamp fields with the top bit set, as libpcap reads them */
    struct rec neg[] = {{1, 0, 60, 60}, {0xfffffff0u, 0x9fffffffu, 60, 60}, {3, 0, 60, 60}};
    write_pcap(path, 0xa1b2c3d4u, 262144, neg, 3, 0);
    same_as_libpcap(path, true, 3);
}

static void test_other_byte_order_not_mapped(void **state)
{
    (void)state;
    write_pcap(path, 0xd4c3b2a1u, 262144, good, 4, 0);
    same_as_libpcap(path, false, 4);
}

/* The same through a window read with pread() as through the mapping. */
static void test_read_through_a_window(void **state)
{
    setenv("TLSDIAG_NO_MMAP", "1", 1);
    test_mapped_usec_and_nsec(state);
    test_cut_short_handed_to_libpcap(state);
    test_odd_records_handed_to_libpcap(state);
    unsetenv("TLSDIAG_NO_MMAP");
}

/* 3,000 records of 1,500 bytes (4.5 MB), cut to 1 MiB after 10 are read:
 * the frames before the cut, then -1 naming the byte; mapped or not. */
static void cut_while_read(bool mapped)
{
    static struct rec many[3000];
    for (size_t i = 0; i < 3000; i++) {
        many[i] = (struct rec){1700000000u + (uint32_t)i, 0, 1500, 1500};
    }
    write_pcap(path, 0xa1b2c3d4u, 262144, many, 3000, 0);
    if (!mapped) {
        setenv("TLSDIAG_NO_MMAP", "1", 1);
    }
    char err[512] = "";
    struct td_reader *r = td_reader_open(path, err, sizeof err);
    unsetenv("TLSDIAG_NO_MMAP");
    assert_non_null(r);
    struct td_frame f;
    int rc;
    size_t n = 0;
    while (n < 10 && (rc = td_reader_next(r, &f, err, sizeof err)) == 1) {
        n++;
    }
    assert_int_equal(truncate(path, 1048576), 0);
    while ((rc = td_reader_next(r, &f, err, sizeof err)) == 1) {
        n++;
        assert_true(f.pos <= 1048576 + 1516); /* nothing from past the cut */
    }
    assert_int_equal(rc, -1);
    assert_true(td_reader_io_error(r));
    assert_non_null(strstr(err, "cut short while read at byte"));
    assert_non_null(strstr(err, "of the 4548024 the file had when opened"));
    assert_true(n >= 10 && n <= 700);
    td_reader_close(r);
}

static void test_cut_while_read_mapped(void **state)
{
    (void)state;
    cut_while_read(true);
}

static void test_cut_while_read_window(void **state)
{
    (void)state;
    cut_while_read(false);
}

/* The guard alone: a page lost to truncation reads as zeros and is named;
 * after unguarding, another mapping's pages are not ours. */
static void test_sigbus_guard(void **state)
{
    (void)state;
    long page = sysconf(_SC_PAGESIZE);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    for (long i = 0; i < 4 * page; i++) {
        fputc('x', fp);
    }
    fclose(fp);
    FILE *rf = fopen(path, "rb");
    assert_non_null(rf);
    uint8_t *m = mmap(NULL, (size_t)(4 * page), PROT_READ, MAP_PRIVATE, fileno(rf), 0);
    assert_true(m != MAP_FAILED);
    int g = td_sigbus_guard(m, (size_t)(4 * page));
    assert_true(g >= 0);
    uint64_t lost = 0;
    assert_int_equal(m[0], 'x');
    assert_false(td_sigbus_hit(g, &lost));
    assert_int_equal(truncate(path, page + 10), 0);
    assert_int_equal(m[page + 5], 'x');                         /* the page the file still has part of */
    assert_int_equal(((volatile uint8_t *)m)[3 * page + 7], 0); /* a lost page: zeros */
    assert_true(td_sigbus_hit(g, &lost));
    assert_int_equal(lost, (uint64_t)(3 * page));
    assert_int_equal(((volatile uint8_t *)m)[2 * page], 0); /* another: the first one lost stays named */
    assert_true(td_sigbus_hit(g, &lost));
    assert_int_equal(lost, (uint64_t)(3 * page));
    td_sigbus_unguard(g);
    munmap(m, (size_t)(4 * page));
    fclose(rf);
}

static void test_buf_put_u64(void **state)
{
    (void)state;
    const uint64_t v[] = {0, 7, 10, 99999, 123456, 1234567, 4294967295u, UINT64_MAX};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char want[64];
        struct td_buf b = {0};
        td_buf_put_u64_left(&b, v[i], 6);
        td_buf_putc(&b, '|');
        td_buf_puts_left(&b, "ab", 4);
        td_buf_put_u64(&b, v[i]);
        snprintf(want, sizeof want, "%-6llu|%-4s%llu", (unsigned long long)v[i], "ab", (unsigned long long)v[i]);
        assert_string_equal(td_buf_cstr(&b), want);
        td_buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mapped_usec_and_nsec, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_short_handed_to_libpcap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_records_handed_to_libpcap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_byte_order_not_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_through_a_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_while_read_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_while_read_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigbus_guard, setup, teardown),
        cmocka_unit_test(test_buf_put_u64),
    };
    return tl_run_tests("capture/pcap_map", tests);
}
