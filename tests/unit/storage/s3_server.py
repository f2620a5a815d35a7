"""What the tests need to know about the local S3 server that conftest starts."""

from __future__ import annotations

from dataclasses import dataclass

REGION = "us-east-1"
DUMMY_KEY_ID = "testing"
DUMMY_SECRET = "testing"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    bucket: str


def s3_settings(server: S3Server, prefix: str) -> dict[str, object]:
    """Settings for an s3 store on ``server``, below ``prefix`` in its bucket."""
    return {
        "poser.storage.backend": "s3",
        "poser.storage.s3.bucket": server.bucket,
        "poser.storage.s3.prefix": prefix,
        "poser.storage.s3.endpoint_url": server.endpoint_url,
        "poser.storage.s3.region": REGION,
    }
