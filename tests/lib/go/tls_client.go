// A Go (crypto/tls) client for the tests:
//
//	go run tests/lib/go/tls_client.go HOST PORT NAME CAFILE [MAXVERSION]
//
// Go verifies the chain inside the handshake and, refusing it in TLS 1.3,
// sends its alert encrypted: without keys the capture shows a client that
// leaves right after the server's flight.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) < 5 {
		fmt.Fprintln(os.Stderr, "usage: tls_client HOST PORT NAME CAFILE [TLSv1.2|TLSv1.3]")
		os.Exit(2)
	}
	host, port, name, caFile := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	pem, err := os.ReadFile(caFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	cfg := &tls.Config{ServerName: name, RootCAs: pool, MaxVersion: tls.VersionTLS13}
	if len(os.Args) > 5 && os.Args[5] == "TLSv1.2" {
		cfg.MaxVersion = tls.VersionTLS12
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", net.JoinHostPort(host, port), cfg)
	if err != nil {
		fmt.Println("failed", err)
		os.Exit(1)
	}
	c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	c.Close()
}
