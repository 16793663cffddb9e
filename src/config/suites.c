/* Protocol version names and cipher suite names as configuration files
 * write them: IANA/Java names (from the generated IANA table, tls/names.h;
 * Java's SSL_ prefix for the old suites), OpenSSL names derived from the IANA
 * name's parts (key exchange, authentication, cipher, MAC) by OpenSSL's own
 * naming rules and their exceptions, and OpenSSL cipher strings
 * ("HIGH:!aNULL:!MD5", "ECDHE+AESGCM") evaluated over the same parts. */
#include <stdio.h>
#include <string.h>

#include "config/internal.h"
#include "tls/names.h"

#include "base/mem.h"

#include "base/banned.h"

/* The parts of a suite (bits). */
enum {
    K_RSA = 1 << 0,
    K_ECDHE = 1 << 1,
    K_DHE = 1 << 2,
    K_PSK = 1 << 3,
    K_ECDH = 1 << 4,
    K_DH = 1 << 5,
    K_SRP = 1 << 6,
    K_TLS13 = 1 << 7,
    K_DHEPSK = 1 << 8, /* OpenSSL's kDHEPSK, kECDHEPSK, kRSAPSK: none of them kDHE, kECDHE or kRSA */
    K_ECDHEPSK = 1 << 9,
    K_RSAPSK = 1 << 10,
};
#define K_ANY_PSK (K_PSK | K_DHEPSK | K_ECDHEPSK | K_RSAPSK)
enum { A_RSA = 1 << 0, A_ECDSA = 1 << 1, A_DSS = 1 << 2, A_NULL = 1 << 3, A_PSK = 1 << 4, A_OTHER = 1 << 5 };
enum {
    E_AES128 = 1 << 0,
    E_AES256 = 1 << 1,
    E_GCM = 1 << 2,
    E_CCM = 1 << 3,
    E_CCM8 = 1 << 4,
    E_CHACHA = 1 << 5,
    E_3DES = 1 << 6,
    E_RC4 = 1 << 7,
    E_CAMELLIA = 1 << 8,
    E_ARIA = 1 << 9,
    E_NULL = 1 << 10,
    E_DES = 1 << 11,
    E_SEED = 1 << 12,
    E_IDEA = 1 << 13,
    E_OTHER = 1 << 14,
    E_128 = 1 << 15,
    E_256 = 1 << 16,
};
enum { M_SHA1 = 1, M_SHA256 = 2, M_SHA384 = 4, M_MD5 = 8, M_AEAD = 16 };

struct suite {
    uint16_t value;
    const char *iana;
    char ossl[64];
    unsigned k, a, e, m, versions;
};

static struct suite table[TD_CONF_MAX_SUITES];
static size_t num_table;

static const struct {
    const char *iana_kx;
    unsigned k, a;
    const char *prefix; /* OpenSSL's, NULL: OpenSSL has no such suites */
} kxs[] = {
    {"RSA", K_RSA, A_RSA, ""},
    {"ECDHE_RSA", K_ECDHE, A_RSA, "ECDHE-RSA-"},
    {"ECDHE_ECDSA", K_ECDHE, A_ECDSA, "ECDHE-ECDSA-"},
    {"DHE_RSA", K_DHE, A_RSA, "DHE-RSA-"},
    {"DHE_DSS", K_DHE, A_DSS, "DHE-DSS-"},
    {"DH_anon", K_DHE, A_NULL, "ADH-"},
    {"ECDH_anon", K_ECDHE, A_NULL, "AECDH-"},
    {"PSK", K_PSK, A_PSK, "PSK-"},
    {"DHE_PSK", K_DHEPSK, A_PSK, "DHE-PSK-"},
    {"PSK_DHE", K_DHEPSK, A_PSK, "DHE-PSK-"}, /* RFC 6655's TLS_PSK_DHE_WITH_AES_128_CCM_8 */
    {"RSA_PSK", K_RSAPSK, A_RSA, "RSA-PSK-"},
    {"ECDHE_PSK", K_ECDHEPSK, A_PSK, "ECDHE-PSK-"},
    {"SRP_SHA", K_SRP, A_OTHER, "SRP-"},
    {"SRP_SHA_RSA", K_SRP, A_RSA, "SRP-RSA-"},
    {"SRP_SHA_DSS", K_SRP, A_DSS, "SRP-DSS-"},
    {"ECDH_RSA", K_ECDH, A_RSA, NULL},
    {"ECDH_ECDSA", K_ECDH, A_ECDSA, NULL},
    {"DH_RSA", K_DH, A_RSA, NULL},
    {"DH_DSS", K_DH, A_DSS, NULL},
};

