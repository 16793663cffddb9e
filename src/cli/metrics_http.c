#include "cli/metrics_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/net.h"

#include "base/banned.h"

#define REQUEST_MAX 4096

static bool sockaddr_of(const char *addr_port, struct sockaddr_storage *ss, socklen_t *len)
{
    struct td_addr a;
    uint16_t port;
    if (!td_addr_port_parse(addr_port, &a, &port)) {
        return false;
    }
    td_memzero(ss, sizeof *ss);
    if (a.family == 4) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        td_memcopy(&in->sin_addr, a.a, 4);
        *len = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        td_memcopy(&in6->sin6_addr, a.a, 16);
        *len = sizeof *in6;
    }
    return true;
}

bool cli_metrics_listen(struct cli_metrics *m, const char *addr_port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    m->fd = -1;
    if (!sockaddr_of(addr_port, &ss, &len)) {
        fprintf(stderr, "tlsdiag watch: --metrics takes ADDR:PORT (127.0.0.1:9464, [::1]:9464), not '%s'\n", addr_port);
        return false;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 16) != 0) {
        fprintf(stderr, "tlsdiag watch: --metrics %s: %s\n", addr_port, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return false;
    }
    len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    struct td_addr a = {0};
    uint16_t port;
    if (ss.ss_family == AF_INET) {
        a.family = 4;
        td_memcopy(a.a, &((struct sockaddr_in *)&ss)->sin_addr, 4);
        port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    } else {
        a.family = 6;
        td_memcopy(a.a, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
        port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    td_addr_port_str(&a, port, m->addr, sizeof m->addr);
    m->fd = fd;
    return true;
}

static void send_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            return;
        }
        p += k;
        n -= (size_t)k;
    }
}

/* Read the request head (bounded in size and time); true when it ended. */
static bool read_head(int fd)
{
    char req[REQUEST_MAX + 1];
    size_t got = 0;
    while (got < REQUEST_MAX) {
        ssize_t k = recv(fd, req + got, REQUEST_MAX - got, 0);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            return false;
        }
        got += (size_t)k;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n")) {
            return strncmp(req, "GET ", 4) == 0 || strncmp(req, "HEAD ", 5) == 0;
        }
    }
    return false;
}

static void answer(int fd, void (*render)(void *ctx, struct td_buf *out), void *ctx)
{
    struct timeval tv = {0, 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct td_buf page = {0}, out = {0};
    if (read_head(fd)) {
        render(ctx, &page);
        td_buf_printf(&out,
                      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                      page.len);
        td_buf_append(&out, page.data, page.len);
    } else {
        td_buf_puts(&out, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
    send_all(fd, out.data, out.len);
    td_buf_free(&page);
    td_buf_free(&out);
}

void cli_metrics_serve(struct cli_metrics *m, void (*render)(void *ctx, struct td_buf *out), void *ctx)
{
    if (m->fd < 0) {
        return;
    }
    for (int i = 0; i < 16; i++) {
        int c = accept4(m->fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            return; /* EAGAIN: no one waiting */
        }
        int flags = fcntl(c, F_GETFL);
        fcntl(c, F_SETFL, flags & ~O_NONBLOCK);
        answer(c, render, ctx);
        close(c);
        m->served++;
    }
}

void cli_metrics_close(struct cli_metrics *m)
{
    if (m->fd >= 0) {
        close(m->fd);
    }
    m->fd = -1;
}
