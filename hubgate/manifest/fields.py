"""Checks of an asset's optional fields: ``width``/``height`` (HG513), ``metadata``, ``batches``,
``attachments``, ``contextData`` (HG514)."""

from __future__ import annotations

import math

from .rules import DIMENSIONS, FIELD_TYPES
from .values import is_number, json_short, ptr, type_name


class FieldChecks:
    """Mixed into :class:`~hubgate.manifest.validator.Validator` (which provides ``add`` and ``base``)."""

    def _optional(self, i: int, item: dict) -> None:
        for k in ("width", "height"):
            if k in item:
                v = item[k]
                ok = (type(v) is int and v > 0) or (type(v) is float and v > 0 and v.is_integer())
                if not ok:
                    fix = f'Remove "{k}" (it is only needed for bitmask export) or give the size in pixels'
                    if type(v) is str and v.strip().isdigit() and int(v) > 0:
                        fix = f'"{k}": {int(v)} (a number, not a string)'
                    elif type(v) is float and v > 0 and math.isfinite(v):
                        fix = f'"{k}": {round(v)}'
                    self.add(DIMENSIONS, ptr(self.base, i, k),
                             f"Asset {i}: \"{k}\" is {json_short(v)}, not a positive integer", fix=fix)
        if "metadata" in item:
            v = item["metadata"]
            if type(v) is not dict:
                self.add(FIELD_TYPES, ptr(self.base, i, "metadata"),
                         f"Asset {i}: \"metadata\" is {type_name(v)} ({json_short(v)}), not an object",
                         fix='Make "metadata" an object, e.g. {"frameRate": 30}')
            elif "frameRate" in v:
                fr = v["frameRate"]
                if isinstance(fr, bool) or not isinstance(fr, (int, float)) or not fr > 0:
                    fix = f'"frameRate": {fr}' if isinstance(fr, str) and is_number(fr) else '"frameRate": 30 (a positive number)'
                    self.add(FIELD_TYPES, ptr(self.base, i, "metadata", "frameRate"),
                             f"Asset {i}: metadata.frameRate is {json_short(fr)}, not a positive number", fix=fix)
        if "batches" in item:
            v = item["batches"]
            if type(v) is not list:
                fix = f'"batches": [{json_short(v)}]' if isinstance(v, str) else '"batches": ["<batch name>"]'
                self.add(FIELD_TYPES, ptr(self.base, i, "batches"),
                         f"Asset {i}: \"batches\" is {type_name(v)} ({json_short(v)}), not a list of strings", fix=fix)
            else:
                for j, b in enumerate(v):
                    if type(b) is not str:
                        self.add(FIELD_TYPES, ptr(self.base, i, "batches", str(j)),
                                 f"Asset {i}: batch {j} is {type_name(b)} ({json_short(b)}), not a string",
                                 fix=f'Write the batch name as a string: "{b}"')
                        break
        if "attachments" in item:
            v = item["attachments"]
            if type(v) is not list:
                self.add(FIELD_TYPES, ptr(self.base, i, "attachments"),
                         f"Asset {i}: \"attachments\" is {type_name(v)} ({json_short(v)}), not a list of objects",
                         fix='"attachments": [{"type": "IMAGE", "value": "https://..."}]')
            else:
                for j, att in enumerate(v):
                    if type(att) is not dict:
                        fix = f'{{"type": "TEXT", "value": {json_short(att)}}}' if isinstance(att, str) else \
                            '{"type": "IMAGE", "value": "https://..."}'
                        self.add(FIELD_TYPES, ptr(self.base, i, "attachments", str(j)),
                                 f"Asset {i}: attachment {j} is {type_name(att)} ({json_short(att)}), not an object",
                                 fix=f"Replace it with an object: {fix}")
                        break
        if "contextData" in item:
            v = item["contextData"]
            if type(v) is not dict:
                self.add(FIELD_TYPES, ptr(self.base, i, "contextData"),
                         f"Asset {i}: \"contextData\" is {type_name(v)} ({json_short(v)}), not an object",
                         fix='Make "contextData" an object, e.g. {"key": "value"}')
