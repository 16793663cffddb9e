#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "base/mem.h"

#include "crypto/crypto.h"
#include "report/internal.h"
#include "tls/names.h"

#include "base/banned.h"

const char *td_outcome_name(enum td_outcome o)
{
    switch (o) {
    case TD_OUTCOME_OK:
        return "ok";
    case TD_OUTCOME_FAILED:
        return "failed";
    case TD_OUTCOME_INCOMPLETE:
        return "incomplete";
    }
    return "?";
}

/* Seconds and nanoseconds, "1700000000.123456789", without printf: it runs
 * for every message. */
void td_time_str(const struct td_time *t, char *out, size_t len)
{
    char tmp[40];
    size_t n = sizeof tmp;
    uint32_t ns = t->nsec % 1000000000u;
    for (int i = 0; i < 9; i++) {
        tmp[--n] = (char)('0' + ns % 10);
        ns /= 10;
    }
    tmp[--n] = '.';
    uint64_t s = t->sec < 0 ? (uint64_t)(-t->sec) : (uint64_t)t->sec;
    do {
        tmp[--n] = (char)('0' + s % 10);
        s /= 10;
    } while (s);
    if (t->sec < 0) {
        tmp[--n] = '-';
    }
    size_t k = sizeof tmp - n < len ? sizeof tmp - n : len - 1;
    td_memcopy(out, tmp + n, k);
    out[k] = '\0';
}

void td_shell_word(struct td_buf *out, const char *s)
{
    size_t n = strlen(s);
    if (n && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:@%+,=-") == n) {
        td_buf_append(out, s, n);
        return;
    }
    td_buf_putc(out, '\'');
    for (const char *q; (q = strchr(s, '\'')) != NULL; s = q + 1) {
        td_text_escape(out, s, (size_t)(q - s));
        td_buf_puts(out, "'\\''");
    }
    td_text_escape(out, s, strlen(s));
    td_buf_putc(out, '\'');
}

const char *td_cert_type_name(uint8_t t)
{
    /* RFC 5246 7.4.4 / RFC 8422 5.5 ClientCertificateType */
    switch (t) {
    case 1:
        return "rsa_sign";
    case 2:
        return "dss_sign";
    case 3:
        return "rsa_fixed_dh";
    case 4:
        return "dss_fixed_dh";
    case 64:
        return "ecdsa_sign";
    case 65:
        return "rsa_fixed_ecdh";
    case 66:
        return "ecdsa_fixed_ecdh";
    default:
        return NULL;
    }
}

const char *td_alert_level_name(uint8_t l) { return l == 1 ? "warning" : l == 2 ? "fatal" : NULL; }

/* Whether m carries its decoded structure (a raw type-6 message, the draft
 * HelloRetryRequest code point, is never decoded). */
bool td_msg_decoded(const struct td_msg *m)
{
    switch (m->hs_type) {
    case TD_HS_CLIENT_HELLO:
    case TD_HS_SERVER_HELLO:
    case TD_HS_HELLO_RETRY_REQUEST:
    case TD_HS_CERTIFICATE:
    case TD_HS_SERVER_KEY_EXCHANGE:
    case TD_HS_CERTIFICATE_REQUEST:
        return m->u.ch != NULL; /* the same pointer, whichever member */
    default:
        return true;
    }
}

void td_render_findings_json(struct td_json *j, const struct td_cert_finding *f, size_t n, bool with_cert,
                             bool with_changed)
{
    td_json_arr_begin(j, "findings");
    for (size_t i = 0; i < n; i++) {
        td_json_obj_begin(j, NULL);
        td_json_name(j, "cause", td_cause_info(f[i].cause)->slug);
        td_json_name(j, "severity", td_sev_name(f[i].sev));
        if (with_cert) {
            if (f[i].cert >= 0) {
                td_json_i64(j, "cert", f[i].cert);
            } else {
                td_json_null(j, "cert");
            }
        }
        td_json_str(j, "message", f[i].message);
        td_json_str(j, "resolution", f[i].resolution);
        const struct td_change *ch = with_changed ? td_change_of_cause(f[i].cause) : NULL;
        if (ch) {
            td_json_obj_begin(j, "changed");
            td_json_str(j, "what", ch->what);
            td_json_str(j, "restore", ch->restore);
            td_json_obj_end(j);
        } else if (with_changed) {
            td_json_null(j, "changed");
        }
        td_json_obj_end(j);
    }
    td_json_arr_end(j);
}

static void add_words(char *out, size_t len, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add_words(char *out, size_t len, size_t *n, const char *fmt, ...)
{
    va_list ap;
    if (*n >= len) {
        return;
    }
    if (*n) {
        int w = snprintf(out + *n, len - *n, "; ");
        *n += w > 0 ? (size_t)w : 0;
        if (*n >= len) {
            *n = len;
            return;
        }
    }
    va_start(ap, fmt);
    int w = vsnprintf(out + *n, len - *n, fmt, ap);
    va_end(ap);
    *n += w > 0 ? (size_t)w : 0;
    if (*n > len) {
        *n = len;
    }
}

void td_coverage_words(const struct td_coverage *cov, char *out, size_t len)
{
    size_t n = 0;
    if (len) {
        out[0] = '\0';
    }
    if (!cov->valid || !len) {
        return;
    }
    const struct td_dir_coverage *cl = &cov->dir[TD_CLIENT], *sv = &cov->dir[TD_SERVER];
    if (!cl->segments && sv->segments) {
        add_words(out, len, &n, "server direction only");
    } else if (cl->segments && !sv->segments) {
        add_words(out, len, &n, "client direction only");
    }
    if (cov->midstream) {
        add_words(out, len, &n, "no SYN: the capture starts mid-connection");
    }
    if (cl->snap_frames + sv->snap_frames) {
        add_words(out, len, &n, "%llu frames cut by the snap length (%llu bytes)",
                  (unsigned long long)(cl->snap_frames + sv->snap_frames),
                  (unsigned long long)(cl->snap_bytes + sv->snap_bytes));
    }
    if (sv->acked_missing) {
        add_words(out, len, &n, "%llu server bytes ACKed by the client, not captured",
                  (unsigned long long)sv->acked_missing);
    }
    if (cl->acked_missing) {
        add_words(out, len, &n, "%llu client bytes ACKed by the server, not captured",
                  (unsigned long long)cl->acked_missing);
    }
}

bool td_capture_advice(const struct td_run_stats *s, char *out, size_t len)
{
    bool cut = s->cut_frames || s->snap_cut_conns || s->truncated;
    bool any = cut || s->one_sided_conns || s->midstream_conns || s->acked_missing_conns;
    /* -s 0: whole frames; -i any with a filter on host and port: both
     * directions whatever the interface; -B: a kernel buffer that does not
     * drop; started before the connections open. */
    snprintf(out, len, "tcpdump -i any -s 0 -B 65536 -w capture.pcap 'tcp port %u'%s",
             s->poor_port ? s->poor_port : 443u, s->midstream_conns ? "  (started before the connections open)" : "");
    return any;
}

void td_render_community_id(struct td_json *j, const struct td_addr *client, uint16_t client_port,
                            const struct td_addr *server, uint16_t server_port)
{
    char cid[TD_COMMUNITY_ID_LEN];
    if (td_community_id(client, client_port, server, server_port, TD_IPPROTO_TCP, 0, cid)) {
        td_json_str(j, "community_id", cid);
    } else {
        td_json_null(j, "community_id");
    }
}
