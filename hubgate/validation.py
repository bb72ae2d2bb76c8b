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
    err = errors[0]
    ptr = join_pointer(doc.base, *err.absolute_path)
    line, _ = doc.position(ptr)
    at = f"{ptr or '/'}" + (f" (line {line})" if line else "")
    raise InputError(doc.file, f"not a valid {what}: {at}: {_short(err)}")


def _short(err) -> str:
    msg = err.message
    if err.validator == "additionalProperties":
        return msg
    if err.validator == "oneOf" and err.context:
        return msg if len(msg) < 120 else f"{msg[:117]}..."
    return msg if len(msg) < 200 else f"{msg[:197]}..."
