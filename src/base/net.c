#include "base/net.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/mem.h"

#include "base/banned.h"

/* Decimal digits of v (< 100000) at p; the count. */
static size_t put_dec(char *p, unsigned v)
{
    char d[5];
    size_t n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++) {
        p[i] = d[n - 1 - i];
    }
    return n;
}

/* The address as inet_ntop writes it (IPv4 without it: every connection's
 * result names two) into tmp (INET6_ADDRSTRLEN bytes); its length, 0 when
 * there is none. */
static size_t addr_text(const struct td_addr *a, char *tmp)
{
    if (a->family == 4) {
        size_t n = 0;
        for (int i = 0; i < 4; i++) {
            n += put_dec(tmp + n, a->a[i]);
            tmp[n++] = i < 3 ? '.' : '\0';
        }
        return n - 1;
    }
    if (!inet_ntop(AF_INET6, a->a, tmp, INET6_ADDRSTRLEN)) {
        return 0;
    }
    return strlen(tmp);
}

void td_addr_str(const struct td_addr *a, char *out, size_t out_len)
{
    char tmp[INET6_ADDRSTRLEN];
    td_strcopy(out, out_len, addr_text(a, tmp) ? tmp : "?");
}

void td_addr_port_str(const struct td_addr *a, uint16_t port, char *out, size_t out_len)
{
    char tmp[INET6_ADDRSTRLEN + 10];
    size_t n = 0;
    if (a->family == 6) {
        tmp[n++] = '[';
    }
    size_t k = addr_text(a, tmp + n);
    if (!k) {
        tmp[n] = '?';
        k = 1;
    }
    n += k;
    if (a->family == 6) {
        tmp[n++] = ']';
    }
    tmp[n++] = ':';
    n += put_dec(tmp + n, port);
    tmp[n] = '\0';
    td_strcopy(out, out_len, tmp);
}

bool td_addr_port_parse(const char *s, struct td_addr *a, uint16_t *port)
{
    char host[INET6_ADDRSTRLEN];
    const char *colon = strrchr(s, ':');
    bool v6 = s[0] == '[';
    const char *h = v6 ? s + 1 : s;
    size_t n = colon ? (size_t)(colon - h) - (v6 ? 1 : 0) : 0;
    if (!colon || n == 0 || n >= sizeof host || (v6 && colon[-1] != ']')) {
        return false;
    }
    snprintf(host, sizeof host, "%.*s", (int)n, h);
    char *end;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (end == colon + 1 || *end || p > 65535) {
        return false;
    }
    td_memzero(a, sizeof *a);
    a->family = v6 ? 6 : 4;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, host, a->a) != 1) {
        return false;
    }
    *port = (uint16_t)p;
    return true;
}

static uint32_t hash_endpoint(uint32_t h, const struct td_addr *a, uint16_t port)
{
    uint8_t p[2] = {(uint8_t)(port >> 8), (uint8_t)port};
    h = td_hash32_bytes(h, a->a, a->family == 6 ? 16 : 4);
    return td_hash32_bytes(h, p, 2);
}

uint32_t td_flow_sym_hash(const struct td_addr *a, uint16_t a_port, const struct td_addr *b, uint16_t b_port)
{
    size_t n = a->family == 6 ? 16 : 4;
    int c = 0;
    for (size_t i = 0; i < n && c == 0; i++) {
        c = a->a[i] < b->a[i] ? -1 : a->a[i] > b->a[i];
    }
    if (c == 0) {
        c = a_port < b_port ? -1 : a_port > b_port;
    }
    uint32_t h = TD_HASH32_INIT;
    if (c <= 0) {
        return hash_endpoint(hash_endpoint(h, a, a_port), b, b_port);
    }
    return hash_endpoint(hash_endpoint(h, b, b_port), a, a_port);
}
