/* Plain-text preambles before TLS (tls/preamble.c), through the TLS layer.
 * Input: a big-endian u16 server port (the recognisers use it to tell SMTP
 * from FTP), then chunks as in fuzz_tls (chunks.h). The raw input also goes
 * straight to every recogniser and framer, for both sides. */
#include <stdlib.h>
#include <string.h>

#include "chunks.h"
#include "fuzz.h"
#include "tls/preamble.h"

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
    td_fuzz_conn_init(&c, &lim, (uint16_t)(data[0] << 8 | data[1]));
    td_fuzz_feed_chunks(&c, data + 2, size - 2, 0);
    td_fuzz_judge(&c, NULL, NULL);
    td_tls_conn_free(&c);
    return 0;
}
