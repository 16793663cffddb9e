// A Go (crypto/tls) client offering the defaults of a given Go release, for
// the tests of defaults that changed:
//
//	go run tests/lib/go/tls_profile_client.go HOST PORT NAME CAFILE PROFILE
//
// PROFILE: "default" (this toolchain's own defaults: Debian 12's Go 1.19
// still offers RSA key exchange), or "go1.22" (Go 1.22's default cipher
// suites, which dropped every TLS_RSA_* suite: crypto/tls, Go 1.22 release
// notes; GODEBUG=tlsrsakex=1 restores them there).
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"time"
)

// Go 1.22's defaultCipherSuites (crypto/tls/cipher_suites.go) without the
// TLS_RSA_* ones; the 3DES suites were already gone from the defaults.
var go122 = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
}

func main() {
	if len(os.Args) < 6 {
		fmt.Fprintln(os.Stderr, "usage: tls_profile_client HOST PORT NAME CAFILE default|go1.22")
		os.Exit(2)
	}
	host, port, name, caFile, profile := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]
	pem, err := os.ReadFile(caFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	cfg := &tls.Config{ServerName: name, RootCAs: pool}
	switch profile {
	case "default":
	case "go1.22":
		cfg.CipherSuites = go122
	default:
		fmt.Fprintln(os.Stderr, "unknown profile", profile)
		os.Exit(2)
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", net.JoinHostPort(host, port), cfg)
	if err != nil {
		fmt.Println("failed", err)
		os.Exit(1)
	}
	fmt.Println("ok", tls.CipherSuiteName(c.ConnectionState().CipherSuite))
	c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	c.Close()
}
