/* Loading certificates and keys: the format is told by the bytes, never by the
 * file name (a .crt may hold PEM or DER, a .p12 may be a JKS). */
#include <dirent.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/mem.h"
#include "cert/internal.h"

#include "base/banned.h"

#define MAX_FILE (64u << 20)

struct td_certset *td_certset_new(void) { return td_calloc(1, sizeof(struct td_certset)); }

void td_certset_free(struct td_certset *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        X509_free(s->e[i].x);
        td_cert_info_free(&s->e[i].info);
    }
    for (size_t i = 0; i < s->nk; i++) {
        EVP_PKEY_free(s->keys[i].k);
    }
    for (size_t i = 0; i < s->nnotes; i++) {
        free(s->notes[i]);
    }
    free(s->e);
    free(s->keys);
    free(s->groups);
    free(s);
}

void td_certset_add_password(struct td_certset *s, const char *pw)
{
    if (s->npw < TD_MAX_PASSWORDS) {
        s->passwords[s->npw++] = pw;
    }
}

size_t td_certset_num_certs(const struct td_certset *s) { return s->n; }
size_t td_certset_num_notes(const struct td_certset *s) { return s->nnotes; }
const char *td_certset_note(const struct td_certset *s, size_t i) { return i < s->nnotes ? s->notes[i] : ""; }

void td_set_note(struct td_certset *s, const char *fmt, ...)
{
    if (s->nnotes >= sizeof s->notes / sizeof s->notes[0]) {
        return;
    }
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    s->notes[s->nnotes++] = td_strndup(buf, strlen(buf));
}

int td_set_group(struct td_certset *s, const char *name, bool order_matters)
{
    if (s->ng == s->capg) {
        s->capg = s->capg ? 2 * s->capg : 16;
        s->groups = td_realloc(s->groups, s->capg * sizeof *s->groups);
    }
    struct td_group *g = &s->groups[s->ng];
    td_memzero(g, sizeof *g);
    g->order_matters = order_matters;
    td_strcopy(g->name, sizeof g->name, name);
    return (int)s->ng++;
}

static struct td_entry *new_entry(struct td_certset *s, int group, const char *origin)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->e = td_realloc(s->e, s->cap * sizeof *s->e);
    }
    struct td_entry *e = &s->e[s->n++];
    td_memzero(e, sizeof *e);
    e->group = group;
    int pos = 0;
    for (size_t i = 0; i + 1 < s->n; i++) {
        pos += s->e[i].group == group;
    }
    e->pos = pos;
    td_strcopy(e->origin, sizeof e->origin, origin);
    return e;
}

void td_set_add_x509(struct td_certset *s, X509 *x, int group, const char *origin, bool trusted)
{
    struct td_entry *e = new_entry(s, group, origin);
    e->x = x;
    e->trusted_entry = trusted;
    td_x509_info(x, &e->info);
}

void td_certset_add_sent_chain(struct td_certset *s, const char *group, const struct td_der *certs, size_t n)
{
    int g = td_set_group(s, group, true);
    for (size_t i = 0; i < n; i++) {
        const unsigned char *der = certs[i].p;
        X509 *x = d2i_X509(NULL, &der, (long)certs[i].len);
        if (x) {
            char origin[320];
            snprintf(origin, sizeof origin, "certificate %zu %s", i, group);
            td_set_add_x509(s, x, g, origin, false);
        }
    }
}

struct td_entry *td_set_add_degraded(struct td_certset *s, int group, const char *origin)
{
    struct td_entry *e = new_entry(s, group, origin);
    e->degraded = true;
    return e;
}

void td_set_add_key(struct td_certset *s, EVP_PKEY *k, int group, const char *origin)
{
    if (s->nk == s->capk) {
        s->capk = s->capk ? 2 * s->capk : 4;
        s->keys = td_realloc(s->keys, s->capk * sizeof *s->keys);
    }
    struct td_keyent *ke = &s->keys[s->nk++];
    ke->k = k;
    ke->group = group;
    td_strcopy(ke->origin, sizeof ke->origin, origin);
}

