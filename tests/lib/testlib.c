#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "tls/hello_build.h"
#include "tls/names.h"

/* RFC 8446 5.1 ContentType handshake (not an IANA CSV of data/iana). */
enum { CT_HANDSHAKE = 22 };

void tl_client_hello(struct td_buf *out, const char *sni)
{
    uint8_t random[32] = {1, 2, 3};
    static const uint16_t suites[] = {0x1301, 0xc02f, 0x0a0a /* GREASE */};
    static const uint16_t groups[] = {TD_GROUP_X25519, TD_GROUP_SECP256R1};
    struct td_hello_spec spec = {
        .profile = TD_HELLO_SAMPLE_TLS13,
        .version = TD_VERSION_TLS1_3,
        .random = random,
        .suites = suites,
        .num_suites = sizeof suites / sizeof suites[0],
        .groups = groups,
        .num_groups = sizeof groups / sizeof groups[0],
        .sni = sni,
        .key_share_group = TD_GROUP_X25519,
        .key_share = random, /* 32 bytes, an X25519 share's size */
        .key_share_len = sizeof random,
    };
    assert_true(td_build_client_hello(out, &spec));
}

void tl_server_hello(struct td_buf *out, bool tls13, uint16_t suite)
{
    struct td_bld b;
    uint8_t random[32] = {9, 9, 9};
    td_bld_init(&b, out);
    td_bld_u16(&b, TD_VERSION_TLS1_2);
    td_bld_bytes(&b, random, 32);
    td_bld_open(&b, 1);
    td_bld_close(&b);
    td_bld_u16(&b, suite);
    td_bld_u8(&b, 0);
    td_bld_open(&b, 2);
    if (tls13) {
        td_bld_u16(&b, TD_EXT_SUPPORTED_VERSIONS);
        td_bld_open(&b, 2);
        td_bld_u16(&b, TD_VERSION_TLS1_3);
        td_bld_close(&b);
        td_bld_u16(&b, TD_EXT_KEY_SHARE);
        td_bld_open(&b, 2);
        td_bld_u16(&b, TD_GROUP_X25519);
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
    if (content_type == CT_HANDSHAKE) {
        td_bld_u8(&b, hs_type);
        td_bld_open(&b, 3);
    }
    td_bld_bytes(&b, body->data, body->len);
    if (content_type == CT_HANDSHAKE) {
        td_bld_close(&b);
    }
    assert_true(td_bld_finish(&b));
    for (size_t off = 0; off < msg.len; off += max_frag) {
        size_t n = msg.len - off < max_frag ? msg.len - off : max_frag;
        struct td_bld r;
        td_bld_init(&r, out);
        td_bld_u8(&r, content_type);
        td_bld_u16(&r, TD_VERSION_TLS1_2);
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
