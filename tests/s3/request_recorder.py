"""A plain-text HTTP proxy that records the head of every request it passes
on, for tests that must see what dockd sent to S3 where the store ignores it
(Swift's s3api does not implement Object Lock, so the
x-amz-object-lock-* headers leave no trace in the store). It sits between the
TLS terminator and Swift, where the bytes are clear text; bodies pass
through untouched, framed by Content-Length."""
import socket
import threading


class RequestRecorder:
    def __init__(self, upstream_port):
        self.upstream = ("127.0.0.1", upstream_port)
        self.lock = threading.Lock()
        self.requests = []  # (method, target, {lower-case header: value})
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.closing = True
        self.listener.close()

    def seen(self, method=None, path_part=""):
        with self.lock:
            return [r for r in self.requests if (method is None or r[0] == method) and path_part in r[1]]

    def _accept(self):
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        try:
            server = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        threading.Thread(target=self._pipe, args=(server, client), daemon=True).start()
        self._requests(client, server)

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _requests(self, client, server):
        buf = b""
        body_left = 0
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                server.sendall(data)
                buf += data
                while True:
                    if body_left:
                        take = min(body_left, len(buf))
                        buf, body_left = buf[take:], body_left - take
                        if body_left:
                            break
                    end = buf.find(b"\r\n\r\n")
                    if end < 0:
                        break
                    head, buf = buf[:end].decode("latin-1"), buf[end + 4:]
                    lines = head.split("\r\n")
                    method, target = lines[0].split(" ")[:2]
                    headers = {}
                    for line in lines[1:]:
                        k, _, v = line.partition(":")
                        headers[k.strip().lower()] = v.strip()
                    with self.lock:
                        self.requests.append((method, target, headers))
                    body_left = int(headers.get("content-length", "0") or 0)
        except OSError:
            pass
        for s in (client, server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
