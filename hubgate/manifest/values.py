"""What the validator's modules share: JSON pointers, type names, short JSON renderings, the stop signal."""

from __future__ import annotations

import json
from typing import Any

from .url import short


def ptr(base: str, index: int, *tokens: str) -> str:
    """The JSON pointer of asset ``index`` (and a field path in it) under ``base``."""
    return base + f"/{index}" + "".join("/" + t for t in tokens)


def type_name(v: Any) -> str:
    """How a finding names the JSON type of ``v`` ("a string", "null", ...)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "an object"
    return type(v).__name__


def json_short(v: Any) -> str:
    """``v`` as JSON, cut to 80 characters."""
    try:
        s = json.dumps(v, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        s = repr(v)
    return short(s, 80)


def is_number(s: str) -> bool:
    """Whether ``s`` reads as a float."""
    try:
        float(s)
        return True
    except ValueError:
        return False


class TooManyFindings(Exception):
    """--max-findings was reached: the run stops."""
