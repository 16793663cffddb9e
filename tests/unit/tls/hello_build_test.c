/* The probe's ClientHellos are the same bytes as those of the build_hello it
 * had before the builder moved to tls/hello_build.c (captured from that
 * function with random bytes a0 a1 .. bf), and the sample profile gives the
 * bytes of the hand-built copy tests/lib had. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "tls/hello_build.h"
#include "tls/names.h"
#include "tls/tls.h"

static const uint16_t all_groups[] = {TD_GROUP_X25519,    TD_GROUP_SECP256R1, TD_GROUP_SECP384R1, TD_GROUP_SECP521R1,
                                      TD_GROUP_X448,      TD_GROUP_FFDHE2048, TD_GROUP_FFDHE3072, TD_GROUP_FFDHE4096,
                                      TD_GROUP_FFDHE6144, TD_GROUP_FFDHE8192};
static const uint16_t suites12[] = {0xc030, 0xcca8, 0x002f}, suites13[] = {0x1301, 0x1302, 0x1303};

struct vector {
    uint16_t version;
    const char *sni;
    const char *hex;
};

static const struct vector probe_vectors[] = {
    {0x0300, NULL,
     "160300005c010000580300a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf000006c030cca8"
     "002f01000029000a00160014001d001700180019001e01000101010201030104000b0002010000170000ff01000100"},
    {0x0300, "server.test",
     "16030000700100006c0300a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf000006c030cca8"
     "002f0100003d00000010000e00000b7365727665722e74657374000a00160014001d001700180019001e0100010101020103"
     "0104000b0002010000170000ff01000100"},
    {0x0301, NULL,
     "160301005c010000580301a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf000006c030cca8"
     "002f01000029000a00160014001d001700180019001e01000101010201030104000b0002010000170000ff01000100"},
    {0x0301, "server.test",
     "16030100700100006c0301a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf000006c030cca8"
     "002f0100003d00000010000e00000b7365727665722e74657374000a00160014001d001700180019001e0100010101020103"
     "0104000b0002010000170000ff01000100"},
    {0x0302, NULL,
     "160301005c010000580302a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf000006c030cca8"
     "002f01000029000a00160014001d001700180019001e01000101010201030104000b0002010000170000ff01000100"},
    {0x0302, "server.test",
     "16030100700100006c0302a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf000006c030cca8"
     "002f0100003d00000010000e00000b7365727665722e74657374000a00160014001d001700180019001e0100010101020103"
     "0104000b0002010000170000ff01000100"},
    {0x0303, NULL,
     "16030100900100008c0303a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf000006c030cca8"
     "002f0100005d000a00160014001d001700180019001e01000101010201030104000b00020100000d0030002e040305030603"
     "080708080804080508060809080a080b04010501060102030201030303010402050206020202030200170000ff01000100"},
    {0x0303, "server.test",
     "16030100a4010000a00303a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf000006c030cca8"
     "002f0100007100000010000e00000b7365727665722e74657374000a00160014001d001700180019001e0100010101020103"
     "0104000b00020100000d0030002e040305030603080708080804080508060809080a080b0401050106010203020103030301"
     "0402050206020202030200170000ff01000100"},
    {0x0304, NULL,
     "16030100c3010000bf0303a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf20a0a1a2a3a4a5"
     "a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf000613011302130301000070000a00160014001d00170018"
     "0019001e01000101010201030104000b00020100000d0030002e040305030603080708080804080508060809080a080b0401"
     "0501060102030201030303010402050206020202030200170000ff01000100002b0003020304002d00020101003300020000"},
    {0x0304, "server.test",
     "16030100d7010000d30303a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf20a0a1a2a3a4a5"
     "a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf00061301130213030100008400000010000e00000b736572"
     "7665722e74657374000a00160014001d001700180019001e01000101010201030104000b00020100000d0030002e04030503"
     "0603080708080804080508060809080a080b04010501060102030201030303010402050206020202030200170000ff010001"
     "00002b0003020304002d00020101003300020000"},
};

static const char probe_all_0303[] =
    "160301034a010003460303a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf0002ac00010002"
    "0003000400050006000700080009000a000b000c000d000e000f0010001100120013001400150016001700180019001a001b"
    "001e001f0020002100220023002400250026002700280029002a002b002c002d002e002f0030003100320033003400350036"
    "003700380039003a003b003c003d003e003f0040004100420043004400450046006700680069006a006b006c006d00840085"
    "0086008700880089008a008b008c008d008e008f0090009100920093009400950096009700980099009a009b009c009d009e"
    "009f00a000a100a200a300a400a500a600a700a800a900aa00ab00ac00ad00ae00af00b000b100b200b300b400b500b600b7"
    "00b800b900ba00bb00bc00bd00be00bf00c000c100c200c300c400c500c600c7c001c002c003c004c005c006c007c008c009"
    "c00ac00bc00cc00dc00ec00fc010c011c012c013c014c015c016c017c018c019c01ac01bc01cc01dc01ec01fc020c021c022"
    "c023c024c025c026c027c028c029c02ac02bc02cc02dc02ec02fc030c031c032c033c034c035c036c037c038c039c03ac03b"
    "c03cc03dc03ec03fc040c041c042c043c044c045c046c047c048c049c04ac04bc04cc04dc04ec04fc050c051c052c053c054"
    "c055c056c057c058c059c05ac05bc05cc05dc05ec05fc060c061c062c063c064c065c066c067c068c069c06ac06bc06cc06d"
    "c06ec06fc070c071c072c073c074c075c076c077c078c079c07ac07bc07cc07dc07ec07fc080c081c082c083c084c085c086"
    "c087c088c089c08ac08bc08cc08dc08ec08fc090c091c092c093c094c095c096c097c098c099c09ac09bc09cc09dc09ec09f"
    "c0a0c0a1c0a2c0a3c0a4c0a5c0a6c0a7c0a8c0a9c0aac0abc0acc0adc0aec0afc0b0c0b1c0b2c0b3c0b4c0b5c100c101c102"
    "c103c104c105c106cca8cca9ccaaccabccacccadccaed001d002d003d0050100007100000010000e00000b7365727665722e"
    "74657374000a00160014001d001700180019001e01000101010201030104000b00020100000d0030002e0403050306030807"
    "08080804080508060809080a080b04010501060102030201030303010402050206020202030200170000ff01000100";

static const char probe_all_0304_g23[] =
    "16030100c7010000c30303a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf20a0a1a2a3a4a5"
    "a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf000a13011302130313041305010000700000000e000c0000"
    "09612e6578616d706c65000a000400020017000b00020100000d0030002e040305030603080708080804080508060809080a"
    "080b04010501060102030201030303010402050206020202030200170000ff01000100002b0003020304002d000201010033"
    "00020000";

static const char sample_nosni[] =
    "0303010203000000000000000000000000000000000000000000000000000000000020010203000000000000000000000000"
    "000000000000000000000000000000000000061301c02f0a0a0100004a002b00050403040303000a00060004001d00170033"
    "00260024001d0020010203000000000000000000000000000000000000000000000000000000000000100005000302683212"
    "340000";

static const char sample_sni[] =
    "0303010203000000000000000000000000000000000000000000000000000000000020010203000000000000000000000000"
    "000000000000000000000000000000000000061301c02f0a0a0100005e00000010000e00000b7365727665722e7465737400"
    "2b00050403040303000a00060004001d0017003300260024001d002001020300000000000000000000000000000000000000"
    "0000000000000000000000100005000302683212340000";

static void assert_hex(const struct td_buf *b, const char *hex)
{
    char *got = calloc(b->len * 2 + 1, 1);
    for (size_t i = 0; i < b->len; i++) {
        snprintf(got + 2 * i, 3, "%02x", b->data[i]);
    }
    assert_string_equal(got, hex);
    free(got);
}

static enum td_hello_profile probe_profile(uint16_t version)
{
    return version == TD_VERSION_TLS1_3   ? TD_HELLO_PROBE_TLS13
           : version == TD_VERSION_TLS1_2 ? TD_HELLO_PROBE_TLS12
                                          : TD_HELLO_PROBE_LEGACY;
}

static void fixed_random(uint8_t random[32])
{
    for (int k = 0; k < 32; k++) {
        random[k] = (uint8_t)(0xa0 + k);
    }
}

static void test_probe_profiles_as_before(void **state)
{
    (void)state;
    uint8_t random[32];
    fixed_random(random);
    for (size_t i = 0; i < sizeof probe_vectors / sizeof probe_vectors[0]; i++) {
        const struct vector *v = &probe_vectors[i];
        struct td_hello_spec spec = {
            .profile = probe_profile(v->version),
            .version = v->version,
            .random = random,
            .suites = v->version == TD_VERSION_TLS1_3 ? suites13 : suites12,
            .num_suites = 3,
            .groups = all_groups,
            .num_groups = sizeof all_groups / sizeof all_groups[0],
            .sni = v->sni,
        };
        struct td_buf b = {0};
        assert_true(td_build_client_hello(&b, &spec));
        assert_hex(&b, v->hex);
        td_buf_free(&b);
    }
}

/* The probe's first contact (every registered suite at TLS 1.2) and a TLS 1.3
 * hello with one group. */
