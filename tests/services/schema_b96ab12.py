"""The services' tables as the release before this one created them: the DDL that SQLAlchemy emitted
for `fairgift/index/db.py`, `fairgift/index/schema.py` and `fairgift/relayer/store.py` at commit
b96ab12 (2026-11-30, the last commit before the round-3 work, which added `relay_txs.replaced` and
`relay_leases.fence`), on SQLite and on PostgreSQL. Copied, not generated, so that a later change
to today's tables cannot change what "the previous release's database" is."""

SQLITE = """
CREATE TABLE index_blocks (
    deployment VARCHAR(80) NOT NULL,
    number BIGINT NOT NULL,
    hash VARCHAR(66) NOT NULL,
    PRIMARY KEY (deployment, number)
);
CREATE TABLE index_events (
    deployment VARCHAR(80) NOT NULL,
    block BIGINT NOT NULL,
    log_index INTEGER NOT NULL,
    tx VARCHAR(66) NOT NULL,
    contract VARCHAR(40) NOT NULL,
    address VARCHAR(42) NOT NULL,
    name VARCHAR(64) NOT NULL,
    args TEXT NOT NULL,
    timestamp BIGINT NOT NULL,
    topic1 VARCHAR(80),
    topic2 VARCHAR(80),
    topic3 VARCHAR(80),
    PRIMARY KEY (deployment, block, log_index)
);
CREATE INDEX ix_index_events_name ON index_events (deployment, name, block, log_index);
CREATE INDEX ix_index_events_name_topic1 ON index_events (deployment, name, topic1, block, log_index);
CREATE INDEX ix_index_events_name_topic2 ON index_events (deployment, name, topic2, block, log_index);
CREATE INDEX ix_index_events_name_topic3 ON index_events (deployment, name, topic3, block, log_index);
CREATE TABLE index_features (
    deployment VARCHAR(80) NOT NULL,
    feature VARCHAR(40) NOT NULL,
    PRIMARY KEY (deployment, feature)
);
CREATE TABLE index_reorgs (
    id INTEGER NOT NULL,
    deployment VARCHAR(80) NOT NULL,
    fork_block BIGINT NOT NULL,
    old_block BIGINT NOT NULL,
    removed_events BIGINT NOT NULL,
    found_at FLOAT NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE index_state (
    deployment VARCHAR(80) NOT NULL,
    chain_id BIGINT NOT NULL,
    start_block BIGINT NOT NULL,
    block BIGINT NOT NULL,
    hash VARCHAR(66),
    events BIGINT NOT NULL,
    updated_at FLOAT NOT NULL,
    PRIMARY KEY (deployment)
);
CREATE TABLE index_tips (
    deployment VARCHAR(80) NOT NULL,
    creator VARCHAR(42) NOT NULL,
    block BIGINT NOT NULL,
    log_index INTEGER NOT NULL,
    token VARCHAR(42) NOT NULL,
    fan VARCHAR(42) NOT NULL,
    gift_id VARCHAR(78) NOT NULL,
    amount VARCHAR(78) NOT NULL,
    fee VARCHAR(78) NOT NULL,
    address VARCHAR(42) NOT NULL,
    tx VARCHAR(66) NOT NULL,
    timestamp BIGINT NOT NULL,
    args TEXT NOT NULL,
    PRIMARY KEY (deployment, creator, block, log_index)
)
 WITHOUT ROWID;
CREATE TABLE relay_leases (
    sender VARCHAR(42) NOT NULL,
    chain_id BIGINT NOT NULL,
    holder VARCHAR(200) NOT NULL,
    expires_at FLOAT NOT NULL,
    PRIMARY KEY (sender, chain_id)
);
CREATE TABLE relay_tips (
    id VARCHAR(66) NOT NULL,
    deployment VARCHAR(80) NOT NULL,
    fan VARCHAR(42) NOT NULL,
    creator VARCHAR(42) NOT NULL,
    token VARCHAR(42) NOT NULL,
    amount VARCHAR(78) NOT NULL,
    nonce VARCHAR(78) NOT NULL,
    deadline VARCHAR(78) NOT NULL,
    expires_at BIGINT NOT NULL,
    message TEXT NOT NULL,
    r VARCHAR(66) NOT NULL,
    vs VARCHAR(66) NOT NULL,
    permit TEXT,
    status VARCHAR(12) NOT NULL,
    reason TEXT,
    batch_id INTEGER,
    position INTEGER,
    tx VARCHAR(66),
    block BIGINT,
    log_index INTEGER,
    accepted_at FLOAT NOT NULL,
    updated_at FLOAT NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_relay_tips_fan_nonce UNIQUE (deployment, fan, nonce)
);
CREATE INDEX ix_relay_tips_batch ON relay_tips (batch_id);
CREATE INDEX ix_relay_tips_fan ON relay_tips (deployment, fan, accepted_at);
CREATE INDEX ix_relay_tips_status ON relay_tips (deployment, status, accepted_at);
CREATE TABLE relay_txs (
    id INTEGER NOT NULL,
    deployment VARCHAR(80) NOT NULL,
    kind VARCHAR(12) NOT NULL,
    token VARCHAR(42) NOT NULL,
    sender VARCHAR(42) NOT NULL,
    account_nonce BIGINT NOT NULL,
    tx_hash VARCHAR(66) NOT NULL,
    raw TEXT NOT NULL,
    status VARCHAR(12) NOT NULL,
    items INTEGER NOT NULL,
    tip_id VARCHAR(66),
    block BIGINT,
    gas_used BIGINT,
    created_at FLOAT NOT NULL,
    updated_at FLOAT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (tx_hash)
);
CREATE INDEX ix_relay_txs_status ON relay_txs (deployment, sender, status);
"""

