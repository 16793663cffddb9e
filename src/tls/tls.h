/* The TLS layer: recognises TLS in a TCP byte stream, splits records,
 * reassembles handshake messages across records, and decodes them into owned,
 * bounded structures (struct td_msg) that outlive the input bytes.
 *
 * It knows nothing about packets or files: the caller feeds each direction's
 * in-order bytes with the frame number and time in which they arrived, and
 * tells it about gaps, FIN and RST. */
#ifndef TD_TLS_H
#define TD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/coverage.h"
#include "base/cursor.h"
#include "base/mem.h"
#include "base/limits.h"
#include "base/net.h"
#include "crypto/crypto.h"

/* HandshakeType values (TD_HS_*): tls/names.h, generated from data/iana. */

enum td_role { TD_CLIENT = 0, TD_SERVER = 1 };

struct td_u16s {
    uint16_t *v;
    size_t n;
};

struct td_blob {
    uint8_t *p;
    size_t len;
};

struct td_strs {
    char **v;
    size_t n;
};

struct td_ext_seen {
    uint16_t type;
    uint16_t len;
    uint16_t trailing; /* bytes after the structure its parser read (RFC 8446 4.2): a malformed
                          extension, recorded rather than rejected; 0 when not parsed */
};

struct td_exts {
    struct td_ext_seen *v;
    size_t n;
};

/* RFC 8446 4.1.2 / RFC 5246 7.4.1.2, and the SSLv2-compatible form (RFC 5246 E.2). */
struct td_client_hello {
    bool sslv2_format;
    uint16_t legacy_version;
    uint8_t random[32];
    uint8_t session_id_len;
    struct td_u16s suites;
    struct td_blob compression;
    struct td_exts exts;
    char *sni;                   /* first host_name, NULL when absent */
    struct td_u16s versions;     /* supported_versions */
    struct td_u16s groups;       /* supported_groups */
    struct td_u16s sigalgs;      /* signature_algorithms */
    struct td_u16s sigalgs_cert; /* signature_algorithms_cert */
    struct td_u16s key_shares;   /* key_share: groups offered */
    struct td_strs alpn;
    struct td_blob ec_point_formats;
    struct td_blob psk_modes;
    uint16_t padding_len;
    uint16_t psk_identities; /* pre_shared_key */
    uint16_t session_ticket_len;
    bool has_sni, has_status_request, has_ems, has_etm, has_reneg, has_session_ticket, has_early_data,
        has_post_handshake_auth, has_ech;
    /* encrypted_client_hello (draft-ietf-tls-esni 5): the clear fields of
     * its outer form; the payload is sealed to the server's ECH key, and a
     * GREASE ECH (random bytes of the same form) looks the same. */
    struct {
        bool parsed;       /* read whole (else the extension's trailing bytes say where it broke) */
        uint8_t type;      /* 0 outer, 1 inner (only inside the encrypted payload) */
        uint16_t kdf_id;   /* HPKE KDF (RFC 9180 7.2) */
        uint16_t aead_id;  /* HPKE AEAD (RFC 9180 7.3) */
        uint8_t config_id; /* the ECHConfig it was sealed to */
        uint16_t enc_len, payload_len;
    } ech;
};

/* RFC 8446 4.1.3 (ServerHello and HelloRetryRequest). */
struct td_server_hello {
    bool hrr;
    bool tls13_draft; /* a TLS 1.3 draft (before draft 22) ServerHello: no session id, no compression */
    uint16_t legacy_version;
    uint16_t version; /* negotiated: supported_versions if present */
    bool has_supported_versions;
    uint8_t random[32];
    uint8_t session_id_len;
    uint16_t suite;
    uint8_t compression;
    struct td_exts exts;
    uint16_t key_share_group; /* selected (SH) or requested (HRR) group; 0 if none */
    char *alpn;
    bool has_ems, has_etm, has_reneg, has_session_ticket, has_status_request, has_sni_ack;
    bool has_ech;          /* HelloRetryRequest: encrypted_client_hello with the 8-byte acceptance confirmation */
    const char *downgrade; /* "TLS 1.2" / "TLS 1.1 or below" when the RFC 8446 4.1.3 sentinel is set */
};

