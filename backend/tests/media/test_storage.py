"""The storage interface, on the local filesystem and on a real S3-compatible server."""

import os
from pathlib import Path

import pytest

from learnwise.platform import storage as storage_module
from learnwise.platform.storage import LocalStorage, ObjectNotFound, check_key
from tests.media.conftest import MIB, MediaEnv


async def read(media: MediaEnv, key: str, start: int, length: int) -> bytes:
    return b"".join([chunk async for chunk in await media.storage.open_range(key, start, length)])


async def test_put_read_list_delete(media: MediaEnv, tmp_path: Path) -> None:
    data = os.urandom(600 * 1024)
    source = tmp_path / "source"
    source.write_bytes(data)
    await media.storage.put_file("blobs/ab/one", source, content_type="video/mp4")
    await media.storage.put_bytes("blobs/ab/two", b"small", content_type="image/webp")
    assert await read(media, "blobs/ab/one", 0, len(data)) == data
    assert await read(media, "blobs/ab/one", 1000, 70_000) == data[1000:71_000]
    listed = await media.storage.list_prefix("blobs/")
    assert [(s.key, s.size) for s in listed] == [("blobs/ab/one", len(data)), ("blobs/ab/two", 5)]
    await media.storage.delete("blobs/ab/one")
    await media.storage.delete("blobs/ab/one")  # already gone: no error
    with pytest.raises(ObjectNotFound):
        await media.storage.open_range("blobs/ab/one", 0, 1)
    await media.storage.delete_prefix("blobs/")
    assert await media.storage.list_prefix("blobs/") == []


async def test_large_files_go_up_in_parts(
    media: MediaEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage_module, "S3_PART_BYTES", 5 * MIB)  # S3's smallest part
    data = os.urandom(11 * MIB)
    source = tmp_path / "big"
    source.write_bytes(data)
    await media.storage.put_file("blobs/cd/big", source, content_type="video/mp4")
    assert await read(media, "blobs/cd/big", 0, len(data)) == data
    assert await read(media, "blobs/cd/big", 5 * MIB - 10, 20) == data[5 * MIB - 10 : 5 * MIB + 10]


@pytest.mark.parametrize(
    "key", ["../escape", "/absolute", "blobs/../../etc", "Upper/Case", "a//b", "", "a/b/", "é"]
)
def test_keys_are_server_made(key: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="invalid storage key"):
        check_key(key)
    with pytest.raises(ValueError):
        LocalStorage(tmp_path)._path(key)
