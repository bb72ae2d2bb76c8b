"""S3 backends for ``hubgate prove``: a common boto3 layer plus the choice of backend.

Every backend offers the same small surface the scenarios need: admin clients, buckets with objects
and CORS, IAM users carrying an identity policy (the bundle's permission policy), roles with a trust
policy, AssumeRole, and raw HTTP for presigned URLs and CORS preflights. Backends that hubgate starts
itself (moto, seaweedfs) listen on 127.0.0.1 only; ``--endpoint`` refuses other hosts unless
``--allow-remote`` is given.
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .signals import critical

BACKENDS = ("moto", "seaweedfs", "minio", "aws")
DEFAULT_REGION = "us-east-1"


class BackendUnavailable(Exception):
    """The backend cannot run here (no Docker engine, binary not installed, ...): scenarios are skipped."""


class BackendError(Exception):
    """The backend was asked for but failed (did not start, refused the admin credentials, ...)."""


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    arn: str | None = None

    def __repr__(self) -> str:  # never print a secret
        return f"Credentials({self.access_key_id[:4]}…, ****)"


def free_port(pair_offset: int | None = None) -> int:
    """A free TCP port on 127.0.0.1 (and, with ``pair_offset``, port+offset free as well)."""
    for _ in range(200):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if pair_offset is None:
            return port
        if port + pair_offset > 65535:
            continue
        t = socket.socket()
        try:
            t.bind(("127.0.0.1", port + pair_offset))
        except OSError:
            continue
        finally:
            t.close()
        return port
    raise BackendError("no free port pair on 127.0.0.1")


def is_loopback_url(url: str) -> bool:
    from hubgate.endpoints import EndpointError, parse_endpoint  # deferred: ~5 ms, only for --endpoint

    try:
        return parse_endpoint(url, allow_remote=True).loopback
    except EndpointError:
        return False


def check_endpoint(url: str, allow_remote: bool) -> str:
    """The endpoint URL to give the clients, rebuilt from its checked parts (see ``hubgate.endpoints``);
    raises ValueError with one line for a refused URL."""
    from hubgate.endpoints import parse_endpoint  # deferred: ~5 ms, only for --endpoint

    return parse_endpoint(url, allow_remote).url


def http_session(direct: bool = True):
    """A requests session; ``direct``: never through a proxy named in the environment (the connection goes
    to the checked address)."""
    import requests  # deferred: optional extra 'live' (requests)

    s = requests.Session()
    s.trust_env = not direct
    return s


def require(backend: str, modules: tuple[str, ...], extra: str) -> None:
    """Raise BackendUnavailable naming the ``pip install`` that fixes it when a module is missing."""
    missing = []
    for m in modules:
        try:
            importlib.import_module(m)
        except ImportError:
            missing.append(m.split(".")[0])
    if missing:
        raise BackendUnavailable(f"{', '.join(dict.fromkeys(missing))} not installed; "
                                 f"install it with: pip install 'hubgate[{extra}]'")


def wait_http(url: str, timeout: float, proc: Any = None) -> None:
    import requests  # deferred: optional extra 'live' (requests)

    session = http_session()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise BackendError(f"server exited with code {proc.returncode} before answering on {url}")
        try:
            session.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise BackendError(f"server did not answer on {url} within {timeout:.0f} s")


class Backend:
    """Common boto3 layer. Subclasses start/stop the server and state what it cannot demonstrate."""

    name = "s3"
    #: HTTP path style for presigned URLs and preflights (virtual hosts do not resolve on loopback)
    addressing_style = "path"

    def __init__(self, endpoint: str | None = None, admin: Credentials | None = None, region: str = DEFAULT_REGION):
        self.endpoint = endpoint
        self.admin = admin
        self.region = region
        self._clients: dict = {}
        #: for a server hubgate did not start: what this run created, by id (see journal.py)
        self.journal = None

    @property
    def run_token(self) -> str | None:
        """The secret value this run's buckets are tagged with (None when nothing is journaled)."""
        return self.journal.token if self.journal is not None else None

    def _record(self, kind: str, name: str, ident: str | None) -> None:
        if self.journal is not None:
            self.journal.add(kind, name, ident or "pending")

    def _tags(self) -> dict:
        """CreateUser/CreateRole tags naming this run's secret token (how a ``pending`` entry is proven)."""
        return {"Tags": [{"Key": "hubgate-run", "Value": self.run_token}]} if self.journal is not None else {}

    def _forget(self, kind: str, name: str) -> None:
        if self.journal is not None:
            self.journal.remove(kind, name)

    def adopt(self, notes: dict[str, str]) -> None:
        """Take over what a killed run noted it must restore on the server (see ``cleanup_stragglers``)."""

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:  # pragma: no cover - overridden
        pass

    def use_running_server(self) -> None:
        """For ``--endpoint``, an already running server: the admin credentials come from the environment."""
        ak, sk = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
        if not (ak and sk):
            raise BackendError(f"--endpoint with {self.name} needs AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of an admin")
        self.admin = Credentials(ak, sk)

    def stop(self) -> None:
        pass

    def __enter__(self) -> Backend:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- clients -----------------------------------------------------------------------------------
    def client(self, service: str, creds: Credentials | None = None, region: str | None = None):
        # deferred: optional extra 'live' (boto3, ~150 ms)
        import boto3
        from botocore.config import Config

        creds = creds or self.admin
        region = region or self.region
        key = (service, creds, region)
        if key not in self._clients:
            kwargs: dict = {
                "region_name": region,
                "config": Config(signature_version="s3v4", s3={"addressing_style": self.addressing_style},
                                 retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
            }
            if self.endpoint:
                kwargs["endpoint_url"] = self.endpoint
                kwargs["config"] = kwargs["config"].merge(Config(proxies={}))  # no proxy from the environment
            if creds is not None:
                kwargs.update(aws_access_key_id=creds.access_key_id, aws_secret_access_key=creds.secret_access_key,
                              aws_session_token=creds.session_token)
            if getattr(self, "_boto", None) is None:  # one session: service models are loaded once, not per client
                self._boto = boto3.session.Session()
            self._clients[key] = self._boto.client(service, **kwargs)
        return self._clients[key]

    # -- buckets -----------------------------------------------------------------------------------
    def create_bucket(self, name: str, region: str | None = None) -> None:
        region = region or self.region
        s3 = self.client("s3", region=region)
        with critical():
            self._record("bucket", name, self.run_token)  # before: proven later by the bucket's run tag
            try:
                if region == "us-east-1":
                    s3.create_bucket(Bucket=name)
                else:
                    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
            except Exception:
                self._forget("bucket", name)
                raise

    def tag_bucket(self, name: str, tags: dict[str, str]) -> None:
        self.client("s3").put_bucket_tagging(
            Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})

    def bucket_tags(self, name: str) -> dict[str, str]:
        try:
            tags = self.client("s3").get_bucket_tagging(Bucket=name).get("TagSet", [])
        except Exception:
            return {}
        return {t["Key"]: t["Value"] for t in tags}

    def list_buckets(self) -> list[str]:
        return [b["Name"] for b in self.client("s3").list_buckets().get("Buckets", [])]

    def put_object(self, bucket: str, key: str, body: bytes) -> None:
        self.client("s3").put_object(Bucket=bucket, Key=key, Body=body)

    def put_cors(self, bucket: str, rules: list[dict]) -> None:
        self.client("s3").put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})

    def delete_bucket(self, name: str) -> None:
        s3 = self.client("s3")
        while True:
            listed = s3.list_objects_v2(Bucket=name).get("Contents", [])
            if not listed:
                break
            for obj in listed:
                s3.delete_object(Bucket=name, Key=obj["Key"])
        s3.delete_bucket(Bucket=name)
        self._forget("bucket", name)

    # -- identities ----------------------------------------------------------------------------------
    def create_user(self, name: str, policy: dict | None) -> Credentials:
        iam = self.client("iam")
        with critical():
            self._record("user", name, None)
            try:
                user = iam.create_user(UserName=name, **self._tags())["User"]
            except Exception:
                self._forget("user", name)
                raise
            if user.get("UserId"):
                self._record("user", name, user["UserId"])
        try:
            if policy is not None:
                iam.put_user_policy(UserName=name, PolicyName="hubgate", PolicyDocument=json.dumps(policy))
            key = iam.create_access_key(UserName=name)["AccessKey"]
            if not user.get("UserId"):  # SeaweedFS has no user ids: the run's own access key identifies it
                self._record("user", name, "key:" + key["AccessKeyId"])
        except Exception:  # leave nothing half-made behind
            self.delete_user(name)
            raise
        return Credentials(key["AccessKeyId"], key["SecretAccessKey"], arn=user.get("Arn"))

    def set_user_policy(self, name: str, policy: dict) -> None:
        self.client("iam").put_user_policy(UserName=name, PolicyName="hubgate", PolicyDocument=json.dumps(policy))

    def delete_user(self, name: str) -> None:
        iam = self.client("iam")
        for p in iam.list_user_policies(UserName=name).get("PolicyNames", []):
            iam.delete_user_policy(UserName=name, PolicyName=p)
        for k in iam.list_access_keys(UserName=name).get("AccessKeyMetadata", []):
            iam.delete_access_key(UserName=name, AccessKeyId=k["AccessKeyId"])
        iam.delete_user(UserName=name)
        self._forget("user", name)

    def user_id(self, name: str) -> str | None:
        """The unique id of user ``name`` (None when there is no such user)."""
        return self._unique_id("User", name)

    def _unique_id(self, kind: str, name: str) -> str | None:
        """The unique id of the IAM ``kind`` (User, Role) called ``name``; None when there is none."""
        # deferred: botocore (~15 ms) only once a client is used; `hubgate report` imports this module
        from botocore.exceptions import ClientError

        try:
            got = getattr(self.client("iam"), f"get_{kind.lower()}")(**{f"{kind}Name": name})
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchEntity", "NoSuchEntityException"):
                return None
            raise
        return got[kind].get(f"{kind}Id")

    def is_ours(self, kind: str, name: str, ident: str, token: str) -> bool:
        """Whether ``kind name`` still is what a run with ``token`` created as ``ident`` (see journal.py)."""
        iam = self.client("iam")
        if kind == "bucket":
            return name in self.list_buckets() and self.bucket_tags(name).get("hubgate-run") == token
        if kind == "user":
            if self.user_id(name) is None and name not in self.list_users():
                return False
            if ident.startswith("key:"):
                keys = iam.list_access_keys(UserName=name).get("AccessKeyMetadata", [])
                return ident[4:] in [k["AccessKeyId"] for k in keys]
            if ident == "pending":
                tags = iam.list_user_tags(UserName=name).get("Tags", [])
                return {"Key": "hubgate-run", "Value": token} in tags
            return self.user_id(name) == ident
        if kind == "role":
            if ident == "pending":
                try:
                    tags = iam.list_role_tags(RoleName=name).get("Tags", [])
                except Exception:
                    return False
                return {"Key": "hubgate-run", "Value": token} in tags
            return self.role_id(name) == ident
        return False

    def role_id(self, name: str) -> str | None:
        """The unique id of role ``name`` (None when there is no such role)."""
        return self._unique_id("Role", name)

    def list_users(self) -> list[str]:
        return [u["UserName"] for u in self.client("iam").list_users().get("Users", [])]

    def create_role(self, name: str, trust: dict, policy: dict | None = None) -> str:
        iam = self.client("iam")
        with critical():
            self._record("role", name, None)
            try:
                role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), **self._tags())["Role"]
            except Exception:
                self._forget("role", name)
                raise
            self._record("role", name, role.get("RoleId"))
        arn = role["Arn"]
        try:
            if policy is not None:
                iam.put_role_policy(RoleName=name, PolicyName="hubgate", PolicyDocument=json.dumps(policy))
        except Exception:
            self.delete_role(name)
            raise
        return arn

    def delete_role(self, name: str) -> None:
        iam = self.client("iam")
        for p in iam.list_role_policies(RoleName=name).get("PolicyNames", []):
            iam.delete_role_policy(RoleName=name, PolicyName=p)
        iam.delete_role(RoleName=name)
        self._forget("role", name)

    def list_roles(self) -> list[str]:
        return [r["RoleName"] for r in self.client("iam").list_roles().get("Roles", [])]

    def assume_role(self, creds: Credentials, role_arn: str, external_id: str | None) -> tuple[bool, str]:
        """Try AssumeRole; (accepted, evidence)."""
        # deferred: botocore (~15 ms) only once a client is used; `hubgate report` imports this module
        from botocore.exceptions import ClientError

        kwargs: dict = {"RoleArn": role_arn, "RoleSessionName": "hubgate-prove"}
        if external_id is not None:
            kwargs["ExternalId"] = external_id
        try:
            self.client("sts", creds).assume_role(**kwargs)
            return True, "accepted"
        except ClientError as exc:
            err = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            return False, f"refused {status} {err.get('Code')}"

    # -- what the scenarios need to know about this backend -------------------------------------------
    @contextmanager
    def presign_mode(self) -> Iterator[None]:
        """Context in which presigned URLs can be fetched (moto switches its IAM enforcement off)."""
        yield

    def object_url(self, bucket: str, key: str) -> str:
        return f"{self.endpoint.rstrip('/')}/{bucket}/{quote(key, safe='/~')}"

    def preflight_url(self, bucket: str, key: str) -> str:
        return self.object_url(bucket, key)

    def presign(self, creds: Credentials, bucket: str, key: str, expires: int = 300, region: str | None = None) -> str:
        return self.client("s3", creds, region).generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires)

    def presign_at(self, creds: Credentials, bucket: str, key: str, signed_at: float, expires: int,
                   region: str | None = None) -> str:
        """A presigned GET URL as if signed at ``signed_at`` (epoch seconds): expiry without waiting."""
        # deferred: botocore (~15 ms) only once a client is used; `hubgate report` imports this module
        from botocore.auth import SIGV4_TIMESTAMP, S3SigV4QueryAuth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials as BotoCredentials

        when = datetime.datetime.fromtimestamp(signed_at, datetime.timezone.utc).replace(tzinfo=None)

        class _SignedAt(S3SigV4QueryAuth):
            def add_auth(self, request):
                request.context["timestamp"] = when.strftime(SIGV4_TIMESTAMP)
                self._modify_request_before_signing(request)
                canonical = self.canonical_request(request)
                self._inject_signature_to_request(request, self.signature(self.string_to_sign(request, canonical),
                                                                          request))

        request = AWSRequest(method="GET", url=self.object_url(bucket, key))
        signer = _SignedAt(BotoCredentials(creds.access_key_id, creds.secret_access_key, creds.session_token),
                           "s3", region or self.region, expires=expires)
        signer.add_auth(request)
        return request.url

    #: short notes on what this backend is known not to enforce (shown in evidence)
    limits: dict[str, str] = {}


