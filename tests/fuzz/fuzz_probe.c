/* The probe's response handling: a loopback server in this process answers
 * every connection of a tlsdiag probe run with the fuzz input (after reading
 * the ClientHello), then closes. Versions, suites, groups, SNI, the libssl
 * handshake and the verdict all see hostile bytes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "probe/probe.h"

static int lfd = -1;
static uint16_t port;
static const uint8_t *answer;
static size_t answer_len;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *server(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(lfd, NULL, NULL);
        if (c < 0) {
            continue;
        }
        struct timeval tv = {0, 200000};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        uint8_t buf[4096];
        ssize_t n = recv(c, buf, sizeof buf, 0);
        (void)n;
        pthread_mutex_lock(&mu);
        if (answer_len) {
            ssize_t w = send(c, answer, answer_len, MSG_NOSIGNAL);
            (void)w;
        }
        pthread_mutex_unlock(&mu);
        close(c);
    }
    return NULL;
}

static void start(void)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bind(lfd, (struct sockaddr *)&a, sizeof a);
    socklen_t l = sizeof a;
    getsockname(lfd, (struct sockaddr *)&a, &l);
    port = ntohs(a.sin_port);
    listen(lfd, 64);
    pthread_t t;
    pthread_create(&t, NULL, server, NULL);
    pthread_detach(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (lfd < 0) {
        start();
    }
    pthread_mutex_lock(&mu);
    answer = data;
    answer_len = size;
    pthread_mutex_unlock(&mu);
    struct td_probe_opts o;
    memset(&o, 0, sizeof o);
    o.timeout_ms = 100;
    o.sni = "fuzz.example";
    struct td_probe_result r;
    char target[32], err[200];
    snprintf(target, sizeof target, "127.0.0.1:%u", port);
    if (td_probe(target, &o, &r, err, sizeof err)) {
        td_probe_result_free(&r);
    }
    pthread_mutex_lock(&mu);
    answer_len = 0;
    pthread_mutex_unlock(&mu);
    return 0;
}
