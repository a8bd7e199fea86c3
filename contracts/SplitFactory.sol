// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {RevenueSplit, SPLIT_MAX_PAYEES, SPLIT_TOTAL_BPS} from "./RevenueSplit.sol";
import {ISplitFactory} from "./interfaces/ISplitFactory.sol";

/// @title SplitFactory
/// @notice Deploys `RevenueSplit`s cheaply: each split is a minimal clone of one implementation,
/// with its payees and shares validated here and stored in the clone's bytecode (immutable
/// arguments), so a split is created, complete and unchangeable in a single transaction. It
/// validates with RevenueSplit's own constants (`SPLIT_MAX_PAYEES`, `SPLIT_TOTAL_BPS`).
contract SplitFactory is ISplitFactory {
    /// @inheritdoc ISplitFactory
    address public immutable implementation;

    constructor() {
        implementation = address(new RevenueSplit());
    }

    /// @inheritdoc ISplitFactory
    function createSplit(address[] calldata payees, uint16[] calldata sharesBps) external returns (address split) {
        split = Clones.cloneWithImmutableArgs(implementation, _encode(payees, sharesBps));
        emit SplitCreated(split, msg.sender, payees, sharesBps);
    }

    /// @inheritdoc ISplitFactory
    function createSplitDeterministic(address[] calldata payees, uint16[] calldata sharesBps, bytes32 salt)
        external
        returns (address split)
    {
        split = Clones.cloneDeterministicWithImmutableArgs(implementation, _encode(payees, sharesBps), salt);
        emit SplitCreated(split, msg.sender, payees, sharesBps);
    }

    /// @inheritdoc ISplitFactory
    function predictSplit(address[] calldata payees, uint16[] calldata sharesBps, bytes32 salt)
        external
        view
        returns (address)
    {
        return Clones.predictDeterministicAddressWithImmutableArgs(implementation, _encode(payees, sharesBps), salt);
    }

    /// @dev Validate and pack, in RevenueSplit's clone-argument layout: per payee, its 20-byte
    /// address then its uint16 share (`RevenueSplit.ARGS_ENTRY_SIZE` bytes).
    function _encode(address[] calldata payees, uint16[] calldata sharesBps) private pure returns (bytes memory args) {
        uint256 n = payees.length;
        if (n == 0 || n > SPLIT_MAX_PAYEES) revert InvalidPayeeCount(n);
        if (sharesBps.length != n) revert LengthMismatch(n, sharesBps.length);
        uint256 sum = 0;
        for (uint256 i; i < n; ++i) {
            address payee = payees[i];
            if (payee == address(0)) revert ZeroPayee(i);
            if (sharesBps[i] == 0) revert ZeroShare(payee);
            for (uint256 j; j < i; ++j) {
                if (payees[j] == payee) revert DuplicatePayee(payee);
            }
            sum += sharesBps[i];
            args = bytes.concat(args, abi.encodePacked(payee, sharesBps[i]));
        }
        if (sum != SPLIT_TOTAL_BPS) revert SharesSumMismatch(sum);
    }
}