class AwsBackend(Backend):
    """A real account (``--backend aws``) or any S3-compatible server (``--endpoint``): opt-in only.

    Credentials come from the usual boto3 chain (environment, profile). Nothing is started or stopped.
    """

    name = "aws"

    def start(self) -> None:
        require(self.name, ("boto3", "requests"), "live")

    def __init__(self, endpoint: str | None = None, region: str = DEFAULT_REGION):
        admin = None
        if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"):
            admin = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                                os.environ.get("AWS_SESSION_TOKEN"))
        super().__init__(endpoint=endpoint, admin=admin, region=os.environ.get("AWS_DEFAULT_REGION", region))
        if endpoint is None:
            self.addressing_style = "virtual"

    def object_url(self, bucket: str, key: str) -> str:
        if self.endpoint:
            return super().object_url(bucket, key)
        return f"https://{bucket}.s3.{self.region}.amazonaws.com/{quote(key, safe='/~')}"


def docker_available() -> tuple[bool, str]:
    """Whether a Docker engine answers (the docker client honours DOCKER_HOST)."""
    try:
        import docker  # type: ignore  # deferred: optional extra 'minio' (docker)
    except ImportError:
        return False, "the docker package is not installed"
    try:
        client = docker.from_env(timeout=3)
        client.ping()
        client.close()
        return True, "Docker engine answers"
    except Exception as exc:  # docker raises DockerException, requests errors, FileNotFoundError...
        return False, f"no Docker engine ({type(exc).__name__})"


class MinioBackend(Backend):
    """MinIO in a container through testcontainers, only when a Docker engine answers."""

    name = "minio"

    def start(self) -> None:
        if self.endpoint is not None:  # an already running MinIO
            self.use_running_server()
            return
        require(self.name, ("boto3", "requests", "docker"), "minio")
        ok, why = docker_available()
        if not ok:
            raise BackendUnavailable(f"{why}: the minio backend runs MinIO in a container; start a Docker engine "
                                     "(or set DOCKER_HOST), or use --backend seaweedfs")
        require(self.name, ("testcontainers.minio",), "minio")
        from testcontainers.minio import MinioContainer  # type: ignore  # deferred: optional extra 'minio'
        self._container = MinioContainer()
        self._container.start()
        host = self._container.get_container_host_ip()
        port = self._container.get_exposed_port(self._container.port)
        self.endpoint = f"http://{host}:{port}"
        cfg = self._container.get_config()
        self.admin = Credentials(cfg["access_key"], cfg["secret_key"])

    def stop(self) -> None:
        c = getattr(self, "_container", None)
        if c is not None:
            c.stop()
            self._container = None
