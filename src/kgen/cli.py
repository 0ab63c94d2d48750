"""kgen's command line: the only module that prints or exits."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

# typer 0.29 carries its own click; its usage errors live here (typer is pinned).
from typer._click.exceptions import ClickException, NoArgsIsHelpError

from kgen import __version__, reports
from kgen.check import ERROR as CHECK_ERROR
from kgen.check import run_checks
from kgen.errors import (
    EXIT_FINDINGS,
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USER_ERROR,
    BlueprintError,
    UserError,
)
from kgen.explain import explain_text
from kgen.findings import FINDINGS, NOT_VERIFIED, CheckResult
from kgen.model import json_schema
from kgen.pipeline import load, render_artifacts
from kgen.writer import MANIFEST, drift, identity_changes, write

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="Turn a Kafka blueprint into Terraform, Ansible and Helm, secure by default.",
)


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _warn(problems: tuple[object, ...]) -> None:
    for problem in problems:
        _err(str(problem))


@app.command()
def validate(
    blueprints: Annotated[list[Path], typer.Argument(help="Blueprint files.", show_default=False)],
) -> None:
    """Check blueprints: YAML, types, topology rules and Kafka config keys."""
    failed = False
    for path in blueprints:
        try:
            validated, _ = load(path)
        except BlueprintError as exc:
            _err(str(exc))
            failed = True
            continue
        _warn(validated.warnings)
        typer.echo(f"{path}: valid ({len(validated.warnings)} warning(s))")
    if failed:
        raise typer.Exit(EXIT_USER_ERROR)


@app.command()
def render(
    blueprint: Annotated[Path, typer.Argument(help="Blueprint file.", show_default=False)],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output directory.")] = Path("out"),
    target: Annotated[list[str] | None, typer.Option("--target", "-t",
                                                     help="Render only this target (repeatable).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the files; write nothing.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Exit 2 and list stale files when the "
                                                        "output no longer matches (CI drift).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace files kgen did not generate.")] = False,
    allow_renumber: Annotated[bool, typer.Option(
        "--allow-renumber", help="Write even if a cluster id or node id changes (only for nodes never formatted).",
    )] = False,
    verify: Annotated[bool, typer.Option("--verify", help="Run kgen check on the output after writing.")] = False,
    output_format: FormatOption = "text",
    strict: StrictOption = None,
    no_cache: CacheOption = False,
    report_file: ReportOption = None,
) -> None:
    """Render a blueprint to DIR/terraform, DIR/ansible and DIR/helm plus kgen-manifest.json."""
    validated, plan = load(blueprint)
    _warn(validated.warnings)
    artifacts = render_artifacts(validated, plan, target)
    if dry_run:
        for artifact in artifacts:
            typer.echo(f"{output / artifact.path}")
        return
    if check:
        found = drift(output, artifacts)
        if found.clean:
            typer.echo(f"{output}: up to date ({len(artifacts)} files)")
            return
        for label, paths in (("stale", found.changed), ("missing", found.missing), ("extra", found.extra)):
            for path in paths:
                typer.echo(f"{label}: {output / path}")
        _err(f"{output} does not match {blueprint}; run: kgen render {blueprint} -o {output}")
        raise typer.Exit(EXIT_FINDINGS)
    manifest = next(a for a in artifacts if a.path == MANIFEST)
    renumbered = identity_changes(output, json.loads(manifest.content)["identity"])
    if renumbered and not allow_renumber:
        for change in renumbered:
            typer.echo(f"changed: {change}", err=True)
        _err(f"{blueprint} would change ids the deployment in {output} was formatted with; Kafka refuses to "
             "start a node under another id. Keep the site order (append new sites at the end), or pass "
             "--allow-renumber for nodes that were never formatted")
        raise typer.Exit(EXIT_USER_ERROR)
    write(output, artifacts, force=force)
    typer.echo(f"wrote {len(artifacts)} files to {output}")
    if verify:
        strict_mode = _strict_default(strict)
        results = run_checks(output, use_cache=not no_cache, progress=_Progress())
        _report(results, output_format, strict_mode, report_file)
        raise typer.Exit(_check_exit(results, strict_mode))


@app.command()
def schema() -> None:
    """Print the blueprint language as JSON Schema (2020-12)."""
    typer.echo(json.dumps(json_schema(), indent=2, sort_keys=True))


@app.command()
def explain(
    blueprint: Annotated[Path, typer.Argument(help="Blueprint file.", show_default=False)],
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Print the plan: clusters, nodes per site, quorum, losses survived, listeners, flows."""
    if output_format not in ("text", "json"):
        raise UserError(f"--format is text or json, not {output_format!r}")
    validated, plan = load(blueprint)
    if output_format == "json":
        typer.echo(json.dumps(plan.to_dict(), indent=2, sort_keys=True))
    else:
        typer.echo(explain_text(plan, validated.blueprint, validated.warnings), nl=False)