static const struct {
    const char *iana_enc;
    unsigned e;
    const char *ossl;
} encs[] = {
    {"AES_128_CBC", E_AES128 | E_128, "AES128"},
    {"AES_256_CBC", E_AES256 | E_256, "AES256"},
    {"AES_128_GCM", E_AES128 | E_GCM | E_128, "AES128-GCM"},
    {"AES_256_GCM", E_AES256 | E_GCM | E_256, "AES256-GCM"},
    {"AES_128_CCM", E_AES128 | E_CCM | E_128, "AES128-CCM"},
    {"AES_256_CCM", E_AES256 | E_CCM | E_256, "AES256-CCM"},
    {"AES_128_CCM_8", E_AES128 | E_CCM8 | E_128, "AES128-CCM8"},
    {"AES_256_CCM_8", E_AES256 | E_CCM8 | E_256, "AES256-CCM8"},
    {"CHACHA20_POLY1305", E_CHACHA | E_256, "CHACHA20-POLY1305"},
    {"3DES_EDE_CBC", E_3DES, "DES-CBC3"},
    {"RC4_128", E_RC4 | E_128, "RC4"},
    {"CAMELLIA_128_CBC", E_CAMELLIA | E_128, "CAMELLIA128"},
    {"CAMELLIA_256_CBC", E_CAMELLIA | E_256, "CAMELLIA256"},
    {"ARIA_128_GCM", E_ARIA | E_GCM | E_128, "ARIA128-GCM"},
    {"ARIA_256_GCM", E_ARIA | E_GCM | E_256, "ARIA256-GCM"},
    {"NULL", E_NULL, "NULL"},
    {"DES_CBC", E_DES, "DES-CBC"},
    {"SEED_CBC", E_SEED | E_128, "SEED"},
    {"IDEA_CBC", E_IDEA | E_128, "IDEA"},
};

