/* The OpenSSL callbacks and settings that make a lab peer behave like a given
 * real server or client (nginx's ssl_reject_handshake, s_server -alpn, ...). */
#ifndef TD_LAB_HOOKS_H
#define TD_LAB_HOOKS_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* servername callbacks: unrecognized_name without SNI (need_sni), or for an
 * SNI other than server.lab.test (only_name, as s_server -servername_fatal). */
int td_lab_need_sni_cb(SSL *s, int *alert, void *arg);
int td_lab_only_name_cb(SSL *s, int *alert, void *arg);
/* client_hello callback: handshake_failure for a ClientHello without
 * extended_master_secret, as a FIPS-mode server (RFC 7627 5.2). */
int td_lab_need_ems_cb(SSL *s, int *alert, void *arg);
/* ALPN select callback: arg is the one protocol served (NUL-terminated);
 * no_application_protocol when the client offers it not (s_server -alpn). */
int td_lab_alpn_select_cb(SSL *s, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                          unsigned int inlen, void *arg);
/* The client offers one protocol in ALPN. */
bool td_lab_client_alpn(SSL *ssl, const char *proto);

/* The client's ClientHello grows by an unassigned extension (0xea60) of n
 * zero bytes. */
bool td_lab_client_grow(SSL_CTX *ctx, size_t n);

/* The server's first flight with renegotiation_info taken out of its
 * ServerHello (a server from before RFC 5746) into out; false when the
 * flight does not begin with a record holding a ServerHello alone. */
struct td_buf;
bool td_lab_strip_reneg(const uint8_t *p, size_t len, struct td_buf *out);

/* The last byte of the ServerKeyExchange in a flight flipped (its
 * signature then fails to verify, as a server signing with a key that is not
 * its certificate's); false when the flight holds none. */
bool td_lab_flip_ske(uint8_t *p, size_t len);

/* PSK callbacks (TLS 1.2 PSK suites): the server knows one key for the
 * identity "lab"; the client sends that key (good) or another (wrong). */
unsigned int td_lab_psk_server_cb(SSL *s, const char *identity, unsigned char *psk, unsigned int max_psk_len);
unsigned int td_lab_psk_good_cb(SSL *s, const char *hint, char *identity, unsigned int max_identity_len,
                                unsigned char *psk, unsigned int max_psk_len);
unsigned int td_lab_psk_wrong_cb(SSL *s, const char *hint, char *identity, unsigned int max_identity_len,
                                 unsigned char *psk, unsigned int max_psk_len);

#endif
