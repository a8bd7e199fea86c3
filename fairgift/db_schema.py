"""Versions of the services' tables, and the upgrade of a database written by an earlier FairGift.

Each owner of tables (the index, the relayer) declares a `Schema`: its `sa.MetaData` as the code
uses it today, and `upgrades`, the explicit steps from each earlier version to the next
(`upgrades[0]` brings version 1 to 2, and so on; the version is 1 + the number of steps).
`open_schema(conn, schema)`, inside the one write transaction of `Database.create`, then:

- records each owner's version in `fairgift_schema` (created here when missing);
- on a database with no version recorded for the owner but with some of its tables, takes them as
  version 1: the release before versions were recorded (commit b96ab12, 2026-11-30);
- runs the steps from the recorded version to the code's, then creates the tables that do not exist
  yet (a new table needs no step), and records the new version, so the steps run once;
- refuses a database whose recorded version is newer than the code's (`SchemaTooNew`: the code
  would misread the tables it does not know), without touching it.

Steps check what is there before changing it (a column already added is left alone), so a
database written between two releases upgrades too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa

from fairgift.errors import FairGiftError

LEGACY_VERSION = 1  # tables found without a recorded version: the release before versions existed

versions_metadata = sa.MetaData()
fairgift_schema = sa.Table(
    "fairgift_schema",
    versions_metadata,
    sa.Column("owner", sa.String(40), primary_key=True),  # "index", "relayer"
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)


class SchemaTooNew(FairGiftError):
    """The database was written by a newer FairGift than this one."""


@dataclass(frozen=True)
class AddColumn:
    """`ALTER TABLE … ADD COLUMN`, typed and constrained as the column is declared in `table`;
    `default`: the value the existing rows get (SQL text; required for a NOT NULL column)."""

    table: sa.Table
    column: str
    default: str | None = None

    def apply(self, conn: sa.Connection) -> None:
        inspector = sa.inspect(conn)
        if not inspector.has_table(self.table.name):
            return  # created whole, as declared, after the steps
        if self.column in {c["name"] for c in inspector.get_columns(self.table.name)}:
            return
        col = self.table.c[self.column]
        if not col.nullable and self.default is None:
            raise ValueError(f"{self.table.name}.{self.column} is NOT NULL: its upgrade needs a default")
        quote = conn.dialect.identifier_preparer.quote
        ddl = (
            f"ALTER TABLE {quote(self.table.name)} ADD COLUMN {quote(col.name)} "
            f"{col.type.compile(dialect=conn.dialect)}"
        )
        if self.default is not None:
            ddl += f" DEFAULT {self.default}"
        if not col.nullable:
            ddl += " NOT NULL"
        conn.exec_driver_sql(ddl)


@dataclass(frozen=True)
class AddIndex:
    """`CREATE INDEX` of an index declared on a table that already exists (`create_all` only
    creates the indexes of the tables it creates)."""

    index: sa.Index

    def apply(self, conn: sa.Connection) -> None:
        inspector = sa.inspect(conn)
        name = self.index.table.name
        if inspector.has_table(name) and self.index.name not in {
            i["name"] for i in inspector.get_indexes(name)
        }:
            self.index.create(conn)


@dataclass(frozen=True)
class Schema:
    """An owner's tables as the code uses them, and the steps from each earlier version."""

    owner: str
    metadata: sa.MetaData
    upgrades: tuple[tuple[AddColumn | AddIndex, ...], ...] = ()

    @property
    def version(self) -> int:
        return LEGACY_VERSION + len(self.upgrades)


def recorded_version(conn: sa.Connection, schema: Schema) -> tuple[int | None, bool]:
    """The version of `schema`'s owner's tables in the database (None when it has none of them),
    and whether that version is recorded (False: found by the tables alone)."""
    inspector = sa.inspect(conn)
    if inspector.has_table(fairgift_schema.name):
        row = conn.execute(
            sa.select(fairgift_schema.c.version).where(fairgift_schema.c.owner == schema.owner)
        ).first()
        if row is not None:
            return int(row.version), True
    if any(inspector.has_table(name) for name in schema.metadata.tables):
        return LEGACY_VERSION, False
    return None, False


def open_schema(conn: sa.Connection, schema: Schema) -> int | None:
    """Create `schema`'s tables, or bring them up to `schema.version`, in the caller's transaction
    (it holds the lock that keeps other processes out). Returns the version found (None: none of
    its tables were there)."""
    found, recorded = recorded_version(conn, schema)
    if found is not None and found > schema.version:
        raise SchemaTooNew(
            f"this database's {schema.owner} tables are at schema version {found}, written by a newer "
            f"FairGift than this one (which knows up to version {schema.version}): run that FairGift "
            "or a later one on it, or point --db at another database"
        )
    for version in range(found or schema.version, schema.version):
        for step in schema.upgrades[version - LEGACY_VERSION]:
            step.apply(conn)
    schema.metadata.create_all(conn)
    if not recorded or found != schema.version:
        versions_metadata.create_all(conn)
        row = {"version": schema.version, "updated_at": time.time()}
        if recorded:
            conn.execute(
                fairgift_schema.update().where(fairgift_schema.c.owner == schema.owner).values(**row)
            )
        else:
            conn.execute(fairgift_schema.insert().values(owner=schema.owner, **row))
    return found