static uint8_t *read_file(const char *path, size_t *len, char *err, size_t err_len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct td_buf b = {0};
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        td_buf_append(&b, chunk, n);
        if (b.len > MAX_FILE) {
            snprintf(err, err_len, "%s: larger than %u MiB, not a certificate file", path, MAX_FILE >> 20);
            break;
        }
    }
    bool bad = ferror(f) || b.len > MAX_FILE;
    if (ferror(f)) {
        snprintf(err, err_len, "%s: read error", path);
    }
    if (f != stdin) {
        fclose(f);
    }
    if (bad) {
        td_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    if (!b.data) {
        return td_calloc(1, 1);
    }
    return b.data;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

/* Passwords to try: those given, then the empty one (and no password at all,
 * which PKCS#12 tells apart from the empty string). */
static size_t password_list(const struct td_certset *s, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < s->npw; i++) {
        out[n++] = s->passwords[i];
    }
    out[n++] = "";
    out[n++] = NULL;
    return n;
}

static bool is_pem(const uint8_t *p, size_t len)
{
    static const char tag[] = "-----BEGIN ";
    for (size_t i = 0; i + sizeof tag - 1 <= len && i < 65536; i++) {
        if (p[i] == '-' && td_mem_eq(p + i, tag, sizeof tag - 1)) {
            return true;
        }
    }
    return false;
}

static int pem_pw_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *pw = u;
    if (!pw) {
        return -1;
    }
    int n = (int)strlen(pw);
    if (n > size) {
        n = size;
    }
    td_memcopy(buf, pw, (size_t)n);
    return n;
}

/* One PEM private key block, re-read with each password. */
static EVP_PKEY *pem_key(struct td_certset *s, const char *name, const char *header, const uint8_t *data, long len,
                         bool *locked)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio(b, name, header, data, len);
    const char *pws[TD_MAX_PASSWORDS + 2];
    size_t npw = password_list(s, pws);
    EVP_PKEY *k = NULL;
    for (size_t i = 0; i < npw && !k; i++) {
        char *mem;
        long mlen = BIO_get_mem_data(b, &mem);
        BIO *r = BIO_new_mem_buf(mem, (int)mlen);
        k = PEM_read_bio_PrivateKey(r, NULL, pem_pw_cb, (void *)pws[i]);
        BIO_free(r);
        ERR_clear_error();
    }
    *locked = !k && (strstr(name, "ENCRYPTED") || (header && strstr(header, "ENCRYPTED")));
    BIO_free(b);
    return k;
}

static bool load_pem(struct td_certset *s, const uint8_t *p, size_t len, const char *path, int group, char *err,
                     size_t err_len)
{
    if (!td_pem_blocks_whole(p, len, path, err, err_len)) {
        return false;
    }
    BIO *b = BIO_new_mem_buf(p, (int)len);
    size_t found = 0, index = 0;
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long dlen = 0;
    bool ok = true;
    while (PEM_read_bio(b, &name, &header, &data, &dlen)) {
        index++;
        char origin[320];
        snprintf(origin, sizeof origin, "%s#%zu", base_name(path), index);
        const unsigned char *q = data;
        if (strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0 ||
            strcmp(name, "TRUSTED CERTIFICATE") == 0) {
            X509 *x = strcmp(name, "TRUSTED CERTIFICATE") == 0 ? d2i_X509_AUX(NULL, &q, dlen)
                                                               : d2i_X509(NULL, &q, dlen);
            if (!x) {
                snprintf(err, err_len, "%s: certificate %zu (PEM block %s) is not valid DER", path, index, name);
                ok = false;
            } else {
                td_set_add_x509(s, x, group, origin, false);
                found++;
            }
        } else if (strcmp(name, "PKCS7") == 0 || strcmp(name, "CERTIFICATE CHAIN") == 0) {
            PKCS7 *p7 = d2i_PKCS7(NULL, &q, dlen);
            STACK_OF(X509) *certs = NULL;
            if (p7 && OBJ_obj2nid(p7->type) == NID_pkcs7_signed && p7->d.sign) {
                certs = p7->d.sign->cert;
            }
            for (int i = 0; certs && i < sk_X509_num(certs); i++) {
                X509 *x = sk_X509_value(certs, i);
                X509_up_ref(x);
                snprintf(origin, sizeof origin, "%s#%zu.%d", base_name(path), index, i + 1);
                td_set_add_x509(s, x, group, origin, false);
                found++;
            }
            PKCS7_free(p7);
        } else if (strstr(name, "PRIVATE KEY")) {
            bool locked = false;
            EVP_PKEY *k = pem_key(s, name, header, data, dlen, &locked);
            if (k) {
                td_set_add_key(s, k, group, origin);
                found++;
            } else if (locked) {
                td_set_note(s, "%s: encrypted private key not read (give its password with --password-file)", origin);
                found++;
            } else {
                snprintf(err, err_len, "%s: private key %zu (PEM block %s) cannot be decoded", path, index, name);
                ok = false;
            }
        } else {
            td_set_note(s, "%s: PEM block '%s' ignored", origin, name);
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        name = header = NULL;
        data = NULL;
        if (!ok) {
            break;
        }
    }
    BIO_free(b);
    ERR_clear_error();
    if (ok && found == 0) {
        snprintf(err, err_len, "%s: no certificate or key in its PEM blocks", path);
        ok = false;
    }
    return ok;
}

static bool has_attr_oid(const STACK_OF(X509_ATTRIBUTE) * attrs, const char *oid)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
    bool found = false;
    for (int i = 0; o && i < sk_X509_ATTRIBUTE_num(attrs); i++) {
        if (OBJ_cmp(X509_ATTRIBUTE_get0_object(sk_X509_ATTRIBUTE_value(attrs, i)), o) == 0) {
            found = true;
        }
    }
    ASN1_OBJECT_free(o);
    return found;
}

