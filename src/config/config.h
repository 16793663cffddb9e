/* tlsdiag config: the TLS settings operators keep in gateway and client
 * configuration files (Apigee Edge TargetEndpoint/VirtualHost XML and the
 * management API's TargetServer/VirtualHost JSON, message-processor and
 * system properties, java.security, nginx, HAProxy, Envoy YAML/JSON), read
 * with bounded parsers that keep each setting's file:line, and the offline
 * lint of what they say. A library: nothing here prints. */
#ifndef TD_CONFIG_H
#define TD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cause.h"

enum td_conf_kind {
    TD_CONF_UNKNOWN,
    TD_CONF_XML,        /* Apigee TargetEndpoint, TargetServer or VirtualHost XML */
    TD_CONF_JSON,       /* Apigee management API JSON (sSLInfo), or Envoy JSON */
    TD_CONF_PROPERTIES, /* message-processor.properties, system.properties, java.security */
    TD_CONF_NGINX,
    TD_CONF_HAPROXY,
    TD_CONF_YAML, /* Envoy */
};
const char *td_conf_kind_name(enum td_conf_kind k);

/* What a setting means, whatever the file calls it. */
enum td_conf_key {
    TD_CK_ENABLED,           /* SSLInfo Enabled */
    TD_CK_CLIENT_AUTH,       /* SSLInfo ClientAuthEnabled */
    TD_CK_KEYSTORE,          /* SSLInfo KeyStore */
    TD_CK_KEYALIAS,          /* SSLInfo KeyAlias */
    TD_CK_TRUSTSTORE,        /* SSLInfo TrustStore, HAProxy ca-file, nginx proxy_ssl_trusted_certificate */
    TD_CK_PROTOCOL,          /* one version name (SSLInfo Protocol, a JSON list element) */
    TD_CK_PROTOCOL_LIST,     /* several in one value: "TLSv1.2 TLSv1.3", "TLSv1,TLSv1.1" */
    TD_CK_MIN_VER,           /* HAProxy ssl-min-ver, Envoy tls_minimum_protocol_version */
    TD_CK_MAX_VER,           /* HAProxy ssl-max-ver, Envoy tls_maximum_protocol_version */
    TD_CK_CIPHER,            /* one suite name (SSLInfo Cipher, Envoy cipher_suites element) */
    TD_CK_CIPHER_STRING,     /* an OpenSSL cipher string (nginx ssl_ciphers, HAProxy ciphers) */
    TD_CK_CIPHER_LIST,       /* a comma list of Java/IANA names (https.cipherSuites) */
    TD_CK_TLS13_SUITES,      /* OpenSSL TLS 1.3 ciphersuites (HAProxy ciphersuites) */
    TD_CK_GROUPS,            /* nginx ssl_ecdh_curve, Envoy ecdh_curves */
    TD_CK_SNI_ENABLED,       /* jsse.enableSNIExtension, nginx proxy_ssl_server_name */
    TD_CK_SNI_NAME,          /* HAProxy sni, Envoy sni */
    TD_CK_IGNORE_VALIDATION, /* SSLInfo IgnoreValidationErrors */
    TD_CK_VERIFY,            /* HAProxy verify, nginx proxy_ssl_verify */
    TD_CK_DISABLED_ALGS,     /* java.security jdk.tls.disabledAlgorithms */
    TD_CK_COMMON_NAME,       /* SSLInfo CommonName */
    TD_CK_TLS_ON,         /* HAProxy "ssl" on a server line, an Envoy UpstreamTlsContext, nginx proxy_pass https:// */
    TD_CK_VALIDATION_CTX, /* Envoy validation_context (trusted_ca) */
};

/* "protocol", "cipher_string", ...: the stable names of the JSON output. */
const char *td_conf_key_name(enum td_conf_key k);

#define TD_CONF_VALUE_MAX 1024
#define TD_CONF_NAME_MAX 96

struct td_conf_item {
    enum td_conf_key key;
    bool server_side; /* the setting of a listener (VirtualHost, nginx ssl_*, HAProxy bind) */
    int group;        /* the block it sits in (td_conf_file.groups) */
    uint32_t line, col;
    char name[TD_CONF_NAME_MAX];   /* the name as the file writes it: Protocol, ssl_protocols */
    char value[TD_CONF_VALUE_MAX]; /* the value, unquoted and unescaped */
};

