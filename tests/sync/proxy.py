"""A small HTTP proxy between a desk and the real server, which misbehaves on demand.

Each planned fault applies to the next request whose path starts with its prefix:

- drop_request     the connection closes; the server never sees the request
- drop_response    the server handles it (and commits); the desk never hears back
- error_before     a 500 without forwarding
- error_after      the server handles it, the desk gets a 500 instead of the answer
- duplicate        the server receives the request twice; the desk gets the second answer
- timeout          the server handles it; the answer comes after the desk gave up
- truncate         the answer's body is cut in the middle, then the connection closes
- replay_later     delivered normally, and delivered AGAIN to the server after the next
                   request (a late duplicate, out of order)
- call:FN          FN() runs, then the request is forwarded (e.g. revoke the device)
- answer_NNN       the proxy answers status NNN itself, as a proxy, firewall or portal
                   would (HTML body, no X-Bippop-Server-Time; a 3xx has a Location, a 429
                   or 503 a Retry-After of `retry_after` seconds); the server never sees it
- empty_200        the proxy answers 200 with the JSON `{}` itself
- refuse_NNN       answers status NNN as the platform itself would (JSON detail and
                   X-Bippop-Server-Time): a platform refusing the request's content
"""

from __future__ import annotations

import datetime as dt
import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class Fault:
    prefix: str
    action: str
    hook: Callable[[], Any] | None = None


@dataclass
class Captured:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Proxy:
    upstream: str
    timeout_s: float = 1.5
    retry_after: str = "1"
    # More servers behind the same address: requests go to each in turn (round robin,
    # as a load balancer in front of several hosts would send them).
    alternates: list[str] = field(default_factory=list)
    _turn: int = 0
    clock_shift_s: float = 0.0  # the server's clock as the desk sees it, moved
    faults: list[Fault] = field(default_factory=list)
    seen: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, fault
    # Answers the server gave that the desk never got whole (path, body): e.g. the token
    # of an enrollment whose answer was dropped, to prove it is dead.
    withheld: list[tuple[str, bytes]] = field(default_factory=list)
    _late: list[Captured] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def plan(self, prefix: str, action: str, hook: Callable[[], Any] | None = None) -> None:
        with self._lock:
            self.faults.append(Fault(prefix, action, hook))

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self.faults):
                if path.startswith(fault.prefix):
                    return self.faults.pop(index)
        return None

    # -- forwarding ----------------------------------------------------------------------
    def _next_upstream(self) -> str:
        with self._lock:
            choices = [self.upstream, *self.alternates]
            self._turn += 1
            return choices[self._turn % len(choices)]

    def forward(self, request: Captured) -> tuple[int, list[tuple[str, str]], bytes]:
        parts = urlsplit(self._next_upstream() if self.alternates else self.upstream)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
            conn.request(request.method, request.path, body=request.body or None, headers=headers)
            response = conn.getresponse()
            body = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_HEADERS]
            if self.clock_shift_s:
                kept = [(k, self._shift(v) if k.lower() == "x-bippop-server-time" else v)
                        for k, v in kept]  # fmt: skip
            return response.status, kept, body
        finally:
            conn.close()

    def _shift(self, stamp: str) -> str:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        moved = moment + dt.timedelta(seconds=self.clock_shift_s)
        return moved.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def replay_late(self) -> None:
        with self._lock:
            late, self._late = self._late, []
        for request in late:
            self.withheld.append((request.path, self.forward(request)[2]))

    def own_answer(self, status: int) -> tuple[int, list[tuple[str, str]], bytes]:
        headers = [("Content-Type", "text/html")]
        if 300 <= status < 400:
            headers.append(("Location", "https://portail.example.invalid/connexion"))
        if status in (429, 503):
            headers.append(("Retry-After", self.retry_after))
        return status, headers, f"<html><body><h1>{status}</h1></body></html>".encode()

    def start(self) -> Proxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Captured(self.command, self.path, dict(self.headers.items()), body)
                fault = proxy.take(self.path)
                action = fault.action if fault else ""
                proxy.seen.append((self.command, self.path, action))
                self.close_connection = True
                if action == "drop_request":
                    return
                if action == "error_before":
                    return self._send(500, [], b'{"detail": "panne simul\\u00e9e"}')
                if action.startswith("answer_"):
                    return self._send(*proxy.own_answer(int(action[7:])))
                if action.startswith("refuse_"):
                    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                    detail = b'{"detail": "Refus simul\\u00e9 de la plateforme."}'
                    return self._send(int(action[7:]), [("X-Bippop-Server-Time", now)], detail)
                if action == "empty_200":
                    return self._send(200, [], b"{}")
                if fault is not None and fault.action == "call" and fault.hook is not None:
                    fault.hook()
                status, headers, answer = proxy.forward(request)
                if action == "duplicate":
                    proxy.withheld.append((self.path, answer))
                    status, headers, answer = proxy.forward(request)
                if action in ("drop_response", "error_after", "truncate"):
                    proxy.withheld.append((self.path, answer))
                proxy.replay_late()
                if action == "replay_later":
                    with proxy._lock:
                        proxy._late.append(request)
                if action == "drop_response":
                    return
                if action == "error_after":
                    return self._send(500, [], b'{"detail": "panne simul\\u00e9e"}')
                if action == "timeout":
                    time.sleep(proxy.timeout_s)
                    return self._send(status, headers, answer)
                if action == "truncate":
                    return self._send(status, headers, answer, cut=True)
                return self._send(status, headers, answer)

            def _send(
                self, status: int, headers: list[tuple[str, str]], body: bytes, cut: bool = False
            ) -> None:
                try:
                    self.send_response(status)
                    for key, value in headers:
                        self.send_header(key, value)
                    if not any(k.lower() == "content-type" for k, _ in headers):
                        self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2] if cut else body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the desk already gave up (timeout): fine

            do_GET = _handle
            do_POST = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
