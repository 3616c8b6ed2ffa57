"""``telqc inspect``: import interactions, score a file automatically, list scorecards."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from telqc.core import migrate, terminal, textfile
from telqc.core.clock import SystemClock
from telqc.core.db import sessionmaker_for
from telqc.core.errors import DomainError
from telqc.core.settings import Settings, get_settings
from telqc.inspection import carddef, evaluation, importer, scorecards
from telqc.inspection.engine import Inspector
from telqc.inspection.learned import MODEL_DIR
from telqc.inspection.rules import load_default_scorecard, load_scorecard
from telqc.jobs.dispatch import job_ctx

NAME = "inspect"
app = typer.Typer(help="质检 / quality inspection", no_args_is_help=True)
console = terminal.console()


def _setup() -> tuple[Settings, sessionmaker[Session]]:
    settings = get_settings()
    migrate.upgrade(settings.effective_database_url)
    return settings, sessionmaker_for(settings)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console)


def _lines(file: Path) -> list[str]:
    """The file's lines, or exit naming the line of the first byte that is not UTF-8 (or the size)."""
    try:
        return textfile.read_lines(file)
    except textfile.BadFile as exc:
        console.print(str(exc), style="red", markup=False, soft_wrap=True)
        raise typer.Exit(1) from exc


@app.command("import")
def import_cmd(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines file")],
               inspect: Annotated[bool, typer.Option(help="run automatic inspection on each")] = True) -> None:
    """Import interactions with transcripts (all or nothing; errors name line and field)."""
    settings, factory = _setup()
    lines = _lines(file)
    clock = SystemClock()
    try:
        with _progress() as bar, job_ctx(factory, clock, settings) as ctx:
            task = bar.add_task("导入 import", total=len(lines))
            ids = importer.import_interactions(ctx, lines, inspect=inspect, progress=lambda k: bar.advance(task, k),
                                               total=lambda n: bar.update(task, total=n))
    except importer.ImportRejected as exc:
        table = Table(title=f"导入被拒绝，未写入任何数据 / import rejected, nothing written ({len(exc.errors)})")
        for col in ("line", "field", "error"):
            table.add_column(col)
        for e in exc.errors:
            table.add_row(str(e.line), e.field, e.message)
        console.print(table)
        raise typer.Exit(1) from exc
    console.print(f"[green]imported[/green] {len(ids)} interactions")


@app.command("run")
def run_cmd(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines with turns")],
            scorecard: Annotated[str | None, typer.Option("--scorecard", help="scorecard name")] = None,
            jsonl: Annotated[Path | None, typer.Option("--jsonl", dir_okay=False,
                                                       help="write {id, hits} per interaction here")] = None) -> None:
    """Score every interaction of a file automatically (nothing stored) and print a summary."""
    settings, factory = _setup()
    try:
        with job_ctx(factory, SystemClock(), settings) as ctx:
            sc = scorecards.active(ctx, scorecard)
            card, inspector = scorecards.compiled(sc)
    except DomainError as exc:
        console.print(f"[red]{exc.message(settings.default_language)}[/red]: {scorecard}")
        raise typer.Exit(1) from exc
    hits_by_rule: Counter[str] = Counter()
    calls_by_rule: Counter[str] = Counter()
    scores, fatal, passed, bad = [], 0, 0, []
    lines = _lines(file)
    out: list[str] | None = [] if jsonl is not None else None
    with _progress() as bar:
        task = bar.add_task("质检 inspect", total=len(lines))
        for n, raw in enumerate(lines, 1):
            bar.advance(task)
            if not raw.strip():
                continue
            try:
                item = textfile.json_line(raw)
                hits = evaluation.inspect(inspector, item)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                bad.append((n, str(exc)))
                continue
            if out is not None:
                out.append(json.dumps(evaluation.hit_line(item.get("id", n), hits), ensure_ascii=False))
            rules = [h.rule_id for h in hits]
            hits_by_rule.update(rules)
            calls_by_rule.update(set(rules))
            values = carddef.auto_values(card, rules)
            result = carddef.compute(card, values, only=values)
            scores.append(result.score)
            fatal += result.fatal
            passed += result.passed
    table = Table(title=f"{sc.name} v{sc.version}: {len(scores)} interactions")
    for col in ("rule", "hits", "interactions", "share"):
        table.add_column(col, justify="left" if col == "rule" else "right")
    for rule in card.rules.active_rules():
        k = calls_by_rule[rule.id]
        table.add_row(rule.id, str(hits_by_rule[rule.id]), str(k), f"{k / len(scores):.1%}" if scores else "-")
    console.print(table)
    if scores:
        console.print(f"automatic pre-score mean {sum(scores) / len(scores):.1f}; pass {passed / len(scores):.1%}; "
                      f"fatal {fatal / len(scores):.1%}")
    for n, msg in bad:
        console.print(f"[red]line {n}[/red]: {msg}")
    if jsonl is not None and out is not None:
        jsonl.write_text("".join(line + "\n" for line in out), encoding="utf-8")
        console.print(f"hits written to {jsonl} ({len(out)} lines)")
    if bad:
        raise typer.Exit(1)


@app.command("eval")
def eval_cmd(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="labelled JSON Lines")],
             card_file: Annotated[Path | None, typer.Option("--scorecard-file", exists=True, dir_okay=False,
                                                            help="YAML/JSON scorecard (default: shipped)")] = None,
             errors: Annotated[bool, typer.Option("--errors", help="list every wrong decision")] = False) -> None:
    """Precision, recall and F1 per main check and macro F1 on a labelled set (no database)."""
    try:
        items = evaluation.read_jsonl("\n".join(_lines(file)))
        card = load_scorecard(card_file) if card_file is not None else load_default_scorecard()
        report = evaluation.evaluate_set(Inspector(card), items)
    except (ValueError, KeyError, TypeError) as exc:
        console.print(f"[red]{file}[/red]: {exc}")
        raise typer.Exit(1) from exc
    for line in report.lines():
        console.print(line, highlight=False)
    if errors:
        for item_id, check, expected, got in report.wrong:
            console.print(f"{item_id}\t{check}\texpected={expected}\tfired={got}", highlight=False)


@app.command("train")
def train_cmd(name: Annotated[str, typer.Argument(help="model name: anger | forbidden")]) -> None:
    """Retrain a learned check from its shipped utterances (models/NAME.tsv → models/NAME.json)."""
    from telqc.inspection import training  # noqa: PLC0415 - scikit-learn import (~1 s) only for this command

    if name not in training.SETTINGS:
        console.print(f"[red]unknown model {name!r}[/red]; expected one of {', '.join(training.SETTINGS)}")
        raise typer.Exit(1)
    model = training.train_shipped(name)
    path = MODEL_DIR / f"{name}.json"
    path.write_text(model.to_json(), encoding="utf-8")
    console.print(f"{path}: {len(model.weights)} n-grams, threshold {model.threshold}")
