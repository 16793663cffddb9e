#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "tls/names.h"
#include "tls/tls.h"

/* RFC 8446 4.6.1: lifetime 300 (nginx's), age_add, an 8-byte nonce, a
 * 16-byte ticket, then early_data (max 16384) and an unknown extension. */
static const uint8_t nst13[] = {
    0x00, 0x00, 0x01, 0x2c,                                     /* ticket_lifetime */
    0x01, 0x02, 0x03, 0x04,                                     /* ticket_age_add */
    0x08, 1,    2,    3,    4,    5,    6,    7,    8,          /* ticket_nonce<0..255> */
    0x00, 0x10, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, /* ticket<1..2^16-1> */
    0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,             /* */
    0x00, 0x0c,                                                 /* extensions<0..2^16-2> */
    0x00, 0x2a, 0x00, 0x04, 0x00, 0x00, 0x40, 0x00,             /* early_data: max_early_data_size */
    0x12, 0x34, 0x00, 0x00,                                     /* unknown, empty */
};

/* RFC 5077 3.3: lifetime hint 7200, a 5-byte ticket. */
static const uint8_t nst12[] = {0x00, 0x00, 0x1c, 0x20, 0x00, 0x05, 1, 2, 3, 4, 5};

static bool parse(const uint8_t *p, size_t n, bool tls13, struct td_new_session_ticket *t, const char **err,
                  size_t *off)
{
    uint8_t *copy = td_memdup(p, n); /* exact-size heap copy: ASan sees overreads */
    struct td_cur c;
    td_cur_init(&c, copy, n);
    *err = NULL;
    *off = 0;
    bool ok = td_parse_new_session_ticket(&c, tls13, t, err, off);
    free(copy);
    return ok;
}

static void test_tls13_ticket_fields(void **state)
{
    (void)state;
    struct td_new_session_ticket t;
    const char *err;
    size_t off;
    assert_true(parse(nst13, sizeof nst13, true, &t, &err, &off));
    assert_null(err);
    assert_int_equal(t.lifetime, 300);
    assert_int_equal(t.nonce_len, 8);
    assert_int_equal(t.ticket_len, 16);
    assert_true(t.early_data);
    /* without early_data */
    static const uint8_t plain13[] = {0, 0, 0, 60, 9, 9, 9, 9, 1, 7, 0, 2, 0xee, 0xef, 0, 0};
    assert_true(parse(plain13, sizeof plain13, true, &t, &err, &off));
    assert_int_equal(t.lifetime, 60);
    assert_int_equal(t.nonce_len, 1);
    assert_int_equal(t.ticket_len, 2);
    assert_false(t.early_data);
}

static void test_tls12_ticket_fields(void **state)
{
    (void)state;
    struct td_new_session_ticket t;
    const char *err;
    size_t off;
    assert_true(parse(nst12, sizeof nst12, false, &t, &err, &off));
    assert_int_equal(t.lifetime, 7200);
    assert_int_equal(t.ticket_len, 5);
    /* RFC 5077 3.3: an empty ticket says the server will not issue one */
    static const uint8_t empty12[] = {0, 0, 0, 0, 0, 0};
    assert_true(parse(empty12, sizeof empty12, false, &t, &err, &off));
    assert_int_equal(t.ticket_len, 0);
}

/* Every strict prefix of either form is malformed: an error, an offset
 * within the input, no read past it. */
static void test_ticket_cut_at_every_byte(void **state)
{
    (void)state;
    static const struct {
        const uint8_t *p;
        size_t n;
        bool tls13;
    } forms[] = {{nst13, sizeof nst13, true}, {nst12, sizeof nst12, false}};
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        for (size_t n = 0; n < forms[f].n; n++) {
            struct td_new_session_ticket t;
            const char *err;
            size_t off;
            assert_false(parse(forms[f].p, n, forms[f].tls13, &t, &err, &off));
            assert_non_null(err);
            assert_true(strstr(err, "NewSessionTicket") == err);
            assert_true(off <= n);
        }
    }
}

