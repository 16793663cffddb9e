/* Hand-built facts shared by the rule tests: a TLS 1.2-1.3 ClientHello at
 * frame 4 to 10.0.0.2:443, and the fatal alerts that answer it (the server's
 * at frame 6, the client's at frame 9). Tests change fields after these. */
#ifndef TD_TEST_FACTS_FIXTURE_H
#define TD_TEST_FACTS_FIXTURE_H

#include <string.h>

#include "diag/diag.h"

static uint16_t fx_groups[] = {29, 23}; /* x25519, secp256r1 */

static inline void fx_hello(struct td_facts *f, uint16_t *suites, size_t num_suites, const char *sni)
{
    memset(f, 0, sizeof *f);
    f->tls = true;
    f->outcome = TD_OUTCOME_FAILED;
    f->have_ch = true;
    f->ch_frame = 4;
    f->ch_min = 0x0303;
    f->ch_max = 0x0304;
    f->ch_supported_versions = true;
    f->ch_suites.v = suites;
    f->ch_suites.n = num_suites;
    f->ch_groups.v = fx_groups;
    f->ch_groups.n = 2;
    f->sni = true;
    strcpy(f->sni_name, sni); /* test code: banned.h is not included */
    strcpy(f->server, "10.0.0.2:443");
    f->server_port = 443;
}

static inline void fx_server_alert(struct td_facts *f, uint8_t desc, uint16_t rec_version)
{
    f->alert[1] = true;
    f->alert_level[1] = 2;
    f->alert_desc[1] = desc;
    f->alert_version[1] = rec_version;
    f->alert_frame[1] = 6;
    f->server_msgs = 1;
}

static inline void fx_client_alert(struct td_facts *f, uint8_t desc)
{
    f->alert[0] = true;
    f->alert_level[0] = 2;
    f->alert_desc[0] = desc;
    f->alert_version[0] = 0x0303;
    f->alert_frame[0] = 9;
}

/* One of the verdict's evidence lines contains what. */
static inline bool fx_evidence_has(const struct td_verdict *v, const char *what)
{
    for (size_t i = 0; i < v->num_evidence; i++) {
        if (strstr(v->evidence[i].what, what)) {
            return true;
        }
    }
    return false;
}

#endif
