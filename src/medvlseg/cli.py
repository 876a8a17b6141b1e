"""The ``medvlseg`` command line: a thin layer that parses arguments and calls the library.

User mistakes (bad path, bad option, corrupt file) print one line and exit non-zero; ``--debug``
shows the traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .errors import MedvlsegError

app = typer.Typer(
    name="medvlseg",
    help="Text-driven medical image segmentation: data checks, prompts, metrics, models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Check and describe datasets.", no_args_is_help=True)
prompts_app = typer.Typer(help="Generate text prompts (P0-P9) from masks and images.", no_args_is_help=True)
models_app = typer.Typer(help="Models and backbones.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(prompts_app, name="prompts")
app.add_typer(models_app, name="models")

console = Console()
err_console = Console(stderr=True)
_state = {"debug": False}

EXIT_PROBLEMS = 1  # the command ran and found problems (data check)
EXIT_USAGE = 2  # the user's input is wrong


def _version(value: bool) -> None:
    if value:
        console.print(f"medvlseg {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
) -> None:
    _state["debug"] = debug


# ------------------------------------------------------------------------------------------- data


@data_app.command("check")
def data_check(
    path: Annotated[Path, typer.Argument(help="Dataset folder (manifest.csv, or images/ + masks/).")],
    label_map: Annotated[
        Optional[str], typer.Option(help="Multi-label masks: JSON map from label value to target name, e.g. '{\"1\": \"liver\"}'.")
    ] = None,
) -> None:
    """Validate a dataset: exit 0 when clean, 1 with one line per problem naming the file."""
    from .data.check import check_dataset

    report = check_dataset(path, label_map=_parse_label_map(label_map))
    for problem in report.problems:
        typer.echo(str(problem))
    splits = ", ".join(f"{k} {v}" for k, v in sorted(report.per_split.items()))
    summary = f"{report.n_samples} samples ({splits}); {report.n_empty} empty masks"
    if report.ok:
        err_console.print(f"[green]ok[/green] {path}: {summary}")
        return
    err_console.print(f"[red]{len(report.problems)} problem(s)[/red] in {path}: {summary}")
    raise typer.Exit(EXIT_PROBLEMS)


@data_app.command("info")
def data_info(
    path: Annotated[Path, typer.Argument(help="Dataset folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Counts per split, empty masks, image sizes, targets."""
    from .data.check import dataset_info

    info = dataset_info(path)
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    table = Table(title=f"{info['name']} ({info['samples']} samples)")
    table.add_column("split")
    table.add_column("images", justify="right")
    table.add_column("empty masks", justify="right")
    for split, entry in info["splits"].items():
        table.add_row(split, str(entry["images"]), str(entry["empty_masks"]))
    console.print(table)
    console.print(f"targets: {info['targets']}")
    console.print(f"width: {info['width']}  height: {info['height']}  modes: {info['modes']}")
    if info["extra_columns"]:
        console.print(f"extra columns: {info['extra_columns']}")


def _parse_label_map(text: Optional[str]) -> Optional[dict[int, str]]:
    if not text:
        return None
    try:
        raw = json.loads(Path(text).read_text() if Path(text).is_file() else text)
        return {int(k): str(v) for k, v in raw.items()}
    except (ValueError, AttributeError) as exc:
        raise MedvlsegError(f"--label-map: expected a JSON object of label value -> target name ({exc})") from None


# ---------------------------------------------------------------------------------------- prompts


@prompts_app.command("generate")
def prompts_generate(
    path: Annotated[Path, typer.Argument(help="Dataset folder.")],
    out: Annotated[Path, typer.Option("--out", help="Output JSONL file, one record per image.")],
    split: Annotated[Optional[str], typer.Option(help="Only this split (train/val/test).")] = None,
    perturb: Annotated[
        Optional[str], typer.Option(help="Also write a perturbed prompt per record: random-word, opposite, drop or empty.")
    ] = None,
    perturb_type: Annotated[str, typer.Option(help="Prompt level the perturbation applies to (p1..p9).")] = "p6",
    seed: Annotated[int, typer.Option(help="Seed for random choices (perturbations).")] = 0,
    targets: Annotated[
        Optional[Path], typer.Option(help="YAML file naming your targets and their descriptions (see prompts/targets.yaml).")
    ] = None,
    target: Annotated[Optional[str], typer.Option(help="Target name for every image (overrides the manifest's target).")] = None,
) -> None:
    """Write `id`, `attributes`, `p0` ... `p9` for every image of a dataset."""
    from .data.dataset import SegmentationDataset
    from .prompts import generate_records, write_prompts_jsonl

    ds = SegmentationDataset.open(path, target=target)
    records = list(
        generate_records(
            ds, split=split, seed=seed, perturb=perturb, perturb_type=perturb_type, targets=targets, progress=True
        )
    )
    write_prompts_jsonl(records, out)
    err_console.print(f"wrote {len(records)} records to {out}")


