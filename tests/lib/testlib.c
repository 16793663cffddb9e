#include "testlib.h"

#include <stdlib.h>
#include <string.h>

void tl_client_hello(struct td_buf *out, const char *sni)
{
    struct td_bld b;
    uint8_t random[32] = {1, 2, 3};
    td_bld_init(&b, out);
    td_bld_u16(&b, 0x0303);
    td_bld_bytes(&b, random, 32);
    td_bld_open(&b, 1); /* session id */
    td_bld_bytes(&b, random, 32);
    td_bld_close(&b);
    td_bld_open(&b, 2); /* suites */
    td_bld_u16(&b, 0x1301);
    td_bld_u16(&b, 0xc02f);
    td_bld_u16(&b, 0x0a0a); /* GREASE */
    td_bld_close(&b);
    td_bld_open(&b, 1);
    td_bld_u8(&b, 0);
    td_bld_close(&b);
    td_bld_open(&b, 2); /* extensions */
    if (sni) {
        td_bld_u16(&b, 0);
        td_bld_open(&b, 2);
        td_bld_open(&b, 2);
        td_bld_u8(&b, 0);
        td_bld_open(&b, 2);
        td_bld_bytes(&b, sni, strlen(sni));
        td_bld_close(&b);
        td_bld_close(&b);
        td_bld_close(&b);
    }
    td_bld_u16(&b, 43); /* supported_versions */
    td_bld_open(&b, 2);
    td_bld_open(&b, 1);
    td_bld_u16(&b, 0x0304);
    td_bld_u16(&b, 0x0303);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_u16(&b, 10); /* supported_groups */
    td_bld_open(&b, 2);
    td_bld_open(&b, 2);
    td_bld_u16(&b, 29);
    td_bld_u16(&b, 23);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_u16(&b, 51); /* key_share */
    td_bld_open(&b, 2);
    td_bld_open(&b, 2);
    td_bld_u16(&b, 29);
    td_bld_open(&b, 2);
    td_bld_bytes(&b, random, 32);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_u16(&b, 16); /* ALPN */
    td_bld_open(&b, 2);
    td_bld_open(&b, 2);
    td_bld_open(&b, 1);
    td_bld_bytes(&b, "h2", 2);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_u16(&b, 0x1234); /* unknown */
    td_bld_open(&b, 2);
    td_bld_close(&b);
    td_bld_close(&b);
    assert_true(td_bld_finish(&b));
}

void tl_server_hello(struct td_buf *out, bool tls13, uint16_t suite)
{
    struct td_bld b;
    uint8_t random[32] = {9, 9, 9};
    td_bld_init(&b, out);
    td_bld_u16(&b, 0x0303);
    td_bld_bytes(&b, random, 32);
    td_bld_open(&b, 1);
    td_bld_close(&b);
    td_bld_u16(&b, suite);
    td_bld_u8(&b, 0);
    td_bld_open(&b, 2);
    if (tls13) {
        td_bld_u16(&b, 43);
        td_bld_open(&b, 2);
        td_bld_u16(&b, 0x0304);
        td_bld_close(&b);
        td_bld_u16(&b, 51);
        td_bld_open(&b, 2);
        td_bld_u16(&b, 29);
        td_bld_open(&b, 2);
        td_bld_bytes(&b, random, 32);
        td_bld_close(&b);
        td_bld_close(&b);
    }
    td_bld_close(&b);
    assert_true(td_bld_finish(&b));
}

void tl_records(struct td_buf *out, uint8_t content_type, uint8_t hs_type, const struct td_buf *body, size_t max_frag)
{
    struct td_buf msg = {0};
    struct td_bld b;
    td_bld_init(&b, &msg);
    if (content_type == 22) {
        td_bld_u8(&b, hs_type);
        td_bld_open(&b, 3);
    }
    td_bld_bytes(&b, body->data, body->len);
    if (content_type == 22) {
        td_bld_close(&b);
    }
    assert_true(td_bld_finish(&b));
    for (size_t off = 0; off < msg.len; off += max_frag) {
        size_t n = msg.len - off < max_frag ? msg.len - off : max_frag;
        struct td_bld r;
        td_bld_init(&r, out);
        td_bld_u8(&r, content_type);
        td_bld_u16(&r, 0x0303);
        td_bld_open(&r, 2);
        td_bld_bytes(&r, msg.data + off, n);
        td_bld_close(&r);
        assert_true(td_bld_finish(&r));
    }
    td_buf_free(&msg);
}

void tl_filter_from_env(void)
{
    const char *pattern = getenv("TD_TEST");
    if (pattern && *pattern) {
        cmocka_set_test_filter(pattern);
    }
}
