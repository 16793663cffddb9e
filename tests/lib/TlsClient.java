// A Java (JSSE) TLS client for the tests: java tests/lib/TlsClient.java HOST PORT NAME|- CAFILE [PROTOCOLS]
// (-Dtc.ciphers=..., -Dtc.alpn=... set the suites and ALPN protocols offered)
// NAME is sent as SNI and checked against the certificate (HTTPS endpoint identification); "-" sends no
// SNI (as jsse.enableSNIExtension=false would) and checks no name. CAFILE is a PEM bundle of trusted roots.
// KEYSTORE (a PKCS#12 file, password "changeit") holds a client certificate and key: JSSE's key manager offers
// it only when its issuer is among the CAs the CertificateRequest lists (else an empty Certificate).
// Usage: java tests/lib/TlsClient.java HOST PORT NAME|- CAFILE [PROTOCOLS|- [KEYSTORE]]
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class TlsClient {
    public static void main(String[] a) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        try (InputStream in = new FileInputStream(a[3])) {
            int i = 0;
            for (Certificate c : cf.generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyManagerFactory kmf = null;
        if (a.length > 5) {
            KeyStore cs = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(a[5])) {
                cs.load(in, "changeit".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(cs, "changeit".toCharArray());
        }
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        boolean noName = a[2].equals("-");
        Socket raw = new Socket(a[0], Integer.parseInt(a[1]));
        raw.setSoTimeout(5000);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, noName ? a[0] : a[2],
                Integer.parseInt(a[1]), true)) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(noName ? List.of() : List.of(new SNIHostName(a[2])));
            p.setEndpointIdentificationAlgorithm(noName ? null : "HTTPS");
            if (a.length > 4 && !a[4].equals("-")) {
                p.setProtocols(a[4].split(","));
            }
            if (System.getProperty("tc.ciphers") != null) { // -Dtc.ciphers=TLS_A,TLS_B: the suites offered
                p.setCipherSuites(System.getProperty("tc.ciphers").split(","));
            }
            if (System.getProperty("tc.alpn") != null) { // -Dtc.alpn=http/1.1,h2: the ALPN protocols offered
                p.setApplicationProtocols(System.getProperty("tc.alpn").split(","));
            }
            s.setSSLParameters(p);
            s.startHandshake();
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
            s.getInputStream().read();
            System.out.println("ok");
        } catch (Exception e) {
            System.out.println("failed: " + e);
            System.exit(1);
        }
    }
}
