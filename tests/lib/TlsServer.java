// A Java (JSSE) TLS server for the tests: java tests/lib/TlsServer.java PORT KEYSTORE.p12 PASSWORD [PROTOCOLS]
// Listens on 127.0.0.1:PORT with the PKCS#12 key and chain, answers each connection's request with a short
// HTTP/1.0 200 and closes it; TLS 1.3 by default (JSSE then sends its NewSessionTicket after the handshake).
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

public class TlsServer {
    public static void main(String[] a) throws Exception {
        char[] pass = a[2].toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(a[1])) {
            ks.load(in, pass);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pass);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(
                Integer.parseInt(a[0]), 16, InetAddress.getByName("127.0.0.1"))) {
            ss.setEnabledProtocols((a.length > 3 ? a[3] : "TLSv1.3").split(","));
            for (;;) {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.setSoTimeout(5000);
                    InputStream in = s.getInputStream();
                    int c, state = 0; // read up to the blank line ending the request
                    while (state < 4 && (c = in.read()) >= 0) {
                        state = (c == '\r' || c == '\n') ? state + 1 : 0;
                    }
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n".getBytes());
                    out.flush();
                } catch (Exception e) {
                    System.err.println("connection: " + e);
                }
            }
        }
    }
}
