/* ClientHellos from profile rows (hello_build.h). */
#include <string.h>

#include "base/builder.h"
#include "tls/hello_build.h"
#include "tls/internal.h"

#include "base/banned.h"

/* An unassigned ExtensionType: parsers must keep it by number (RFC 8446 4.2). */
#define SAMPLE_UNASSIGNED_EXT 0x1234

/* RFC 8422 5.1.2 ECPointFormat uncompressed; RFC 8446 4.2.9 PskKeyExchangeMode psk_dhe_ke. */
enum { EC_POINT_UNCOMPRESSED = 0, PSK_DHE_KE = 1 };

/* An array and its count, for a pointer member and the count member after it. */
#define LIST(a) a, sizeof a / sizeof a[0]

struct hello_profile {
    bool record;            /* inside a handshake header and a TLSPlaintext record: the bytes to send */
    bool compat_session_id; /* legacy_session_id = the random (RFC 8446 D.4 middlebox compatibility) */
    const uint16_t *exts;   /* the extensions, in this order */
    size_t num_exts;
    const uint16_t *versions; /* supported_versions */
    size_t num_versions;
    const uint16_t *sigalgs; /* signature_algorithms */
    size_t num_sigalgs;
    const char *alpn; /* one protocol */
};

/* Every signature scheme a server might want, strongest first (so that the
 * probe never fails for lack of one). */
static const uint16_t probe_sigalgs[] = {
    TD_SIGSCHEME_ECDSA_SECP256R1_SHA256,
    TD_SIGSCHEME_ECDSA_SECP384R1_SHA384,
    TD_SIGSCHEME_ECDSA_SECP521R1_SHA512,
    TD_SIGSCHEME_ED25519,
    TD_SIGSCHEME_ED448,
    TD_SIGSCHEME_RSA_PSS_RSAE_SHA256,
    TD_SIGSCHEME_RSA_PSS_RSAE_SHA384,
    TD_SIGSCHEME_RSA_PSS_RSAE_SHA512,
    TD_SIGSCHEME_RSA_PSS_PSS_SHA256,
    TD_SIGSCHEME_RSA_PSS_PSS_SHA384,
    TD_SIGSCHEME_RSA_PSS_PSS_SHA512,
    TD_SIGSCHEME_RSA_PKCS1_SHA256,
    TD_SIGSCHEME_RSA_PKCS1_SHA384,
    TD_SIGSCHEME_RSA_PKCS1_SHA512,
    TD_SIGSCHEME_ECDSA_SHA1,
    TD_SIGSCHEME_RSA_PKCS1_SHA1,
    TD_SIGSCHEME_ECDSA_SHA224,
    TD_SIGSCHEME_RSA_SHA224,
    TD_SIGSCHEME_DSA_SHA256,
    TD_SIGSCHEME_DSA_SHA384,
    TD_SIGSCHEME_DSA_SHA512,
    TD_SIGSCHEME_DSA_SHA1,
    TD_SIGSCHEME_DSA_SHA224,
};

static const uint16_t probe_legacy_exts[] = {
    TD_EXT_SERVER_NAME,        TD_EXT_SUPPORTED_GROUPS, TD_EXT_EC_POINT_FORMATS, TD_EXT_EXTENDED_MASTER_SECRET,
    TD_EXT_RENEGOTIATION_INFO,
};
static const uint16_t probe_tls12_exts[] = {
    TD_EXT_SERVER_NAME,          TD_EXT_SUPPORTED_GROUPS,       TD_EXT_EC_POINT_FORMATS,
    TD_EXT_SIGNATURE_ALGORITHMS, TD_EXT_EXTENDED_MASTER_SECRET, TD_EXT_RENEGOTIATION_INFO,
};
static const uint16_t probe_tls13_exts[] = {
    TD_EXT_SERVER_NAME,          TD_EXT_SUPPORTED_GROUPS,       TD_EXT_EC_POINT_FORMATS,
    TD_EXT_SIGNATURE_ALGORITHMS, TD_EXT_EXTENDED_MASTER_SECRET, TD_EXT_RENEGOTIATION_INFO,
    TD_EXT_SUPPORTED_VERSIONS,   TD_EXT_PSK_KEY_EXCHANGE_MODES, TD_EXT_KEY_SHARE,
};
static const uint16_t probe_tls13_versions[] = {TD_VERSION_TLS1_3};
static const uint16_t probe_modern_versions[] = {TD_VERSION_TLS1_3, TD_VERSION_TLS1_2};

