/* tlsdiag probe, the network side: the target and its addresses, one TCP
 * connection, and one exchange (a ClientHello out, the server's first flight
 * read, bounded in bytes and time, and parsed by the TLS layer of tlsdiag pcap). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"
#include "probe/internal.h"
#include "tls/names.h"
#include "tls/tls.h"

#include "base/banned.h"

/* Distinct addresses a name resolves to, at most. */
#define MAX_ADDRESSES 8

int64_t td_probe_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A TCP connection to p->addr (or to --proxy, then CONNECT), and the
 * STARTTLS talk when asked: -1 with p->dial_errno (the kernel's errno,
 * ETIMEDOUT for a SYN left unanswered) or p->dial_cause (the preamble's refusal). */
static int tcp_connect(struct td_probe_ctx *p, const struct sockaddr_storage *to, socklen_t to_len)
{
    int fd = socket(to->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        p->dial_errno = errno;
        return -1;
    }
    p->r->connections++;
    if (p->mss > 0) { /* before connect: also the MSS announced in the SYN */
        setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &p->mss, sizeof p->mss);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (connect(fd, (const struct sockaddr *)to, to_len) != 0 && errno != EINPROGRESS) {
        p->dial_errno = errno;
        close(fd);
        return -1;
    }
    struct pollfd pf = {fd, POLLOUT, 0};
    int n = poll(&pf, 1, p->o->timeout_ms);
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (n <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr) {
        p->dial_errno = n == 0 ? ETIMEDOUT : soerr ? soerr : errno;
        close(fd);
        return -1;
    }
    return fd;
}

int td_probe_dial(struct td_probe_ctx *p)
{
    p->dial_errno = 0;
    p->dial_cause = TD_CAUSE_NONE;
    p->dial_error[0] = '\0';
    bool proxied = p->o->proxy != NULL;
    int fd = tcp_connect(p, proxied ? &p->proxy_addr : &p->addr, proxied ? p->proxy_addr_len : p->addr_len);
    if (fd < 0) {
        return -1;
    }
    if ((proxied && !td_probe_proxy_connect(p, fd)) || (p->starttls != TD_STARTTLS_NONE && !td_probe_starttls(p, fd))) {
        close(fd);
        return -1;
    }
    return fd;
}

/* What the server's messages so far say. */
static void look(struct td_tls_conn *c, struct td_probe_exch *x)
{
    for (const struct td_msg *m = c->msgs; m; m = m->next) {
        if (m->from != TD_SERVER) {
            continue;
        }
        switch (m->kind) {
        case TD_M_HANDSHAKE:
            if (m->hs_type == TD_HS_SERVER_HELLO && m->u.sh) {
                x->sh = true;
                x->version = m->u.sh->version;
                x->suite = m->u.sh->suite;
                x->group = m->u.sh->key_share_group ? m->u.sh->key_share_group : x->group;
                x->reneg = m->u.sh->has_reneg;
                if (m->u.sh->version >= TD_VERSION_TLS1_3) {
                    x->done = true; /* the rest is encrypted */
                }
            } else if (m->hs_type == TD_HS_HELLO_RETRY_REQUEST && m->u.sh) {
                x->hrr = true;
                x->version = TD_VERSION_TLS1_3;
                x->suite = m->u.sh->suite;
                x->group = m->u.sh->key_share_group;
                x->done = true;
            } else if (m->hs_type == TD_HS_SERVER_KEY_EXCHANGE && m->u.ske && m->u.ske->kind == TD_SKE_ECDHE) {
                x->group = m->u.ske->group;
            } else if (m->hs_type == TD_HS_CERTIFICATE_REQUEST) {
                x->cert_request = true;
            } else if (m->hs_type == TD_HS_SERVER_HELLO_DONE) {
                x->done = true; /* the flight is complete */
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

/* The hello in one send, or in two segments split_at apart (tlsdiag probe --replay). */
static bool send_hello(int fd, const struct td_probe_ctx *p, const struct td_buf *hello)
{
    size_t first = p->split_at && p->split_at < hello->len ? p->split_at : hello->len;
    if (first < hello->len) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (send(fd, hello->data, first, MSG_NOSIGNAL) != (ssize_t)first) {
        return false;
    }
    long ms = p->split_delay_ms > 0 ? p->split_delay_ms : 20;
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000 * 1000}; /* the first segment leaves alone */
    if (first < hello->len && nanosleep(&pause, NULL) != 0) {
        return false;
    }
    size_t rest = hello->len - first;
    return rest == 0 || send(fd, hello->data + first, rest, MSG_NOSIGNAL) == (ssize_t)rest;
}

void td_probe_exchange(struct td_probe_ctx *p, const struct td_buf *hello, struct td_probe_exch *x)
{
    td_memzero(x, sizeof *x);
    int fd = td_probe_dial(p);
    if (fd < 0) {
        return;
    }
    x->connected = true;
    struct td_tls_conn c;
    td_tls_conn_init(&c, &p->lim);
    struct td_addr a = {4, {127, 0, 0, 1}}, b = {4, {127, 0, 0, 2}};
    td_tls_set_roles(&c, &a, 40000, &b, p->r->port, true);
    struct td_at at = {1, {0, 0}};
    if (!send_hello(fd, p, hello)) {
        x->reset = true;
    } else {
        td_tls_feed(&c, TD_CLIENT, hello->data, hello->len, &at);
    }
    int64_t deadline = td_probe_now_ms() + p->o->timeout_ms;
    size_t total = 0;
    uint8_t buf[16384];
    while (!x->done && !x->reset && total < TD_PROBE_MAX_FLIGHT) {
        int left = (int)(deadline - td_probe_now_ms());
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
        for (ssize_t i = 0; i < n && x->first_len + 1 < sizeof x->first; i++) {
            x->first[x->first_len++] = buf[i] >= 0x20 && buf[i] < 0x7f ? (char)buf[i] : '.';
        }
        total += (size_t)n;
        at.frame++;
        td_tls_feed(&c, TD_SERVER, buf, (size_t)n, &at);
        look(&c, x);
    }
    look(&c, x);
    td_tls_conn_free(&c);
    if (x->timeout && p->reset_on_timeout) {
        struct linger now = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
    }
    close(fd);
}

bool td_probe_parse_target(const char *t, char *host, size_t host_len, uint16_t *port)
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

bool td_probe_is_ip(const char *h)
{
    struct in6_addr a;
    return inet_pton(AF_INET, h, &a) == 1 || inet_pton(AF_INET6, h, &a) == 1;
}

/* The distinct addresses of ai (by numeric form, in resolver order, at most
 * MAX_ADDRESSES); *pick becomes the index-th, or stays as it was. */
static size_t distinct_addresses(struct addrinfo *ai, size_t index, struct addrinfo **pick)
{
    char h[64], seen[MAX_ADDRESSES][64];
    size_t n = 0;
    for (struct addrinfo *a = ai; a && n < MAX_ADDRESSES; a = a->ai_next) {
        getnameinfo(a->ai_addr, a->ai_addrlen, h, sizeof h, NULL, 0, NI_NUMERICHOST);
        bool dup = false;
        for (size_t k = 0; k < n; k++) {
            dup = dup || strcmp(seen[k], h) == 0;
        }
        if (dup) {
            continue;
        }
        td_strcopy(seen[n], sizeof seen[0], h);
        if (n++ == index && pick) {
            *pick = a;
        }
    }
    return n;
}

/* --proxy HOST:PORT into p->proxy_addr; the target is resolved by the proxy. */
static bool resolve_proxy(struct td_probe_ctx *p)
{
    struct td_probe_result *r = p->r;
    char host[256];
    uint16_t port;
    struct addrinfo hints, *ai = NULL;
    td_memzero(&hints, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (!td_probe_parse_target(p->o->proxy, host, sizeof host, &port)) {
        snprintf(r->error, sizeof r->error, "--proxy %s: not HOST:PORT", p->o->proxy);
        return false;
    }
    char ports[8];
    snprintf(ports, sizeof ports, "%u", port);
    int gai = getaddrinfo(host, ports, &hints, &ai);
    if (gai != 0 || !ai) {
        snprintf(r->error, sizeof r->error, "cannot resolve the proxy %s: %s", host, gai_strerror(gai));
        return false;
    }
    td_memcopy(&p->proxy_addr, ai->ai_addr, ai->ai_addrlen);
    p->proxy_addr_len = ai->ai_addrlen;
    freeaddrinfo(ai);
    td_strcopy(r->proxy, sizeof r->proxy, p->o->proxy);
    bool v6 = strchr(r->host, ':') != NULL;
    snprintf(r->address, sizeof r->address, v6 ? "[%s]:%u" : "%s:%u", r->host, r->port);
    td_strcopy(r->addresses, sizeof r->addresses, r->host);
    return true;
}

bool td_probe_resolve(struct td_probe_ctx *p)
{
    struct td_probe_result *r = p->r;
    if (p->o->proxy) {
        return resolve_proxy(p);
    }
    struct addrinfo hints, *ai = NULL;
    td_memzero(&hints, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    char port[8];
    snprintf(port, sizeof port, "%u", r->port);
    int gai = getaddrinfo(r->host, port, &hints, &ai);
    if (gai != 0 || !ai) {
        snprintf(r->error, sizeof r->error, "cannot resolve %s: %s (%s)", r->host, gai_strerror(gai),
                 gai == EAI_NONAME  ? "the name does not exist, or has no address"
                 : gai == EAI_AGAIN ? "no DNS server answered: temporary failure"
                                    : "resolver error");
        return false;
    }
    size_t used = 0;
    char h[64];
    for (struct addrinfo *a = ai; a && used + 60 < sizeof r->addresses; a = a->ai_next) {
        getnameinfo(a->ai_addr, a->ai_addrlen, h, sizeof h, NULL, 0, NI_NUMERICHOST);
        if (!strstr(r->addresses, h)) {
            used += (size_t)snprintf(r->addresses + used, sizeof r->addresses - used, "%s%s", used ? " " : "", h);
        }
    }
    struct addrinfo *pick = ai;
    distinct_addresses(ai, p->o->address_index, &pick);
    td_memcopy(&p->addr, pick->ai_addr, pick->ai_addrlen);
    p->addr_len = pick->ai_addrlen;
    getnameinfo(pick->ai_addr, pick->ai_addrlen, h, sizeof h, NULL, 0, NI_NUMERICHOST);
    snprintf(r->address, sizeof r->address, pick->ai_family == AF_INET6 ? "[%s]:%u" : "%s:%u", h, r->port);
    freeaddrinfo(ai);
    return true;
}

size_t td_probe_num_addresses(const char *target)
{
    char host[256];
    uint16_t port;
    if (!td_probe_parse_target(target, host, sizeof host, &port)) {
        return 0;
    }
    struct addrinfo hints, *ai = NULL;
    td_memzero(&hints, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai) {
        return 0;
    }
    size_t n = distinct_addresses(ai, 0, NULL);
    freeaddrinfo(ai);
    return n;
}
