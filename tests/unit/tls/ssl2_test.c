#include "testlib.h"

#include <stdio.h>
#include <string.h>

#include "tls/tls.h"

/* An SSL 2.0 record with a 2-byte header. */
static void rec2(struct td_buf *out, const uint8_t *p, size_t n)
{
    td_buf_putc(out, (char)(0x80 | (n >> 8)));
    td_buf_putc(out, (char)(n & 0xff));
    td_buf_append(out, p, n);
}

static void ssl2_session(struct td_buf *cl, struct td_buf *sv, bool refuse)
{
    /* CLIENT-HELLO: type, version 0x0002, specs 6, sid 0, challenge 16 */
    static const uint8_t ch[] = {1, 0, 2, 0, 6, 0, 0, 0, 16, 0x01, 0x00, 0x80, 0x07, 0x00, 0xc0, 1,
                                 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,   12,   13,   14,   15,   16};
    /* SERVER-HELLO: type, hit 0, cert type 1, version, cert 4, specs 3, conn id 16 */
    static const uint8_t sh[] = {4,    0, 1, 0, 2, 0, 4, 0, 3, 0, 16, 0x30, 0x02, 0x05, 0x00, 0x01, 0x00,
                                 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,   12,   13,   14,   15,   16};
    static const uint8_t cmk[] = {2, 0x01, 0x00, 0x80, 0, 0, 0, 8, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9};
    static const uint8_t err[] = {0, 0, 1};
    static const uint8_t enc[] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
    rec2(cl, ch, sizeof ch);
    if (refuse) {
        rec2(sv, err, sizeof err);
        return;
    }
    rec2(sv, sh, sizeof sh);
    rec2(cl, cmk, sizeof cmk);
    rec2(cl, enc, sizeof enc); /* CLIENT-FINISHED */
    rec2(sv, enc, sizeof enc); /* SERVER-VERIFY */
    rec2(sv, enc, sizeof enc); /* SERVER-FINISHED */
}

static void run(struct td_tls_conn *c, bool refuse, size_t chunk)
{
    struct td_buf cl = {0}, sv = {0};
    struct td_limits lim;
    static struct td_limits keep;
    struct td_at at = {1, {0, 0}};
    td_limits_default(&lim);
    keep = lim;
    ssl2_session(&cl, &sv, refuse);
    td_tls_conn_init(c, &keep);
    /* the conversation's order: CLIENT-HELLO, SERVER-HELLO, the client's rest, the server's rest */
    size_t ch_len = 2 + 31, sh_len = refuse ? sv.len : 2 + 34;
    const struct {
        enum td_role from;
        const struct td_buf *b;
        size_t off, len;
    } parts[] = {{TD_CLIENT, &cl, 0, ch_len},
                 {TD_SERVER, &sv, 0, sh_len},
                 {TD_CLIENT, &cl, ch_len, cl.len - ch_len},
                 {TD_SERVER, &sv, sh_len, sv.len - sh_len}};
    for (size_t i = 0; i < 4; i++) {
        for (size_t o = 0; o < parts[i].len; o += chunk, at.frame++) {
            size_t n = parts[i].len - o < chunk ? parts[i].len - o : chunk;
            td_tls_feed(c, parts[i].from, parts[i].b->data + parts[i].off + o, n, &at);
        }
    }
    td_tls_end(c, "end");
    td_buf_free(&cl);
    td_buf_free(&sv);
}

static void ladder(const struct td_tls_conn *c, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (const struct td_msg *m = c->msgs; m && used < len; m = m->next) {
        used += (size_t)snprintf(out + used, len - used, "%s|", td_msg_type_name(m));
    }
}

/* An SSL 2.0 handshake is diagnosed as one: hellos, the certificate, the
 * master key, the encrypted finish; not "not TLS". Cut anywhere, the same. */
static void test_ssl2_handshake(void **state)
{
    (void)state;
    struct td_tls_conn c;
    char whole[300], cut[300];
    run(&c, false, 1 << 20);
    ladder(&c, whole, sizeof whole);
    assert_string_equal(whole, "ClientHello|ServerHello|Certificate|ClientKeyExchange|EncryptedHandshake|"
                               "EncryptedHandshake|EncryptedHandshake|");
    assert_true(c.ssl2);
    assert_int_equal(c.version, 0x0002);
    assert_int_equal(td_tls_outcome(&c), TD_OUTCOME_OK);
    td_tls_conn_free(&c);
    for (size_t chunk = 1; chunk <= 5; chunk++) {
        run(&c, false, chunk);
        ladder(&c, cut, sizeof cut);
        assert_string_equal(whole, cut);
        td_tls_conn_free(&c);
    }
}

/* SSL 2.0 ERROR (NO-CIPHER) is the alert it means: handshake_failure. */
static void test_ssl2_error(void **state)
{
    (void)state;
    struct td_tls_conn c;
    run(&c, true, 1 << 20);
    assert_int_equal(td_tls_outcome(&c), TD_OUTCOME_FAILED);
    assert_int_equal(c.last->kind, TD_M_ALERT);
    assert_int_equal(c.last->alert_desc, 40);
    td_tls_conn_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ssl2_handshake),
        cmocka_unit_test(test_ssl2_error),
    };
    return tl_run_tests("tls/ssl2", tests);
}