struct td_certificate {
    bool tls13;
    struct td_blob *certs; /* DER, leaf first as sent */
    size_t num_certs;
    size_t num_certs_total; /* as sent, when more than limits.max_certs */
};

/* RFC 8422 5.4 / RFC 5246 7.4.3 */
struct td_server_key_exchange {
    enum { TD_SKE_UNKNOWN, TD_SKE_ECDHE, TD_SKE_DHE } kind;
    uint16_t group;     /* ECDHE named curve */
    uint32_t dh_p_bits; /* DHE prime size */
    uint16_t sigalg;    /* TLS 1.2 signature scheme, 0 if absent */
};

/* RFC 5246 7.4.4 / RFC 8446 4.3.2 */
struct td_certificate_request {
    struct td_blob cert_types;
    struct td_u16s sigalgs;
    struct td_blob *ca_names; /* DER-encoded DistinguishedNames */
    size_t num_ca_names;
};

/* RFC 8446 4.6.1 (TLS 1.3; age_add and the extensions other than early_data are
 * checked, not kept) and RFC 5077 3.3 (TLS 1.2, lifetime and ticket only). */
struct td_new_session_ticket { /* 8 bytes: no bigger than the pointers beside it in td_msg's union */
    uint32_t lifetime;         /* ticket_lifetime (1.3) or ticket_lifetime_hint (1.2), seconds */
    uint16_t ticket_len;
    uint8_t nonce_len;
    bool early_data; /* the early_data extension is there (0-RTT allowed) */
};

enum td_msg_kind {
    TD_M_HANDSHAKE,     /* a decoded handshake message (hs_type) */
    TD_M_ENC_HANDSHAKE, /* an encrypted handshake record */
    TD_M_CCS,
    TD_M_ALERT,
    TD_M_APPDATA, /* application data records (folded: count) */
    TD_M_HEARTBEAT,
    TD_M_NOT_TLS,   /* the peer spoke something else (text holds a printable excerpt) */
    TD_M_GAP,       /* bytes missing from the capture */
    TD_M_MALFORMED, /* bytes that break the protocol (text says how) */
    TD_M_TCP_FIN,
    TD_M_TCP_RST,
    TD_M_PREAMBLE, /* plain-text messages before TLS (label names the protocol, text the turn) */
};

struct td_msg {
    bool in_slab; /* one of its connection's slab (struct td_tls_conn), not an allocation of its own */
    struct td_msg *next;
    enum td_msg_kind kind;
    enum td_role from;
    uint8_t hs_type;
    bool encrypted;
    bool inferred;  /* kind guessed from position and size (encrypted) */
    bool decrypted; /* read with the key log's secrets */
    uint16_t record_version;
    uint32_t length; /* handshake body or record payload length */
    uint32_t count;  /* folded records (application data) */
    uint64_t frame;  /* frame in which the last byte arrived */
    struct td_time ts;
    uint64_t offset;                 /* stream offset of the first byte (record or message) */
    uint8_t alert_level, alert_desc; /* enum td_alert_level, enum td_alert_desc */
    char *text;
    const char *label; /* TD_M_PREAMBLE: the protocol ("SMTP"); static */
    bool malformed;    /* TD_M_HANDSHAKE decoded only up to an error (text says where) */
    bool over_limit;   /* TD_M_MALFORMED: a message longer than tlsdiag reassembles, not a broken one */
    union {
        struct td_client_hello *ch;
        struct td_server_hello *sh;
        struct td_certificate *cert;
        struct td_server_key_exchange *ske;
        struct td_certificate_request *cr;
        struct td_new_session_ticket nst;
    } u;
};

