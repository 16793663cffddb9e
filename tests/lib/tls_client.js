// A Node (tls module) client for the tests: node tests/lib/tls_client.js HOST PORT NAME CAFILE [MAXVERSION]
const tls = require('tls');
const fs = require('fs');
const [host, port, name, ca, max] = process.argv.slice(2);
const s = tls.connect({ host, port: Number(port), servername: name, ca: fs.readFileSync(ca),
                        maxVersion: max || 'TLSv1.3' }, () => s.end('GET / HTTP/1.0\r\n\r\n'));
s.on('error', (e) => { console.log('failed', e.code); process.exit(1); });
s.on('data', () => {});
s.on('end', () => process.exit(0));
setTimeout(() => process.exit(2), 5000).unref();
