/* tlsdiag probe: one target, step by step. Each step is one TCP connection:
 * a ClientHello built here, the server's first flight read (bounded in bytes
 * and time) and parsed by the TLS layer of tlsdiag pcap. Suites and groups are
 * found by elimination: offer all, remove the one chosen, again, until the
 * server refuses; TLS 1.3 groups and suites come from HelloRetryRequests to a
 * ClientHello with an empty key_share, so no key exchange is ever computed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/builder.h"
#include "base/mem.h"
#include "cert/internal.h"
#include "probe/probe.h"
#include "tls/names.h"
#include "tls/tls.h"

#include "base/banned.h"

#define MAX_FLIGHT (256u << 10)

static const uint16_t versions[TD_PROBE_VERSIONS] = {0x0300, 0x0301, 0x0302, 0x0303, 0x0304};
static const uint16_t all_groups[] = {29, 23, 24, 25, 30, 256, 257, 258, 259, 260};
static const uint16_t sigalgs[] = {0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809,
                                   0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0303, 0x0301,
                                   0x0402, 0x0502, 0x0602, 0x0202, 0x0302};

struct pctx {
    const struct td_probe_opts *o;
    struct td_probe_result *r;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    const char *sni;            /* sent, or NULL */
    struct td_limits lim;
};

struct exch {
    bool connected, sh, hrr, alert, closed, reset, timeout, not_tls, done;
    uint16_t version, suite, group;
    uint8_t alert_desc;
    bool cert_request;
};

/* ---- the ClientHello ------------------------------------------------------- */

static void build_hello(struct td_buf *out, uint16_t version, const uint16_t *suites, size_t ns, const uint16_t *groups,
                        size_t ng, const char *sni)
{
    struct td_bld b;
    uint8_t random[32];
    RAND_bytes(random, sizeof random);
    td_bld_init(&b, out);
    td_bld_u8(&b, 22);
    td_bld_u16(&b, version == 0x0300 ? 0x0300 : 0x0301);
    td_bld_open(&b, 2);
    td_bld_u8(&b, 1);
    td_bld_open(&b, 3);
    td_bld_u16(&b, version > 0x0303 ? 0x0303 : version);
    td_bld_bytes(&b, random, 32);
    td_bld_open(&b, 1);
    if (version == 0x0304) {
        td_bld_bytes(&b, random, 32); /* a legacy session id: middlebox compatibility mode */
    }
    td_bld_close(&b);
    td_bld_open(&b, 2);
    for (size_t i = 0; i < ns; i++) {
        td_bld_u16(&b, suites[i]);
    }
    td_bld_close(&b);
    td_bld_u8(&b, 1);
    td_bld_u8(&b, 0);
    td_bld_open(&b, 2); /* extensions */
    if (sni) {
        td_bld_u16(&b, 0);
        td_bld_open(&b, 2);
        td_bld_open(&b, 2);
        td_bld_u8(&b, 0);
        td_bld_open(&b, 2);
        td_bld_bytes(&b, sni, strlen(sni));
        td_bld_close(&b);
        td_bld_close(&b);
        td_bld_close(&b);
    }
    td_bld_u16(&b, 10); /* supported_groups */
    td_bld_open(&b, 2);
    td_bld_open(&b, 2);
    for (size_t i = 0; i < ng; i++) {
        td_bld_u16(&b, groups[i]);
    }
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_u16(&b, 11); /* ec_point_formats: uncompressed */
    td_bld_open(&b, 2);
    td_bld_open(&b, 1);
    td_bld_u8(&b, 0);
    td_bld_close(&b);
    td_bld_close(&b);
    if (version >= 0x0303) {
        td_bld_u16(&b, 13); /* signature_algorithms */
        td_bld_open(&b, 2);
        td_bld_open(&b, 2);
        for (size_t i = 0; i < sizeof sigalgs / sizeof sigalgs[0]; i++) {
            td_bld_u16(&b, sigalgs[i]);
        }
        td_bld_close(&b);
        td_bld_close(&b);
    }
    td_bld_u16(&b, 23); /* extended_master_secret */
    td_bld_u16(&b, 0);
    td_bld_u16(&b, 0xff01); /* renegotiation_info */
    td_bld_u16(&b, 1);
    td_bld_u8(&b, 0);
    if (version == 0x0304) {
        td_bld_u16(&b, 43); /* supported_versions: TLS 1.3 only */
        td_bld_open(&b, 2);
        td_bld_open(&b, 1);
        td_bld_u16(&b, 0x0304);
        td_bld_close(&b);
        td_bld_close(&b);
        td_bld_u16(&b, 45); /* psk_key_exchange_modes: psk_dhe_ke */
        td_bld_open(&b, 2);
        td_bld_open(&b, 1);
        td_bld_u8(&b, 1);
        td_bld_close(&b);
        td_bld_close(&b);
        td_bld_u16(&b, 51); /* key_share: no share, so the server names its group in a HelloRetryRequest */
        td_bld_open(&b, 2);
        td_bld_open(&b, 2);
        td_bld_close(&b);
        td_bld_close(&b);
    }
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_close(&b);
    td_bld_finish(&b);
}

