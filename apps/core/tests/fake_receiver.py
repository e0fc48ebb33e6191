"""A local fake of the WeCom / DingTalk robot webhooks: an ``http.server`` thread on 127.0.0.1 that records each
request (path, query, JSON body) and answers as told (status, errcode, delay). Nothing calls the internet."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    query: dict[str, str]
    payload: dict[str, Any]
    at: float


@dataclass
class FakeReceiver:
    status: int = 200
    errcode: int = 0
    delay: float = 0.0
    script: list[int] = field(default_factory=list)  # statuses for the next requests, before ``status``
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def on(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def start(self) -> FakeReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                url = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
                receiver.received.append(Received(url.path, query, payload, time.monotonic()))
                if receiver.delay:
                    time.sleep(receiver.delay)
                body = json.dumps({"errcode": receiver.errcode, "errmsg": "ok" if not receiver.errcode else "bad"})
                self.send_response(receiver.script.pop(0) if receiver.script else receiver.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
