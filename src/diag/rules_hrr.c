/* hrr_failed: the server sent a HelloRetryRequest for a group the client
 * offers (the group rule takes the ones it does not), and the handshake went
 * no further: no second ClientHello (a client or a middlebox that cannot
 * retry), a second ClientHello without a key share for the requested group
 * (RFC 8446 4.1.2 requires exactly that one), or a second ClientHello the
 * server (or the path) never answered. */
#include <stdio.h>

#include "diag/rules_internal.h"

#include "base/banned.h"

static bool client_gave_up(const struct td_facts *f)
{
    return f->alert[TD_CLIENT] || f->fin[TD_CLIENT] || f->rst[TD_CLIENT];
}

bool td_rule_hrr(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    char gbuf[48];
    if (!f->hrr || f->have_sh || !f->hrr_group || !has_u16(&f->ch_groups, f->hrr_group)) {
        return false;
    }
    const char *g = td_group_str(f->hrr_group, gbuf, sizeof gbuf);
    if (!f->ch2_seen && !client_gave_up(f)) {
        return false; /* still waiting, or the capture ended: nothing proven */
    }
    td_verdict_hello(v, f);
    td_verdict_evidence(v, f->hrr_frame, "HelloRetryRequest asks for a %s key share", g);
    if (f->ch2_seen) {
        td_verdict_evidence(v, f->ch2_frame, "second ClientHello %s a %s key share",
                            f->ch2_has_hrr_share ? "with" : "without", g);
    }
    td_verdict_alert(v, f, TD_SERVER);
    td_verdict_alert(v, f, TD_CLIENT);
    if (!f->ch2_seen) {
        verdict(v, TD_CAUSE_HRR_FAILED, TD_CONF_HIGH, TD_SIDE_CLIENT);
        SAY(v,
            "%s asked for a %s key share (a group the client lists), and the client gave up instead of sending a "
            "second ClientHello: a client (or a middlebox between) that cannot handle a HelloRetryRequest",
            f->server, g);
        FIX(v, "client: send a %s key share in the first ClientHello (OpenSSL -groups %s:...), or fix its retry.", g,
            g);
        v->aborted_by = TD_SIDE_CLIENT;
    } else if (!f->ch2_has_hrr_share) {
        verdict(v, TD_CAUSE_HRR_FAILED, TD_CONF_HIGH, TD_SIDE_CLIENT);
        SAY(v,
            "the client's second ClientHello has no key share for %s, the group the HelloRetryRequest asked for "
            "(RFC 8446 4.1.2 requires it), and the handshake ended there",
            g);
        FIX(v, "client: fix its HelloRetryRequest handling (update the TLS stack), or send a %s key share first.", g);
    } else if (f->cov.valid && f->cov.dir[TD_CLIENT].unacked_bytes && !f->alert[TD_SERVER]) {
        /* TCP proves it: the server's side never acknowledged the second hello */
        verdict(v, TD_CAUSE_HRR_FAILED, TD_CONF_HIGH, TD_SIDE_NETWORK);
        SAY(v,
            "the client sent the %s key share the HelloRetryRequest asked for, and %s never acknowledged that second "
            "ClientHello (the client's last %llu bytes): it was lost on the path, a middlebox that passes one hello "
            "per connection",
            g, f->server, (unsigned long long)f->cov.dir[TD_CLIENT].unacked_bytes);
        FIX(v,
            "network: find the device that drops the second ClientHello; client, until then: send a %s key share "
            "first so that no retry is needed.",
            g);
        td_verdict_candidate(v, TD_CAUSE_HELLO_TOO_LARGE);
    } else {
        verdict(v, TD_CAUSE_HRR_FAILED, TD_CONF_MEDIUM, TD_SIDE_BOTH);
        SAY(v,
            "the client sent the %s key share the HelloRetryRequest asked for, and %s never completed the handshake "
            "after it%s",
            g, f->server,
            f->alert[TD_SERVER] ? "" : " (no answer: a middlebox may drop the second, larger ClientHello)");
        FIX(v, "compare a capture on the server's side; client: send a %s key share first so that no retry is needed.",
            g);
        td_verdict_candidate(v, TD_CAUSE_HELLO_TOO_LARGE);
    }
    return true;
}