/* PKCS#12 read bag by bag (not PKCS12_parse), so that aliases, Java's
 * trusted-certificate entries and every key are kept. */
static bool load_p12_bags(struct td_certset *s, const STACK_OF(PKCS12_SAFEBAG) * bags, const char *pw, const char *path,
                          int chain_group, size_t *index)
{
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
        const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
        char *alias = PKCS12_get_friendlyname((PKCS12_SAFEBAG *)bag);
        char origin[320];
        (*index)++;
        snprintf(origin, sizeof origin, "%s:%s#%zu", base_name(path), alias ? alias : "", *index);
        int nid = PKCS12_SAFEBAG_get_nid(bag);
        if (nid == NID_certBag) {
            X509 *x = PKCS12_SAFEBAG_get1_cert(bag);
            /* Java marks truststore entries with this attribute (JDK-8))*/
            bool trusted = has_attr_oid(PKCS12_SAFEBAG_get0_attrs(bag), "2.16.840.1.113894.746875.1.1");
            if (x) {
                int g = trusted ? td_set_group(s, origin, false) : chain_group;
                td_set_add_x509(s, x, g, origin, trusted);
            }
        } else if (nid == NID_keyBag || nid == NID_pkcs8ShroudedKeyBag) {
            PKCS8_PRIV_KEY_INFO *p8 = nid == NID_keyBag ? (PKCS8_PRIV_KEY_INFO *)PKCS12_SAFEBAG_get0_p8inf(bag)
                                                        : PKCS12_decrypt_skey(bag, pw, pw ? -1 : 0);
            EVP_PKEY *k = p8 ? EVP_PKCS82PKEY(p8) : NULL;
            if (k) {
                td_set_add_key(s, k, chain_group, origin);
            } else {
                td_set_note(s, "%s: private key not decrypted", origin);
            }
            if (nid == NID_pkcs8ShroudedKeyBag) {
                PKCS8_PRIV_KEY_INFO_free(p8);
            }
        } else if (nid == NID_safeContentsBag) {
            load_p12_bags(s, PKCS12_SAFEBAG_get0_safes(bag), pw, path, chain_group, index);
        }
        OPENSSL_free(alias);
    }
    return true;
}

enum p12_result { P12_NOT, P12_OK, P12_LOCKED, P12_CORRUPT };

