/* A handshake trace in a log: openssl s_client -msg (s_server -msg: the side that sent the ClientHello is the
 * client, so the trace tells whose it is) prints every
 * message it sends (">>>") and receives ("<<<") with its bytes in hex, e.g.
 *     >>> TLS 1.2, Handshake [length 0083], ClientHello
 *         01 00 00 7f 03 03 cf 2d ...
 * The messages are rebuilt into records and fed to the TLS layer (its public
 * API, as a capture would be), and the pcap rules judge the connection: the
 * same facts and the same verdict as from a capture, with log line numbers as
 * frame numbers. TLS 1.3 records are encrypted after the ServerHello (-msg
 * prints them decrypted, not as sent): the trace stops there, as a capture
 * without keys would. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "log/internal.h"
#include "log/trace_internal.h"
#include "tls/tls.h"

#include "base/banned.h"

#define TRACE_MSG_MAX 65536 /* bytes of one message kept (a longer one is not fed) */

struct td_log_trace {
    struct td_limits lim;
    struct td_tls_conn conn;
    bool active;       /* conn initialised */
    bool stopped;      /* an encrypted record: what follows is not what was sent */
    bool fed_hello;    /* a ClientHello was fed */
    bool server_hello; /* ... and a ServerHello */
    bool raw;          /* raw records fed (Java's Raw write/read): rebuilt messages are not */
    bool ccs[2];       /* a side's ChangeCipherSpec: what it sends next is encrypted */
    bool from_server;  /* something the server sent was fed */
    bool hrr;          /* a HelloRetryRequest was fed: the next ClientHello is of the same connection */
    int local;         /* enum td_role of the program (who sent the ClientHello), -1 not known */
    int alert_from;    /* the last verdict's connection: the first fatal alert's sender, -1 none */
    uint8_t alert_desc;
    struct td_log_jtrace *java;
    struct td_log_otrace *otrace;
    int dir;          /* the block being read: -1 none, else enum td_role */
    uint8_t type;     /* its record content type; 0: a record header */
    uint16_t version; /* record version */
    size_t want, len; /* bytes announced, read */
    uint64_t line;    /* the block's first line */
    uint8_t buf[TRACE_MSG_MAX];
};

struct td_log_trace *td_log_trace_new(void)
{
    struct td_log_trace *t = td_calloc(1, sizeof(struct td_log_trace));
    t->dir = -1;
    t->local = t->alert_from = -1;
    t->java = td_log_jtrace_new();
    t->otrace = td_log_otrace_new();
    return t;
}

/* Forgets the connection traced so far (the block being read stays). */
static void conn_reset(struct td_log_trace *t)
{
    if (t->active) {
        td_tls_conn_free(&t->conn);
    }
    t->active = t->stopped = t->fed_hello = t->server_hello = t->raw = t->ccs[0] = t->ccs[1] = false;
    t->from_server = t->hrr = false;
}

static void trace_close(struct td_log_trace *t)
{
    conn_reset(t);
    t->dir = -1;
}

void td_log_trace_free(struct td_log_trace *t)
{
    if (t) {
        trace_close(t);
        td_log_jtrace_free(t->java);
        td_log_otrace_free(t->otrace);
        free(t);
    }
}

static void conn_start(struct td_log_trace *t)
{
    if (!t->active) {
        td_limits_default(&t->lim);
        td_tls_conn_init(&t->conn, &t->lim);
        struct td_addr c = {.family = 4, .a = {192, 0, 2, 1}}, s = {.family = 4, .a = {192, 0, 2, 2}};
        td_tls_set_roles(&t->conn, &c, 40000, &s, 443, true);
        t->active = true;
    }
}

static void feed(struct td_log_trace *t)
{
    if (t->dir != TD_CLIENT && t->dir != TD_SERVER) {
        return;
    }
    conn_start(t);
    t->from_server |= t->dir == TD_SERVER;
    uint8_t hdr[5] = {t->type, (uint8_t)(t->version >> 8), (uint8_t)t->version, (uint8_t)(t->len >> 8),
                      (uint8_t)t->len};
    struct td_at at = {.frame = t->line};
    td_tls_feed(&t->conn, (enum td_role)t->dir, hdr, sizeof hdr, &at);
    td_tls_feed(&t->conn, (enum td_role)t->dir, t->buf, t->len, &at);
}

static void block_end(struct td_log_trace *t);

/* The message in buf: a ClientHello starts a connection (a second one
 * forgets the first: the trace is of the last). */
