// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {CloneArgs} from "./libraries/CloneArgs.sol";
import {CreatorToken} from "./CreatorToken.sol";
import {FeeSchedule} from "./libraries/FeeSchedule.sol";
import {TransparentFee} from "./TransparentFee.sol";
import {ICreatorMarket, ICreatorSupply} from "./interfaces/ICreatorMarket.sol";
import {IPayouts} from "./interfaces/IPayouts.sol";

/// @title CreatorMarket
/// @notice Creator social tokens on a linear bonding curve priced in a stablecoin, with capped and
/// delayed fees, slippage limits and deadlines, pull payouts, an unsnipable launch, and a reserve
/// that always buys back the whole supply.
///
/// @dev The curve. The marginal price at supply `s` (base units, 1e18 per whole token) is
/// `priceAt(s) = basePrice + slope * s / 1e18` quote units per whole token. The area under the curve
/// from 0 to `s`, in quote units, is the single exact fraction
///
///     A(s) = basePrice * s / 1e18 + slope * s^2 / 2e36 = s * (2e18 * basePrice + slope * s) / 2e36
///
/// (so the exact integral over [s0, s1] is basePrice*(s1-s0)/1e18 + slope*(s1^2 - s0^2)/2e36 =
/// A(s1) - A(s0)). We round once, up: `R(s) = ceil(A(s))`, computed with one `Math.mulDiv` (512-bit
/// intermediate, so no overflow for any supply below 2^128). A trade moving the supply between
/// s0 < s1 is worth exactly `R(s1) - R(s0)`: the buyer pays it into the reserve, the seller receives
/// it from the reserve.
///
/// Claim: `reserveOf(token) == R(supply)` at all times, and the reserve always covers selling the
/// whole supply back to zero. Proof: R(0) = 0 = the reserve at launch. A buy adds R(s1) - R(s0) and
/// a sell removes R(s0) - R(s1), so by induction the reserve is R(supply). Since basePrice, slope
/// >= 0, A and hence R are non-decreasing, so every trade value is >= 0 and never exceeds the
/// reserve (R(s0) - R(s1) <= R(s0) for a sell). Selling everything, in any number of sells and any
/// order, pays out R(supply) - R(0) = the whole reserve and leaves exactly 0. And R(s) >= A(s), so
/// the reserve is never below the exact area. Because values telescope, the curve is path
/// independent: splitting a trade in pieces, or a buy-then-sell round trip, neither gains nor loses
/// a single unit (fees aside); each value differs from the exact integral A(s1) - A(s0) by less
/// than one unit of the quote token (both ends are rounded up by less than one).
///
/// The reserve is therefore never stored: it is a function of the supply. Fees come on top of the
/// value on a buy and out of it on a sell, each `value * bps / 10_000` rounded down. They are
/// credited, never pushed: the protocol's to the treasury in force at the trade, the creator's to
/// the creator, both withdrawn to `payoutOf(account)`. The market's quote balance is always the
/// sum of the reserves plus the credited fees (for a standard ERC-20 quote token; fee-on-transfer
/// or rebasing tokens are not supported).
///
/// Gas layout: one slot per token (supply, creator's accrued fees: `Pool`), one per token for the
/// creator fee (the FeeSchedule primitive), one for the protocol's accrued fees (credited to the
/// treasury at `setTreasury` or on withdrawal), so a trade writes two market slots. The creator's
/// address is the clone's immutable argument (read by `CloneArgs`), the token's address is a
/// CREATE2 prediction from it, so a launch stores no creator/token mapping. Ownership moves in two
/// steps (`Ownable2Step`: the new owner must accept).
contract CreatorMarket is ICreatorMarket, Ownable2Step, ReentrancyGuardTransient, TransparentFee {
    using FeeSchedule for FeeSchedule.Fee;
    using SafeERC20 for IERC20;

    /// @inheritdoc ICreatorMarket
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 500;
    /// @inheritdoc ICreatorMarket
    uint16 public constant MAX_CREATOR_FEE_BPS = 1000;
    /// @inheritdoc ICreatorMarket
    uint64 public constant FEE_CHANGE_DELAY = 7 days;

    uint256 private constant _WAD = 1e18;
    uint256 private constant _AREA_DENOMINATOR = 2000000000000000000000000000000000000; // 2e36
    /// @dev Bound on basePrice and slope (2^96 quote units per token is beyond any real price), so
    /// that the area's numerator terms cannot overflow for any supply below 2^128.
    uint256 private constant _MAX_CURVE_PARAM = 2 ** 96;
    uint256 private constant _MAX_SUPPLY = 0xffffffffffffffffffffffffffffffff; // 2^128 - 1

    /// @inheritdoc ICreatorMarket
    address public immutable quoteToken;
    /// @inheritdoc ICreatorMarket
    uint256 public immutable basePrice;
    /// @inheritdoc ICreatorMarket
    uint256 public immutable slope;
    /// @inheritdoc ICreatorMarket
    address public immutable implementation;
    /// @dev 2e18 * basePrice, the constant part of the area's numerator.
    uint256 private immutable _twiceBase;

    /// @dev Per token, one slot (read and written whole by `_loadPool`/`_storePool`):
    ///
    ///     bits [0..127]    supply           the token's supply, in base units (< 2^128)
    ///     bits [128..255]  creatorAccrued   the creator's fees not yet withdrawn (< 2^128)
    struct Pool {
        uint128 supply;
        uint128 creatorAccrued;
    }

    /// @inheritdoc ICreatorMarket
    address public treasury;
    /// @dev Protocol fees accrued to the current `treasury` since it was set or last withdrew.
    uint256 private _protocolAccrued;
    mapping(address token => Pool) private _pools;
    mapping(address token => FeeSchedule.Fee) private _creatorFees;
    /// @dev Fees credited to an account outside the two accruals above (e.g. a former treasury).
    mapping(address account => uint256) private _credits;
    mapping(address account => address) private _payouts;

    /// @param owner_ administers the protocol fee and the treasury.
    /// @param quoteToken_ the stablecoin (a standard ERC-20).
    /// @param treasury_ receives the protocol fee's credits.
    /// @param protocolFeeBps_ the initial protocol fee, at most MAX_PROTOCOL_FEE_BPS.
    /// @param basePrice_ quote units per whole token at supply 0.
    /// @param slope_ quote units per whole token added per whole token of supply.
    constructor(
        address owner_,
        address quoteToken_,
        address treasury_,
        uint16 protocolFeeBps_,
        uint256 basePrice_,
        uint256 slope_
    ) Ownable(owner_) TransparentFee(protocolFeeBps_) {
        if (quoteToken_.code.length == 0) revert InvalidQuoteToken(quoteToken_);
        if (treasury_ == address(0) || treasury_ == address(this)) revert InvalidTreasury(treasury_);
        if ((basePrice_ == 0 && slope_ == 0) || basePrice_ > _MAX_CURVE_PARAM || slope_ > _MAX_CURVE_PARAM) {
            revert InvalidCurve(basePrice_, slope_);
        }
        quoteToken = quoteToken_;
        basePrice = basePrice_;
        _twiceBase = 2 * _WAD * basePrice_;
        slope = slope_;
        treasury = treasury_;
        implementation = address(new CreatorToken());
        emit TreasurySet(treasury_);
    }

    // ------------------------------------------------------------------ protocol fee (owner)

    /// @inheritdoc ICreatorMarket
    function protocolFeeBps() external view returns (uint16) {
        return _currentFee();
    }

    /// @inheritdoc ICreatorMarket
    function pendingProtocolFee() external view returns (uint16 bps, uint64 effectiveAt) {
        return _pendingFee();
    }

    /// @inheritdoc ICreatorMarket
    function scheduleProtocolFee(uint16 bps) external onlyOwner {
        _scheduleFee(bps);
    }

    /// @inheritdoc ICreatorMarket
    function cancelProtocolFee() external onlyOwner {
        _cancelFee();
    }

    /// @inheritdoc ICreatorMarket
    function setTreasury(address treasury_) external onlyOwner {
        if (treasury_ == address(0) || treasury_ == address(this)) revert InvalidTreasury(treasury_);
        uint256 accrued = _protocolAccrued;
        if (accrued != 0) {
            _credits[treasury] += accrued;
            _protocolAccrued = 0;
        }
        treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    // ------------------------------------------------------------------ creator fee (creator)

    /// @inheritdoc ICreatorMarket
    function creatorFeeBps(address token) external view returns (uint16) {
        return _creatorFees[token].current();
    }

    /// @inheritdoc ICreatorMarket
    function pendingCreatorFee(address token) external view returns (uint16 bps, uint64 effectiveAt) {
        return _creatorFees[token].pending();
    }

    /// @inheritdoc ICreatorMarket
    function scheduleCreatorFee(address token, uint16 bps) external {
        _onlyCreator(token);
        (FeeSchedule.Change change, uint16 oldBps, uint64 effectiveAt) =
            _creatorFees[token].schedule(bps, MAX_CREATOR_FEE_BPS, FEE_CHANGE_DELAY);
        if (change == FeeSchedule.Change.Applied) emit CreatorFeeChanged(token, oldBps, bps);
        else emit CreatorFeeChangeScheduled(token, oldBps, bps, effectiveAt);
    }

    /// @inheritdoc ICreatorMarket
    function cancelCreatorFee(address token) external {
        _onlyCreator(token);
        emit CreatorFeeChangeCancelled(token, _creatorFees[token].cancel());
    }

    // ------------------------------------------------------------------ launch

    /// @inheritdoc ICreatorMarket
    function launch(
        string calldata name,
        string calldata symbol,
        uint16 creatorFeeBps_,
        uint256 initialBuy,
        uint256 maxCost
    ) external nonReentrant returns (address token) {
        token = predictToken(msg.sender);
        if (token.code.length != 0) revert AlreadyLaunched(msg.sender, token);
        if (creatorFeeBps_ != 0) _creatorFees[token].init(creatorFeeBps_, MAX_CREATOR_FEE_BPS);
        // Deploys at the predicted address (same implementation, args, salt and deployer).
        token = Clones.cloneDeterministicWithImmutableArgs(
            implementation, abi.encodePacked(msg.sender), _salt(msg.sender)
        );
        // Our own freshly deployed clone (trusted code); it makes no call back.
        CreatorToken(token).initialize(name, symbol);
        emit Launched(msg.sender, token, name, symbol, creatorFeeBps_);
        if (initialBuy != 0) _buy(token, initialBuy, maxCost);
    }

    /// @inheritdoc ICreatorMarket
    function predictToken(address creator) public view returns (address) {
        return Clones.predictDeterministicAddressWithImmutableArgs(
            implementation, abi.encodePacked(creator), _salt(creator)
        );
    }

    /// @inheritdoc ICreatorMarket
    function tokenOf(address creator) external view returns (address) {
        address token = predictToken(creator);
        return token.code.length != 0 ? token : address(0);
    }

    /// @inheritdoc ICreatorMarket
    function creatorOf(address token) public view returns (address creator) {
        creator = CloneArgs.addressArg(token);
        if (creator == address(0) || predictToken(creator) != token) return address(0);
    }

    // ------------------------------------------------------------------ curve and quotes

    /// @inheritdoc ICreatorMarket
    function priceAt(uint256 supply) external view returns (uint256) {
        return basePrice + (slope * supply) / _WAD;
    }

    /// @inheritdoc ICreatorMarket
    function areaAt(uint256 supply) public view returns (uint256) {
        if (supply <= _MAX_SUPPLY) return _area(supply);
        // Beyond any reachable supply (views only): checked, may revert for huge parameters.
        return Math.mulDiv(supply, _twiceBase + slope * supply, _AREA_DENOMINATOR, Math.Rounding.Ceil);
    }

    /// @inheritdoc ICreatorSupply
    function supplyOf(address token) external view returns (uint256) {
        return _pools[token].supply;
    }

    /// @inheritdoc ICreatorMarket
    function reserveOf(address token) external view returns (uint256) {
        return areaAt(_pools[token].supply);
    }

    /// @inheritdoc ICreatorMarket
    function quoteBuy(address token, uint256 amount)
        external
        view
        returns (uint256 totalCost, uint256 protocolFee, uint256 creatorFee)
    {
        (, uint256 supply, uint256 creatorAccrued) = _loadPool(token);
        (totalCost, protocolFee, creatorFee,,) = _quoteBuy(token, supply, creatorAccrued, amount);
    }

    /// @inheritdoc ICreatorMarket
    function quoteSell(address token, uint256 amount)
        external
        view
        returns (uint256 netProceeds, uint256 protocolFee, uint256 creatorFee)
    {
        (, uint256 supply, uint256 creatorAccrued) = _loadPool(token);
        (netProceeds, protocolFee, creatorFee,,) = _quoteSell(token, supply, creatorAccrued, amount);
    }

    // ------------------------------------------------------------------ trading

    /// @inheritdoc ICreatorMarket
    function buy(address token, uint256 amount, uint256 maxCost, uint256 deadline)
        external
        nonReentrant
        returns (uint256 totalCost)
    {
        if (block.timestamp > deadline) revert DeadlinePassed(deadline);
        return _buy(token, amount, maxCost);
    }

    /// @inheritdoc ICreatorMarket
    function sell(address token, uint256 amount, uint256 minProceeds, uint256 deadline)
        external
        nonReentrant
        returns (uint256 netProceeds)
    {
        if (block.timestamp > deadline) revert DeadlinePassed(deadline);
        (uint256 slot, uint256 supply, uint256 creatorAccrued) = _loadPool(token);
        uint256 protocolFee;
        uint256 creatorFee;
        uint256 value;
        uint256 supplyAfter;
        (netProceeds, protocolFee, creatorFee, value, supplyAfter) =
            _quoteSell(token, supply, creatorAccrued, amount);
        if (netProceeds < minProceeds) revert ProceedsBelowMin(netProceeds, minProceeds);

        _storePool(slot, supplyAfter, creatorAccrued + creatorFee);
        _protocolAccrued += protocolFee;
        emit Trade(msg.sender, token, false, amount, value, protocolFee, creatorFee, supplyAfter);

        _callToken(token, CreatorToken.burn.selector, amount); // reverts if the seller holds less
        IERC20(quoteToken).safeTransfer(msg.sender, netProceeds);
    }

    // ------------------------------------------------------------------ balances and payouts

    /// @inheritdoc ICreatorMarket
    function balanceOf(address account) public view returns (uint256 balance) {
        balance = _credits[account] + _pools[predictToken(account)].creatorAccrued;
        if (account == treasury) balance += _protocolAccrued;
    }

    /// @inheritdoc IPayouts
    function payoutOf(address account) public view returns (address) {
        address payout = _payouts[account];
        return payout == address(0) ? account : payout;
    }

    /// @inheritdoc IPayouts
    function setPayout(address payout) external {
        if (payout == address(this)) revert InvalidPayout(payout);
        _payouts[msg.sender] = payout;
        emit PayoutSet(msg.sender, payoutOf(msg.sender));
    }

    /// @inheritdoc ICreatorMarket
    function withdraw() external nonReentrant returns (uint256 amount) {
        return _withdraw(msg.sender);
    }

    /// @inheritdoc ICreatorMarket
    function withdrawFor(address account) external nonReentrant returns (uint256 amount) {
        return _withdraw(account);
    }

    // ------------------------------------------------------------------ internal

    function _buy(address token, uint256 amount, uint256 maxCost) private returns (uint256 totalCost) {
        (uint256 slot, uint256 supply, uint256 creatorAccrued) = _loadPool(token);
        (uint256 cost, uint256 protocolFee, uint256 creatorFee, uint256 value, uint256 supplyAfter) =
            _quoteBuy(token, supply, creatorAccrued, amount);
        if (cost > maxCost) revert CostAboveMax(cost, maxCost);

        _storePool(slot, supplyAfter, creatorAccrued + creatorFee);
        _protocolAccrued += protocolFee;
        emit Trade(msg.sender, token, true, amount, value, protocolFee, creatorFee, supplyAfter);

        IERC20(quoteToken).safeTransferFrom(msg.sender, address(this), cost);
        _callToken(token, CreatorToken.mint.selector, amount);
        return cost;
    }

    /// @dev A buy's numbers at `supply`; reverts like `buy` would (zero amount, unknown token, overflow).
    function _quoteBuy(address token, uint256 supply, uint256 creatorAccrued, uint256 amount)
        private
        view
        returns (uint256 totalCost, uint256 protocolFee, uint256 creatorFee, uint256 value, uint256 supplyAfter)
    {
        if (amount == 0) revert ZeroAmount();
        _requireKnown(token, supply, creatorAccrued);
        supplyAfter = supply + amount;
        if (supplyAfter > _MAX_SUPPLY) revert SupplyOverflow(supplyAfter);
        value = _area(supplyAfter) - _area(supply);
        protocolFee = FeeSchedule.feeOn(value, _fee.current());
        creatorFee = FeeSchedule.feeOn(value, _creatorFees[token].current());
        totalCost = value + protocolFee + creatorFee;
    }

    /// @dev A sell's numbers at `supply`; reverts like `sell` would (zero amount, unknown token,
    /// more than the supply).
    function _quoteSell(address token, uint256 supply, uint256 creatorAccrued, uint256 amount)
        private
        view
        returns (uint256 netProceeds, uint256 protocolFee, uint256 creatorFee, uint256 value, uint256 supplyAfter)
    {
        if (amount == 0) revert ZeroAmount();
        if (amount > supply) {
            _requireKnown(token, supply, creatorAccrued);
            revert InsufficientSupply(amount, supply);
        }
        unchecked {
            supplyAfter = supply - amount;
        }
        value = _area(supply) - _area(supplyAfter);
        protocolFee = FeeSchedule.feeOn(value, _fee.current());
        creatorFee = FeeSchedule.feeOn(value, _creatorFees[token].current());
        unchecked {
            netProceeds = value - protocolFee - creatorFee; // the fees are at most 15% of value
        }
    }

    /// @dev `ceil(A(supply))` for `supply < 2^128`: ceil(s * (2e18 * basePrice + slope * s) / 2e36),
    /// one exact fraction, one rounding.
    function _area(uint256 supply) private view returns (uint256 area) {
        uint256 inner;
        unchecked {
            inner = _twiceBase + slope * supply; // < 2^157 + 2^224: basePrice, slope <= 2^96
        }
        if (inner <= _MAX_SUPPLY) {
            // supply and inner below 2^128: the product fits, divide directly (mulDiv minus its checks).
            assembly ("memory-safe") {
                let numerator := mul(supply, inner)
                area := add(div(numerator, _AREA_DENOMINATOR), gt(mod(numerator, _AREA_DENOMINATOR), 0))
            }
        } else {
            area = Math.mulDiv(supply, inner, _AREA_DENOMINATOR, Math.Rounding.Ceil);
        }
    }

    /// @dev The pool slot of `token` and its two halves, in one SLOAD.
    function _loadPool(address token) private view returns (uint256 slot, uint256 supply, uint256 creatorAccrued) {
        Pool storage pool = _pools[token];
        assembly ("memory-safe") {
            slot := pool.slot
            let word := sload(slot)
            supply := and(word, _MAX_SUPPLY)
            creatorAccrued := shr(128, word)
        }
    }

    /// @dev Write a pool slot in one SSTORE. `supply` is below 2^128 (checked by the quote); the
    /// creator's credit is checked here (it stays below the quote token's supply in practice).
    function _storePool(uint256 slot, uint256 supply, uint256 creatorAccrued) private {
        if (creatorAccrued > _MAX_SUPPLY) revert CreditOverflow(creatorAccrued);
        assembly ("memory-safe") {
            sstore(slot, or(supply, shl(128, creatorAccrued)))
        }
    }

    function _withdraw(address account) private returns (uint256 amount) {
        amount = _credits[account];
        if (amount != 0) _credits[account] = 0;
        if (account == treasury) {
            uint256 accrued = _protocolAccrued;
            if (accrued != 0) {
                amount += accrued;
                _protocolAccrued = 0;
            }
        }
        address token = predictToken(account);
        uint256 creatorAccrued = _pools[token].creatorAccrued;
        if (creatorAccrued != 0) {
            amount += creatorAccrued;
            _pools[token].creatorAccrued = 0;
        }
        if (amount == 0) revert NothingToWithdraw(account, quoteToken);
        address to = payoutOf(account);
        emit Withdrawn(account, to, amount);
        IERC20(quoteToken).safeTransfer(to, amount);
    }

    /// @dev A pool slot is non-zero only once its token traded, so only an all-zero slot needs the
    /// (costlier) check that `token` is a clone this market deployed.
    function _requireKnown(address token, uint256 supply, uint256 creatorAccrued) private view {
        if (supply == 0 && creatorAccrued == 0 && creatorOf(token) == address(0)) {
            revert UnknownToken(token);
        }
    }

    function _onlyCreator(address token) private view {
        address creator = creatorOf(token);
        if (creator == address(0)) revert UnknownToken(token);
        if (creator != msg.sender) revert NotCreator(msg.sender, token);
    }

    /// @dev `token.mint(msg.sender, amount)` or `token.burn(msg.sender, amount)`, bubbling a revert.
    /// `token` is a clone this market deployed (checked by the caller), so it has code.
    function _callToken(address token, bytes4 selector, uint256 amount) private {
        assembly ("memory-safe") {
            let fmp := mload(0x40)
            mstore(0x00, selector)
            mstore(0x04, caller())
            mstore(0x24, amount)
            if iszero(call(gas(), token, 0, 0x00, 0x44, 0x00, 0x00)) {
                returndatacopy(fmp, 0x00, returndatasize())
                revert(fmp, returndatasize())
            }
            mstore(0x40, fmp) // restore the free memory pointer that the amount overwrote
        }
    }

    function _salt(address creator) private pure returns (bytes32) {
        return bytes32(uint256(uint160(creator)));
    }

    function _feeCap() internal pure override returns (uint16) {
        return MAX_PROTOCOL_FEE_BPS;
    }

    function _feeChangeDelay() internal pure override returns (uint64) {
        return FEE_CHANGE_DELAY;
    }
}
