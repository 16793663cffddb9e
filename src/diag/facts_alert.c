/* What an alert answered: the peer's last message before a side's first
 * fatal alert (bad_record_mac after a Finished is not bad_record_mac after
 * an hour of application data), whether the session was resumed, and
 * whether the ClientHello offered a pre-shared key: what the integrity rules
 * (rules_integrity.c) tell key mismatches from corruption by. */
#include <stdio.h>

#include "base/mem.h"
#include "diag/diag.h"
#include "tls/names.h"
#include "tls/tls.h"

#include "base/banned.h"

void td_facts_alert_context(struct td_facts *f, const struct td_msg *m, enum td_role side)
{
    enum td_role peer = side == TD_CLIENT ? TD_SERVER : TD_CLIENT;
    if (m->kind == TD_M_HANDSHAKE && m->hs_type == TD_HS_CLIENT_HELLO && m->u.ch && f->ch_frame == m->frame) {
        f->ch_psk = m->u.ch->psk_identities > 0;
    }
    if (m->kind == TD_M_CCS && side == TD_SERVER && f->have_sh && f->version < TD_VERSION_TLS1_3 &&
        !f->client_later_frame) {
        f->resumed = true; /* RFC 5246 7.3: ServerHello, ChangeCipherSpec, Finished */
    }
    if (m->kind == TD_M_ALERT && f->alert[side] && f->alert_frame[side] == m->frame &&
        f->alert_desc[side] == m->alert_desc && !f->before_alert_frame[side]) {
        td_memcopy(f->before_alert[side], f->last_msg[peer],
                   sizeof f->before_alert[side]); /* both NUL-terminated, same size */
        f->before_alert_frame[side] = f->last_msg_frame[peer];
        f->appdata_before_alert[side] = f->appdata[peer];
    }
    if (m->kind != TD_M_TCP_FIN && m->kind != TD_M_TCP_RST && m->kind != TD_M_GAP) {
        td_strcopy(f->last_msg[side], sizeof f->last_msg[side], td_msg_type_name(m));
        f->last_msg_frame[side] = m->frame;
    }
}
