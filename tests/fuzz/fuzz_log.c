/* tlsdiag log's reader, recognisers and accumulator, then both renderers.
 * Input: a byte giving the size of the pieces the rest is pushed in (1..256),
 * then the log itself. */
#include <stdlib.h>

#include "fuzz.h"
#include "log/log.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    size_t piece = (size_t)data[0] + 1;
    data++;
    size--;
    struct td_log *lg = td_log_new();
    for (size_t off = 0; off < size; off += piece) {
        td_log_push(lg, data + off, size - off < piece ? size - off : piece);
    }
    td_log_end(lg);
    struct td_buf out = {0};
    struct td_render_opts o = {0};
    td_render_log_text(&out, "fuzz", lg, &o);
    td_render_log_json(&out, "fuzz", lg);
    td_buf_free(&out);
    td_log_free(lg);
    return 0;
}
