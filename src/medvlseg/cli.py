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


@models_app.command("show")
def models_show(
    run: Annotated[Path, typer.Argument(metavar="RUN", help="Run directory (or a .safetensors file).")],
) -> None:
    """The model card: what the model segments (target names and their presence thresholds), its
    training data and budget, validation metrics, known limits. The same text as RUN/card.md."""
    from .card import render_card

    if not run.exists():
        raise MedvlsegError(f"{run}: not found")
    typer.echo(render_card(run), nl=False)


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
    keep_train_copies: Annotated[
        bool,
        typer.Option("--keep-train-copies", help="Also score images identical (same pixels) to a train image; left out by default."),
    ] = False,
) -> None:
    """Score a folder of predicted masks against a dataset, at each image's original resolution.

    Scoring a split other than train, images identical to a train image are left out (as evaluate
    does) and listed in summary.json (source.dropped_train_copies)."""
    from .data.dataset import SegmentationDataset
    from .evaluation import markdown_table, score_prediction_folder

    ds = SegmentationDataset.open(data)
    summary = score_prediction_folder(
        pred_dir, ds, split=split, out_dir=out, empty_policy=empty_policy, threshold=threshold, tolerance=tolerance,
        drop_train_copies=not keep_train_copies,
    )
    typer.echo(markdown_table(summary))
    for warning in summary.get("warnings", []):
        err_console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    err_console.print(f"wrote {out / 'per_image.csv'}, {out / 'summary.json'}, {out / 'report.md'}")


# ------------------------------------------------------------------------------------------ train


@app.command("align")
def align_cmd(
    data: Annotated[list[Path], typer.Option("--data", help="Dataset folder; repeat for several (the negatives come from all).")],
    out: Annotated[Path, typer.Option("--out", help="The align run folder: backbone.safetensors, align.json, retrieval.md.")],
    backbone: Annotated[str, typer.Option(help="Backbone with learned projections (lite, tiny-lite).")] = "lite",
    loss: Annotated[str, typer.Option(help="dhn_nce (MedCLIP-SAM), info_nce (CLIP's loss, for comparison) or sigmoid "
                                           "(every image against every caption, labelled by the classes it holds).")] = "dhn_nce",
    epochs: Annotated[int, typer.Option(help="Passes over the training images.")] = 60,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Any AlignConfig field: key=value (YAML), repeatable.")] = None,
) -> None:
    """Align a backbone's image and text towers with DHN-NCE on image-text pairs (no masks needed
    beyond the prompts'); reports retrieval on val before and after. A recipe starts from the run
    with model.init_from: OUT. For zero-shot saliency that localises: --loss sigmoid --set
    pooling=lse (an image scores a caption by its best patches) --set texts=names (captions from
    the target catalog, no mask read)."""
    from .align import AlignConfig, align
    from .config import apply_overrides, validate

    raw = apply_overrides({"data": [str(p) for p in data], "backbone": backbone, "loss": loss, "epochs": epochs}, set_ or [])
    cfg = validate(AlignConfig, raw, source="align")
    res = align(cfg, out, console=err_console)
    console.print((out / "retrieval.md").read_text(encoding="utf-8"), highlight=False, markup=False)
    err_console.print(f"wrote {out / 'backbone.safetensors'}, {out / 'align.json'}, {out / 'retrieval.md'} "
                      f"in {res['time_s']['total']:.0f}s")


