/* The TLS-inspection CA table (cert/inspection.c). */
#include "testlib.h"

#include <string.h>

#include "cert/cert.h"

static void test_vendors(void **state)
{
    (void)state;
    assert_string_equal(td_inspection_vendor("CN=Zscaler Intermediate Root CA (zscaler.net) (t),O=Zscaler Inc."),
                        "Zscaler");
    assert_string_equal(td_inspection_vendor("CN=caas.goskope.com,O=Netskope Inc"), "Netskope");
    assert_string_equal(td_inspection_vendor("CN=Fortinet_CA_SSL,O=Fortinet Ltd."), "Fortinet (FortiGate)");
    assert_string_equal(td_inspection_vendor("CN=FORTIGATE,O=x"), "Fortinet (FortiGate)"); /* case ignored */
    assert_string_equal(td_inspection_vendor("CN=Cisco Umbrella Secondary SubCA ash-SG"), "Cisco Umbrella");
    assert_string_equal(td_inspection_vendor("O=Palo Alto Networks,CN=PA-VM Forward Trust"), "Palo Alto Networks");
    assert_non_null(td_inspection_vendor("CN=Sophos SSL CA_C1234"));
    assert_non_null(td_inspection_vendor("CN=Check Point Gateway CA"));
    /* public and private CAs are not inspection CAs */
    assert_null(td_inspection_vendor("CN=R11,O=Let's Encrypt,C=US"));
    assert_null(td_inspection_vendor("CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1,O=DigiCert Inc,C=US"));
    assert_null(td_inspection_vendor("CN=tlsdiag Test Intermediate CA"));
    assert_null(td_inspection_vendor(""));
    assert_null(td_inspection_vendor(NULL));
}

static void test_distrusted_by_date(void **state)
{
    (void)state;
    const char *who = NULL;
    const char *entrust = "CN=Entrust Certification Authority - L1K,OU=(c) 2012 Entrust, Inc.,O=Entrust, Inc.,C=US";
    assert_string_equal(td_distrusted_ca(entrust, 1735689600 /* 2025-01-01 */, &who), "Entrust");
    assert_non_null(strstr(who, "Chrome 131"));
    assert_null(td_distrusted_ca(entrust, 1717200000 /* 2024-06-01: before the cut-off */, &who));
    assert_string_equal(td_distrusted_ca("CN=HiPKI Root CA - G1,O=Chunghwa Telecom Co., Ltd.", 1767225600, &who),
                        "Chunghwa Telecom");
    assert_null(td_distrusted_ca("CN=HiPKI Root CA - G1,O=Chunghwa Telecom Co., Ltd.", 1735689600, &who));
    assert_non_null(td_distrusted_ca("CN=Camerfirma Corporate Server II - 2015", 1640995200, &who));
    assert_null(td_distrusted_ca("CN=R11,O=Let's Encrypt,C=US", 1767225600, &who));
    assert_null(td_distrusted_ca(NULL, 1767225600, &who));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vendors),
        cmocka_unit_test(test_distrusted_by_date),
    };
    return tl_run_tests("inspection", tests);
}