/* What the plain-text preamble before TLS (STARTTLS, a proxy's CONNECT) has
 * shown so far: tls/preamble.c fills it. */
struct td_pre_proto;
struct td_preamble {
    const struct td_pre_proto *proto;
    const char *name; /* shown in the ladder: "SMTP", "PostgreSQL", "SOCKS5" ... */
    uint32_t msgs[2]; /* messages seen, by role */
    bool asked;       /* the client asked for TLS or a tunnel (STARTTLS, SSLRequest, CONNECT) */
    bool accepted, refused;
    char tag[16];         /* IMAP: the tag of the STARTTLS command */
    char refusal[120];    /* the server's answer, when refused */
    bool proxy;           /* a proxy set-up (CONNECT, SOCKS, PROXY) rather than an upgrade */
    uint8_t socks_method; /* SOCKS5: method chosen by the server */
};

enum td_outcome { TD_OUTCOME_OK, TD_OUTCOME_FAILED, TD_OUTCOME_INCOMPLETE };

/* TD_DIR_RESYNC: bytes were lost; records resume at the next segment that
 * starts with a plausible record (td_tls_resync_ok), as Wireshark does. */
enum td_dir_mode { TD_DIR_DETECT, TD_DIR_TLS, TD_DIR_SSL2, TD_DIR_OTHER, TD_DIR_DEAD, TD_DIR_PREAMBLE, TD_DIR_RESYNC };

struct td_tls_dir {
    enum td_dir_mode mode;
    uint8_t det[8];
    size_t det_len;
    uint8_t hdr[5];
    size_t hdr_len;
    uint8_t rec_type;
    uint16_t rec_version;
    uint32_t rec_len, rec_left;
    uint64_t rec_offset;
    bool rec_encrypted;
    struct td_buf hs;   /* handshake bytes awaiting a complete message */
    uint64_t hs_offset; /* stream offset of hs.data[0] */
    uint8_t alert[2];
    size_t alert_len;
    bool ccs;      /* ChangeCipherSpec sent */
    bool finished; /* its handshake flight is over (Finished sent, maybe encrypted) */
    bool hs_overflow;
    uint64_t offset;           /* stream offset of the next byte */
    uint32_t post_records;     /* records after the handshake completed */
    uint32_t enc_hs_records;   /* TLS 1.3: encrypted records of its handshake flight so far */
    uint32_t first_enc_hs_len; /* TLS 1.3: the length of the first of them (0: none) */
    bool closed_first;         /* its first record after the handshake was an alert */
    struct td_msg *appdata;    /* current folded application data message */
    struct td_aead *dec;       /* this side's record keys, from the key log */
    struct td_buf rec;         /* the encrypted record being collected for dec */
    bool dec_bad;              /* its keys did not open a record: stop trying */
    bool switch_keys;          /* TLS 1.3: its Finished was read; application keys next */
    bool fin, rst;
    bool ssl2_keyed; /* SSLv2: records after CLIENT-MASTER-KEY are encrypted */
    uint32_t ssl2_enc_records;
    struct td_buf text;      /* first bytes of a non-TLS stream */
    struct td_msg *text_msg; /* the NotTLS message showing them */
    struct td_buf pre;       /* preamble bytes awaiting a whole message (<= TD_PRE_MSG_MAX) */
    uint64_t pre_total;      /* preamble bytes of this side so far */
    uint32_t hs_skip;        /* handshake bytes still to drop: the rest of a message a gap cut */
    uint64_t resync_skipped; /* bytes of the handshake captured but unreadable: a record cut by a gap,
                                or bytes after one that start no record (TD_DIR_RESYNC) */
};

#define TD_MSG_SLAB 8

/* The smallest record a TLS 1.3 Certificate holding one certificate can be:
 * the message's 4+1+3 bytes, a CertificateEntry's 3+2, a DER certificate of
 * at least ~150 bytes (an Ed25519 one with a one-letter name), content type
 * and AEAD tag 1+16. A client's first encrypted record below it, before its
 * Finished, is an empty Certificate: it was asked for one and had none. */
