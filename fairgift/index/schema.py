"""Index tables. Every row carries `deployment`, the deployment record's key (chain id, genesis
hash and address set), so a restarted local chain or another deployment never mixes with it.

- `index_state`: per deployment, the last block indexed as final (number and hash).
- `index_blocks`: the hash of every indexed block that had an event, and of each block the cursor
  stopped at: what a reorg check compares against the chain.
- `index_events`: one row per event (the `fairgift.events.Event` fields), with the event's indexed
  arguments copied into `topic1..3` (as text, e.g. checksummed addresses) so that filters such as
  "tips to this creator" are index lookups.
- `index_tips`: the `Tipped` events again, stored by creator, their amounts as columns (decimal
  text, exact for any uint256): a creator's tips are one contiguous read, and a creator's ledger
  is a few sums in SQL (`IndexSource.tip_groups`) instead of thousands of events folded in
  Python. Written and removed with `index_events`, in the same transactions.
- `index_features`: per deployment, the tables that are complete for every indexed block
  ("tips": `index_tips`; an index made before that table existed is filled in by its next sync).
- `index_reorgs`: every reorg found (where, how deep), for operators.
"""

from __future__ import annotations

import sqlalchemy as sa

from fairgift.db import ADDRESS, HASH, KEY, U256
from fairgift.db_schema import Schema

metadata = sa.MetaData()  # the index's tables, created by `Index` (`Database.create(SCHEMA)`)

TIPS = "tips"  # index_features: index_tips holds every indexed Tipped event

index_state = sa.Table(
    "index_state",
    metadata,
    sa.Column("deployment", KEY, primary_key=True),
    sa.Column("chain_id", sa.BigInteger, nullable=False),
    sa.Column("start_block", sa.BigInteger, nullable=False),
    sa.Column("block", sa.BigInteger, nullable=False),  # last final block indexed (start_block - 1: none)
    sa.Column("hash", HASH),  # its hash (None before the first pass)
    sa.Column("events", sa.BigInteger, nullable=False, default=0),  # rows in index_events
    sa.Column("updated_at", sa.Float, nullable=False),
)

index_blocks = sa.Table(
    "index_blocks",
    metadata,
    sa.Column("deployment", KEY, primary_key=True),
    sa.Column("number", sa.BigInteger, primary_key=True),
    sa.Column("hash", HASH, nullable=False),
)

index_events = sa.Table(
    "index_events",
    metadata,
    sa.Column("deployment", KEY, primary_key=True),
    sa.Column("block", sa.BigInteger, primary_key=True),
    sa.Column("log_index", sa.Integer, primary_key=True),
    sa.Column("tx", HASH, nullable=False),
    sa.Column("contract", sa.String(40), nullable=False),
    sa.Column("address", ADDRESS, nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("args", sa.Text, nullable=False),  # JSON object
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.Column("topic1", sa.String(80)),
    sa.Column("topic2", sa.String(80)),
    sa.Column("topic3", sa.String(80)),
    # An event name (and an indexed argument) first, then chain order: "this creator's tips, in
    # order" (or newest first) is one range of one index, never a scan of every tip.
    sa.Index("ix_index_events_name", "deployment", "name", "block", "log_index"),
    sa.Index("ix_index_events_name_topic1", "deployment", "name", "topic1", "block", "log_index"),
    sa.Index("ix_index_events_name_topic2", "deployment", "name", "topic2", "block", "log_index"),
    sa.Index("ix_index_events_name_topic3", "deployment", "name", "topic3", "block", "log_index"),
)

index_tips = sa.Table(
    "index_tips",
    metadata,
    # One creator's tips are one contiguous range (SQLite: WITHOUT ROWID, the table is its primary
    # key's B-tree): reading 10,000 of them is a sequential read, not 10,000 row lookups.
    sa.Column("deployment", KEY, primary_key=True),
    sa.Column("creator", ADDRESS, primary_key=True),  # lower case, like the topics
    sa.Column("block", sa.BigInteger, primary_key=True),
    sa.Column("log_index", sa.Integer, primary_key=True),
    sa.Column("token", ADDRESS, nullable=False),
    sa.Column("fan", ADDRESS, nullable=False),
    sa.Column("gift_id", U256, nullable=False),
    sa.Column("amount", U256, nullable=False),
    sa.Column("fee", U256, nullable=False),
    # the rest of the event, as in index_events: a creator's tips are read from here alone
    sa.Column("address", ADDRESS, nullable=False),
    sa.Column("tx", HASH, nullable=False),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.Column("args", sa.Text, nullable=False),
    sqlite_with_rowid=False,
)

index_features = sa.Table(
    "index_features",
    metadata,
    sa.Column("deployment", KEY, primary_key=True),
    sa.Column("feature", sa.String(40), primary_key=True),
)

index_reorgs = sa.Table(
    "index_reorgs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("deployment", KEY, nullable=False),
    sa.Column("fork_block", sa.BigInteger, nullable=False),  # first block that changed
    sa.Column("old_block", sa.BigInteger, nullable=False),  # the cursor before the reorg
    sa.Column("removed_events", sa.BigInteger, nullable=False),
    sa.Column("found_at", sa.Float, nullable=False),
)

# The index's tables are as the release before versions were recorded left them (version 1). A
# change to them needs a step (`fairgift.db_schema`); a new table does not.
SCHEMA = Schema("index", metadata)
