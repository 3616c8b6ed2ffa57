"""`telqc kb ...`: import and export articles, and the retrieval evaluation harness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from sqlalchemy import select

from telqc.core import terminal
from telqc.core.clock import SystemClock
from telqc.core.db import sessionmaker_for
from telqc.core.settings import get_settings
from telqc.jobs.dispatch import job_ctx

NAME = "kb"
app = typer.Typer(help="知识库 / knowledge base")
console = terminal.console()
# Every `telqc` command imports this module, so the knowledge code a command needs is imported inside it:
# at the top it would add 0.08 s (service, models, core.auth) and 0.19 s (evaluate: jieba, numpy) to the
# 0.75 s start of any `telqc ...` (measured: best of 11 runs of
# python -c 'import telqc.cli; t = perf_counter(); import telqc.knowledge.evaluate; print(perf_counter() - t)').


@app.command("eval")
def evaluate(
    answers: Annotated[Path, typer.Option(help="answers.jsonl: {id, text}")],
    queries: Annotated[Path | None, typer.Option(help="queries.jsonl: {id, question, answer_ids}")] = None,
    dev: Annotated[Path | None, typer.Option(help="the development half's queries.jsonl")] = None,
    test: Annotated[Path | None, typer.Option(help="the test half's queries.jsonl (run it once)")] = None,
    train: Annotated[Path | None, typer.Option(
        help="history.jsonl of resolved orders {title, description, article_id, created}: train the learned "
             "component on it and add a telqc+learned row")] = None,
    cut: Annotated[str | None, typer.Option(
        help="with --train: also train on the orders before this date (YYYY-MM-DD) and search with the later "
             "orders' descriptions (the held-back period)")] = None,
    systems: Annotated[str, typer.Option(help="comma-separated: telqc,bm25,tfidf")] = "telqc,bm25,tfidf",
    limit: Annotated[int | None, typer.Option(help="only the first N queries")] = None,
) -> None:
    """Index the answers, run every query; print P@1, Recall@5, MRR@10 and latency p50/p95 per system.
    With --dev and --test, one table per half."""
    from datetime import datetime  # noqa: PLC0415

    from telqc.knowledge.evaluate import held_back, render, run_eval  # 0.19 s, see above  # noqa: PLC0415

    halves = [(name, path) for name, path in (("queries", queries), ("dev", dev), ("test", test)) if path]
    if not halves and not cut:
        console.print("[red]--queries, or --dev and/or --test: no queries given[/red]")
        raise typer.Exit(2)
    if cut is not None:
        if train is None:
            console.print("[red]--cut needs --train[/red]")
            raise typer.Exit(2)
        try:
            when = datetime.fromisoformat(cut).astimezone()
            n, rows = held_back(answers, train, when)
        except (ValueError, OSError, KeyError) as e:
            console.print(f"[red]--cut/--train: {e}[/red]", markup=False)
            raise typer.Exit(2) from e
        render(rows, title=f"Held-back period: trained on {n} orders before {cut}, searched with the later ones")
    for name, path in halves:
        try:
            results = run_eval(answers, path, systems=tuple(systems.split(",")), limit=limit, history_path=train)
        except (ValueError, OSError) as e:
            console.print(f"[red]{e}[/red]", markup=False)
            raise typer.Exit(2) from e
        render(results, title="Knowledge-base search evaluation" if name == "queries" else
               f"Knowledge-base search evaluation — {name} half ({path.name})")


@app.command("train")
def train_cmd() -> None:
    """Retrain the learned component on the articles, resolved orders and agents' feedback; save it."""
    from telqc.knowledge import learning  # noqa: PLC0415

    settings = get_settings()
    with job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
        info = learning.retrain(ctx, progress=lambda msg: console.print(msg, markup=False))
    console.print(f"[green]model v{info['version']} trained: {info['articles']} article(s), "
                  f"{info['examples']} example(s) -> {info['path']}[/green]")