class _Progress:
    """Live progress on a terminal; plain lines anywhere else. Always on stderr."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.running: list[str] = []
        self.done = 0

    def __call__(self, name: str, result: CheckResult | None) -> None:
        if result is None:
            self.running.append(name)
        else:
            self.running.remove(name)
            self.done += 1
        if self.tty:
            line = f"checked {self.done}/{self.done + len(self.running)}"
            line += f"; running: {', '.join(self.running)}" if self.running else ""
            sys.stderr.write("\r\033[K" + line + ("\n" if not self.running else ""))
            sys.stderr.flush()
        elif result is not None:
            where = "cached" if result.cached else f"{result.seconds:.1f}s"
            typer.echo(f"{name}: {result.state} ({where})", err=True)


def _check_exit(results: list[CheckResult], strict: bool) -> int:
    if any(r.state == CHECK_ERROR for r in results):
        return EXIT_INTERNAL_ERROR
    if any(r.state == FINDINGS for r in results):
        return EXIT_FINDINGS
    if strict and any(r.state == NOT_VERIFIED for r in results):
        return EXIT_FINDINGS
    return EXIT_OK


def _report(results: list[CheckResult], output_format: str, strict: bool, report_file: Path | None) -> None:
    formats = {
        "text": lambda: reports.text(results, strict),
        "json": lambda: reports.as_json(results),
        "junit": lambda: reports.junit(results),
        "sarif": lambda: reports.sarif(results),
    }
    if output_format not in formats:
        raise UserError(f"--format is text, json, junit or sarif, not {output_format!r}")
    body = formats[output_format]()
    if report_file is not None:
        report_file.write_text(body, encoding="utf-8")
        if output_format != "text":
            typer.echo(reports.text(results, strict), nl=False)
    else:
        typer.echo(body, nl=False)


def _strict_default(strict: bool | None) -> bool:
    return bool(os.environ.get("CI")) if strict is None else strict


FormatOption = Annotated[str, typer.Option("--format", help="text, json, junit or sarif.")]
StrictOption = Annotated[bool | None, typer.Option("--strict/--no-strict",
                                                   help="Count a checker that did not run as a failure "
                                                        "(default: on when CI is set).")]
CacheOption = Annotated[bool, typer.Option("--no-cache", help="Check everything again.")]
ReportOption = Annotated[Path | None, typer.Option("--report", help="Write the report to this file.")]
CheckerOption = Annotated[list[str] | None, typer.Option("--checker", help="Run only this checker (repeatable).")]


@app.command()
def check(
    directory: Annotated[Path, typer.Argument(help="A directory kgen render wrote.", show_default=False)],
    output_format: FormatOption = "text",
    strict: StrictOption = None,
    no_cache: CacheOption = False,
    report_file: ReportOption = None,
    checker: CheckerOption = None,
) -> None:
    """Run every real checker over rendered output: terraform, ansible-lint, Helm, schemas, checkov."""
    strict_mode = _strict_default(strict)
    results = run_checks(directory, use_cache=not no_cache, only=checker, progress=_Progress())
    _report(results, output_format, strict_mode, report_file)
    raise typer.Exit(_check_exit(results, strict_mode))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kgen {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version.")] = False,
) -> None:
    """kgen: one Kafka blueprint in; Terraform, Ansible and Helm out."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map every outcome to an exit code."""
    try:
        code = app(args=argv, prog_name="kgen", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except NoArgsIsHelpError as exc:
        typer.echo(exc.format_message())
        return EXIT_OK
    except ClickException as exc:
        _err(f"usage error: {exc.format_message()}\nRun 'kgen --help' for the commands.")
        return EXIT_USER_ERROR
    except typer.Abort:
        return EXIT_INTERRUPTED
    except UserError as exc:
        _err(str(exc))
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:
        if os.environ.get("KGEN_DEBUG"):
            raise
        _err(f"internal error: {type(exc).__name__}: {exc}\n"
             "This is a bug in kgen. Re-run with KGEN_DEBUG=1 for the traceback and report it.")
        return EXIT_INTERNAL_ERROR
    return code if isinstance(code, int) else EXIT_OK


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
