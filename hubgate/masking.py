"""Masking secret values out of any text hubgate prints: the one ``mask`` every command uses.

Secrets are registered where they are read (a bundle's keys, SAS, key file, every ``${env:NAME}`` value)
and masked in every text that goes through ``mask`` -- with or without the caller's own list -- so input
errors raised before a bundle is complete are masked too. ``hubgate.redact`` builds the whole output layer
on this.
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_LEN = 4  # shorter values would mask ordinary words
_SECRETS: set[str] = set()


def register(*values: str | None) -> None:
    """Remember values that must never be printed (for the rest of the process)."""
    for v in values:
        if isinstance(v, str) and len(v) >= MIN_LEN:
            _SECRETS.add(v)


def registered() -> frozenset[str]:
    """Every value registered so far."""
    return frozenset(_SECRETS)


def forget_all() -> None:
    """Tests only: a fresh registry."""
    _SECRETS.clear()


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """Last line of defence: no secret value leaves hubgate, whatever a message quoted.

    Every registered secret and every one of ``secrets``; longer secrets first (one may contain another);
    values under 4 characters are left alone (masking them would garble ordinary words)."""
    values = _SECRETS.union(s for s in secrets if isinstance(s, str) and len(s) >= MIN_LEN)
    for s in sorted(values, key=len, reverse=True):
        if s in text:
            text = text.replace(s, "****")
    return text
