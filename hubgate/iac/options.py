"""Options of the Terraform/CloudFormation readers (see the package's docstring for each field and its variable)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass
class IacOptions:
    roles: tuple[str, ...] = ()
    account_id: str | None = None
    external_id: str | None = None
    region: str | None = None
    profile: str | None = None  # built-in profile name or path; default ango-hub

    @classmethod
    def from_env(cls, env: dict | None = None) -> IacOptions:
        env = os.environ if env is None else env
        roles = tuple(r.strip() for r in env.get("HUBGATE_IAC_ROLE", "").split(",") if r.strip())
        return cls(
            roles=roles,
            account_id=env.get("HUBGATE_IAC_ACCOUNT_ID") or None,
            external_id=env.get("HUBGATE_IAC_EXTERNAL_ID") or None,
            region=env.get("HUBGATE_IAC_REGION") or None,
            profile=env.get("HUBGATE_IAC_PROFILE") or None,
        )