static void test_ticket_malformed(void **state)
{
    (void)state;
    struct td_new_session_ticket t;
    const char *err;
    size_t off;
    uint8_t b[sizeof nst13 + 1];
    /* the TLS 1.3 form read as TLS 1.2 is not a ticket (what nginx's looked like before) */
    assert_false(parse(nst13, sizeof nst13, false, &t, &err, &off));
    /* a byte after the extensions */
    memcpy(b, nst13, sizeof nst13);
    b[sizeof nst13] = 0;
    assert_false(parse(b, sizeof b, true, &t, &err, &off));
    assert_string_equal(err, "NewSessionTicket has bytes after its extensions");
    assert_int_equal(off, sizeof nst13);
    /* a byte after a TLS 1.2 ticket */
    memcpy(b, nst12, sizeof nst12);
    b[sizeof nst12] = 9;
    assert_false(parse(b, sizeof nst12 + 1, false, &t, &err, &off));
    assert_string_equal(err, "NewSessionTicket has bytes after the ticket");
    /* TLS 1.3: an empty ticket (ticket<1..2^16-1>), extensions empty */
    static const uint8_t empty13[] = {0, 0, 1, 0x2c, 1, 2, 3, 4, 0, 0, 0, 0, 0};
    assert_false(parse(empty13, sizeof empty13, true, &t, &err, &off));
    assert_string_equal(err, "NewSessionTicket ticket is empty (RFC 8446 4.6.1: ticket<1..2^16-1>)");
    /* early_data of 3 bytes */
    static const uint8_t ed3[] = {0, 0, 1, 0x2c, 1, 2, 3, 4, 0, 0, 1, 0xaa, 0, 7, 0, 0x2a, 0, 3, 0, 0, 0};
    assert_false(parse(ed3, sizeof ed3, true, &t, &err, &off));
    assert_string_equal(err, "NewSessionTicket early_data extension is not 4 bytes");
    /* an extension longer than its block */
    static const uint8_t over[] = {0, 0, 1, 0x2c, 1, 2, 3, 4, 0, 0, 1, 0xaa, 0, 4, 0x12, 0x34, 0, 1};
    assert_false(parse(over, sizeof over, true, &t, &err, &off));
    assert_string_equal(err, "NewSessionTicket extension runs past the extensions block");
    assert_true(off <= sizeof over);
}

/* TLS 1.2 tickets are in clear, before ChangeCipherSpec: one spanning three
 * records, then two in one record, all read (defrag.c). */
static void test_tickets_across_and_within_records(void **state)
{
    (void)state;
    struct td_limits lim;
    td_limits_default(&lim);
    struct td_buf ch = {0}, sh = {0}, big = {0}, two = {0}, srv = {0}, cli = {0};
    tl_client_hello(&ch, "t.example");
    tl_server_hello(&sh, false, 0xc02f);
    td_buf_append(&big, (const uint8_t *)"\x00\x00\x0e\x10\x01\x00", 6); /* lifetime 3600, ticket of 256 */
    for (int i = 0; i < 256; i++) {
        td_buf_putc(&big, (char)i);
    }
    for (int k = 0; k < 2; k++) { /* two whole messages, headers included */
        td_buf_append(&two, (const uint8_t *)"\x04\x00\x00\x0b", 4);
        td_buf_append(&two, nst12, sizeof nst12);
    }
    tl_records(&cli, 22, 1, &ch, 16384);
    tl_records(&srv, 22, 2, &sh, 16384);
    tl_records(&srv, 22, 4, &big, 100);
    td_buf_append(&srv, (const uint8_t *)"\x16\x03\x03\x00\x1e", 5);
    td_buf_append(&srv, two.data, two.len);
    struct td_tls_conn c;
    struct td_at at = {1, {0, 0}};
    td_tls_conn_init(&c, &lim);
    td_tls_feed(&c, TD_CLIENT, cli.data, cli.len, &at);
    for (size_t off = 0; off < srv.len; off += 7) { /* segments cut anywhere */
        at.frame++;
        td_tls_feed(&c, TD_SERVER, srv.data + off, srv.len - off < 7 ? srv.len - off : 7, &at);
    }
    uint32_t lifetimes[4];
    size_t n = 0;
    for (const struct td_msg *m = c.msgs; m; m = m->next) {
        assert_int_not_equal(m->kind, TD_M_MALFORMED);
        if (m->kind == TD_M_HANDSHAKE && m->hs_type == TD_HS_NEW_SESSION_TICKET && n < 4) {
            lifetimes[n++] = m->u.nst.lifetime;
        }
    }
    assert_int_equal(n, 3);
    assert_int_equal(lifetimes[0], 3600);
    assert_int_equal(lifetimes[1], 7200);
    assert_int_equal(lifetimes[2], 7200);
    td_tls_conn_free(&c);
    td_buf_free(&ch);
    td_buf_free(&sh);
    td_buf_free(&big);
    td_buf_free(&two);
    td_buf_free(&srv);
    td_buf_free(&cli);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls13_ticket_fields),
        cmocka_unit_test(test_tls12_ticket_fields),
        cmocka_unit_test(test_ticket_cut_at_every_byte),
        cmocka_unit_test(test_ticket_malformed),
        cmocka_unit_test(test_tickets_across_and_within_records),
    };
    return tl_run_tests("tls/ticket", tests);
}
