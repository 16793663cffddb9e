/* The NSS key log format
 * (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/):
 * one secret per line, "LABEL CLIENT_RANDOM SECRET" in hex. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "crypto/internal.h"

#include "base/banned.h"

#define MAX_ENTRIES 1000000

struct td_keylog *td_keylog_new(void) { return td_calloc(1, sizeof(struct td_keylog)); }

void td_keylog_free(struct td_keylog *k)
{
    if (!k) {
        return;
    }
    td_keylog_follow_free(k);
    td_memzero(k->e, k->n * sizeof *k->e); /* secrets do not linger in freed memory */
    free(k->e);
    free(k);
}

size_t td_keylog_count(const struct td_keylog *k) { return k ? k->n : 0; }
size_t td_keylog_bad_lines(const struct td_keylog *k) { return k ? k->bad : 0; }

static int hexval(uint8_t c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static bool hex(const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    if (n % 2 || n / 2 > cap || n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i += 2) {
        int a = hexval(p[i]), b = hexval(p[i + 1]);
        if (a < 0 || b < 0) {
            return false;
        }
        out[i / 2] = (uint8_t)(a << 4 | b);
    }
    *out_len = n / 2;
    return true;
}

static const char *const labels[] = {
    "CLIENT_RANDOM",
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0",
    "SERVER_TRAFFIC_SECRET_0",
    "EXPORTER_SECRET",
    "CLIENT_EARLY_TRAFFIC_SECRET",
    "EARLY_EXPORTER_SECRET",
};

static int label_id(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (strlen(labels[i]) == n && td_mem_eq(labels[i], p, n)) {
            return (int)i;
        }
    }
    return -1;
}

static void add_line(struct td_keylog *k, const uint8_t *p, size_t n)
{
    while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) {
        n--;
    }
    if (n == 0 || p[0] == '#') {
        return;
    }
    size_t a = 0;
    while (a < n && p[a] != ' ') {
        a++;
    }
    size_t b = a + 1;
    while (b < n && p[b] != ' ') {
        b++;
    }
    if (a >= n || b >= n) {
        k->bad++;
        return;
    }
    int id = label_id(p, a);
    if (id < 0) {
        return; /* a label we do not use (RSA, ...) */
    }
    struct td_keylog_entry e;
    td_memzero(&e, sizeof e);
    size_t rlen = 0;
    e.label = (uint8_t)id;
    if (!hex(p + a + 1, b - a - 1, e.random, sizeof e.random, &rlen) || rlen != 32 ||
        !hex(p + b + 1, n - b - 1, e.secret, sizeof e.secret, &e.secret_len)) {
        k->bad++;
        return;
    }
    if (k->follow && k->n >= k->follow->max) {
        td_keylog_drop_oldest(k);
    }
    if (k->n >= MAX_ENTRIES) {
        k->bad++;
        return;
    }
    e.seq = k->seq++;
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 64;
        k->e = td_realloc(k->e, k->cap * sizeof *k->e);
    }
    k->e[k->n++] = e;
    k->sorted = false;
}

void td_keylog_add_text(struct td_keylog *k, const uint8_t *text, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n') {
            add_line(k, text + start, i - start);
            start = i + 1;
        }
    }
}

bool td_keylog_load(struct td_keylog *k, const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return false;
    }
    struct td_buf b = {0};
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (256u << 20)) {
        td_buf_append(&b, chunk, n);
    }
    bool ok = !ferror(f);
    fclose(f);
    if (!ok) {
        snprintf(err, err_len, "%s: read error", path);
    } else {
        td_keylog_add_text(k, b.data, b.len);
    }
    td_memzero(b.data, b.len);
    td_buf_free(&b);
    return ok;
}

static int bytes_cmp(const uint8_t *x, const uint8_t *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return x[i] < y[i] ? -1 : 1;
        }
    }
    return 0;
}

/* By client random, label, then secret: the lines of one session are
 * together, and the same line twice comes twice in a row. */