/* Where OpenSSL's names leave its own rule (openssl ciphers -stdname). */
static const struct {
    const char *iana, *ossl;
} exceptions[] = {
    {"TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "EDH-RSA-DES-CBC3-SHA"},
    {"TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "EDH-DSS-DES-CBC3-SHA"},
    {"TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ARIA128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ARIA256-GCM-SHA384"},
    {"TLS_PSK_WITH_3DES_EDE_CBC_SHA", "PSK-3DES-EDE-CBC-SHA"},
    {"TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA", "DHE-PSK-3DES-EDE-CBC-SHA"},
    {"TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA", "RSA-PSK-3DES-EDE-CBC-SHA"},
    {"TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA", "ECDHE-PSK-3DES-EDE-CBC-SHA"},
    {"TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", "SRP-3DES-EDE-CBC-SHA"},
    {"TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA", "SRP-RSA-3DES-EDE-CBC-SHA"},
    {"TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA", "SRP-DSS-3DES-EDE-CBC-SHA"},
};

static void openssl_name(struct suite *s, const char *prefix, const char *enc_ossl)
{
    for (size_t i = 0; i < sizeof exceptions / sizeof exceptions[0]; i++) {
        if (strcmp(exceptions[i].iana, s->iana) == 0) {
            td_strcopy(s->ossl, sizeof s->ossl, exceptions[i].ossl);
            return;
        }
    }
    if (!prefix) {
        return;
    }
    const char *mac = s->m == M_SHA1     ? "-SHA"
                      : s->m == M_SHA256 ? "-SHA256"
                      : s->m == M_SHA384 ? "-SHA384"
                      : s->m == M_MD5    ? "-MD5"
                                         : "";
    if ((s->e & E_CHACHA) || (s->e & (E_CCM | E_CCM8))) {
        mac = "";
    }
    char enc[32];
    td_strcopy(enc, sizeof enc, enc_ossl);
    if ((s->k & (K_ANY_PSK | K_SRP)) && (s->e & (E_AES128 | E_AES256)) && !(s->e & (E_GCM | E_CCM | E_CCM8))) {
        snprintf(enc, sizeof enc, (s->k & K_SRP) ? "AES-%s-CBC" : "AES%s-CBC", (s->e & E_AES128) ? "128" : "256");
    }
    snprintf(s->ossl, sizeof s->ossl, "%s%s%s", prefix, enc, mac);
}

/* TLS_<kx>_WITH_<enc>_<mac>, or TLS_<enc>_<hash> for TLS 1.3. */
static bool parse_iana(struct suite *s)
{
    const char *n = s->iana;
    if (strncmp(n, "TLS_", 4) != 0 || strstr(n, "SCSV") || strstr(n, "EXPORT") || strstr(n, "KRB5")) {
        return false;
    }
    n += 4;
    const char *with = strstr(n, "_WITH_");
    size_t kl = with ? (size_t)(with - n) : 0;
    const char *rest = with ? with + 6 : n;
    const char *prefix = NULL;
    if (with) {
        size_t i = 0;
        for (; i < sizeof kxs / sizeof kxs[0]; i++) {
            if (strlen(kxs[i].iana_kx) == kl && strncmp(kxs[i].iana_kx, n, kl) == 0) {
                break;
            }
        }
        if (i == sizeof kxs / sizeof kxs[0]) {
            return false;
        }
        s->k = kxs[i].k;
        s->a = kxs[i].a;
        prefix = kxs[i].prefix;
    } else {
        s->k = K_TLS13;
        s->a = A_OTHER;
    }
    size_t rl = strlen(rest), ml = 0;
    static const struct {
        const char *sfx;
        unsigned m;
    } macs[] = {{"_SHA", M_SHA1}, {"_SHA256", M_SHA256}, {"_SHA384", M_SHA384}, {"_MD5", M_MD5}};
    s->m = M_AEAD;
    for (size_t i = 0; i < sizeof macs / sizeof macs[0]; i++) {
        size_t l = strlen(macs[i].sfx);
        if (rl > l && strcmp(rest + rl - l, macs[i].sfx) == 0) {
            s->m = macs[i].m;
            ml = l;
        }
    }
    for (size_t i = 0; i < sizeof encs / sizeof encs[0]; i++) {
        if (strlen(encs[i].iana_enc) == rl - ml && strncmp(encs[i].iana_enc, rest, rl - ml) == 0) {
            s->e = encs[i].e;
            if (s->k == K_TLS13) {
                td_strcopy(s->ossl, sizeof s->ossl, s->iana); /* OpenSSL uses the IANA names */
            } else {
                openssl_name(s, prefix, encs[i].ossl);
            }
            break;
        }
    }
    if (!s->e) {
        return false;
    }
    bool tls12 = (s->e & (E_GCM | E_CCM | E_CCM8 | E_CHACHA)) || s->m == M_SHA256 || s->m == M_SHA384;
    /* RFC 5487's PSK suites with SHA-256/384 and the ECDHE suites (RFC 4492) start at TLS 1.0, not SSL 3.0 */
    bool psk_sha2 = (s->k & K_ANY_PSK) && (s->m == M_SHA256 || s->m == M_SHA384) &&
                    !(s->e & (E_GCM | E_CCM | E_CCM8 | E_CHACHA));
    bool tls10 = psk_sha2 || (s->k & (K_ECDHE | K_ECDHEPSK));
    s->versions = s->k == K_TLS13      ? TD_V_TLS13
                  : psk_sha2 || !tls12 ? (tls10 ? 0 : TD_V_SSL3) | TD_V_TLS10 | TD_V_TLS11 | TD_V_TLS12
                                       : TD_V_TLS12;
    return true;
}

static void build_table(void)
{
    if (num_table) {
        return;
    }
    for (size_t i = 0; i < td_suite_names_len && num_table < TD_CONF_MAX_SUITES; i++) {
        struct suite *s = &table[num_table];
        td_memzero(s, sizeof *s);
        s->value = (uint16_t)td_suite_names[i].value;
        s->iana = td_suite_names[i].name;
        if (parse_iana(s)) {
            num_table++;
        }
    }
}

static const struct suite *find_value(uint16_t v)
{
    build_table();
    for (size_t i = 0; i < num_table; i++) {
        if (table[i].value == v) {
            return &table[i];
        }
    }
    return NULL;
}

bool td_conf_suite_by_name(const char *name, size_t len, uint16_t *out)
{
    build_table();
    char alt[96];
    if (len > 4 && len < sizeof alt && td_conf_ieq(name, 4, "SSL_")) { /* Java's names for the SSL 3.0 suites */
        snprintf(alt, sizeof alt, "TLS_%.*s", (int)(len - 4), name + 4);
    } else {
        alt[0] = '\0';
    }
    for (size_t i = 0; i < num_table; i++) {
        const struct suite *s = &table[i];
        if (td_conf_ieq(name, len, s->iana) || (s->ossl[0] && td_conf_ieq(name, len, s->ossl)) ||
            (alt[0] && td_conf_ieq(alt, strlen(alt), s->iana))) {
            *out = s->value;
            return true;
        }
    }
    return false;
}

const char *td_conf_suite_openssl_name(uint16_t v, char *buf, size_t len)
{
    const struct suite *s = find_value(v);
    td_strcopy(buf, len, s ? s->ossl : "");
    return buf;
}

unsigned td_conf_suite_versions(uint16_t v)
{
    const struct suite *s = find_value(v);
    return s ? s->versions : 0;
}

unsigned td_conf_version_bit(const char *name, size_t len)
{
    static const struct {
        const char *n;
        unsigned bit;
    } v[] = {
        {"SSLv3", TD_V_SSL3},    {"TLSv1", TD_V_TLS10},   {"TLSv1.0", TD_V_TLS10}, {"TLSv1_0", TD_V_TLS10},
        {"TLSv1.1", TD_V_TLS11}, {"TLSv1_1", TD_V_TLS11}, {"TLSv1.2", TD_V_TLS12}, {"TLSv1_2", TD_V_TLS12},
        {"TLSv1.3", TD_V_TLS13}, {"TLSv1_3", TD_V_TLS13}, {"TLS1.0", TD_V_TLS10},  {"TLS1.1", TD_V_TLS11},
        {"TLS1.2", TD_V_TLS12},  {"TLS1.3", TD_V_TLS13},  {"SSL3", TD_V_SSL3},     {"SSLv3.0", TD_V_SSL3},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        if (td_conf_ieq(name, len, v[i].n)) {
            return v[i].bit;
        }
    }
    return 0;
}

/* OpenSSL's cipher-string words (ciphers(1)) as tests on a suite's parts.
 * field: 0 key exchange, 1 authentication, 2 cipher, 3 MAC (not for AEAD
 * suites, as OpenSSL counts them), 4 versions, 5 authenticated key exchange. */
static const struct {
    const char *w;
    int field;
    unsigned bits;
} aliases[] = {
    {"kRSA", 0, K_RSA},
    {"RSA", 0, K_RSA},
    {"aRSA", 1, A_RSA},
    {"aECDSA", 1, A_ECDSA},
    {"ECDSA", 1, A_ECDSA},
    {"aDSS", 1, A_DSS},
    {"DSS", 1, A_DSS},
    {"aNULL", 1, A_NULL},
    {"aPSK", 1, A_PSK},
    {"kECDHE", 0, K_ECDHE},
    {"kEECDH", 0, K_ECDHE},
    {"ECDH", 0, K_ECDHE},
    {"ECDHE", 5, K_ECDHE},
    {"EECDH", 5, K_ECDHE},
    {"kDHE", 0, K_DHE},
    {"kEDH", 0, K_DHE},
    {"DH", 0, K_DHE},
    {"DHE", 5, K_DHE},
    {"EDH", 5, K_DHE},
    {"PSK", 0, K_ANY_PSK},
    {"kPSK", 0, K_PSK},
    {"kDHEPSK", 0, K_DHEPSK},
    {"kECDHEPSK", 0, K_ECDHEPSK},
    {"kRSAPSK", 0, K_RSAPSK},
    {"SRP", 0, K_SRP},
    {"kSRP", 0, K_SRP},
    {"eNULL", 2, E_NULL},
    {"NULL", 2, E_NULL},
    {"AES", 2, E_AES128 | E_AES256},
    {"AES128", 2, E_AES128},
    {"AES256", 2, E_AES256},
    {"AESGCM", 2, E_GCM},
    {"AESCCM", 2, E_CCM | E_CCM8},
    {"AESCCM8", 2, E_CCM8},
    {"CHACHA20", 2, E_CHACHA},
    {"3DES", 2, E_3DES},
    {"DES", 2, E_DES},
    {"RC4", 2, E_RC4},
    {"CAMELLIA", 2, E_CAMELLIA},
    {"CAMELLIA128", 2, E_CAMELLIA | E_128},
    {"CAMELLIA256", 2, E_CAMELLIA | E_256},
    {"ARIA", 2, E_ARIA},
    {"ARIA128", 2, E_ARIA | E_128},
    {"ARIA256", 2, E_ARIA | E_256},
    {"ARIAGCM", 2, E_ARIA},
    {"SEED", 2, E_SEED},
    {"IDEA", 2, E_IDEA},
    {"MD5", 3, M_MD5},
    {"SHA1", 3, M_SHA1},
    {"SHA", 3, M_SHA1},
    {"SHA256", 3, M_SHA256},
    {"SHA384", 3, M_SHA384},
    {"TLSv1.2", 4, 0},
    {"TLSv1.0", 4, 2},
    {"TLSv1", 4, 2},
    {"SSLv3", 4, 1},
};

static bool alias_test(const struct suite *s, int field, unsigned bits)
{
    bool aead = (s->e & (E_GCM | E_CCM | E_CCM8 | E_CHACHA)) != 0;
    switch (field) {
    case 0:
        return (s->k & bits) != 0;
    case 1:
        return (s->a & bits) != 0;
    case 2:
        if (bits == E_GCM) {
            return (s->e & E_GCM) && (s->e & (E_AES128 | E_AES256));
        }
        if (bits & (E_128 | E_256)) { /* CAMELLIA128 and the like: the cipher and its size */
            return (s->e & bits) == bits;
        }
        return (s->e & bits) != 0;
    case 3:
        return !aead && (s->m & bits) != 0;
    case 4:
        /* the version a suite needs at least: TLSv1.2 (bits 0), SSLv3 (1), TLSv1.0 (2) */
        return bits == 0   ? s->versions == TD_V_TLS12
               : bits == 1 ? (s->versions & TD_V_SSL3) != 0
                           : (s->versions & (TD_V_SSL3 | TD_V_TLS10)) == TD_V_TLS10;
    default:
        return (s->k & bits) != 0 && !(s->a & A_NULL);
    }
}

/* The named sets, as OpenSSL 3 defines them (HIGH: AES, ChaCha20, Camellia,
 * ARIA; 3DES has been MEDIUM since 1.1.0; DEFAULT: AES and ChaCha20 with
 * certificate authentication, no DSS, no CCM). */
static bool set_test(const struct suite *s, const char *w, size_t n, bool *hit)
{
    bool null = (s->e & E_NULL) != 0;
    bool high = !null && (s->e & (E_AES128 | E_AES256 | E_CHACHA | E_CAMELLIA | E_ARIA)) != 0;
    bool dflt = !null && !(s->a & (A_NULL | A_DSS)) && (s->e & (E_AES128 | E_AES256 | E_CHACHA)) &&
                !(s->e & (E_CCM | E_CCM8));
    static const char *const sets[] = {
        "ALL", "DEFAULT", "HIGH", "MEDIUM", "LOW", "COMPLEMENTOFALL", "COMPLEMENTOFDEFAULT", "EXPORT", "EXP"};
    bool r[] = {
        !null,          dflt,  high, (s->e & (E_3DES | E_RC4 | E_SEED | E_IDEA)) != 0, (s->e & E_DES) != 0, null,
        !null && !dflt, false, false};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        if (strlen(sets[i]) == n && strncmp(w, sets[i], n) == 0) {
            *hit = true;
            return r[i];
        }
    }
    return false;
}

static bool alias_match(const struct suite *s, const char *w, size_t n, bool *known)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strlen(aliases[i].w) == n && strncmp(w, aliases[i].w, n) == 0) {
            *known = true;
            return alias_test(s, aliases[i].field, aliases[i].bits);
        }
    }
    bool hit = false;
    bool r = set_test(s, w, n, &hit);
    if (hit) {
        *known = true;
        return r;
    }
    if ((s->ossl[0] && td_conf_ieq(w, n, s->ossl)) || td_conf_ieq(w, n, s->iana)) {
        *known = true;
        return true;
    }
    return false;
}

