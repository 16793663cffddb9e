/* Plain-text preambles before TLS (tls/preamble.c), through the TLS layer.
 * Input: a big-endian u16 server port (the recognisers use it to tell SMTP
 * from FTP), then chunks as in fuzz_tls: a byte (bit 7: from the server;
 * bit 6: a FIN after it), a big-endian u16 length, that many bytes. The raw
 * input also goes straight to every recogniser and framer, for both sides. */
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "fuzz.h"
#include "report/report.h"
#include "tls/preamble.h"
#include "tls/tls.h"

static void direct(const uint8_t *data, size_t size)
{
    for (int r = 0; r < 2; r++) {
        enum td_role from = r ? TD_SERVER : TD_CLIENT;
        struct td_cur in;
        const struct td_pre_proto *pp = NULL;
        td_cur_init(&in, data, size);
        if (td_pre_match(from, &in, 25, &pp) != TD_PRE_YES) {
            continue;
        }
        struct td_preamble pr;
        td_pre_start(&pr, pp);
        for (int i = 0; i < 64 && td_cur_len(&in) > 0; i++) {
            size_t n = td_pre_frame(&pr, from, &in);
            struct td_cur msg;
            char desc[100];
            if (n == 0 || n == SIZE_MAX || !td_cur_get_bytes(&in, &msg, n)) {
                break;
            }
            td_pre_message(&pr, from, &msg, desc, sizeof desc);
            if (strlen(desc) >= sizeof desc) {
                abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    direct(data + 2, size - 2);
    struct td_limits lim;
    td_limits_default(&lim);
    struct td_tls_conn c;
    td_tls_conn_init(&c, &lim);
    struct td_addr a = {4, {192, 0, 2, 1}}, b = {4, {192, 0, 2, 2}};
    td_tls_set_roles(&c, &a, 40000, &b, (uint16_t)(data[0] << 8 | data[1]), true);
    struct td_at at = {1, {1700000000, 0}};
    size_t off = 2;
    while (off < size) {
        uint8_t h = data[off++];
        size_t n = off + 2 <= size ? (size_t)(data[off] << 8 | data[off + 1]) : 0;
        off = off + 2 <= size ? off + 2 : size;
        if (n > size - off) {
            n = size - off;
        }
        enum td_role from = (h & 0x80) ? TD_SERVER : TD_CLIENT;
        td_tls_feed(&c, from, data + off, n, &at);
        if (h & 0x40) {
            td_tls_flags(&c, from, TD_TCP_FIN, &at);
        }
        off += n;
        at.frame++;
    }
    td_tls_end(&c, "end of input");
    struct td_facts f;
    struct td_verdict v;
    td_facts_from_conn(&f, &c, NULL, true);
    td_diagnose(&f, NULL, &v);
    td_facts_free(&f);
    struct td_buf out = {0};
    struct td_render_opts ro = {.verbose = true, .utf8 = true};
    td_render_conn_text(&out, &c, &ro);
    td_render_conn_json(&out, &c, &ro);
    td_buf_free(&out);
    td_tls_conn_free(&c);
    return 0;
}
