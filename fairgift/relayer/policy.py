"""The relayer's batching and abuse limits (every field has a `serve` option)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RelayerConfig:
    """Batching and abuse limits (every field has a `serve` option)."""

    batch_size: int = 50  # a batch goes out when this many tips wait...
    batch_wait: float = 2.0  # ...or when the oldest has waited this long (seconds)
    max_queue: int = 10_000  # queued tips beyond which new ones get 503 "relayer busy"
    max_message_bytes: int = 280  # the relayer pays the calldata of every message
    fan_rate: int = 30  # tips a fan may submit per `rate_window` seconds
    rate_window: float = 60.0
    min_validity: int = 60  # seconds a tip's deadline must still have when it is accepted
    submit_margin: int = 15  # ...and when it is submitted (else skipped without paying gas)
    receipt_timeout: float = 120.0  # wait this long for a receipt before reconciling later
    rebroadcast_after: float = 30.0  # resend an open transaction's bytes after this long
    max_attempts: int = 3  # reverted batches before a tip is skipped
    gas_margin: float = 1.25  # gas limit = estimate * margin
    poll_interval: float = 0.05  # receipt polling (seconds)
