"""What the page tests share besides fixtures (imported as `page_env`: a unique module name, since
`conftest` means another area's conftest once that one is imported first)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = ROOT / ".local/chromium"
WALLET_JS = Path(__file__).with_name("wallet.js").read_text(encoding="utf8")
PHONE = {"width": 390, "height": 844}
# All the page may ask a wallet (issue #13's design constraint): anything else is a bug.
WALLET_METHODS = {
    "eth_requestAccounts",
    "eth_chainId",
    "wallet_switchEthereumChain",
    "eth_signTypedData_v4",
    "eth_sendTransaction",
}
DESKTOP = {"width": 1280, "height": 900}


def node_url(fg) -> str:
    """The test chain's JSON-RPC URL (the wallet in the page forwards to it)."""
    return str(fg.chain.provider.uri)
