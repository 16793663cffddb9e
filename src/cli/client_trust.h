/* tlsdiag probe --client: after a profile's hello is accepted, the chain
 * judged as that client would judge it (cert/client_trust.h), with its own
 * store (config/profile_trust.h) or the one --trust FILE (or a configured
 * truststore) names. The chain is fetched once per target and SNI variant. */
#ifndef TD_CLI_CLIENT_TRUST_H
#define TD_CLI_CLIENT_TRUST_H

#include <stdbool.h>

#include "config/profiles.h"
#include "probe/client.h"

struct cli_trust {
    struct td_certset *user; /* --trust FILE (or the configured truststore), or NULL */
    char user_name[600];     /* how the messages name it */
    struct td_certset *java; /* Java's cacerts, read on first use */
    bool java_tried;
    char target[300];            /* the chains below are this target's */
    struct td_certset *chain[2]; /* [0] without SNI, [1] with */
    bool fetched[2];
    char system_name[400]; /* the system store as OpenSSL finds it (SSL_CERT_FILE/SSL_CERT_DIR honoured) */
    bool ambiguous;        /* the last judgement: a leaf sent alone, a missing intermediate or an unknown root */
};

/* HOST of HOST[:PORT] or [V6]:PORT. */
void cli_host_of(const char *target, char *host, size_t len);
/* --trust PATH: false with err when it is unreadable or holds no certificate. */
bool cli_trust_set_user(struct cli_trust *t, const char *path, const char *name, char *err, size_t err_len);
/* oc connects: judge the chain; a refusal turns oc into that failure (cause, why, fix). */
void cli_trust_judge(struct cli_trust *t, const char *target, const char *profile, bool sni,
                     const struct td_probe_opts *po, struct td_client_outcome *oc);
/* The confidence of the last judgement when it is below certainty ("medium": two readings the bytes
 * cannot tell apart), else NULL (the JSON's null). */
const char *cli_trust_confidence(const struct cli_trust *t);
/* The truststore the chain of p is judged with, by name: --trust's (or the configured one), else p's own. */
const char *cli_trust_store_name(const struct cli_trust *t, const struct td_client_profile *p);
void cli_trust_free(struct cli_trust *t);

#endif
