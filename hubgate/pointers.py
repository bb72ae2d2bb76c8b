"""RFC 6901 JSON pointers: how hubgate names a place in a document."""

from __future__ import annotations

from typing import Any


def escape_token(token: Any) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: Any) -> str:
    return base + "".join("/" + escape_token(t) for t in tokens)
