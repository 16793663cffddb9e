/* base/mem: td_buf_printf writes what snprintf writes, for the formats it
 * formats itself (%s %c %% %d %u %ld %lu %lld %llu %zu, '-' and a width)
 * and for those it leaves to vsnprintf (zero padding, precision, %x, %f,
 * '+', ' ', '*'), appended to what the buffer held. */
#include "testlib.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define SAME(...)                                                                                                      \
    do {                                                                                                               \
        char want[600];                                                                                                \
        snprintf(want, sizeof want, __VA_ARGS__);                                                                      \
        struct td_buf b = {0};                                                                                         \
        td_buf_puts(&b, "<");                                                                                          \
        td_buf_printf(&b, __VA_ARGS__);                                                                                \
        assert_int_equal(b.len, strlen(want) + 1);                                                                     \
        assert_string_equal(td_buf_cstr(&b) + 1, want);                                                                \
        td_buf_free(&b);                                                                                               \
    } while (0)

static void test_fast_formats(void **state)
{
    (void)state;
    SAME("plain text, no conversion");
    SAME("%s", "x");
    SAME("%s|%s|%s", "", "abc", "a longer string");
    SAME("[%-8s][%8s][%-2s][%3s]", "ab", "ab", "abcdef", "abcdef");
    SAME("%c%c%-3c|%3c", 'a', 'b', 'c', 'd');
    SAME("100%% sure %%%s", "!");
    SAME("%d %d %d %d", 0, -1, INT_MAX, INT_MIN);
    SAME("%u %u %5u|%-5u|", 0u, UINT_MAX, 42u, 42u);
    SAME("%ld %lu %lld %llu", LONG_MIN, ULONG_MAX, LLONG_MIN, ULLONG_MAX);
    SAME("%zu %-6zu| %6zu", (size_t)0, (size_t)12345, SIZE_MAX);
    SAME("%-6llu|%6llu|%-22s|", 7ull, 1234567ull, "tcp.stream");
    SAME("%s (%zu): %u bytes, %d%%", "extensions", (size_t)12, 517u, -3);
    /* a width wider than the buffer's spare room */
    SAME("%-500s|", "x");
}

static void test_left_to_vsnprintf(void **state)
{
    (void)state;
    SAME("%02x%04X %03d", 0xau, 0xbeefu, 7);
    SAME("%.3f %.0f %.2f", 1.23456, 2.5, -0.004);
    SAME("%.5s|%.*s|%*d", "abcdefgh", 2, "xyz", 6, 42);
    SAME("%+d % d %#x %x", 5, 5, 255u, 255u);
    SAME("%hhu %hu", (unsigned char)250, (unsigned short)65000);
    SAME("%s then %02x", "fast", 9u); /* the fast part discarded, all of it by vsnprintf */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_formats),
        cmocka_unit_test(test_left_to_vsnprintf),
    };
    return tl_run_tests("base/buf_printf", tests);
}