/* A block: an SSLInfo element or sSLInfo object, an nginx block, a HAProxy
 * server/bind line or section, an Envoy transport socket. Settings not found
 * in a block are looked for in its parent (nginx, HAProxy defaults). */
struct td_conf_group {
    int parent; /* -1: none */
    uint32_t line;
    char name[160];
};

#define TD_CONF_MAX_ITEMS 4096
#define TD_CONF_MAX_GROUPS 1024

struct td_conf_file {
    char path[512];
    enum td_conf_kind kind;
    bool ok;
    char err[400]; /* when !ok: "LINE:COL: what", or why the file could not be read */
    struct td_conf_item *items;
    size_t num_items, cap_items;
    struct td_conf_group *groups;
    size_t num_groups, cap_groups;
};

/* Reads and parses PATH (kind told by content). false with f->err set when it
 * cannot be read, is of no kind known, or is malformed; what was read before
 * the error stays in f. */
bool td_conf_file_read(const char *path, struct td_conf_file *f);
/* The same on bytes in memory (the fuzz target, the unit tests). */
bool td_conf_file_parse(const char *path, const uint8_t *data, size_t len, struct td_conf_file *f);
void td_conf_file_free(struct td_conf_file *f);
enum td_conf_kind td_conf_detect(const uint8_t *data, size_t len);

struct td_conf_finding {
    enum td_cause cause;
    enum td_sev sev;
    char file[512];
    uint32_t line;     /* 0: the file as a whole */
    char element[600]; /* the setting as written: `<Protocol>TLSv1</Protocol>` */
    char message[2000];
    char change[1400]; /* the change to make; may be empty */
};

struct td_conf_opts {
    const char *ca;           /* --ca: the truststore the client uses (JKS, PKCS#12, PEM, certInfo JSON) */
    const char *chain;        /* --chain: the backend's chain */
    const char *keystore;     /* --keystore: the keystore the config refers to */
    const char *passwords[4]; /* for keystores */
    size_t num_passwords;
    int64_t at; /* validity time (epoch seconds) */
};

struct td_conf_report {
    struct td_conf_file *files;
    size_t num_files;
    struct td_conf_finding *findings;
    size_t num_findings, cap_findings;
    size_t input_errors; /* files unreadable/unknown/malformed, unknown names, stores that would not open */
};

/* Reads every file (a bad one does not stop the others) and lints them. */
void td_config_lint(const char *const *paths, size_t n, const struct td_conf_opts *o, struct td_conf_report *r);
void td_conf_report_free(struct td_conf_report *r);
size_t td_conf_report_count(const struct td_conf_report *r, enum td_sev sev);

/* TLS versions as a bit set. */
enum { TD_V_SSL3 = 1, TD_V_TLS10 = 2, TD_V_TLS11 = 4, TD_V_TLS12 = 8, TD_V_TLS13 = 16 };
/* "TLSv1.2", "TLSv1_2", "tlsv1.2", "TLS1.2", "SSLv3", "TLSv1": its bit, 0 unknown. */
unsigned td_conf_version_bit(const char *name, size_t len);

/* A cipher suite by any of its names: IANA/Java (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
 * SSL_RSA_WITH_3DES_EDE_CBC_SHA) or OpenSSL (ECDHE-RSA-AES128-GCM-SHA256).
 * false when no suite has that name. */
bool td_conf_suite_by_name(const char *name, size_t len, uint16_t *out);
/* The OpenSSL name of a suite into buf ("" when it has none that tlsdiag knows). */
const char *td_conf_suite_openssl_name(uint16_t v, char *buf, size_t len);
/* The versions a suite can be negotiated at (TD_V_* bits; 0: unknown suite). */
unsigned td_conf_suite_versions(uint16_t v);

#define TD_CONF_MAX_SUITES 512
/* An OpenSSL cipher string ("HIGH:!aNULL", "ECDHE+AESGCM:-SHA") evaluated over
 * the IANA table: the TLS 1.2-and-below suites it selects, in order. Words that
 * are neither a suite nor an OpenSSL alias are reported in unknown (first one,
 * NUL-terminated; empty when all were known). Returns the number of suites. */
size_t td_conf_cipher_string(const char *s, uint16_t *out, size_t cap, char *unknown, size_t unknown_len);

#endif
