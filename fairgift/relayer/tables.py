"""The relayer's tables (created by `RelayStore`; every query of them is in `store.py`), and their
versions (`SCHEMA`: a database of an earlier release is brought up to date when it is opened).

`relay_tips`: one row per accepted tip, keyed by its EIP-712 digest. `relay_txs`: every transaction
the relayer signs, recorded before it is broadcast (`replaced`: the hashes of its earlier versions,
when it was re-signed with higher fees). `relay_leases`: one batcher per relayer account (`fence`:
raised each time a new holder takes it; a transaction is recorded only under the current fence).
"""

from __future__ import annotations

import sqlalchemy as sa

from fairgift.db import ADDRESS, HASH, KEY, U256
from fairgift.db_schema import AddColumn, Schema

metadata = sa.MetaData()  # the relayer's tables, created by `Relayer` (`Database.create(SCHEMA)`)

QUEUED, SUBMITTED, LANDED, SKIPPED = "queued", "submitted", "landed", "skipped"
TIP_STATUSES = (QUEUED, SUBMITTED, LANDED, SKIPPED)

# relay_txs.status: recorded (signed, maybe never broadcast) -> sent -> mined | reverted | dropped
TX_RECORDED, TX_SENT, TX_MINED, TX_REVERTED, TX_DROPPED = "recorded", "sent", "mined", "reverted", "dropped"
TX_OPEN = (TX_RECORDED, TX_SENT)

relay_tips = sa.Table(
    "relay_tips",
    metadata,
    sa.Column("id", HASH, primary_key=True),  # the EIP-712 digest the fan signed
    sa.Column("deployment", KEY, nullable=False),
    sa.Column("fan", ADDRESS, nullable=False),
    sa.Column("creator", ADDRESS, nullable=False),
    sa.Column("token", ADDRESS, nullable=False),
    sa.Column("amount", U256, nullable=False),
    sa.Column("nonce", U256, nullable=False),
    sa.Column("deadline", U256, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),  # min(deadline, 2**62), for queries
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("r", HASH, nullable=False),
    sa.Column("vs", HASH, nullable=False),
    sa.Column("permit", sa.Text),  # JSON {value, deadline, v, r, s} or NULL
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("batch_id", sa.Integer),
    sa.Column("position", sa.Integer),  # index in the batch's items
    sa.Column("tx", HASH),
    sa.Column("block", sa.BigInteger),
    sa.Column("log_index", sa.Integer),
    sa.Column("accepted_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.UniqueConstraint("deployment", "fan", "nonce", name="uq_relay_tips_fan_nonce"),
    sa.Index("ix_relay_tips_status", "deployment", "status", "accepted_at"),
    sa.Index("ix_relay_tips_fan", "deployment", "fan", "accepted_at"),
    sa.Index("ix_relay_tips_batch", "batch_id"),
)

relay_txs = sa.Table(
    "relay_txs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("deployment", KEY, nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),  # "batch" or "permit"
    sa.Column("token", ADDRESS, nullable=False),
    sa.Column("sender", ADDRESS, nullable=False),
    sa.Column("account_nonce", sa.BigInteger, nullable=False),
    sa.Column("tx_hash", HASH, nullable=False, unique=True),
    sa.Column("raw", sa.Text, nullable=False),  # 0x… signed transaction, rebroadcast as is
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("items", sa.Integer, nullable=False),
    sa.Column("tip_id", HASH),  # the tip a permit transaction is for
    sa.Column("block", sa.BigInteger),
    sa.Column("gas_used", sa.BigInteger),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("replaced", sa.Text),  # JSON list of the hashes of its earlier versions, or NULL
    sa.Index("ix_relay_txs_status", "deployment", "sender", "status"),
)

relay_leases = sa.Table(
    "relay_leases",
    metadata,
    sa.Column("sender", ADDRESS, primary_key=True),
    sa.Column("chain_id", sa.BigInteger, primary_key=True),
    sa.Column("holder", sa.String(200), nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("fence", sa.BigInteger, nullable=False, default=1),  # +1 at each change of holder
)

# A change to the tables above needs a step here (a new table does not: it is created), or a
# database of the release before fails on open; tests/services/test_services_upgrade.py compares an
# upgraded database with a fresh one.
SCHEMA = Schema(
    "relayer",
    metadata,
    upgrades=(
        # version 1 -> 2 (round 3): replace-by-fee and the fenced lease. An existing lease starts
        # at fence 1, as a new one does.
        (AddColumn(relay_txs, "replaced"), AddColumn(relay_leases, "fence", default="1")),
    ),
)

ONCHAIN_SKIP = "skipped on chain"  # the reason's prefix of a tip the jar skipped in a mined batch
EXPIRES_CAP = 2**62  # relay_tips.expires_at: a uint256 deadline, capped to fit a BIGINT
