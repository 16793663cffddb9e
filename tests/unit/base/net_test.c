/* base/net: the address and address:port texts are inet_ntop's with
 * snprintf's "%s:%u" / "[%s]:%u", for every kind of address (the IPv4 one
 * no longer goes through either), cut as snprintf cuts; td_strcopy is
 * snprintf "%s". The oracle is libc. */
#include "testlib.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/net.h"

static void oracle(const struct td_addr *a, uint16_t port, char *addr, size_t alen, char *ap, size_t aplen)
{
    char tmp[INET6_ADDRSTRLEN];
    if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->a, tmp, sizeof tmp)) {
        snprintf(tmp, sizeof tmp, "?");
    }
    snprintf(addr, alen, "%s", tmp);
    snprintf(ap, aplen, a->family == 6 ? "[%s]:%u" : "%s:%u", tmp, port);
}

static void same(const struct td_addr *a, uint16_t port)
{
    static const size_t lens[] = {64, 16, 8, 1};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        char want_a[64], want_ap[64], got_a[64], got_ap[64];
        oracle(a, port, want_a, lens[i], want_ap, lens[i]);
        td_addr_str(a, got_a, lens[i]);
        td_addr_port_str(a, port, got_ap, lens[i]);
        assert_string_equal(got_a, want_a);
        assert_string_equal(got_ap, want_ap);
    }
}

static void test_addresses_as_libc_writes_them(void **state)
{
    (void)state;
    struct td_addr a = {.family = 4, .a = {0, 0, 0, 0}};
    same(&a, 0);
    a = (struct td_addr){.family = 4, .a = {255, 255, 255, 255}};
    same(&a, 65535);
    a = (struct td_addr){.family = 4, .a = {127, 0, 0, 1}};
    same(&a, 443);
    a = (struct td_addr){.family = 6, .a = {0}};
    a.a[15] = 1;
    same(&a, 8443);
    a = (struct td_addr){.family = 6, .a = {0x20, 0x01, 0x0d, 0xb8}};
    same(&a, 1);
    a = (struct td_addr){.family = 6, .a = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}};
    same(&a, 80);
    srand(7);
    for (int i = 0; i < 20000; i++) {
        a.family = (uint8_t)(rand() % 3 ? 4 : 6);
        for (int k = 0; k < 16; k++) {
            a.a[k] = (uint8_t)(rand() % 4 ? rand() : 0);
        }
        same(&a, (uint16_t)rand());
    }
}

static void test_strcopy_as_snprintf(void **state)
{
    (void)state;
    static const char *const in[] = {"", "a", "abcdefgh", "abcdefghijklmnopqrstuvwxyz"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        for (size_t n = 1; n < 30; n++) {
            char want[32], got[32];
            snprintf(want, n, "%s", in[i]);
            td_strcopy(got, n, in[i]);
            assert_string_equal(got, want);
        }
    }
    char got[16] = "untouched";
    td_strcopy(got, 0, "x");
    assert_string_equal(got, "untouched");
    td_strcopy(got, sizeof got, NULL);
    assert_string_equal(got, "(null)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses_as_libc_writes_them),
        cmocka_unit_test(test_strcopy_as_snprintf),
    };
    return tl_run_tests("base/net", tests);
}
