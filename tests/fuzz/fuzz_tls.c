/* One TCP connection's bytes, both directions, into the TLS layer. The input
 * is a list of chunks (chunks.h); it may start with a key log (lines starting
 * with "CLIENT", up to a NUL) to reach decryption. The session's key log
 * lines (td_keylog_lines, what --write-failed puts in a pcapng) must read
 * back as as many good lines. */
#include <stdlib.h>
#include <string.h>

#include "chunks.h"
#include "fuzz.h"

static void reread(void *ctx, const char *line, size_t len) { td_keylog_add_text(ctx, (const uint8_t *)line, len); }

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
    td_fuzz_conn_init(&c, &lim, 443);
    c.keylog = kl;
    td_fuzz_feed_chunks(&c, data, size, 1000);
    struct td_cert_cache *cache = td_cert_cache_new();
    struct td_diag_opts o = {.host = "fuzz.example", .cert_cache = cache};
    td_fuzz_judge(&c, &o, cache);
    if (kl && c.have_client_random) {
        struct td_keylog *back = td_keylog_new();
        size_t n = td_keylog_lines(kl, c.client_random, reread, back);
        if (td_keylog_count(back) != n || td_keylog_bad_lines(back) != 0) {
            abort();
        }
        td_keylog_free(back);
    }
    td_tls_conn_free(&c);
    td_keylog_free(kl);
    td_cert_cache_free(cache);
    return 0;
}
