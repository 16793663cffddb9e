/* A certificate's subject or issuer as an RFC 2253 string that keeps the
 * certificate's own bytes. X509_NAME_print_ex reads PrintableString and
 * IA5String bytes as Latin-1 (0xff becomes "ÿ"), so a reader could not tell
 * the wire bytes; here the string types meant as ASCII or UTF-8 text give
 * their bytes unchanged (T61String is Latin-1 in practice, as OpenSSL reads
 * it: converted, like BMPString and UniversalString) and the escapers (base/escape.h, base/json.h)
 * write the ones that are not UTF-8 as \xNN. Everything else matches
 * XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB byte for byte: entries in reverse
 * order, "," between RDNs and "+" inside one, OpenSSL's short names (dotted
 * OID otherwise, the value then dumped as #DER), RFC 2253 escaping of
 * ,+"\<>; and a leading # or space or trailing space, \XX for controls. */
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <string.h>

#include "base/mem.h"
#include "cert/internal.h"

#include "base/banned.h"

#define DN_FLAGS (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)

/* The string types whose bytes are meant as ASCII or UTF-8 text: given as they are. */
static bool raw_text_type(int type)
{
    return type == V_ASN1_UTF8STRING || type == V_ASN1_PRINTABLESTRING || type == V_ASN1_IA5STRING ||
           type == V_ASN1_VISIBLESTRING;
}

static bool rfc2253_special(unsigned char c) { return c != '\0' && strchr(",+\"\\<>;", c) != NULL; }

/* One value's bytes with OpenSSL's RFC 2253 escaping: a one-byte value
 * counts as last only (as do_buf has it), bytes past 0x7f are not escaped. */
static bool put_escaped(BIO *b, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        bool last = i + 1 == n, first = i == 0 && !last;
        char tmp[4];
        int len;
        if (c < 0x20 || c == 0x7f) {
            len = BIO_snprintf(tmp, sizeof tmp, "\\%02X", c);
        } else if (rfc2253_special(c) || (c == ' ' && (first || last)) || (c == '#' && first)) {
            tmp[0] = '\\';
            tmp[1] = (char)c;
            len = 2;
        } else {
            tmp[0] = (char)c;
            len = 1;
        }
        if (BIO_write(b, tmp, len) != len) {
            return false;
        }
    }
    return true;
}

/* The value of one entry; false (as OpenSSL stops) if it cannot be read. */
static bool put_value(BIO *b, const ASN1_STRING *v, bool unknown_field)
{
    int type = ASN1_STRING_type(v);
    if (!unknown_field && raw_text_type(type)) {
        return put_escaped(b, ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v));
    }
    if (!unknown_field && (type == V_ASN1_BMPSTRING || type == V_ASN1_UNIVERSALSTRING || type == V_ASN1_T61STRING)) {
        unsigned char *u = NULL;
        int len = ASN1_STRING_to_UTF8(&u, v);
        if (len < 0) {
            return false;
        }
        bool ok = put_escaped(b, u, (size_t)len);
        OPENSSL_free(u);
        return ok;
    }
    /* Other types (NumericString, times, non-strings) and unknown fields:
     * OpenSSL's own rendering, #DER dumps included. */
    unsigned long fl = DN_FLAGS | (unknown_field ? ASN1_STRFLGS_DUMP_ALL : 0);
    return ASN1_STRING_print_ex(b, v, fl) >= 0;
}

static bool put_entry(BIO *b, const X509_NAME_ENTRY *ent)
{
    const ASN1_OBJECT *fn = X509_NAME_ENTRY_get_object(ent);
    int nid = OBJ_obj2nid(fn);
    char oid[80];
    const char *name = nid == NID_undef ? NULL : OBJ_nid2sn(nid);
    if (!name) {
        OBJ_obj2txt(oid, sizeof oid, fn, 1);
        name = oid;
    }
    if (BIO_puts(b, name) < 0 || BIO_write(b, "=", 1) != 1) {
        return false;
    }
    return put_value(b, X509_NAME_ENTRY_get_data(ent), nid == NID_undef);
}

void td_cert_name_str(const X509_NAME *n, char *out, size_t out_len)
{
    out[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (!b) {
        return;
    }
    int cnt = X509_NAME_entry_count(n), prev = -1;
    for (int i = cnt - 1; i >= 0; i--) {
        const X509_NAME_ENTRY *ent = X509_NAME_get_entry(n, i);
        int set = X509_NAME_ENTRY_set(ent);
        if (prev != -1 && BIO_write(b, prev == set ? "+" : ",", 1) != 1) {
            break;
        }
        prev = set;
        if (!put_entry(b, ent)) {
            break;
        }
    }
    char *p;
    long len = BIO_get_mem_data(b, &p);
    if (len > 0) {
        size_t n2 = (size_t)len < out_len - 1 ? (size_t)len : out_len - 1;
        td_memcopy(out, p, n2);
        out[n2] = '\0';
    }
    BIO_free(b);
}