static void put_message(struct td_log_trace *t)
{
    if (t->type == 22 && t->buf[0] == 1 && t->dir == TD_CLIENT) {
        if (t->fed_hello && !t->hrr) {
            conn_reset(t);
        }
        t->fed_hello = true;
        t->hrr = false;
    }
    bool sh = t->type == 22 && t->buf[0] == 2;
    t->hrr |= sh && t->len >= 38 && td_mem_eq(t->buf + 6, td_log_hrr_random, 32);
    t->server_hello |= sh && !t->hrr;
    if (t->fed_hello) {
        feed(t);
    }
}

void td_log_trace_message(struct td_log_trace *t, int dir, uint8_t type, const uint8_t *body, size_t len, uint64_t line,
                          bool then_encrypted)
{
    block_end(t);
    if ((dir != TD_CLIENT && dir != TD_SERVER) || len == 0 || len > 0xffff || t->raw) {
        return;
    }
    if (type == 22 && body[0] == 1 && dir == TD_CLIENT) {
        t->stopped = t->ccs[0] = t->ccs[1] = false; /* a new connection */
    }
    if (t->stopped || t->ccs[dir]) {
        return; /* a capture would hold encrypted records here */
    }
    t->dir = dir;
    t->type = type;
    t->version = 0x0303;
    t->line = line;
    td_memcopy(t->buf, body, len);
    t->len = t->want = len;
    put_message(t);
    t->dir = -1;
    t->stopped |= then_encrypted;
    if (type == 20) {
        t->ccs[dir] = true;
    }
}

void td_log_trace_alert(struct td_log_trace *t, int dir, uint8_t level, uint8_t desc, uint64_t line)
{
    uint8_t a[2] = {level, desc};
    td_log_trace_message(t, dir, 21, a, 2, line, false);
}

void td_log_trace_ccs(struct td_log_trace *t, int dir, uint64_t line)
{
    uint8_t c = 1;
    td_log_trace_message(t, dir, 20, &c, 1, line, false);
}

void td_log_trace_raw(struct td_log_trace *t, int dir, const uint8_t *p, size_t n, uint64_t line)
{
    block_end(t);
    if ((dir != TD_CLIENT && dir != TD_SERVER) || n == 0) {
        return;
    }
    /* a ClientHello record: a new connection (the rebuilt one forgotten) */
    bool hello = dir == TD_CLIENT && n >= 6 && p[0] == 22 && p[5] == 1;
    if (!t->raw || (hello && t->fed_hello)) {
        conn_reset(t);
        t->raw = true;
    }
    t->fed_hello |= hello;
    if (!t->fed_hello) {
        return;
    }
    conn_start(t);
    t->from_server |= dir == TD_SERVER;
    struct td_at at = {.frame = line};
    td_tls_feed(&t->conn, (enum td_role)dir, p, n, &at);
}

/* The block just read is complete: a record header (tells whether records
 * are encrypted from now on) or a message to feed. */
static void block_end(struct td_log_trace *t)
{
    if (t->dir < 0) {
        return;
    }
    if (t->type == 0) {
        t->stopped |= t->len >= 1 && t->buf[0] == 23 && t->server_hello;
    } else if (!t->stopped && t->len == t->want && t->len > 0 && t->len <= 0xffff) {
        put_message(t);
    }
    t->dir = -1;
}

/* ">>> TLS 1.2, Handshake [length 0083], ClientHello": direction, version,
 * content type, length. s is NUL-terminated. */
static bool header(struct td_log_trace *t, const char *s, bool local_is_server, uint64_t lineno)
{
    bool out = strncmp(s, ">>> ", 4) == 0;
    if (!out && strncmp(s, "<<< ", 4) != 0) {
        return false;
    }
    static const struct {
        const char *label;
        uint8_t type;
    } labels[] = {{", RecordHeader [length ", 0},
                  {", Handshake [length ", 22},
                  {", Alert [length ", 21},
                  {", ChangeCipherSpec [length ", 20}};
    const char *len_at = NULL;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0] && !len_at; i++) {
        const char *p = strstr(s, labels[i].label);
        if (p) {
            len_at = p + strlen(labels[i].label);
            t->type = labels[i].type;
        }
    }
    if (!len_at) {
        t->dir = -1; /* another block (inner content type, ...): its bytes are not fed */
        return true;
    }
    char *end;
    unsigned long want = strtoul(len_at, &end, 16);
    if (end == len_at || *end != ']') {
        t->dir = -1;
        return true;
    }
    t->version = strncmp(s + 4, "TLS 1.0", 7) == 0   ? 0x0301
                 : strncmp(s + 4, "TLS 1.1", 7) == 0 ? 0x0302
                 : strncmp(s + 4, "SSL 3.0", 7) == 0 ? 0x0300
                                                     : 0x0303;
    t->want = want;
    t->len = 0;
    t->line = lineno;
    /* s_client's ">>>" is the client's; s_server's the server's: the side
     * that sent the ClientHello is the client */
    if (t->type == 22 && strstr(len_at, "], ClientHello")) {
        td_log_trace_set_local(t, out ? TD_CLIENT : TD_SERVER);
    }
    bool server = t->local >= 0 ? t->local == TD_SERVER : local_is_server;
    t->dir = out != server ? TD_CLIENT : TD_SERVER;
    return true;
}

