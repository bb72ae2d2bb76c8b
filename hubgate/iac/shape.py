"""The types the Terraform and CloudFormation loaders walk, checked before they walk them.

A plan or template is foreign structure: ``Policies: 5`` or ``planned_values: 5`` must end in one clear
input error naming the place and the expected type, not in a traceback. Only what the loaders read is
constrained; everything else is left to Terraform and CloudFormation.
"""

from __future__ import annotations

from functools import cache

from jsonschema import Draft202012Validator

from ..errors import InputError
from ..source import Document
from ..validation import describe


def _obj(**props) -> dict:
    return {"type": ["object", "null"], "properties": props} if props else {"type": ["object", "null"]}


def _arr(items: dict | None = None) -> dict:
    return {"type": ["array", "null"], "items": items} if items else {"type": ["array", "null"]}


_MODULE = _obj(resources=_arr({"type": "object", "properties": {"address": {"type": "string"}}}),
               child_modules=_arr({"$ref": "#/$defs/module"}))
_CONFIG_MODULE = _obj(
    resources=_arr({"type": "object", "properties": {"address": {"type": "string"}, "expressions": _obj()}}),
    module_calls={"type": ["object", "null"], "additionalProperties": _obj(module={"$ref": "#/$defs/config_module"})},
)
_PROVIDER = _obj(expressions=_obj(region=_obj(references=_arr())))

PLAN = {
    "type": "object",
    "properties": {
        "planned_values": _obj(root_module={"$ref": "#/$defs/module"}),
        "prior_state": _obj(values=_obj(root_module={"$ref": "#/$defs/module"})),
        "configuration": _obj(root_module={"$ref": "#/$defs/config_module"},
                              provider_config={"type": ["object", "null"], "additionalProperties": _PROVIDER}),
        "resource_changes": _arr(),
        "variables": _obj(),
    },
    "$defs": {"module": _MODULE, "config_module": _CONFIG_MODULE},
}

TEMPLATE = {
    "type": "object",
    "properties": {
        # Parameters and Resources of another type are read as empty (the loader says there is no role)
        "Resources": {"additionalProperties": {"type": "object", "properties": {
            "Type": {"type": "string"},
            "Properties": {"type": ["object", "null"], "properties": {
                "Policies": {"type": ["array", "null"], "items": {"type": "object", "required": ["PolicyDocument"]}},
                "ManagedPolicyArns": {"type": ["array", "null"]},
                "Roles": {"type": ["array", "null"]},
                "CorsConfiguration": _obj(CorsRules=_arr({"type": "object"})),
            }},
        }}},
    },
}


@cache
def _validator(which: str) -> Draft202012Validator:
    return Draft202012Validator(PLAN if which == "plan" else TEMPLATE)


def check_shape(which: str, doc: Document, what: str) -> None:
    """InputError for the first place where the plan/template has a type its loader cannot walk."""
    errors = sorted(_validator(which).iter_errors(doc.data), key=lambda e: (len(e.absolute_path), str(e.absolute_path)))
    if errors:
        raise InputError(doc.file, f"not a valid {what}: {describe(doc, errors[0])}")
