/* tlsdiag config's readers: each example file of tests/data/config gives the
 * settings it holds at their lines; every prefix of each file parses or fails
 * with a line:column error, never a crash; malformed XML, JSON, YAML, nginx
 * and properties fail at the place named; the limits hold. Run from the
 * repository root. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

static struct td_buf slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_msg("%s: cannot read (run the test from the repository root)", path);
    }
    struct td_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        td_buf_append(&b, chunk, n);
    }
    fclose(f);
    return b;
}

static const struct td_conf_item *item(const struct td_conf_file *f, enum td_conf_key k, size_t nth)
{
    for (size_t i = 0; i < f->num_items; i++) {
        if (f->items[i].key == k && nth-- == 0) {
            return &f->items[i];
        }
    }
    return NULL;
}

/* The line of the first line of PATH that contains NEEDLE (1-based). */
static uint32_t line_of(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[4096];
    uint32_t n = 0, found = 0;
    while (!found && fgets(buf, sizeof buf, f)) {
        n++;
        found = strstr(buf, needle) ? n : 0;
    }
    fclose(f);
    assert_true(found > 0);
    return found;
}

static void expect(const struct td_conf_file *f, enum td_conf_key k, size_t nth, const char *value, const char *needle)
{
    const struct td_conf_item *it = item(f, k, nth);
    if (!it) {
        fail_msg("%s: no %s #%zu", f->path, td_conf_key_name(k), nth);
    }
    assert_string_equal(it->value, value);
    assert_int_equal(it->line, line_of(f->path, needle));
}

static void read_ok(const char *path, enum td_conf_kind kind, struct td_conf_file *f)
{
    if (!td_conf_file_read(path, f)) {
        fail_msg("%s: %s", path, f->err);
    }
    assert_int_equal(f->kind, kind);
}

static void test_apigee_xml(void **state)
{
    (void)state;
    struct td_conf_file f;
    read_ok("tests/data/config/targets/default.xml", TD_CONF_XML, &f);
    expect(&f, TD_CK_ENABLED, 0, "true", "<Enabled>");
    expect(&f, TD_CK_CLIENT_AUTH, 0, "true", "<ClientAuthEnabled>");
    expect(&f, TD_CK_KEYSTORE, 0, "ref://ordersKeystoreRef", "<KeyStore>");
    expect(&f, TD_CK_TRUSTSTORE, 0, "ref://ordersTruststoreRef", "<TrustStore>");
    expect(&f, TD_CK_IGNORE_VALIDATION, 0, "true", "<IgnoreValidationErrors>");
    expect(&f, TD_CK_PROTOCOL, 0, "TLSv1", "<Protocol>TLSv1<");
    expect(&f, TD_CK_PROTOCOL, 1, "TLSv1.1", "<Protocol>TLSv1.1<");
    expect(&f, TD_CK_CIPHER, 1, "TLS_RSA_WITH_AES_256_GCM_SHA384", "CDATA"); /* CDATA read as text */
    expect(&f, TD_CK_COMMON_NAME, 0, "*.orders.example.com", "<CommonName");
    assert_null(item(&f, TD_CK_KEYALIAS, 0));
    assert_false(f.items[0].server_side);
    td_conf_file_free(&f);
}

static void test_apigee_json(void **state)
{
    (void)state;
    struct td_conf_file f;
    read_ok("tests/data/config/targetserver.json", TD_CONF_JSON, &f);
    expect(&f, TD_CK_PROTOCOL, 0, "TLSv1.3", "\"TLSv1.3\"");
    expect(&f, TD_CK_CIPHER, 1, "SSL_RSA_WITH_3DES_EDE_CBC_SHA", "SSL_RSA");
    expect(&f, TD_CK_IGNORE_VALIDATION, 0, "false", "ignoreValidationErrors");
    expect(&f, TD_CK_COMMON_NAME, 0, "payments.example.com", "\"value\"");
    assert_false(item(&f, TD_CK_PROTOCOL, 0)->server_side);
    td_conf_file_free(&f);
    read_ok("tests/data/config/virtualhost.json", TD_CONF_JSON, &f);
    expect(&f, TD_CK_KEYSTORE, 0, "ref://vhostKeystoreRef", "keyStore");
    expect(&f, TD_CK_PROTOCOL, 1, "TLSv1.1", "\"TLSv1.1\"");
    assert_true(item(&f, TD_CK_PROTOCOL, 0)->server_side); /* hostAliases: a VirtualHost */
    td_conf_file_free(&f);
}

