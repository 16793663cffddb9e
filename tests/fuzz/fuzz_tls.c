/* One TCP connection's bytes, both directions, into the TLS layer. The input
 * is a list of chunks: a byte (bit 7: from the server; bit 6: a FIN after
 * it), a big-endian u16 length, then that many bytes. The input may start with
 * a key log (lines starting with "CLIENT", up to a NUL) to reach decryption. */
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "fuzz.h"
#include "report/report.h"
#include "tls/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct td_limits lim;
    td_limits_default(&lim);
    struct td_keylog *kl = NULL;
    if (size > 6 && memcmp(data, "CLIENT", 6) == 0) {
        const uint8_t *nul = memchr(data, 0, size);
        if (nul) {
            kl = td_keylog_new();
            td_keylog_add_text(kl, data, (size_t)(nul - data));
            size -= (size_t)(nul - data) + 1;
            data = nul + 1;
        }
    }
    struct td_tls_conn c;
    td_tls_conn_init(&c, &lim);
    c.keylog = kl;
    struct td_addr a = {4, {192, 0, 2, 1}}, b = {4, {192, 0, 2, 2}};
    td_tls_set_roles(&c, &a, 40000, &b, 443, true);
    struct td_at at = {1, {1700000000, 0}};
    size_t off = 0;
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
        at.ts.nsec += 1000;
    }
    td_tls_end(&c, "end of input");
    struct td_facts f;
    struct td_verdict v;
    struct td_cert_cache *cache = td_cert_cache_new();
    struct td_diag_opts o = {.host = "fuzz.example", .cert_cache = cache};
    td_facts_from_conn(&f, &c, &o, true);
    td_diagnose(&f, NULL, &v);
    struct td_buf out = {0};
    struct td_render_opts ro = {.verbose = true, .utf8 = true, .cert_cache = cache};
    td_render_conn_text(&out, &c, &ro);
    td_render_conn_json(&out, &c, &ro);
    td_buf_free(&out);
    td_facts_free(&f);
    td_tls_conn_free(&c);
    td_keylog_free(kl);
    td_cert_cache_free(cache);
    return 0;
}
