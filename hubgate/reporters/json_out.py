"""``--format json``: one document, ``{"findings": [...], "summary": {...}}``. Its text is written with the C
string encoder (:func:`pretty_json`, :func:`flat_json`), as the streaming writer writes it too."""

from __future__ import annotations

import json
from itertools import chain
from json.encoder import encode_basestring as _enc
from operator import attrgetter

from ..findings import Finding

try:  # a declared dependency; the pure path below stays for data orjson would write otherwise
    import orjson
except ImportError:  # pragma: no cover - only without the dependency
    orjson = None


def render(report) -> str:
    made = report.findings_text  # the findings' text, written by the processes that checked them
    text = _rest(report, made)
    if made:  # the empty list the document starts with (its first key), replaced by the findings' text
        runs = [run.decode("utf-8") for run in made]
        return "".join([_OPEN.decode(), *_between(runs, ",\n"), _CLOSE.decode(), text[len(_EMPTY):], "\n"])
    return text + "\n"


def render_chunks(report) -> list[bytes] | None:
    """The document :func:`render` writes, as UTF-8 pieces to be written one after the other (the findings' text
    as their processes made it: a corpus report of 12 MB is neither joined nor decoded and encoded again); None
    unless the findings' text was made (``Report.findings_text``). A lone surrogate outside the findings (an
    undecodable file name in an input error) is written as an escape, as every report is written
    (``hubgate.redact.encodable``)."""
    made = report.findings_text
    if not made:
        return None
    rest = _rest(report, made)[len(_EMPTY):] + "\n"
    return [_OPEN, *_between(made, b",\n"), _CLOSE, rest.encode("utf-8", "backslashreplace")]


def _rest(report, made) -> str:
    """The document without the findings' text when it was made (their list left empty, see :func:`render`)."""
    listed = [] if made is not None else report.findings  # (the others, for the document's empty list)
    doc = {
        "findings": [f.to_dict() for f in listed],
        "summary": report.summary(),
    }
    if report.errors:
        doc["errors"] = [{"file": e.file, "message": e.problem} for e in report.errors]
    if report.suppressed:
        doc["suppressed"] = [f.to_dict() for f in report.suppressed]
    known = [k for k, findings in (("findings", listed), ("suppressed", report.suppressed))
             if _plain_findings(findings)]
    return _dumps(doc, known)


def _between(runs: list, sep):
    """The runs with ``sep`` between them."""
    for i, run in enumerate(runs):
        if i:
            yield sep
        yield run


_OPEN, _CLOSE = b'{\n  "findings": [\n', b"\n  ]"  # the start of a document whose findings are a list, and its end
_EMPTY = '{\n  "findings": []'  # ... and the start of one whose list is empty (the findings' text replaces "[]")


