"""Work of concurrent callers done together, by one of them: what group commit and grouped chain
reads share.

`Together(handle).run(item)` queues `item` and waits. The first caller to find no group under way
becomes the leader: it takes every item queued so far (at most `max_group`), calls
`handle(items)` once, which answers each item (a value, or an exception for that caller alone),
and hands each caller its answer. Callers arriving meanwhile queue for the next group; when the
leader's group is done, the first of them leads it. So a caller waits at most for the group in
front of it and its own, and the expensive part of `handle` (a commit, a round trip to the node)
is paid once per group instead of once per caller, with no thread of its own and no timer: a
lone caller leads a group of one at once.
"""

from __future__ import annotations

import threading


class _Item:
    __slots__ = ("value", "result", "error", "done", "lead", "wake")

    def __init__(self, value):
        self.value = value
        self.result = None
        self.error: BaseException | None = None
        self.done = False  # its group has been handled
        self.lead = False  # it leads the next group
        self.wake = threading.Event()


class Together:
    """Groups the concurrent `run(value)` calls; `handle(values)` answers a group at once with a
    list holding, for each value in order, its result or an exception instance to raise."""

    def __init__(self, handle, max_group: int = 64):
        self.handle = handle
        self.max_group = max_group
        self._lock = threading.Lock()  # guards the two fields below
        self._queue: list[_Item] = []
        self._leading = False  # a leader is handling a group (or about to): newcomers queue
        self.groups = 0  # groups handled (for the tests and the bench)
        self.items = 0  # values handled

    def run(self, value):
        item = _Item(value)
        with self._lock:
            self._queue.append(item)
            if not self._leading:
                self._leading = item.lead = True
        if not item.lead:
            item.wake.wait()  # woken when its group is done, or to lead the next one
        if not item.done:
            self._lead(item)
        if item.error is not None:
            raise item.error
        return item.result

    def waiting(self) -> int:
        """Callers queued for the next group."""
        with self._lock:
            return len(self._queue)

    def _lead(self, item: _Item) -> None:
        try:
            while not item.done:  # its own item is in the first group it takes (it queued first)
                with self._lock:
                    group = self._queue[: self.max_group]
                    del self._queue[: self.max_group]
                self._handle(group)
        finally:
            with self._lock:
                if self._queue:  # hand over: the longest waiting caller leads the next group
                    successor = self._queue[0]
                    successor.lead = True
                    successor.wake.set()
                else:
                    self._leading = False

    def _handle(self, group: list[_Item]) -> None:
        self.groups += 1
        self.items += len(group)
        try:
            answers = self.handle([item.value for item in group])
            if len(answers) != len(group):
                raise RuntimeError(f"{len(answers)} answers for a group of {len(group)}")
            for item, answer in zip(group, answers, strict=True):
                if isinstance(answer, BaseException):
                    item.error = answer
                else:
                    item.result = answer
        except BaseException as err:  # the whole group failed: every caller hears why
            for item in group:
                item.error = err
            if not isinstance(err, Exception):
                raise
        finally:
            for item in group:
                item.done = True
                item.wake.set()