POSTGRESQL = """
CREATE TABLE index_blocks (
    deployment VARCHAR(80) NOT NULL,
    number BIGINT NOT NULL,
    hash VARCHAR(66) NOT NULL,
    PRIMARY KEY (deployment, number)
);
CREATE TABLE index_events (
    deployment VARCHAR(80) NOT NULL,
    block BIGINT NOT NULL,
    log_index INTEGER NOT NULL,
    tx VARCHAR(66) NOT NULL,
    contract VARCHAR(40) NOT NULL,
    address VARCHAR(42) NOT NULL,
    name VARCHAR(64) NOT NULL,
    args TEXT NOT NULL,
    timestamp BIGINT NOT NULL,
    topic1 VARCHAR(80),
    topic2 VARCHAR(80),
    topic3 VARCHAR(80),
    PRIMARY KEY (deployment, block, log_index)
);
CREATE INDEX ix_index_events_name ON index_events (deployment, name, block, log_index);
CREATE INDEX ix_index_events_name_topic1 ON index_events (deployment, name, topic1, block, log_index);
CREATE INDEX ix_index_events_name_topic2 ON index_events (deployment, name, topic2, block, log_index);
CREATE INDEX ix_index_events_name_topic3 ON index_events (deployment, name, topic3, block, log_index);
CREATE TABLE index_features (
    deployment VARCHAR(80) NOT NULL,
    feature VARCHAR(40) NOT NULL,
    PRIMARY KEY (deployment, feature)
);
CREATE TABLE index_reorgs (
    id SERIAL NOT NULL,
    deployment VARCHAR(80) NOT NULL,
    fork_block BIGINT NOT NULL,
    old_block BIGINT NOT NULL,
    removed_events BIGINT NOT NULL,
    found_at FLOAT NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE index_state (
    deployment VARCHAR(80) NOT NULL,
    chain_id BIGINT NOT NULL,
    start_block BIGINT NOT NULL,
    block BIGINT NOT NULL,
    hash VARCHAR(66),
    events BIGINT NOT NULL,
    updated_at FLOAT NOT NULL,
    PRIMARY KEY (deployment)
);
CREATE TABLE index_tips (
    deployment VARCHAR(80) NOT NULL,
    creator VARCHAR(42) NOT NULL,
    block BIGINT NOT NULL,
    log_index INTEGER NOT NULL,
    token VARCHAR(42) NOT NULL,
    fan VARCHAR(42) NOT NULL,
    gift_id VARCHAR(78) NOT NULL,
    amount VARCHAR(78) NOT NULL,
    fee VARCHAR(78) NOT NULL,
    address VARCHAR(42) NOT NULL,
    tx VARCHAR(66) NOT NULL,
    timestamp BIGINT NOT NULL,
    args TEXT NOT NULL,
    PRIMARY KEY (deployment, creator, block, log_index)
);
CREATE TABLE relay_leases (
    sender VARCHAR(42) NOT NULL,
    chain_id BIGINT NOT NULL,
    holder VARCHAR(200) NOT NULL,
    expires_at FLOAT NOT NULL,
    PRIMARY KEY (sender, chain_id)
);
CREATE TABLE relay_tips (
    id VARCHAR(66) NOT NULL,
    deployment VARCHAR(80) NOT NULL,
    fan VARCHAR(42) NOT NULL,
    creator VARCHAR(42) NOT NULL,
    token VARCHAR(42) NOT NULL,
    amount VARCHAR(78) NOT NULL,
    nonce VARCHAR(78) NOT NULL,
    deadline VARCHAR(78) NOT NULL,
    expires_at BIGINT NOT NULL,
    message TEXT NOT NULL,
    r VARCHAR(66) NOT NULL,
    vs VARCHAR(66) NOT NULL,
    permit TEXT,
    status VARCHAR(12) NOT NULL,
    reason TEXT,
    batch_id INTEGER,
    position INTEGER,
    tx VARCHAR(66),
    block BIGINT,
    log_index INTEGER,
    accepted_at FLOAT NOT NULL,
    updated_at FLOAT NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_relay_tips_fan_nonce UNIQUE (deployment, fan, nonce)
);
CREATE INDEX ix_relay_tips_batch ON relay_tips (batch_id);
CREATE INDEX ix_relay_tips_fan ON relay_tips (deployment, fan, accepted_at);
CREATE INDEX ix_relay_tips_status ON relay_tips (deployment, status, accepted_at);
CREATE TABLE relay_txs (
    id SERIAL NOT NULL,
    deployment VARCHAR(80) NOT NULL,
    kind VARCHAR(12) NOT NULL,
    token VARCHAR(42) NOT NULL,
    sender VARCHAR(42) NOT NULL,
    account_nonce BIGINT NOT NULL,
    tx_hash VARCHAR(66) NOT NULL,
    raw TEXT NOT NULL,
    status VARCHAR(12) NOT NULL,
    items INTEGER NOT NULL,
    tip_id VARCHAR(66),
    block BIGINT,
    gas_used BIGINT,
    created_at FLOAT NOT NULL,
    updated_at FLOAT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (tx_hash)
);
CREATE INDEX ix_relay_txs_status ON relay_txs (deployment, sender, status);
"""


def statements(dialect: str) -> list[str]:
    """The DDL statements for `dialect` ("sqlite" or "postgresql"), one per item."""
    text = SQLITE if dialect == "sqlite" else POSTGRESQL
    return [s.strip() for s in text.split(";") if s.strip()]
