/* bad_record_mac and decrypt_error by what they answer (diag/rules_integrity.c)
 * on hand-built facts: a PSK binder, a ServerKeyExchange signature, the first
 * record under the new keys, a record after a completed handshake. */
#include "testlib.h"

#include <string.h>

#include "diag/diag.h"
#include "facts_fixture.h"

static uint16_t suites[] = {0xc02b, 0x00a8};

/* A TLS 1.2 handshake with a ServerHello (frame 5) choosing suite. */
static void tls12(struct td_facts *f, uint16_t suite)
{
    fx_hello(f, suites, 2, "keys.example.com");
    f->have_sh = true;
    f->sh_frame = 5;
    f->version = 0x0303;
    f->suite = suite;
    f->server_msgs = 4; /* ServerHello, Certificate, ServerKeyExchange, ServerHelloDone */
}

static void test_psk_binder(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    fx_hello(&f, suites, 2, "psk.example.com");
    f.ch_psk = true;
    fx_server_alert(&f, 51, 0x0303); /* decrypt_error, as RFC 8446 4.2.11 says */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_KEYS_DIFFER);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_true(fx_evidence_has(&v, "pre_shared_key"));
    f.alert_desc[1] = 47; /* OpenSSL's illegal_parameter: other faults give it too */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_KEYS_DIFFER);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    f.ch_psk = false; /* no pre-shared key offered: not a binder */
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_KEYS_DIFFER);
    f.ch_psk = true;
    f.alert_encrypted[1] = true; /* an alert nobody can read says nothing */
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_KEYS_DIFFER);
}

static void test_server_key_exchange_signature(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    tls12(&f, 0xc02b);
    f.ske_frame = 5;
    f.ske_sigalg = 0x0403;
    fx_client_alert(&f, 51);
    f.client_later_frame = 9; /* the alert is the client's first message after its hello */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_KEY_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_int_equal(v.fix_side, TD_SIDE_SERVER);
    assert_non_null(strstr(v.explanation, "(proven)"));
    assert_non_null(strstr(v.explanation, "(suspected)"));
    f.client_later_frame = 8; /* the client went on (its key exchange) before the alert: not the signature */
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_KEY_MISMATCH);
}

static void test_client_certificate_verify(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    tls12(&f, 0xc02b);
    f.cert_request = true;
    f.client_cert_seen = true;
    f.client_cert_frame = 7;
    fx_server_alert(&f, 51, 0x0303);
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_KEY_MISMATCH);
    assert_int_equal(v.fix_side, TD_SIDE_CLIENT);
    assert_int_equal(v.candidates[0], TD_CAUSE_KEYS_DIFFER);
}

static void test_tls13_server_flight_with_keys(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    tls12(&f, 0x1301);
    f.version = 0x0304;
    f.tls13 = true;
    fx_client_alert(&f, 51); /* decrypted with the key log */
    strcpy(f.before_alert[0], "Finished");
    f.before_alert_frame[0] = 7;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_KEY_MISMATCH);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_int_equal(v.candidates[0], TD_CAUSE_KEYS_DIFFER);
    f.alert_encrypted[0] = true; /* without keys: nothing said */
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_KEY_MISMATCH);
}

static void test_first_protected_record(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    tls12(&f, 0x00a8); /* TLS_PSK_WITH_AES_128_GCM_SHA256 */
    fx_server_alert(&f, 20, 0x0303);
    strcpy(f.before_alert[1], "Finished");
    f.before_alert_frame[1] = 8;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_KEYS_DIFFER);
    assert_int_equal(v.confidence, TD_CONF_HIGH);
    assert_non_null(strstr(v.explanation, "PSKs"));
    assert_int_equal(v.aborted_by, TD_SIDE_SERVER);
    tls12(&f, 0xc02b); /* a certificate suite: the keys differ, why is suspected */
    fx_server_alert(&f, 20, 0x0303);
    strcpy(f.before_alert[1], "Finished");
    f.resumed = true;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_KEYS_DIFFER);
    assert_int_equal(v.confidence, TD_CONF_MEDIUM);
    assert_non_null(strstr(v.explanation, "resumed"));
    assert_int_equal(v.candidates[0], TD_CAUSE_RECORD_CORRUPTED);
    strcpy(f.before_alert[1], "ClientKeyExchange"); /* not the first protected record */
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_KEYS_DIFFER);
}

static void test_record_after_handshake(void **state)
{
    (void)state;
    struct td_facts f;
    struct td_verdict v;
    tls12(&f, 0xc02b);
    f.outcome = TD_OUTCOME_OK;
    f.appdata[0] = 3;
    fx_server_alert(&f, 20, 0x0303);
    strcpy(f.before_alert[1], "ApplicationData");
    f.before_alert_frame[1] = 40;
    f.appdata_before_alert[1] = 3;
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_RECORD_CORRUPTED);
    assert_int_equal(v.fix_side, TD_SIDE_NETWORK);
    assert_true(v.rejected_after_handshake); /* the session died of it, data had flowed or not */
    assert_true(fx_evidence_has(&v, "application data record 3 from it"));
    f.outcome = TD_OUTCOME_FAILED; /* the connection layer calls it failed: the application data tells */
    td_diagnose(&f, NULL, &v);
    assert_int_equal(v.cause, TD_CAUSE_RECORD_CORRUPTED);
    f.appdata_before_alert[1] = 0;
    strcpy(f.before_alert[1], "ClientKeyExchange");
    td_diagnose(&f, NULL, &v);
    assert_int_not_equal(v.cause, TD_CAUSE_RECORD_CORRUPTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psk_binder),
        cmocka_unit_test(test_server_key_exchange_signature),
        cmocka_unit_test(test_client_certificate_verify),
        cmocka_unit_test(test_tls13_server_flight_with_keys),
        cmocka_unit_test(test_first_protected_record),
        cmocka_unit_test(test_record_after_handshake),
    };
    return tl_run_tests("diag/rules_integrity", tests);
}
