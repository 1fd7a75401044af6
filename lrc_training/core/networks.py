"""Address lists in settings (LRC_TRUSTED_NETWORKS, LRC_METRICS_ALLOW): "10.20.0.0/16, 127.0.0.1, ::1"."""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache

log = logging.getLogger("lrc.networks")


@lru_cache(maxsize=32)
def parse_networks(setting: str, *, strict: bool = True) -> tuple:
    """The networks of a comma-separated setting. strict: a bad entry raises ValueError (checked at start-up);
    otherwise it is logged and left out."""
    networks = []
    for part in (setting or "").split(","):
        item = part.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            if strict:
                raise
            log.warning("%r is not an address or network, ignored", item)
    return tuple(networks)


def address_in(address: str | None, networks) -> bool:
    """Whether the client address falls in one of `networks` (IPv4-mapped IPv6 addresses count as IPv4)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)
