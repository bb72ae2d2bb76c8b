"""Azure shared access signatures (SAS): parsing a token or SAS URL, its times and permission letters.

Permission letters, services and times follow Microsoft's SAS reference ("Create a service SAS", "Create an
account SAS": https://learn.microsoft.com/rest/api/storageservices/create-service-sas and
.../create-account-sas). The signature (``sig``) is a secret: :func:`shown` never includes it.

``azure-storage-blob`` has no public SAS parser (its ``_shared.base_client.parse_query`` is private and
calls ``urllib.parse.parse_qs`` as this module does; ``ContainerSasPermissions.from_string`` drops letters it
does not know, which are exactly what the rules must report), and it would pull azure-core, cryptography
and requests into the default install: the standard library parses the query here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

PERMISSION_NAMES = {
    "r": "read", "a": "add", "c": "create", "w": "write", "d": "delete", "x": "delete version",
    "y": "permanent delete", "l": "list", "t": "tags", "f": "filter by tags", "m": "move", "e": "execute",
    "o": "change ownership", "p": "permissions or process", "i": "set immutability policy", "u": "update",
}
SERVICES = {"b": "Blob", "f": "File", "q": "Queue", "t": "Table"}


@dataclass
class Sas:
    """A parsed Azure SAS: the token's query parameters, and the URL parts when a SAS URL was given."""

    params: dict[str, str]
    url: bool = False
    host: str | None = None
    path: str | None = None
    problem: str | None = None  # why it could not be parsed (no value quoted)

    def get(self, key: str) -> str | None:
        return self.params.get(key)


def parse_sas(value: str) -> Sas:
    """Parse a SAS token (``sv=...&sig=...``, with or without a leading ``?``) or a SAS URL."""
    text = value.strip()
    if re.match(r"(?i)https?://", text):
        parts = urlsplit(text)
        sas = Sas({}, url=True, host=(parts.hostname or "").lower() or None, path=unquote(parts.path or ""))
        query = parts.query
    else:
        sas = Sas({})
        query = text[1:] if text.startswith("?") else text
    if not query:
        sas.problem = "has no query parameters"
        return sas
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        sas.problem = "is not a query string of name=value pairs"
        return sas
    for k, v in pairs:
        sas.params.setdefault(k, v)
    return sas


def parse_time(value: str) -> dt.datetime | None:
    """A SAS time (``st``/``se``): ISO 8601 UTC, date only or with time (``2027-05-22T00:00:00Z``)."""
    text = value.strip()
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.timezone.utc)


def shown(sas: Sas, *keys: str) -> str:
    """SAS fields for a message (never ``sig``)."""
    return "&".join(f"{k}={sas.get(k)}" for k in keys if k != "sig" and sas.get(k) is not None)


def letters(perms: str) -> str:
    """Permission letters with their names, for a message: ``r (read), l (list)``."""
    return ", ".join(f"{c} ({PERMISSION_NAMES.get(c, 'unknown')})" for c in perms)
