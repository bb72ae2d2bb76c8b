"""Access to the JSON Schemas shipped in ``hubgate.schemas`` and validation with ``jsonschema``."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from jsonschema import Draft202012Validator

from .errors import InputError
from .source import Document, join_pointer

SCHEMAS = ("bundle", "profile", "cors", "manifest")


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    text = resources.files("hubgate.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name))


def validate(name: str, doc: Document, what: str) -> None:
    """Raise InputError for the first (most relevant) schema violation, naming the pointer and line."""
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
