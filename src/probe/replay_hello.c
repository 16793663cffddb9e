/* The captured ClientHello read into its parts with the cursor (every byte of
 * a capture is hostile), and written back with the builder: the same fields
 * and extensions in the same order, with a fresh random, session id and key
 * shares, and one edit (replay_internal.h, struct td_rh_edit). */
#include <stdio.h>
#include <string.h>

#include "base/builder.h"
#include "base/cursor.h"
#include "probe/replay_internal.h"
#include "tls/names.h"

#include "base/mem.h"

#include "base/banned.h"

/* Records carry at most 2^14 bytes of plaintext (RFC 8446 5.1). */
#define RECORD_MAX 16384
#define SHARE_MAX 1024

static bool parse_exts(struct td_rh *h, struct td_cur *c, const char **err)
{
    struct td_cur all;
    if (!td_cur_get_u16_prefixed(c, &all)) {
        *err = "extensions: length past the end";
        return false;
    }
    h->has_exts_block = true;
    while (td_cur_len(&all) > 0) {
        uint16_t type;
        struct td_cur data;
        if (!td_cur_get_u16(&all, &type) || !td_cur_get_u16_prefixed(&all, &data)) {
            *c = all;
            *err = "extension: header or length past the end";
            return false;
        }
        if (h->num_exts == TD_RH_MAX_EXTS) {
            *c = all;
            *err = "more extensions than tlsdiag replays (64)";
            return false;
        }
        h->exts[h->num_exts++] = (struct td_rh_ext){type, td_cur_data(&data), td_cur_len(&data)};
    }
    return true;
}

bool td_rh_parse(struct td_rh *h, const uint8_t *p, size_t n, const char **err, size_t *off)
{
    td_memzero(h, sizeof *h);
    struct td_cur c, sid, suites, comp;
    td_cur_init(&c, p, n);
    *err = NULL;
    if (!td_cur_get_u16(&c, &h->legacy_version) || !td_cur_skip(&c, 32)) {
        *err = "version or random past the end";
    } else if (!td_cur_get_u8_prefixed(&c, &sid) || td_cur_len(&sid) > 32) {
        *err = "legacy_session_id: longer than 32 bytes or past the end";
    } else if (!td_cur_get_u16_prefixed(&c, &suites) || td_cur_len(&suites) < 2 || td_cur_len(&suites) % 2) {
        *err = "cipher_suites: odd, empty or past the end";
    } else if (td_cur_len(&suites) / 2 > TD_RH_MAX_SUITES) {
        *err = "more cipher suites than tlsdiag replays (512)";
    } else if (!td_cur_get_u8_prefixed(&c, &comp) || td_cur_len(&comp) < 1) {
        *err = "legacy_compression_methods: empty or past the end";
    }
    if (*err) {
        *off = td_cur_offset(&c);
        return false;
    }
    h->session_id_len = (uint8_t)td_cur_len(&sid);
    while (td_cur_len(&suites) > 0) {
        td_cur_get_u16(&suites, &h->suites[h->num_suites++]);
    }
    h->comp = td_cur_data(&comp);
    h->comp_len = td_cur_len(&comp);
    if (td_cur_len(&c) > 0 && !parse_exts(h, &c, err)) {
        *off = td_cur_offset(&c);
        return false;
    }
    if (td_cur_len(&c) > 0) {
        *err = "bytes after the extensions";
        *off = td_cur_offset(&c);
        return false;
    }
    return true;
}

const struct td_rh_ext *td_rh_find(const struct td_rh *h, uint16_t type)
{
    for (size_t i = 0; i < h->num_exts; i++) {
        if (h->exts[i].type == type) {
            return &h->exts[i];
        }
    }
    return NULL;
}

bool td_rh_has_suite(const struct td_rh *h, uint16_t s)
{
    for (size_t i = 0; i < h->num_suites; i++) {
        if (h->suites[i] == s) {
            return true;
        }
    }
    return false;
}

bool td_group_is_pq(uint16_t g)
{
    return (g >= TD_GROUP_MLKEM512 && g <= TD_GROUP_MLKEM1024) ||
           (g >= TD_GROUP_SECP256R1MLKEM768 && g <= TD_GROUP_SECP384R1MLKEM1024) ||
           g == TD_GROUP_X25519KYBER768DRAFT00 || g == 0x639a; /* SecP256r1Kyber768Draft00 */
}