def findings_text(findings: list) -> bytes | None:
    """The UTF-8 text of the findings' list items as :func:`render` writes them in a document (without the list's
    brackets; empty for none), so that the texts of consecutive runs of findings, joined with ",\n", are the
    list's; None unless orjson writes them (plain findings, see :func:`_dumps`). Made where the findings are (the
    processes of a ``check``), not all at once at the end, and kept as orjson's bytes to the report's file."""
    if not findings:
        return b""
    if orjson is None or not _plain_findings(findings):
        return None
    try:
        text = orjson.dumps({"findings": [f.to_dict() for f in findings]}, option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError:
        return None
    return text[len(_OPEN):-len(_CLOSE + b"\n}")]


_FIELDS = attrgetter("rule", "severity", "message", "file", "pointer", "line", "column", "fix", "help", "suppressed")


def _plain_findings(findings: list) -> bool:
    """Are the dicts of these findings plain (see ``_plain``)? Read from the findings themselves, a C loop over
    their fields: a ``Finding``'s ``to_dict`` is a flat dict of its fields under string keys."""
    return (set(map(type, findings)) <= {Finding}
            and set(map(type, chain.from_iterable(map(_FIELDS, findings)))) <= _SCALARS)


def _dumps(doc: dict, known_plain: list[str] | tuple[str, ...] = ()) -> str:
    """``json.dumps(doc, indent=2, ensure_ascii=False)``, byte for byte. With an indent, Python 3.11's json
    encodes in pure Python (~1.5 s for the 28k findings of a corpus run). A document of plain values (``_plain``)
    is written by orjson, whose two-space indent is that layout for them (every code point escaped alike,
    tested), ~6x faster than the finding lists written here by :func:`flat_json` otherwise. ``known_plain``:
    top-level lists the caller has found plain already."""
    if orjson is not None and _plain({k: v for k, v in doc.items() if k not in known_plain}):
        try:
            return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode()
        except orjson.JSONEncodeError:  # a lone surrogate, an integer beyond 64 bits: as json writes them
            pass
    lists = [k for k in ("findings", "suppressed") if doc.get(k)]
    if not all(isinstance(d, dict) and all(isinstance(k, str) for k in d) for key in lists for d in doc[key]):
        return json.dumps(doc, indent=2, ensure_ascii=False)
    out = json.dumps({k: ([] if k in lists else v) for k, v in doc.items()}, indent=2, ensure_ascii=False)
    for key in lists:  # each list key appears once, as a key of the top level, followed by []
        text = "[\n    " + ",\n    ".join(flat_json(d) for d in doc[key]) + "\n  ]"
        out = out.replace(f"\n  {_enc(key)}: []", f"\n  {_enc(key)}: {text}", 1)
    return out


_SCALARS = frozenset({str, int, bool, type(None)})  # floats aside: orjson writes some otherwise (1e16)
_CONTAINERS = frozenset({dict, list})


def _plain(doc) -> bool:
    """Only dicts with string keys, lists, strings, integers, booleans and None (exact types), checked a level
    of the tree at a time with C loops (a corpus report holds a quarter of a million values)."""
    level = [doc]
    while level:
        types = set(map(type, level))
        if not types <= _SCALARS | _CONTAINERS:
            return False
        if not types & _CONTAINERS:
            return True
        dicts = [v for v in level if type(v) is dict]
        if not set(map(type, chain.from_iterable(dicts))) <= {str}:
            return False
        level = [*chain.from_iterable(map(dict.values, dicts)),
                 *chain.from_iterable(v for v in level if type(v) is list)]
    return True


def pretty_json(v, level: int = 0) -> str:
    """``json.dumps(v, indent=2, ensure_ascii=False)`` for a value nested ``level`` deep (its lines indented
    by ``2 * level`` more spaces), built with the C string encoder: json.dumps with ``indent`` takes the
    pure-Python encoder, ~12 us for a flat finding and ~100 us for a SARIF result; this takes a few."""
    t = type(v)
    if t is str:
        return _enc(v)
    if t is dict:
        if not v:
            return "{}"
        pad = "\n" + "  " * (level + 1)
        return "{" + pad + ("," + pad).join(
            _enc(k) + ": " + pretty_json(x, level + 1) for k, x in v.items()) + "\n" + "  " * level + "}"
    if t is list or t is tuple:
        if not v:
            return "[]"
        pad = "\n" + "  " * (level + 1)
        return "[" + pad + ("," + pad).join(pretty_json(x, level + 1) for x in v) + "\n" + "  " * level + "]"
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is int:
        return int.__repr__(v)
    # floats (and anything else, e.g. str subclasses or dict keys that are not strings): json's own rendering
    return json.dumps(v, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)


def flat_json(d: dict) -> str:
    """A finding's dict as the JSON report writes it (two levels deep): :func:`pretty_json` ``(d, 2)``,
    inlined for the flat dict of strings, integers and nulls that a finding is (~2 us instead of ~5)."""
    parts = []
    for k, v in d.items():
        if type(v) is str:
            parts.append(_enc(k) + ": " + _enc(v))
        elif v is None:
            parts.append(_enc(k) + ": null")
        elif type(v) is int:
            parts.append(_enc(k) + ": " + int.__repr__(v))
        else:
            parts.append(_enc(k) + ": " + pretty_json(v, 3))
    return "{\n      " + ",\n      ".join(parts) + "\n    }" if parts else "{}"
