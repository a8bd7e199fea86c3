"""`Commits`: the index's "a block was committed" signal, for readers that follow it live (the
overlay's server-sent events) instead of polling the database in a loop.

The index commits from whatever thread runs `Index.sync` (the Silverback bot's, a worker's, a
test's); the readers wait on uvicorn's event loop. `notify()` bumps a generation number and wakes
every waiter through its own loop (`call_soon_threadsafe`); `wait(seen, timeout)` returns at once
when the generation already moved past `seen`, so a commit between a reader's query and its wait
is never missed.
"""

from __future__ import annotations

import asyncio
import threading


class Commits:
    def __init__(self):
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.generation = 0

    def notify(self) -> None:
        with self._lock:
            self.generation += 1
            waiters = list(self._waiters)
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop is closed: its waiter is gone with it
                pass

    async def wait(self, seen: int, timeout: float) -> bool:
        """Until the generation differs from `seen` (True) or `timeout` seconds pass (False)."""
        event = asyncio.Event()
        waiter = (asyncio.get_running_loop(), event)
        with self._lock:
            if self.generation != seen:
                return True
            self._waiters.add(waiter)
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with self._lock:
                self._waiters.discard(waiter)
