"""Group commit: the queue writes of requests arriving together, in one database transaction.

An accepted tip is committed before its 202. The commit is the expensive part of a write (on
SQLite an fsync of the log, about 2.5 ms on the reference machine, with one writer at a time), so
committing each request alone caps the intake at a few hundred tips a second however fast the
rest is. Here the requests that arrive while a transaction is being written wait for it to end and
are then written together (`fairgift.relayer.together`): one of them runs every waiting request's
write in arrival order, each in its own savepoint (a refusal or a unique-key conflict undoes that
request's writes alone), and commits once. No request returns before the commit that holds its
row, so "answered 202" still means "committed"; a later request's checks see the rows of the
earlier ones of its group, as if they had been written one after the other.
"""

from __future__ import annotations

from fairgift.relayer.together import Together

MAX_GROUP = 64  # requests written in one transaction at most (the web server has 40 worker threads)


class GroupCommit:
    """Runs `work(conn)` of concurrent callers in shared write transactions of `db`."""

    def __init__(self, db, max_group: int = MAX_GROUP):
        self.db = db
        self.together = Together(self._write, max_group)

    def run(self, work):
        """`work(conn)` in a savepoint of a write transaction shared with concurrent callers; its
        return value once that transaction is committed. An exception `work` raises comes back to
        its caller alone (its savepoint undone, the others' rows kept); a failed transaction (or
        commit) comes back to every caller of the group, none of whose rows is stored."""
        return self.together.run(work)

    @property
    def transactions(self) -> int:
        """Write transactions run so far (each holding one or more requests' writes)."""
        return self.together.groups

    def _write(self, works: list) -> list:
        answers: list = []
        with self.db.write() as conn:
            for work in works:
                try:
                    with conn.begin_nested():
                        answers.append(work(conn))
                except Exception as err:  # noqa: BLE001 - handed to that request's caller alone
                    answers.append(err)
        return answers
