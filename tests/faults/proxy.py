"""A TCP proxy between the app and PostgreSQL that a test can make fail on command.

Modes:
- "pass": bytes flow both ways.
- "refuse": the listening socket is closed (connections are refused) and every open connection
  is cut, as when the database server is down.
- "blackhole": new connections are accepted but never answered, and open connections stop
  carrying replies: the kernel still ACKs what the app sends, so TCP keepalives and
  tcp_user_timeout never fire. This is a hung server or a stateful firewall dropping replies.

Leaving "blackhole" cuts the connections it held, as a real network blip leaves them broken.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading

PASS, REFUSE, BLACKHOLE = "pass", "refuse", "blackhole"


class FaultProxy:
    """Forward 127.0.0.1:<port> to an upstream address, with a switch for faults."""

    def __init__(self, upstream: tuple[str, int], port: int = 0) -> None:
        self.upstream = upstream
        self.port = port
        self.mode = PASS
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._pipes: set[_Pipe] = set()
        self._held: list[socket.socket] = []
        self._stopped = threading.Event()
        self._accepter: threading.Thread | None = None
        self._trigger: tuple[bytes, str] | None = None

    # --- control ---------------------------------------------------------------------------
    def start(self) -> FaultProxy:
        self._listen()
        self._accepter = threading.Thread(target=self._accept_loop, daemon=True)
        self._accepter.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            self._close_listener()
            self._cut_all()
        if self._accepter is not None:
            self._accepter.join(timeout=2)

    def set_mode(self, mode: str) -> None:
        assert mode in {PASS, REFUSE, BLACKHOLE}, mode
        with self._lock:
            previous, self.mode = self.mode, mode
            if mode == REFUSE:
                self._close_listener()
                self._cut_all()
            elif previous == BLACKHOLE:
                self._cut_all()
            if mode != REFUSE and self._listener is None:
                self._listen()

    def fail_after(self, pattern: bytes, mode: str) -> None:
        """Switch to `mode` as soon as the app has sent `pattern` (e.g. one INSERT) upstream."""
        with self._lock:
            self._trigger = (pattern, mode)

    def _check_trigger(self, data: bytes) -> None:
        trigger = self._trigger
        if trigger is not None and trigger[0] in data:
            self._trigger = None
            self.set_mode(trigger[1])

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._pipes)

    # --- internals -------------------------------------------------------------------------
    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener

    def _close_listener(self) -> None:
        if self._listener is not None:
            # shutdown() stops the listening at once, even while accept() waits on it.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None

    def _cut_all(self) -> None:
        for pipe in list(self._pipes):
            pipe.close()
        self._pipes.clear()
        for sock in self._held:
            with contextlib.suppress(OSError):
                sock.close()
        self._held.clear()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            listener = self._listener
            if listener is None:
                self._stopped.wait(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                if self.mode == BLACKHOLE:
                    self._held.append(client)  # accepted, never answered
                    continue
                if self.mode == REFUSE:
                    client.close()
                    continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=2)
            except OSError:
                client.close()
                continue
            pipe = _Pipe(self, client, upstream)
            with self._lock:
                self._pipes.add(pipe)
            pipe.start()

    def _forget(self, pipe: _Pipe) -> None:
        with self._lock:
            self._pipes.discard(pipe)


class _Pipe:
    def __init__(self, proxy: FaultProxy, client: socket.socket, upstream: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        self.closed = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def close(self) -> None:
        self.closed.set()
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _run(self) -> None:
        try:
            while not self.closed.is_set():
                silent = self.proxy.mode == BLACKHOLE
                # In a blackhole, take what the app sends (the kernel ACKs it) and drop it;
                # never read the server's replies.
                watch = [self.client] if silent else [self.client, self.upstream]
                readable, _, _ = select.select(watch, [], [], 0.05)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if self.proxy.mode == BLACKHOLE:
                        continue
                    if sock is self.client:
                        self.upstream.sendall(data)
                        self.proxy._check_trigger(data)
                    else:
                        self.client.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            self.close()
            self.proxy._forget(self)
