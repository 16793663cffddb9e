/* The handshake message parsers on their own: ClientHello (and its SSLv2
 * form), ServerHello, Certificate (1.2 and 1.3), ServerKeyExchange,
 * CertificateRequest; and the replay's reading and rewriting of a captured
 * ClientHello (probe/replay_hello.c), with one edit of each kind. */
#include <stdlib.h>

#include "fuzz.h"
#include "probe/replay_internal.h"
#include "tls/names.h"
#include "tls/tls.h"

static void replay_hello(const uint8_t *data, size_t size)
{
    static struct td_rh h;
    const char *err;
    size_t off;
    if (!td_rh_parse(&h, data, size, &err, &off)) {
        return;
    }
    const struct td_rh_edit edits[] = {
        {0},
        {.add_sni = "server.test", .version = TD_VERSION_TLS1_2},
        {.add_group = TD_GROUP_SECP256R1, .add_suite = 0xc02f},
        {.drop_pq = true, .drop_ext = TD_EXT_KEY_SHARE, .drop_ext_set = true, .pad_to = 512},
    };
    char notes[400] = "";
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        struct td_buf out = {0};
        td_rh_build(&h, &edits[i], &out, notes, sizeof notes);
        td_buf_free(&out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *err;
    size_t off;
    struct td_cur c;
    td_cur_init(&c, data, size);
    td_client_hello_free(td_parse_client_hello(&c, &err, &off));
    td_cur_init(&c, data, size);
    td_client_hello_free(td_parse_sslv2_client_hello(&c, &err, &off));
    td_cur_init(&c, data, size);
    td_server_hello_free(td_parse_server_hello(&c, &err, &off));
    for (int tls13 = 0; tls13 < 2; tls13++) {
        td_cur_init(&c, data, size);
        td_certificate_free(td_parse_certificate(&c, tls13, 16, &err, &off));
    }
    td_cur_init(&c, data, size);
    struct td_server_key_exchange *ske = td_parse_server_key_exchange(&c, 0xc02f, TD_VERSION_TLS1_2, &err, &off);
    free(ske);
    for (int v = 0; v < 2; v++) {
        td_cur_init(&c, data, size);
        uint16_t version = v ? TD_VERSION_TLS1_3 : TD_VERSION_TLS1_2;
        td_certificate_request_free(td_parse_certificate_request(&c, version, &err, &off));
    }
    replay_hello(data, size);
    return 0;
}
