/* capture/reader: pcapng Decryption Secrets Blocks with hostile lengths
 * (a secrets length past the block, 0xFFFFFFFF, a body too short for the
 * header, another secrets type) give no secrets and no crash, and the
 * packet after them is still read; a good one (padded) gives its lines. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/reader.h"

static void le32(struct td_buf *b, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    td_buf_append(b, p, 4);
}

/* A block: type, total length, body (padded by the caller), total length. */
static void block(struct td_buf *out, uint32_t type, const uint8_t *body, size_t len)
{
    le32(out, type);
    le32(out, (uint32_t)(12 + len));
    td_buf_append(out, body, len);
    le32(out, (uint32_t)(12 + len));
}

/* SHB, an IDB (raw IP), the given DSB body, one 20-byte EPB; read back:
 * frames counted, secrets taken into got. */
static unsigned read_with_dsb(const uint8_t *dsb, size_t dsb_len, struct td_buf *got)
{
    struct td_buf f = {0}, body = {0};
    le32(&body, 0x1A2B3C4Du);
    le32(&body, 1); /* version 1.0 */
    le32(&body, 0xFFFFFFFFu);
    le32(&body, 0xFFFFFFFFu);
    block(&f, 0x0A0D0D0Au, body.data, body.len);
    td_buf_reset(&body);
    le32(&body, 101); /* LINKTYPE_RAW, reserved 0 */
    le32(&body, 65535);
    block(&f, 1, body.data, body.len);
    block(&f, 10, dsb, dsb_len);
    td_buf_reset(&body);
    le32(&body, 0);
    le32(&body, 0);
    le32(&body, 1);
    le32(&body, 20);
    le32(&body, 20);
    uint8_t ip[20] = {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    td_buf_append(&body, ip, sizeof ip);
    block(&f, 6, body.data, body.len);
    char path[] = "/tmp/reader_dsbXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, f.data, f.len), (ssize_t)f.len);
    close(fd);
    td_buf_free(&f);
    td_buf_free(&body);
    char err[256];
    struct td_reader *r = td_reader_open(path, err, sizeof err);
    assert_non_null(r);
    struct td_frame fr;
    unsigned frames = 0;
    int rc;
    while ((rc = td_reader_next(r, &fr, err, sizeof err)) == 1) {
        frames++;
    }
    assert_int_equal(rc, 0);
    td_reader_take_secrets(r, got);
    td_reader_close(r);
    unlink(path);
    return frames;
}

static void dsb(uint8_t *out, uint32_t stype, uint32_t slen)
{
    out[0] = (uint8_t)stype, out[1] = (uint8_t)(stype >> 8), out[2] = (uint8_t)(stype >> 16);
    out[3] = (uint8_t)(stype >> 24);
    out[4] = (uint8_t)slen, out[5] = (uint8_t)(slen >> 8), out[6] = (uint8_t)(slen >> 16);
    out[7] = (uint8_t)(slen >> 24);
}

static void test_hostile_lengths(void **state)
{
    (void)state;
    static const uint32_t lens[] = {0xFFFFFFFFu, 0x7FFFFFFFu, 9, 100, 0xFFFFFFF8u};
    uint8_t body[16];
    td_memzero(body, sizeof body);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        dsb(body, 0x544c534bu, lens[i]);
        td_memcopy(body + 8, "ABCDEFGH", 8);
        struct td_buf got = {0};
        assert_int_equal(read_with_dsb(body, sizeof body, &got), 1);
        assert_int_equal(got.len, 0);
        td_buf_free(&got);
    }
    struct td_buf got = {0};
    assert_int_equal(read_with_dsb(body, 4, &got), 1); /* no room for the secrets header */
    assert_int_equal(read_with_dsb(body, 0, &got), 1);
    dsb(body, 0x5747484bu, 8); /* another secrets type (WireGuard) */
    assert_int_equal(read_with_dsb(body, sizeof body, &got), 1);
    assert_int_equal(got.len, 0);
    td_buf_free(&got);
}

static void test_good_padded(void **state)
{
    (void)state;
    uint8_t body[16];
    td_memzero(body, sizeof body);
    dsb(body, 0x544c534bu, 5);
    td_memcopy(body + 8, "ABCDE", 5); /* then 3 bytes of padding */
    struct td_buf got = {0};
    assert_int_equal(read_with_dsb(body, sizeof body, &got), 1);
    assert_int_equal(got.len, 6);
    assert_memory_equal(got.data, "ABCDE\n", 6);
    td_buf_free(&got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_lengths),
        cmocka_unit_test(test_good_padded),
    };
    return tl_run_tests("capture/reader_dsb", tests);
}
