"""Access to the JSON Schemas shipped in ``hubgate.schemas`` and validation with ``jsonschema``.

Importing jsonschema (with referencing, attrs and rpds) costs ~0.1 s, a third of checking one bundle. Most
documents are valid, so :func:`validate` first asks :func:`quick_valid`, a small checker for the keywords
our schemas use; only when it cannot say "valid" for sure (a violation, or a keyword it does not know) is
jsonschema imported, and its errors are what the user sees. ``quick_valid`` never answers True where
jsonschema finds an error (property-tested against jsonschema).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .source import Document, join_pointer

SCHEMAS = ("bundle", "profile", "cors", "manifest")


@cache
def schema(name: str) -> dict:
    text = resources.files("hubgate.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


@cache
def validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # here: see the module docstring

    return Draft202012Validator(schema(name))


def is_valid(name: str, data: Any) -> bool:
    """Does ``data`` satisfy the schema (jsonschema's answer, without importing it when the quick check can
    give that answer)?"""
    return quick_valid(name, data) or not any(True for _ in validator(name).iter_errors(data))


def validate(name: str, doc: Document, what: str) -> None:
    """Raise InputError for the first (most relevant) schema violation, naming the pointer and line."""
    if quick_valid(name, doc.data):
        return
    errors = sorted(validator(name).iter_errors(doc.data), key=lambda e: (len(e.absolute_path), str(e.absolute_path)))
    if not errors:
        return
    raise InputError(doc.file, f"not a valid {what}: {describe(doc, errors[0], name)}")


def describe(doc: Document, err, name: str = "") -> str:
    """Where the schema error is (pointer and line) and what is wrong, without quoting what may be secret."""
    ptr = join_pointer(doc.base, *err.absolute_path)
    line, _ = doc.position(ptr)
    at = f"{ptr or '/'}" + (f" (line {line})" if line else "")
    # a referenced file's content is never quoted (it may be any file: a credentials file, a key), nor a
    # field that holds or may hold a secret
    quote = (name == "bundle" or doc.base != "") and not any(str(t).lower() in _SECRET_FIELDS for t in
                                                             (*doc.base.split("/"), *err.absolute_path))
    return f"{at}: {_short(err, quote)}"


_JSON_TYPE = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number",
              type(None): "null"}


_SECRET_FIELDS = {"access_key_id", "secret_access_key", "sas", "external_id", "credentials", "private_key",
                  "client_secret", "refresh_token", "token", "password", "secret"}


def _short(err, quote: bool = False) -> str:
    """The schema's complaint without the value: it may be a secret (a key given as a list, a SAS as a
    mapping) or a referenced file's content; the field and the expected type say enough."""
    short_scalar = isinstance(err.instance, (str, int, float, bool)) and len(str(err.instance)) <= 64
    msg = err.message if quote and short_scalar else _without_value(err)
    if err.validator == "additionalProperties":
        return msg
    if err.validator == "oneOf" and err.context:
        return msg if len(msg) < 120 else f"{msg[:117]}..."
    return msg if len(msg) < 200 else f"{msg[:197]}..."


def _without_value(err) -> str:
    msg = err.message
    got = _JSON_TYPE.get(type(err.instance), type(err.instance).__name__)
    if err.validator == "type":
        expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        return f"expected {' or '.join(map(str, expected))}, got {got}"
    text = repr(err.instance)
    shown = f"this {got}" if isinstance(err.instance, (dict, list)) else f"the {got}"
    if msg.startswith(text):
        return shown + msg[len(text):]
    if msg.endswith(text):
        return msg[:-len(text)] + shown
    if isinstance(err.instance, (str, dict, list)) and text in msg:
        return msg.replace(text, shown)
    return msg


# --- the quick check ---------------------------------------------------------------------------------------
#
# Three answers: True (valid), False (invalid) and None (cannot tell: a keyword or value outside what is
# implemented). A True is only given when every keyword on the way was checked exactly as jsonschema's
# Draft 2020-12 validator (no format assertion) checks it; inside ``oneOf`` a False must be exact too, so the
# checker is exact for everything it does not answer None for.