/* Does suite s match the term w (words joined by '+', all must match)? */
static bool term_match(const struct suite *s, const char *w, size_t n, bool *known)
{
    size_t a = 0;
    bool all = true;
    bool all_known = true;
    while (a <= n) {
        size_t e = a;
        while (e < n && w[e] != '+') {
            e++;
        }
        bool k = false;
        if (!alias_match(s, w + a, e - a, &k)) {
            all = false;
        }
        all_known = all_known && k;
        a = e + 1;
    }
    *known = *known || all_known;
    return all;
}

static void apply(uint16_t *out, size_t *num, size_t cap, bool *killed, char op, const char *w, size_t n, bool *known)
{
    for (size_t i = 0; i < num_table; i++) {
        const struct suite *s = &table[i];
        if (s->k == K_TLS13 || !s->ossl[0] || !term_match(s, w, n, known)) { /* OpenSSL's suites only */
            continue;
        }
        size_t at = *num;
        for (size_t j = 0; j < *num; j++) {
            at = out[j] == s->value ? j : at;
        }
        if (op == '!' || op == '-') {
            killed[i] = killed[i] || op == '!';
            if (at < *num) {
                td_memmove(out + at, out + at + 1, (*num - at - 1) * sizeof *out);
                (*num)--;
            }
        } else if (op == '+') {
            if (at < *num) {
                td_memmove(out + at, out + at + 1, (*num - at - 1) * sizeof *out);
                out[*num - 1] = s->value;
            }
        } else if (at == *num && !killed[i] && *num < cap) {
            out[(*num)++] = s->value;
        }
    }
}

size_t td_conf_cipher_string(const char *str, uint16_t *out, size_t cap, char *unknown, size_t unknown_len)
{
    build_table();
    bool killed[TD_CONF_MAX_SUITES] = {false};
    size_t num = 0, i = 0, n = strlen(str);
    if (unknown_len) {
        unknown[0] = '\0';
    }
    while (i < n) {
        while (i < n && (str[i] == ':' || str[i] == ',' || str[i] == ' ' || str[i] == '\t')) {
            i++;
        }
        size_t a = i;
        while (i < n && str[i] != ':' && str[i] != ',' && str[i] != ' ' && str[i] != '\t') {
            i++;
        }
        if (a == i) {
            break;
        }
        char op = strchr("!-+", str[a]) ? str[a] : '\0';
        size_t w = a + (op ? 1 : 0);
        if (w < i && str[w] == '@') { /* @STRENGTH, @SECLEVEL=n: ordering and policy, not selection */
            continue;
        }
        bool known = false;
        apply(out, &num, cap, killed, op, str + w, i - w, &known);
        if (!known && unknown_len && !unknown[0]) {
            snprintf(unknown, unknown_len, "%.*s", (int)(i - w), str + w);
        }
    }
    return num;
}
