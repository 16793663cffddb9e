/* Inside src/lab: a scenario (server settings, up to three clients), the
 * table of them (scenarios.c), and what lab.c runs them with. */
#ifndef TD_LAB_INTERNAL_H
#define TD_LAB_INTERNAL_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>

#include "lab/lab.h"
#include "lab/pki.h"

enum chain_kind { CHAIN_FULL, CHAIN_LEAF_ONLY, CHAIN_WRONG_ORDER };
/* SM_DROP_SECOND: a middlebox on the path loses every client segment after
 * the first (the capture, on the client's side, still holds them). */
enum srv_mode { SM_TLS, SM_RESET, SM_SILENT, SM_DROP_SECOND };

struct srv_cfg {
    int min, max;
    const char *ciphers, *suites, *groups;
    enum td_lab_cert cert; /* LC_NONE: LC_GOOD */
    enum chain_kind chain;
    bool need_sni, client_auth;
    bool client_auth_optional; /* with client_auth: ask, do not require (GnuTLS's, Java's, IIS's default) */
    enum srv_mode mode;
    const char *alpn; /* the one application protocol served: no_application_protocol otherwise */
    bool only_name;   /* serves server.lab.test only: unrecognized_name for another SNI (-servername_fatal) */
    bool no_reneg;    /* its ServerHello loses renegotiation_info on the way (a server from before RFC 5746) */
    bool need_ems;    /* refuses a ClientHello without extended_master_secret (a FIPS-mode server) */
    bool bad_ske;     /* its ServerKeyExchange's signature does not verify (a key that is not the certificate's) */
    bool psk;         /* TLS 1.2 PSK: one key for the identity "lab" */
};

struct cli_cfg {
    bool used;
    int min, max;
    const char *ciphers, *suites, *groups;
    const char *sni;       /* NULL: no server_name */
    const char *host;      /* the name checked against the certificate */
    enum td_lab_cert cert; /* client certificate */
    bool plain_http;       /* speaks HTTP to the TLS port */
    const char *alpn;      /* ALPN offered, one protocol */
    bool fallback_scsv;    /* a retry after a failed attempt: TLS_FALLBACK_SCSV (RFC 7507) */
    const char *sigalgs;   /* signature_algorithms (OpenSSL -sigalgs form) */
    size_t grow;           /* bytes of an unassigned extension that grow the ClientHello (as a PQ key share would) */
    int lose_flight;       /* its n-th flight (1: the ClientHello) is lost on the path after the capture point */
    bool no_ems;           /* offers no extended_master_secret (SSL_OP_NO_EXTENDED_MASTER_SECRET) */
    int psk;               /* 1: the server's PSK, 2: another one */
    bool corrupt;          /* its first application data is altered on the path, after the capture point */
};

struct scenario {
    struct td_lab_info info;
    struct srv_cfg srv;
    struct cli_cfg cli[3];
};

#define V12 .min = TLS1_2_VERSION, .max = TLS1_2_VERSION
#define V13 .min = TLS1_3_VERSION, .max = TLS1_3_VERSION
#define NAME .sni = "server.lab.test", .host = "server.lab.test"
#define CLI(...)                                                                                                       \
    {                                                                                                                  \
        .used = true, __VA_ARGS__                                                                                      \
    }

extern const struct scenario td_lab_table[];
extern const size_t td_lab_table_len;

#endif
