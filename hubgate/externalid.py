"""How guessable an external ID is, and a fresh one to offer instead (HG206's error tier, HG202's fix).

"Trivially guessable" (HG206 ``error``): under 8 characters, digits only, a dictionary word, or a
documentation example. The dictionaries are zxcvbn's frequency lists (the maintained password-strength
estimator: English words from Wikipedia and TV/film subtitles, common passwords, first names, surnames);
the value is looked up whole, ignoring case. Documentation examples are values printed in AWS's pages on
the external ID ("Unique ID Assigned by Example Corp" in the IAM User Guide, "Access to AWS accounts owned by
third parties", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html)
and, generally, any value containing "example"; the nil and the all-digits-in-order UUIDs that stand in for
a real one in examples. The vendor's own placeholder (``your-external-id-for-the-role-here``) is HG109's.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

TRIVIAL_LENGTH = 8
DOC_EXAMPLES = frozenset({
    "unique id assigned by example corp",
    "00000000-0000-0000-0000-000000000000",
    "12345678-1234-1234-1234-123456789012",
    "12345678-1234-5678-1234-567812345678",
})


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(w.lower() for words in FREQUENCY_LISTS.values() for w in words)


def documentation_example(value: str) -> bool:
    low = value.strip().lower()
    return low in DOC_EXAMPLES or "example" in low


def trivial_reasons(value: str) -> list[str]:
    """Why an external ID is trivially guessable (empty when it is not)."""
    reasons = []
    if len(value) < TRIVIAL_LENGTH:
        reasons.append(f"it is under {TRIVIAL_LENGTH} characters")
    if value.isdigit():
        reasons.append("it is only digits")
    if value.lower() in _dictionary():
        reasons.append("it is a dictionary word")
    if documentation_example(value):
        reasons.append("it is a documentation example")
    return reasons


def fresh_external_id() -> str:
    """A new random external ID (UUID4: 122 random bits from the OS's CSPRNG)."""
    return str(uuid.uuid4())
