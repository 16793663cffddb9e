#include "cli/write_failed.h"

#include <stdio.h>

#include "base/mem.h"
#include "capture/reader.h"
#include "cli/opts.h"
#include "crypto/crypto.h"

#include "base/banned.h"

bool cli_write_failed_opt(struct cli_write_failed *wf, const char *cmd, int opt, const char *arg, bool *bad)
{
    switch (opt) {
    case CLI_OPT_WRITE_FAILED:
        wf->path = arg;
        return true;
    case 'C':
        *bad = !cli_parse_long(cmd, "-C", arg, 1, 1L << 20, &wf->rotate_mb);
        return true;
    case 'G':
        *bad = !cli_parse_long(cmd, "-G", arg, 1, 1L << 30, &wf->rotate_secs);
        return true;
    default:
        return false;
    }
}

bool cli_write_failed_open(struct cli_write_failed *wf, const char *cmd)
{
    if (!wf->path) {
        return true;
    }
    char err[512];
    wf->w = td_pcapngw_open(wf->path, (uint64_t)wf->rotate_mb << 20, wf->rotate_secs, err, sizeof err);
    if (!wf->w) {
        fprintf(stderr, "tlsdiag %s: --write-failed %s\n", cmd, err);
        return false;
    }
    wf->k = td_keep_new(wf->w, CLI_KEEP_PER_CONN);
    return true;
}

void cli_write_failed_frame(struct cli_write_failed *wf, const struct td_frame *f)
{
    if (wf->k) {
        td_keep_frame(wf->k, f->dlt, &f->ts, f->data, f->caplen, f->wirelen);
    }
}

/* A session's key log lines, in place (never reallocated: no copy left behind). */
struct keys {
    uint8_t text[TD_KEEP_MAX_SECRETS];
    size_t len;
};

static void add_line(void *ctx, const char *line, size_t len)
{
    struct keys *k = ctx;
    if (len <= sizeof k->text - k->len) {
        td_memcopy(k->text + k->len, line, len);
        k->len += len;
    }
}

void cli_write_failed_conn(struct cli_write_failed *wf, const struct td_conn_result *res)
{
    if (!wf->k || !res->conn) {
        return;
    }
    const struct td_tls_conn *c = res->conn;
    bool failed = td_facts_outcome(res->facts) == TD_OUTCOME_FAILED || res->rejected_after ||
                  (res->verdict && res->verdict->cause != TD_CAUSE_NONE);
    struct keys keys; /* for the files' Decryption Secrets Blocks */
    keys.len = 0;
    if (failed && c->have_client_random) {
        td_keylog_lines(c->keylog, c->client_random, add_line, &keys);
    }
    td_keep_decide(wf->k, &c->addr[TD_CLIENT], c->port[TD_CLIENT], &c->addr[TD_SERVER], c->port[TD_SERVER], failed,
                   keys.text, keys.len);
    td_memzero(keys.text, keys.len);
}

void cli_write_failed_http(struct cli_write_failed *wf, const struct td_http_result *h)
{
    struct td_addr ca, sa;
    uint16_t cp, sp;
    if (!wf->k || !td_addr_port_parse(h->http->client, &ca, &cp) || !td_addr_port_parse(h->http->server, &sa, &sp)) {
        return;
    }
    td_keep_decide(wf->k, &ca, cp, &sa, sp, h->up != NULL, NULL, 0);
}

bool cli_write_failed_close(struct cli_write_failed *wf, const char *cmd)
{
    if (!wf->w) {
        return true;
    }
    struct td_keep_stats st;
    td_keep_stats(wf->k, &st);
    td_keep_free(wf->k);
    char err[512] = "a write failed";
    unsigned files = td_pcapngw_files(wf->w);
    bool ok = td_pcapngw_close(wf->w, err, sizeof err) && !st.write_error;
    if (!ok) {
        fprintf(stderr, "tlsdiag %s: --write-failed %s\n", cmd, err);
    }
    fprintf(stderr, "tlsdiag %s: --write-failed %s: %llu connections, %llu frames", cmd, wf->path,
            (unsigned long long)st.conns_written, (unsigned long long)st.packets_written);
    if (files > 1) {
        fprintf(stderr, " in %u files (%s, %s1, ...)", files, wf->path, wf->path);
    }
    if (st.conns_keyed) {
        fprintf(stderr, "; key log lines of %llu in Decryption Secrets Blocks", (unsigned long long)st.conns_keyed);
    }
    if (st.keys_let_go) {
        fprintf(stderr, " (%llu past the memory bound left out of later files)", (unsigned long long)st.keys_let_go);
    }
    if (st.conns_cut) {
        fprintf(stderr, "; %llu connections cut to their first %u KiB", (unsigned long long)st.conns_cut,
                CLI_KEEP_PER_CONN >> 10);
    }
    fputc('\n', stderr);
    wf->w = NULL;
    wf->k = NULL;
    return ok;
}
