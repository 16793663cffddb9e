/* "What changed": the default changes of 2020-2026 that a cause matches, so
 * that a verdict names the upgrade that broke the handshake, the versions, and
 * the switch that restores the old behaviour until the peer is fixed. One row
 * per cause; td_diagnose attaches it to the verdict. */
#include "diag/diag.h"
#include "tls/names.h"

#include "base/banned.h"

/* The hello carries a post-quantum key share: the change that made it grow. */
static bool pq_hello(const struct td_facts *f) { return f->ch_pq_share != 0; }

/* One side is limited to TLS 1.1 or older. */
static bool old_version(const struct td_facts *f)
{
    bool old_server = f->alert[TD_SERVER] && f->alert_version[TD_SERVER] &&
                      f->alert_version[TD_SERVER] <= TD_VERSION_TLS1_1;
    bool chose_old = f->have_sh && f->version && f->version <= TD_VERSION_TLS1_1;
    return (f->have_ch && f->ch_max <= TD_VERSION_TLS1_1) || old_server || chose_old;
}

static const struct td_change changes[] = {
    {TD_CAUSE_PROTOCOL_MISMATCH, old_version,
     "TLS 1.0 and 1.1 left the defaults: JDK 8u291/11.0.11/16 (Apr 2021, jdk.tls.disabledAlgorithms), OpenSSL 3.0 "
     "(security level 1 refuses them), Chrome 84, Firefox 78, Windows 11 and Server 2025 (Schannel)",
     "Java: remove TLSv1, TLSv1.1 from jdk.tls.disabledAlgorithms; OpenSSL: -cipher DEFAULT@SECLEVEL=0 with "
     "-tls1 / MinProtocol = TLSv1 (a stopgap: upgrade the old side to TLS 1.2)"},
    {TD_CAUSE_RSA_KEX_REMOVED, NULL,
     "RSA key exchange (TLS_RSA_*) left the client defaults: Go 1.22 (Feb 2024), JDK 24 (Mar 2025, "
     "jdk.tls.disabledAlgorithms), Mozilla's intermediate and hardened OpenSSL cipher strings",
     "Go: GODEBUG=tlsrsakex=1 (or list the suites in tls.Config.CipherSuites); Java: remove TLS_RSA_* from "
     "jdk.tls.disabledAlgorithms in java.security; OpenSSL: add kRSA suites (AES128-GCM-SHA256) to the cipher "
     "string"},
    {TD_CAUSE_ALPN_MISMATCH, NULL,
     "servers refuse a ClientHello whose ALPN list has no protocol in common (Go crypto/tls since 1.17 with "
     "NextProtos set); grpc-go 1.67 (Oct 2024) refuses TLS peers that negotiate no ALPN at all",
     "offer the server's protocol (h2 for gRPC); grpc-go: GRPC_ENFORCE_ALPN_ENABLED=false (temporary, or "
     "experimental/credentials.NewTLSWithALPNDisabled)"},
    {TD_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH, NULL,
     "public CAs stopped putting clientAuth in TLS certificates (Chrome Root Program: serverAuth-only hierarchies "
     "by June 2026; Let's Encrypt's default profile from 11 Feb 2026, DigiCert and Sectigo by May 2026): a "
     "renewed public certificate no longer authenticates a client",
     "none on the CA side: issue client certificates from a private CA (clientAuth, digitalSignature) and trust "
     "it on the server (nginx ssl_client_certificate)"},
    {TD_CAUSE_HELLO_TOO_LARGE, pq_hello,
     "ClientHellos grew past one TCP segment with post-quantum key shares: Chrome 124 (Apr 2024, "
     "X25519Kyber768), Chrome 131 and Firefox 132 (X25519MLKEM768), Go 1.24 (Feb 2025), OpenSSL 3.5 (Apr 2025)",
     "OpenSSL: -groups X25519:P-256 (no MLKEM key share); Go: GODEBUG=tlsmlkem=0; Chrome: policy "
     "PostQuantumKeyAgreementEnabled=false"},
    {TD_CAUSE_NO_SECURE_RENEGOTIATION, NULL,
     "OpenSSL 3.0 (Sep 2021) refuses servers without RFC 5746 secure renegotiation by default "
     "(SSL_OP_LEGACY_SERVER_CONNECT no longer set)",
     "openssl.cnf [system_default_sect] Options = UnsafeLegacyServerConnect; s_client -legacy_server_connect; "
     "SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT)"},
    {TD_CAUSE_EMS_REQUIRED, NULL,
     "FIPS 140-3 made extended_master_secret (RFC 7627) mandatory for TLS 1.2: RHEL 9.2 FIPS mode (2023), "
     "OpenSSL's FIPS provider with ems_check (fipsinstall -ems_check, OpenSSL 3.1 and later)",
     "RHEL: update-crypto-policies --set FIPS:NO-ENFORCE-EMS; Java: -Djdk.tls.allowLegacyMasterSecret=true; "
     "better: a client that sends the extension (every stack since 2015), or TLS 1.3"},
};

const struct td_change *td_change_find(enum td_cause c, const struct td_facts *f)
{
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        if (changes[i].cause == c && (!changes[i].applies || (f && changes[i].applies(f)))) {
            return &changes[i];
        }
    }
    return NULL;
}

const struct td_change *td_change_of_cause(enum td_cause c)
{
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        if (changes[i].cause == c) {
            return &changes[i];
        }
    }
    return NULL;
}
