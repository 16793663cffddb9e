#include "testlib.h"

#include <stdio.h>
#include <string.h>

#include "reasm/reasm.h"
#include "tls/tls.h"

struct flight {
    struct td_buf client, server;
};

/* A TLS 1.3 handshake as it looks without keys. */
static void make_tls13(struct flight *f, size_t frag)
{
    struct td_buf ch = {0}, sh = {0}, enc = {0}, ccs = {0};
    tl_client_hello(&ch, "a.example");
    tl_server_hello(&sh, true, 0x1301);
    for (int i = 0; i < 900; i++) {
        td_buf_putc(&enc, (char)i);
    }
    td_buf_putc(&ccs, 1);
    tl_records(&f->client, 22, 1, &ch, frag);
    tl_records(&f->server, 22, 2, &sh, frag);
    tl_records(&f->server, 20, 0, &ccs, 16384);
    tl_records(&f->server, 23, 0, &enc, 16384);
    tl_records(&f->client, 20, 0, &ccs, 16384);
    enc.len = 53; /* the client's Finished */
    tl_records(&f->client, 23, 0, &enc, 16384);
    enc.len = 300; /* application data both ways */
    tl_records(&f->client, 23, 0, &enc, 16384);
    td_buf_free(&ch);
    td_buf_free(&sh);
    td_buf_free(&enc);
    td_buf_free(&ccs);
}

/* Feed client then server bytes in chunks of `chunk`, alternating as a
 * conversation would: client flight 1, server flight, client rest. */
static void run(struct td_tls_conn *c, struct flight *f, size_t chunk, size_t client_first)
{
    struct td_at at = {1, {0, 0}};
    for (size_t off = 0; off < client_first; off += chunk, at.frame++) {
        size_t n = client_first - off < chunk ? client_first - off : chunk;
        td_tls_feed(c, TD_CLIENT, f->client.data + off, n, &at);
    }
    for (size_t off = 0; off < f->server.len; off += chunk, at.frame++) {
        size_t n = f->server.len - off < chunk ? f->server.len - off : chunk;
        td_tls_feed(c, TD_SERVER, f->server.data + off, n, &at);
    }
    for (size_t off = client_first; off < f->client.len; off += chunk, at.frame++) {
        size_t n = f->client.len - off < chunk ? f->client.len - off : chunk;
        td_tls_feed(c, TD_CLIENT, f->client.data + off, n, &at);
    }
}

static void ladder(const struct td_tls_conn *c, char *out, size_t len)
{
    out[0] = '\0';
    size_t used = 0;
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        used += (size_t)snprintf(out + used, len - used, "%s%c ", td_msg_type_name(m),
                                 m->from == TD_CLIENT ? '>' : '<');
    }
}

static void test_tls13_any_segmentation(void **state)
{
    (void)state;
    struct td_limits lim;
    td_limits_default(&lim);
    for (size_t frag = 40; frag <= 16384; frag = frag * 4) {
        struct flight f = {0};
        make_tls13(&f, frag);
        /* The first client flight is the ClientHello record(s). */
        size_t ch_len = f.client.len - (6 + 5 + 53 + 5 + 300);
        char want[512] = "";
        for (size_t chunk = 1; chunk <= f.client.len + f.server.len; chunk = chunk < 16 ? chunk + 1 : chunk * 2) {
            struct td_tls_conn c;
            td_tls_conn_init(&c, &lim);
            run(&c, &f, chunk, ch_len);
            char got[512];
            ladder(&c, got, sizeof got);
            assert_true(c.tls13);
            assert_true(c.complete);
            assert_int_equal(td_tls_outcome(&c), TD_OUTCOME_OK);
            assert_string_equal(c.sni, "a.example");
            if (!want[0]) {
                snprintf(want, sizeof want, "%s", got);
                assert_string_equal(want, "ClientHello> ServerHello< ChangeCipherSpec< EncryptedHandshake< "
                                          "ChangeCipherSpec> Finished> ApplicationData> ");
            }
            assert_string_equal(got, want);
            td_tls_conn_free(&c);
        }
        td_buf_free(&f.client);
        td_buf_free(&f.server);
    }
}

