"""A TCP proxy that misbehaves on purpose, between dockd and the TLS
terminator. Faults act on the byte stream (TLS passes through untouched), as
a bad link does: per connection, with probability `fault_rate`, one of
  reset     - RST towards the client after a random number of upload bytes
  drop      - close both sides mid-request-body (connection dropped mid-body)
  truncate  - forward only part of the server's reply, then close
  stall     - stop forwarding in both directions until the client gives up
It counts the bytes each way so tests can bound what was re-sent."""
import random
import socket
import struct
import threading

FAULTS = ("reset", "drop", "truncate", "stall")


class FaultProxy:
    def __init__(self, upstream_port, fault_rate=0.0, faults=FAULTS, seed=1, max_stalls=2):
        self.upstream = ("127.0.0.1", upstream_port)
        self.fault_rate = fault_rate
        self.faults = faults
        self.rng = random.Random(seed)
        self.max_stalls = max_stalls
        self.lock = threading.Lock()
        self.bytes_up = 0      # client -> server, all connections
        self.bytes_down = 0
        self.connections = 0
        self.faulted = {f: 0 for f in FAULTS}
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.closing = False
        self.open_sockets = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.closing = True
        self.listener.close()
        with self.lock:
            for s in list(self.open_sockets):
                try:
                    s.close()
                except OSError:
                    pass

    def _choose(self):
        with self.lock:
            self.connections += 1
            if self.rng.random() >= self.fault_rate:
                return None, 0
            fault = self.rng.choice(self.faults)
            if fault == "stall":
                if self.max_stalls <= 0:
                    fault = "reset"
                else:
                    self.max_stalls -= 1
            self.faulted[fault] += 1
            return fault, self.rng.randint(1, 600_000)

    def _accept(self):
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        fault, at = self._choose()
        try:
            server = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        with self.lock:
            self.open_sockets |= {client, server}
        done = threading.Event()
        state = {"up": 0, "down": 0}

        def kill(rst):
            if rst:  # SO_LINGER 0: close sends RST, as a middlebox reset does
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            for s in (client, server):
                try:
                    s.close()
                except OSError:
                    pass
            done.set()

        def pump(src, dst, direction):
            try:
                while not done.is_set():
                    data = src.recv(65536)
                    if not data:
                        break
                    limit = None
                    if direction == "up" and fault in ("reset", "drop", "stall"):
                        limit = at
                    if direction == "down" and fault == "truncate":
                        limit = self.rng.randint(1, 2000) if state["down"] == 0 else 0
                    if limit is not None and state[direction] + len(data) > limit:
                        data = data[:max(0, limit - state[direction])]
                        self._count(direction, data)
                        if data:
                            dst.sendall(data)
                        if fault == "stall":
                            # Swallow everything silently until the client's own timeout gives up.
                            while src.recv(65536):
                                pass
                        kill(fault == "reset")
                        return
                    state[direction] += len(data)
                    self._count(direction, data)
                    dst.sendall(data)
            except OSError:
                pass
            kill(False)

        threading.Thread(target=pump, args=(server, client, "down"), daemon=True).start()
        pump(client, server, "up")
        with self.lock:
            self.open_sockets -= {client, server}

    def _count(self, direction, data):
        with self.lock:
            if direction == "up":
                self.bytes_up += len(data)
            else:
                self.bytes_down += len(data)
