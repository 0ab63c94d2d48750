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

from kgen import __version__
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
from kgen.model import json_schema
from kgen.pipeline import load, render_artifacts
from kgen.writer import drift, write

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
    write(output, artifacts, force=force)
    typer.echo(f"wrote {len(artifacts)} files to {output}")


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