static const uint16_t sample_exts[] = {
    TD_EXT_SERVER_NAME,
    TD_EXT_SUPPORTED_VERSIONS,
    TD_EXT_SUPPORTED_GROUPS,
    TD_EXT_KEY_SHARE,
    TD_EXT_APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
    SAMPLE_UNASSIGNED_EXT,
};
static const uint16_t sample_versions[] = {TD_VERSION_TLS1_3, TD_VERSION_TLS1_2};

/* Indexed by enum td_hello_profile. */
static const struct hello_profile hello_profiles[] = {
    [TD_HELLO_PROBE_LEGACY] = {.record = true, .exts = LIST(probe_legacy_exts)},
    [TD_HELLO_PROBE_TLS12] = {.record = true, .exts = LIST(probe_tls12_exts), .sigalgs = LIST(probe_sigalgs)},
    [TD_HELLO_PROBE_TLS13] = {.record = true,
                              .compat_session_id = true,
                              .exts = LIST(probe_tls13_exts),
                              .versions = LIST(probe_tls13_versions),
                              .sigalgs = LIST(probe_sigalgs)},
    [TD_HELLO_PROBE_MODERN] = {.record = true,
                               .compat_session_id = true,
                               .exts = LIST(probe_tls13_exts),
                               .versions = LIST(probe_modern_versions),
                               .sigalgs = LIST(probe_sigalgs)},
    [TD_HELLO_SAMPLE_TLS13] = {.compat_session_id = true,
                               .exts = LIST(sample_exts),
                               .versions = LIST(sample_versions),
                               .alpn = "h2"},
};

struct hello_ctx {
    struct td_bld *b;
    const struct td_hello_spec *spec;
    const struct hello_profile *prof;
};

static void u16_list(struct td_bld *b, int prefix_bytes, const uint16_t *v, size_t n)
{
    td_bld_open(b, prefix_bytes);
    for (size_t i = 0; i < n; i++) {
        td_bld_u16(b, v[i]);
    }
    td_bld_close(b);
}

/* RFC 6066 3: ServerNameList with one host_name. */
static void add_server_name(const struct hello_ctx *h)
{
    if (!h->spec->sni) {
        return;
    }
    td_bld_u16(h->b, TD_EXT_SERVER_NAME);
    td_bld_open(h->b, 2);
    td_bld_open(h->b, 2);
    td_bld_u8(h->b, 0); /* NameType host_name */
    td_bld_open(h->b, 2);
    td_bld_bytes(h->b, h->spec->sni, strlen(h->spec->sni));
    td_bld_close(h->b);
    td_bld_close(h->b);
    td_bld_close(h->b);
}

/* RFC 8446 4.2.7: NamedGroupList. */
static void add_supported_groups(const struct hello_ctx *h)
{
    td_bld_u16(h->b, TD_EXT_SUPPORTED_GROUPS);
    td_bld_open(h->b, 2);
    u16_list(h->b, 2, h->spec->groups, h->spec->num_groups);
    td_bld_close(h->b);
}

/* RFC 8422 5.1.2: uncompressed only. */
static void add_ec_point_formats(const struct hello_ctx *h)
{
    td_bld_u16(h->b, TD_EXT_EC_POINT_FORMATS);
    td_bld_open(h->b, 2);
    td_bld_open(h->b, 1);
    td_bld_u8(h->b, EC_POINT_UNCOMPRESSED);
    td_bld_close(h->b);
    td_bld_close(h->b);
}

/* RFC 8446 4.2.3: SignatureSchemeList. */
static void add_signature_algorithms(const struct hello_ctx *h)
{
    td_bld_u16(h->b, TD_EXT_SIGNATURE_ALGORITHMS);
    td_bld_open(h->b, 2);
    if (h->spec->num_sigalgs) {
        u16_list(h->b, 2, h->spec->sigalgs, h->spec->num_sigalgs);
    } else {
        u16_list(h->b, 2, h->prof->sigalgs, h->prof->num_sigalgs);
    }
    td_bld_close(h->b);
}

