/* tlsdiag pcap --export-certs DIR: each certificate chain seen, as PEM. */
#ifndef TD_CLI_EXPORT_CERTS_H
#define TD_CLI_EXPORT_CERTS_H

#include <stdbool.h>

#include "tls/tls.h"

/* DIR made (with its parents) when missing; false, after saying why, when it
 * cannot be made or written to. */
bool cli_export_dir(const char *dir);
/* Writes DIR/STREAM-SERVER_PORT.pem and DIR/STREAM-client.pem for the chains
 * c holds (none: no file); false, after saying why, when a write failed. */
bool cli_export_chains(const char *dir, const struct td_tls_conn *c);

#endif
