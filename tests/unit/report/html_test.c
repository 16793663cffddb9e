/* The HTML escaper: every string from the wire goes through it, so a hostile
 * SNI, certificate subject or HTTP line can neither open an element, nor
 * close an attribute, nor hide behind control characters or broken UTF-8. */
#include "testlib.h"

#include <string.h>

#include "report/html_internal.h"
#include "report/report.h"

static void esc_is(const char *in, size_t n, const char *want)
{
    struct td_buf b = {0};
    td_html_esc_n(&b, in, n);
    assert_string_equal(td_buf_cstr(&b), want);
    td_buf_free(&b);
}

#define ESC(in, want) esc_is(in, sizeof in - 1, want)

static void test_markup(void **state)
{
    (void)state;
    ESC("<script>alert(1)</script>\"'", "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;");
    ESC("a&b", "a&amp;b");
    ESC("CN=<b>x</b>, O=\"q\"", "CN=&lt;b&gt;x&lt;/b&gt;, O=&quot;q&quot;");
    ESC("plain.example", "plain.example");
    ESC("", "");
}

static void test_controls(void **state)
{
    (void)state;
    ESC("a\nb\tc\rd", "a\\x0Ab\\x09c\\x0Dd");
    ESC("\x1b[31mred", "\\x1B[31mred");
    ESC("nul\0after", "nul\\x00after"); /* a length, not a C string: the NUL is shown */
    ESC("del\x7f", "del\\x7F");
}

static void test_utf8(void **state)
{
    (void)state;
    ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    ESC("\x80", "\\x80");                            /* a lone continuation byte */
    ESC("\xc0\xaf", "\\xC0\\xAF");                   /* overlong "/" */
    ESC("\xe0\x80\xaf", "\\xE0\\x80\\xAF");          /* overlong, 3 bytes */
    ESC("\xed\xa0\x80", "\\xED\\xA0\\x80");          /* a UTF-16 surrogate */
    ESC("\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"); /* over U+10FFFF */
    ESC("\xf5", "\\xF5");
    ESC("cut \xe2\x82", "cut \\xE2\\x82"); /* truncated at the end */
    ESC("\xe2<b>", "\\xE2&lt;b&gt;");      /* a broken sequence does not swallow markup */
}

static void test_copy_keeps_utf8_whole(void **state)
{
    (void)state;
    char out[6];
    td_html_copy(out, sizeof out, "abcd\xc3\xa9xyz"); /* é would straddle the end */
    assert_string_equal(out, "abcd");
    td_html_copy(out, sizeof out, NULL);
    assert_string_equal(out, "");
}

static void test_page_frame(void **state)
{
    (void)state;
    struct td_buf b = {0};
    td_html_page_begin(&b, "t <script>");
    td_html_page_end(&b);
    const char *p = td_buf_cstr(&b);
    assert_non_null(strstr(p, "default-src 'none'; style-src 'unsafe-inline'; img-src data:"));
    assert_non_null(strstr(p, "<title>t &lt;script&gt;</title>"));
    assert_null(strstr(p, "<script"));
    td_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markup),     cmocka_unit_test(test_controls),
        cmocka_unit_test(test_utf8),       cmocka_unit_test(test_copy_keeps_utf8_whole),
        cmocka_unit_test(test_page_frame),
    };
    return tl_run_tests("html", tests);
}
