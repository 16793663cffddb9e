/* tlsdiag lab's oracle: a scenario's capture through the same analysis as
 * tlsdiag pcap, and whether the verdict is the one the scenario reproduces. */
#ifndef TD_ANALYSE_LAB_CHECK_H
#define TD_ANALYSE_LAB_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "lab/lab.h"

struct td_lab_outcome {
    struct td_verdict v; /* the verdict of the scenario's (last) connection */
    uint32_t stream;
    size_t conns;
    bool http_linked;  /* a gateway's 5xx was tied to that connection */
    bool read_ok;      /* the capture read whole, without a problem, with a connection */
    bool match;        /* the intended cause (and, for a gateway, the link) */
    bool alternative;  /* matched only as a candidate: TLS 1.3 hides the answer */
    uint64_t problems; /* problems reading the capture; the first one: */
    uint64_t problem_frame;
    long long problem_offset;
    char problem[200];
};

/* Analyse the capture at path (with the key log at keys, or NULL) and judge it
 * against scenario in. false when the capture could not be read (err). */
bool td_lab_check(const char *path, const char *keys, const struct td_lab_info *in, struct td_lab_outcome *out,
                  char *err, size_t err_len);

#endif