/* ---- one connection ------------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A connected socket, or -1 (*timeout or *refused say why). */
static int dial(struct pctx *p, bool *timeout, bool *refused)
{
    *timeout = *refused = false;
    int fd = socket(p->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    p->r->connections++;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (connect(fd, (struct sockaddr *)&p->addr, p->addr_len) != 0 && errno != EINPROGRESS) {
        *refused = errno == ECONNREFUSED;
        close(fd);
        return -1;
    }
    struct pollfd pf = {fd, POLLOUT, 0};
    int n = poll(&pf, 1, p->o->timeout_ms);
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (n <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr) {
        *timeout = n == 0;
        *refused = soerr == ECONNREFUSED || soerr == ECONNRESET;
        close(fd);
        return -1;
    }
    return fd;
}

static void look(struct td_tls_conn *c, struct exch *x)
{
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        if (m->from != TD_SERVER) {
            continue;
        }
        switch (m->kind) {
        case TD_M_HANDSHAKE:
            if (m->hs_type == 2 && m->u.sh) {
                x->sh = true;
                x->version = m->u.sh->version;
                x->suite = m->u.sh->suite;
                x->group = m->u.sh->key_share_group ? m->u.sh->key_share_group : x->group;
                if (m->u.sh->version >= 0x0304) {
                    x->done = true; /* the rest is encrypted */
                }
            } else if (m->hs_type == 6 && m->u.sh) {
                x->hrr = true;
                x->version = 0x0304;
                x->suite = m->u.sh->suite;
                x->group = m->u.sh->key_share_group;
                x->done = true;
            } else if (m->hs_type == 12 && m->u.ske && m->u.ske->kind == TD_SKE_ECDHE) {
                x->group = m->u.ske->group;
            } else if (m->hs_type == 13) {
                x->cert_request = true;
            } else if (m->hs_type == 14) {
                x->done = true; /* ServerHelloDone: the flight is complete */
            }
            break;
        case TD_M_ALERT:
            x->alert = true;
            x->alert_desc = m->alert_desc;
            x->done = true;
            break;
        case TD_M_NOT_TLS:
        case TD_M_MALFORMED:
            x->not_tls = true;
            x->done = true;
            break;
        default:
            break;
        }
    }
}

static void exchange(struct pctx *p, const struct td_buf *hello, struct exch *x)
{
    td_memzero(x, sizeof *x);
    bool timeout, refused;
    int fd = dial(p, &timeout, &refused);
    if (fd < 0) {
        x->timeout = timeout;
        x->reset = refused;
        return;
    }
    x->connected = true;
    struct td_tls_conn c;
    td_tls_conn_init(&c, &p->lim);
    struct td_addr a = {4, {127, 0, 0, 1}}, b = {4, {127, 0, 0, 2}};
    td_tls_set_roles(&c, &a, 40000, &b, p->r->port, true);
    struct td_at at = {1, {0, 0}};
    if (send(fd, hello->data, hello->len, MSG_NOSIGNAL) != (ssize_t)hello->len) {
        x->reset = true;
    } else {
        td_tls_feed(&c, TD_CLIENT, hello->data, hello->len, &at);
    }
    int64_t deadline = now_ms() + p->o->timeout_ms;
    size_t total = 0;
    uint8_t buf[16384];
    while (!x->done && !x->reset && total < MAX_FLIGHT) {
        int left = (int)(deadline - now_ms());
        struct pollfd pf = {fd, POLLIN, 0};
        if (left <= 0 || poll(&pf, 1, left) <= 0) {
            x->timeout = true;
            break;
        }
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0) {
            x->closed = true;
            break;
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            x->reset = true;
            break;
        }
        total += (size_t)n;
        at.frame++;
        td_tls_feed(&c, TD_SERVER, buf, (size_t)n, &at);
        look(&c, x);
    }
    look(&c, x);
    td_tls_conn_free(&c);
    close(fd);
}

