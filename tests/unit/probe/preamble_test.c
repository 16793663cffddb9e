/* The STARTTLS state machines (src/probe/preamble.c) against a server that
 * is a socketpair: each protocol's good transcript goes through; every
 * truncation of it (the server closing after k bytes) and random bytes are a
 * finding with a cause, never a crash or a hang (ASan and the timeout watch). */
#include "testlib.h"

#include <openssl/rand.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/internal.h"

/* What each server says, whole, up to the point where TLS starts. */
static const struct {
    enum td_probe_starttls proto;
    const char *hex; /* for the binary protocols, else NULL */
    const char *text;
} transcripts[] = {
    {TD_STARTTLS_SMTP, NULL, "220 mx.test ESMTP\r\n250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n220 2.0.0 go\r\n"},
    {TD_STARTTLS_FTP, NULL, "220-welcome\r\n220 ready\r\n234 AUTH TLS ok\r\n"},
    {TD_STARTTLS_IMAP, NULL, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n* NOTE x\r\ntd1 OK go\r\n"},
    {TD_STARTTLS_POP3, NULL, "+OK hi\r\n+OK go\r\n"},
    {TD_STARTTLS_POSTGRES, NULL, "S"},
    {TD_STARTTLS_LDAP, "300c02010178070a010004000400", NULL},
    /* HandshakeV10: protocol 10, "8.0", thread id, scramble, filler, capabilities 0xffff */
    {TD_STARTTLS_MYSQL,
     "150000000a382e3000070000006162636465666768"
     "00ffff21",
     NULL},
    {TD_STARTTLS_XMPP, NULL,
     "<?xml version='1.0'?><stream:stream xmlns='jabber:client' version='1.0'><stream:features>"
     "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"
     "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"},
};
#define NUM_TRANSCRIPTS (sizeof transcripts / sizeof transcripts[0])

static size_t transcript(size_t i, uint8_t *out, size_t cap)
{
    if (transcripts[i].text) {
        size_t n = strlen(transcripts[i].text);
        assert_true(n <= cap);
        memcpy(out, transcripts[i].text, n);
        return n;
    }
    const char *h = transcripts[i].hex;
    size_t n = strlen(h) / 2;
    assert_true(n <= cap);
    for (size_t k = 0; k < n; k++) {
        unsigned v;
        assert_int_equal(sscanf(h + 2 * k, "%2x", &v), 1);
        out[k] = (uint8_t)v;
    }
    return n;
}

/* Runs PROTO's state machine against a server that sends data then closes. */
static bool talk(enum td_probe_starttls proto, const uint8_t *data, size_t len, enum td_cause *cause)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    if (len) {
        assert_int_equal(write(sv[1], data, len), (ssize_t)len);
    }
    shutdown(sv[1], SHUT_WR);
    struct td_probe_opts o = {.timeout_ms = 2000};
    struct td_probe_result r;
    memset(&r, 0, sizeof r);
    snprintf(r.host, sizeof r.host, "server.test");
    struct td_probe_ctx p;
    memset(&p, 0, sizeof p);
    p.o = &o;
    p.r = &r;
    p.starttls = proto;
    int64_t t0 = td_probe_now_ms();
    bool ok = td_probe_starttls(&p, sv[0]);
    assert_true(td_probe_now_ms() - t0 < 1500); /* a close is seen at once, never waited out */
    *cause = p.dial_cause;
    if (!ok) {
        assert_int_not_equal(p.dial_cause, TD_CAUSE_NONE);
        assert_true(p.dial_error[0] != '\0');
    }
    close(sv[0]);
    close(sv[1]);
    return ok;
}

static void test_good(void **state)
{
    (void)state;
    for (size_t i = 0; i < NUM_TRANSCRIPTS; i++) {
        uint8_t buf[1024];
        size_t n = transcript(i, buf, sizeof buf);
        enum td_cause c;
        if (!talk(transcripts[i].proto, buf, n, &c)) {
            fail_msg("%s: the whole transcript did not go through (cause %d)",
                     td_probe_starttls_name(transcripts[i].proto), c);
        }
    }
}

static void test_every_truncation(void **state)
{
    (void)state;
    for (size_t i = 0; i < NUM_TRANSCRIPTS; i++) {
        uint8_t buf[1024];
        size_t n = transcript(i, buf, sizeof buf);
        for (size_t k = 0; k < n; k++) {
            enum td_cause c;
            if (talk(transcripts[i].proto, buf, k, &c)) {
                fail_msg("%s cut at %zu of %zu bytes went through", td_probe_starttls_name(transcripts[i].proto), k, n);
            }
        }
    }
}

static void test_noise(void **state)
{
    (void)state;
    for (size_t i = 0; i < NUM_TRANSCRIPTS; i++) {
        for (int round = 0; round < 50; round++) {
            uint8_t buf[600];
            RAND_bytes(buf, sizeof buf);
            enum td_cause c;
            (void)talk(transcripts[i].proto, buf, (size_t)(round * 12), &c); /* any verdict, no crash */
        }
    }
}

/* A refusal is upgrade_refused, not another cause. */
static void test_refusals(void **state)
{
    (void)state;
    static const struct {
        enum td_probe_starttls proto;
        const char *text;
    } refusals[] = {
        {TD_STARTTLS_SMTP, "220 mx\r\n250-mx\r\n250 STARTTLS\r\n454 4.7.0 TLS not available\r\n"},
        {TD_STARTTLS_SMTP, "220 mx\r\n250-mx\r\n250 8BITMIME\r\n"},
        {TD_STARTTLS_IMAP, "* OK hi\r\ntd1 NO no\r\n"},
        {TD_STARTTLS_POP3, "+OK hi\r\n-ERR no\r\n"},
        {TD_STARTTLS_FTP, "220 hi\r\n502 no\r\n"},
        {TD_STARTTLS_POSTGRES, "N"},
    };
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        enum td_cause c;
        assert_false(talk(refusals[i].proto, (const uint8_t *)refusals[i].text, strlen(refusals[i].text), &c));
        assert_int_equal(c, TD_CAUSE_UPGRADE_REFUSED);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_refusals),
    };
    return tl_run_tests("probe/preamble", tests);
}
