"""The ``cellwright study`` commands: run a study file into a results folder, query the folder
with SQL, plot it.

    cellwright study run STUDY.toml --out DIR [--workers N | --scheduler tcp://HOST:PORT]
    cellwright study query DIR "SELECT ... FROM results" [--csv PATH]
    cellwright study plot DIR [--plot PATH]

Exit codes as every command: 0 success, 2 the user's input is wrong, 1 an unexpected failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

# made before the import of cli.py, which registers it as ``cellwright study``
study_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Studies: the chain over many variants (grid, Monte Carlo, sensitivity, optimisation), stored as Parquet.",
)

from .cli import (  # noqa: E402
    AsJson,
    Debug,
    _echo_json,
    _one_line_errors,
    _plot_failed,
    _plot_target,
    _text,
    _write_plot,
)

#: most rows `study query` prints as a table; more are counted, and --csv writes them all
MAX_TABLE_ROWS = 200


@study_app.command("run")
@_one_line_errors
def run_study(
    study: Annotated[Path, typer.Argument(help="Study file (TOML): the files it varies, variables, method, stages.")],
    out: Annotated[Path, typer.Option("--out", help="Results folder (created; a run there resumes).")],
    workers: Annotated[
        int | None, typer.Option("--workers", help="Local worker processes (default: this process only).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar on stderr.")] = False,
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Run a study into --out: every variant's inputs and outputs as a Parquet dataset with a manifest."""
    from .errors import SpecError
    from .studies.runner import run

    if workers is not None and scheduler is not None:
        raise SpecError("--workers", workers, "give --workers or --scheduler, not both")
    if workers is not None and workers < 1:
        raise SpecError("--workers", workers, "a whole number of worker processes, at least 1")
    summary = run(study, out, workers=workers, scheduler=scheduler, progress=not no_progress)
    if as_json:
        _echo_json({"out": str(out), **summary.as_dict()})
    else:
        typer.echo(
            f"{summary.rows:,} rows in {out} ({summary.chunks_computed} chunks computed, "
            f"{summary.chunks_reused} reused) in {summary.seconds:.1f} s"
        )


def _print_table(table: Any, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    shown = table.slice(0, MAX_TABLE_ROWS)
    out = Table(title=_text(title) if title else None)
    for name in table.column_names:
        out.add_column(_text(name), justify="right")
    for row in shown.to_pylist():
        out.add_row(*(_text(_cell(v)) for v in row.values()))
    console = Console()
    console.print(out)
    if table.num_rows > MAX_TABLE_ROWS:
        console.print(f"... {table.num_rows - MAX_TABLE_ROWS:,} more rows (--csv PATH writes them all)")


def _cell(value: Any, number: str = "{:.6g}") -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return number.format(value)
    return str(value)


@study_app.command("query")
@_one_line_errors
def query(
    directory: Annotated[Path, typer.Argument(help="A study's results folder (the --out of `study run`).")],
    sql: Annotated[str, typer.Argument(help='SQL (DuckDB) on the view `results`, e.g. "SELECT ... FROM results".')],
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the answer as CSV here instead of a table.")] = None,
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Query a study's results with SQL (DuckDB): a table on stdout, or --csv PATH."""
    from .errors import SpecError
    from .studies.store import StudyStore

    if not (directory / "manifest.json").is_file():
        raise SpecError("DIR", str(directory), "a study's results folder (the --out of `study run`)")
    store = StudyStore(directory)
    if csv is not None:
        if csv.is_dir():
            raise SpecError("--csv", str(csv), "a file to write, not a directory")
        path = store.to_csv(sql, csv)
        typer.echo(f"wrote {path}", err=True)
        return
    table = store.query(sql)
    if as_json:
        _echo_json({"rows": table.to_pylist()})
    else:
        _print_table(table, "")


@study_app.command("plot")
@_one_line_errors
def plot(
    directory: Annotated[Path, typer.Argument(help="A study's results folder (the --out of `study run`).")],
    plot_path: Annotated[
        Path | None, typer.Option("--plot", help="Write the study's figure here (.png, .pdf, .svg).")
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", help="The output column to plot (default: the first).")
    ] = None,
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Summarise a study: percentiles of every output; with --plot, its figure (tornado, Sobol or
    Morris indices with confidence bars, Pareto front, or histograms and CDFs, by its method)."""
    from .errors import SpecError

    target = _plot_target(plot_path)
    from .report.study import load_results, summary_table
    from .report.study import plot as draw

    study, table, _ = load_results(directory)
    if output is not None and output not in table:
        raise SpecError("--output", output, "a column of the results: " + ", ".join(table))
    rows = summary_table(study, table)
    if as_json:
        _echo_json({"summary": rows})
    else:
        _print_rows(rows, f"{getattr(study, 'name', directory)}: {len(table['variant']):,} rows")
    if target is not None:
        reason = _write_plot(lambda path: draw(study, table, path, output), target)
        if reason is not None:
            _plot_failed(target, reason)
        typer.echo(f"wrote {target}", err=True)


def _print_rows(rows: list[dict[str, Any]], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Table(title=_text(title))
    for name in rows[0] if rows else ():
        out.add_column(_text(name), justify="left" if name == "output" else "right", no_wrap=name == "output")
    for row in rows:
        out.add_row(*(_text(_cell(v, "{:.4g}")) for v in row.values()))
    Console().print(out)
