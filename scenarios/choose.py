"""Which backend a command runs on (``--backend NAME [--endpoint URL]``): the one place that knows every
backend class, so the base classes in ``backends`` need not import their own subclasses."""

from __future__ import annotations

from .backends import BACKENDS, AwsBackend, Backend, MinioBackend, check_endpoint
from .journal import Journal


def make_backend(name: str, endpoint: str | None = None, allow_remote: bool = False) -> Backend:
    """The backend for ``--backend NAME [--endpoint URL]``; raises ValueError for bad choices."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})")
    if endpoint is not None:
        endpoint = check_endpoint(endpoint, allow_remote)
    backend: Backend
    if name == "moto":
        from .moto_backend import MotoBackend  # moto only when chosen: it is a large import

        backend = MotoBackend(endpoint=endpoint)
    elif name == "seaweedfs":
        from .seaweedfs_backend import SeaweedBackend  # only when chosen

        backend = SeaweedBackend(endpoint=endpoint)
    elif name == "minio":
        backend = MinioBackend(endpoint=endpoint)
    else:
        backend = AwsBackend(endpoint=endpoint)
    if endpoint is not None or name == "aws":  # a server hubgate does not start: journal what the run makes
        backend.journal = Journal(endpoint or "aws")
    return backend
