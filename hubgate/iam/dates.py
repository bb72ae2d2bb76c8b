"""Date values of the IAM Date condition operators.

"You must specify date/time values with one of the W3C implementations of the ISO 8601 date formats or in
epoch (UNIX) time" (IAM User Guide, "IAM JSON policy elements: Condition operators", "Date condition
operators", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date).
The W3C note (https://www.w3.org/TR/NOTE-datetime) lists six forms: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``,
``YYYY-MM-DDThh:mmTZD``, ``YYYY-MM-DDThh:mm:ssTZD`` and ``YYYY-MM-DDThh:mm:ss.sTZD`` (TZD ``Z`` or
``+hh:mm`` / ``-hh:mm``).

Choices where the pages are silent:

* A reduced-precision form names the first instant of its period (``2020-01`` is 2020-01-01T00:00:00Z), as
  ISO 8601 readers commonly do; ``DateEquals "2020-01"`` therefore does not mean "any time in January".
* A form without a time zone (the date-only forms, and ISO forms Python reads without an offset) is UTC.
* Four digits alone are the W3C year form, not epoch second 2020: ``"2020"`` in a policy means the year. Any
  other number (and an int or float value) is epoch seconds, with a fraction if given.
* Other ISO 8601 spellings Python's ``datetime.fromisoformat`` reads (a space for ``T``, ``+0000``, basic
  ``20200101``) are accepted as before; anything else is no date, so the comparison is false.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

_EPOCH = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_W3C = re.compile(
    r"(?P<y>\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d+))?)?(?P<tz>Z|[+-]\d{2}:\d{2}))?)?)?",
    re.IGNORECASE,
)


def _w3c(s: str) -> datetime | None:
    m = _W3C.fullmatch(s)
    if m is None:
        return None
    g = m.groupdict()
    frac = g["f"] or ""
    micro = int((frac + "000000")[:6]) if frac else 0
    tz = timezone.utc
    if g["tz"] and g["tz"].upper() != "Z":
        sign = 1 if g["tz"][0] == "+" else -1
        hh, mm = int(g["tz"][1:3]), int(g["tz"][4:6])
        if hh > 23 or mm > 59:
            return None
        tz = timezone(sign * timedelta(hours=hh, minutes=mm))
    return datetime(int(g["y"]), int(g["mo"] or 1), int(g["d"] or 1), int(g["h"] or 0), int(g["mi"] or 0),
                    int(g["s"] or 0), micro, tzinfo=tz)


def parse_date(v: Any) -> datetime | None:
    """A Date operator value as an aware datetime; None when it is not a date."""
    try:
        if isinstance(v, bool):
            return None
        if isinstance(v, (int, float)):
            return datetime.fromtimestamp(v, tz=timezone.utc)
        s = str(v).strip()
        d = _w3c(s)
        if d is not None:
            return d
        if _EPOCH.fullmatch(s):
            return datetime.fromtimestamp(float(s), tz=timezone.utc)
        d = datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)