static void test_alert_and_http(void **state)
{
    (void)state;
    struct td_limits lim;
    td_limits_default(&lim);
    struct td_tls_conn c;
    struct td_at at = {7, {0, 0}};
    struct td_buf ch = {0}, rec = {0}, alert = {0};
    tl_client_hello(&ch, NULL);
    tl_records(&rec, 22, 1, &ch, 16384);
    td_buf_putc(&alert, 2);
    td_buf_putc(&alert, 70);
    td_tls_conn_init(&c, &lim);
    td_tls_feed(&c, TD_CLIENT, rec.data, rec.len, &at);
    td_buf_reset(&rec);
    tl_records(&rec, 21, 0, &alert, 16384);
    rec.data[1] = 3, rec.data[2] = 1; /* record version TLS 1.0 */
    at.frame = 9;
    td_tls_feed(&c, TD_SERVER, rec.data, rec.len, &at);
    assert_int_equal(td_tls_outcome(&c), TD_OUTCOME_FAILED);
    assert_non_null(c.msgs->next);
    const struct td_msg *a = c.msgs->next;
    assert_int_equal(a->kind, TD_M_ALERT);
    assert_int_equal(a->alert_level, 2);
    assert_int_equal(a->alert_desc, 70);
    assert_int_equal(a->record_version, 0x0301);
    assert_int_equal(a->frame, 9);
    td_tls_conn_free(&c);

    /* plain HTTP to a TLS server: recognised, not parsed as TLS */
    td_tls_conn_init(&c, &lim);
    static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    td_tls_feed(&c, TD_CLIENT, (const uint8_t *)get, 2, &at);
    td_tls_feed(&c, TD_CLIENT, (const uint8_t *)get + 2, sizeof get - 3, &at);
    assert_false(c.tls_seen);
    assert_int_equal(c.msgs->kind, TD_M_NOT_TLS);
    assert_non_null(strstr(c.msgs->text, "GET / HTTP/1.1"));
    td_tls_conn_free(&c);
    td_buf_free(&ch);
    td_buf_free(&rec);
    td_buf_free(&alert);
}

static void test_gap_inside_encrypted_record_keeps_sync(void **state)
{
    (void)state;
    struct td_limits lim;
    td_limits_default(&lim);
    struct flight f = {0};
    make_tls13(&f, 16384);
    struct td_tls_conn c;
    struct td_at at = {1, {0, 0}};
    td_tls_conn_init(&c, &lim);
    size_t ch_len = f.client.len - (6 + 5 + 53 + 5 + 300);
    td_tls_feed(&c, TD_CLIENT, f.client.data, ch_len, &at);
    /* server: everything but 100 bytes in the middle of the 900-byte encrypted record */
    size_t enc_start = f.server.len - 900;
    td_tls_feed(&c, TD_SERVER, f.server.data, enc_start + 100, &at);
    td_tls_gap(&c, TD_SERVER, 100, "test", &at);
    td_tls_feed(&c, TD_SERVER, f.server.data + enc_start + 200, f.server.len - enc_start - 200, &at);
    assert_int_equal(c.last->kind, TD_M_ENC_HANDSHAKE); /* the record still ends where it should */
    td_tls_feed(&c, TD_CLIENT, f.client.data + ch_len, f.client.len - ch_len, &at);
    assert_int_equal(td_tls_outcome(&c), TD_OUTCOME_OK);
    td_tls_conn_free(&c);

    /* a gap inside the ClientHello loses the direction, and says so */
    td_tls_conn_init(&c, &lim);
    td_tls_feed(&c, TD_CLIENT, f.client.data, 20, &at);
    td_tls_gap(&c, TD_CLIENT, 30, "test", &at);
    assert_int_equal(c.last->kind, TD_M_GAP);
    assert_non_null(strstr(c.last->text, "30 bytes missing"));
    td_tls_end(&c, "end of capture");
    assert_int_equal(td_tls_outcome(&c), TD_OUTCOME_INCOMPLETE);
    td_tls_conn_free(&c);
    td_buf_free(&f.client);
    td_buf_free(&f.server);
}