@app.command("import")
def import_articles(
    source: Annotated[Path, typer.Argument(help=".jsonl file, .md file, or a directory of .md files")],
    publish: Annotated[bool, typer.Option(help="publish at once (reviewed elsewhere)")] = False,
    author: Annotated[str, typer.Option(help="username recorded as author")] = "admin",
) -> None:
    """Import articles (JSONL or Markdown with YAML front matter); all or nothing, errors name place and field.
    Idempotent: an article already in the knowledge base with the same kind, category, title and body (or
    repeated in the file) is skipped and named, so importing a file twice adds nothing the second time."""
    from telqc.core.auth import principal_of  # 0.08 s with the service, see above  # noqa: PLC0415
    from telqc.core.models import User  # noqa: PLC0415
    from telqc.knowledge import schemas as s  # noqa: PLC0415
    from telqc.knowledge import service  # noqa: PLC0415
    from telqc.knowledge.models import KbArticle, KbVersion  # noqa: PLC0415
    from telqc.knowledge.transfer import FormatError, read_records  # noqa: PLC0415

    rows: list[tuple[str, Any]] = []
    errors: list[str] = []
    try:
        for where, record in read_records(source):
            try:
                rows.append((where, s.ArticleIn.model_validate(record)))
            except ValidationError as e:
                errors += [f"{where}: {'.'.join(map(str, err['loc'])) or '(article)'}: {err['msg']}"
                           for err in e.errors()]
    except (FormatError, OSError) as e:
        errors.append(str(e))
    if errors:
        for err in errors:
            console.print(err, style="red", markup=False, soft_wrap=True)
        console.print(f"[red]nothing imported: {len(errors)} error(s)[/red]")
        raise typer.Exit(2)
    settings = get_settings()
    skipped: list[str] = []
    with job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
        user = ctx.session.scalar(select(User).where(User.username == author))
        if user is None:
            console.print(f"[red]--author: no user {author!r}[/red]")
            raise typer.Exit(2)
        ctx.principal = principal_of(user)
        first: dict[tuple[str, str, str, str], str] = {}
        done = 0
        for where, row in rows:
            key = (row.kind, row.category, row.title, row.body)
            if key in first:
                skipped.append(f"{where}: the same article as {first[key]}, skipped")
                continue
            first[key] = where
            existing = ctx.session.scalar(
                select(KbArticle.id).join(KbVersion, (KbVersion.article_id == KbArticle.id)
                                          & (KbVersion.number == KbArticle.current_version))
                .where(KbArticle.kind == row.kind, KbArticle.category == row.category, KbVersion.title == row.title,
                       KbVersion.body == row.body).limit(1))
            if existing is not None:
                skipped.append(f"{where}: already in the knowledge base as article #{existing}, skipped")
                continue
            art = service.create(ctx, row)
            done += 1
            if publish:
                service.act(ctx, art.id, "submit", "import")
                art.status, art.published_version = "published", art.current_version
                ctx.audit("kb.imported_published", "kb_article", art.id)
    for line in skipped:
        console.print(line, style="yellow", markup=False, soft_wrap=True)
    console.print(f"[green]{done} article(s) imported{' and published' if publish else ''}"
                  f"{f', {len(skipped)} skipped' if skipped else ''}[/green]")


@app.command("export")
def export(
    target: Annotated[Path, typer.Argument(help="a .jsonl file, or a directory for --format md")],
    format: Annotated[str, typer.Option("--format", help="jsonl | md (one Markdown file per article)")] = "jsonl",
) -> None:
    """Export published articles in the import format (JSONL, or Markdown with YAML front matter)."""
    from telqc.knowledge.models import KbArticle, KbVersion  # see above  # noqa: PLC0415
    from telqc.knowledge.transfer import markdown_name, to_markdown  # noqa: PLC0415

    if format not in ("jsonl", "md"):
        console.print(f"[red]--format: {format!r} is not one of jsonl, md[/red]")
        raise typer.Exit(2)
    with sessionmaker_for(get_settings())() as session:
        records: list[tuple[int, dict[str, Any]]] = []
        for art in session.scalars(
            select(KbArticle).where(KbArticle.published_version.is_not(None)).order_by(KbArticle.id)
        ):
            v = session.get(KbVersion, (art.id, art.published_version))
            assert v is not None
            records.append((art.id, {
                "kind": art.kind, "title": v.title, "body": v.body, "questions": v.questions,
                "category": art.category, "tags": art.tags, "audience": art.audience,
                "valid_from": art.valid_from.isoformat() if art.valid_from else None,
                "valid_to": art.valid_to.isoformat() if art.valid_to else None,
            }))
    if format == "md":
        target.mkdir(parents=True, exist_ok=True)
        for art_id, record in records:
            (target / markdown_name(art_id, record["title"])).write_text(to_markdown(record), encoding="utf-8")
    else:
        with target.open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(record, ensure_ascii=False) + "\n" for _, record in records)
    console.print(f"[green]{len(records)} article(s) exported to {target}[/green]")
