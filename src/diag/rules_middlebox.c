/* What a box on the path does to TLS. hello_too_large: a ClientHello of several TCP segments that the path or
 * the server never took whole. A post-quantum hybrid key share
 * (X25519MLKEM768, 0x11EC: 1,216 bytes; X25519Kyber768Draft00, 0x6399) or
 * many extensions push it past one segment, and a middlebox that expects the
 * hello in one packet drops, resets or stalls on the rest. Seen from TCP:
 * the peer's acknowledgements stop short of the hello's last byte, then
 * silence or a reset. Runs before the silence rule, which would only say
 * that nothing answered. */
#include <stdio.h>

#include "diag/rules_internal.h"

#include "base/banned.h"

/* Beyond one Ethernet segment (1,460 bytes of TCP payload) with room for
 * smaller MTUs (tunnels, PPPoE): a hello under this fits one packet. */
#define ONE_SEGMENT 1200

/* What the capture shows of the ending: the server's reset, or silence. */
static const char *ending(const struct td_facts *f)
{
    if (f->rst[TD_SERVER] && server_closed_first(f)) {
        return "then the connection was reset from the server's side (the server, or a middlebox in its name)";
    }
    if (server_closed_first(f)) {
        return "then the server's side closed without a word of TLS";
    }
    return "then nothing came back";
}

/* Someone gave up (a connection still open when the capture ended may yet
 * be answered); the server's side never closes in order here, since the
 * bytes before its peer's FIN never arrived. */
static bool ended(const struct td_facts *f)
{
    return f->fin[TD_CLIENT] || f->rst[TD_CLIENT] || f->fin[TD_SERVER] || f->rst[TD_SERVER];
}

bool td_rule_hello_too_large(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    const struct td_dir_coverage *c = &f->cov.dir[TD_CLIENT];
    if (!f->have_ch || f->server_msgs > 0 || f->have_sh || !f->cov.valid || !c->acked || c->unacked_bytes == 0 ||
        dir_lossy(f, TD_CLIENT) || dir_absent(f, TD_SERVER) || !ended(f)) {
        return false;
    }
    uint64_t unacked = c->unacked_bytes;
    bool partial = unacked < f->ch_len; /* the first segment(s) acknowledged, the rest never */
    if (!partial && f->ch_len <= ONE_SEGMENT) {
        return false; /* a small hello never acknowledged at all: the silence rule's */
    }
    char gbuf[48];
    const char *g = f->ch_pq_share ? td_group_str(f->ch_pq_share, gbuf, sizeof gbuf) : "";
    verdict(v, TD_CAUSE_HELLO_TOO_LARGE, partial ? TD_CONF_HIGH : TD_CONF_MEDIUM, TD_SIDE_NETWORK);
    td_verdict_hello(v, f);
    td_verdict_evidence(v, f->ch_frame, "ClientHello of %u bytes%s%s", f->ch_len,
                        f->ch_pq_share ? ", with a post-quantum key share " : "", g);
    if (f->rst[TD_SERVER]) {
        td_verdict_evidence(v, f->rst_frame[TD_SERVER], "TCP RST from the server's side");
        td_verdict_rst_origin(v, f);
    }
    char why[120] = "";
    if (f->ch_pq_share) {
        snprintf(why, sizeof why, " (its post-quantum key share %s alone is over 1,000 bytes)", g);
    }
    if (partial) {
        SAY(v,
            "the ClientHello is %u bytes%s, more than one TCP segment; %s acknowledged its first %llu bytes and never "
            "the last %llu, %s: a middlebox (or the server) that does not reassemble a hello of several segments",
            f->ch_len, why, f->server, (unsigned long long)(f->ch_len - unacked), (unsigned long long)unacked,
            ending(f));
    } else {
        SAY(v,
            "the ClientHello is %u bytes%s, more than one TCP segment, and %s acknowledged none of it, %s: a path "
            "that drops large packets (an MTU black hole) or a middlebox that drops such hellos",
            f->ch_len, why, f->server, ending(f));
        td_verdict_candidate(v, TD_CAUSE_NO_RESPONSE);
    }
    FIX(v,
        "network: find the device between that drops the second segment (compare a capture on the server side; "
        "TTL and IP ID of a reset that differ from the server's name a middlebox) and upgrade it; client, until "
        "then: %s.",
        f->ch_pq_share ? "offer classic key shares only (OpenSSL -groups X25519:P-256, Go GODEBUG=tlsmlkem=0)"
                       : "send a smaller ClientHello (fewer extensions, suites, ALPN names)");
    return true;
}

/* The server's certificate was issued by a TLS-inspection proxy's CA (the
 * proxy ended TLS and re-signed it) and the client refused it: the client
 * does not trust the proxy's root. A client that trusts it succeeds, and
 * needs no verdict. */
bool td_rule_inspection_ca(const struct td_facts *f, const struct td_server_view *sv, struct td_verdict *v)
{
    (void)sv;
    const char *vendor = f->have_cert ? td_inspection_vendor(f->chain.leaf.issuer) : NULL;
    bool refused = f->alert[TD_CLIENT] && f->alert_level[TD_CLIENT] == TD_ALERT_LEVEL_FATAL &&
                   (f->alert_desc[TD_CLIENT] == TD_ALERT_UNKNOWN_CA ||
                    f->alert_desc[TD_CLIENT] == TD_ALERT_BAD_CERTIFICATE ||
                    f->alert_desc[TD_CLIENT] == TD_ALERT_CERTIFICATE_UNKNOWN);
    if (!vendor || !refused || (f->chain.trust_checked && f->chain.trusted)) {
        return false;
    }
    verdict(v, TD_CAUSE_TLS_INSPECTION_CA, TD_CONF_HIGH, TD_SIDE_CLIENT);
    td_verdict_evidence(v, f->cert_frame, "Certificate: %s issued by %s", f->chain.leaf.subject, f->chain.leaf.issuer);
    td_verdict_alert(v, f, TD_CLIENT);
    cert_named(v, &f->chain.leaf);
    SAY(v,
        "the certificate for %s was issued by %s, a TLS-inspection proxy's CA (%s): the proxy between ends TLS and "
        "re-signs, and this client does not trust the proxy's root",
        f->sni ? f->sni_name : f->server, f->chain.leaf.issuer, vendor);
    FIX(v,
        "client: add the %s root CA to its truststore (Java cacerts, the image's CA bundle, NODE_EXTRA_CA_CERTS, "
        "REQUESTS_CA_BUNDLE); or proxy: bypass inspection for %s.",
        vendor, f->sni ? f->sni_name : f->server);
    td_verdict_candidate(v, TD_CAUSE_UNKNOWN_CA);
    v->aborted_by = TD_SIDE_CLIENT;
    return true;
}
