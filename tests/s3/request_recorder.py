"""A plain-text HTTP proxy that records the head of every request it passes
on, for tests that must see what dockd sent to S3 where the store ignores it
(Swift's s3api does not implement Object Lock, so the
x-amz-object-lock-* headers leave no trace in the store). It sits between the
TLS terminator and Swift, where the bytes are clear text; bodies pass
through untouched, framed by Content-Length. With object_lock set it also
plays the part of a store that enforces Object Lock (see _answer)."""
import socket
import threading


class RequestRecorder:
    def __init__(self, upstream_port):
        self.upstream = ("127.0.0.1", upstream_port)
        self.lock = threading.Lock()
        self.requests = []  # (method, target, {lower-case header: value})
        # object_lock: answer GetObjectLockConfiguration (Enabled) and
        # PutObjectRetention here as a store with Object Lock would; those
        # requests never reach Swift, which would take the second for a PUT
        # of the object itself. answered: (method, target, body) of each.
        self.object_lock = False
        self.answered = []
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

    def _answer(self, method, target):
        """The reply of a store that enforces Object Lock, for the two calls
        that need one; None: pass the request on to Swift."""
        if not self.object_lock:
            return None
        query = target.partition("?")[2].split("&")
        if method == "GET" and any(q.split("=")[0] == "object-lock" for q in query):
            body = (b'<?xml version="1.0" encoding="UTF-8"?><ObjectLockConfiguration '
                    b'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled'
                    b'</ObjectLockEnabled></ObjectLockConfiguration>')
            return b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n%s" % (
                len(body), body)
        if method == "PUT" and any(q.split("=")[0] == "retention" for q in query):
            return b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        return None

    def _requests(self, client, server):
        buf = b""

        def more():
            data = client.recv(65536)
            if not data:
                raise EOFError
            return data
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    buf += more()
                end = buf.find(b"\r\n\r\n")
                raw, buf = buf[:end + 4], buf[end + 4:]
                lines = raw[:-4].decode("latin-1").split("\r\n")
                method, target = lines[0].split(" ")[:2]
                headers = {}
                for line in lines[1:]:
                    k, _, v = line.partition(":")
                    headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length", "0") or 0)
                reply = self._answer(method, target)
                if reply is None:
                    server.sendall(raw)
                with self.lock:
                    self.requests.append((method, target, headers))
                body = b""
                while length:
                    if not buf:
                        buf = more()
                    take, buf = buf[:length], buf[length:]
                    length -= len(take)
                    if reply is None:
                        server.sendall(take)
                    else:
                        body += take
                if reply is not None:
                    with self.lock:
                        self.answered.append((method, target, body))
                    client.sendall(reply)
        except (OSError, EOFError):
            pass
        for s in (client, server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
