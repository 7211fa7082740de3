"""What the webhook tests start from: a receiver listening on 127.0.0.1 (a real HTTP server in
a thread) that answers as a test scripts it and checks each request's signature, an endpoint
of Adam's (the root conftest's admin) pointing at it, and an account's health alert payload.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclasses.dataclass
class Request:
    headers: dict[str, str]
    body: bytes
    signed: bool  # the signature matched the receiver's own HMAC of timestamp and body


@dataclasses.dataclass
class Receiver:
    """Answers each POST with the next scripted answer (status, body), then with 200."""

    port: int = 0
    secret: str = ""
    answers: list[tuple[int, str] | tuple[int, str, dict[str, str]]] = dataclasses.field(default_factory=list)
    delay: float = 0.0
    requests: list[Request] = dataclasses.field(default_factory=list)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/cairn"

    def script(self, *statuses: int) -> None:
        self.answers = [(status, f"answer {status}") for status in statuses]


def _signed(secret: str, headers: dict[str, str], body: bytes) -> bool:
    # The receiver's own check, as the events page tells a receiver to write it.
    timestamp = headers.get("X-Cairn-Timestamp", "")
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, headers.get("X-Cairn-Signature", ""))


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        receiver: Receiver = self.server.receiver  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = dict(self.headers.items())
        with receiver.lock:
            receiver.requests.append(Request(headers, body, _signed(receiver.secret, headers, body)))
            answer = receiver.answers.pop(0) if receiver.answers else (200, "ok")
        if receiver.delay:
            time.sleep(receiver.delay)
        status, text = answer[0], answer[1]
        extra: dict[str, str] = answer[2] if len(answer) > 2 else {}  # type: ignore[misc]
        payload = text.encode()
        try:
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the sender gave up waiting (a time-out test)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    found = Receiver(port=server.server_address[1])
    server.receiver = found  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(adam: Any, receiver: Receiver) -> Any:
    from cairn.webhooks import actions
    from cairn.webhooks.models import Endpoint

    made = actions.create_endpoint(
        Endpoint(name="CRM sync", url=receiver.url, events=["health.alert", "rule.fired"]), by=adam
    )
    receiver.secret = made.secret
    return made


@pytest.fixture
def alert(acme: Any) -> dict[str, Any]:
    from cairn.webhooks import events

    return {
        "account": events.account_data(acme), "kind": "turned_red", "label": "Turned red",
        "score": 38.5, "scored_on": "2026-12-01",
    }