size_t td_rh_groups(const struct td_rh *h, uint16_t *out, size_t max)
{
    const struct td_rh_ext *e = td_rh_find(h, TD_EXT_SUPPORTED_GROUPS);
    struct td_cur c, list = {0};
    size_t n = 0;
    td_cur_init(&c, e ? e->p : NULL, e ? e->len : 0);
    if (!td_cur_get_u16_prefixed(&c, &list)) {
        return 0;
    }
    while (n < max && td_cur_get_u16(&list, &out[n])) {
        n++;
    }
    return n;
}

uint16_t td_rh_max_version(const struct td_rh *h)
{
    uint16_t best = h->legacy_version;
    const struct td_rh_ext *e = td_rh_find(h, TD_EXT_SUPPORTED_VERSIONS);
    struct td_cur c, list = {0};
    td_cur_init(&c, e ? e->p : NULL, e ? e->len : 0);
    if (e && td_cur_get_u8_prefixed(&c, &list)) {
        uint16_t v;
        best = 0;
        while (td_cur_get_u16(&list, &v)) {
            if (!td_is_grease(v) && v > best && v <= TD_VERSION_TLS1_3) {
                best = v;
            }
        }
    }
    return best;
}

static void note(char *notes, size_t len, const char *fmt, const char *what)
{
    if (!notes || strstr(notes, what)) {
        return;
    }
    size_t used = strlen(notes);
    snprintf(notes + used, len - used, fmt, used ? "; " : "", what);
}

struct rh_ctx {
    struct td_bld *b;
    const struct td_rh *h;
    const struct td_rh_edit *e;
    char *notes;
    size_t notes_len;
};

/* RFC 8446 4.2.7 NamedGroupList: the groups but the PQ ones (drop_pq), plus add_group. */
static void put_groups(const struct rh_ctx *x)
{
    uint16_t g[128];
    size_t n = td_rh_groups(x->h, g, 128);
    td_bld_u16(x->b, TD_EXT_SUPPORTED_GROUPS);
    td_bld_open(x->b, 2);
    td_bld_open(x->b, 2);
    bool have = false;
    for (size_t i = 0; i < n; i++) {
        have = have || g[i] == x->e->add_group;
        if (!(x->e->drop_pq && td_group_is_pq(g[i]))) {
            td_bld_u16(x->b, g[i]);
        }
    }
    if (x->e->add_group && !have) {
        td_bld_u16(x->b, x->e->add_group);
    }
    td_bld_close(x->b);
    td_bld_close(x->b);
}

static bool put_share(const struct rh_ctx *x, uint16_t group)
{
    uint8_t key[SHARE_MAX];
    size_t n = td_replay_key_share(group, key, sizeof key);
    if (n == 0) {
        char name[40];
        char what[80];
        td_strcopy(what, sizeof what, td_group_str(group, name, sizeof name));
        note(x->notes, x->notes_len, "%skey share %s dropped (not generated here)", what);
        return false;
    }
    td_bld_u16(x->b, group);
    td_bld_open(x->b, 2);
    td_bld_bytes(x->b, key, n);
    td_bld_close(x->b);
    return true;
}

/* RFC 8446 4.2.8 KeyShareClientHello: a fresh share for each group offered
 * (GREASE ones copied), the PQ ones left out with drop_pq, add_group's added. */
static void put_key_share(const struct rh_ctx *x, const struct td_rh_ext *ext)
{
    struct td_cur c, list = {0};
    td_cur_init(&c, ext->p, ext->len);
    td_cur_get_u16_prefixed(&c, &list);
    td_bld_u16(x->b, TD_EXT_KEY_SHARE);
    td_bld_open(x->b, 2);
    td_bld_open(x->b, 2);
    bool have = false;
    uint16_t g;
    struct td_cur key;
    while (td_cur_get_u16(&list, &g) && td_cur_get_u16_prefixed(&list, &key)) {
        have = have || g == x->e->add_group;
        if (td_is_grease(g)) {
            td_bld_u16(x->b, g);
            td_bld_open(x->b, 2);
            td_bld_bytes(x->b, td_cur_data(&key), td_cur_len(&key));
            td_bld_close(x->b);
        } else if (!(x->e->drop_pq && td_group_is_pq(g))) {
            put_share(x, g);
        }
    }
    if (x->e->add_group && !have) {
        put_share(x, x->e->add_group);
    }
    td_bld_close(x->b);
    td_bld_close(x->b);
}

