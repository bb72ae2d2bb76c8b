"""Checks of an asset's optional fields: ``width``/``height`` (HG513), ``metadata``, ``batches``,
``attachments``, ``contextData`` (HG514)."""

from __future__ import annotations

import math

from .rules import DIMENSIONS, FIELD_TYPES
from .values import is_number, json_short, ptr, type_name


class FieldChecks:
    """Mixed into :class:`~hubgate.manifest.validator.Validator` (which provides ``add`` and ``base``)."""

    def _wrong_type(self, i: int, path: tuple[str, ...], what: str, value, want: str, fix: str) -> None:
        """HG514 on asset ``i``'s ``path``: ``what`` is of the wrong type (``want`` says what it should be)."""
        self.add(FIELD_TYPES, ptr(self.base, i, *path),
                 f"Asset {i}: {what} is {type_name(value)} ({json_short(value)}), not {want}", fix=fix)

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
                self._wrong_type(i, ("metadata",), '"metadata"', v, "an object",
                                 'Make "metadata" an object, e.g. {"frameRate": 30}')
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
                self._wrong_type(i, ("batches",), '"batches"', v, "a list of strings", fix)
            else:
                for j, b in enumerate(v):
                    if type(b) is not str:
                        self._wrong_type(i, ("batches", str(j)), f"batch {j}", b, "a string",
                                         f'Write the batch name as a string: "{b}"')
                        break
        if "attachments" in item:
            v = item["attachments"]
            if type(v) is not list:
                self._wrong_type(i, ("attachments",), '"attachments"', v, "a list of objects",
                                 '"attachments": [{"type": "IMAGE", "value": "https://..."}]')
            else:
                for j, att in enumerate(v):
                    if type(att) is not dict:
                        fix = f'{{"type": "TEXT", "value": {json_short(att)}}}' if isinstance(att, str) else \
                            '{"type": "IMAGE", "value": "https://..."}'
                        self._wrong_type(i, ("attachments", str(j)), f"attachment {j}", att, "an object",
                                         f"Replace it with an object: {fix}")
                        break
        if "contextData" in item:
            v = item["contextData"]
            if type(v) is not dict:
                self._wrong_type(i, ("contextData",), '"contextData"', v, "an object",
                                 'Make "contextData" an object, e.g. {"key": "value"}')
