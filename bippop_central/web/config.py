"""The web pages' settings, read once from the environment (the same in every worker).

- BIPPOP_WEB_ORIGIN: the site's public address (`https://bippop.example.fr`), for the
  Origin check and the e-mailed links (default: the request's own);
- BIPPOP_TRUSTED_PROXIES: addresses or networks of the reverse proxies whose
  X-Forwarded-For is believed (default: none);
- BIPPOP_SMTP_HOST / _PORT / _USER / _PASSWORD / _FROM / _TLS (starttls, ssl or none):
  the mail server of the sign-in links (default: localhost:25, no TLS);
- BIPPOP_WEB_LIMITS: `ip=5/600,commune=120/3600,mail=3/3600,space=30/600` (count/seconds);
- BIPPOP_WEB_MIN_FILL_S: the seconds a person takes at least to fill a form (3).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field

DEFAULT_LIMITS = "ip=5/600,commune=120/3600,mail=3/3600,space=30/600"


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


@dataclass(frozen=True)
class Smtp:
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = "Bip Pop <ne-pas-repondre@bippop.fr>"
    tls: str = "none"  # none / starttls / ssl


@dataclass(frozen=True)
class WebConfig:
    origin: str = ""
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    smtp: Smtp = Smtp()
    limits: dict[str, Limit] = field(default_factory=dict)
    min_fill_s: float = 3.0


def parse_limits(text: str) -> dict[str, Limit]:
    limits: dict[str, Limit] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        count, _, seconds = value.partition("/")
        limits[name.strip()] = Limit(int(count), int(seconds))
    return limits


def from_environment(env: dict[str, str] | None = None) -> WebConfig:
    env = dict(os.environ if env is None else env)
    proxies = tuple(
        ipaddress.ip_network(item.strip(), strict=False)
        for item in env.get("BIPPOP_TRUSTED_PROXIES", "").split(",")
        if item.strip()
    )
    smtp = Smtp(
        host=env.get("BIPPOP_SMTP_HOST", "localhost"),
        port=int(env.get("BIPPOP_SMTP_PORT", "25")),
        user=env.get("BIPPOP_SMTP_USER", ""),
        password=env.get("BIPPOP_SMTP_PASSWORD", ""),
        sender=env.get("BIPPOP_SMTP_FROM", Smtp.sender),
        tls=env.get("BIPPOP_SMTP_TLS", "none"),
    )
    limits = parse_limits(DEFAULT_LIMITS) | parse_limits(env.get("BIPPOP_WEB_LIMITS", ""))
    return WebConfig(
        origin=env.get("BIPPOP_WEB_ORIGIN", "").rstrip("/"),
        trusted_proxies=proxies,
        smtp=smtp,
        limits=limits,
        min_fill_s=float(env.get("BIPPOP_WEB_MIN_FILL_S", "3")),
    )