/* RFC 8446 4.2.1: the versions, with edit.version first when it is not there. */
static void put_versions(const struct rh_ctx *x, const struct td_rh_ext *ext)
{
    struct td_cur c, list = {0};
    td_cur_init(&c, ext->p, ext->len);
    td_cur_get_u8_prefixed(&c, &list);
    td_bld_u16(x->b, TD_EXT_SUPPORTED_VERSIONS);
    td_bld_open(x->b, 2);
    td_bld_open(x->b, 1);
    bool have = false;
    struct td_cur scan = list;
    uint16_t v;
    while (td_cur_get_u16(&scan, &v)) {
        have = have || v == x->e->version;
    }
    if (x->e->version && !have) {
        td_bld_u16(x->b, x->e->version);
    }
    td_bld_bytes(x->b, td_cur_data(&list), td_cur_len(&list));
    td_bld_close(x->b);
    td_bld_close(x->b);
}

static void put_sni(const struct rh_ctx *x)
{
    const char *name = x->e->add_sni;
    td_bld_u16(x->b, TD_EXT_SERVER_NAME);
    td_bld_open(x->b, 2);
    td_bld_open(x->b, 2);
    td_bld_u8(x->b, 0); /* host_name */
    td_bld_open(x->b, 2);
    td_bld_bytes(x->b, name, strlen(name));
    td_bld_close(x->b);
    td_bld_close(x->b);
    td_bld_close(x->b);
}

/* What a TLS 1.2 offer needs when the hello had none (RFC 5246 7.4.1.4.1). */
static void put_sigalgs(const struct rh_ctx *x)
{
    static const uint16_t s[] = {
        TD_SIGSCHEME_ECDSA_SECP256R1_SHA256, TD_SIGSCHEME_RSA_PSS_RSAE_SHA256, TD_SIGSCHEME_RSA_PKCS1_SHA256,
        TD_SIGSCHEME_ECDSA_SECP384R1_SHA384, TD_SIGSCHEME_RSA_PSS_RSAE_SHA384, TD_SIGSCHEME_RSA_PKCS1_SHA384,
        TD_SIGSCHEME_RSA_PKCS1_SHA512,       TD_SIGSCHEME_ECDSA_SHA1,          TD_SIGSCHEME_RSA_PKCS1_SHA1,
    };
    td_bld_u16(x->b, TD_EXT_SIGNATURE_ALGORITHMS);
    td_bld_open(x->b, 2);
    td_bld_open(x->b, 2);
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        td_bld_u16(x->b, s[i]);
    }
    td_bld_close(x->b);
    td_bld_close(x->b);
}

static void put_ext(const struct rh_ctx *x, const struct td_rh_ext *ext)
{
    const struct td_rh_edit *e = x->e;
    if (e->drop_ext_set && ext->type == e->drop_ext) {
        return;
    }
    switch (ext->type) {
    case TD_EXT_SUPPORTED_GROUPS:
        put_groups(x);
        return;
    case TD_EXT_KEY_SHARE:
        put_key_share(x, ext);
        return;
    case TD_EXT_SUPPORTED_VERSIONS:
        put_versions(x, ext);
        return;
    case TD_EXT_PRE_SHARED_KEY: /* its binders are keyed by a secret the capture does not hold */
        note(x->notes, x->notes_len, "%s%s left out (its binders need the session's secret)", "pre_shared_key");
        return;
    case TD_EXT_EARLY_DATA:
        note(x->notes, x->notes_len, "%s%s left out (no data is ever sent)", "early_data");
        return;
    case TD_EXT_PADDING:
        if (e->pad_to) {
            return;
        }
        break;
    default:
        break;
    }
    td_bld_u16(x->b, ext->type);
    td_bld_open(x->b, 2);
    td_bld_bytes(x->b, ext->p, ext->len);
    td_bld_close(x->b);
}