/* ---- scans ------------------------------------------------------------------ */

static size_t suites_for(uint16_t version, uint16_t *out, size_t cap)
{
    size_t n = 0;
    if (version == 0x0304) {
        for (uint16_t s = 0x1301; s <= 0x1305 && n < cap; s++) {
            out[n++] = s;
        }
        return n;
    }
    for (size_t i = 0; i < td_suite_names_len && n < cap; i++) {
        uint32_t v = td_suite_names[i].value;
        const char *name = td_suite_names[i].name;
        if (v == 0 || v > 0xffff || (v >> 8) == 0x13 || strstr(name, "SCSV")) {
            continue;
        }
        out[n++] = (uint16_t)v;
    }
    return n;
}

static bool took(const struct exch *x, uint16_t version)
{
    return version == 0x0304 ? (x->hrr || (x->sh && x->version == 0x0304)) : (x->sh && x->version == version);
}

static void remove_u16(uint16_t *v, size_t *n, uint16_t x)
{
    for (size_t i = 0; i < *n; i++) {
        if (v[i] == x) {
            td_memmove(&v[i], &v[i + 1], (*n - i - 1) * sizeof *v);
            (*n)--;
            return;
        }
    }
}

static void scan_version(struct pctx *p, size_t vi)
{
    struct td_probe_version *pv = &p->r->v[vi];
    uint16_t offer[600];
    size_t n = suites_for(versions[vi], offer, 600);
    struct td_buf h = {0};
    struct exch x;
    pv->version = versions[vi];
    /* elimination: what the server picks, removed, until it refuses */
    while (n > 0 && pv->num_suites < TD_PROBE_MAX_SUITES) {
        td_buf_reset(&h);
        build_hello(&h, versions[vi], offer, n, all_groups, sizeof all_groups / sizeof all_groups[0], p->sni);
        exchange(p, &h, &x);
        if (!took(&x, versions[vi])) {
            break;
        }
        bool offered = false;
        for (size_t i = 0; i < n; i++) {
            offered |= offer[i] == x.suite;
        }
        if (!offered) {
            break; /* a server that answers with a suite never offered: stop, it is broken */
        }
        pv->accepted = true;
        pv->suites[pv->num_suites++] = x.suite;
        remove_u16(offer, &n, x.suite);
    }
    /* whose order: offer the accepted ones reversed */
    if (pv->num_suites >= 2) {
        uint16_t rev[TD_PROBE_MAX_SUITES];
        for (size_t i = 0; i < pv->num_suites; i++) {
            rev[i] = pv->suites[pv->num_suites - 1 - i];
        }
        td_buf_reset(&h);
        build_hello(&h, versions[vi], rev, pv->num_suites, all_groups, sizeof all_groups / sizeof all_groups[0],
                    p->sni);
        exchange(p, &h, &x);
        pv->server_order = took(&x, versions[vi]) && x.suite == pv->suites[0];
    }
    td_buf_free(&h);
}

/* Groups: TLS 1.3 from HelloRetryRequests, TLS 1.2 from ServerKeyExchange. */
static void scan_groups(struct pctx *p, size_t vi)
{
    struct td_probe_version *pv = &p->r->v[vi];
    uint16_t offer[16], suites[TD_PROBE_MAX_SUITES];
    size_t n = sizeof all_groups / sizeof all_groups[0], ns = 0;
    td_memcopy(offer, all_groups, sizeof all_groups);
    for (size_t i = 0; i < pv->num_suites; i++) {
        const char *name = td_suite_name(pv->suites[i]);
        if (versions[vi] == 0x0304 || (name && (strstr(name, "_ECDHE_") || strstr(name, "_DHE_")))) {
            suites[ns++] = pv->suites[i];
        }
    }
    struct td_buf h = {0};
    struct exch x;
    while (n > 0 && ns > 0 && pv->num_groups < TD_PROBE_MAX_GROUPS) {
        td_buf_reset(&h);
        build_hello(&h, versions[vi], suites, ns, offer, n, p->sni);
        exchange(p, &h, &x);
        if (!took(&x, versions[vi]) || !x.group) {
            break;
        }
        bool offered = false;
        for (size_t i = 0; i < n; i++) {
            offered |= offer[i] == x.group;
        }
        if (!offered) {
            break;
        }
        pv->groups[pv->num_groups++] = x.group;
        remove_u16(offer, &n, x.group);
    }
    td_buf_free(&h);
}