static void test_probe_long_lists_as_before(void **state)
{
    (void)state;
    uint8_t random[32];
    uint16_t all[600];
    size_t n = 0;
    fixed_random(random);
    for (size_t i = 0; i < td_suite_names_len; i++) { /* as the probe's suites_for(TLS 1.2) */
        uint32_t v = td_suite_names[i].value;
        if (v == 0 || v > 0xffff || (v >> 8) == 0x13 || strstr(td_suite_names[i].name, "SCSV")) {
            continue;
        }
        all[n++] = (uint16_t)v;
    }
    struct td_hello_spec spec = {.profile = TD_HELLO_PROBE_TLS12,
                                 .version = TD_VERSION_TLS1_2,
                                 .random = random,
                                 .suites = all,
                                 .num_suites = n,
                                 .groups = all_groups,
                                 .num_groups = sizeof all_groups / sizeof all_groups[0],
                                 .sni = "server.test"};
    struct td_buf b = {0};
    assert_true(td_build_client_hello(&b, &spec));
    assert_hex(&b, probe_all_0303);
    td_buf_reset(&b);
    uint16_t s13[] = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305};
    struct td_hello_spec spec13 = {.profile = TD_HELLO_PROBE_TLS13,
                                   .version = TD_VERSION_TLS1_3,
                                   .random = random,
                                   .suites = s13,
                                   .num_suites = 5,
                                   .groups = &all_groups[1],
                                   .num_groups = 1,
                                   .sni = "a.example"};
    assert_true(td_build_client_hello(&b, &spec13));
    assert_hex(&b, probe_all_0304_g23);
    td_buf_free(&b);
}

