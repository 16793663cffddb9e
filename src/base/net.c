#include "base/net.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/mem.h"

#include "base/banned.h"

void td_addr_str(const struct td_addr *a, char *out, size_t out_len)
{
    char tmp[INET6_ADDRSTRLEN];
    if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->a, tmp, sizeof tmp)) {
        snprintf(out, out_len, "?");
        return;
    }
    td_strcopy(out, out_len, tmp);
}

void td_addr_port_str(const struct td_addr *a, uint16_t port, char *out, size_t out_len)
{
    char tmp[INET6_ADDRSTRLEN];
    td_addr_str(a, tmp, sizeof tmp);
    if (a->family == 6) {
        snprintf(out, out_len, "[%s]:%u", tmp, port);
    } else {
        snprintf(out, out_len, "%s:%u", tmp, port);
    }
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
