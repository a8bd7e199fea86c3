// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {CloneArgs} from "./libraries/CloneArgs.sol";
import {ICreatorSupply} from "./interfaces/ICreatorMarket.sol";

/// @title CreatorToken
/// @notice A creator's social token: a lean ERC-20 (18 decimals) with EIP-2612 permit, whose EIP-712
/// domain is the creator's own token name (ERC-5267 `eip712Domain()`). Freely transferable; only its
/// market mints (on a buy) and burns (on a sell).
/// @dev Deployed once as an implementation by `CreatorMarket`, then cloned per creator (ERC-1167
/// with the creator's address as immutable argument). Everything that differs between clones lives
/// in the clone's own storage or code, never in the implementation's immutables, which every clone
/// shares: `market` is an immutable on purpose (all clones belong to the market that deployed the
/// implementation), while the name and symbol are storage, and the domain separator is computed
/// from them and the live `block.chainid` on every use (a storage cache would cost a cold SLOAD,
/// as much as reading the name, and a cache keyed on the chain id would be one more slot to write
/// at launch). The total supply is kept once, by the market (`supplyOf`), so a trade writes no
/// supply slot here.
contract CreatorToken {
    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant _VERSION_HASH = keccak256("1");
    bytes32 private constant _PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    /// @dev First byte of `_meta` when the name and symbol are too long to pack and live in strings.
    uint256 private constant _LONG = 0xff;

    /// @notice The market that deployed the implementation: the only minter and burner.
    address public immutable market;

    /// @dev Name and symbol in one slot when `len(name) + len(symbol) <= 30`, left-aligned:
    ///
    ///     byte  0          len(name) + 1   (so never 0 once initialized)
    ///     byte  1          len(symbol)
    ///     bytes 2..        name, then symbol, then zeros
    ///
    /// Otherwise byte 0 is 0xff (`_LONG`) and the strings live in `_longName` / `_longSymbol`. Zero
    /// until initialized.
    bytes32 private _meta;
    string private _longName;
    string private _longSymbol;

    /// @notice The token balance of `account`.
    mapping(address account => uint256) public balanceOf;
    /// @notice What `spender` may still move from `owner`.
    mapping(address owner => mapping(address spender => uint256)) public allowance;
    /// @notice The next EIP-2612 permit nonce of `owner`.
    mapping(address owner => uint256) public nonces;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice Caller is not the market.
    error NotMarket(address caller);
    /// @notice `initialize` called a second time.
    error AlreadyInitialized();
    /// @notice A transfer or burn of more than the balance.
    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
    /// @notice A `transferFrom` of more than the allowance.
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    /// @notice A transfer to the zero address.
    error ERC20InvalidReceiver(address receiver);
    /// @notice A permit past its deadline.
    error ERC2612ExpiredSignature(uint256 deadline);
    /// @notice A permit not signed by `owner`.
    error ERC2612InvalidSigner(address signer, address owner);

    constructor() {
        market = msg.sender;
    }

    modifier onlyMarket() {
        if (msg.sender != market) revert NotMarket(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ market only

    /// @notice Set the name and symbol, once, right after the market deployed this clone.
    function initialize(string calldata name_, string calldata symbol_) external onlyMarket {
        if (_meta != 0) revert AlreadyInitialized();
        uint256 nameLen = bytes(name_).length;
        uint256 symbolLen = bytes(symbol_).length;
        if (nameLen + symbolLen <= 30) {
            _meta = bytes32((nameLen + 1) << 248) | bytes32(symbolLen << 240) | (bytes32(bytes(name_)) >> 16)
                | (bytes32(bytes(symbol_)) >> (16 + 8 * nameLen));
        } else {
            _meta = bytes32(_LONG << 248);
            _longName = name_;
            _longSymbol = symbol_;
        }
    }

    /// @notice Create `amount` for `to` (a buy). The market bounds the supply, hence every balance.
    function mint(address to, uint256 amount) external onlyMarket {
        unchecked {
            balanceOf[to] += amount; // <= total supply, which the market keeps below 2^128
        }
        emit Transfer(address(0), to, amount);
    }

    /// @notice Destroy `amount` of `from` (a sell by `from`, through the market).
    function burn(address from, uint256 amount) external onlyMarket {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert ERC20InsufficientBalance(from, balance, amount);
        unchecked {
            balanceOf[from] = balance - amount;
        }
        emit Transfer(from, address(0), amount);
    }

    // ------------------------------------------------------------------ ERC-20

    /// @notice The creator's token name.
    function name() public view returns (string memory) {
        bytes32 meta = _meta;
        if (uint256(meta) >> 248 == _LONG) return _longName;
        uint256 nameLen = uint256(meta) >> 248;
        if (nameLen != 0) --nameLen;
        return _slice(meta, 2, nameLen);
    }

    /// @notice The creator's token symbol.
    function symbol() external view returns (string memory) {
        bytes32 meta = _meta;
        if (uint256(meta) >> 248 == _LONG) return _longSymbol;
        uint256 nameLen = uint256(meta) >> 248;
        if (nameLen != 0) --nameLen;
        return _slice(meta, 2 + nameLen, (uint256(meta) >> 240) & 0xff);
    }

    /// @notice Always 18.
    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// @notice The supply in circulation, as kept by the market.
    function totalSupply() external view returns (uint256) {
        return ICreatorSupply(market).supplyOf(address(this));
    }

    /// @notice The creator whose token this is (the clone's immutable argument); zero for the implementation.
    function creator() external view returns (address) {
        return CloneArgs.addressArg(address(this));
    }

    /// @notice Move `amount` of the caller's tokens to `to`.
    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    /// @notice Move `amount` from `from` to `to` within the caller's allowance (an unlimited
    /// allowance is never decreased).
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < amount) revert ERC20InsufficientAllowance(msg.sender, allowed, amount);
            unchecked {
                allowance[from][msg.sender] = allowed - amount;
            }
        }
        _transfer(from, to, amount);
        return true;
    }

    /// @notice Let `spender` move up to `amount` of the caller's tokens.
    function approve(address spender, uint256 amount) external returns (bool) {
        _approve(msg.sender, spender, amount);
        return true;
    }

    // ------------------------------------------------------------------ EIP-2612 / EIP-712 / ERC-5267

    /// @notice Approve by signature (EIP-2612), in this token's own EIP-712 domain.
    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        if (block.timestamp > deadline) revert ERC2612ExpiredSignature(deadline);
        uint256 nonce;
        unchecked {
            nonce = nonces[owner]++;
        }
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                DOMAIN_SEPARATOR(),
                keccak256(abi.encode(_PERMIT_TYPEHASH, owner, spender, value, nonce, deadline))
            )
        );
        // The third value only details `err`, which is rejected whatever it is.
        // slither-disable-next-line unused-return
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, v, r, s);
        if (err != ECDSA.RecoverError.NoError || signer != owner) revert ERC2612InvalidSigner(signer, owner);
        _approve(owner, spender, value);
    }

    /// @notice The EIP-712 domain separator: this clone's name, version "1", the current chain, this address.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return keccak256(
            abi.encode(_DOMAIN_TYPEHASH, keccak256(bytes(name())), _VERSION_HASH, block.chainid, address(this))
        );
    }

    /// @notice The EIP-712 domain (ERC-5267): name, version, chainId and verifyingContract are used.
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name_,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", name(), "1", block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    // ------------------------------------------------------------------ internal

    function _transfer(address from, address to, uint256 amount) private {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 balance = balanceOf[from];
        if (balance < amount) revert ERC20InsufficientBalance(from, balance, amount);
        unchecked {
            balanceOf[from] = balance - amount;
            balanceOf[to] += amount; // the sum of balances is the supply, below 2^128
        }
        emit Transfer(from, to, amount);
    }

    function _approve(address owner, address spender, uint256 amount) private {
        allowance[owner][spender] = amount;
        emit Approval(owner, spender, amount);
    }

    /// @dev `len` bytes of `word` from byte `offset` on, as a string.
    function _slice(bytes32 word, uint256 offset, uint256 len) private pure returns (string memory out) {
        if (len == 0) return "";
        bytes32 chars = (word << (8 * offset)) & ~bytes32(type(uint256).max >> (8 * len));
        out = new string(len);
        assembly ("memory-safe") {
            mstore(add(out, 0x20), chars)
        }
    }
}