/* RFC 5746 3.2: an empty renegotiated_connection (initial handshake). */
static void add_renegotiation_info(const struct hello_ctx *h)
{
    td_bld_u16(h->b, TD_EXT_RENEGOTIATION_INFO);
    td_bld_open(h->b, 2);
    td_bld_open(h->b, 1);
    td_bld_close(h->b);
    td_bld_close(h->b);
}

/* RFC 8446 4.2.1: ProtocolVersion versions<2..254>. */
static void add_supported_versions(const struct hello_ctx *h)
{
    td_bld_u16(h->b, TD_EXT_SUPPORTED_VERSIONS);
    td_bld_open(h->b, 2);
    u16_list(h->b, 1, h->prof->versions, h->prof->num_versions);
    td_bld_close(h->b);
}

static void add_psk_key_exchange_modes(const struct hello_ctx *h)
{
    td_bld_u16(h->b, TD_EXT_PSK_KEY_EXCHANGE_MODES);
    td_bld_open(h->b, 2);
    td_bld_open(h->b, 1);
    td_bld_u8(h->b, PSK_DHE_KE);
    td_bld_close(h->b);
    td_bld_close(h->b);
}

static void key_share_entry(struct td_bld *b, uint16_t group, const uint8_t *share, size_t len)
{
    td_bld_u16(b, group);
    td_bld_open(b, 2);
    td_bld_bytes(b, share, len);
    td_bld_close(b);
}

/* RFC 8446 4.2.8: KeyShareClientHello, up to two shares, or none. */
static void add_key_share(const struct hello_ctx *h)
{
    td_bld_u16(h->b, TD_EXT_KEY_SHARE);
    td_bld_open(h->b, 2);
    td_bld_open(h->b, 2);
    if (h->spec->key_share_group) {
        key_share_entry(h->b, h->spec->key_share_group, h->spec->key_share, h->spec->key_share_len);
    }
    if (h->spec->key_share2_group) {
        key_share_entry(h->b, h->spec->key_share2_group, h->spec->key_share2, h->spec->key_share2_len);
    }
    td_bld_close(h->b);
    td_bld_close(h->b);
}

/* RFC 7685 3: zero bytes, up to spec->pad_to bytes of handshake message, or
 * with pad_to 0 a hello of 256-511 bytes to 512 (F5 BIG-IP hangs on those:
 * BoringSSL and OpenSSL's SSL_OP_TLSEXT_PADDING pad the same way). The record
 * (5 bytes) began at start. */
static void add_padding(const struct hello_ctx *h, size_t start)
{
    enum { F5_LOW = 256, F5_HIGH = 511 };
    size_t now = h->b->out->len - start - 5;
    size_t want = h->spec->pad_to ? h->spec->pad_to : now >= F5_LOW && now <= F5_HIGH ? F5_HIGH + 1 : 0;
    if (!h->prof->record || h->spec->no_pad || !want || now > want) {
        return;
    }
    size_t left = now + 4 > want ? 0 : want - now - 4; /* 509-511: the extension alone leaves the range */
    static const uint8_t zeros[64];
    td_bld_u16(h->b, TD_EXT_PADDING);
    td_bld_open(h->b, 2);
    while (left > 0) {
        size_t k = left < sizeof zeros ? left : sizeof zeros;
        td_bld_bytes(h->b, zeros, k);
        left -= k;
    }
    td_bld_close(h->b);
}

/* RFC 7301 3.1: ProtocolNameList with one name. */
static void add_alpn(const struct hello_ctx *h)
{
    td_bld_u16(h->b, TD_EXT_APPLICATION_LAYER_PROTOCOL_NEGOTIATION);
    td_bld_open(h->b, 2);
    td_bld_open(h->b, 2);
    td_bld_open(h->b, 1);
    td_bld_bytes(h->b, h->prof->alpn, strlen(h->prof->alpn));
    td_bld_close(h->b);
    td_bld_close(h->b);
    td_bld_close(h->b);
}

