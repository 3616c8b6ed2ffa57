"""`telqc workforce ...`: the staffing calculator on a file; forecast, backtest, staff and schedule."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from telqc.workforce import erlang_csv

NAME = "workforce"
app = typer.Typer(help="排班与人力预测 / workforce management", no_args_is_help=True)
console = Console()


@app.command("erlang")
def erlang(
    cases: Annotated[Path, typer.Argument(help="CSV: case_id, calls_per_interval, interval_s, aht_s, "
                                               "service_level_target, answer_time_s, max_occupancy, shrinkage")],
    out: Annotated[Path, typer.Option("--out", help="where to write the results (CSV)")],
) -> None:
    """Agents needed per case (Erlang C; Erlang A where a patience_s column is given). Nothing is written when
    any row is wrong: the error names its row and column."""
    try:
        text = cases.read_text(encoding="utf-8-sig")
    except OSError as e:
        console.print(f"[red]无法读取 {cases}[/red]: {e.strerror}")
        raise typer.Exit(2) from None
    try:
        result = erlang_csv.run(text)
    except erlang_csv.RowError as e:
        where = "表头" if e.row == 0 else f"第 {e.row} 行"
        console.print(f"[red]{where}，列 {e.column}: {e.reason}[/red] (row {e.row}, column {e.column}); 未写出文件")
        raise typer.Exit(2) from None
    out.write_text(result, encoding="utf-8")
    console.print(f"[green]{result.count(chr(10)) - 1} cases[/green] → {out}")
