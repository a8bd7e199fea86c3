// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {CloneArgs} from "./libraries/CloneArgs.sol";
import {IPayouts} from "./interfaces/IPayouts.sol";
import {IRevenueSplit} from "./interfaces/IRevenueSplit.sol";

// The split's numbers, at file level so that SplitFactory validates with these very constants
// (a contract's constants cannot be read through its type from another contract).
/// @dev The sum of all shares, in basis points.
uint16 constant SPLIT_TOTAL_BPS = 10_000;
/// @dev The most payees a split can have.
uint256 constant SPLIT_MAX_PAYEES = 32;
/// @dev Bytes per payee in a split clone's arguments: a 20-byte address and a 2-byte share.
uint256 constant SPLIT_ARGS_ENTRY_SIZE = 22;

/// @title RevenueSplit
/// @notice An immutable split of every token it receives between up to 32 payees, by shares in
/// basis points summing to 10,000, paid by pull: anyone may `release(token, payee)` a payee's due,
/// which is always sent to `payoutOf(payee)`: the payee itself, or the address the payee (and only
/// it) set with `setPayout`, so a payee whose address can no longer receive the token (e.g. a
/// blacklisted one) still reaches its money. One payee's failure never blocks another's release.
/// @dev Deployed only as a clone by `SplitFactory`, which validates the shares and writes them into
/// the clone's own bytecode as immutable arguments. There is no initializer to call or front-run
/// and no storage write at deployment: the shares cannot change because code cannot change. The
/// implementation contract itself holds no shares.
///
/// Clone arguments (read by `CloneArgs`), one `ARGS_ENTRY_SIZE`-byte entry per payee, in the
/// order given at creation, packed:
///
///     entry i, at byte 22 * i of the arguments:
///     [0..19]   payee   address
///     [20..21]  bps     uint16, big-endian
///
/// Accounting, per token: `entitled(payee) = floor((balance + totalReleased) * bps / 10_000)`, and
/// `releasable = entitled - released[payee]`. Entitlements only grow (a release moves value from
/// `balance` to `totalReleased`), their sum never exceeds what the split received, and each payee's
/// cumulative receipts are below the exact pro-rata amount by less than 1 base unit at any time
/// (the rounding does not accumulate across releases); the unallocated dust, at most
/// `payees - 1` base units, stays in the split and is paid out as more arrives. A payout is never
/// the split itself (`InvalidPayout`): a release to itself would leave its balance unchanged while
/// counting the amount as released, i.e. pay out money twice.
contract RevenueSplit is IRevenueSplit, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IRevenueSplit
    uint16 public constant TOTAL_BPS = SPLIT_TOTAL_BPS;
    /// @inheritdoc IRevenueSplit
    uint256 public constant MAX_PAYEES = SPLIT_MAX_PAYEES;
    /// @notice Bytes per payee in the clone's arguments: a 20-byte address and a 2-byte share.
    uint256 public constant ARGS_ENTRY_SIZE = SPLIT_ARGS_ENTRY_SIZE;

    address private immutable _implementation;

    /// @inheritdoc IRevenueSplit
    mapping(address token => uint256) public totalReleased;
    /// @inheritdoc IRevenueSplit
    mapping(address token => mapping(address payee => uint256)) public released;
    /// @dev A payee's payout; zero means the payee itself.
    mapping(address payee => address) private _payouts;

    constructor() {
        _implementation = address(this);
    }

    /// @dev OpenZeppelin's `nonReentrant` (its transient slot, its error), written out in place for
    /// `release`, the split's hot path: about 150 gas less than the modifier's chain of calls.
    modifier nonReentrantRelease() {
        bytes32 slot = _reentrancyGuardStorageSlot();
        bytes4 reentered = ReentrancyGuardReentrantCall.selector;
        assembly ("memory-safe") {
            if tload(slot) {
                mstore(0x00, reentered)
                revert(0x00, 0x04)
            }
            tstore(slot, 1)
        }
        _;
        assembly ("memory-safe") {
            tstore(slot, 0)
        }
    }

    /// @inheritdoc IRevenueSplit
    function payees() external view returns (address[] memory list) {
        uint256 n = _count();
        list = new address[](n);
        for (uint256 i; i < n; ++i) {
            (list[i],) = _entry(i);
        }
    }

    /// @inheritdoc IRevenueSplit
    function shares() external view returns (uint16[] memory list) {
        uint256 n = _count();
        list = new uint16[](n);
        for (uint256 i; i < n; ++i) {
            (, list[i]) = _entry(i);
        }
    }

    /// @inheritdoc IRevenueSplit
    function shareOf(address account) public view returns (uint16) {
        return _shareOf(account);
    }

    /// @inheritdoc IRevenueSplit
    function releasable(address token, address payee) public view returns (uint256) {
        uint16 bps = _shareOf(payee);
        if (bps == 0) return 0;
        return _releasable(token, payee, bps);
    }

    /// @inheritdoc IRevenueSplit
    function release(address token, address payee) external nonReentrantRelease returns (uint256 amount) {
        uint16 bps = _shareOf(payee);
        if (bps == 0) revert NotPayee(payee);
        // Each counter's slot is hashed once for its read and its write.
        uint256 totalSlot = _slotOf(totalReleased, token);
        uint256 paidSlot = _slotOf(released[token], payee);
        uint256 total;
        uint256 paid;
        assembly ("memory-safe") {
            total := sload(totalSlot)
            paid := sload(paidSlot)
        }
        uint256 entitled = _entitled(_balanceOfSelf(token) + total, bps);
        // Nothing is due when equal, or below after a balance shrank without a release (a stablecoin
        // admin's wipe: see `_releasable`).
        if (entitled <= paid) revert NothingToRelease(token, payee);
        unchecked {
            amount = entitled - paid;
        }
        assembly ("memory-safe") {
            // total + amount <= what the split received, a sum checked for overflow above
            sstore(totalSlot, add(total, amount))
            sstore(paidSlot, add(paid, amount))
        }
        emit Released(token, payee, amount);
        IERC20(token).safeTransfer(payoutOf(payee), amount);
    }

    /// @inheritdoc IPayouts
    /// @dev Payees only (`NotPayee` otherwise): a payee redirects its own releases, nobody else's,
    /// and its share does not change.
    function setPayout(address payout) external {
        if (_shareOf(msg.sender) == 0) revert NotPayee(msg.sender);
        if (payout == address(this)) revert InvalidPayout(payout);
        _payouts[msg.sender] = payout;
        emit PayoutSet(msg.sender, payoutOf(msg.sender));
    }

    /// @inheritdoc IPayouts
    function payoutOf(address account) public view returns (address) {
        address payout = _payouts[account];
        return payout == address(0) ? account : payout;
    }

    function _releasable(address token, address payee, uint16 bps) private view returns (uint256) {
        uint256 received = _balanceOfSelf(token) + totalReleased[token];
        uint256 entitled = _entitled(received, bps);
        uint256 paid = released[token][payee];
        // A balance can shrink without a release (a stablecoin admin's wipe): then a payee may
        // have been paid more than its share of the smaller total, and nothing is due (as in
        // `release`), rather than an underflow that makes this view revert.
        unchecked {
            return entitled > paid ? entitled - paid : 0;
        }
    }

    /// @dev `floor(received * bps / TOTAL_BPS)`, exact for any `received`: the 512-bit path only for
    /// amounts beyond any real token (received >= 2^240).
    function _entitled(uint256 received, uint16 bps) private pure returns (uint256) {
        unchecked {
            return received >> 240 == 0 ? received * bps / TOTAL_BPS : Math.mulDiv(received, bps, TOTAL_BPS);
        }
    }

    /// @dev `token.balanceOf(address(this))` without the ABI decoder; a revert is bubbled up and a
    /// short or missing answer (e.g. no code at `token`) reverts.
    function _balanceOfSelf(address token) private view returns (uint256 held) {
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address)
            mstore(0x20, address())
            // Yul evaluates arguments right to left: the call runs before `returndatasize()`.
            if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))) {
                let fmp := mload(0x40)
                returndatacopy(fmp, 0x00, returndatasize())
                revert(fmp, returndatasize())
            }
            held := mload(0x00)
        }
    }

    /// @dev How many payees the clone's arguments hold; reverts `NotAClone` on the implementation.
    function _count() private view returns (uint256) {
        if (address(this) == _implementation) revert NotAClone();
        return CloneArgs.length(address(this)) / ARGS_ENTRY_SIZE;
    }

    /// @dev The storage slot of `map[key]` (Solidity's mapping layout: keccak256(key . slot)).
    function _slotOf(mapping(address => uint256) storage map, address key) private pure returns (uint256 slot) {
        assembly ("memory-safe") {
            mstore(0x00, key)
            mstore(0x20, map.slot)
            slot := keccak256(0x00, 0x40)
        }
    }

    /// @dev `account`'s share: a scan of the clone's arguments in place, stopping at the match or
    /// at the first zero payee, which marks the end (`CloneArgs.word` reads zeros past the code, and
    /// SplitFactory never writes a zero payee).
    function _shareOf(address account) private view returns (uint16 bps) {
        if (address(this) == _implementation) revert NotAClone();
        for (uint256 at;; at += ARGS_ENTRY_SIZE) {
            uint256 word = CloneArgs.word(address(this), at);
            address payee = address(uint160(word >> 96));
            if (payee == address(0)) return 0;
            if (payee == account) return uint16(word >> 80);
        }
    }

    /// @dev Entry `i` of the clone's arguments (layout in the contract's notes).
    function _entry(uint256 i) private view returns (address payee, uint16 bps) {
        uint256 word = CloneArgs.word(address(this), i * ARGS_ENTRY_SIZE);
        payee = address(uint160(word >> 96));
        bps = uint16(word >> 80);
    }
}
