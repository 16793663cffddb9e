/* --export-certs: each certificate chain a connection sent, as PEM, named
 * for its tcp.stream and side, for tlsdiag cert or openssl verify. */
#include <stdio.h>

#include "report/internal.h"

#include "base/banned.h"

/* RFC 7468: base64 of the DER bytes as sent (the fingerprints stay those the
 * capture shows), 64 characters a line. */
static void pem_block(struct td_buf *out, const uint8_t *der, size_t len)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    td_buf_puts(out, "-----BEGIN CERTIFICATE-----\n");
    size_t col = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16;
        v |= i + 1 < len ? (uint32_t)der[i + 1] << 8 : 0;
        v |= i + 2 < len ? der[i + 2] : 0;
        char q[4] = {b64[v >> 18], b64[(v >> 12) & 63], i + 1 < len ? b64[(v >> 6) & 63] : '=',
                     i + 2 < len ? b64[v & 63] : '='};
        td_buf_append(out, q, 4);
        col += 4;
        if (col == 64) {
            td_buf_putc(out, '\n');
            col = 0;
        }
    }
    if (col) {
        td_buf_putc(out, '\n');
    }
    td_buf_puts(out, "-----END CERTIFICATE-----\n");
}

size_t td_render_chain_pem(struct td_buf *out, const struct td_tls_conn *c, enum td_role side)
{
    size_t n = 0;
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        if (m->kind != TD_M_HANDSHAKE || m->hs_type != TD_HS_CERTIFICATE || m->from != side || !td_msg_decoded(m)) {
            continue;
        }
        for (size_t i = 0; i < m->u.cert->num_certs; i++) {
            pem_block(out, m->u.cert->certs[i].p, m->u.cert->certs[i].len);
            n++;
        }
    }
    return n;
}

void td_chain_file_name(const struct td_tls_conn *c, enum td_role side, char *out, size_t len)
{
    char a[64];
    if (side == TD_CLIENT) {
        snprintf(out, len, "%u-client.pem", c->stream);
        return;
    }
    td_addr_str(&c->addr[TD_SERVER], a, sizeof a);
    snprintf(out, len, "%u-%s_%u.pem", c->stream, a, c->port[TD_SERVER]);
}
