"""The node's HTTP transport for a long-running process (`serve`): one `requests` session whose
environment settings are resolved once, at start, instead of on every JSON-RPC call.

Why: `requests` with `trust_env` (its default) reads the proxy variables, matches NO_PROXY and
looks for a `.netrc` on *every* request: about 1 ms of CPU of the ~1.7 ms a JSON-RPC call costs
`serve`, which makes several per relayed tip. The environment is not expected to change under a
running server, so the same answers are taken once: HTTP(S)_PROXY/ALL_PROXY as NO_PROXY leaves
them for the node's URL, a `.netrc` entry for its host, REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE. A
change to them takes effect at the next start.

The node is reached at the URL, with the headers and timeout, that Ape's provider uses; only the
session differs (web3's `HTTPProvider(session=...)`, which web3 shares across threads). Ape picks
a provider in this order: WEB3_PROVIDER_URI, an IPC socket, the HTTP URI; the session is installed
only when that order lands on HTTP, else the connection is left as Ape made it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Ape's own timeout for the HTTP provider it builds (ape_ethereum.provider: 30 minutes)
APE_HTTP_TIMEOUT = 30 * 60
# Threads that may call the node at once (uvicorn's worker threads, the batcher, the index bot):
# urllib3 would otherwise open, use and throw away a connection beyond its default 10.
POOL_SIZE = 64


@dataclass(frozen=True)
class Resolved:
    """What the environment said for the node's URL, taken once."""

    proxies: dict[str, str]
    netrc: bool
    ca_bundle: str | None

    def describe(self) -> str:
        # the proxy URLs may carry credentials: say only which schemes go through one
        via = ", ".join(sorted(self.proxies)) or "none"
        return (
            f"node transport: one HTTP session, environment read once (proxy for: {via}; "
            f".netrc: {'yes' if self.netrc else 'no'}; CA bundle: {'set' if self.ca_bundle else 'default'})"
        )


def resolve(url: str) -> Resolved:
    """The environment's settings for `url`, as `requests` would take them on each call."""
    from requests.utils import get_environ_proxies, get_netrc_auth

    ca = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None
    return Resolved(dict(get_environ_proxies(url)), get_netrc_auth(url) is not None, ca)


def session_for(url: str):
    """A `requests` session for `url` that does not consult the environment per request, with the
    environment's settings for `url` already in it; returns (session, Resolved)."""
    import requests
    from requests.adapters import HTTPAdapter
    from requests.utils import get_netrc_auth

    found = resolve(url)
    session = requests.Session()
    session.trust_env = False
    session.proxies.update(found.proxies)
    if found.netrc:
        session.auth = get_netrc_auth(url)
    if found.ca_bundle:
        session.verify = found.ca_bundle
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=POOL_SIZE)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session, found


def _http_target(provider, web3) -> tuple[str, dict] | None:
    """(url, request kwargs) of the HTTP connection Ape's provider uses, or None when it uses
    something else (IPC, WebSocket, WEB3_PROVIDER_URI) or is not an HTTP provider at all."""
    from web3 import HTTPProvider
    from web3.providers.auto import AutoProvider

    current = web3.provider
    if isinstance(current, HTTPProvider):
        return str(current.endpoint_uri), dict(current.get_request_kwargs())
    if not isinstance(current, AutoProvider) or os.environ.get("WEB3_PROVIDER_URI"):
        return None
    ipc = getattr(provider, "ipc_path", None)
    if ipc and Path(ipc).is_socket():
        return None
    http = getattr(provider, "http_uri", None)
    if not http:
        return None
    network = provider.network
    headers = provider.network_manager.get_request_headers(
        network.ecosystem.name, network.name, provider.name
    )
    return str(http), {"headers": dict(headers), "timeout": APE_HTTP_TIMEOUT}


def install(provider) -> Resolved | None:
    """Give Ape's connected `provider` (its `web3`) a session resolved once; the Web3 object is
    kept, so everything already holding `provider.web3` uses it. None when left as it was."""
    from web3 import HTTPProvider

    web3 = provider.web3
    target = _http_target(provider, web3)
    if target is None:
        return None
    url, kwargs = target
    session, found = session_for(url)
    lean = HTTPProvider(url, request_kwargs=kwargs, session=session)
    if isinstance(web3.provider, HTTPProvider):
        lean.exception_retry_configuration = web3.provider.exception_retry_configuration
    web3.provider = lean
    return found