static void test_properties(void **state)
{
    (void)state;
    struct td_conf_file f;
    read_ok("tests/data/config/message-processor.properties", TD_CONF_PROPERTIES, &f);
    expect(&f, TD_CK_SNI_ENABLED, 0, "false", "enableSNIExtension");
    expect(&f, TD_CK_PROTOCOL_LIST, 0, "TLSv1,TLSv1.1", "https.protocols");
    /* a continuation line joined, its leading blanks dropped */
    expect(&f, TD_CK_CIPHER_LIST, 0, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
           "cipherSuites");
    assert_int_equal(f.num_items, 3);
    td_conf_file_free(&f);
    read_ok("tests/data/config/java.security", TD_CONF_PROPERTIES, &f);
    const struct td_conf_item *d = item(&f, TD_CK_DISABLED_ALGS, 0);
    assert_non_null(d);
    assert_int_equal(d->line, line_of(f.path, "jdk.tls.disabledAlgorithms"));
    assert_non_null(strstr(d->value, "MD5withRSA, DH keySize < 1024"));
    td_conf_file_free(&f);
}

static void test_nginx(void **state)
{
    (void)state;
    struct td_conf_file f;
    read_ok("tests/data/config/nginx.conf", TD_CONF_NGINX, &f);
    expect(&f, TD_CK_PROTOCOL_LIST, 0, "TLSv1.2 TLSv1.3", "ssl_protocols");
    expect(&f, TD_CK_CIPHER_STRING, 0, "HIGH:!aNULL:!MD5", "ssl_ciphers"); /* quotes removed */
    expect(&f, TD_CK_GROUPS, 0, "X25519:prime256v1", "ssl_ecdh_curve");
    expect(&f, TD_CK_PROTOCOL_LIST, 1, "TLSv1 TLSv1.1", "proxy_ssl_protocols");
    expect(&f, TD_CK_CIPHER_STRING, 1, "ECDHE-RSA-AES256-GCM-SHA384:kRSA+AESGCM", "proxy_ssl_ciphers");
    expect(&f, TD_CK_TLS_ON, 1, "https://orders.internal.example.com", "orders.internal");
    assert_true(item(&f, TD_CK_PROTOCOL_LIST, 0)->server_side);
    assert_false(item(&f, TD_CK_PROTOCOL_LIST, 1)->server_side);
    /* the location block's parent is the server block, whose parent is http */
    const struct td_conf_group *g = &f.groups[item(&f, TD_CK_PROTOCOL_LIST, 1)->group];
    assert_non_null(strstr(g->name, "location /legacy/"));
    assert_non_null(strstr(f.groups[f.groups[g->parent].parent].name, "http"));
    td_conf_file_free(&f);
}

static void test_haproxy(void **state)
{
    (void)state;
    struct td_conf_file f;
    read_ok("tests/data/config/haproxy.cfg", TD_CONF_HAPROXY, &f);
    expect(&f, TD_CK_CIPHER_STRING, 0, "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
           "ssl-default-server-ciphers");
    expect(&f, TD_CK_MIN_VER, 0, "TLSv1.2", "ssl-default-server-options");
    expect(&f, TD_CK_VERIFY, 0, "none", "server app1");
    expect(&f, TD_CK_SNI_NAME, 0, "req.hdr(host)", "server app1");
    expect(&f, TD_CK_MAX_VER, 0, "TLSv1.1", "server app2");
    expect(&f, TD_CK_TRUSTSTORE, 0, "/etc/haproxy/ca.pem", "server app2");
    assert_true(item(&f, TD_CK_MIN_VER, 1)->server_side); /* the bind line's */
    td_conf_file_free(&f);
}

static void test_envoy_yaml(void **state)
{
    (void)state;
    struct td_conf_file f;
    read_ok("tests/data/config/envoy.yaml", TD_CONF_YAML, &f);
    expect(&f, TD_CK_SNI_NAME, 0, "legacy.example.com", "sni:");
    expect(&f, TD_CK_MIN_VER, 0, "TLSv1_0", "tls_minimum_protocol_version");
    expect(&f, TD_CK_MAX_VER, 0, "TLSv1_1", "tls_maximum_protocol_version");
    expect(&f, TD_CK_CIPHER, 0, "[ECDHE-RSA-AES128-GCM-SHA256|ECDHE-RSA-CHACHA20-POLY1305]", "[ECDHE");
    expect(&f, TD_CK_CIPHER, 1, "ECDHE-RSA-AES256-GCM-SHA384", "- ECDHE-RSA-AES256");
    assert_non_null(strstr(item(&f, TD_CK_TLS_ON, 0)->value, "UpstreamTlsContext"));
    assert_null(item(&f, TD_CK_VALIDATION_CTX, 0));
    td_conf_file_free(&f);
}

/* Bytes in memory: ok, or an error whose text starts "LINE:COL:". */
static bool parse(const char *text, struct td_conf_file *f)
{
    return td_conf_file_parse("t", (const uint8_t *)text, strlen(text), f);
}

