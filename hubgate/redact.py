"""The one layer every printed text goes through: secrets masked, unprintable characters escaped.

Secrets are registered where they are read (a bundle's keys, SAS, key file, every ``${env:NAME}`` value)
and masked wherever text leaves hubgate: reports (``hubgate.output.write_report``), input-error lines
(``str(InputError)``), the baseline file. Text that cannot be encoded (a lone surrogate from a value or a
non-UTF-8 file name) is written escaped; control characters are escaped where they would corrupt the
output (terminal text, XML).
"""

from __future__ import annotations

import re

from .masking import forget_all, mask, register  # noqa: F401 - the registry, re-exported


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
