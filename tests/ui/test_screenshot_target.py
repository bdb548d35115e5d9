"""The screenshot command never replaces the consult it shows, nor any file that is not a PNG
(the hunt: 'ixdesk screenshot c.json c.json' left c.json empty: Qt's save truncates its file before
it finds it cannot write that format)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ixdesk.ui.screenshot import main as shot
from tests.conftest import EXAMPLES

EX = "02-monotherapy-after-all-three.json"


def test_the_consult_itself_is_never_the_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    consult = tmp_path / "c.json"
    consult.write_bytes((EXAMPLES / EX).read_bytes())
    before = consult.read_bytes()
    link = tmp_path / "c.png"
    link.symlink_to(consult)
    for out in (consult, link):
        assert shot([str(consult), str(out)]) == 2
        assert "is the consult being shown" in capsys.readouterr().err
    assert consult.read_bytes() == before


def test_a_file_that_is_not_a_png_is_not_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"schema_version": 2}', encoding="utf-8")
    assert shot([str(EXAMPLES / EX), str(other)]) == 2
    assert "is not a PNG; nothing written" in capsys.readouterr().err
    assert other.read_text(encoding="utf-8") == '{"schema_version": 2}'


def test_a_png_is_written_whatever_its_name(qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IXDESK_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "shot.img"
    assert shot([str(EXAMPLES / EX), str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot([str(EXAMPLES / EX), str(out)]) == 0  # an earlier screenshot is replaced
