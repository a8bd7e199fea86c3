// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice An EIP-2612 token without ERC-5267 `eip712Domain()`, as Circle's USDC (FiatTokenV2) and
/// OpenZeppelin's ERC20Permit before 4.9 are: a client builds the signing domain from `name()` (and
/// `version()` where there is one) and can only check it against `DOMAIN_SEPARATOR()`. The separator
/// hashes `signingName`/`signingVersion` given at construction, so a test can make it disagree with
/// what `name()`/`version()` report. Never deploy to a public chain.
abstract contract PermitWithoutDomain is ERC20 {
    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant _PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    /// @notice The EIP-712 domain separator (EIP-2612).
    // solhint-disable-next-line var-name-mixedcase
    bytes32 public immutable DOMAIN_SEPARATOR;
    /// @notice The next permit nonce of each owner.
    mapping(address owner => uint256) public nonces;

    constructor(string memory name_, string memory signingName, string memory signingVersion)
        ERC20(name_, "LPT")
    {
        DOMAIN_SEPARATOR = keccak256(
            abi.encode(
                _DOMAIN_TYPEHASH,
                keccak256(bytes(signingName)),
                keccak256(bytes(signingVersion)),
                block.chainid,
                address(this)
            )
        );
    }

    /// @notice Approve by signature (EIP-2612).
    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        require(block.timestamp <= deadline, "permit expired");
        bytes32 structHash = keccak256(abi.encode(_PERMIT_TYPEHASH, owner, spender, value, nonces[owner]++, deadline));
        address signer = ECDSA.recover(keccak256(abi.encodePacked("\x19\x01", DOMAIN_SEPARATOR, structHash)), v, r, s);
        require(signer == owner, "invalid signature");
        _approve(owner, spender, value);
    }

    /// @notice Create `amount` for `to` (open: test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice A permit token with `name()` and `version()` but no `eip712Domain()` (like USDC).
contract LegacyPermitToken is PermitWithoutDomain {
    string private _version;

    constructor(string memory name_, string memory version_, string memory signingVersion)
        PermitWithoutDomain(name_, name_, signingVersion)
    {
        _version = version_;
    }

    /// @notice The signing domain's version this token reports.
    function version() external view returns (string memory) {
        return _version;
    }
}

/// @notice A permit token with `name()` only: no `version()`, no `eip712Domain()` (version "1" by
/// convention, as OpenZeppelin's ERC20Permit before 4.9).
contract VersionlessPermitToken is PermitWithoutDomain {
    constructor(string memory name_, string memory signingVersion) PermitWithoutDomain(name_, name_, signingVersion) {}
}
