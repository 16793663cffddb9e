"""serve_forever(port, handler): the accept loop of the small test servers
(127.0.0.1:PORT, one thread per connection, handler(conn) closes it)."""
import socket
import threading


def serve_forever(port, handler):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()
