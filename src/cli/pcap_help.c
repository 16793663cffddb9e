/* tlsdiag pcap --help: every option, one line each (the man page's SYNOPSIS
 * lists the same: tests/integration/t1550-docs.sh). */
#include <stdio.h>

#include "cli/cli.h"

#include "base/banned.h"

void cli_pcap_help(FILE *f)
{
    fputs("usage: tlsdiag pcap [options] FILE...\n"
          "\n"
          "Reads pcap/pcapng captures (tcpdump -w, Wireshark, dumpcap; '-' is standard input)\n"
          "and shows every TLS handshake as a ladder of messages with Wireshark's frame numbers.\n"
          "\n"
          "  -r FILE              read FILE (as tcpdump/tshark; FILE may also be given bare)\n"
          "      --json           JSON Lines: one object per connection\n"
          "      --ecs            JSON Lines under Elastic Common Schema names (implies --json)\n"
          "  -v, --verbose        every field: each suite, extension and certificate\n"
          "      --stream N       only tcp.stream N\n"
          "      --host NAME      only connections whose SNI or address is NAME\n"
          "      --failed         only failed handshakes (not port checks, unless --fail-on-empty)\n"
          "      --fail-on-empty  port checks (TCP opened and closed without a byte) count as failures\n"
          "      --ca FILE|DIR    the peer's truststore (PEM, DER, PKCS#12, JKS, a directory): proves\n"
          "                       unknown_ca / incomplete_chain instead of inferring them\n"
          "      --expect-host NAME  the host name clients meant, for connections without SNI\n"
          "      --keylog FILE    decrypt with the secrets of an NSS key log (SSLKEYLOGFILE); also read\n"
          "                       from $SSLKEYLOGFILE and from pcapng Decryption Secrets Blocks\n"
          "      --export-certs DIR  write each certificate chain seen as PEM: DIR/STREAM-SERVER_PORT.pem,\n"
          "                       DIR/STREAM-client.pem (for tlsdiag cert, openssl verify)\n"
          "      --summary        only the summary\n"
          "      --html FILE      also write a self-contained HTML page (no script, loads nothing): ladders,\n"
          "                       verdicts, chains, fixes, failures over time; '-': the page instead of text\n"
          "      --html-all       in that page, a ladder for every connection (default: for failed ones,\n"
          "                       and for all only in captures under 500 connections)\n"
          "      --replay         send each failed ClientHello whose verdict is not high again to its server,\n"
          "                       one change at a time (as tlsdiag probe --replay), and rewrite the verdict\n"
          "                       the first accepted change proves (the text and JSON; not the HTML page)\n"
          "      --shard K/N      only the flows whose symmetric 5-tuple hash is in shard K of N (1..N):\n"
          "                       N processes split one capture, both directions of a flow in one shard\n"
          "      --threads N      1 or 2 (default on 2+ cores): with 2, a second thread reads a capture file\n"
          "                       and follows TCP and TLS while this one judges and writes; the same output\n"
          "      --write-failed FILE  pcapng of the failed connections' frames (and of gateway HTTP\n"
          "                       connections tied to them), with their key log lines as Decryption\n"
          "                       Secrets Blocks when the key log has them\n"
          "  -C MB                with --write-failed: a new file (FILE1, FILE2, ...) past MB megabytes\n"
          "  -G SECONDS           with --write-failed: a new file every SECONDS of capture time\n"
          "      --color WHEN     auto (default), always, never (NO_COLOR is honoured)\n"
          "  -h, --help           this help\n"
          "\n"
          "Exit status: 0 no failed handshake, 1 at least one failed (or was rejected right after it\n"
          "completed; port checks only with --fail-on-empty), 2 usage or unreadable input.\n",
          f);
}