static void test_sample_as_testlib_had(void **state)
{
    (void)state;
    struct td_buf b = {0};
    tl_client_hello(&b, NULL);
    assert_hex(&b, sample_nosni);
    td_buf_reset(&b);
    tl_client_hello(&b, "server.test");
    assert_hex(&b, sample_sni);
    td_buf_free(&b);
}

/* A length that overflows its prefix fails the whole hello. */
static void test_overlong_sni_fails(void **state)
{
    (void)state;
    char *sni = calloc(70000, 1);
    memset(sni, 'a', 69999);
    uint8_t random[32] = {0};
    uint16_t suite = 0xc02f;
    struct td_hello_spec spec = {.profile = TD_HELLO_PROBE_TLS12,
                                 .version = TD_VERSION_TLS1_2,
                                 .random = random,
                                 .suites = &suite,
                                 .num_suites = 1,
                                 .groups = all_groups,
                                 .num_groups = 1,
                                 .sni = sni};
    struct td_buf b = {0};
    assert_false(td_build_client_hello(&b, &spec));
    td_buf_free(&b);
    free(sni);
}

/* A probe hello as the TLS layer reads it: its record payload's length and the parsed ClientHello. */
static struct td_client_hello *parsed(const struct td_buf *b, size_t *payload)
{
    assert_true(b->len > 9);
    *payload = ((size_t)b->data[3] << 8) | b->data[4];
    assert_int_equal(*payload + 5, b->len);
    struct td_cur c;
    td_cur_init(&c, b->data + 9, b->len - 9);
    const char *err = NULL;
    size_t off = 0;
    struct td_client_hello *ch = td_parse_client_hello(&c, &err, &off);
    assert_non_null(ch);
    return ch;
}

/* RFC 7685: pad_to 0 pads a hello of 256-511 bytes to 512 (F5), leaves others;
 * pad_to N pads to exactly N, and never a hello already longer. */
static void test_padding(void **state)
{
    (void)state;
    uint8_t random[32];
    fixed_random(random);
    uint16_t s13[] = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305};
    struct td_hello_spec spec = {.profile = TD_HELLO_PROBE_TLS13, .version = TD_VERSION_TLS1_3, .random = random};
    spec.suites = s13;
    spec.num_suites = 5;
    spec.groups = all_groups;
    spec.num_groups = sizeof all_groups / sizeof all_groups[0];
    spec.sni = "a-name-long-enough-to-put-the-hello-over-256-bytes.example";
    static const struct {
        size_t pad_to, want;
        bool padded;
    } cases[] = {{0, 512, true}, {300, 300, true}, {1500, 1500, true}, {100, 0, false}};
    size_t natural = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct td_buf b = {0};
        spec.pad_to = cases[i].pad_to;
        assert_true(td_build_client_hello(&b, &spec));
        size_t len;
        struct td_client_hello *ch = parsed(&b, &len);
        assert_int_equal(ch->exts.v[ch->exts.n - 1].type == TD_EXT_PADDING, cases[i].padded);
        if (cases[i].padded) {
            assert_int_equal(len, cases[i].want);
        } else {
            natural = len;
        }
        td_client_hello_free(ch);
        td_buf_free(&b);
    }
    assert_true(natural >= 256 && natural <= 511); /* the case pad_to 0 had to pad */
    spec.pad_to = 0;
    spec.no_pad = true; /* a client's own hello (probe --client): never padded */
    {
        struct td_buf nb = {0};
        assert_true(td_build_client_hello(&nb, &spec));
        size_t nlen;
        struct td_client_hello *nch = parsed(&nb, &nlen);
        assert_int_equal(nlen, natural);
        assert_int_not_equal(nch->exts.v[nch->exts.n - 1].type, TD_EXT_PADDING);
        td_client_hello_free(nch);
        td_buf_free(&nb);
    }
    spec.no_pad = false;
    spec.sni = NULL;
    spec.num_groups = 1;
    spec.pad_to = 0;
    struct td_buf b = {0};
    assert_true(td_build_client_hello(&b, &spec));
    size_t len;
    struct td_client_hello *ch = parsed(&b, &len);
    assert_true(len < 256 && ch->exts.v[ch->exts.n - 1].type != TD_EXT_PADDING); /* small: as before */
    td_client_hello_free(ch);
    td_buf_free(&b);
}