static void put_exts(const struct rh_ctx *x, size_t pad)
{
    const struct td_rh *h = x->h;
    const struct td_rh_edit *e = x->e;
    bool need_sigalgs = e->version >= TD_VERSION_TLS1_2 && !td_rh_find(h, TD_EXT_SIGNATURE_ALGORITHMS);
    bool need_groups = e->add_group && !td_rh_find(h, TD_EXT_SUPPORTED_GROUPS);
    if (!h->has_exts_block && !e->add_sni && !need_sigalgs && !need_groups && !pad) {
        return;
    }
    td_bld_open(x->b, 2);
    if (e->add_sni && !td_rh_find(h, TD_EXT_SERVER_NAME)) {
        put_sni(x);
    }
    for (size_t i = 0; i < h->num_exts; i++) {
        put_ext(x, &h->exts[i]);
    }
    if (need_groups) {
        put_groups(x);
    }
    if (need_sigalgs) {
        put_sigalgs(x);
    }
    if (pad) {
        uint8_t zeros[256] = {0};
        td_bld_u16(x->b, TD_EXT_PADDING);
        td_bld_open(x->b, 2);
        for (size_t left = pad; left > 0;) {
            size_t k = left < sizeof zeros ? left : sizeof zeros;
            td_bld_bytes(x->b, zeros, k);
            left -= k;
        }
        td_bld_close(x->b);
    }
    td_bld_close(x->b);
}

/* The Handshake message (type, length, body). */
static bool build_message(const struct rh_ctx *x, size_t pad, struct td_buf *msg)
{
    const struct td_rh *h = x->h;
    const struct td_rh_edit *e = x->e;
    struct td_bld b;
    struct rh_ctx y = *x;
    y.b = &b;
    td_bld_init(&b, msg);
    td_bld_u8(&b, TD_HS_CLIENT_HELLO);
    td_bld_open(&b, 3);
    uint16_t legacy = h->legacy_version;
    if (e->version > legacy && e->version <= TD_VERSION_TLS1_2) {
        legacy = e->version;
    }
    td_bld_u16(&b, legacy);
    uint8_t fresh[64];
    td_replay_random(fresh, sizeof fresh);
    td_bld_bytes(&b, fresh, 32);
    td_bld_open(&b, 1);
    td_bld_bytes(&b, fresh + 32, h->session_id_len);
    td_bld_close(&b);
    td_bld_open(&b, 2);
    for (size_t i = 0; i < h->num_suites; i++) {
        td_bld_u16(&b, h->suites[i]);
    }
    if (e->add_suite && !td_rh_has_suite(h, e->add_suite)) {
        td_bld_u16(&b, e->add_suite);
    }
    td_bld_close(&b);
    td_bld_open(&b, 1);
    td_bld_bytes(&b, h->comp, h->comp_len);
    td_bld_close(&b);
    put_exts(&y, pad);
    td_bld_close(&b);
    return td_bld_finish(&b);
}

bool td_rh_build(const struct td_rh *h, const struct td_rh_edit *e, struct td_buf *out, char *notes, size_t notes_len)
{
    struct rh_ctx x = {NULL, h, e, notes, notes_len};
    struct td_buf msg = {0};
    bool ok = build_message(&x, 0, &msg);
    if (ok && e->pad_to > msg.len + 4) {
        /* padding's own header is 4 bytes; an extensions block may have to be opened (2 more) */
        size_t pad = e->pad_to - msg.len - 4 - (h->has_exts_block ? 0 : 2);
        msg.len = 0;
        x.notes = NULL;
        ok = build_message(&x, pad, &msg);
    }
    uint16_t rec_version = h->legacy_version < TD_VERSION_TLS1_0 ? TD_VERSION_SSL3 : TD_VERSION_TLS1_0;
    for (size_t at = 0; ok && at < msg.len; at += RECORD_MAX) {
        size_t k = msg.len - at < RECORD_MAX ? msg.len - at : RECORD_MAX;
        struct td_bld b;
        td_bld_init(&b, out);
        td_bld_u8(&b, TD_CT_HANDSHAKE);
        td_bld_u16(&b, rec_version);
        td_bld_open(&b, 2);
        td_bld_bytes(&b, msg.data + at, k);
        td_bld_close(&b);
        ok = td_bld_finish(&b);
    }
    td_buf_free(&msg);
    return ok;
}
