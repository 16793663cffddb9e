#include "testlib.h"

#include "base/cursor.h"
#include "base/json.h"

static void test_reads_and_bounds(void **state)
{
    (void)state;
    static const uint8_t in[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
    struct td_cur c;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    td_cur_init(&c, in, sizeof in);
    assert_true(td_cur_get_u8(&c, &u8));
    assert_int_equal(u8, 1);
    assert_true(td_cur_get_u16(&c, &u16));
    assert_int_equal(u16, 0x0203);
    assert_true(td_cur_get_u24(&c, &u32));
    assert_int_equal(u32, 0x040506);
    assert_int_equal(td_cur_offset(&c), 6);
    assert_false(td_cur_get_u32(&c, &u32)); /* only 3 left */
    assert_int_equal(td_cur_len(&c), 3);    /* a failed read does not move */
    assert_true(td_cur_skip(&c, 3));
    assert_false(td_cur_get_u8(&c, &u8));
    assert_false(td_cur_skip(&c, 1));
}

static void test_prefixed(void **state)
{
    (void)state;
    static const uint8_t in[] = {0x00, 0x03, 0xaa, 0xbb, 0xcc, 0x02, 0x11};
    struct td_cur c, sub;
    td_cur_init(&c, in, sizeof in);
    assert_true(td_cur_get_u16_prefixed(&c, &sub));
    assert_int_equal(td_cur_len(&sub), 3);
    assert_int_equal(td_cur_offset(&sub), 2); /* offsets stay relative to the outer buffer */
    /* 0x02 claims two bytes, only one remains: fails and leaves c alone */
    assert_false(td_cur_get_u8_prefixed(&c, &sub));
    assert_int_equal(td_cur_len(&c), 2);
    /* every truncation of a nested vector fails */
    for (size_t n = 0; n < 5; n++) {
        td_cur_init(&c, in, n);
        assert_false(td_cur_get_u16_prefixed(&c, &sub));
        assert_int_equal(td_cur_len(&c), n);
    }
}

static void test_builder_sticky_error(void **state)
{
    (void)state;
    struct td_buf out = {0};
    struct td_bld b;
    td_bld_init(&b, &out);
    td_bld_open(&b, 1);
    for (int i = 0; i < 300; i++) {
        td_bld_u8(&b, 0);
    }
    td_bld_close(&b); /* 300 bytes do not fit a 1-byte length */
    td_bld_u8(&b, 1);
    assert_false(td_bld_finish(&b));
    td_buf_free(&out);

    td_bld_init(&b, &out);
    td_bld_open(&b, 2);
    td_bld_u16(&b, 0xbeef);
    td_bld_close(&b);
    assert_true(td_bld_finish(&b));
    assert_int_equal(out.len, 4);
    assert_int_equal(out.data[1], 2);
    td_buf_free(&out);
}

static void test_json_escapes_hostile_bytes(void **state)
{
    (void)state;
    struct td_buf out = {0};
    /* quote, backslash, control byte, invalid UTF-8 (0xff, overlong c0 80), valid é,
     * and a backslash the bytes had before "x41" */
    static const char s[] = "a\"b\\c\x01\xff\xc0\x80\xc3\xa9\\x41";
    td_json_escape(&out, s, sizeof s - 1);
    /* reversible: each invalid byte the text \xNN (JSON "\\xNN"), that backslash \x5c */
    assert_string_equal(td_buf_cstr(&out), "\"a\\\"b\\\\c\\u0001\\\\xff\\\\xc0\\\\x80\xc3\xa9\\\\x5cx41\"");
    td_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_and_bounds),
        cmocka_unit_test(test_prefixed),
        cmocka_unit_test(test_builder_sticky_error),
        cmocka_unit_test(test_json_escapes_hostile_bytes),
    };
    return tl_run_tests("base/cursor", tests);
}
