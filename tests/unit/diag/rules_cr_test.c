/* An empty client Certificate with what the CertificateRequest asked
 * (diag/facts_cr.c, diag/rules_cert.c): the CA names and the key types its
 * signature schemes allow are in the verdict, cut to fit. */
#include "testlib.h"

#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "facts_fixture.h"
#include "tls/tls.h"

static uint16_t suites[] = {0xc02b};

static bool evidence_is(const struct td_verdict *v, const char *what)
{
    for (size_t i = 0; i < v->num_evidence; i++) {
        if (strcmp(v->evidence[i].what, what) == 0) {
            return true;
        }
    }
    return false;
}

/* A TLS 1.2 handshake with a CertificateRequest (frame 5) answered by an
 * empty Certificate (frame 7), refused with handshake_failure. */
static void empty_cert(struct td_facts *f)
{
    fx_hello(f, suites, 1, "mtls.example.com");
    f->have_sh = true;
    f->version = 0x0303;
    f->cert_request = true;
    f->cr_frame = 5;
    f->client_cert_seen = f->client_cert_empty = true;
    f->client_cert_frame = 7;
    fx_server_alert(f, 40, 0x0303);
}

static void test_ca_list_and_key_types_named(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    empty_cert(&f);
    strcpy(f.cr_ca_list, "CN=Corp Root,O=Corp; CN=Partner CA");
    f.cr_num_ca_names = 2;
    f.cr_sigalgs[0] = 0x0403; /* ecdsa_secp256r1_sha256 */
    f.cr_sigalgs[1] = 0x0804; /* rsa_pss_rsae_sha256 */
    f.cr_num_sigalgs = 2;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_MISSING);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_true(evidence_is(&v, "CertificateRequest lists 2 CAs: CN=Corp Root,O=Corp; CN=Partner CA"));
    assert_true(evidence_is(&v, "CertificateRequest accepts 2 signature schemes (keys: RSA, ECDSA)"));
    assert_true(evidence_is(&v, "client Certificate is empty"));
    assert_non_null(
        strstr(v.explanation, "none issued by the CAs the server lists (CN=Corp Root,O=Corp; CN=Partner CA)"));
    assert_non_null(strstr(v.fix, "issued by CN=Corp Root,O=Corp; CN=Partner CA (one of them)"));
}

static void test_no_ca_list(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    empty_cert(&f); /* an empty certificate_authorities: any issuer; no schemes known */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_CLIENT_CERT_MISSING);
    assert_null(strstr(v.explanation, "CAs the server lists"));
    for (size_t i = 0; i < v.num_evidence; i++) {
        assert_null(strstr(v.evidence[i].what, "lists"));
    }
    assert_non_null(strstr(v.fix, "a CA the server trusts"));
}

/* DER DistinguishedNames "CN=<name>" for a hand-built CertificateRequest. */
static struct td_blob dn(const char *cn)
{
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    unsigned char *der = NULL;
    int len = i2d_X509_NAME(n, &der);
    X509_NAME_free(n);
    struct td_blob b = {.p = malloc((size_t)len), .len = (size_t)len};
    memcpy(b.p, der, (size_t)len);
    OPENSSL_free(der);
    return b;
}

static void test_facts_cr_cuts_the_list(void **state)
{
    (void)state;
    struct td_certificate_request cr;
    struct td_facts f;
    memset(&cr, 0, sizeof cr);
    memset(&f, 0, sizeof f);
    cr.num_ca_names = 40;
    cr.ca_names = calloc(cr.num_ca_names, sizeof *cr.ca_names);
    for (size_t i = 0; i < cr.num_ca_names; i++) {
        char name[40];
        snprintf(name, sizeof name, "Issuing CA number %02zu", i);
        cr.ca_names[i] = dn(name);
    }
    cr.ca_names[1].len = 3; /* a name cut short: said, not fatal */
    uint16_t sig[30];
    for (size_t i = 0; i < 30; i++) {
        sig[i] = (uint16_t)(0x0401 + i);
    }
    cr.sigalgs.v = sig;
    cr.sigalgs.n = 30;
    td_facts_cr(&f, &cr, NULL);
    assert_int_equal(f.cr_num_ca_names, 40);
    assert_int_equal(f.cr_num_sigalgs, 24);
    assert_int_equal(f.cr_sigalgs[23], 0x0401 + 23);
    assert_true(strlen(f.cr_ca_list) < sizeof f.cr_ca_list);
    assert_true(strncmp(f.cr_ca_list, "CN=Issuing CA number 00; (a name tlsdiag cannot read, 3 bytes); ", 64) == 0);
    assert_non_null(strstr(f.cr_ca_list, " more"));
    assert_false(f.client_cert_unlisted);
    for (size_t i = 0; i < cr.num_ca_names; i++) {
        free(cr.ca_names[i].p);
    }
    free(cr.ca_names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ca_list_and_key_types_named),
        cmocka_unit_test(test_no_ca_list),
        cmocka_unit_test(test_facts_cr_cuts_the_list),
    };
    return tl_run_tests("diag/rules_cr", tests);
}