/* Bytes lost at the start of the server's direction: its records resume at
 * the next segment that starts one; a segment from the middle of a record is
 * skipped and counted, never taken for plain text. */
static void test_gap_resyncs_at_next_record(void **state)
{
    (void)state;
    struct td_limits lim;
    td_limits_default(&lim);
    struct flight f = {0};
    make_tls13(&f, 16384);
    struct td_tls_conn c;
    struct td_at at = {1, {0, 0}};
    td_tls_conn_init(&c, &lim);
    size_t ch_len = f.client.len - (6 + 5 + 53 + 5 + 300);
    size_t sh_len = f.server.len - 6 - 905;
    td_tls_feed(&c, TD_CLIENT, f.client.data, ch_len, &at);
    td_tls_gap(&c, TD_SERVER, sh_len - 10, "test", &at);
    td_tls_feed(&c, TD_SERVER, f.server.data + sh_len - 10, 10, &at); /* the ServerHello's tail */
    assert_int_equal(c.dir[TD_SERVER].mode, TD_DIR_RESYNC);
    td_tls_feed(&c, TD_SERVER, f.server.data + sh_len, f.server.len - sh_len, &at);
    td_tls_feed(&c, TD_CLIENT, f.client.data + ch_len, f.client.len - ch_len, &at);
    char got[512];
    ladder(&c, got, sizeof got);
    /* Without the ServerHello nothing says TLS 1.3: its encrypted records read as application data. */
    assert_string_equal(got,
                        "ClientHello> Gap< ChangeCipherSpec< ApplicationData< ChangeCipherSpec> ApplicationData> ");
    assert_true(c.gap_in_handshake);
    assert_int_equal(c.dir[TD_SERVER].resync_skipped, 10);
    assert_false(c.dir[TD_SERVER].text_msg != NULL); /* no NotTLS */
    td_tls_conn_free(&c);
    td_buf_free(&f.client);
    td_buf_free(&f.server);
}

/* A gap inside a plaintext Certificate: its record and message lengths are
 * known, so only the Certificate is lost; the message after it is read, in
 * the same record or the next (as tshark does). */
static void test_gap_inside_handshake_message_keeps_sync(void **state)
{
    (void)state;
    struct td_limits lim;
    td_limits_default(&lim);
    for (size_t frag = 1000; frag <= 16384; frag *= 16) { /* the Certificate over 4 records, or in one */
        struct td_buf client = {0}, server = {0}, ch = {0}, sh = {0}, cert = {0}, done = {0};
        tl_client_hello(&ch, "a.example");
        tl_server_hello(&sh, false, 0xc02f);
        for (int i = 0; i < 3000; i++) {
            td_buf_putc(&cert, (char)(i * 7));
        }
        tl_records(&client, 22, 1, &ch, 16384);
        tl_records(&server, 22, 2, &sh, 16384);
        size_t cert_at = server.len;
        tl_records(&server, 22, 11, &cert, frag);
        tl_records(&server, 22, 14, &done, 16384);
        struct td_tls_conn c;
        struct td_at at = {1, {0, 0}};
        td_tls_conn_init(&c, &lim);
        td_tls_feed(&c, TD_CLIENT, client.data, client.len, &at);
        size_t lost_at = cert_at + 5 + 300, lost = 500;
        td_tls_feed(&c, TD_SERVER, server.data, lost_at, &at);
        td_tls_gap(&c, TD_SERVER, lost, "test", &at);
        at.frame = 7;
        td_tls_feed(&c, TD_SERVER, server.data + lost_at + lost, server.len - lost_at - lost, &at);
        char got[512];
        ladder(&c, got, sizeof got);
        assert_string_equal(got, "ClientHello> ServerHello< Gap< ServerHelloDone< ");
        assert_int_equal(c.last->frame, 7);
        assert_int_equal(c.dir[TD_SERVER].mode, TD_DIR_TLS);
        assert_true(c.gap_in_handshake);
        assert_false(c.failed);
        td_tls_conn_free(&c);
        td_buf_free(&client);
        td_buf_free(&server);
        td_buf_free(&ch);
        td_buf_free(&sh);
        td_buf_free(&cert);
    }
}

