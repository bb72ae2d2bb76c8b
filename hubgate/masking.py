"""Masking secret values out of any text hubgate prints: the one ``mask`` every command uses."""

from __future__ import annotations

from collections.abc import Iterable


def mask(text: str, secrets: Iterable[str]) -> str:
    """Last line of defence: no secret value leaves hubgate, whatever a message quoted.

    Longer secrets first (one may contain another); values under 4 characters are left alone (masking
    them would garble ordinary words)."""
    for s in sorted(set(secrets), key=len, reverse=True):
        if len(s) >= 4:
            text = text.replace(s, "****")
    return text