static int entry_cmp(const void *a, const void *b)
{
    const struct td_keylog_entry *x = a, *y = b;
    int c = bytes_cmp(x->random, y->random, 32);
    if (c || x->label != y->label) {
        return c ? c : (int)x->label - (int)y->label;
    }
    if (x->secret_len != y->secret_len) {
        return x->secret_len < y->secret_len ? -1 : 1;
    }
    return bytes_cmp(x->secret, y->secret, x->secret_len);
}

static void sort_once(const struct td_keylog *k)
{
    struct td_keylog *m = (struct td_keylog *)k; /* sorting does not change what it holds */
    if (!m->sorted && m->n > 0) {
        qsort(m->e, m->n, sizeof *m->e, entry_cmp);
        m->sorted = true;
    }
}

/* The first entry not below (client_random, label id): k->n when none. */
static size_t lower_bound(const struct td_keylog *k, const uint8_t client_random[32], int id)
{
    struct td_keylog_entry key;
    td_memzero(&key, sizeof key);
    td_memcopy(key.random, client_random, 32);
    key.label = (uint8_t)id;
    size_t lo = 0, hi = k->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (entry_cmp(&k->e[mid], &key) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

bool td_keylog_knows(const struct td_keylog *k, const uint8_t client_random[32])
{
    if (k->n == 0) {
        return false;
    }
    sort_once(k);
    size_t i = lower_bound(k, client_random, 0);
    return i < k->n && td_mem_eq(k->e[i].random, client_random, 32);
}

/* Sorted on first use, then found by bisection:
 * key logs of busy machines hold thousands of sessions. */
const struct td_keylog_entry *td_keylog_find(const struct td_keylog *k, const char *label,
                                             const uint8_t client_random[32])
{
    int id = label_id((const uint8_t *)label, strlen(label));
    if (!k || id < 0 || (k->n == 0 && !k->follow)) {
        return NULL;
    }
    for (int pass = 0;; pass++) {
        sort_once(k);
        size_t i = lower_bound(k, client_random, id);
        if (i < k->n && k->e[i].label == id && td_mem_eq(k->e[i].random, client_random, 32)) {
            return &k->e[i];
        }
        /* a followed file: the client may have written the line since (finding does not change
         * what the store means, only how much of the file it has read) */
        if (pass > 0 || !k->follow || !td_keylog_follow_miss((struct td_keylog *)k, client_random)) {
            return NULL;
        }
    }
}

static size_t put_hex(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    return 2 * n;
}

size_t td_keylog_lines(const struct td_keylog *k, const uint8_t client_random[32],
                       void (*fn)(void *ctx, const char *line, size_t len), void *ctx)
{
    if (!k || k->n == 0) {
        return 0;
    }
    sort_once(k);
    /* the longest label, the random, the longest secret, two spaces, the newline */
    char line[32 + 2 * 32 + 2 * 64 + 3];
    size_t count = 0, first = lower_bound(k, client_random, 0);
    for (size_t i = first; i < k->n && td_mem_eq(k->e[i].random, client_random, 32); i++) {
        const struct td_keylog_entry *e = &k->e[i];
        if (i > first && entry_cmp(&k->e[i - 1], e) == 0) {
            continue; /* the same line twice (two clients' logs, a DSB and --keylog) */
        }
        if (count == TD_KEYLOG_MAX_LINES) {
            break;
        }
        size_t n = strlen(labels[e->label]);
        td_memcopy(line, labels[e->label], n);
        line[n++] = ' ';
        n += put_hex(line + n, e->random, 32);
        line[n++] = ' ';
        n += put_hex(line + n, e->secret, e->secret_len);
        line[n++] = '\n';
        fn(ctx, line, n);
        td_memzero(line, sizeof line);
        count++;
    }
    return count;
}

bool td_keylog_has(const struct td_keylog *k, const char *label, const uint8_t client_random[32])
{
    return td_keylog_find(k, label, client_random) != NULL;
}