static void test_resync_needs_a_plausible_record(void **state)
{
    (void)state;
    static const uint8_t ch[] = {22, 3, 1, 0, 0x40, 1, 0, 0, 0x3c}; /* ClientHello, 60 bytes in 64 */
    static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    static const uint8_t app[] = {23, 3, 3, 0x10, 0x00, 0xaa};
    static const uint8_t enc_fin[] = {22, 3, 3, 0, 40, 0x9f, 0x31, 0x07, 0x55}; /* encrypted Finished */
    static const uint8_t too_long[] = {22, 3, 3, 0, 40, 11, 0, 1, 0};           /* 256 bytes in a 40-byte record */
    static const uint8_t text[] = {'H', 'T', 'T', 'P', '/', '1', '.', '1'};
    static const uint8_t big[] = {23, 3, 3, 0x50, 0x01}; /* over 2^14 + 2048 */
    assert_true(td_tls_resync_ok(ch, sizeof ch, 1 << 18));
    assert_true(td_tls_resync_ok(ccs, sizeof ccs, 1 << 18));
    assert_true(td_tls_resync_ok(app, sizeof app, 1 << 18));
    assert_false(td_tls_resync_ok(enc_fin, sizeof enc_fin, 1 << 18));
    assert_false(td_tls_resync_ok(too_long, sizeof too_long, 1 << 18));
    assert_false(td_tls_resync_ok(text, sizeof text, 1 << 18));
    assert_false(td_tls_resync_ok(big, sizeof big, 1 << 18));
    for (size_t n = 0; n < 5; n++) {
        assert_false(td_tls_resync_ok(ch, n, 1 << 18));
    }
}

static void test_absurd_lengths(void **state)
{
    (void)state;
    struct td_limits lim;
    td_limits_default(&lim);
    struct td_tls_conn c;
    struct td_at at = {3, {0, 0}};
    /* handshake message claiming 2^24-1 bytes */
    static const uint8_t big[] = {22, 3, 3, 0, 4, 1, 0xff, 0xff, 0xff};
    td_tls_conn_init(&c, &lim);
    td_tls_feed(&c, TD_CLIENT, big, sizeof big, &at);
    assert_int_equal(c.last->kind, TD_M_MALFORMED);
    assert_non_null(strstr(c.last->text, "over the limit"));
    td_tls_conn_free(&c);
    /* record longer than 2^14+2048 */
    static const uint8_t rec[] = {22, 3, 3, 0x48, 0x01, 1, 0, 0};
    td_tls_conn_init(&c, &lim);
    td_tls_feed(&c, TD_CLIENT, rec, sizeof rec, &at);
    assert_int_equal(c.last->kind, TD_M_MALFORMED);
    td_tls_conn_free(&c);
    /* zero-length handshake record */
    static const uint8_t zero[] = {22, 3, 3, 0, 0};
    td_tls_conn_init(&c, &lim);
    td_tls_feed(&c, TD_CLIENT, zero, sizeof zero, &at);
    assert_int_equal(c.last->kind, TD_M_MALFORMED);
    td_tls_conn_free(&c);
}

/* RFC 5246 E.2: an SSL 2.0-format CLIENT-HELLO offering TLS 1.0, followed by
 * a TLS alert record from the same client. */
