"""The gasless tip relayer: fans sign the jar's EIP-712 `Tip`, the relayer pays the gas.

from fairgift.relayer import Relayer, RelayerConfig, Rejected
"""

from fairgift.relayer.policy import RelayerConfig
from fairgift.relayer.relayer import Relayer
from fairgift.relayer.signed_tip import Rejected, SignedTip

__all__ = ["Rejected", "Relayer", "RelayerConfig", "SignedTip"]
