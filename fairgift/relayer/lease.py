"""One batcher per relayer account and chain: a lease in the services' database.

Several `serve` processes may share a database; only the lease holder signs, so two batchers never
race for one account's nonces. A lease held by a process of this host that no longer exists is
taken at once (a crash and restart need not wait for it to expire).
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

    def acquire(self, ttl: float = 30.0) -> bool:
        """Take (or renew) the lease for `ttl` seconds; False when another live holder has it."""
        return self.store.take_lease(self.sender, self.chain_id, self.holder, ttl, holder_is_dead)

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