# ----------------------------------------------------------------------------------------- models


@models_app.command("list")
def models_list() -> None:
    """Registered models (with their default backbone and the image towers they accept) and backbones."""
    from .backbones.base import backbone_help
    from .models.base import list_models, model_info

    table = Table(title="models")
    table.add_column("name", no_wrap=True)
    table.add_column("default backbone", no_wrap=True)
    table.add_column("image towers")
    table.add_column("what")
    for name in list_models():
        info = model_info(name)
        table.add_row(name, str(info["default_backbone"] or "-"), ", ".join(info["backbone_types"]) or "none",
                      f"{info['summary']} ({info['paper']})" if info["paper"] else info["summary"])
    console.print(table)
    table = Table(title="backbones (also: open_clip:<model name or checkpoint file>)")
    table.add_column("name", no_wrap=True)
    table.add_column("what")
    for name, text in backbone_help().items():
        table.add_row(name, text)
    console.print(table)


# ---------------------------------------------------------------------------------------- metrics


@app.command("metrics")
def metrics(
    pred_dir: Annotated[Path, typer.Argument(help="Folder of predicted masks named <id>.png or <id>.npy.")],
    data: Annotated[Path, typer.Option("--data", help="Dataset folder with the ground truth.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder for per_image.csv, summary.json, report.md.")],
    split: Annotated[Optional[str], typer.Option(help="Split to score (default: every sample).")] = None,
    empty_policy: Annotated[
        str, typer.Option(help="Empty ground truth: 'exclude' from the means, or 'one_if_both_empty'.")
    ] = "exclude",
    threshold: Annotated[float, typer.Option(help="Threshold for probability maps.")] = 0.5,
    tolerance: Annotated[float, typer.Option(help="Surface Dice tolerance (pixels, or mm when spacing is known).")] = 2.0,
) -> None:
    """Score a folder of predicted masks against a dataset, at each image's original resolution."""
    from .data.dataset import SegmentationDataset
    from .evaluation import markdown_table, score_prediction_folder

    ds = SegmentationDataset.open(data)
    summary = score_prediction_folder(
        pred_dir, ds, split=split, out_dir=out, empty_policy=empty_policy, threshold=threshold, tolerance=tolerance
    )
    typer.echo(markdown_table(summary))
    for warning in summary.get("warnings", []):
        err_console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    err_console.print(f"wrote {out / 'per_image.csv'}, {out / 'summary.json'}, {out / 'report.md'}")


# ------------------------------------------------------------------------------------------- demo


@app.command("demo")
def demo(
    data: Annotated[
        Optional[Path], typer.Option(help="Dataset folder (default: ../shared/datasets/ph2 if present, else the MNI152 brain template shipped with nilearn).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("demo_out"),
    split: Annotated[str, typer.Option(help="Split to predict and score.")] = "val",
) -> None:
    """The main job end to end: check a dataset, generate its prompts, predict with a baseline, score it."""
    from .demo import run_demo

    run_demo(data=data, out=out, split=split, console=err_console)


# ------------------------------------------------------------------------------------------- main


def main(argv: Optional[list[str]] = None) -> None:
    """Entry point: runs the typer app and turns user errors into one line and a non-zero exit.

    Click itself handles usage errors (exit 2) and ``typer.Exit``; our own errors are caught here.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    _state["debug"] = "--debug" in args
    try:
        app(args=args, prog_name="medvlseg")
    except MedvlsegError as exc:
        if _state["debug"]:
            raise
        err_console.print(f"[red]error:[/red] {exc}", soft_wrap=True, highlight=False)
        sys.exit(EXIT_USAGE)


if __name__ == "__main__":  # pragma: no cover
    main()
