// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title RevenueSplit
/// @notice An immutable split of every token it receives between up to 32 payees, by shares in
/// basis points summing to 10,000, paid by pull: anyone may `release(token, payee)` a payee's due,
/// which is always sent to that payee. One payee's failure (e.g. a blacklisted address) never
/// blocks another's release.
/// @dev Deployed only as a clone by `SplitFactory`, which validates the shares and writes them into
/// the clone's own bytecode as immutable arguments (22 bytes per payee: address, uint16 bps). There
/// is no initializer to call or front-run and no storage write at deployment: the shares cannot
/// change because code cannot change. The implementation contract itself holds no shares.
///
/// Accounting, per token: `entitled(payee) = floor((balance + totalReleased) * bps / 10_000)`, and
/// `releasable = entitled - released[payee]`. Entitlements only grow (a release moves value from
/// `balance` to `totalReleased`), their sum never exceeds what the split received, and each payee's
/// cumulative receipts are below the exact pro-rata amount by less than 1 base unit at any time
/// (the rounding does not accumulate across releases); the unallocated dust, at most
/// `payees - 1` base units, stays in the split and is paid out as more arrives.
contract RevenueSplit is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint16 public constant TOTAL_BPS = 10_000;
    uint256 public constant MAX_PAYEES = 32;
    uint256 private constant _ENTRY = 22; // bytes per payee in the clone's arguments

    address private immutable _implementation;

    mapping(address token => uint256) public totalReleased;
    mapping(address token => mapping(address payee => uint256)) public released;

    /// @notice `amount` of `token` was sent to `payee`.
    event Released(address indexed token, address indexed payee, uint256 amount);

    error NotAClone();
    error NotPayee(address account);
    error NothingToRelease(address token, address payee);

    constructor() {
        _implementation = address(this);
    }

    /// @notice The payees, in the order given at creation.
    function payees() external view returns (address[] memory list) {
        bytes memory args = _args();
        uint256 n = args.length / _ENTRY;
        list = new address[](n);
        for (uint256 i; i < n; ++i) {
            (list[i],) = _entry(args, i);
        }
    }

    /// @notice Each payee's share in basis points, in the order of `payees()`.
    function shares() external view returns (uint16[] memory list) {
        bytes memory args = _args();
        uint256 n = args.length / _ENTRY;
        list = new uint16[](n);
        for (uint256 i; i < n; ++i) {
            (, list[i]) = _entry(args, i);
        }
    }

    /// @notice `account`'s share in basis points (0 if it is not a payee).
    function shareOf(address account) public view returns (uint16) {
        bytes memory args = _args();
        uint256 n = args.length / _ENTRY;
        for (uint256 i; i < n; ++i) {
            (address payee, uint16 bps) = _entry(args, i);
            if (payee == account) return bps;
        }
        return 0;
    }

    /// @notice What `release(token, payee)` would send now.
    function releasable(address token, address payee) public view returns (uint256) {
        uint16 bps = shareOf(payee);
        if (bps == 0) return 0;
        return _releasable(token, payee, bps);
    }

    /// @notice Send `payee` its due in `token`; anyone may call it. Reverts `NothingToRelease` if none.
    /// @return amount what was sent.
    function release(address token, address payee) external nonReentrant returns (uint256 amount) {
        uint16 bps = shareOf(payee);
        if (bps == 0) revert NotPayee(payee);
        amount = _releasable(token, payee, bps);
        // slither-disable-next-line incorrect-equality (exactly zero due is the "nothing to release" case)
        if (amount == 0) revert NothingToRelease(token, payee);
        totalReleased[token] += amount;
        released[token][payee] += amount;
        emit Released(token, payee, amount);
        IERC20(token).safeTransfer(payee, amount);
    }

    function _releasable(address token, address payee, uint16 bps) private view returns (uint256) {
        uint256 received = IERC20(token).balanceOf(address(this)) + totalReleased[token];
        return Math.mulDiv(received, bps, TOTAL_BPS) - released[token][payee];
    }

    function _args() private view returns (bytes memory) {
        if (address(this) == _implementation) revert NotAClone();
        return Clones.fetchCloneArgs(address(this));
    }

    function _entry(bytes memory args, uint256 i) private pure returns (address payee, uint16 bps) {
        uint256 word;
        assembly ("memory-safe") {
            word := mload(add(add(args, 0x20), mul(i, _ENTRY)))
        }
        payee = address(uint160(word >> 96));
        bps = uint16(word >> 80);
    }
}
