"""The JSON and YAML readers behind ``hubgate.source.parse_text``: the same guards on every path.

* JSON text is read by the standard JSON parser (duplicate keys refused through ``object_pairs_hook``,
  numbers too long for Python refused) and located by a linear scan of its tokens.
* YAML is built from the parser's event stream with an explicit stack: no node tree (memory proportional
  to the file), no recursion (nesting is capped by counting), aliases counted and copied, duplicate and
  merge keys refused. Plain scalars follow the YAML 1.2 core schema: ``yes``/``on`` stay words, and an
  integer written with leading zeros (``0123456701234567``) stays the text it was written as.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import yaml

from .errors import InputError
from .jsonpos import LazyJsonPositions, json_positions
from .nesting import MAX_ALIAS_VALUES, MAX_DEPTH, bracket_depth, json_depth
from .positions import MapNode, Positions, SeqNode, TreeBuilder, pack

try:  # the C parser is ~10x faster; fall back to pure Python where libyaml is missing
    _Parser = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Parser = yaml.SafeLoader

MAX_DIGITS = 4300  # Python's int() limit for decimal text


class _Duplicate(Exception):
    def __init__(self, key: str):
        self.key = key


def _too_long(file: str, line: int | None = None) -> InputError:
    at = f"line {line}: " if line else ""
    return InputError(file, f"{at}a number has more than {MAX_DIGITS} digits; quote it if it is text")


# ------------------------------------------------------------------------------------------------ JSON


def _pairs(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set = set()
        for k, _ in pairs:
            if k in seen:
                raise _Duplicate(k)
            seen.add(k)
    return out


class _TooLong(Exception):
    pass


def _int(text: str) -> int:
    if len(text) > MAX_DIGITS:
        raise _TooLong()
    return int(text)


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_int)


def _too_deep(file: str) -> InputError:
    return InputError(file, f"nested more than {MAX_DEPTH} levels deep")


def load_json(text: str, file: str, base: str) -> tuple[Any, Positions] | None:
    """The value and positions of a JSON text; None when the text is not JSON (it may still be YAML)."""
    if text.startswith("\ufeff"):  # as json.loads refuses a str: then read as YAML
        if bracket_depth(text) > MAX_DEPTH:
            raise _too_deep(file)
        return None
    try:
        try:  # the nesting is checked first, as if before the decoder (read faster once the text is known valid)
            data = _DECODER.decode(text)  # json.loads(text, object_pairs_hook=_pairs, parse_int=_int), one decoder
        except Exception:
            if bracket_depth(text) > MAX_DEPTH:
                raise _too_deep(file) from None
            raise
        if json_depth(text) > MAX_DEPTH:
            raise _too_deep(file)
    except _Duplicate as dup:
        json_positions(text, file, base)  # names the line
        raise InputError(file, f"duplicate key {dup.key!r}") from None  # pragma: no cover - located above
    except _TooLong:
        raise _too_long(file) from None
    except RecursionError:  # pragma: no cover - the depth was checked
        raise _too_deep(file) from None
    except ValueError:
        return None
    # positions found per pointer when a finding asks (hubgate.jsonpos): scanning every token costs as much
    # as checking a policy, and most values are never asked about
    return data, LazyJsonPositions(text, file, base)


# ------------------------------------------------------------------------------------------------ YAML

_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_CANONICAL_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_OCT_HEX = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL = {".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"), "+.inf": float("inf"),
            "+.Inf": float("inf"), "+.INF": float("inf"), "-.inf": float("-inf"), "-.Inf": float("-inf"),
            "-.INF": float("-inf"), ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan")}
_STR_TAGS = {"!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}
_CORE_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}


def plain_scalar(value: str, file: str, line: int) -> Any:
    """A plain scalar under the YAML 1.2 core schema, except that integers not written canonically (leading
    zeros, a ``+``) keep their text: they are ids, not numbers."""
    if value in _NULL:
        return None
    b = _BOOL.get(value)
    if b is not None:
        return b
    if _INT.fullmatch(value):
        if len(value) > MAX_DIGITS:
            raise _too_long(file, line)
        return int(value) if _CANONICAL_INT.fullmatch(value) else value
    if _OCT_HEX.fullmatch(value):
        return int(value[2:], 8 if value[1] == "o" else 16) if len(value) <= MAX_DIGITS else value
    if _FLOAT.fullmatch(value):
        return float(value)
    return _SPECIAL.get(value, value)


def _scalar(ev: yaml.ScalarEvent, file: str) -> Any:
    tag = ev.tag
    if tag in _STR_TAGS or (tag is None and ev.style):
        return ev.value
    if tag is None or tag in _CORE_TAGS:
        return plain_scalar(ev.value, file, ev.start_mark.line + 1)
    return ev.value  # an unknown tag (``!!python/...``) constructs nothing: the text


def yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return str(problem)


def load_yaml(text: str, file: str, base: str) -> tuple[Any, Positions]:
    loader = _Parser(text)
    try:
        return _YamlBuilder(file).run(loader, base)
    except yaml.YAMLError as exc:
        raise InputError(file, f"not valid YAML/JSON: {yaml_problem(exc)}") from None
    finally:
        loader.dispose()


class _YamlBuilder:
    def __init__(self, file: str):
        self.file = file
        self.tb = TreeBuilder()
        self.values: list[Any] = []  # open collections; their pending keys are the position tree's (tb.keys)
        self.open_anchor: list[tuple[str | None, int]] = []
        self.anchors: dict[str, tuple[Any, int, Any]] = {}
        self.count = 0  # values produced, aliases counted by what they expand to
        self.alias_values = 0
        self.root: Any = None

    def err(self, mark, problem: str) -> InputError:
        return InputError(self.file, f"line {mark.line + 1}: {problem}")

    def _place(self, value: Any) -> None:
        """Put ``value`` where the parser is: the root, the open mapping's pending key (cleared when the value's
        position is attached), or the open sequence."""
        if not self.values:
            self.root = value
        elif type(self.values[-1]) is dict:
            self.values[-1][self.tb.keys[-1]] = value
        else:
            self.values[-1].append(value)

    def _attach(self, value: Any, pos_node: Any) -> None:
        self._place(value)
        self.tb.attach(pos_node)

    def _key(self, key: str, mark) -> None:
        if key == "<<":
            raise self.err(mark, "YAML merge keys are not supported")
        if not self.tb.key(key):
            raise self.err(mark, f"duplicate key {key!r}")

    def run(self, loader, base: str) -> tuple[Any, Positions]:
        docs = 0
        get = loader.get_event
        check = loader.check_event
        keys = self.tb.keys  # the pending key of each open mapping (None: expecting a key)
        while check():
            ev = get()
            kind = type(ev)
            expects_key = bool(self.values) and type(self.values[-1]) is dict and keys[-1] is None
            if kind is yaml.ScalarEvent:
                if expects_key:
                    self._key(ev.value, ev.start_mark)
                    if ev.anchor:
                        self.anchors[ev.anchor] = (ev.value, 1, None)
                    continue
                value = _scalar(ev, self.file)
                self.count += 1
                pos = pack(ev.start_mark.line + 1, ev.start_mark.column + 1)
                if ev.anchor:
                    self.anchors[ev.anchor] = (value, 1, pos)
                self._attach(value, pos)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if expects_key:
                    raise self.err(ev.start_mark, "a mapping key must be a plain value")
                if len(self.values) >= MAX_DEPTH:
                    raise self.err(ev.start_mark, f"nested more than {MAX_DEPTH} levels deep")
                pos = pack(ev.start_mark.line + 1, ev.start_mark.column + 1)
                value: Any = {} if kind is yaml.MappingStartEvent else []
                node = MapNode(pos) if kind is yaml.MappingStartEvent else SeqNode(pos)
                self.count += 1
                self._open(value, node, ev.anchor)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                self._close()
            elif kind is yaml.AliasEvent:
                self._alias(ev, expects_key)
            elif kind is yaml.DocumentStartEvent:
                docs += 1
                if docs > 1:
                    raise InputError(self.file, "several YAML documents in one file; put one bundle or policy per file")
        if not docs:
            raise InputError(self.file, "empty document, expected a YAML or JSON document")
        return self.root, Positions(base, self.tb.root)

    def _open(self, value: Any, node: Any, anchor: str | None) -> None:
        # attach the (still empty) collection to its parent, then make it the current one
        self._place(value)
        self.tb.start(node)
        self.values.append(value)
        self.open_anchor.append((anchor, self.count))

    def _close(self) -> None:
        value = self.values.pop()
        anchor, start = self.open_anchor.pop()
        node = self.tb.stack[-1]
        self.tb.end()
        if anchor:
            self.anchors[anchor] = (value, self.count - start + 1, node)

    def _alias(self, ev, expects_key: bool) -> None:
        if expects_key:
            raise self.err(ev.start_mark, "a mapping key must be a plain value")
        name = ev.anchor
        if name not in self.anchors:
            if any(a == name for a, _ in self.open_anchor):
                raise self.err(ev.start_mark, "recursive YAML alias")
            raise self.err(ev.start_mark, f"not valid YAML/JSON: found undefined alias {name!r}")
        value, n, node = self.anchors[name]
        self.alias_values += n
        if self.alias_values > MAX_ALIAS_VALUES:
            raise InputError(self.file, f"YAML aliases expand to more than {MAX_ALIAS_VALUES} values")
        self.count += n
        if node is None:  # an anchored key used as a value
            node = pack(ev.start_mark.line + 1, ev.start_mark.column + 1)
        self._attach(copy.deepcopy(value) if isinstance(value, (dict, list)) else value, node)
