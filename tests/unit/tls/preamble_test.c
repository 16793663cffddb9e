#include "testlib.h"

#include <stdio.h>
#include <string.h>

#include "tls/preamble.h"
#include "tls/tls.h"

/* One plain-text exchange per protocol: (side, bytes) steps, then TLS. */
struct step {
    enum td_role from;
    const char *data;
    size_t len; /* 0: strlen(data) */
};

struct flow {
    const char *proto;
    uint16_t port;
    struct step steps[8];
    size_t num_steps;
    bool refused;
};

#define S(f, d)                                                                                                        \
    {                                                                                                                  \
        f, d, sizeof(d) - 1                                                                                            \
    }
static const struct flow flows[] = {
    {"SMTP",
     25,
     {S(TD_SERVER, "220 mx.example ESMTP\r\n"), S(TD_CLIENT, "EHLO c.example\r\n"),
      S(TD_SERVER, "250-mx.example\r\n250 STARTTLS\r\n"), S(TD_CLIENT, "STARTTLS\r\n"),
      S(TD_SERVER, "220 2.0.0 go\r\n")},
     5,
     false},
    {"SMTP",
     25,
     {S(TD_SERVER, "220 mx.example ESMTP\r\n"), S(TD_CLIENT, "EHLO c\r\n"), S(TD_SERVER, "250 ok\r\n"),
      S(TD_CLIENT, "STARTTLS\r\n"), S(TD_SERVER, "454 4.7.0 TLS not available\r\n")},
     5,
     true},
    {"LMTP",
     24,
     {S(TD_SERVER, "220 lmtp ready LMTP\r\n"), S(TD_CLIENT, "LHLO c\r\n"), S(TD_SERVER, "250 STARTTLS\r\n"),
      S(TD_CLIENT, "STARTTLS\r\n"), S(TD_SERVER, "220 go\r\n")},
     5,
     false},
    {"FTP",
     21,
     {S(TD_SERVER, "220 FTP ready\r\n"), S(TD_CLIENT, "AUTH TLS\r\n"), S(TD_SERVER, "234 ok\r\n")},
     3,
     false},
    {"FTP", 21, {S(TD_SERVER, "220 FTP ready\r\n"), S(TD_CLIENT, "AUTH TLS\r\n"), S(TD_SERVER, "534 no\r\n")}, 3, true},
    {"IMAP",
     143,
     {S(TD_SERVER, "* OK ready\r\n"), S(TD_CLIENT, "a1 STARTTLS\r\n"), S(TD_SERVER, "a1 OK go\r\n")},
     3,
     false},
    {"IMAP",
     143,
     {S(TD_SERVER, "* OK ready\r\n"), S(TD_CLIENT, "a1 STARTTLS\r\n"), S(TD_SERVER, "a1 NO nope\r\n")},
     3,
     true},
    {"POP3", 110, {S(TD_SERVER, "+OK hi\r\n"), S(TD_CLIENT, "STLS\r\n"), S(TD_SERVER, "+OK go\r\n")}, 3, false},
    {"POP3", 110, {S(TD_SERVER, "+OK hi\r\n"), S(TD_CLIENT, "STLS\r\n"), S(TD_SERVER, "-ERR no\r\n")}, 3, true},
    {"HTTP-CONNECT",
     3128,
     {S(TD_CLIENT, "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example\r\n\r\n"),
      S(TD_SERVER, "HTTP/1.1 200 OK\r\n\r\n")},
     2,
     false},
    {"HTTP-CONNECT",
     3128,
     {S(TD_CLIENT, "CONNECT a:443 HTTP/1.1\r\n\r\n"), S(TD_SERVER, "HTTP/1.1 403 Forbidden\r\n\r\n")},
     2,
     true},
    {"PROXYv1", 443, {S(TD_CLIENT, "PROXY TCP4 192.0.2.1 192.0.2.2 5000 443\r\n")}, 1, false},
    {"PROXYv2", 443, {S(TD_CLIENT, "\r\n\r\n\0\r\nQUIT\n\x21\x11\0\x0c\1\2\3\4\5\6\7\x08\0\1\1\xbb")}, 1, false},
    {"SOCKS4",
     1080,
     {S(TD_CLIENT, "\x04\x01\x01\xbb\0\0\0\x01user\0a.example\0"), S(TD_SERVER, "\0\x5a\0\0\0\0\0\0")},
     2,
     false},
    {"SOCKS4", 1080, {S(TD_CLIENT, "\x04\x01\x01\xbb\x7f\0\0\x01\0"), S(TD_SERVER, "\0\x5b\0\0\0\0\0\0")}, 2, true},
    {"SOCKS5",
     1080,
     {S(TD_CLIENT, "\x05\x01\x00"), S(TD_SERVER, "\x05\x00"),
      S(TD_CLIENT, "\x05\x01\x00\x03\x09"
                   "a.example\x01\xbb"),
      S(TD_SERVER, "\x05\x00\x00\x01\x7f\0\0\x01\x04\x38")},
     4,
     false},
    {"SOCKS5",
     1080,
     {S(TD_CLIENT, "\x05\x01\x02"), S(TD_SERVER, "\x05\x02"), S(TD_CLIENT, "\x01\x01u\x01p"), S(TD_SERVER, "\x01\x00"),
      S(TD_CLIENT, "\x05\x01\x00\x01\x7f\0\0\x01\x01\xbb"), S(TD_SERVER, "\x05\x05\x00\x01\0\0\0\0\0\0")},
     6,
     true},
    {"PostgreSQL", 5432, {S(TD_CLIENT, "\0\0\0\x08\x04\xd2\x16\x2f"), S(TD_SERVER, "S")}, 2, false},
    {"MySQL",
     3306,
     {S(TD_SERVER, "\x0a\0\0\0\x0a"
                   "8.0\0\1\2\3\4\5"),
      S(TD_CLIENT, "\x20\0\0\x01\0\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                   "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0")},
     2,
     false},
    {"LDAP",
     389,
     {S(TD_CLIENT, "\x30\x1d\x02\x01\x01\x77\x18\x80\x16"
                   "1.3.6.1.4.1.1466.20037"),
      S(TD_SERVER, "\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00")},
     2,
     false},
    {"LDAP",
     389,
     {S(TD_CLIENT, "\x30\x1d\x02\x01\x01\x77\x18\x80\x16"
                   "1.3.6.1.4.1.1466.20037"),
      S(TD_SERVER, "\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x02\x04\x00\x04\x00")},
     2,
     true},
    {"XMPP",
     5222,
     {S(TD_CLIENT, "<?xml version='1.0'?><stream:stream to='a' xmlns='jabber:client'>"),
      S(TD_SERVER,
        "<stream:stream><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"),
      S(TD_CLIENT, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
      S(TD_SERVER, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")},
     4,
     false},
};

static void tls_bytes(struct td_buf *ch_rec, struct td_buf *sh_rec)
{
    struct td_buf ch = {0}, sh = {0};
    tl_client_hello(&ch, "a.example");
    tl_server_hello(&sh, false, 0xc02f);
    tl_records(ch_rec, 22, 1, &ch, 16384);
    tl_records(sh_rec, 22, 2, &sh, 16384);
    td_buf_free(&ch);
    td_buf_free(&sh);
}

/* The whole exchange, each side's bytes cut in pieces of `chunk`. */
static void run_flow(const struct flow *fl, size_t chunk, struct td_tls_conn *c, const struct td_limits *lim)
{
    struct td_buf ch = {0}, sh = {0};
    struct td_addr a = {4, {192, 0, 2, 1}}, b = {4, {192, 0, 2, 2}};
    struct td_at at = {1, {0, 0}};
    tls_bytes(&ch, &sh);
    td_tls_conn_init(c, lim);
    td_tls_set_roles(c, &a, 40000, &b, fl->port, true);
    for (size_t i = 0; i <= fl->num_steps + 1; i++) {
        const uint8_t *p;
        size_t n;
        enum td_role from;
        if (i < fl->num_steps) {
            p = (const uint8_t *)fl->steps[i].data;
            n = fl->steps[i].len;
            from = fl->steps[i].from;
        } else if (fl->refused) {
            break;
        } else {
            from = i == fl->num_steps ? TD_CLIENT : TD_SERVER;
            p = from == TD_CLIENT ? ch.data : sh.data;
            n = from == TD_CLIENT ? ch.len : sh.len;
        }
        for (size_t off = 0; off < n; off += chunk, at.frame++) {
            td_tls_feed(c, from, p + off, n - off < chunk ? n - off : chunk, &at);
        }
    }
    td_tls_end(c, "end");
    td_buf_free(&ch);
    td_buf_free(&sh);
}

static void ladder(const struct td_tls_conn *c, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        used += (size_t)snprintf(out + used, len - used, "%s|", td_msg_type_name(m));
        if (used >= len) {
            break;
        }
    }
}

/* Every protocol: recognised, the upgrade accepted or refused as the server
 * said, the TLS after it decoded; the same whatever the segment sizes. */
static void test_each_protocol_any_segmentation(void **state)
{
    (void)state;
    struct td_limits lim;
    td_limits_default(&lim);
    for (size_t i = 0; i < sizeof flows / sizeof flows[0]; i++) {
        const struct flow *fl = &flows[i];
        struct td_tls_conn c;
        char whole[512], cut[512];
        run_flow(fl, 1 << 20, &c, &lim);
        ladder(&c, whole, sizeof whole);
        if (!c.pre.proto || strcmp(c.pre.name, fl->proto) != 0 || c.pre.refused != fl->refused) {
            fail_msg("flow %zu (%s): got %s refused=%d: %s", i, fl->proto, c.pre.name ? c.pre.name : "none",
                     c.pre.refused, whole);
        }
        if (!fl->refused) {
            assert_true(c.tls_seen);
            if (!strstr(whole, "ClientHello|ServerHello|")) {
                fail_msg("flow %zu (%s): %s", i, fl->proto, whole);
            }
            assert_int_equal(td_tls_outcome(&c) == TD_OUTCOME_FAILED, false);
        } else {
            assert_true(td_tls_reportable(&c));
            assert_int_equal(td_tls_outcome(&c), TD_OUTCOME_FAILED);
        }
        td_tls_conn_free(&c);
        for (size_t chunk = 1; chunk <= 7; chunk++) {
            run_flow(fl, chunk, &c, &lim);
            ladder(&c, cut, sizeof cut);
            if (strcmp(whole, cut) != 0) {
                fail_msg("flow %zu (%s) in %zu-byte pieces: %s, whole: %s", i, fl->proto, chunk, cut, whole);
            }
            assert_int_equal(c.pre.refused, fl->refused);
            td_tls_conn_free(&c);
        }
    }
}

/* Each recogniser and framer on every prefix of each message: never a
 * length beyond the bytes, and a whole message only once it is all there. */
static void test_messages_cut_at_every_byte(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof flows / sizeof flows[0]; i++) {
        const struct flow *fl = &flows[i];
        struct td_preamble pr;
        const struct td_pre_proto *pp = NULL;
        struct td_cur first;
        td_cur_init(&first, (const uint8_t *)fl->steps[0].data, fl->steps[0].len);
        if (td_pre_match(fl->steps[0].from, &first, fl->port, &pp) != TD_PRE_YES) {
            fail_msg("flow %zu (%s): first message not recognised", i, fl->proto);
        }
        td_pre_start(&pr, pp);
        for (size_t s = 0; s < fl->num_steps; s++) {
            const uint8_t *p = (const uint8_t *)fl->steps[s].data;
            size_t n = fl->steps[s].len, used = 0;
            enum td_role from = fl->steps[s].from;
            while (used < n) {
                size_t whole = 0;
                for (size_t k = 0; k <= n - used; k++) {
                    struct td_cur in;
                    td_cur_init(&in, p + used, k);
                    size_t m = td_pre_frame(&pr, from, &in);
                    assert_true(m == SIZE_MAX || m <= k);
                    if (m != 0 && m != SIZE_MAX && !whole) {
                        whole = m;
                    }
                }
                if (!whole) {
                    fail_msg("flow %zu (%s) step %zu: no whole message at offset %zu", i, fl->proto, s, used);
                }
                struct td_cur msg;
                char desc[100];
                td_cur_init(&msg, p + used, whole);
                td_pre_message(&pr, from, &msg, desc, sizeof desc);
                assert_true(strlen(desc) < sizeof desc);
                used += whole;
            }
        }
        assert_int_equal(pr.refused, fl->refused);
    }
}

/* Not preambles: plain HTTP stays "not TLS", random binary gives up. */
static void test_not_a_preamble(void **state)
{
    (void)state;
    struct td_limits lim;
    td_limits_default(&lim);
    struct td_tls_conn c;
    struct td_at at = {1, {0, 0}};
    static const char get[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    td_tls_conn_init(&c, &lim);
    td_tls_feed(&c, TD_CLIENT, (const uint8_t *)get, sizeof get - 1, &at);
    assert_null(c.pre.proto);
    assert_int_equal(c.msgs->kind, TD_M_NOT_TLS);
    assert_false(td_tls_reportable(&c));
    td_tls_conn_free(&c);
    static const uint8_t junk[] = {0x00, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x01};
    td_tls_conn_init(&c, &lim);
    td_tls_feed(&c, TD_CLIENT, junk, sizeof junk, &at);
    td_tls_end(&c, "end");
    assert_null(c.pre.proto);
    assert_int_equal(c.msgs->kind, TD_M_NOT_TLS);
    td_tls_conn_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_protocol_any_segmentation),
        cmocka_unit_test(test_messages_cut_at_every_byte),
        cmocka_unit_test(test_not_a_preamble),
    };
    return tl_run_tests("tls/preamble", tests);
}
