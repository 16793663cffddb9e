#include "base/net.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "base/banned.h"

void td_addr_str(const struct td_addr *a, char *out, size_t out_len)
{
    char tmp[INET6_ADDRSTRLEN];
    if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->a, tmp, sizeof tmp)) {
        snprintf(out, out_len, "?");
        return;
    }
    snprintf(out, out_len, "%s", tmp);
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
