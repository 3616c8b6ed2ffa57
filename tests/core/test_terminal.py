"""The CLI console is wide when piped, so tables of Chinese labels don't wrap mid-row in logs."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.table import Table

from telqc.core import terminal


def test_piped_output_is_wide_and_columns_still_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    wide = terminal.console()
    assert wide.width == terminal.PIPED_WIDTH
    table = Table("指标", "说明")
    table.add_row("首次响应及时率", "首次响应在承诺时限内的工单占全部工单的比例，按业务日历计算，暂停时段不计" * 2)
    with wide.capture() as out:
        wide.print(table)
    narrow = Console(width=80)  # what Rich gives piped output by itself
    with narrow.capture() as before:
        narrow.print(table)
    assert "暂停时段不计首次响应" in out.get() and "暂停时段不计首次响应" not in before.get()  # 80 columns cut it
    monkeypatch.setenv("COLUMNS", "100")
    assert terminal.console().width == 100
