/* A plain-text preamble before TLS (STARTTLS, CONNECT, PROXY, ...): framed
 * into messages by the protocols of tls/preamble.c, one ladder step per turn
 * of speech, until TLS starts at a message boundary or the text is given up. */
#include <stdint.h>
#include <stdio.h>

#include "base/mem.h"
#include "tls/internal.h"
#include "tls/preamble.h"

#include "base/banned.h"

/* One turn of speech of a side is one ladder step: "SMTP 220 ... STARTTLS". */
static void pre_step(struct td_tls_conn *c, enum td_role from, const char *desc, size_t bytes, uint64_t offset,
                     const struct td_at *at)
{
    struct td_msg *m = c->pre_turn;
    if (!m || m->from != from) {
        if (c->pre_turns >= 16) {
            return; /* a long plain-text session: the first turns tell the story */
        }
        m = td_conn_add_msg(c, TD_M_PREAMBLE, from, at);
        c->pre_turn = m;
        if (!m) {
            return;
        }
        c->pre_turns++;
        m->offset = offset;
        td_strcopy(c->pre_turn_first, sizeof c->pre_turn_first, desc);
        td_conn_set_text(m, "%s", desc);
    } else if (m->count == 1) {
        td_conn_set_text(m, "%s ... %s", c->pre_turn_first, desc);
    } else {
        td_conn_set_text(m, "%s ... (%u more) ... %s", c->pre_turn_first, m->count - 1, desc);
    }
    m->count++;
    m->label = c->pre.name;
    m->length += (uint32_t)bytes;
    m->frame = at->frame;
    m->ts = at->ts;
}

/* Not a preamble after all (or one we lost): what is buffered is plain text. */
void td_conn_pre_give_up(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    struct td_buf rest = d->pre;
    td_memzero(&d->pre, sizeof d->pre);
    d->mode = TD_DIR_OTHER;
    if (rest.len > 0) {
        td_conn_feed_other(c, from, rest.data, rest.len, at);
    }
    td_buf_free(&rest);
}

/* Could these first bytes still begin a TLS record or an SSLv2 hello? */
bool td_conn_maybe_tls_start(const uint8_t *p, size_t n)
{
    return n > 0 && ((p[0] >= TD_CT_CHANGE_CIPHER_SPEC && p[0] <= TD_CT_HEARTBEAT) || (p[0] & 0x80));
}

void td_conn_feed_preamble(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    td_buf_append(&d->pre, p, n);
    size_t used = 0;
    for (;;) {
        struct td_cur rest;
        td_cur_init(&rest, d->pre.data + used, d->pre.len - used);
        size_t left = td_cur_len(&rest);
        if (left == 0) {
            break;
        }
        /* TLS starts at a message boundary, or not at all. */
        bool need_more = false;
        enum td_dir_mode mode = td_conn_detect(td_cur_data(&rest), left, &need_more);
        if (need_more && td_conn_maybe_tls_start(td_cur_data(&rest), left)) {
            break;
        }
        if (!need_more && (mode == TD_DIR_TLS || mode == TD_DIR_SSL2) && (c->pre.proto || used > 0)) {
            struct td_buf tls = {0};
            td_buf_append_slow(&tls, td_cur_data(&rest), left);
            d->offset += used;
            td_buf_free(&d->pre);
            d->mode = TD_DIR_DETECT;
            d->det_len = 0;
            c->pre_turn = NULL;
            td_conn_feed_dir(c, from, tls.data, tls.len, at);
            td_buf_free(&tls);
            return;
        }
        if (!c->pre.proto) {
            const struct td_pre_proto *pp = NULL;
            enum td_pre_match r = td_pre_match(from, &rest, c->port[TD_SERVER], &pp);
            if (r == TD_PRE_MORE && left < 512) {
                break;
            }
            if (r != TD_PRE_YES) {
                td_conn_pre_give_up(c, from, at);
                return;
            }
            td_pre_start(&c->pre, pp);
        }
        size_t mlen = td_pre_frame(&c->pre, from, &rest);
        if (mlen == 0) {
            break;
        }
        if (mlen == SIZE_MAX || mlen > left) {
            td_buf_consume(&d->pre, used);
            d->offset += used;
            td_conn_pre_give_up(c, from, at);
            return;
        }
        struct td_cur msg;
        char desc[100];
        bool was_refused = c->pre.refused;
        td_cur_get_bytes(&rest, &msg, mlen);
        td_pre_message(&c->pre, from, &msg, desc, sizeof desc);
        if (!desc[0]) {
            snprintf(desc, sizeof desc, "(empty line)");
        }
        pre_step(c, from, desc, mlen, d->offset + used, at);
        if (c->pre.refused && !was_refused) {
            c->pre_refused_frame = at->frame;
            td_conn_fail(c, c->pre.proxy ? "the proxy refused the tunnel" : "the server refused the TLS upgrade");
        }
        used += mlen;
    }
    td_buf_consume(&d->pre, used);
    d->offset += used;
    d->pre_total += n;
    if (d->pre.len > TD_PRE_MSG_MAX || d->pre_total > TD_PRE_TOTAL_MAX) {
        td_conn_pre_give_up(c, from, at);
    }
}

/* The side stops (FIN, RST, end of capture): bytes still waiting for a
 * recogniser are plain text. */
void td_conn_pre_flush(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (d->mode == TD_DIR_DETECT && d->det_len > 0 && c->pre.proto) {
        /* a short last answer (PostgreSQL's one-byte 'N') waits in det: it is the preamble's */
        uint8_t first[sizeof d->det];
        size_t first_len = d->det_len;
        td_memcopy(first, d->det, first_len);
        d->mode = TD_DIR_PREAMBLE;
        td_conn_feed_preamble(c, from, first, first_len, at);
    }
    if (d->mode == TD_DIR_PREAMBLE && !c->pre.proto && d->pre.len > 0) {
        td_conn_pre_give_up(c, from, at);
    }
}
