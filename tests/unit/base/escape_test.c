#include "testlib.h"

#include <string.h>

#include "base/escape.h"

static void expect_text(const char *in, size_t n, const char *want)
{
    struct td_buf out = {0};
    td_text_escape(&out, in, n);
    assert_string_equal(td_buf_cstr(&out), want);
    td_buf_free(&out);
}

static void test_text_escapes_controls_and_invalid_utf8(void **state)
{
    (void)state;
    static const char sni[] = "a\x1b[2Jb\x07"
                              "c";
    expect_text(sni, sizeof sni - 1, "a\\x1b[2Jb\\x07c");
    expect_text("x\ny\tz\x7f", 6, "x\\x0ay\\x09z\\x7f");
    expect_text("\xff\xfe", 2, "\\xff\\xfe");
    expect_text("\xc0\x80", 2, "\\xc0\\x80");          /* overlong NUL */
    expect_text("\xed\xa0\x80", 3, "\\xed\\xa0\\x80"); /* a surrogate */
    expect_text("back\\slash", 10, "back\\slash");
}

static void test_text_keeps_utf8_but_not_terminal_controls(void **state)
{
    (void)state;
    expect_text("caf\xc3\xa9 \xe2\x86\x92", 9, "caf\xc3\xa9 \xe2\x86\x92");
    expect_text("\xc2\x9b"
                "2J",
                4, "\\xc2\\x9b2J"); /* C1 CSI */
    expect_text("a\xe2\x80\xae"
                "b",
                5, "a\\xe2\\x80\\xaeb");               /* right-to-left override */
    expect_text("\xe2\x81\xa6", 3, "\\xe2\\x81\\xa6"); /* left-to-right isolate */
    expect_text("\xf0\x9f\x94\x92", 4, "\xf0\x9f\x94\x92");
    expect_text("\xe2\x86", 2, "\\xe2\\x86"); /* cut sequence */
}

static void test_text_never_emits_a_control_byte(void **state)
{
    (void)state;
    /* every byte value, and every pair, through the escaper */
    char in[512];
    for (int i = 0; i < 256; i++) {
        in[2 * i] = (char)i;
        in[2 * i + 1] = (char)(255 - i);
    }
    struct td_buf out = {0};
    td_text_escape(&out, in, sizeof in);
    for (size_t i = 0; i < out.len; i++) {
        assert_true(out.data[i] >= 0x20 && out.data[i] != 0x7f);
    }
    td_buf_free(&out);
}

static void test_esc_copies_live_until_freed(void **state)
{
    (void)state;
    struct td_esc e = {0};
    const char *a = td_esc(&e, "a\x1b");
    const char *b = td_esc(&e, NULL);
    const char *c = td_esc(&e, "plain");
    assert_string_equal(a, "a\\x1b");
    assert_string_equal(b, "");
    assert_string_equal(c, "plain");
    td_esc_free(&e);
    assert_int_equal(e.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_escapes_controls_and_invalid_utf8),
        cmocka_unit_test(test_text_keeps_utf8_but_not_terminal_controls),
        cmocka_unit_test(test_text_never_emits_a_control_byte),
        cmocka_unit_test(test_esc_copies_live_until_freed),
    };
    return tl_run_tests("base/escape", tests);
}
