/* Shared helpers for the cmocka unit tests. */
#ifndef TD_TESTLIB_H
#define TD_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the above first */
#include <cmocka.h>

#include "base/builder.h"
#include "base/mem.h"

/* A ClientHello body (no handshake header) with the given SNI (NULL: none),
 * TLS 1.2+1.3 supported_versions, 3 suites, x25519 key share, ALPN h2. */
void tl_client_hello(struct td_buf *out, const char *sni);
/* A ServerHello body choosing TLS 1.3 (supported_versions) or plain TLS 1.2. */
void tl_server_hello(struct td_buf *out, bool tls13, uint16_t suite);
/* Wrap a handshake body into header + record(s) of at most max_frag bytes. */
void tl_records(struct td_buf *out, uint8_t content_type, uint8_t hs_type, const struct td_buf *body, size_t max_frag);

/* Sets cmocka's case filter from $TD_TEST (a glob: * and ?), so that
 * `make check T=diag/rules_test TD_TEST='test_sni*'` runs only those cases. */
void tl_filter_from_env(void);
/* Every unit test's main ends with this instead of cmocka_run_group_tests_name. */
#define tl_run_tests(name, tests) (tl_filter_from_env(), cmocka_run_group_tests_name(name, tests, NULL, NULL))

#endif
