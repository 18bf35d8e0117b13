"""The files of a release in one zip, byte for byte, built the same way every time.

Entries are sorted and carry a fixed timestamp and mode, so the same files make the same archive
(and the same content hash: an unchanged file set is uploaded once).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from brickyard.errors import ReleaseError
from brickyard.notebooks import notebook_language
from brickyard.plan.files import LocalFile, file_hash

_EPOCH = (1980, 1, 1, 0, 0, 0)


def build_archive(files: list[LocalFile]) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for f in sorted(files, key=lambda f: f.relative):
            info = zipfile.ZipInfo(f.relative, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, f.path.read_bytes())
    data = buffer.getvalue()
    return data, hashlib.sha256(data).hexdigest()


def extract_archive(data: bytes, expected: dict[str, str], into: Path) -> list[LocalFile]:
    """Unpack into `into` and check every file against the hash the release recorded."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        for name in names:
            if name.startswith("/") or ".." in Path(name).parts:
                raise ReleaseError(f"release archive holds an unsafe path: {name}")
        archive.extractall(into)
    files = []
    for name in sorted(names):
        path = into / name
        digest = file_hash(path)
        if expected.get(name) not in (None, digest):
            raise ReleaseError(f"release archive is damaged: {name} does not match its recorded hash")
        files.append(LocalFile(name, path, digest, notebook_language(path)))
    missing = sorted(set(expected) - set(names))
    if missing:
        raise ReleaseError(f"release archive is missing {len(missing)} file(s), e.g. {missing[0]}")
    return files