/* Two key shares, in order: a post-quantum one (1,216 bytes) then x25519, with TLS 1.3 and 1.2. */
static void test_two_key_shares(void **state)
{
    (void)state;
    uint8_t random[32], pq[1216] = {1}, x[32] = {2};
    fixed_random(random);
    uint16_t groups[] = {TD_GROUP_X25519MLKEM768, TD_GROUP_X25519};
    struct td_hello_spec spec = {.profile = TD_HELLO_PROBE_MODERN,
                                 .version = TD_VERSION_TLS1_3,
                                 .random = random,
                                 .suites = suites13,
                                 .num_suites = 3,
                                 .groups = groups,
                                 .num_groups = 2,
                                 .key_share_group = TD_GROUP_X25519MLKEM768,
                                 .key_share = pq,
                                 .key_share_len = sizeof pq,
                                 .key_share2_group = TD_GROUP_X25519,
                                 .key_share2 = x,
                                 .key_share2_len = sizeof x};
    struct td_buf b = {0};
    assert_true(td_build_client_hello(&b, &spec));
    size_t len;
    struct td_client_hello *ch = parsed(&b, &len);
    assert_true(len > 1216 + 200);
    assert_int_equal(ch->key_shares.n, 2);
    assert_int_equal(ch->key_shares.v[0], TD_GROUP_X25519MLKEM768);
    assert_int_equal(ch->key_shares.v[1], TD_GROUP_X25519);
    assert_int_equal(ch->versions.n, 2);
    assert_int_equal(ch->versions.v[1], TD_VERSION_TLS1_2);
    td_client_hello_free(ch);
    td_buf_free(&b);
}

/* no_ems leaves extended_master_secret out, and only it (probe/ems.c). */
static void test_no_ems(void **state)
{
    (void)state;
    uint8_t random[32] = {0};
    uint16_t suite = 0xc02f;
    struct td_hello_spec spec = {.profile = TD_HELLO_PROBE_TLS12,
                                 .version = TD_VERSION_TLS1_2,
                                 .random = random,
                                 .suites = &suite,
                                 .num_suites = 1,
                                 .groups = all_groups,
                                 .num_groups = 1,
                                 .sni = "server.test"};
    struct td_client_hello *ch[2];
    for (int no_ems = 0; no_ems < 2; no_ems++) {
        struct td_buf b = {0};
        struct td_cur c;
        const char *err = NULL;
        size_t off = 0;
        spec.no_ems = no_ems;
        assert_true(td_build_client_hello(&b, &spec));
        td_cur_init(&c, b.data + 9, b.len - 9); /* past the record and handshake headers */
        ch[no_ems] = td_parse_client_hello(&c, &err, &off);
        assert_non_null(ch[no_ems]);
        td_buf_free(&b);
    }
    assert_true(ch[0]->has_ems);
    assert_false(ch[1]->has_ems);
    assert_int_equal(ch[1]->exts.n, ch[0]->exts.n - 1);
    assert_true(ch[1]->has_reneg && ch[1]->has_sni);
    td_client_hello_free(ch[0]);
    td_client_hello_free(ch[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_ems),
        cmocka_unit_test(test_probe_profiles_as_before),
        cmocka_unit_test(test_probe_long_lists_as_before),
        cmocka_unit_test(test_sample_as_testlib_had),
        cmocka_unit_test(test_overlong_sni_fails),
        cmocka_unit_test(test_padding),
        cmocka_unit_test(test_two_key_shares),
    };
    return tl_run_tests("tls/hello_build", tests);
}