static enum p12_result load_p12(struct td_certset *s, const uint8_t *p, size_t len, const char *path, char *err,
                                size_t err_len)
{
    const unsigned char *q = p;
    PKCS12 *p12 = d2i_PKCS12(NULL, &q, (long)len);
    if (!p12) {
        ERR_clear_error();
        return P12_NOT;
    }
    const char *pws[TD_MAX_PASSWORDS + 2];
    size_t npw = password_list(s, pws);
    const char *pw = NULL;
    bool found = false;
    if (PKCS12_mac_present(p12)) {
        for (size_t i = 0; i < npw && !found; i++) {
            if (PKCS12_verify_mac(p12, pws[i], pws[i] ? -1 : 0)) {
                pw = pws[i];
                found = true;
            }
        }
        if (!found) {
            snprintf(err, err_len, "%s: PKCS#12 integrity check failed: %s", path,
                     s->npw ? "wrong password" : "password-protected, give it with --password-file");
            PKCS12_free(p12);
            ERR_clear_error();
            return P12_LOCKED;
        }
    } else {
        pw = s->npw ? s->passwords[0] : NULL;
    }
    STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
    enum p12_result res = safes ? P12_OK : P12_CORRUPT;
    int chain_group = td_set_group(s, base_name(path), false);
    size_t index = 0;
    for (int i = 0; safes && i < sk_PKCS7_num(safes); i++) {
        PKCS7 *p7 = sk_PKCS7_value(safes, i);
        int nid = OBJ_obj2nid(p7->type);
        STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
        if (nid == NID_pkcs7_data) {
            bags = PKCS12_unpack_p7data(p7);
        } else if (nid == NID_pkcs7_encrypted) {
            bags = PKCS12_unpack_p7encdata(p7, pw, pw ? -1 : 0);
            if (!bags && !found) {
                for (size_t j = 0; j < npw && !bags; j++) {
                    pw = pws[j];
                    bags = PKCS12_unpack_p7encdata(p7, pw, pw ? -1 : 0);
                }
            }
        }
        if (!bags) {
            snprintf(err, err_len, "%s: PKCS#12 content %d cannot be %s", path, i + 1,
                     nid == NID_pkcs7_encrypted ? "decrypted (wrong or missing password)" : "decoded");
            res = nid == NID_pkcs7_encrypted ? P12_LOCKED : P12_CORRUPT;
            break;
        }
        load_p12_bags(s, bags, pw, path, chain_group, &index);
        sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
    }
    sk_PKCS7_pop_free(safes, PKCS7_free);
    PKCS12_free(p12);
    ERR_clear_error();
    if (res == P12_CORRUPT && !err[0]) {
        snprintf(err, err_len, "%s: PKCS#12 structure cannot be decoded", path);
    }
    /* Java writes the key's chain leaf first with a localKeyID; the rest of the
     * bags are its chain. Ordering is not what a server sends, so not checked. */
    return res;
}

static bool load_der(struct td_certset *s, const uint8_t *p, size_t len, const char *path, char *err, size_t err_len)
{
    const unsigned char *q = p;
    X509 *x = d2i_X509(NULL, &q, (long)len);
    if (x && q == p + len) {
        td_set_add_x509(s, x, td_set_group(s, base_name(path), true), base_name(path), false);
        return true;
    }
    X509_free(x);
    ERR_clear_error();
    enum p12_result r = load_p12(s, p, len, path, err, err_len);
    if (r != P12_NOT) {
        return r == P12_OK;
    }
    q = p;
    PKCS7 *p7 = d2i_PKCS7(NULL, &q, (long)len);
    if (p7) {
        STACK_OF(X509) *certs = OBJ_obj2nid(p7->type) == NID_pkcs7_signed && p7->d.sign ? p7->d.sign->cert : NULL;
        int g = td_set_group(s, base_name(path), false);
        for (int i = 0; certs && i < sk_X509_num(certs); i++) {
            X509 *c = sk_X509_value(certs, i);
            X509_up_ref(c);
            char origin[320];
            snprintf(origin, sizeof origin, "%s#%d", base_name(path), i + 1);
            td_set_add_x509(s, c, g, origin, false);
        }
        bool any = certs && sk_X509_num(certs) > 0;
        PKCS7_free(p7);
        if (any) {
            return true;
        }
    }
    ERR_clear_error();
    q = p;
    EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &q, (long)len);
    if (k) {
        td_set_add_key(s, k, -1, base_name(path));
        return true;
    }
    ERR_clear_error();
    snprintf(err, err_len, "%s: DER data that is neither a certificate, a PKCS#12 or PKCS#7 file nor a private key",
             path);
    return false;
}

