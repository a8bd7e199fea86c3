// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {CreatorToken, ICreatorSupply} from "./CreatorToken.sol";
import {FeeSchedule} from "./FeeSchedule.sol";
import {TransparentFee} from "./TransparentFee.sol";

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
/// Gas layout: one slot per token (supply, creator's accrued fees), one per token for the creator
/// fee (the FeeSchedule primitive), one for the protocol's accrued fees (credited to the treasury
/// at `setTreasury` or on withdrawal), so a trade writes two market slots. The creator's address is
/// the clone's immutable argument, the token's address is a CREATE2 prediction from it, so a launch
/// stores no creator/token mapping.
contract CreatorMarket is Ownable, ReentrancyGuardTransient, TransparentFee, ICreatorSupply {
    using FeeSchedule for FeeSchedule.Fee;
    using SafeERC20 for IERC20;

    /// @notice The protocol fee can never exceed 5%.
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 500;
    /// @notice A creator fee can never exceed 10%.
    uint16 public constant MAX_CREATOR_FEE_BPS = 1000;
    /// @notice Any fee increase (protocol or creator) waits this long.
    uint64 public constant FEE_CHANGE_DELAY = 7 days;

    uint256 private constant _WAD = 1e18;
    uint256 private constant _AREA_DENOMINATOR = 2000000000000000000000000000000000000; // 2e36
    /// @dev Bound on basePrice and slope (2^96 quote units per token is beyond any real price), so
    /// that the area's numerator terms cannot overflow for any supply below 2^128.
    uint256 private constant _MAX_CURVE_PARAM = 2 ** 96;
    uint256 private constant _MAX_SUPPLY = 0xffffffffffffffffffffffffffffffff; // 2^128 - 1
    /// @dev Size of a clone with a 20-byte immutable argument (see Clones).
    uint256 private constant _CLONE_CODE_SIZE = 0x2d + 20;

    /// @notice The stablecoin every token is priced and paid in.
    address public immutable quoteToken;
    /// @notice The curve's price at supply 0, in quote units per whole token.
    uint256 public immutable basePrice;
    /// @notice The curve's price increase per whole token of supply, in quote units per whole token.
    uint256 public immutable slope;
    /// @notice The CreatorToken implementation every creator token is a clone of.
    address public immutable implementation;
    /// @dev 2e18 * basePrice, the constant part of the area's numerator.
    uint256 private immutable _twiceBase;

    /// @dev Per token, in one slot: the supply and the creator's fees not yet withdrawn.
    struct Pool {
        uint128 supply;
        uint128 creatorAccrued;
    }

    /// @notice Where protocol fees are credited from now on.
    address public treasury;
    /// @dev Protocol fees accrued to the current `treasury` since it was set or last withdrew.
    uint256 private _protocolAccrued;
    mapping(address token => Pool) private _pools;
    mapping(address token => FeeSchedule.Fee) private _creatorFees;
    /// @dev Fees credited to an account outside the two accruals above (e.g. a former treasury).
    mapping(address account => uint256) private _credits;
    mapping(address account => address) private _payouts;

    event Launched(address indexed creator, address indexed token, string name, string symbol, uint16 creatorFeeBps);
    event Trade(
        address indexed trader,
        address indexed token,
        bool isBuy,
        uint256 amount,
        uint256 value,
        uint256 protocolFee,
        uint256 creatorFee,
        uint256 supplyAfter
    );
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
    event PayoutSet(address indexed account, address payout);
    event TreasurySet(address treasury);
    event CreatorFeeChangeScheduled(address indexed token, uint16 oldBps, uint16 newBps, uint64 effectiveAt);
    event CreatorFeeChanged(address indexed token, uint16 oldBps, uint16 newBps);
    event CreatorFeeChangeCancelled(address indexed token, uint16 bps);

    /// @notice A zero address where one is required (quote token, treasury).
    error ZeroAddress();
    /// @notice basePrice and slope must not both be zero (free tokens) and each at most 2^96.
    error InvalidCurve(uint256 basePrice, uint256 slope);
    /// @notice A trade of zero tokens.
    error ZeroAmount();
    /// @notice The trade's deadline is before this block.
    error DeadlinePassed(uint256 deadline);
    /// @notice A buy would cost more than the buyer's `maxCost`.
    error CostAboveMax(uint256 totalCost, uint256 maxCost);
    /// @notice A sell would pay less than the seller's `minProceeds`.
    error ProceedsBelowMin(uint256 netProceeds, uint256 minProceeds);
    /// @notice `token` was not launched by this market.
    error UnknownToken(address token);
    /// @notice `creator` already launched `token`.
    error AlreadyLaunched(address creator, address token);
    /// @notice Only the token's creator may change its fee.
    error NotCreator(address caller, address token);
    /// @notice Nothing credited to `account`.
    error NothingToWithdraw(address account);
    /// @notice A sell of more than the supply.
    error InsufficientSupply(uint256 amount, uint256 supply);
    /// @notice A creator's uncollected fees would reach 2^128 (withdraw first).
    error CreditOverflow(uint256 credit);
    /// @notice A buy that would take the supply to 2^128 or beyond.
    error SupplyOverflow(uint256 supply);

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
        if (quoteToken_ == address(0) || treasury_ == address(0)) revert ZeroAddress();
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

    /// @notice The protocol fee in force, in basis points.
    function protocolFeeBps() external view returns (uint16) {
        return _currentFee();
    }

    /// @notice The pending protocol fee increase and when it applies; zeros if none.
    function pendingProtocolFee() external view returns (uint16 bps, uint64 effectiveAt) {
        return _pendingFee();
    }

    /// @notice Lower the protocol fee at once, or schedule an increase FEE_CHANGE_DELAY from now.
    function scheduleProtocolFee(uint16 bps) external onlyOwner {
        _scheduleFee(bps);
    }

    /// @notice Cancel the pending protocol fee increase.
    function cancelProtocolFee() external onlyOwner {
        _cancelFee();
    }

    /// @notice Credit future protocol fees to `treasury_`; fees earned so far stay the old treasury's.
    function setTreasury(address treasury_) external onlyOwner {
        if (treasury_ == address(0)) revert ZeroAddress();
        uint256 accrued = _protocolAccrued;
        if (accrued != 0) {
            _credits[treasury] += accrued;
            _protocolAccrued = 0;
        }
        treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    // ------------------------------------------------------------------ creator fee (creator)

    /// @notice The creator fee of `token` in force, in basis points (0 for an unknown token).
    function creatorFeeBps(address token) external view returns (uint16) {
        return _creatorFees[token].current();
    }

    /// @notice The pending creator fee increase of `token` and when it applies; zeros if none.
    function pendingCreatorFee(address token) external view returns (uint16 bps, uint64 effectiveAt) {
        return _creatorFees[token].pending();
    }

    /// @notice Lower `token`'s creator fee at once, or schedule an increase FEE_CHANGE_DELAY from
    /// now; at most MAX_CREATOR_FEE_BPS. That token's creator only.
    function scheduleCreatorFee(address token, uint16 bps) external {
        _onlyCreator(token);
        (FeeSchedule.Change change, uint16 oldBps, uint64 effectiveAt) =
            _creatorFees[token].schedule(bps, MAX_CREATOR_FEE_BPS, FEE_CHANGE_DELAY);
        if (change == FeeSchedule.Change.Applied) emit CreatorFeeChanged(token, oldBps, bps);
        else emit CreatorFeeChangeScheduled(token, oldBps, bps, effectiveAt);
    }

    /// @notice Cancel `token`'s pending creator fee increase. That token's creator only.
    function cancelCreatorFee(address token) external {
        _onlyCreator(token);
        emit CreatorFeeChangeCancelled(token, _creatorFees[token].cancel());
    }

    // ------------------------------------------------------------------ launch

    /// @notice Deploy the caller's token at `predictToken(msg.sender)`, with a creator fee of
    /// `creatorFeeBps_`, and buy `initialBuy` of it for the caller in the same transaction (costing
    /// at most `maxCost`, fees included), so nobody can trade it before its creator.
    /// @return token the new token's address.
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

    /// @notice The address `creator`'s token has, or will have once launched.
    function predictToken(address creator) public view returns (address) {
        return Clones.predictDeterministicAddressWithImmutableArgs(
            implementation, abi.encodePacked(creator), _salt(creator)
        );
    }

    /// @notice `creator`'s token, or zero if not launched.
    function tokenOf(address creator) external view returns (address) {
        address token = predictToken(creator);
        return token.code.length != 0 ? token : address(0);
    }

    /// @notice The creator of `token`, or zero if this market did not launch it.
    function creatorOf(address token) public view returns (address creator) {
        if (token.code.length != _CLONE_CODE_SIZE) return address(0);
        assembly ("memory-safe") {
            extcodecopy(token, 0, 0x2d, 20)
            creator := shr(96, mload(0))
        }
        if (creator == address(0) || predictToken(creator) != token) return address(0);
    }

    // ------------------------------------------------------------------ curve and quotes

    /// @notice The marginal price at `supply` (base units), in quote units per whole token, rounded down.
    function priceAt(uint256 supply) external view returns (uint256) {
        return basePrice + (slope * supply) / _WAD;
    }

    /// @notice The curve's area from 0 to `supply`, rounded up: the reserve held at that supply.
    function areaAt(uint256 supply) public view returns (uint256) {
        if (supply <= _MAX_SUPPLY) return _area(supply);
        // Beyond any reachable supply (views only): checked, may revert for huge parameters.
        return Math.mulDiv(supply, _twiceBase + slope * supply, _AREA_DENOMINATOR, Math.Rounding.Ceil);
    }

    /// @notice The supply of `token`, in base units (also the token's `totalSupply`).
    function supplyOf(address token) external view returns (uint256) {
        return _pools[token].supply;
    }

    /// @notice The quote tokens backing `token`'s supply: exactly what selling it all would pay
    /// before fees.
    function reserveOf(address token) external view returns (uint256) {
        return areaAt(_pools[token].supply);
    }

    /// @notice What buying `amount` of `token` costs now: `totalCost` = curve value + both fees.
    function quoteBuy(address token, uint256 amount)
        external
        view
        returns (uint256 totalCost, uint256 protocolFee, uint256 creatorFee)
    {
        (, uint256 supply, uint256 creatorAccrued) = _loadPool(token);
        (totalCost, protocolFee, creatorFee,,) = _quoteBuy(token, supply, creatorAccrued, amount);
    }

    /// @notice What selling `amount` of `token` pays now: `netProceeds` = curve value - both fees.
    function quoteSell(address token, uint256 amount)
        external
        view
        returns (uint256 netProceeds, uint256 protocolFee, uint256 creatorFee)
    {
        (, uint256 supply, uint256 creatorAccrued) = _loadPool(token);
        (netProceeds, protocolFee, creatorFee,,) = _quoteSell(token, supply, creatorAccrued, amount);
    }

    // ------------------------------------------------------------------ trading

    /// @notice Buy `amount` of `token`; pulls exactly the total cost (curve value + fees), which
    /// must be at most `maxCost`, before `deadline` (inclusive).
    /// @return totalCost what was paid.
    function buy(address token, uint256 amount, uint256 maxCost, uint256 deadline)
        external
        nonReentrant
        returns (uint256 totalCost)
    {
        if (block.timestamp > deadline) revert DeadlinePassed(deadline);
        return _buy(token, amount, maxCost);
    }

    /// @notice Sell `amount` of `token` back to the curve; pays the curve value minus fees, which
    /// must be at least `minProceeds`, before `deadline` (inclusive).
    /// @return netProceeds what was paid to the seller.
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

    /// @notice Fees credited to `account` and not yet withdrawn, in the quote token.
    function balanceOf(address account) public view returns (uint256 balance) {
        balance = _credits[account] + _pools[predictToken(account)].creatorAccrued;
        if (account == treasury) balance += _protocolAccrued;
    }

    /// @notice Where `account`'s withdrawals go: the address it set, or itself.
    function payoutOf(address account) public view returns (address) {
        address payout = _payouts[account];
        return payout == address(0) ? account : payout;
    }

    /// @notice Send the caller's withdrawals to `payout` (zero: back to the caller itself), e.g.
    /// when the caller cannot receive the quote token.
    function setPayout(address payout) external {
        _payouts[msg.sender] = payout;
        emit PayoutSet(msg.sender, payout);
    }

    /// @notice Pay the caller's whole balance to `payoutOf(msg.sender)`.
    /// @return amount what was paid.
    function withdraw() external nonReentrant returns (uint256 amount) {
        return _withdraw(msg.sender);
    }

    /// @notice Pay `account`'s whole balance to `payoutOf(account)`; anyone may trigger it.
    /// @return amount what was paid.
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
        protocolFee = FeeSchedule.feeOn(value, _feeNow(_fee));
        creatorFee = FeeSchedule.feeOn(value, _feeNow(_creatorFees[token]));
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
        protocolFee = FeeSchedule.feeOn(value, _feeNow(_fee));
        creatorFee = FeeSchedule.feeOn(value, _feeNow(_creatorFees[token]));
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
        if (amount == 0) revert NothingToWithdraw(account);
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

    /// @dev `FeeSchedule.current` from a single SLOAD, decoding the packed `Fee` slot in place
    /// (bps: bits 0-15, pendingBps: 16-31, effectiveAt: 32-95, Solidity's packing order); it saves
    /// the struct copy to memory on every trade. `creatorFeeBps`/`protocolFeeBps` use the library,
    /// and the tests check the two agree on both sides of `effectiveAt`.
    function _feeNow(FeeSchedule.Fee storage fee) private view returns (uint16 bps) {
        assembly ("memory-safe") {
            let word := sload(fee.slot)
            bps := and(word, 0xffff)
            let effectiveAt := and(shr(32, word), 0xffffffffffffffff)
            if and(iszero(iszero(effectiveAt)), iszero(lt(timestamp(), effectiveAt))) {
                bps := and(shr(16, word), 0xffff)
            }
        }
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