_IGNORED = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples", "$defs",
                      "definitions", "format", "deprecated", "readOnly", "writeOnly"})
_SCALARS = (str, int, float, bool, type(None))


def quick_valid(name: str, data: Any) -> bool:
    """True only when ``data`` is certainly valid against schema ``name``."""
    root = schema(name)
    try:
        return _check(root, data, root, 0) is True
    except RecursionError:
        return False


def _is_type(value: Any, t: str) -> bool | None:
    if t == "string":
        return isinstance(value, str)
    if t == "object":
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, list)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "null":
        return value is None
    if t == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return None


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _check(sch: Any, value: Any, root: dict, depth: int) -> bool | None:
    if sch is True:
        return True
    if sch is False:
        return False
    if not isinstance(sch, dict) or depth > 64:
        return None
    if not isinstance(value, (dict, list) + _SCALARS):
        return None
    verdict: bool | None = True
    for key, arg in sch.items():
        if key in _IGNORED:
            continue
        ok = _keyword(key, arg, sch, value, root, depth)
        if ok is False:
            return False
        if ok is None:
            verdict = None
    return verdict


def _all(results) -> bool | None:
    verdict: bool | None = True
    for ok in results:
        if ok is False:
            return False
        if ok is None:
            verdict = None
    return verdict


def _keyword(key: str, arg: Any, sch: dict, value: Any, root: dict, depth: int) -> bool | None:
    if key == "type":
        types = arg if isinstance(arg, list) else [arg]
        answers = [_is_type(value, t) for t in types]
        if None in answers:
            return None
        return any(answers)
    if key == "$ref":
        if not isinstance(arg, str) or not arg.startswith("#/"):
            return None
        target: Any = root
        for token in arg[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or token not in target:
                return None
            target = target[token]
        return _check(target, value, root, depth + 1)
    if key == "properties":
        if not isinstance(value, dict):
            return True
        return _all(_check(sub, value[k], root, depth + 1) for k, sub in arg.items() if k in value)
    if key == "patternProperties":
        if not isinstance(value, dict):
            return True
        return _all(_check(sub, v, root, depth + 1) for pattern, sub in arg.items()
                    for k, v in value.items() if _regex(pattern).search(k))
    if key == "additionalProperties":
        if not isinstance(value, dict):
            return True
        props = sch.get("properties", {})
        patterns = [_regex(p) for p in sch.get("patternProperties", {})]
        extra = [v for k, v in value.items() if k not in props and not any(p.search(k) for p in patterns)]
        return _all(_check(arg, v, root, depth + 1) for v in extra)
    if key == "required":
        return not isinstance(value, dict) or all(k in value for k in arg)
    if key == "items":
        if not isinstance(value, list):
            return True
        if "prefixItems" in sch or not isinstance(arg, (dict, bool)):
            return None
        return _all(_check(arg, v, root, depth + 1) for v in value)
    if key == "minItems":
        return not isinstance(value, list) or len(value) >= arg
    if key == "minLength":
        return not isinstance(value, str) or len(value) >= arg
    if key == "pattern":
        return not isinstance(value, str) or _regex(arg).search(value) is not None
    if key in ("enum", "const"):
        options = arg if key == "enum" else [arg]
        if not all(isinstance(o, str) for o in options):
            return None
        return isinstance(value, str) and value in options
    if key in ("minimum", "exclusiveMinimum"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return True
        if not isinstance(arg, (int, float)) or isinstance(arg, bool):
            return None
        return value >= arg if key == "minimum" else value > arg
    if key == "oneOf":
        answers = [_check(sub, value, root, depth + 1) for sub in arg]
        if None in answers:
            return None
        return answers.count(True) == 1
    return None  # a keyword not implemented here: jsonschema decides