/* "    01 00 00 7f 03 03": appends the bytes; false when the line is not hex. */
static bool hex_line(struct td_log_trace *t, const uint8_t *p, size_t n)
{
    size_t i = 0, got = 0;
    while (i < n && p[i] == ' ') {
        i++;
    }
    if (i < 4) {
        return false;
    }
    while (i < n) {
        if (i + 1 >= n || !isxdigit(p[i]) || !isxdigit(p[i + 1]) || (i + 2 < n && p[i + 2] != ' ')) {
            return false;
        }
        char h[3] = {(char)p[i], (char)p[i + 1], 0};
        if (t->dir >= 0 && t->len < sizeof t->buf) {
            t->buf[t->len++] = (uint8_t)strtoul(h, NULL, 16);
        }
        got++;
        i += 3;
    }
    return got > 0;
}

bool td_log_trace_line(struct td_log_trace *t, const uint8_t *line, size_t len, uint64_t lineno, bool local_is_server,
                       bool *in_text)
{
    bool java = td_log_jtrace_line(t->java, t, (const char *)line, len, lineno);
    *in_text = td_log_otrace_line(t->otrace, t, (const char *)line, len, lineno) || java;
    if (len >= 4 && (line[0] == '>' || line[0] == '<')) {
        char s[160];
        size_t n = len < sizeof s - 1 ? len : sizeof s - 1;
        td_memcopy(s, line, n);
        s[n] = '\0';
        block_end(t);
        return header(t, s, local_is_server, lineno);
    }
    if (t->dir >= 0 && hex_line(t, line, len)) {
        if (t->len >= t->want) {
            block_end(t);
        }
        return true;
    }
    block_end(t);
    return false;
}

void td_log_trace_set_local(struct td_log_trace *t, int role) { t->local = role; }

void td_log_trace_sides(const struct td_log_trace *t, struct td_log_trace_sides *out)
{
    out->local = t->local;
    out->alert_from = t->alert_from;
    out->alert_desc = t->alert_desc;
}

/* The first fatal alert of the connection judged (the earlier of the sides'). */
static void sides_of(struct td_log_trace *t, const struct td_facts *f)
{
    t->alert_from = -1;
    for (int r = TD_CLIENT; r <= TD_SERVER; r++) {
        bool fatal = f->alert[r] && f->alert_level[r] == 2 && !f->alert_encrypted[r];
        if (fatal && (t->alert_from < 0 || f->alert_frame[r] < f->alert_frame[t->alert_from])) {
            t->alert_from = r;
            t->alert_desc = f->alert_desc[r];
        }
    }
}

bool td_log_trace_verdict(struct td_log_trace *t, struct td_verdict *v)
{
    block_end(t);
    t->alert_from = -1;
    bool judged = false;
    if (t->active && t->fed_hello) {
        td_tls_end(&t->conn, "end of the trace");
        struct td_facts *f = td_calloc(1, sizeof *f);
        struct td_diag_opts o = {0};
        td_facts_from_conn(f, &t->conn, &o, true);
        td_facts_settle(f);
        td_diagnose(f, NULL, v);
        sides_of(t, f);
        /* a trace prints the messages a program read, not every byte it got
         * (an HTTP answer, a reset): what the server did not send is no proof */
        judged = v->cause != TD_CAUSE_NONE && t->from_server && v->cause != TD_CAUSE_NO_RESPONSE &&
                 v->cause != TD_CAUSE_TCP_RESET;
        td_facts_free(f);
        free(f);
    }
    trace_close(t);
    return judged;
}
