"""The live scenarios: stable ids and what each one proves."""

from __future__ import annotations

SCENARIOS: dict[str, str] = {
    "assume-role-external-id": "the role can be assumed by the trusted principal with the record's external ID, "
                               "and not with a wrong or missing external ID, nor by another principal",
    "read-only-enforced": "the permission policy denies writes: PutObject and DeleteObject are refused",
    "presigned-get": "a URL presigned by the Hub identity fetches each bucket's objects",
    "revocation-invalidates-urls": "a URL presigned while GetObject is allowed stops working once GetObject is "
                                   "removed from the permission policy, and works again when it is restored",
    "presign-expiry": "a presigned URL stops working when it expires",
    "presign-tamper": "a presigned URL with a changed signature, key or expiry is refused",
    "cors-preflight": "a CORS preflight from each Hub origin is allowed, one from another origin is refused",
    "cross-bucket-isolation": "the Hub identity cannot read or list a bucket outside the bundle",
    "key-encoding": "keys with spaces, '+' and unicode, written in the manifest's URL form, fetch the right object",
}

RESULTS = ("pass", "fail", "not-enforced", "skipped")


def scenario_ids() -> list[str]:
    return list(SCENARIOS)
