/* tlsdiag lab: each failure tlsdiag diagnoses, reproduced between a real
 * OpenSSL client and a real OpenSSL server inside this process (memory BIOs),
 * the bytes written as TCP segments into a pcap. One table row per scenario. */
#ifndef TD_LAB_H
#define TD_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cause.h"

struct td_lab_info {
    const char *name;
    enum td_cause cause; /* the verdict tlsdiag pcap must give (the last connection's) */
    const char *version; /* "TLS 1.2", "TLS 1.3", "-" */
    const char *about;
    bool gateway; /* a client -> gateway -> backend pair */
    bool hidden;  /* encrypted what proves it (TLS 1.3, an alert after the handshake): read with the key log */
};

size_t td_lab_count(void);
const struct td_lab_info *td_lab_info(size_t i);
/* -1 when no scenario has that name. */
long td_lab_find(const char *name);

struct td_lab;
/* Makes the PKI. t0: the capture's clock (epoch seconds). */
struct td_lab *td_lab_new(int64_t t0, char *err, size_t err_len);
/* Runs scenario i, writing the capture to path (and, for TLS, the client's
 * key log to keylog_path when not NULL). */
bool td_lab_write(struct td_lab *lab, size_t i, const char *path, const char *keylog_path, char *err, size_t err_len);
void td_lab_free(struct td_lab *lab);

#endif
