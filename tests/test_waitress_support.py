"""serve_in_thread stops waitress without handing its poll thread a closed socket."""

from __future__ import annotations

import http.client
import select
import threading
import time
from typing import Any

from waitress import wasyncore

from tests.waitress_support import serve_in_thread


def hello(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


class SlowSelect:
    """select.select that waits a moment after waitress listed its sockets: the moment
    in which a socket closed by another thread would reach select closed."""

    def __getattr__(self, name: str) -> Any:
        return getattr(select, name)

    @staticmethod
    def select(r: list[int], w: list[int], e: list[int], timeout: float) -> Any:
        time.sleep(0.05)
        return select.select(r, w, e, min(timeout, 0.01))


def test_stopping_never_hands_the_poll_thread_a_closed_socket(monkeypatch: Any) -> None:
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    monkeypatch.setattr(wasyncore, "select", SlowSelect())
    for _ in range(5):
        with serve_in_thread(hello, threads=2) as port:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/")
            assert connection.getresponse().read() == b"hello"
            connection.close()
    assert failures == []
