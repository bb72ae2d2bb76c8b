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

from . import cache

TRIVIAL_LENGTH = 8
DOC_EXAMPLES = frozenset({
    "unique id assigned by example corp",
    "00000000-0000-0000-0000-000000000000",
    "12345678-1234-1234-1234-123456789012",
    "12345678-1234-5678-1234-567812345678",
})


def _build_words() -> str | None:
    """zxcvbn's words, lower-cased, as one string ``"\\nword\\nword...\\n"``; None if a word holds a line
    break (then the set is used)."""
    words = _word_set()
    if any("\n" in w for w in words):
        return None
    return "\n" + "\n".join(sorted(words)) + "\n"


@lru_cache(maxsize=1)
def _word_set() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # deferred: ~40 ms, only when the cache is cold

    return frozenset(w.lower() for words in FREQUENCY_LISTS.values() for w in words)


@lru_cache(maxsize=1)
def _word_text() -> str | None:
    # importing zxcvbn's lists and lower-casing ~94k words costs ~0.1 s a run; the joined text is kept in the
    # user's cache per zxcvbn install (hubgate.cache), and a run does a substring search or two
    folder = cache.package_dir("zxcvbn")
    key = ("zxcvbn words", cache.file_stamp(folder / "frequency_lists.py") if folder else None)
    if folder is None:
        return None
    return cache.cached("zxcvbn-words", key, _build_words)


def dictionary_word(value: str) -> bool:
    """Is the value, ignoring case, one of zxcvbn's words?"""
    low = value.lower()
    text = _word_text()
    if text is None:
        return low in _word_set()
    return "\n" not in low and f"\n{low}\n" in text


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
    if dictionary_word(value):
        reasons.append("it is a dictionary word")
    if documentation_example(value):
        reasons.append("it is a documentation example")
    return reasons


def fresh_external_id() -> str:
    """A new random external ID (UUID4: 122 random bits from the OS's CSPRNG)."""
    return str(uuid.uuid4())
