// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A deliberately BROKEN fee primitive (a mutant), for the assurance tests only; never
/// deploy it. It has FeeHarness's interface and announces every increase exactly as the real
/// primitive does (`FeeChangeScheduled` with `effectiveAt = block.timestamp + 7 days`), but puts
/// the increase in force one second early, at `effectiveAt - 1`. The property tests' independent
/// fee check (tests/assurance/machinery.py, `FeeWatch`) must reject it.
contract EarlyRiseFeeHarness {
    uint16 public constant MAX_FEE_BPS = 1000;
    uint64 public constant FEE_CHANGE_DELAY = 7 days;

    event FeeChangeScheduled(uint16 oldBps, uint16 newBps, uint64 effectiveAt);
    event FeeChanged(uint16 oldBps, uint16 newBps);
    event FeeChangeCancelled(uint16 bps);

    error FeeAboveCap(uint16 bps, uint16 cap);
    error NoPendingFee();

    uint16 private _bps;
    uint16 private _pendingBps;
    uint64 private _effectiveAt; // 0 when nothing is pending

    constructor(uint16 initialBps) {
        if (initialBps > MAX_FEE_BPS) revert FeeAboveCap(initialBps, MAX_FEE_BPS);
        _bps = initialBps;
    }

    function feeBps() public view returns (uint16) {
        return _matured() ? _pendingBps : _bps;
    }

    function pendingFee() public view returns (uint16 bps, uint64 effectiveAt) {
        if (_effectiveAt != 0 && !_matured()) return (_pendingBps, _effectiveAt);
        return (0, 0);
    }

    function scheduleFee(uint16 bps) external {
        if (bps > MAX_FEE_BPS) revert FeeAboveCap(bps, MAX_FEE_BPS);
        uint16 oldBps = feeBps();
        if (bps <= oldBps) {
            (_bps, _pendingBps, _effectiveAt) = (bps, 0, 0);
            emit FeeChanged(oldBps, bps);
            return;
        }
        uint64 effectiveAt = uint64(block.timestamp) + FEE_CHANGE_DELAY;
        (_bps, _pendingBps, _effectiveAt) = (oldBps, bps, effectiveAt);
        emit FeeChangeScheduled(oldBps, bps, effectiveAt);
    }

    function cancelFee() external {
        (uint16 bps, uint64 effectiveAt) = pendingFee();
        if (effectiveAt == 0) revert NoPendingFee();
        (_pendingBps, _effectiveAt) = (0, 0);
        emit FeeChangeCancelled(bps);
    }

    /// @dev THE MUTATION: the real primitive tests `block.timestamp >= _effectiveAt`.
    function _matured() private view returns (bool) {
        return _effectiveAt != 0 && block.timestamp + 1 >= _effectiveAt;
    }
}