#define TD_TLS13_MIN_CERT_RECORD 128u

struct td_tls_conn {
    const struct td_limits *lim;
    uint32_t stream;
    struct td_addr addr[2]; /* by role */
    uint16_t port[2];
    bool roles_known;
    bool roles_from_syn;
    bool tls_seen; /* some TLS record or SSLv2 hello was recognised */
    bool tls13;
    bool ssl2; /* the server answered with an SSLv2 SERVER-HELLO: SSL 2.0 records both ways */
    bool hrr;
    bool complete;       /* both sides finished the handshake */
    bool cert_requested; /* a CertificateRequest was seen: the answer may come after the handshake */
    bool failed;
    bool fatal_alert;
    bool settled; /* nothing more to learn: caller may release */
    const char *fail_reason;
    const char *note; /* something odd about a completed handshake */
    uint16_t version; /* negotiated, 0 until ServerHello */
    uint16_t suite;
    char *sni;
    uint64_t first_frame;
    struct td_time first_ts;
    /* Decryption (tlsdiag pcap --keylog): the secrets, the randoms that find
     * them, and what came of it ("decrypted", "no key for this session", ...). */
    const struct td_keylog *keylog;
    uint8_t client_random[32], server_random[32];
    bool have_client_random;
    enum td_aead_alg dec_alg;
    enum td_prf_hash dec_hash;
    bool decrypting; /* messages being parsed come from a decrypted record */
    const char *keylog_status;
    /* Plain HTTP/1.x on a connection that is not TLS (a gateway's client side):
     * the request line, and the status the server answered. */
    char http_request[120];
    uint64_t http_request_frame;
    struct td_time http_request_ts;
    uint16_t http_status;
    char http_reason[48];
    uint64_t http_status_frame;
    struct td_time http_status_ts;
    /* What the server's HTTP error page says about TLS (td_http_tls_hint),
     * looked for in its first TD_HTTP_HINT_SCAN bytes. */
    const char *http_tls_hint;
    uint32_t http_scanned;
    /* Inside TLS (decrypted with the key log): the server's first answer
     * names a client-certificate failure (nginx ssl_verify_client's 400
     * pages). Static text, or NULL. */
    const char *http_cert_error;
    /* A plain-text server answer saying the port speaks TLS (nginx's 400
     * "The plain HTTP request was sent to HTTPS port", Apache's "speaking
     * plain HTTP to an SSL-enabled server port"). */
    bool http_said_tls_port;
    struct td_preamble pre;   /* plain text before TLS, if any */
    struct td_msg *pre_turn;  /* the preamble step being added to (one per turn of speech) */
    char pre_turn_first[100]; /* its first message */
    uint64_t pre_refused_frame;
    uint32_t pre_turns;
    struct td_tls_dir dir[2]; /* by role */
    struct td_msg *msgs, *last;
    size_t num_msgs, dropped_msgs;
    /* Messages 2 to TD_MSG_SLAB + 1 live in one allocation, made with the
     * second, not each in its own (a handshake has about eight; a
     * connection that stops at its ClientHello has none). */
    struct td_msg *slab;
    /* The client's first ClientHello body as sent (no handshake header), when
     * lim->keep_client_hello asks for it and it is no longer: what tlsdiag
     * probe --replay sends again. */
    struct td_blob client_hello_raw;
    uint64_t gaps;
    bool gap_in_handshake; /* bytes were lost before the handshake completed */
    /* What the capture holds of the connection, by role (filled from TCP by
     * the engine before the connection is handed out; valid false otherwise). */
    struct td_coverage cov;
};

void td_tls_conn_init(struct td_tls_conn *c, const struct td_limits *lim);
void td_tls_conn_free(struct td_tls_conn *c);

/* Where the current bytes came from. */
struct td_at {
    uint64_t frame;
    struct td_time ts;
};