static bool load_bytes(struct td_certset *s, const uint8_t *p, size_t len, const char *path, char *err, size_t err_len)
{
    err[0] = '\0';
    if (len >= 4 && ((p[0] == 0xFE && p[1] == 0xED && p[2] == 0xFE && p[3] == 0xED) ||
                     (p[0] == 0xCE && p[1] == 0xCE && p[2] == 0xCE && p[3] == 0xCE))) {
        return td_jks_load(s, p, len, path, err, err_len);
    }
    if (is_pem(p, len)) {
        return load_pem(s, p, len, path, td_set_group(s, base_name(path), true), err, err_len);
    }
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
        i++;
    }
    if (i < len && (p[i] == '{' || p[i] == '[' || p[i] == '"')) {
        return td_certinfo_load(s, p, len, path, err, err_len);
    }
    if (len >= 2 && p[0] == 0x30) {
        return load_der(s, p, len, path, err, err_len);
    }
    snprintf(err, err_len, "%s: not a certificate, key or keystore (PEM, DER, PKCS#7, PKCS#12, JKS or certInfo JSON)",
             path);
    return false;
}

static bool load_file(struct td_certset *s, const char *path, char *err, size_t err_len)
{
    size_t len = 0;
    uint8_t *p = read_file(path, &len, err, err_len);
    if (!p) {
        return false;
    }
    bool ok = len ? load_bytes(s, p, len, path, err, err_len) : false;
    if (!len) {
        snprintf(err, err_len, "%s: empty file", path);
    }
    free(p);
    return ok;
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A directory: an OpenSSL hashed directory or a folder of PEM/CRT files. Files
 * that hold no certificate are passed over with a note; the same certificate
 * reached twice (hash links, a bundle next to its parts) is kept once. */
static bool load_dir(struct td_certset *s, const char *path, char *err, size_t err_len)
{
    DIR *d = opendir(path);
    if (!d) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return false;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = td_realloc(names, cap * sizeof *names);
        }
        names[n++] = td_strndup(de->d_name, strlen(de->d_name));
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    size_t before = s->n, skipped = 0;
    for (size_t i = 0; i < n; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            size_t start = s->n;
            char e2[600];
            if (!load_file(s, full, e2, sizeof e2)) {
                skipped++;
            }
            /* Drop what an earlier file already gave. */
            for (size_t j = start; j < s->n;) {
                bool dup = false;
                for (size_t k = before; k < start && !dup; k++) {
                    dup = strcmp(s->e[k].info.sha256, s->e[j].info.sha256) == 0;
                }
                if (dup) {
                    X509_free(s->e[j].x);
                    td_cert_info_free(&s->e[j].info);
                    td_memmove(&s->e[j], &s->e[j + 1], (s->n - j - 1) * sizeof s->e[0]);
                    s->n--;
                } else {
                    j++;
                }
            }
        }
        free(names[i]);
    }
    free(names);
    if (skipped) {
        td_set_note(s, "%s: %zu file(s) held no certificate and were passed over", path, skipped);
    }
    if (s->n == before) {
        snprintf(err, err_len, "%s: no certificate in this directory", path);
        return false;
    }
    return true;
}

bool td_certset_add_path(struct td_certset *s, const char *path, char *err, size_t err_len)
{
    struct stat st;
    err[0] = '\0';
    if (strcmp(path, "-") != 0 && stat(path, &st) != 0) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return false;
    }
    if (strcmp(path, "-") != 0 && S_ISDIR(st.st_mode)) {
        return load_dir(s, path, err, err_len);
    }
    return load_file(s, path, err, err_len);
}

bool td_certset_add_key_path(struct td_certset *s, const char *path, char *err, size_t err_len)
{
    size_t before_k = s->nk;
    if (!td_certset_add_path(s, path, err, err_len)) {
        return false;
    }
    for (size_t i = before_k; i < s->nk; i++) {
        s->keys[i].group = -1;
    }
    /* Certificates that came with the key (a PKCS#12) are part of the input too. */
    if (s->nk == before_k) {
        snprintf(err, err_len, "%s: no private key in it%s", path,
                 s->nnotes ? " that could be read (see the notes)" : "");
        return false;
    }
    return true;
}
