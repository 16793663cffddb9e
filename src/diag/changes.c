/* "What changed": the default changes of 2020-2026 that a cause matches, so
 * that a verdict names the upgrade that broke the handshake, the versions, and
 * the switch that restores the old behaviour until the peer is fixed. One row
 * per cause; td_diagnose attaches it to the verdict. */
#include "diag/diag.h"

#include "base/banned.h"

static const struct td_change changes[] = {
    {TD_CAUSE_RSA_KEX_REMOVED,
     "RSA key exchange (TLS_RSA_*) left the client defaults: Go 1.22 (Feb 2024), JDK 24 (Mar 2025, "
     "jdk.tls.disabledAlgorithms), Mozilla's intermediate and hardened OpenSSL cipher strings",
     "Go: GODEBUG=tlsrsakex=1 (or list the suites in tls.Config.CipherSuites); Java: remove TLS_RSA_* from "
     "jdk.tls.disabledAlgorithms in java.security; OpenSSL: add kRSA suites (AES128-GCM-SHA256) to the cipher "
     "string"},
    {TD_CAUSE_ALPN_MISMATCH,
     "servers refuse a ClientHello whose ALPN list has no protocol in common (Go crypto/tls since 1.17 with "
     "NextProtos set); grpc-go 1.67 (Oct 2024) refuses TLS peers that negotiate no ALPN at all",
     "offer the server's protocol (h2 for gRPC); grpc-go: GRPC_ENFORCE_ALPN_ENABLED=false (temporary, or "
     "experimental/credentials.NewTLSWithALPNDisabled)"},
    {TD_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH,
     "public CAs stopped putting clientAuth in TLS certificates (Chrome Root Program: serverAuth-only hierarchies "
     "by June 2026; Let's Encrypt's default profile from 11 Feb 2026, DigiCert and Sectigo by May 2026): a "
     "renewed public certificate no longer authenticates a client",
     "none on the CA side: issue client certificates from a private CA (clientAuth, digitalSignature) and trust "
     "it on the server (nginx ssl_client_certificate)"},
};

const struct td_change *td_change_find(enum td_cause c)
{
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        if (changes[i].cause == c) {
            return &changes[i];
        }
    }
    return NULL;
}
