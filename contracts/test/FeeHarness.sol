// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FeeSchedule} from "../libraries/FeeSchedule.sol";
import {TransparentFee} from "../TransparentFee.sol";

/// @notice Test harness exposing the transparent-fee primitive with a single controller.
contract FeeHarness is TransparentFee {
    uint16 public constant MAX_FEE_BPS = 1000;
    uint64 public constant FEE_CHANGE_DELAY = 7 days;

    address public immutable controller;

    error NotController(address caller);

    constructor(address controller_, uint16 initialBps) TransparentFee(initialBps) {
        controller = controller_;
    }

    function _feeCap() internal pure override returns (uint16) {
        return MAX_FEE_BPS;
    }

    function _feeChangeDelay() internal pure override returns (uint64) {
        return FEE_CHANGE_DELAY;
    }

    function feeBps() external view returns (uint16) {
        return _currentFee();
    }

    function pendingFee() external view returns (uint16 bps, uint64 effectiveAt) {
        return _pendingFee();
    }

    function scheduleFee(uint16 bps) external {
        if (msg.sender != controller) revert NotController(msg.sender);
        _scheduleFee(bps);
    }

    function cancelFee() external {
        if (msg.sender != controller) revert NotController(msg.sender);
        _cancelFee();
    }

    /// @notice Split `amount` with the fee in force.
    function split(uint256 amount) external view returns (uint256 fee, uint256 net) {
        return FeeSchedule.split(amount, _currentFee());
    }

    /// @notice Split with an explicit fee, to test the arithmetic at any bps.
    function splitAt(uint256 amount, uint16 bps) external pure returns (uint256 fee, uint256 net) {
        if (bps > 10_000) revert FeeAboveCap(bps, 10_000);
        return FeeSchedule.split(amount, bps);
    }

    /// @notice The fee as FeeSchedule packs it (what the jar mirrors per token).
    function packedFee() external view returns (uint96) {
        return FeeSchedule.packed(_fee);
    }

    /// @notice The fee in force, read back from a packed copy.
    function currentOf(uint96 value) external view returns (uint16) {
        return FeeSchedule.currentOf(value);
    }

    /// @notice How many times `_afterFeeChange` ran (the hook of every fee change).
    uint256 public feeChanges;

    function _afterFeeChange() internal override {
        ++feeChanges;
    }
}