void td_tls_set_roles(struct td_tls_conn *c, const struct td_addr *client, uint16_t cport, const struct td_addr *server,
                      uint16_t sport, bool from_syn);
/* Decide roles from the first payload of endpoint (addr, port) when no SYN was seen. */
bool td_tls_guess_client(const uint8_t *p, size_t n, bool *is_client);
void td_tls_feed(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at);
void td_tls_gap(struct td_tls_conn *c, enum td_role from, uint64_t bytes, const char *why, const struct td_at *at);
void td_tls_flags(struct td_tls_conn *c, enum td_role from, uint8_t flags, const struct td_at *at);
/* No more bytes will come (capture ended, idle, ...): settle the outcome. */
void td_tls_end(struct td_tls_conn *c, const char *why);
enum td_outcome td_tls_outcome(const struct td_tls_conn *c);
/* Did either side speak TLS, or is the connection worth reporting as not-TLS on a TLS port? */
/* A phrase of a known TLS-failure error page found in p, or NULL. */
#define TD_HTTP_HINT_SCAN 8192
const char *td_http_tls_hint(const uint8_t *p, size_t n);
/* The phrase (as td_http_tls_hint returned it) is a client-certificate page. */
bool td_http_cert_page(const char *phrase);
bool td_tls_reportable(const struct td_tls_conn *c);

/* After lost bytes: do these bytes, the start of a segment, begin a record
 * worth resuming at? A record header (type, version 3.x, length), and for a
 * plaintext handshake record a message header that fits (a handshake type,
 * a length within the record unless the record is full size). */
bool td_tls_resync_ok(const uint8_t *p, size_t n, size_t hs_message_max);

/* Parsers, exposed for unit tests and the probe. Each returns NULL/false on
 * malformed input and sets *err to a sentence and *err_off to the offset. */
struct td_client_hello *td_parse_client_hello(struct td_cur *body, const char **err, size_t *err_off);
/* The same, but when the error comes after the random, the fields read up to it are
 * returned with *err set (the message is shown, marked malformed). */
struct td_client_hello *td_parse_client_hello_partial(struct td_cur *body, const char **err, size_t *err_off);
struct td_client_hello *td_parse_sslv2_client_hello(struct td_cur *rec, const char **err, size_t *err_off);
struct td_server_hello *td_parse_sslv2_server_hello(struct td_cur *rec, struct td_cur *cert, const char **err,
                                                    size_t *err_off);
struct td_server_hello *td_parse_server_hello(struct td_cur *body, const char **err, size_t *err_off);
/* The same, keeping version, random and suite when an extension is broken (*err set). */
struct td_server_hello *td_parse_server_hello_partial(struct td_cur *body, const char **err, size_t *err_off);
struct td_certificate *td_parse_certificate(struct td_cur *body, bool tls13, size_t max_certs, const char **err,
                                            size_t *err_off);
struct td_server_key_exchange *td_parse_server_key_exchange(struct td_cur *body, uint16_t suite, uint16_t version,
                                                            const char **err, size_t *err_off);
struct td_certificate_request *td_parse_certificate_request(struct td_cur *body, uint16_t version, const char **err,
                                                            size_t *err_off);
/* A NewSessionTicket body in the TLS 1.3 form (tls13) or the TLS 1.2 one;
 * false with *err and *err_off (in body) when malformed. */
bool td_parse_new_session_ticket(struct td_cur *body, bool tls13, struct td_new_session_ticket *out, const char **err,
                                 size_t *err_off);
void td_client_hello_free(struct td_client_hello *ch);
void td_server_hello_free(struct td_server_hello *sh);
void td_certificate_free(struct td_certificate *c);
void td_certificate_request_free(struct td_certificate_request *cr);
void td_msg_free(struct td_msg *m);
/* What m holds, not m itself (a message of a connection's slab). */
void td_msg_free_parts(struct td_msg *m);

const char *td_msg_type_name(const struct td_msg *m);

#endif
