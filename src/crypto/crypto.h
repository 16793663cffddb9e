/* Decrypting TLS records with secrets from an NSS key log (SSLKEYLOGFILE):
 * the key log itself, the TLS 1.3 key schedule (RFC 8446 7.1, 7.3) and the
 * TLS 1.2 key block (RFC 5246 6.3), and AEAD record protection (AES-GCM,
 * ChaCha20-Poly1305) through libcrypto. Secrets leave this layer only through
 * td_keylog_lines, as key log lines for a capture file's Decryption Secrets
 * Block (--write-failed): no function prints one. */
#ifndef TD_CRYPTO_H
#define TD_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/net.h"

/* --- the key log --------------------------------------------------------- */

struct td_keylog;

struct td_keylog *td_keylog_new(void);
void td_keylog_free(struct td_keylog *k);
/* Lines "LABEL <client_random hex> <secret hex>"; comments and unknown labels
 * are skipped, malformed lines counted. origin names the source in errors. */
void td_keylog_add_text(struct td_keylog *k, const uint8_t *text, size_t len);
/* false with err when the file cannot be read. */
bool td_keylog_load(struct td_keylog *k, const char *path, char *err, size_t err_len);
/* Follows the key log at path as it grows (tlsdiag watch --keylog): read now
 * (a missing file is fine: clients create it), then again by each
 * td_keylog_refresh and by each lookup of a session not in the store, which
 * may wait up to wait_ms for that session's lines (once per session, and
 * only as crypto/keylog_follow.h allows: a bounded share of the time). A file
 * replaced or truncated is read again from its start. At most max_entries
 * secrets kept: the oldest dropped first. false with err when unreadable. */
#define TD_KEYLOG_FOLLOW_MAX 65536
bool td_keylog_follow(struct td_keylog *k, const char *path, size_t max_entries, int wait_ms, char *err,
                      size_t err_len);
/* The complete lines written since the last read: 1 when some came, 0 none,
 * -1 with err (when not NULL) on an error. 0 for a store that does not follow. */
int td_keylog_refresh(struct td_keylog *k, char *err, size_t err_len);
size_t td_keylog_count(const struct td_keylog *k);
size_t td_keylog_bad_lines(const struct td_keylog *k);
bool td_keylog_has(const struct td_keylog *k, const char *label, const uint8_t client_random[32]);
/* The key log lines known for one session (its ClientHello random) in the
 * NSS key log format, "LABEL <random hex> <secret hex>\n" (lowercase hex),
 * each distinct line once, given one by one to fn: what a pcapng Decryption
 * Secrets Block holds so that the session decrypts without the key log.
 * At most TD_KEYLOG_MAX_LINES (a session has 1 to 8: a hostile log more).
 * line is valid during the call only (wiped after it). Returns the count. */
#define TD_KEYLOG_MAX_LINES 16
size_t td_keylog_lines(const struct td_keylog *k, const uint8_t client_random[32],
                       void (*fn)(void *ctx, const char *line, size_t len), void *ctx);

/* --- record protection ---------------------------------------------------- */

enum td_aead_alg { TD_AEAD_NONE, TD_AEAD_AES128GCM, TD_AEAD_AES256GCM, TD_AEAD_CHACHA20 };
enum td_prf_hash { TD_HASH_SHA256, TD_HASH_SHA384 };

struct td_aead;

/* TLS 1.3: one direction's keys from the key log line LABEL for this client
 * random (CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_TRAFFIC_SECRET_0, ...).
 * NULL when the key log has no such line. */
struct td_aead *td_aead_tls13(const struct td_keylog *k, const char *label, const uint8_t client_random[32],
                              enum td_aead_alg alg, enum td_prf_hash hash);
/* TLS 1.2: one side's write keys from CLIENT_RANDOM (the master secret). */
struct td_aead *td_aead_tls12(const struct td_keylog *k, const uint8_t client_random[32],
                              const uint8_t server_random[32], enum td_aead_alg alg, enum td_prf_hash hash,
                              bool server_side);
/* Open one record: hdr is its 5-byte header, body its payload, decrypted in
 * place; *out_len the plaintext length (TLS 1.3: inner content and type byte
 * and padding). false when the tag does not verify (wrong keys). Each call
 * advances the sequence number. */
bool td_aead_open(struct td_aead *a, const uint8_t hdr[5], uint8_t *body, size_t len, size_t *out_len);
void td_aead_free(struct td_aead *a);

/* --- Community ID --------------------------------------------------------- */

/* "1:" and the base64 of a SHA-1 (28 characters), NUL-terminated. */
#define TD_COMMUNITY_ID_LEN 31
#define TD_IPPROTO_TCP 6

/* The Community ID v1 of a flow between endpoints a and b (either order
 * gives the same), with the given seed (0 is everyone's default). false
 * (out empty) when the addresses are not both IPv4 or both IPv6. */
bool td_community_id(const struct td_addr *a, uint16_t a_port, const struct td_addr *b, uint16_t b_port, uint8_t proto,
                     uint16_t seed, char out[TD_COMMUNITY_ID_LEN]);

#endif
