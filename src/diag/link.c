/* A gateway's 5xx and the southbound TLS connection it is owed to. */
#include <string.h>

#include "base/mem.h"
#include "diag/diag.h"

#include "base/banned.h"

/* Rank: inside the request-to-answer window first (earliest first: the first
 * attempt), then the skew window (closest to the request first). */
static bool better(int64_t a, bool a_in, int64_t b, bool b_in)
{
    if (a_in != b_in) {
        return a_in;
    }
    return a_in ? a < b : a > b;
}

void td_link_candidates(const struct td_http_error *h, const struct td_facts *const *facts, size_t n,
                        struct td_link *out)
{
    td_memzero(out, sizeof *out);
    out->confidence = TD_CONF_LOW;
    bool have_request = h->request_frame != 0;
    int64_t anchor = have_request ? h->request_ns : h->status_ns;
    int64_t from = have_request ? h->request_ns - 1000000000LL : h->status_ns - 60000000000LL;
    bool in[TD_MAX_LINKS] = {false};
    for (size_t i = 0; i < n; i++) {
        const struct td_facts *f = facts[i];
        if (!f->tls || strcmp(f->client_ip, h->server_ip) != 0 || f->first_ns < from || f->first_ns > h->status_ns) {
            continue;
        }
        bool inside = have_request && f->first_ns >= h->request_ns;
        out->in_window += inside;
        int64_t d = f->first_ns - anchor;
        /* insertion into the ranked, bounded list */
        size_t k = out->n < TD_MAX_LINKS ? out->n : TD_MAX_LINKS;
        while (k > 0 && better(d, inside, out->after_request_ns[k - 1], in[k - 1])) {
            if (k < TD_MAX_LINKS) {
                out->idx[k] = out->idx[k - 1];
                out->after_request_ns[k] = out->after_request_ns[k - 1];
                in[k] = in[k - 1];
            }
            k--;
        }
        if (k < TD_MAX_LINKS) {
            out->idx[k] = (long)i;
            out->after_request_ns[k] = d;
            in[k] = inside;
            if (out->n < TD_MAX_LINKS) {
                out->n++;
            }
        }
    }
    if (out->in_window == 1) {
        out->confidence = TD_CONF_HIGH;
    } else if (out->in_window > 1) {
        out->confidence = TD_CONF_MEDIUM;
    }
}
