/* Each client profile's trust: where its roots come from (its source), the
 * well-known roots a client of that line lacks although this machine's store
 * holds them, and its certificate rules (config/profile_trust.c, sources
 * cited there). cert/client_trust.h judges a chain with them. */
#ifndef TD_CONFIG_PROFILE_TRUST_H
#define TD_CONFIG_PROFILE_TRUST_H

#include "cert/client_trust.h"

enum td_trust_source {
    TD_TRUST_SYSTEM,          /* OpenSSL's default store of this machine (curl, Python, openssl-*, go-*) */
    TD_TRUST_JAVA,            /* the JKS cacerts (Debian's ca-certificates-java) */
    TD_TRUST_BUNDLED_MOZILLA, /* Node, Firefox: their own copy of Mozilla's roots; this machine's store stands in */
    TD_TRUST_PLATFORM,        /* Chrome, Android, Schannel: the platform's store; this machine's stands in */
};

#define TD_JAVA_CACERTS "/etc/ssl/certs/java/cacerts"

/* The profile's source and rules; false when the profile has no row. */
bool td_profile_trust(const char *profile, enum td_trust_source *source, struct td_client_rules *rules);
/* "system", "java", "bundled-mozilla", "platform". */
const char *td_trust_source_slug(enum td_trust_source s);
/* The store in words, and how a root is added to it. */
void td_trust_store_words(enum td_trust_source s, const char **name, const char **add);

#endif
