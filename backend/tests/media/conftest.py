"""Media test fixtures: the app's storage swapped for a fresh one per test, on the local
filesystem or on a real S3-compatible server (moto, started once per run on a free port)."""

import logging
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.config import MediaSettings
from learnwise.media.models import Media, MediaBlob, MediaUpload
from learnwise.platform.runtime import Runtime
from learnwise.platform.storage import LocalStorage, S3Storage, Storage
from tests.conftest import Account

MEDIA = "/api/v1/media"
KIB = 1024
MIB = 1024 * KIB
S3_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

# Small limits, so that each can be crossed cheaply.
TEST_LIMITS = {
    "max_file_bytes": 3 * MIB,
    "max_image_bytes": 1 * MIB,
    "max_image_pixels": 4_000_000,
    "max_archive_unpacked_bytes": 1 * MIB,
    "quota_bytes": 6 * MIB,
    "chunk_bytes": 64 * KIB,
}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _s3_settings(endpoint: str, bucket: str) -> MediaSettings:
    return MediaSettings(
        storage="s3",
        s3_endpoint_url=endpoint,
        s3_bucket=bucket,
        s3_region="us-east-1",
        s3_access_key_id=S3_CREDENTIALS["aws_access_key_id"],
        s3_secret_access_key=S3_CREDENTIALS["aws_secret_access_key"],  # type: ignore[arg-type]
        s3_addressing_style="path",
        **TEST_LIMITS,  # type: ignore[arg-type]
    )


@dataclass
class MediaEnv:
    """The storage the app uses during the test, and the limits in force."""

    kind: str
    storage: Storage
    settings: MediaSettings


async def _install(
    kind: str,
    tmp_path: Path,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> AsyncIterator[MediaEnv]:
    storage: Storage
    if kind == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = f"media-{secrets.token_hex(6)}"
        boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1", **S3_CREDENTIALS
        ).create_bucket(Bucket=bucket)
        settings = _s3_settings(endpoint, bucket)
        storage = S3Storage(settings, tmp_path / "spool")
    else:
        settings = MediaSettings(local_root=tmp_path / "media", **TEST_LIMITS)  # type: ignore[arg-type]
        storage = LocalStorage(settings.local_root)
    monkeypatch.setattr(runtime, "storage", storage)
    monkeypatch.setattr(
        runtime, "settings", runtime.settings.model_copy(update={"media": settings})
    )
    yield MediaEnv(kind, storage, settings)
    await storage.close()


@pytest.fixture(params=["local", "s3"])
async def media(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    client: httpx.AsyncClient,
) -> AsyncIterator[MediaEnv]:
    """Media on local storage, then again on S3."""
    async for env in _install(request.param, tmp_path, runtime, monkeypatch, request):
        yield env


@pytest.fixture(params=["local", "s3"])
async def live_media(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    live_client: httpx.AsyncClient,
) -> AsyncIterator[MediaEnv]:
    """Media for requests that really commit (live_client), on local storage and on S3."""
    async for env in _install(request.param, tmp_path, runtime, monkeypatch, request):
        yield env


@pytest.fixture
async def local_media(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    client: httpx.AsyncClient,
) -> AsyncIterator[MediaEnv]:
    """Media on local storage only, for checks that do not depend on where bytes are kept."""
    async for env in _install("local", tmp_path, runtime, monkeypatch, request):
        yield env


@dataclass
class People:
    instructor: Account
    other_instructor: Account
    admin: Account
    learner: Account


@pytest.fixture
async def people(make_account) -> People:
    return People(
        instructor=await make_account("instructor"),
        other_instructor=await make_account("instructor"),
        admin=await make_account("admin"),
        learner=await make_account("learner"),
    )


@dataclass(frozen=True)
class Snapshot:
    media: int
    blobs: int
    uploads: int
    objects: tuple[str, ...]
    spooled: tuple[str, ...]


async def snapshot(db_session: AsyncSession, env: MediaEnv) -> Snapshot:
    """Everything a refused upload must leave as it was."""

    async def count(model: type) -> int:
        return await db_session.scalar(select(func.count()).select_from(model)) or 0

    objects = []
    for prefix in ("blobs/", "uploads/"):
        objects += [stored.key for stored in await env.storage.list_prefix(prefix)]
    temp_dir = env.storage.temp_dir
    spooled = sorted(p.name for p in temp_dir.iterdir()) if temp_dir.exists() else []
    return Snapshot(
        await count(Media),
        await count(MediaBlob),
        await count(MediaUpload),
        tuple(sorted(objects)),
        tuple(spooled),
    )
