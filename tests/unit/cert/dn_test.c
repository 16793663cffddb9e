/* Subject and issuer strings (cert/dn.c): OpenSSL's RFC 2253 form byte for
 * byte wherever the bytes are ASCII, the certificate's own bytes where
 * X509_NAME_print_ex would read them as Latin-1. */
#include "testlib.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <string.h>

#include "cert/cert.h"

/* What tlsdiag printed before: X509_NAME_print_ex. */
static void openssl_str(const X509_NAME *n, char *out, size_t len)
{
    BIO *b = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char *p;
    long l = BIO_get_mem_data(b, &p);
    assert_true(l >= 0 && (size_t)l < len);
    memset(out, 0, len);
    if (l > 0) {
        memcpy(out, p, (size_t)l);
    }
    BIO_free(b);
}

static void ours(const X509_NAME *n, char *out, size_t len)
{
    unsigned char *der = NULL;
    int dl = i2d_X509_NAME(n, &der);
    assert_true(dl > 0);
    assert_true(td_cert_dn_from_der(der, (size_t)dl, out, len));
    OPENSSL_free(der);
}

static void add(X509_NAME *n, const char *field, int type, const void *v, int vlen, int set)
{
    assert_int_equal(X509_NAME_add_entry_by_txt(n, field, type, v, vlen, -1, set), 1);
}

/* Both on the name as decoded from its DER (as from a certificate). */
static void assert_same(const X509_NAME *n)
{
    unsigned char *der = NULL;
    int dl = i2d_X509_NAME(n, &der);
    assert_true(dl > 0);
    const unsigned char *p = der;
    X509_NAME *d = d2i_X509_NAME(NULL, &p, dl);
    assert_non_null(d);
    char a[512], b[512];
    openssl_str(d, a, sizeof a);
    ours(d, b, sizeof b);
    X509_NAME_free(d);
    OPENSSL_free(der);
    assert_string_equal(b, a);
}

/* Every ASCII byte first, inside, last and alone, in each raw string type. */
static void test_ascii_matches_openssl(void **state)
{
    (void)state;
    const int types[] = {V_ASN1_PRINTABLESTRING, V_ASN1_IA5STRING, V_ASN1_T61STRING, V_ASN1_UTF8STRING};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        for (int c = 1; c < 0x80; c++) {
            unsigned char v[5] = {(unsigned char)c, 'a', (unsigned char)c, 'b', (unsigned char)c};
            X509_NAME *n = X509_NAME_new();
            add(n, "CN", types[t], v, 5, 0);
            add(n, "O", types[t], v, 1, 0);
            add(n, "OU", types[t], v + 1, 2, -1); /* joins O's RDN */
            assert_same(n);
            X509_NAME_free(n);
        }
    }
}

static void test_structure_matches_openssl(void **state)
{
    (void)state;
    X509_NAME *n = X509_NAME_new();
    add(n, "C", MBSTRING_ASC, "US", -1, 0);
    add(n, "O", MBSTRING_ASC, "Example, Inc.", -1, 0);
    add(n, "OU", MBSTRING_ASC, "multi", -1, 0);
    add(n, "CN", MBSTRING_ASC, "valued", -1, -1);                 /* joins OU's RDN: "+" */
    add(n, "1.2.3.4.5", V_ASN1_UTF8STRING, "unknown oid", -1, 0); /* #DER dump */
    add(n, "serialNumber", V_ASN1_PRINTABLESTRING, "42", -1, 0);
    add(n, "emailAddress", V_ASN1_IA5STRING, "a@b.test", -1, 0);
    add(n, "DC", V_ASN1_IA5STRING, "example", -1, 0);
    add(n, "CN", V_ASN1_NUMERICSTRING, "123 4", -1, 0);
    add(n, "CN", MBSTRING_UTF8, "\xe4\xb8\xad \xc3\xbc", -1, 0); /* a BMPString */
    add(n, "CN", V_ASN1_UTF8STRING, " #caf\xc3\xa9 ", -1, 0);
    assert_same(n);
    X509_NAME_free(n);
    n = X509_NAME_new();
    assert_same(n); /* empty */
    X509_NAME_free(n);
}

static void test_own_bytes(void **state)
{
    (void)state;
    X509_NAME *n = X509_NAME_new();
    add(n, "CN", V_ASN1_PRINTABLESTRING, "a\xff\xfe\x1b;b", -1, 0);
    add(n, "O", V_ASN1_T61STRING, "caf\xe9", -1, 0);
    add(n, "OU", V_ASN1_UTF8STRING, "\xc3\xa9", -1, 0); /* OpenSSL refuses to decode one not UTF-8 */
    char s[256];
    ours(n, s, sizeof s);
    assert_string_equal(s, "OU=\xc3\xa9,O=caf\xc3\xa9,CN=a\xff\xfe\\1B\\;b"); /* T61String read as Latin-1 */
    X509_NAME_free(n);
}

static void test_truncated_and_undecodable(void **state)
{
    (void)state;
    X509_NAME *n = X509_NAME_new();
    add(n, "CN", MBSTRING_ASC, "0123456789", -1, 0);
    char s[6];
    ours(n, s, sizeof s);
    assert_string_equal(s, "CN=01");
    X509_NAME_free(n);
    const uint8_t bad[] = {0x30, 0x05, 0x31, 0x03};
    char e[64];
    assert_false(td_cert_dn_from_der(bad, sizeof bad, e, sizeof e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_matches_openssl),
        cmocka_unit_test(test_structure_matches_openssl),
        cmocka_unit_test(test_own_bytes),
        cmocka_unit_test(test_truncated_and_undecodable),
    };
    return tl_run_tests("dn", tests);
}