static void test_sslv2_client_hello(void **state)
{
    (void)state;
    struct td_limits lim;
    td_limits_default(&lim);
    struct td_buf b = {0};
    struct td_bld bl;
    td_bld_init(&bl, &b);
    td_bld_u8(&bl, 1);       /* msg_type CLIENT-HELLO */
    td_bld_u16(&bl, 0x0301); /* TLS 1.0 */
    td_bld_u16(&bl, 9);      /* cipher_spec_length: 3 specs */
    td_bld_u16(&bl, 0);      /* session_id_length */
    td_bld_u16(&bl, 16);     /* challenge_length */
    td_bld_bytes(&bl, "\x00\x00\x2f\x07\x00\xc0\x00\x00\x0a",
                 9); /* TLS_RSA_WITH_AES_128_CBC_SHA, an SSLv2 spec, 3DES */
    td_bld_bytes(&bl, "0123456789abcdef", 16);
    assert_true(td_bld_finish(&bl));
    struct td_buf rec = {0};
    td_buf_putc(&rec, (char)(0x80 | (b.len >> 8)));
    td_buf_putc(&rec, (char)(b.len & 0xff));
    td_buf_append(&rec, b.data, b.len);
    td_buf_append(&rec, "\x15\x03\x01\x00\x02\x01\x00", 7); /* then a TLS record */
    struct td_tls_conn c;
    struct td_at at = {4, {0, 0}};
    for (size_t chunk = 1; chunk <= rec.len; chunk++) {
        td_tls_conn_init(&c, &lim);
        for (size_t off = 0; off < rec.len; off += chunk) {
            td_tls_feed(&c, TD_CLIENT, rec.data + off, rec.len - off < chunk ? rec.len - off : chunk, &at);
        }
        assert_true(c.tls_seen);
        assert_non_null(c.msgs);
        assert_int_equal(c.msgs->kind, TD_M_HANDSHAKE);
        assert_true(c.msgs->u.ch->sslv2_format);
        assert_int_equal(c.msgs->u.ch->legacy_version, 0x0301);
        assert_int_equal(c.msgs->u.ch->suites.n, 2); /* the SSLv2-only spec is not a TLS suite */
        assert_int_equal(c.msgs->u.ch->suites.v[0], 0x002f);
        assert_int_equal(c.msgs->u.ch->random[31], 'f'); /* challenge right-aligned in random */
        assert_non_null(c.msgs->next);
        assert_int_equal(c.msgs->next->kind, TD_M_ALERT);
        td_tls_conn_free(&c);
    }
    td_buf_free(&b);
    td_buf_free(&rec);
}

/* One record of `len` bytes (content type `type`) from `from`. */
static void feed_record(struct td_tls_conn *c, enum td_role from, uint8_t type, size_t len, struct td_at *at)
{
    struct td_buf body = {0}, rec = {0};
    for (size_t i = 0; i < len; i++) {
        td_buf_putc(&body, (char)(i * 7 + 1));
    }
    tl_records(&rec, type, 0, &body, 16384);
    td_tls_feed(c, from, rec.data, rec.len, at);
    at->frame++;
    td_buf_free(&body);
    td_buf_free(&rec);
}

/* TLS 1.3 mutual TLS without keys, up to the client's Finished: Certificate,
 * CertificateVerify and Finished (53 bytes with SHA-256) in records of their
 * own; or, empty, an empty Certificate (25 bytes) and Finished. */
static void mtls13_flight(struct td_tls_conn *c, struct td_at *at, bool empty)
{
    struct td_buf ch = {0}, sh = {0}, rec = {0};
    tl_client_hello(&ch, "m.example");
    tl_server_hello(&sh, true, 0x1301);
    tl_records(&rec, 22, 1, &ch, 16384);
    td_tls_feed(c, TD_CLIENT, rec.data, rec.len, at);
    td_buf_reset(&rec);
    tl_records(&rec, 22, 2, &sh, 16384);
    td_tls_feed(c, TD_SERVER, rec.data, rec.len, at);
    feed_record(c, TD_SERVER, 20, 1, at);
    feed_record(c, TD_SERVER, 23, 1200, at);
    feed_record(c, TD_CLIENT, 20, 1, at);
    if (empty) {
        feed_record(c, TD_CLIENT, 23, 25, at);
    } else {
        feed_record(c, TD_CLIENT, 23, 879, at);
        feed_record(c, TD_CLIENT, 23, 96, at);
    }
    feed_record(c, TD_CLIENT, 23, 53, at);
    assert_true(c->complete);
    td_buf_free(&ch);
    td_buf_free(&sh);
    td_buf_free(&rec);
}

static void mtls13_handshake(struct td_tls_conn *c, struct td_at *at) { mtls13_flight(c, at, false); }

/* An empty Certificate, then the client's data and FIN, then the server's
 * alert-sized record (s_server -Verify 1 when the client's close crosses its
 * refusal): a refusal still, since a server that took no certificate would
 * have sent its tickets first; answered by the client's close_notify, an
 * orderly close. */