/* ---- libssl: the chain, and client authentication ------------------------------ */

struct ssl_seen {
    bool requested;
};

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
    (void)x509, (void)pkey;
    struct ssl_seen *s = SSL_get_app_data(ssl);
    if (s) {
        s->requested = true;
    }
    return 0; /* no certificate */
}

/* One real handshake. chain: the certificates as sent (DER, owned by the
 * caller's set). Returns whether the handshake and a first read went through. */
static bool libssl_handshake(struct pctx *p, const char *sni, struct td_certset *chain, uint8_t leaf_sha[32],
                             bool *requested, bool *failed_after, size_t *ca_names)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        return false;
    }
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
    SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    bool with_cert = p->o->cert_path && p->o->key_path;
    if (with_cert) {
        if (SSL_CTX_use_certificate_chain_file(ctx, p->o->cert_path) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, p->o->key_path, SSL_FILETYPE_PEM) != 1) {
            with_cert = false;
        }
    } else {
        SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
    }
    struct ssl_seen seen = {false};
    bool timeout, refused, ok = false;
    int fd = dial(p, &timeout, &refused);
    if (fd < 0) {
        SSL_CTX_free(ctx);
        return false;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    struct timeval tv = {p->o->timeout_ms / 1000, (p->o->timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    SSL *ssl = SSL_new(ctx);
    SSL_set_app_data(ssl, &seen);
    SSL_set_fd(ssl, fd);
    if (sni) {
        SSL_set_tlsext_host_name(ssl, sni);
    }
    if (SSL_connect(ssl) == 1) {
        STACK_OF(X509) *sk = SSL_get_peer_cert_chain(ssl);
        int g = chain ? td_set_group(chain, "as sent", true) : 0;
        for (int i = 0; sk && i < sk_X509_num(sk); i++) {
            X509 *x = sk_X509_value(sk, i);
            if (i == 0 && leaf_sha) {
                unsigned int l = 0;
                X509_digest(x, EVP_sha256(), leaf_sha, &l);
            }
            if (chain) {
                char origin[48];
                snprintf(origin, sizeof origin, "certificate %d as sent", i);
                X509_up_ref(x);
                td_set_add_x509(chain, x, g, origin, false);
            }
        }
        STACK_OF(X509_NAME) *cas = SSL_get_client_CA_list(ssl);
        *ca_names = cas ? (size_t)sk_X509_NAME_num(cas) : 0;
        /* TLS 1.3 servers refuse a client certificate (or its absence) only
         * after the handshake: their alert comes at once, or never. */
        *failed_after = false;
        if (seen.requested || with_cert) {
            struct timeval tv2 = {0, 500000};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv2, sizeof tv2);
            static const char req[] = "HEAD / HTTP/1.0\r\n\r\n";
            char b[64];
            SSL_write(ssl, req, sizeof req - 1);
            int r = SSL_read(ssl, b, sizeof b);
            int e = r > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, r);
            *failed_after = e == SSL_ERROR_SSL;
        }
        ok = !*failed_after;
    } else {
        *failed_after = false;
    }
    *requested = seen.requested || (with_cert && SSL_get_client_CA_list(ssl) != NULL);
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

/* ---- the target ----------------------------------------------------------------- */

static bool parse_target(const char *t, char *host, size_t host_len, uint16_t *port)
{
    const char *colon;
    *port = 443;
    if (t[0] == '[') {
        const char *end = strchr(t, ']');
        if (!end) {
            return false;
        }
        snprintf(host, host_len, "%.*s", (int)(end - t - 1), t + 1);
        colon = end[1] == ':' ? end + 1 : NULL;
    } else {
        colon = strrchr(t, ':');
        if (colon && strchr(t, ':') != colon) {
            colon = NULL; /* a bare IPv6 address */
        }
        snprintf(host, host_len, "%.*s", colon ? (int)(colon - t) : (int)strlen(t), t);
    }
    if (colon) {
        char *end;
        long v = strtol(colon + 1, &end, 10);
        if (*end || v <= 0 || v > 65535) {
            return false;
        }
        *port = (uint16_t)v;
    }
    return host[0] != '\0';
}

static void add_finding(struct td_probe_result *r, enum td_cause cause, enum td_sev sev, const char *fix, const char *fmt,
                        ...) __attribute__((format(printf, 5, 6)));

static void add_finding(struct td_probe_result *r, enum td_cause cause, enum td_sev sev, const char *fix, const char *fmt,
                        ...)
{
    r->findings = td_realloc(r->findings, (r->num_findings + 1) * sizeof *r->findings);
    struct td_cert_finding *f = &r->findings[r->num_findings++];
    td_memzero(f, sizeof *f);
    f->cause = cause;
    f->sev = sev;
    f->cert = -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    snprintf(f->resolution, sizeof f->resolution, "%s", fix);
}

static bool is_ip(const char *h)
{
    struct in6_addr a;
    return inet_pton(AF_INET, h, &a) == 1 || inet_pton(AF_INET6, h, &a) == 1;
}

static void verdict(struct pctx *p)
{
    struct td_probe_result *r = p->r;
    int best = -1;
    for (int i = 0; i < TD_PROBE_VERSIONS; i++) {
        if (r->v[i].accepted) {
            best = i;
        }
    }
    if (best < 0) {
        add_finding(r, TD_CAUSE_PROTOCOL_MISMATCH, TD_SEV_ERROR,
                    "Check that this port speaks TLS, and the server's protocol and cipher configuration.",
                    "the server accepted none of SSLv3, TLS 1.0, 1.1, 1.2, 1.3 with any registered cipher suite");
        return;
    }
    if (best < 3) {
        add_finding(r, TD_CAUSE_PROTOCOL_MISMATCH, TD_SEV_ERROR,
                    "Enable TLS 1.2 (and 1.3) on the server; current clients refuse anything older.",
                    "the server speaks at most %s: clients that require TLS 1.2 (browsers, Java 17, OpenSSL 3 at its "
                    "defaults) fail",
                    td_version_name(versions[best]) ? td_version_name(versions[best]) : "an old version");
    }
    for (int i = 0; i < 3; i++) {
        if (r->v[i].accepted) {
            add_finding(r, TD_CAUSE_WEAK_PROTOCOL, TD_SEV_WARNING, "Disable SSLv3, TLS 1.0 and TLS 1.1 on the server.",
                        "the server still accepts %s", td_version_name(versions[i]));
        }
    }
    if (r->sni_required) {
        add_finding(r, TD_CAUSE_SNI_REQUIRED, TD_SEV_WARNING,
                    "Clients must send SNI (use the host name, not an IP address, in URLs; Java: do not set "
                    "jsse.enableSNIExtension=false); or give the server a default certificate.",
                    "the server refuses handshakes without SNI and accepts them with %s: clients that send no SNI "
                    "fail",
                    r->sni);
    }
    if (strcmp(r->client_auth, "required") == 0) {
        add_finding(r, TD_CAUSE_CLIENT_CERT_MISSING, TD_SEV_WARNING,
                    "Clients need a certificate from one of the CAs the server lists (a keystore for Java/Apigee).",
                    "the server requires a client certificate (%zu acceptable CA name(s)): clients without one fail",
                    r->num_ca_names);
    }
    if (r->client_cert_tried && !r->client_cert_accepted) {
        add_finding(r, TD_CAUSE_CLIENT_CERT_UNTRUSTED, TD_SEV_ERROR,
                    "Use a client certificate from a CA the server lists, or add its CA to the server's client-CA "
                    "truststore.",
                    "the server refused the client certificate given with --cert");
    }
    for (size_t i = 0; r->have_chain && i < r->chain.num_findings; i++) {
        const struct td_cert_finding *f = &r->chain.findings[i];
        if (f->sev == TD_SEV_INFO) {
            continue;
        }
        r->findings = td_realloc(r->findings, (r->num_findings + 1) * sizeof *r->findings);
        r->findings[r->num_findings++] = *f;
    }
}

bool td_probe(const char *target, const struct td_probe_opts *o, struct td_probe_result *r, char *err, size_t err_len)
{
    td_memzero(r, sizeof *r);
    snprintf(r->target, sizeof r->target, "%s", target);
    r->client_auth = "none";
    if (!parse_target(target, r->host, sizeof r->host, &r->port)) {
        snprintf(err, err_len, "%s: not HOST, HOST:PORT or [IPv6]:PORT", target);
        return false;
    }
    int64_t t0 = now_ms();
    struct pctx p;
    td_memzero(&p, sizeof p);
    p.o = o;
    p.r = r;
    td_limits_default(&p.lim);
    struct addrinfo hints, *ai = NULL;
    td_memzero(&hints, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    char port[8];
    snprintf(port, sizeof port, "%u", r->port);
    int gai = getaddrinfo(r->host, port, &hints, &ai);
    if (gai != 0 || !ai) {
        snprintf(r->error, sizeof r->error, "cannot resolve %s: %s", r->host, gai_strerror(gai));
        add_finding(r, TD_CAUSE_NO_RESPONSE, TD_SEV_ERROR, "Check the host name (DNS).", "%s", r->error);
        return true;
    }
    size_t used = 0;
    for (struct addrinfo *a = ai; a && used + 60 < sizeof r->addresses; a = a->ai_next) {
        char h[64];
        getnameinfo(a->ai_addr, a->ai_addrlen, h, sizeof h, NULL, 0, NI_NUMERICHOST);
        if (!strstr(r->addresses, h)) {
            used += (size_t)snprintf(r->addresses + used, sizeof r->addresses - used, "%s%s", used ? " " : "", h);
        }
    }
    /* the address_index-th distinct address */
    struct addrinfo *pick = ai;
    char h[64], seen[8][64];
    size_t nseen = 0;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        getnameinfo(a->ai_addr, a->ai_addrlen, h, sizeof h, NULL, 0, NI_NUMERICHOST);
        bool dup = false;
        for (size_t k = 0; k < nseen; k++) {
            dup = dup || strcmp(seen[k], h) == 0;
        }
        if (dup || nseen == 8) {
            continue;
        }
        snprintf(seen[nseen], sizeof seen[0], "%s", h);
        if (nseen++ == o->address_index) {
            pick = a;
        }
    }
    td_memcopy(&p.addr, pick->ai_addr, pick->ai_addrlen);
    p.addr_len = pick->ai_addrlen;
    getnameinfo(pick->ai_addr, pick->ai_addrlen, h, sizeof h, NULL, 0, NI_NUMERICHOST);
    snprintf(r->address, sizeof r->address, pick->ai_family == AF_INET6 ? "[%s]:%u" : "%s:%u", h, r->port);
    freeaddrinfo(ai);
    p.sni = o->no_sni ? NULL : o->sni ? o->sni : is_ip(r->host) ? NULL : r->host;
    r->sni_sent = p.sni != NULL;
    snprintf(r->sni, sizeof r->sni, "%s", p.sni ? p.sni : "");
    /* first contact: TLS 1.2, everything offered */
    struct td_buf hb = {0};
    uint16_t all[600];
    size_t na = suites_for(0x0303, all, 600);
    build_hello(&hb, 0x0303, all, na, all_groups, sizeof all_groups / sizeof all_groups[0], p.sni);
    struct exch x;
    exchange(&p, &hb, &x);
    td_buf_free(&hb);
    if (!x.connected) {
        r->transport_cause = x.timeout ? TD_CAUSE_NO_RESPONSE : TD_CAUSE_TCP_RESET;
        snprintf(r->error, sizeof r->error, "%s: %s", r->address, x.timeout ? "no answer to the TCP connection" : "connection refused");
        add_finding(r, r->transport_cause, TD_SEV_ERROR, "Check that the server listens on this port, and firewalls.",
                    "%s", r->error);
        r->seconds = (double)(now_ms() - t0) / 1000.0;
        return true;
    }
    if (x.not_tls) {
        r->transport_cause = TD_CAUSE_NOT_TLS;
        snprintf(r->error, sizeof r->error, "%s answers, but not in TLS", r->address);
        add_finding(r, TD_CAUSE_NOT_TLS, TD_SEV_ERROR, "Point clients at the TLS port, or enable TLS on this listener.", "%s",
                    r->error);
        r->seconds = (double)(now_ms() - t0) / 1000.0;
        return true;
    }
    if (x.timeout && !x.sh && !x.alert) {
        r->transport_cause = TD_CAUSE_NO_RESPONSE;
        snprintf(r->error, sizeof r->error, "%s accepted the connection but did not answer the ClientHello within %d ms",
                 r->address, o->timeout_ms);
        add_finding(r, TD_CAUSE_NO_RESPONSE, TD_SEV_ERROR,
                    "Check the server process and what sits in front of it (a load balancer or firewall that accepts "
                    "and holds connections), and that this port expects TLS.",
                    "%s", r->error);
        r->seconds = (double)(now_ms() - t0) / 1000.0;
        return true;
    }
    r->reachable = true;
    for (size_t vi = 0; vi < TD_PROBE_VERSIONS; vi++) {
        scan_version(&p, vi);
    }
    if (r->v[4].accepted) {
        scan_groups(&p, 4);
    }
    if (r->v[3].accepted) {
        scan_groups(&p, 3);
    }
    /* SNI: without it, and with another name */
    int best = -1;
    for (int i = 0; i < TD_PROBE_VERSIONS; i++) {
        if (r->v[i].accepted) {
            best = i;
        }
    }
    if (best >= 0 && p.sni) {
        struct td_buf h2 = {0};
        uint16_t s0 = r->v[best].suites[0];
        build_hello(&h2, versions[best], &s0, 1, all_groups, sizeof all_groups / sizeof all_groups[0], NULL);
        exchange(&p, &h2, &x);
        r->sni_required = !took(&x, versions[best]);
        td_buf_free(&h2);
    }
    /* the chain, and client authentication, with libssl */
    uint8_t sha_sni[32] = {0}, sha_other[32] = {0};
    struct td_certset *chain = td_certset_new();
    bool requested = false, failed_after = false;
    bool ok = libssl_handshake(&p, p.sni, chain, sha_sni, &requested, &failed_after, &r->num_ca_names);
    if (td_certset_num_certs(chain) > 0) {
        struct td_audit_opts ao;
        td_memzero(&ao, sizeof ao);
        ao.host = o->sni ? o->sni : r->host;
        ao.at = (int64_t)time(NULL);
        ao.warn_days = 30;
        ao.ca = o->ca;
        ao.system_ca = o->ca == NULL;
        td_cert_audit(chain, &ao, &r->chain);
        r->have_chain = true;
    }
    td_certset_free(chain);
    if (requested) {
        r->client_auth = failed_after || !ok ? "required" : "optional";
    }
    if (o->cert_path) {
        r->client_cert_tried = true;
        r->client_cert_accepted = ok;
    }
    if (!r->sni_required && p.sni) {
        bool rq, fa;
        size_t cn;
        struct td_probe_opts o2 = *o;
        o2.cert_path = o2.key_path = NULL;
        p.o = &o2;
        libssl_handshake(&p, NULL, NULL, sha_other, &rq, &fa, &cn);
        p.o = o;
        r->sni_selects_cert = !td_mem_eq(sha_sni, sha_other, 32);
    }
    verdict(&p);
    r->seconds = (double)(now_ms() - t0) / 1000.0;
    return true;
}

void td_probe_result_free(struct td_probe_result *r)
{
    td_cert_report_free(&r->chain);
    free(r->findings);
    r->findings = NULL;
}

size_t td_probe_num_addresses(const char *target)
{
    char host[256], h[64], seen[8][64];
    uint16_t port;
    if (!parse_target(target, host, sizeof host, &port)) {
        return 0;
    }
    struct addrinfo hints, *ai = NULL;
    td_memzero(&hints, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai) {
        return 0;
    }
    size_t n = 0;
    for (struct addrinfo *a = ai; a && n < 8; a = a->ai_next) {
        getnameinfo(a->ai_addr, a->ai_addrlen, h, sizeof h, NULL, 0, NI_NUMERICHOST);
        bool dup = false;
        for (size_t k = 0; k < n; k++) {
            dup = dup || strcmp(seen[k], h) == 0;
        }
        if (!dup) {
            snprintf(seen[n++], sizeof seen[0], "%s", h);
        }
    }
    freeaddrinfo(ai);
    return n;
}

size_t td_probe_errors(const struct td_probe_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->num_findings; i++) {
        n += r->findings[i].sev == TD_SEV_ERROR;
    }
    return n;
}
