"""The brickyard-local profile is written and removed without disturbing other profiles."""

from __future__ import annotations

import stat
from pathlib import Path

from brickyard.local.databrickscfg import read_profile, remove_profile, write_profile

ORIGINAL = "; my settings\n[DEFAULT]\nhost = https://a\n\n[brickyard-local]\nhost = old\n\n[prod]\nhost = https://p\ntoken = t\n"


def test_rewriting_the_profile_keeps_every_other_line(tmp_path: Path) -> None:
    path = tmp_path / ".databrickscfg"
    path.write_text(ORIGINAL)
    write_profile({"host": "http://127.0.0.1:1", "token": "dapi1"}, path)
    write_profile({"host": "http://127.0.0.1:2", "token": "dapi2"}, path)
    text = path.read_text()
    assert text.startswith("; my settings\n[DEFAULT]\nhost = https://a\n\n[brickyard-local]\n")
    assert text.endswith("\n[prod]\nhost = https://p\ntoken = t\n")
    assert read_profile(path) == {"host": "http://127.0.0.1:2", "token": "dapi2"}
    assert "old" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_profile_is_appended_to_a_file_without_it_and_removed_again(tmp_path: Path) -> None:
    path = tmp_path / ".databrickscfg"
    path.write_text("[DEFAULT]\nhost = https://a")
    write_profile({"host": "h", "token": "t"}, path)
    assert read_profile(path) == {"host": "h", "token": "t"}
    assert remove_profile(path)
    assert path.read_text().strip() == "[DEFAULT]\nhost = https://a"
    assert not remove_profile(path)


def test_missing_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "sub" / ".databrickscfg"
    write_profile({"host": "h"}, path)
    assert path.read_text() == "[brickyard-local]\nhost = h\n"
