/* What a captured connection gives the replay: its first ClientHello as sent
 * (kept by the TLS layer when td_limits.keep_client_hello asks), how its
 * server refused it, and, from the connections that completed, what the
 * server accepts (suites, groups, a name clients reach it by). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/net.h"
#include "probe/replay.h"
#include "tls/names.h"

#include "base/banned.h"

/* How the server answered, from its messages in the capture. */
static void captured_answer(struct td_replay_input *in, const struct td_tls_conn *c)
{
    in->captured.answer = TD_RA_TIMEOUT;
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        if (m->from != TD_SERVER) {
            continue;
        }
        if (m->kind == TD_M_HANDSHAKE &&
            (m->hs_type == TD_HS_SERVER_HELLO || m->hs_type == TD_HS_HELLO_RETRY_REQUEST)) {
            in->answered = true;
            in->captured.answer = TD_RA_ACCEPTED;
            return;
        }
        if (m->kind == TD_M_ALERT) {
            in->captured.answer = TD_RA_ALERT;
            in->captured.alert_desc = m->alert_desc;
            return;
        }
        if (m->kind == TD_M_TCP_FIN || m->kind == TD_M_TCP_RST) {
            in->captured.answer = TD_RA_CLOSED;
            return;
        }
        if (m->kind == TD_M_NOT_TLS || m->kind == TD_M_MALFORMED) {
            in->captured.answer = TD_RA_NOT_TLS;
            return;
        }
    }
}

bool td_replay_input_from_conn(struct td_replay_input *in, const struct td_tls_conn *c)
{
    td_memzero(in, sizeof *in);
    if (!c->client_hello_raw.p || !c->roles_known) {
        return false;
    }
    in->stream = c->stream;
    td_addr_port_str(&c->addr[TD_SERVER], c->port[TD_SERVER], in->server, sizeof in->server);
    in->hello = td_malloc(c->client_hello_raw.len);
    td_memcopy(in->hello, c->client_hello_raw.p, c->client_hello_raw.len);
    in->hello_len = c->client_hello_raw.len;
    td_strcopy(in->sni, sizeof in->sni, c->sni ? c->sni : "");
    in->preamble = c->pre.proto ? c->pre.name : NULL;
    captured_answer(in, c);
    return true;
}

void td_replay_input_free(struct td_replay_input *in)
{
    free(in->hello);
    in->hello = NULL;
}

static void add_u16(uint16_t *v, size_t *n, uint16_t x)
{
    for (size_t i = 0; i < *n; i++) {
        if (v[i] == x) {
            return;
        }
    }
    if (x && *n < TD_REPLAY_MAX_LEARNED) {
        v[(*n)++] = x;
    }
}

const struct td_replay_hints *td_replay_hints_find(const struct td_replay_hints *h, size_t num, const char *server)
{
    for (size_t i = 0; i < num; i++) {
        if (strcmp(h[i].server, server) == 0) {
            return &h[i];
        }
    }
    return NULL;
}

void td_replay_learn(struct td_replay_hints *h, size_t *num, size_t cap, const struct td_tls_conn *c)
{
    if (!c->roles_known || td_tls_outcome(c) != TD_OUTCOME_OK) {
        return;
    }
    char server[80];
    td_addr_port_str(&c->addr[TD_SERVER], c->port[TD_SERVER], server, sizeof server);
    struct td_replay_hints *s = (struct td_replay_hints *)td_replay_hints_find(h, *num, server);
    if (!s && *num == cap) {
        return;
    }
    if (!s) {
        s = &h[(*num)++];
        td_memzero(s, sizeof *s);
        td_strcopy(s->server, sizeof s->server, server);
    }
    add_u16(s->suites, &s->num_suites, c->suite);
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        if (m->from == TD_SERVER && m->kind == TD_M_HANDSHAKE && m->hs_type == TD_HS_SERVER_HELLO && m->u.sh) {
            add_u16(s->groups, &s->num_groups, m->u.sh->key_share_group);
        } else if (m->from == TD_SERVER && m->kind == TD_M_HANDSHAKE && m->hs_type == TD_HS_SERVER_KEY_EXCHANGE &&
                   m->u.ske && m->u.ske->kind == TD_SKE_ECDHE) {
            add_u16(s->groups, &s->num_groups, m->u.ske->group);
        }
    }
    if (c->sni && !s->sni[0]) {
        td_strcopy(s->sni, sizeof s->sni, c->sni);
    }
}