@app.command("zeroshot")
def zeroshot_cmd(
    data: Annotated[Path, typer.Option("--data", help="Dataset folder (any layout medvlseg reads), a folder of images, or one image file.")],
    prompt: Annotated[str, typer.Option("--prompt", help="What to segment, e.g. 'foot ulcer'.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder: saliency/, masks/<stage>/, metrics.csv, summary.json, report.md.")],
    align: Annotated[Optional[Path], typer.Option("--align", help="An align run (medvlseg align): the lite projections and the presence threshold.")] = None,
    split: Annotated[str, typer.Option(help="Split of a dataset folder to run on ('all' for every image).")] = "val",
    target: Annotated[Optional[str], typer.Option(help="A dataset with several targets per image: whose masks to score against (default: the one the prompt names).")] = None,
    saliency: Annotated[str, typer.Option(help="gscorecam (MedCLIP-SAM), m2ib (MedCLIP-SAMv2) or patch (each patch embedding's cosine with the prompt: one pass; for align runs with pooling=lse).")] = "gscorecam",
    sam: Annotated[str, typer.Option(help="litemedsam (offline), a Hugging Face SAM name or folder, or none.")] = "litemedsam",
    sam_prompt: Annotated[str, typer.Option("--sam-prompt", help="box (one around all kept regions), boxes (one per region) or points.")] = "box",
    limit: Annotated[Optional[int], typer.Option(help="Only the first N images.")] = None,
    pseudo_labels: Annotated[Optional[Path], typer.Option("--pseudo-labels", help="Also write the SAM masks as a dataset to train on (weak supervision).")] = None,
    min_agreement: Annotated[float, typer.Option("--min-agreement", help="Pseudo-labels: keep images whose SAM mask agrees with the coarse one at least this much (Dice).")] = 0.0,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Any ZeroShotConfig field: key=value (YAML), repeatable.")] = None,
) -> None:
    """Zero-shot segmentation from a sentence: saliency -> post-processing -> connected components ->
    SAM, Dice per stage when the data has masks (never used otherwise)."""
    from .config import apply_overrides, validate
    from .zeroshot import ZeroShotConfig
    from .zeroshot import pseudo_labels as make_pseudo_labels
    from .zeroshot import zeroshot

    raw = apply_overrides({"saliency": saliency, "sam": None if sam.lower() == "none" else sam, "sam_prompt": sam_prompt,
                           "align": str(align) if align else None}, set_ or [])
    cfg = validate(ZeroShotConfig, raw, source="zeroshot")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("zero-shot"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console,
                  disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("zero-shot", total=None)
        summary = zeroshot(data, prompt, out, cfg, split=None if split == "all" else split, target=target, limit=limit,
                           progress=lambda k, n: bar.update(task, completed=k, total=n))
    console.print((out / "report.md").read_text(encoding="utf-8"), highlight=False, markup=False)
    if pseudo_labels is not None:
        rec = make_pseudo_labels(out, pseudo_labels, min_agreement=min_agreement)
        err_console.print(f"pseudo-labels: {rec['kept']} image(s) in {pseudo_labels} ({rec['dropped']} dropped); "
                          f"train on them with --set data.path={pseudo_labels} --set data.select_fraction=0.1")
    err_console.print(f"wrote {out} ({summary['n_images']} images)")


@app.command("train")
def train_cmd(
    config: Annotated[Optional[Path], typer.Option("--config", help="Run configuration (YAML); see medvlseg.config.RunConfig.")] = None,
    set_: Annotated[
        Optional[list[str]], typer.Option("--set", help="Override a config value: key.path=value (YAML), repeatable.")
    ] = None,
    resume: Annotated[Optional[Path], typer.Option("--resume", help="Continue a run directory from its last completed epoch.")] = None,
    replay: Annotated[Optional[Path], typer.Option("--replay", help="Repeat a time-budgeted run by the steps it recorded (no clock): its config.yaml and step plan; the new run is <name>-replay unless --set name=...")] = None,
    devices: Annotated[Optional[str], typer.Option("--devices", help="Devices per node (an int, or 'auto').")] = None,
    strategy: Annotated[Optional[str], typer.Option("--strategy", help="Lightning strategy: auto, ddp (gloo on CPU), ...")] = None,
    num_nodes: Annotated[Optional[int], typer.Option("--num-nodes", help="Nodes (SLURM / torchrun multi-node).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Parent folder of the run directory (default: out_dir of the config).")] = None,
    trust_pickle: Annotated[bool, typer.Option("--trust-pickle", help="Let the backbone read pickle weight files (open_clip:<file>.pt), with weights_only=True.")] = False,
) -> None:
    """Train a model; writes runs/<name>/ (config.yaml, model.safetensors, metadata.json, metrics.csv, last/).

    DDP: `--devices 2 --strategy ddp` starts one process per device (gloo on CPU). With torchrun or
    SLURM start one process per device and give a run name: `--set name=exp1`.
    """
    from .config import RunConfig
    from .engine.train import train

    from .engine.train import replay_config

    if sum(x is not None for x in (config, resume, replay)) != 1:
        raise MedvlsegError("train: give one of --config FILE.yaml, --resume RUN_DIR or --replay RUN_DIR "
                            "(--resume and --replay use the run's own config.yaml; give --set overrides instead)")
    dev = None if devices is None else (int(devices) if devices.isdigit() else devices)
    if replay is not None:
        cfg = replay_config(replay, set_ or [])
    else:
        cfg = RunConfig.from_yaml(config, set_ or []) if config is not None else None
    run_dir = train(
        cfg, resume=resume, overrides=set_ if resume is not None else None, devices=dev, strategy=strategy,
        num_nodes=num_nodes, out_dir=out, progress=sys.stderr.isatty(), console=err_console, allow_pickle=trust_pickle,
    )
    typer.echo(str(run_dir))


# --------------------------------------------------------------------------------- evaluate / predict


@app.command("evaluate")
def evaluate_cmd(
    model: Annotated[str, typer.Argument(metavar="RUN_OR_CHECKPOINT", help="Run directory, .safetensors file, or Hugging Face CLIPSeg id / folder.")],
    data: Annotated[list[Path], typer.Option("--data", help="Dataset folder; repeat it to pool several datasets.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder: per_image.csv, summary.json, report.md, figures/.")],
    split: Annotated[str, typer.Option(help="Split to evaluate (train/val/test, or 'all').")] = "val",
    prompt_type: Annotated[Optional[str], typer.Option("--prompt-type", help="Prompt level p0..p9, or 'random' (default: the run's own, else p1).")] = None,
    perturb: Annotated[Optional[str], typer.Option(help="Perturb the prompts: random-word, opposite, drop or empty.")] = None,
    uncertainty: Annotated[bool, typer.Option("--uncertainty", help="Monte-Carlo uncertainty for stochastic models.")] = False,
    samples: Annotated[int, typer.Option(help="Stochastic passes with --uncertainty.")] = 30,
    limit: Annotated[Optional[int], typer.Option(help="Only the first N images of the split.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Images per model call.")] = 8,
    device: Annotated[Optional[str], typer.Option(help="cpu, cuda, cuda:1 ... (default: cuda if available).")] = None,
    seed: Annotated[int, typer.Option(help="Seed for random prompt levels and perturbations.")] = 0,
    tta: Annotated[str, typer.Option(help="Test-time augmentation: none, flip (4 mirrorings, 4x the cost) or dihedral (8 rotations/mirrorings).")] = "none",
    threshold: Annotated[Optional[float], typer.Option(help="Pixel threshold (default: the run's).")] = None,
    presence_threshold: Annotated[Optional[float], typer.Option("--presence-threshold", help="Below this presence score (by the run's presence rule: the largest probability, or the mean of the largest 1 %) the mask is empty (default: the run's, calibrated on its selection split; 0 turns it off).")] = None,
    trust_pickle: Annotated[bool, typer.Option("--trust-pickle", help="Allow a pickle checkpoint (.pt/.ckpt/...), read with weights_only=True.")] = False,
    pickle_model: Annotated[Optional[str], typer.Option("--model", help="With --trust-pickle: the model the weights belong to.")] = None,
    pickle_backbone: Annotated[Optional[str], typer.Option("--backbone", help="With --trust-pickle: its backbone.")] = None,
    cross_prompts: Annotated[bool, typer.Option("--cross-prompts", help="Score every image with every target name, paraphrases and nonsense: a dataset x prompt matrix.")] = False,
    prompts: Annotated[Optional[list[Path]], typer.Option("--prompts", help="With --cross-prompts: YAML with targets: {name: [paraphrases]} and nonsense: [...]; repeat for several lists, read as one.")] = None,
    raw_prompts: Annotated[bool, typer.Option("--raw-prompts", help="Give every prompt to the model as it is (no resolving of a paraphrase to the target it means).")] = False,
) -> None:
    """Run a model on a dataset split and score it (Dice, IoU, HD95, NSD, ECE, uncertainty AUROC);
    with --cross-prompts, whether it segments what each prompt names and calls the rest absent."""
    from .data import SegmentationDataset
    from .evaluation.evaluate import evaluate

    dataset = SegmentationDataset.open(data[0]) if len(data) == 1 else SegmentationDataset.pool([SegmentationDataset.open(p) for p in data])
    if cross_prompts:
        from .evaluation.cross_prompts import cross_prompt_evaluate

        res = cross_prompt_evaluate(model, dataset, out_dir=out, split=split, prompts=prompts or None, limit=limit,
                                    device=device, tta=tta, trust_pickle=trust_pickle, resolve_prompts=not raw_prompts)
        console.print((out / "cross_prompts.md").read_text(encoding="utf-8"), highlight=False, markup=False)
        err_console.print(f"wrote {out / 'cross_prompts.csv'}, {out / 'cross_prompts.json'}, {out / 'cross_prompts.md'}, "
                          f"{out / 'cross_prompts.png'} ({res['n_images']} images x {len(res['prompts'])} prompts)")
        return
    if prompts:
        raise MedvlsegError("--prompts goes with --cross-prompts")
    summary = evaluate(
        model, dataset, out_dir=out, split=split, prompt_type=prompt_type, perturb=perturb, uncertainty=uncertainty,
        samples=samples, limit=limit, batch_size=batch_size, device=device, seed=seed, trust_pickle=trust_pickle,
        pickle_model=pickle_model, pickle_backbone=pickle_backbone, tta=tta, threshold=threshold,
        presence_threshold=presence_threshold, resolve_prompts=not raw_prompts,
    )
    table = Table(title=f"{summary['model']['model']} on {summary['dataset']} ({summary['split']}, {summary['prompt_type']}"
                  + (f", {summary['perturbation']}" if summary["perturbation"] else "") + ")")
    for col in ("images", "Dice", "pooled Dice", "IoU", "HD95", "NSD", "ECE", "AUROC"):
        table.add_column(col, justify="right")

    def _f(x, d=3):
        return "-" if x is None else f"{x:.{d}f}"

    m = summary["metrics"]
    hd = m.get("hd95") or next((v for k, v in m.items() if k.startswith("hd95")), {"mean": None})
    table.add_row(f"{summary['n_scored']}/{summary['n']}", _f(m["dice"]["mean"]), _f(summary["dice_pooled"]["value"]),
                  _f(m["iou"]["mean"]), _f(hd["mean"], 2),
                  _f(m["nsd"]["mean"]), _f(summary["ece"], 4), _f(summary["auroc"]))
    console.print(table)
    for warning in summary.get("warnings", []):
        err_console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    err_console.print(f"wrote {out / 'summary.json'}, {out / 'per_image.csv'}, {out / 'report.md'}, {out / 'figures'}")


@app.command("predict")
def predict_cmd(
    model: Annotated[str, typer.Argument(metavar="RUN_OR_CHECKPOINT", help="Run directory, .safetensors file, or Hugging Face CLIPSeg id / folder.")],
    inputs: Annotated[Optional[list[Path]], typer.Argument(metavar="INPUT...", help="Image files, folders of images, NIfTI volumes, DICOM series folders.")] = None,
    prompt: Annotated[Optional[list[str]], typer.Option("--prompt", help="What to segment, e.g. 'foot ulcer'; repeat it for several targets (each input gets every prompt).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("predictions"),
    jobs: Annotated[Optional[Path], typer.Option("--jobs", help='JSON lines, one per input: {"input": PATH, "prompts": [TEXT, ...]}.')] = None,
    skip_existing: Annotated[bool, typer.Option("--skip-existing", help="Leave out every (input, prompt) whose mask is already in --out.")] = False,
    uncertainty: Annotated[bool, typer.Option("--uncertainty", help="Also write entropy and mutual-information maps.")] = False,
    samples: Annotated[int, typer.Option(help="Stochastic passes with --uncertainty.")] = 30,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Volume slices per model call.")] = 8,
    device: Annotated[Optional[str], typer.Option(help="cpu, cuda, ... (default: cuda if available).")] = None,
    tta: Annotated[str, typer.Option(help="Test-time augmentation: none, flip (4 mirrorings, 4x the cost) or dihedral (8 rotations/mirrorings).")] = "none",
    trust_pickle: Annotated[bool, typer.Option("--trust-pickle", help="Allow a pickle checkpoint, read with weights_only=True.")] = False,
    pickle_model: Annotated[Optional[str], typer.Option("--model", help="With --trust-pickle: the model the weights belong to.")] = None,
    pickle_backbone: Annotated[Optional[str], typer.Option("--backbone", help="With --trust-pickle: its backbone.")] = None,
) -> None:
    """Segment what each PROMPT names in each input: masks, overlays, probability (and uncertainty)
    maps, results.json. An input that cannot be read is named and skipped, and the exit status is 1."""
    from .predict import predict

    if not inputs and jobs is None:
        raise MedvlsegError("predict: give INPUT... with --prompt, or --jobs FILE")
    res = predict(
        model, inputs or [], prompt or [], out_dir=out, jobs=jobs, skip_existing=skip_existing, uncertainty=uncertainty,
        samples=samples, batch_size=batch_size, device=device, trust_pickle=trust_pickle, pickle_model=pickle_model,
        pickle_backbone=pickle_backbone, tta=tta, progress=err_console.is_terminal, console=err_console,
    )
    table = Table(title=f"{(res['model'] or {}).get('model', 'model')}: {', '.join(map(repr, res['prompts']))}")
    for col in ("input", "prompt", "present", "foreground", "mask"):
        table.add_column(col)
    for r in res["results"][:50]:
        present = "skipped" if r.get("skipped") and "present" not in r else f"{r['present']:.3f}"
        fg = f"{r['foreground_fraction']:.3%}" if "foreground_fraction" in r else "-"
        table.add_row(r["input"], r["prompt"], present, fg, r["files"]["mask"])
    if len(res["results"]) > 50:
        table.caption = f"first 50 of {len(res['results'])}; all in {out / 'results.json'}"
    console.print(table)
    err_console.print(f"wrote {res['n_done']} result(s), skipped {res['n_skipped']} already done, results.json in {out}")
    for e in res["errors"]:
        err_console.print(f"error: {e['error']}", highlight=False, markup=False, soft_wrap=True)
    if res["errors"]:
        raise typer.Exit(1)


# ------------------------------------------------------------------------------------ serve / app


def _serve(run: Path, host: str, port: int, token: Optional[str], limits: dict, device: Optional[str], with_app: bool) -> None:
    import os

    from .serve import ServiceLimits, serve

    if not run.exists():
        raise MedvlsegError(f"{run}: not found")
    token = token or os.environ.get("MEDVLSEG_TOKEN") or None
    if host not in ("127.0.0.1", "localhost", "::1") and token is None:
        err_console.print(f"[yellow]warning:[/yellow] serving on {host} without a token: anyone who reaches "
                          "this address can use the model (give --token or MEDVLSEG_TOKEN)")
    err_console.print(f"serving {run} on http://{host}:{port}" + ("/app/" if with_app else "/segment"))
    serve(run, host=host, port=port, with_app=with_app, limits=ServiceLimits(**limits), token=token, device=device)


_HOST = Annotated[str, typer.Option(help="Address to listen on (default: this machine only).")]
_PORT = Annotated[int, typer.Option(help="Port.")]
_TOKEN = Annotated[Optional[str], typer.Option(help="Require 'Authorization: Bearer TOKEN' (default: $MEDVLSEG_TOKEN, else none).")]
_UPLOAD = Annotated[float, typer.Option("--max-upload-mb", help="Largest upload accepted, in MB.")]
_PIXELS = Annotated[int, typer.Option("--max-pixels", help="Largest image (or volume slice) accepted, in pixels.")]
_PROMPTS = Annotated[int, typer.Option("--max-prompts", help="Most prompts in one request.")]
_CONC = Annotated[int, typer.Option("--max-concurrent", help="Requests decoded and run in the model at once.")]
_WAITING = Annotated[int, typer.Option("--max-queue", min=0, help="Requests waiting for a turn; one more is refused at once (503).")]
_QUEUE = Annotated[float, typer.Option("--queue-timeout-s", help="Longest a request waits for a turn (then 503).")]
_TIMEOUT = Annotated[float, typer.Option("--timeout-s", help="Longest a request may take (then 504).")]
_SAMPLES = Annotated[int, typer.Option("--samples", help="Monte-Carlo passes for uncertainty maps (and POST /rank).")]
_RANK = Annotated[int, typer.Option("--max-rank-images", min=1, help="Most images in one POST /rank request.")]
_DEVICE = Annotated[Optional[str], typer.Option(help="cpu, cuda, ... (default: cuda if available).")]


@app.command("serve")
def serve_cmd(
    run: Annotated[Path, typer.Argument(metavar="RUN_OR_CHECKPOINT", help="Run directory or .safetensors file.")],
    host: _HOST = "127.0.0.1", port: _PORT = 8000, token: _TOKEN = None, max_upload_mb: _UPLOAD = 25.0,
    max_pixels: _PIXELS = 40_000_000, max_prompts: _PROMPTS = 16, max_concurrent: _CONC = 1, max_queue: _WAITING = 8,
    queue_timeout_s: _QUEUE = 30.0, timeout_s: _TIMEOUT = 120.0, samples: _SAMPLES = 8, max_rank_images: _RANK = 64,
    device: _DEVICE = None,
) -> None:
    """An HTTP service on one model: GET /healthz, GET /capabilities, POST /segment (image or NIfTI
    slice + prompts -> mask, presence, uncertainty and area per prompt), POST /rank (images + prompt
    -> which to annotate next)."""
    limits = dict(max_upload_mb=max_upload_mb, max_pixels=max_pixels, max_prompts=max_prompts, max_concurrent=max_concurrent,
                  max_queue=max_queue, queue_timeout_s=queue_timeout_s, timeout_s=timeout_s, samples=samples,
                  max_rank_images=max_rank_images)
    _serve(run, host, port, token, limits, device, with_app=False)


@app.command("app")
def app_cmd(
    run: Annotated[Path, typer.Argument(metavar="RUN_OR_CHECKPOINT", help="Run directory or .safetensors file.")],
    host: _HOST = "127.0.0.1", port: _PORT = 7860, token: _TOKEN = None, max_upload_mb: _UPLOAD = 25.0,
    max_pixels: _PIXELS = 40_000_000, max_prompts: _PROMPTS = 16, max_concurrent: _CONC = 1, max_queue: _WAITING = 8,
    queue_timeout_s: _QUEUE = 30.0, timeout_s: _TIMEOUT = 120.0, samples: _SAMPLES = 8, device: _DEVICE = None,
) -> None:
    """The web app (upload, prompts, overlays, uncertainty, presence and area per prompt, downloads)
    at /app/ on the same service as `medvlseg serve`; with --token it asks for it (user 'medvlseg')."""
    limits = dict(max_upload_mb=max_upload_mb, max_pixels=max_pixels, max_prompts=max_prompts, max_concurrent=max_concurrent,
                  max_queue=max_queue, queue_timeout_s=queue_timeout_s, timeout_s=timeout_s, samples=samples)
    _serve(run, host, port, token, limits, device, with_app=True)


# ------------------------------------------------------------------------------------------- demo


@app.command("demo")
def demo(
    data: Annotated[
        Optional[Path], typer.Option(help="Dataset folder (default: axial slices of the MNI152 brain template shipped with nilearn, targets grey matter, white matter, brain).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Output folder: report.html, summary.json, runs/, evaluation/, predictions/.")] = Path("demo_out"),
    split: Annotated[str, typer.Option(help="Split to evaluate and show.")] = "val",
    minutes: Annotated[float, typer.Option(help="Training time budget in minutes.")] = 8.0,
    epochs: Annotated[int, typer.Option(help="At most this many epochs.")] = 200,
    backbone: Annotated[str, typer.Option(help="Backbone: lite (pretrained, offline) or tiny (random, for a smoke test).")] = "lite",
) -> None:
    """The main job end to end: build the data, train a text-prompted MedCLIPSeg with negative prompts,
    evaluate it per target, predict several prompts (and an absent target) on the same images,
    and write report.html."""
    from .demo import run_demo

    res = run_demo(data=data, out=out, split=split, minutes=minutes, epochs=epochs, backbone=backbone,
                   image_size=None if backbone == "tiny" else 256, console=err_console)
    table = Table(title=f"demo: Dice per target on {res['split']}")
    table.add_column("target")
    table.add_column("Dice", justify="right")
    for t, d in res["dice"].items():
        table.add_row(t, f"{d:.3f}")
    console.print(table)


# -------------------------------------------------------------------------------------- benchmark


@app.command("rank")
def rank_cmd(
    model: Annotated[str, typer.Argument(metavar="RUN_OR_CHECKPOINT", help="Run directory or .safetensors file.")],
    inputs: Annotated[list[Path], typer.Argument(metavar="INPUT...", help="A dataset folder (with --split), or image files and folders.")],
    prompt: Annotated[str, typer.Option("--prompt", help="The target to annotate, e.g. 'foot ulcer'.")],
    out: Annotated[Path, typer.Option("--out", help="Ranking CSV: rank, image, score and each signal.")],
    split: Annotated[Optional[str], typer.Option(help="With a dataset folder: the split to rank (default: all).")] = None,
    samples: Annotated[int, typer.Option(help="Monte-Carlo passes of a stochastic model.")] = 8,
    diversity: Annotated[float, typer.Option(help="> 0: keep near-duplicates apart (score minus this times the similarity to those already ranked).")] = 0.0,
    cache: Annotated[Optional[Path], typer.Option(help="Scores cache (JSON lines; default: beside --out). Re-ranking computes only new images.")] = None,
    device: Annotated[Optional[str], typer.Option(help="cpu, cuda, ... (default: cuda if available).")] = None,
) -> None:
    """Rank unlabelled images by how much annotating them should help: the model's uncertainty
    (Monte-Carlo mutual information, TTA disagreement, an unsure presence score), most useful first."""
    from .ranking import rank_images, write_ranking

    ranked = rank_images(model, inputs, prompt, split=split, samples=samples, diversity=diversity,
                         cache=cache if cache is not None else out.with_name(f".{out.name}.cache.jsonl"),
                         device=device, progress=sys.stderr.isatty(), console=err_console)
    write_ranking(ranked, out)
    cached = sum(r.cached for r in ranked)
    err_console.print(f"ranked {len(ranked)} image(s) ({cached} from the cache); wrote {out}", highlight=False)


@app.command("export")
def export_cmd(
    model: Annotated[str, typer.Argument(metavar="RUN_OR_CHECKPOINT", help="Run directory or .safetensors file.")],
    onnx: Annotated[Path, typer.Option("--onnx", help="Output folder: model.onnx, export.json, tokenizer/.")],
    opset: Annotated[int, typer.Option(help="ONNX opset.")] = 18,
    trust_pickle: Annotated[bool, typer.Option("--trust-pickle", help="Allow a pickle checkpoint, read with weights_only=True.")] = False,
) -> None:
    """Export a model to ONNX (pixel values and tokens in, logits out), checked against PyTorch; run it
    with medvlseg.Segmenter(medvlseg.export.OnnxModel(FOLDER))."""
    from .export import export_onnx

    rec = export_onnx(model, onnx, opset=opset, trust_pickle=trust_pickle)
    err_console.print(f"largest difference of the probabilities from PyTorch: {rec['check']['max_abs_diff_probability']:.2e}",
                      highlight=False)
    typer.echo(str(onnx))


@app.command("calibrate")
def calibrate_cmd(
    run: Annotated[Path, typer.Argument(help="A finished run directory (medvlseg train).")],
    out: Annotated[Path, typer.Option("--out", help="New run folder: a copy of RUN with the new thresholds (RUN stays as it is; the copy's metadata.json keeps the earlier calibration).")],
    presence_rule: Annotated[Optional[str], typer.Option("--presence-rule", help="How an image's presence score is read: peak (its largest probability) or top1pct (the mean of its largest 1 %); default: the run's.")] = None,
    min_specificity: Annotated[Optional[str], typer.Option("--min-specificity", help="Operating point: the smallest thresholds calling at least this share of the items without their target absent (default: the run's model.presence_min_specificity; 'none': no operating point, the mean per-item score read by --tolerance-se, even where the run had one).")] = None,
    tolerance_se: Annotated[Optional[float], typer.Option("--tolerance-se", help="Without --min-specificity: the smallest thresholds whose mean per-item score is within this many standard errors of the best (the one-standard-error rule; 0: the best; default: the run's model.presence_tolerance_se).")] = None,
    device: _DEVICE = None,
) -> None:
    """Choose a run's presence thresholds ("not here") again on its selection split, under a presence
    rule, into a copy of the run; the weights are unchanged."""
    from .engine.calibrate import recalibrate_run

    res = recalibrate_run(run, out, rule=presence_rule, device=device, min_specificity=min_specificity,
                         tolerance_se=tolerance_se)  # a share, "none" or None (the run's), read there
    before = res["before"]
    err_console.print(f"presence rule {before['presence_rule']} -> {res['rule']}; threshold "
                      f"{before['presence_threshold']:.4g} -> {res['presence_threshold']:.4g}"
                      + ("" if res["min_specificity"] is None else f" (items without the target called absent: at least {res['min_specificity']:g})"),
                      highlight=False)
    for target, t in sorted(res["presence_thresholds"].items()):
        old = (before.get("presence_thresholds") or {}).get(target)
        err_console.print(f"  {target}: {'-' if old is None else f'{old:.4g}'} -> {t:.4g}", highlight=False)
    typer.echo(res["run"])


@app.command("benchmark")
def benchmark_cmd(
    suite: Annotated[Path, typer.Option("--suite", help="Suite YAML (see benchmarks/suites/ and medvlseg.bench.Suite).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder: runs/, evals/, cells/*.json, results.csv, results.md, plots/.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the cells (validating every config) and exit.")] = False,
    set_: Annotated[
        Optional[list[str]],
        typer.Option("--set", help="key.path=value, repeatable: matrix.*/evaluate.* change the suite, other keys every run's config."),
    ] = None,
) -> None:
    """Train and evaluate a matrix of runs; write results.csv, results.md (mean ± sd over seeds) and plots.

    Re-running the same command continues: finished cells (cells/<id>.json) are skipped.
    """
    from .bench import command_line, run_suite

    res = run_suite(suite, out, dry_run=dry_run, overrides=set_ or [], command=command_line(), console=err_console,
                    progress=sys.stderr.isatty())
    if dry_run:
        for cell in res.cells:
            typer.echo(cell.describe())
        err_console.print(f"{len(res.cells)} cell(s); nothing run (--dry-run)")
        return
    typer.echo((out / "results.md").read_text(encoding="utf-8"))
    err_console.print(f"{len(res.cells)} cell(s), {len(res.skipped)} already done; wrote {out / 'results.csv'}, "
                      f"{out / 'results.md'}" + (f", {len(res.plots)} plot(s) in {out / 'plots'}" if res.plots else ""))


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
