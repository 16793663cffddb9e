/* The one cause vocabulary (base/causes.def) against the code that emits.
 * Every emitter names its causes by enum, so a cause missing from the table
 * does not compile; what this test adds: the table's texts are there and its
 * slugs unique and stable-looking, and each cause a command's code names is
 * marked in the table as one that command may emit (a cert-only cause turning
 * up as a pcap verdict, a new probe finding not marked PROBE, a slug written
 * back as a string literal all fail here). Run from the repository root. */
#include "testlib.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cause.h"
#include "lab/lab.h"

static const struct {
    const char *id;
    enum td_cause cause;
} ids[] = {
#define CAUSE(id, sev, sides, cmds, slug, title, fix) {#id, TD_CAUSE_##id},
#include "base/causes.def"
#undef CAUSE
};

static void test_table(void **state)
{
    (void)state;
    assert_int_equal(sizeof ids / sizeof ids[0], TD_CAUSE_COUNT);
    for (int i = 0; i < TD_CAUSE_COUNT; i++) {
        const struct td_cause_info *a = td_cause_info((enum td_cause)i);
        assert_true(a->slug[0] && a->title[0] && a->resolution[0]);
        for (const char *p = a->slug; *p; p++) {
            if (!islower((unsigned char)*p) && *p != '_') {
                fail_msg("slug %s: lower case and _ only", a->slug);
            }
        }
        assert_true(a->severity == TD_SEV_INFO || a->severity == TD_SEV_WARNING || a->severity == TD_SEV_ERROR);
        assert_true(a->sides != 0 && (a->sides & ~0xFu) == 0);
        assert_true(a->commands != 0 && (a->commands & ~0x1Fu) == 0);
        for (int j = i + 1; j < TD_CAUSE_COUNT; j++) {
            if (strcmp(a->slug, td_cause_info((enum td_cause)j)->slug) == 0) {
                fail_msg("slug %s twice", a->slug);
            }
        }
        enum td_cause back;
        assert_true(td_cause_from_slug(a->slug, &back));
        assert_int_equal(back, i);
    }
    enum td_cause c;
    assert_false(td_cause_from_slug("expired_certificate", &c));
    assert_int_equal(TD_CAUSE_NONE, 0); /* zeroed structs mean "no cause" */
    assert_string_equal(td_cause_info(TD_CAUSE_SNI_REQUIRED)->slug, "sni_required");
    assert_string_equal(td_cause_info(TD_CAUSE_COUNT)->slug, "unknown");
}

static char *slurp(const char *path)
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
    td_buf_putc(&b, '\0');
    return (char *)b.data;
}

/* Every TD_CAUSE_<ID> named in the .c files of DIR must be one COMMAND may
 * emit; and no cause slug may be passed as a string literal. */
static void check_dir(const char *dir, unsigned command)
{
    DIR *d = opendir(dir);
    if (!d) {
        fail_msg("%s: cannot open (run the test from the repository root)", dir);
    }
    size_t files = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        size_t l = strlen(de->d_name);
        if (l < 3 || strcmp(de->d_name + l - 2, ".c") != 0) {
            continue;
        }
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        char *src = slurp(path);
        files++;
        for (const char *p = src; (p = strstr(p, "TD_CAUSE_")) != NULL;) {
            p += strlen("TD_CAUSE_");
            char id[64];
            size_t k = 0;
            while ((isupper((unsigned char)p[k]) || isdigit((unsigned char)p[k]) || p[k] == '_') && k + 1 < sizeof id) {
                id[k] = p[k];
                k++;
            }
            id[k] = '\0';
            if (strcmp(id, "COUNT") == 0 || strcmp(id, "NONE") == 0) { /* NONE: "no cause" too */
                continue;
            }
            bool found = false;
            for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
                if (strcmp(ids[i].id, id) == 0) {
                    found = true;
                    if (!(td_cause_info(ids[i].cause)->commands & command)) {
                        fail_msg("%s names TD_CAUSE_%s, which base/causes.def does not mark as emitted by %s", path, id,
                                 command == TD_CMD_PCAP    ? "PCAP"
                                 : command == TD_CMD_CERT  ? "CERT"
                                 : command == TD_CMD_PROBE ? "PROBE"
                                 : command == TD_CMD_LOG   ? "LOG"
                                                           : "CONFIG");
                    }
                }
            }
            if (!found) {
                fail_msg("%s: TD_CAUSE_%s is not in base/causes.def", path, id);
            }
        }
        /* A slug as a string literal: the finding would not carry the enum.
         * "none" and "unknown" are ordinary words there ("unknown" key type). */
        for (int i = 0; i < TD_CAUSE_COUNT; i++) {
            if (i == TD_CAUSE_NONE || i == TD_CAUSE_UNKNOWN) {
                continue;
            }
            char lit[80];
            snprintf(lit, sizeof lit, "\"%s\"", td_cause_info((enum td_cause)i)->slug);
            if (strstr(src, lit)) {
                fail_msg("%s writes the cause %s as a string: use TD_CAUSE_*", path, lit);
            }
        }
        free(src);
    }
    closedir(d);
    assert_true(files > 0);
}

static void test_emitters(void **state)
{
    (void)state;
    check_dir("src/diag", TD_CMD_PCAP);
    check_dir("src/analyse", TD_CMD_PCAP);
    check_dir("src/lab", TD_CMD_PCAP);
    check_dir("src/cert", TD_CMD_CERT);
    check_dir("src/probe", TD_CMD_PROBE);
    check_dir("src/config", TD_CMD_CONFIG);
    check_dir("src/log", TD_CMD_LOG);
    /* probe passes on the warnings and errors of the cert checks */
    for (int i = 0; i < TD_CAUSE_COUNT; i++) {
        const struct td_cause_info *a = td_cause_info((enum td_cause)i);
        if ((a->commands & TD_CMD_CERT) && a->severity != TD_SEV_INFO && !(a->commands & TD_CMD_PROBE)) {
            fail_msg("%s: a cert warning or error that probe passes on, not marked PROBE", a->slug);
        }
    }
}

/* The lab's scenarios expect pcap verdicts. */
static void test_lab_causes(void **state)
{
    (void)state;
    for (size_t i = 0; i < td_lab_count(); i++) {
        const struct td_lab_info *in = td_lab_info(i);
        if (!(td_cause_info(in->cause)->commands & TD_CMD_PCAP)) {
            fail_msg("lab %s expects %s, which is no pcap verdict", in->name, td_cause_info(in->cause)->slug);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_emitters),
        cmocka_unit_test(test_lab_causes),
    };
    return tl_run_tests("base/cause", tests);
}
