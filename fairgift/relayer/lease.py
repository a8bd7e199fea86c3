"""One batcher per relayer account and chain: a lease in the services' database.

Several `serve` processes may share a database; only the lease holder signs, so two batchers
never race for one account's nonces. The lease is taken by compare-and-set and carries a fence,
raised at each change of holder; a transaction is recorded only if the recorder's fence is still
the lease's, checked in the same database transaction (a holder paused past its lease cannot
record after it), and the lease is renewed while a receipt is awaited. A lease held by a process
of this host that no longer exists is taken at once (a crash and restart need not wait for it).
"""

from __future__ import annotations

import os
import socket
import uuid


class Lease:
    """The lease of (`sender`, `chain_id`) for this process (`holder`: host, pid and a random tag)."""

    def __init__(self, store, sender: str, chain_id: int):
        self.store = store
        self.sender = sender
        self.chain_id = chain_id
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.fence: int | None = None  # the lease's fence when this process last took or renewed it
        self.ttl = 30.0

    def acquire(self, ttl: float | None = None) -> bool:
        """Take (or renew) the lease for `ttl` seconds; False when another live holder has it."""
        self.ttl = ttl if ttl is not None else self.ttl
        self.fence = self.store.take_lease(self.sender, self.chain_id, self.holder, self.ttl, holder_is_dead)
        return self.fence is not None

    def token(self) -> tuple | None:
        """What a recorded transaction is fenced with (the store checks it in the same database
        transaction): a holder that lost the lease while paused can no longer record."""
        if self.fence is None:
            return None
        return (self.sender, self.chain_id, self.holder, self.fence)

    def release(self) -> None:
        self.store.release_lease(self.sender, self.chain_id, self.holder)


def holder_is_dead(holder: str) -> bool:
    """True when `holder` names a process of this host that no longer exists."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