static void test_tls13_empty_certificate_then_close_crossing_the_alert(void **state)
{
    (void)state;
    struct td_limits lim;
    td_limits_default(&lim);
    for (int answered = 0; answered < 2; answered++) {
        struct td_tls_conn c;
        struct td_at at = {1, {0, 0}};
        td_tls_conn_init(&c, &lim);
        mtls13_flight(&c, &at, true);
        if (!answered) { /* a line, then the FIN */
            feed_record(&c, TD_CLIENT, 23, 18, &at);
            td_tls_flags(&c, TD_CLIENT, TD_TCP_FIN, &at);
        }
        feed_record(&c, TD_SERVER, 23, 19, &at);
        if (answered) { /* the client's close_notify answers it, then its FIN */
            feed_record(&c, TD_CLIENT, 23, 19, &at);
            td_tls_flags(&c, TD_CLIENT, TD_TCP_FIN, &at);
        }
        td_tls_flags(&c, TD_SERVER, TD_TCP_FIN, &at);
        td_tls_end(&c, "end of capture");
        assert_int_equal(c.dir[TD_CLIENT].first_enc_hs_len, 25);
        if (answered) {
            assert_int_equal(td_tls_outcome(&c), TD_OUTCOME_OK);
        } else {
            assert_int_equal(td_tls_outcome(&c), TD_OUTCOME_FAILED);
            assert_string_equal(c.fail_reason, "encrypted alert from the server right after the client's Finished");
        }
        td_tls_conn_free(&c);
    }
}

/* The server's alert-sized record right after the client's Finished: a
 * refusal (the client sends nothing more, as after a fatal alert) -- unless
 * the client answers it with an alert of its own (close_notify is answered,
 * a fatal alert is not) or had closed first (a line, then close_notify:
 * `echo | openssl s_client` against `s_server -Verify 1`). */
static void test_tls13_server_alert_after_client_finished(void **state)
{
    (void)state;
    struct td_limits lim;
    td_limits_default(&lim);
    for (int variant = 0; variant < 4; variant++) {
        struct td_tls_conn c;
        struct td_at at = {1, {0, 0}};
        td_tls_conn_init(&c, &lim);
        mtls13_handshake(&c, &at);
        if (variant == 2) { /* the client's line and close_notify first */
            feed_record(&c, TD_CLIENT, 23, 18, &at);
            feed_record(&c, TD_CLIENT, 23, 19, &at);
        }
        if (variant == 3) { /* the client's FIN first */
            td_tls_flags(&c, TD_CLIENT, TD_TCP_FIN, &at);
        }
        feed_record(&c, TD_SERVER, 23, 19, &at);
        td_tls_flags(&c, TD_SERVER, TD_TCP_FIN, &at);
        if (variant == 1) { /* the client answers the server's close_notify */
            feed_record(&c, TD_CLIENT, 23, 19, &at);
        }
        if (variant != 3) {
            td_tls_flags(&c, TD_CLIENT, TD_TCP_FIN, &at);
        }
        td_tls_end(&c, "end of capture");
        if (variant == 0) {
            assert_int_equal(td_tls_outcome(&c), TD_OUTCOME_FAILED);
            assert_string_equal(c.fail_reason, "encrypted alert from the server right after the client's Finished");
        } else {
            assert_int_equal(td_tls_outcome(&c), TD_OUTCOME_OK);
            assert_null(c.fail_reason);
        }
        td_tls_conn_free(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls13_any_segmentation),
        cmocka_unit_test(test_tls13_empty_certificate_then_close_crossing_the_alert),
        cmocka_unit_test(test_alert_and_http),
        cmocka_unit_test(test_gap_inside_encrypted_record_keeps_sync),
        cmocka_unit_test(test_gap_resyncs_at_next_record),
        cmocka_unit_test(test_gap_inside_handshake_message_keeps_sync),
        cmocka_unit_test(test_resync_needs_a_plausible_record),
        cmocka_unit_test(test_absurd_lengths),
        cmocka_unit_test(test_sslv2_client_hello),
        cmocka_unit_test(test_tls13_server_alert_after_client_finished),
    };
    return tl_run_tests("tls/conn", tests);
}
