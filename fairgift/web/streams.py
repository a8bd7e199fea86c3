"""Bounds on long-lived streams (the overlay's server-sent events): at most `per_client` open at
once from one client and `total` for everyone. A stream is not a request in flight (the guard does
not count it: it would hold a slot for hours), so it is bounded here instead, per client as the
guard identifies one (`fairgift.web.guard.client_key`)."""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager

from fairgift.web.http import HttpError


class StreamSlots:
    """`per_client` and `total` open streams at most; each ends after `max_seconds` (the browser
    reconnects at once and resumes from its Last-Event-ID: no connection is held for ever, and a
    restarted or added process gets its share of the viewers)."""

    def __init__(self, per_client: int = 4, total: int = 200, max_seconds: float = 1800.0):
        self.per_client, self.total, self.max_seconds = per_client, total, max_seconds
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def open_count(self, client: str | None = None) -> int:
        with self._lock:
            return self._open[client] if client is not None else sum(self._open.values())

    def take(self, client: str) -> None:
        """Hold a slot for `client`, or refuse with a 429 / 503 (and Retry-After)."""
        with self._lock:
            if self._open[client] >= self.per_client:
                raise HttpError(
                    429, f"at most {self.per_client} live streams from one address", "too_many_streams", 5
                )
            if sum(self._open.values()) >= self.total:
                raise HttpError(503, "the service is serving all the live streams it can", "busy", 5)
            self._open[client] += 1

    def give_back(self, client: str) -> None:
        with self._lock:
            self._open[client] -= 1
            if self._open[client] <= 0:
                del self._open[client]

    @contextmanager
    def held(self, client: str):
        self.take(client)
        try:
            yield
        finally:
            self.give_back(client)
