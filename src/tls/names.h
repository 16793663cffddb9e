/* TLS code points and their names, both generated out of the IANA registries
 * (the CSV files in data/iana, tools/gen_names.sh): the constants (enum td_hs_type
 * TD_HS_CLIENT_HELLO, td_alert_desc TD_ALERT_UNKNOWN_CA, td_ext_type TD_EXT_SERVER_NAME,
 * td_named_group TD_GROUP_X25519, td_sig_scheme TD_SIGSCHEME_ED25519, td_version
 * TD_VERSION_TLS1_2) in iana.h, the names in tables. Unknown values return NULL; the
 * *_str helpers format them as the IANA registry would list them. */
#ifndef TD_TLS_NAMES_H
#define TD_TLS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iana.h" /* generated: build/gen/iana.h */

struct td_name {
    uint32_t value;
    const char *name;
};

extern const struct td_name td_suite_names[], td_alert_names[], td_hstype_names[], td_ext_names[], td_group_names[],
    td_sigscheme_names[], td_version_names[];
extern const size_t td_suite_names_len, td_alert_names_len, td_hstype_names_len, td_ext_names_len, td_group_names_len,
    td_sigscheme_names_len, td_version_names_len;

const char *td_name_find(const struct td_name *t, size_t len, uint32_t v);

/* GREASE (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa. */
bool td_is_grease(uint16_t v);

const char *td_suite_name(uint16_t v);
const char *td_alert_name(uint8_t v);
const char *td_hstype_name(uint8_t v);
const char *td_ext_name(uint16_t v);
const char *td_group_name(uint16_t v);
const char *td_sigscheme_name(uint16_t v);
const char *td_version_name(uint16_t v);

/* Versions outside the registry that tlsdiag reads as TLS 1.3: the drafts
 * (0x7fNN, draft NN), Facebook's Fizz experiments (0xfbNN) and Google's
 * (0x7e01..0x7e03). */
enum {
    TD_VERSION_TLS13_DRAFT_MAJOR = 0x7f,
    TD_VERSION_FIZZ_MAJOR = 0xfb,
    TD_VERSION_GOOGLE_EXP_FIRST = 0x7e01,
    TD_VERSION_GOOGLE_EXP_LAST = 0x7e03,
};
/* TLS 1.3 or one of those drafts and experiments. */
bool td_version_is_tls13_family(uint16_t v);
/* A draft or experiment version, not TLS 1.3 itself. */
bool td_version_is_tls13_experiment(uint16_t v);

/* Always a printable name: the registry's, "GREASE", or a hex form such as
 * "0x1234" / "unknown_ext_0x1234". buf must hold at least 32 bytes. */
const char *td_suite_str(uint16_t v, char *buf, size_t len);
const char *td_group_str(uint16_t v, char *buf, size_t len);
const char *td_sigscheme_str(uint16_t v, char *buf, size_t len);
const char *td_ext_str(uint16_t v, char *buf, size_t len);
const char *td_version_str(uint16_t v, char *buf, size_t len);
const char *td_alert_str(uint8_t v, char *buf, size_t len);
/* HPKE (RFC 9180 7.2, 7.3) KDF and AEAD ids of an ECH cipher suite:
 * "HKDF-SHA256", "AES-128-GCM", ... or "0x1234". */
const char *td_hpke_kdf_str(uint16_t v, char *buf, size_t len);
const char *td_hpke_aead_str(uint16_t v, char *buf, size_t len);

#endif
