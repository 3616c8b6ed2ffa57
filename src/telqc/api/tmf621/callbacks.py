"""Where the TMF621 hub may send events: callback URLs checked after DNS resolution, and pinned.

A callback is a URL a client chooses and the server requests, so without these checks any agent could make
TelQC call its own network (server-side request forgery): the cloud metadata service at 169.254.169.254,
the database on 127.0.0.1, the office LAN. Every address a callback's host resolves to must be a public
unicast address, unless an administrator allow-lists the host or its address (``TELQC_HUB_ALLOWED_HOSTS``:
host names, IP addresses or CIDR ranges, comma-separated). Production requires https.

The check runs at subscribe and again before every delivery, and the delivery connects to the address
that was checked (`Target.request_url`, with the original Host header and TLS server name), so a host
whose DNS answer changes between the check and the connection (DNS rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache

import httpx

from telqc.core.errors import BadRequest
from telqc.core.settings import Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Instance metadata services (AWS/GCP/Azure/OpenStack, AWS over IPv6, Alibaba Cloud): named in the error.
METADATA = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200"))
_PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class AllowList:
    hosts: frozenset[str]
    networks: tuple[Network, ...]

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows_address(self, address: Address) -> bool:
        return any(address.version == n.version and address in n for n in self.networks)


@lru_cache(maxsize=8)
def allow_list(setting: str) -> AllowList:
    """``TELQC_HUB_ALLOWED_HOSTS`` parsed: an entry that is an address or a CIDR range matches resolved
    addresses, any other entry matches the callback's host name exactly (case-insensitive)."""
    hosts: set[str] = set()
    networks: list[Network] = []
    for raw in setting.split(","):
        entry = raw.strip().strip("[]")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.lower().rstrip("."))
    return AllowList(frozenset(hosts), tuple(networks))


def refusal(address: Address) -> str | None:
    """Why the hub must not connect to ``address`` (a reason key), or None for a public unicast address.

    An IPv6 address that carries an IPv4 one (mapped, 6to4, NAT64) is judged by the IPv4 address it reaches."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return refusal(inner)
    checks = (
        ("metadata", address in METADATA), ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback), ("multicast", address.is_multicast),
        ("link_local", address.is_link_local), ("private", any(address in n for n in _PRIVATE
                                                             if n.version == address.version)),
        ("reserved", address.is_reserved or not address.is_global),
    )
    return next((reason for reason, hit in checks if hit), None)


@dataclass(frozen=True)
class Target:
    """A callback that passed the checks, with the one address deliveries connect to."""

    url: httpx.URL
    address: Address

    @property
    def request_url(self) -> httpx.URL:
        return self.url.copy_with(host=str(self.address))

    @property
    def host_header(self) -> str:
        default = {"http": 80, "https": 443}[self.url.scheme]
        host = f"[{self.url.host}]" if ":" in self.url.host else self.url.host
        return host if self.url.port in (None, default) else f"{host}:{self.url.port}"

    @property
    def extensions(self) -> dict[str, str]:
        """The TLS server name (SNI, and the name the certificate must carry) is the callback's host."""
        return {"sni_hostname": self.url.host} if self.url.scheme == "https" else {}


def _bad(reason: str, host: str = "", address: str = "") -> BadRequest:
    return BadRequest(f"tmf.hub.callback_{reason}", field="callback", host=host, address=address)


def parse(callback: str, settings: Settings) -> httpx.URL:
    """The callback as a URL, or a 400 naming ``callback`` and the reason."""
    try:
        url = httpx.URL(callback)
    except (httpx.InvalidURL, ValueError) as e:
        raise _bad("invalid") from e
    if url.scheme not in ("http", "https") or not url.host:
        raise _bad("invalid")
    if settings.env == "production" and url.scheme != "https":
        raise _bad("https")
    if url.userinfo:
        raise _bad("credentials")
    return url


def _resolve(host: str, port: int) -> list[Address]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [literal]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[Address, None] = {}
    for *_, sockaddr in infos:
        seen.setdefault(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]), None)
    return list(seen)


def check(callback: str, settings: Settings) -> Target:
    """Parse, resolve and check a callback; a 400 naming ``callback`` and the reason if the hub may not call it.

    Every resolved address must pass (a host with one private record among public ones is refused: the
    resolver, not we, would choose which one a later connection uses)."""
    url = parse(callback, settings)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        addresses = _resolve(url.host, port)
    except (OSError, UnicodeError) as e:
        raise _bad("unresolvable", host=url.host) from e
    if not addresses:
        raise _bad("unresolvable", host=url.host)
    allowed = allow_list(settings.hub_allowed_hosts)
    if not allowed.allows_host(url.host):
        for address in addresses:
            reason = refusal(address)
            if reason is not None and not allowed.allows_address(address):
                raise _bad(reason, host=url.host, address=str(address))
    return Target(url=url, address=addresses[0])
