"""An Azure bundle's storage record as the HG7xx rules read it: the bundle, its SAS, where the SAS is."""

from __future__ import annotations

from ..bundle import Bundle
from ..rules import Target
from .sas import Sas, parse_sas


def azure_of(target: Target) -> Bundle | None:
    """The target's bundle when it is an ``azure`` one."""
    b = target.bundle
    return b if b is not None and b.provider == "azure" else None


def bundle_sas(b: Bundle) -> Sas | None:
    return parse_sas(b.sas.value) if b.sas is not None else None


def sas_pointer(b: Bundle) -> str:
    return b.doc.pointer("sas")
