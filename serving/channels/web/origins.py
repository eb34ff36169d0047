"""Which web pages may open a chat: our own, and the ones a persona's owner allowed.

Browsers always send `Origin` with a WebSocket handshake and scripts cannot forge
it, so checking it stops another site from talking to a persona (or reading a
visitor's conversation) in the visitor's name.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_EMBED_ORIGINS = 20
DEFAULT_PORTS = {"http": 80, "https": 443}


class OriginError(ValueError):
    """An embedding origin is not of the form https://host[:port]."""


def normalize_origin(origin: str) -> str:
    """`scheme://host[:port]` in lower case, default port left out."""
    text = origin.strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # "https://[::1": an unclosed IPv6 bracket, say
        raise OriginError(f"{origin!r} is not a URL") from None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise OriginError(f"{origin!r} is not an http(s) origin")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise OriginError(f"{origin!r} has a path; give only scheme://host[:port]")
    if parts.username or parts.password:
        raise OriginError(f"{origin!r} must not carry a user name or password")
    try:
        port = parts.port
    except ValueError:
        raise OriginError(f"{origin!r} has a bad port") from None
    scheme, host = parts.scheme.lower(), parts.hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def normalize_origins(origins: object) -> list[str]:
    """A checked, de-duplicated list of origins, or `OriginError`."""
    if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
        raise OriginError("embed_origins must be a list of strings")
    if len(origins) > MAX_EMBED_ORIGINS:
        raise OriginError(f"at most {MAX_EMBED_ORIGINS} embedding origins")
    return sorted({normalize_origin(origin) for origin in origins})


def same_origin(origin: str, host: str) -> bool:
    """Whether the page's origin names this server (`host` as the request saw it).

    Only host and port are compared: behind a TLS proxy the server sees http while
    the page is https, and both are ours.
    """
    try:
        parts = urlsplit(origin.strip())
        origin_host = (parts.netloc or "").lower()
        scheme = parts.scheme.lower()
    except ValueError:
        return False
    host = host.lower()
    if origin_host == host:
        return True
    default = DEFAULT_PORTS.get(scheme)
    return default is not None and f"{origin_host}:{default}" == host


def embed_allowed(origin: str, allowed: list[str]) -> bool:
    """Whether a foreign page's origin is on a persona's allow-list."""
    try:
        return normalize_origin(origin) in allowed
    except OriginError:
        return False