static void expect_error(const char *text, const char *where, const char *what)
{
    struct td_conf_file f;
    if (parse(text, &f)) {
        fail_msg("parsed: %s", text);
    }
    if (strncmp(f.err, where, strlen(where)) != 0 || !strstr(f.err, what)) {
        fail_msg("%s: error '%s', wanted '%s...%s'", text, f.err, where, what);
    }
    td_conf_file_free(&f);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_error("<A>\n <SSLInfo>\n  <Protocol>TLSv1.2</Protocl>\n", "3:", "</Protocl> closes <Protocol>");
    expect_error("<A>\n <B>x &nbsp; y</B></A>", "2:", "unknown entity");
    expect_error("<!DOCTYPE a [<!ENTITY x \"y\">]><a/>", "1:", "internal subset");
    expect_error("<A><B>", "1:", "end of file inside <B>");
    expect_error("<A/><B/>", "1:", "a second root");
    expect_error("<A x=1/>", "1:", "quoted value");
    expect_error("<A><!-- never ends", "1:", "unterminated comment");
    expect_error("{\n \"sSLInfo\": {\"protocols\": [\"TLSv1.2\",]}\n}", "2:", "JSON value expected");
    expect_error("{\"a\": \"\\ud800\"}", "1:", "surrogate");
    expect_error("{\"a\": 1} x", "1:", "bytes after");
    expect_error("static_resources:\n\tclusters: []\n", "2:", "tab");
    expect_error("clusters:\n  - name: &a x\n", "", "anchors");
    expect_error("server {\n  ssl_protocols TLSv1.2\n}\n", "3:", "unexpected '}'");
    expect_error("server {\n  ssl_protocols TLSv1.2;\n", "3:", "'}' missing");
    expect_error("server { ssl_ciphers \"HIGH;\n}\n", "3:", "unterminated quoted");
    expect_error("hello, world\n", "", "not a configuration file");
    struct td_buf deep = {0};
    for (int i = 0; i < 70; i++) {
        td_buf_puts(&deep, "<a>");
    }
    expect_error(td_buf_cstr(&deep), "1:", "deeper than 64");
    td_buf_reset(&deep);
    for (int i = 0; i < 70; i++) {
        td_buf_puts(&deep, "[");
    }
    expect_error(td_buf_cstr(&deep), "1:", "deeper than 64");
    td_buf_free(&deep);
}

static void test_entities_and_detection(void **state)
{
    (void)state;
    struct td_conf_file f;
    assert_true(parse("<T><SSLInfo><CommonName>a&amp;b&#x41;&#66;&lt;</CommonName></SSLInfo></T>", &f));
    assert_string_equal(item(&f, TD_CK_COMMON_NAME, 0)->value, "a&bAB<");
    td_conf_file_free(&f);
    assert_true(parse("{\"sSLInfo\": {\"commonName\": {\"value\": \"\\u00e9\\ud83d\\ude00\"}}}", &f));
    assert_string_equal(item(&f, TD_CK_COMMON_NAME, 0)->value, "\xc3\xa9\xf0\x9f\x98\x80");
    td_conf_file_free(&f);
    assert_int_equal(td_conf_detect((const uint8_t *)"\xEF\xBB\xBF <x/>", 8), TD_CONF_XML);
    assert_int_equal(td_conf_detect((const uint8_t *)"a.b=c\n", 6), TD_CONF_PROPERTIES);
    assert_int_equal(td_conf_detect((const uint8_t *)"backend x\n server a b ssl\n", 27), TD_CONF_HAPROXY);
    assert_int_equal(td_conf_detect((const uint8_t *)"", 0), TD_CONF_UNKNOWN);
}

/* Every prefix of every example: parsed, or an error at a place; no crash. */
static void test_prefixes(void **state)
{
    (void)state;
    static const char *const files[] = {
        "tests/data/config/targets/default.xml", "tests/data/config/targetserver.json",
        "tests/data/config/virtualhost.json",    "tests/data/config/message-processor.properties",
        "tests/data/config/java.security",       "tests/data/config/nginx.conf",
        "tests/data/config/haproxy.cfg",         "tests/data/config/envoy.yaml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct td_buf b = slurp(files[i]);
        size_t ok = 0;
        for (size_t n = 0; n <= b.len; n++) {
            struct td_conf_file f;
            uint8_t *copy = td_memdup(b.data, n ? n : 1); /* exactly n bytes: ASan sees any overread */
            if (td_conf_file_parse(files[i], copy, n, &f)) {
                ok++;
            } else {
                assert_true(f.err[0] != '\0');
            }
            td_conf_file_free(&f);
            free(copy);
        }
        assert_true(ok > 0);
        td_buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apigee_xml), cmocka_unit_test(test_apigee_json),
        cmocka_unit_test(test_properties), cmocka_unit_test(test_nginx),
        cmocka_unit_test(test_haproxy),    cmocka_unit_test(test_envoy_yaml),
        cmocka_unit_test(test_malformed),  cmocka_unit_test(test_entities_and_detection),
        cmocka_unit_test(test_prefixes),
    };
    return tl_run_tests("config/parsers", tests);
}
