"""Crash points for the fault tests: `FAIRGIFT_FAULTS="batch-recorded:3,batch-sent:1"` makes the
process exit abruptly (like `kill -9`) the 3rd time it reaches `point("batch-recorded")`, or the
1st time it reaches `point("batch-sent")`. Unset (always, outside tests), `point` does nothing.

The points are where a crash hurts most: after a transaction is recorded but before it is
broadcast, after it is broadcast but before its receipt is read, after the receipt but before the
outcome is written.
"""

from __future__ import annotations

import os
import sys

ENV = "FAIRGIFT_FAULTS"
EXIT_STATUS = 86


def _parse(text: str) -> dict[str, int]:
    plan = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, count = item.partition(":")
        plan[name] = int(count or 1)
    return plan


_plan = _parse(os.environ.get(ENV, ""))
_hits: dict[str, int] = {}


def point(name: str) -> None:
    if not _plan or name not in _plan:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] == _plan[name]:
        sys.stderr.write(f"fault injected: exiting at {name} (hit {_hits[name]})\n")
        sys.stderr.flush()
        os._exit(EXIT_STATUS)
