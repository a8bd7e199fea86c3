// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title CloneArgs
/// @notice The one reader of the immutable arguments of FairGift's clones (creator tokens, revenue
/// splits), read in place from the clone's code: no copy of the whole argument block to memory.
/// @dev A clone made by OpenZeppelin `Clones.cloneWithImmutableArgs` (or its deterministic variant)
/// is 0x2d bytes of ERC-1167 proxy code followed by the arguments, verbatim:
///
///     [0x00..0x2c]  ERC-1167 proxy code (delegates every call to the implementation)
///     [0x2d..]      arguments, as packed by the deployer
///
/// A creator token's argument is its creator (20 bytes); a split's are its payees and shares
/// (`RevenueSplit`'s notes give their layout).
library CloneArgs {
    /// @dev Where the arguments start in a clone's code.
    uint256 internal constant OFFSET = 0x2d;

    /// @notice The length in bytes of `clone`'s arguments (0 if its code is not longer than a bare clone).
    function length(address clone) internal view returns (uint256 len) {
        uint256 size = clone.code.length;
        if (size > OFFSET) len = size - OFFSET;
    }

    /// @notice The 32 bytes of `clone`'s arguments from byte `at` on, zero past the end of its code.
    function word(address clone, uint256 at) internal view returns (uint256 value) {
        assembly ("memory-safe") {
            extcodecopy(clone, 0x00, add(OFFSET, at), 0x20) // scratch space: no allocation
            value := mload(0x00)
        }
    }

    /// @notice The address argument of a clone made with exactly one 20-byte argument, or zero if
    /// `clone`'s code has any other size (an account with no code, another contract, another clone).
    function addressArg(address clone) internal view returns (address arg) {
        if (clone.code.length != OFFSET + 20) return address(0);
        return address(uint160(word(clone, 0) >> 96));
    }
}
