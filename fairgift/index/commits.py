"""`Commits`: the index's "a block was committed" signal, for readers that follow it live (the
overlay's server-sent events) instead of polling the database in a loop.

The index commits from whatever thread runs `Index.sync` (the Silverback bot's, a worker's, a
test's); the readers wait on uvicorn's event loop. `notify()` bumps a generation number and wakes
every waiter through its own loop (`call_soon_threadsafe`); `wait(seen, timeout)` returns at once
when the generation already moved past `seen`, so a commit between a reader's query and its wait
is never missed. A commit that unwound a reorganisation says from which block (`fork_since`): a
reader past it steps back, as what it read there is gone.
"""

from __future__ import annotations

import asyncio
import threading

KEEP_FORKS = 16


class Commits:
    def __init__(self):
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.generation = 0
        self._forks: list[tuple[int, int]] = []  # (generation, first block that changed), newest last

    def notify(self, reorg: int | None = None) -> None:
        """A commit; `reorg`: the first block a reorganisation replaced, when the sync found one."""
        with self._lock:
            self.generation += 1
            if reorg is not None:
                self._forks = [*self._forks[-(KEEP_FORKS - 1) :], (self.generation, int(reorg))]
            waiters = list(self._waiters)
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop is closed: its waiter is gone with it
                pass

    def fork_since(self, seen: int) -> int | None:
        """The lowest block a reorganisation replaced after generation `seen`, or None. (The last
        `KEEP_FORKS` are kept: a reader looks after every wake-up, so it sees each.)"""
        with self._lock:
            forks = [fork for generation, fork in self._forks if generation > seen]
        return min(forks) if forks else None

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
