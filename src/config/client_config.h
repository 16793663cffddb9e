/* tlsdiag probe --client-config: a client built from configuration files on
 * top of a base profile (java8 for Apigee and Java files unless told), each
 * setting that changed the base remembered with its file and line, so that a
 * failure names the line to change. */
#ifndef TD_CONFIG_CLIENT_CONFIG_H
#define TD_CONFIG_CLIENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "config/profiles.h"

struct td_client_config {
    struct td_conf_report rep; /* the files as tlsdiag config reads them (and its findings) */
    const struct td_client_profile *base;
    struct td_client_plan plan;
    bool sni_off; /* a setting turned SNI off */
    /* the settings that made the client what it is (NULL: the base profile's default) */
    const struct td_conf_file *proto_file, *cipher_file, *sni_file, *trust_file;
    const struct td_conf_item *proto_item, *cipher_item, *sni_item;
    const struct td_conf_item *trust_item; /* the client's truststore (TrustStore, javax.net.ssl.trustStore) */
};

/* Reads the files and builds the client. base_name NULL: java8 when a file is
 * Apigee XML/JSON or Java properties, else openssl-3.0. false with err when the
 * base is unknown or a file could not be read (cc->rep still says which). */
bool td_client_config_build(const char *const *paths, size_t n, const char *base_name, struct td_client_config *cc,
                            char *err, size_t err_len);
void td_client_config_free(struct td_client_config *cc);

/* Which settings a failure of the probe is about (the probe's cause,
 * protocol_mismatch, cipher_mismatch or sni_required, or a chain the
 * truststore does not accept, mapped by the caller). */
enum td_blame { TD_BLAME_NONE, TD_BLAME_PROTOCOLS, TD_BLAME_CIPHERS, TD_BLAME_SNI, TD_BLAME_TRUST };

/* The setting to change for such a failure, with its file and line, and the
 * change (out->cause is left TD_CAUSE_NONE: the probe's cause is the caller's).
 * server_versions: TD_V_* the server accepts (protocols); server_suite: a suite
 * it accepts (ciphers). */
void td_client_config_blame(const struct td_client_config *cc, enum td_blame what, unsigned server_versions,
                            uint16_t server_suite, struct td_conf_finding *out);

#endif
