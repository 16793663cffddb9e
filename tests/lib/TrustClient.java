// A Java (JSSE) client with the JVM's default trust: java -Djavax.net.ssl.trustStore=STORE.jks
// -Djavax.net.ssl.trustStorePassword=changeit tests/lib/TrustClient.java HOST PORT NAME
// NAME is sent as SNI (when it has a dot, as Java does) and checked as HTTPS does (endpoint identification).
import java.net.Socket;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

public class TrustClient {
    public static void main(String[] a) throws Exception {
        Socket raw = new Socket(a[0], Integer.parseInt(a[1]));
        raw.setSoTimeout(5000);
        try (SSLSocket s = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(raw, a[2],
                Integer.parseInt(a[1]), true)) {
            SSLParameters p = s.getSSLParameters();
            if (a[2].contains(".")) {
                p.setServerNames(List.of(new SNIHostName(a[2])));
            }
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            System.out.println("ok");
        } catch (Exception e) {
            System.out.println("failed: " + e);
            System.exit(1);
        }
    }
}