/* The extensions a profile may list, each with its writer (the builder's half
 * of BoringSSL's kExtensions[]). A type without a row goes out with empty
 * extension_data, as extended_master_secret (RFC 7627 5.1) does. */
static const struct ext_writer {
    uint16_t type;
    void (*add)(const struct hello_ctx *);
} ext_writers[] = {
    {TD_EXT_SERVER_NAME, add_server_name},
    {TD_EXT_SUPPORTED_GROUPS, add_supported_groups},
    {TD_EXT_EC_POINT_FORMATS, add_ec_point_formats},
    {TD_EXT_SIGNATURE_ALGORITHMS, add_signature_algorithms},
    {TD_EXT_APPLICATION_LAYER_PROTOCOL_NEGOTIATION, add_alpn},
    {TD_EXT_SUPPORTED_VERSIONS, add_supported_versions},
    {TD_EXT_PSK_KEY_EXCHANGE_MODES, add_psk_key_exchange_modes},
    {TD_EXT_KEY_SHARE, add_key_share},
    {TD_EXT_RENEGOTIATION_INFO, add_renegotiation_info},
};

static void add_ext(const struct hello_ctx *h, uint16_t type)
{
    for (size_t i = 0; i < sizeof ext_writers / sizeof ext_writers[0]; i++) {
        if (ext_writers[i].type == type) {
            ext_writers[i].add(h);
            return;
        }
    }
    td_bld_u16(h->b, type);
    td_bld_open(h->b, 2);
    td_bld_close(h->b);
}

/*
 * RFC 8446 4.1.2 / RFC 5246 7.4.1.2:
 *   struct {
 *       ProtocolVersion legacy_version;
 *       Random random;
 *       opaque legacy_session_id<0..32>;
 *       CipherSuite cipher_suites<2..2^16-2>;
 *       opaque legacy_compression_methods<1..2^8-1>;
 *       Extension extensions<8..2^16-1>;
 *   } ClientHello;
 * in a Handshake (RFC 8446 4) in a TLSPlaintext record (5.1) for the probe.
 */
bool td_build_client_hello(struct td_buf *out, const struct td_hello_spec *spec)
{
    if ((size_t)spec->profile >= sizeof hello_profiles / sizeof hello_profiles[0]) {
        return false;
    }
    const struct hello_profile *prof = &hello_profiles[spec->profile];
    struct td_bld b;
    struct hello_ctx h = {&b, spec, prof};
    size_t start = out->len;
    td_bld_init(&b, out);
    if (prof->record) {
        /* Record version: TLS 1.0 unless SSLv3 is all that is offered, since
         * some servers refuse a higher one (RFC 8446 5.1, RFC 5246 E.1). */
        td_bld_u8(&b, TD_CT_HANDSHAKE);
        td_bld_u16(&b, spec->version == TD_VERSION_SSL3 ? TD_VERSION_SSL3 : TD_VERSION_TLS1_0);
        td_bld_open(&b, 2);
        td_bld_u8(&b, TD_HS_CLIENT_HELLO);
        td_bld_open(&b, 3);
    }
    td_bld_u16(&b, spec->version > TD_VERSION_TLS1_2 ? TD_VERSION_TLS1_2 : spec->version);
    td_bld_bytes(&b, spec->random, 32);
    td_bld_open(&b, 1);
    if (prof->compat_session_id) {
        td_bld_bytes(&b, spec->random, 32);
    }
    td_bld_close(&b);
    u16_list(&b, 2, spec->suites, spec->num_suites);
    td_bld_open(&b, 1);
    td_bld_u8(&b, 0); /* null compression */
    td_bld_close(&b);
    td_bld_open(&b, 2);
    for (size_t i = 0; i < prof->num_exts; i++) {
        if (!(spec->no_ems && prof->exts[i] == TD_EXT_EXTENDED_MASTER_SECRET)) {
            add_ext(&h, prof->exts[i]);
        }
    }
    add_padding(&h, start);
    td_bld_close(&b);
    if (prof->record) {
        td_bld_close(&b);
        td_bld_close(&b);
    }
    return td_bld_finish(&b);
}
