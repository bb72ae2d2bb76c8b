"""The one layer every printed text goes through: secrets masked, unprintable characters escaped.

Secrets are registered where they are read (a bundle's keys, SAS, key file, every ``${env:NAME}`` value)
and masked wherever text leaves hubgate: reports (``hubgate.output.write_report``), input-error lines
(``str(InputError)``), the baseline file. Text that cannot be encoded (a lone surrogate from a value or a
non-UTF-8 file name) is written escaped; control characters are escaped where they would corrupt the
output (terminal text, XML).
"""

from __future__ import annotations

import re

MIN_LEN = 4  # shorter values would mask ordinary words
_SECRETS: set[str] = set()


def register(*values: str | None) -> None:
    """Remember values that must never be printed (for the rest of the process)."""
    for v in values:
        if isinstance(v, str) and len(v) >= MIN_LEN:
            _SECRETS.add(v)


def forget_all() -> None:
    """Tests only: a fresh registry."""
    _SECRETS.clear()


def mask(text: str, secrets=()) -> str:
    """Every registered secret, and every one of ``secrets``, replaced by ``****``."""
    values = _SECRETS.union(s for s in secrets if isinstance(s, str) and len(s) >= MIN_LEN)
    for s in sorted(values, key=len, reverse=True):
        if s in text:
            text = text.replace(s, "****")
    return text


def encodable(text: str) -> str:
    """Lone surrogates (undecodable file-name bytes, ``"\\ud800"`` in a value) written as escapes."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # not \t \n \r


def escape_controls(text: str) -> str:
    """C0/C1 control characters (terminal escapes, characters XML 1.0 forbids) as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def clean(text: str, secrets=()) -> str:
    """What every output path applies: masked and encodable."""
    return encodable(mask(text, secrets))
