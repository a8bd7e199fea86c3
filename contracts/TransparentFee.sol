// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FeeSchedule} from "./libraries/FeeSchedule.sol";
import {ITransparentFee} from "./interfaces/ITransparentFee.sol";

/// @title TransparentFee
/// @notice One fee of a contract, public and bounded: capped by a constant (`_feeCap`), lowered at
/// once, raised only after `_feeChangeDelay`, every change on the record as an event.
/// @dev The inheriting contract names the external functions (e.g. `scheduleFee`) and decides who
/// controls them; this contract keeps the state, emits the events, and calls `_afterFeeChange`
/// after every change, so a contract that keeps copies of the fee (the jar's per-token mirror)
/// refreshes them on every path, including paths added later.
abstract contract TransparentFee is ITransparentFee {
    using FeeSchedule for FeeSchedule.Fee;

    FeeSchedule.Fee internal _fee;

    constructor(uint16 initialBps) {
        _fee.init(initialBps, _feeCap());
    }

    /// @dev The constant cap, e.g. `return MAX_FEE_BPS;`.
    function _feeCap() internal pure virtual returns (uint16);

    /// @dev The constant delay for increases, e.g. `return FEE_CHANGE_DELAY;`.
    function _feeChangeDelay() internal pure virtual returns (uint64);

    /// @dev Called after every change of `_fee` (schedule, decrease, cancel). Empty by default.
    function _afterFeeChange() internal virtual {}

    function _currentFee() internal view returns (uint16) {
        return _fee.current();
    }

    function _pendingFee() internal view returns (uint16 bps, uint64 effectiveAt) {
        return _fee.pending();
    }

    function _scheduleFee(uint16 bps) internal {
        (FeeSchedule.Change change, uint16 oldBps, uint64 effectiveAt) =
            _fee.schedule(bps, _feeCap(), _feeChangeDelay());
        if (change == FeeSchedule.Change.Applied) emit FeeChanged(oldBps, bps);
        else emit FeeChangeScheduled(oldBps, bps, effectiveAt);
        _afterFeeChange();
    }

    function _cancelFee() internal {
        emit FeeChangeCancelled(_fee.cancel());
        _afterFeeChange();
    }
}
