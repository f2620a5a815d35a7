"""A WSGI app under waitress in a thread of the test process, stopped without a race.

waitress polls its sockets in one thread (here named "waitress") and runs requests in
its worker threads. Its ``server.close()`` closes the listening socket and the trigger
from whichever thread calls it: when that is another thread, the poll thread may
already have listed those descriptors and then hands closed ones to ``select``, which
fails with EBADF, an unhandled exception in the thread "waitress" (pytest reports it as
PytestUnhandledThreadExceptionWarning). So the stop here goes in this order: the
worker threads finish the requests they hold; then the poll thread itself, woken by
the trigger, closes every socket between two polls and its loop ends with nothing left
to poll.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: How long a stop waits for the worker threads, then for the poll thread.
STOP_SECONDS = 10


@contextmanager
def serve_in_thread(app: Any, threads: int) -> Iterator[int]:
    """Serve ``app`` on a free port of 127.0.0.1 while the block runs; yield the port."""
    from waitress import wasyncore
    from waitress.server import create_server

    sockets: dict[int, Any] = {}
    server = create_server(app, map=sockets, host="127.0.0.1", port=0, threads=threads)
    poller = threading.Thread(target=server.run, name="waitress", daemon=True)
    poller.start()
    try:
        yield server.effective_port
    finally:
        server.task_dispatcher.shutdown(timeout=STOP_SECONDS)
        server.trigger.pull_trigger(lambda: wasyncore.close_all(sockets))
        poller.join(timeout=STOP_SECONDS)
        assert not poller.is_alive(), "waitress' poll thread did not stop"
