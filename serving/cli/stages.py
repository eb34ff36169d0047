"""Stage commands: each reads and writes a documented format, so each can be rerun."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

import corpus
import scraper
import training
from corpus import Turn
from serving.cli.errors import user_errors


def _check_timezone(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> str | None:
    """Refuse an unknown zone name before any file is read."""
    if value is not None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise click.BadParameter(f"unknown time zone {value!r}") from None
    return value


@click.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Message JSON-lines file to write.",
)
@click.option(
    "--format",
    "export_format",
    type=click.Choice(scraper.FORMATS),
    default=None,
    help="Force the export format instead of detecting it.",
)
@click.option(
    "--include-requests",
    is_flag=True,
    help="Also read Facebook's message_requests/ (skipped by default).",
)
@click.option(
    "--timezone",
    callback=_check_timezone,
    default=None,
    help="Zone of exports that write local times (WhatsApp, Facebook and "
    "Instagram HTML), "
    "e.g. Europe/Paris; default UTC.",
)
def import_command(
    path: Path,
    output: Path,
    export_format: str | None,
    include_requests: bool,
    timezone: str | None,
) -> None:
    """Read a chat export (folder or .zip) into Message JSON lines."""
    report = scraper.ImportReport()
    messages = scraper.iter_messages(
        path,
        format=export_format,
        report=report,
        include_requests=include_requests,
        timezone=timezone,
    )
    # Streamed into a file beside the output, renamed when whole: memory holds
    # a window of the export, and a refused export leaves no output behind.
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    try:
        with user_errors(), open(partial, "w", encoding="utf-8") as out:
            corpus.write_messages(messages, out)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(
        f"{report.messages} messages from {len(report.per_thread)} threads -> {output}"
    )
    click.echo("per thread:")
    for thread, count in sorted(report.per_thread.items()):
        click.echo(f"  {count:7d}  {thread}")
    click.echo("per sender:")
    for sender, count in sorted(report.per_sender.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {count:7d}  {sender}")
    skipped = {reason: n for reason, n in report.skipped.items() if n}
    if skipped:
        click.echo("skipped:")
        for reason, count in sorted(skipped.items()):
            click.echo(f"  {count:7d}  {reason}")


@click.command("corpus")
@click.argument(
    "messages", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Corpus folder to write.",
)
@click.option(
    "--me",
    default=None,
    help="The persona's sender name (default: who is in every thread).",
)
@click.option(
    "--gap-minutes",
    default=30.0,
    show_default=True,
    help="A silence this long starts a new conversation.",
)
@click.option(
    "--val-fraction",
    default=0.1,
    show_default=True,
    help="Share of conversations held out for validation.",
)
@click.option(
    "--persona-only",
    is_flag=True,
    help="Train only on conversations the persona speaks in "
    "(default: every conversation teaches the language).",
)
@click.option(
    "--keep-personal-data",
    is_flag=True,
    help="Keep phone numbers, e-mail addresses, links, card numbers, IBANs and "
    "codes as they are (only for a private persona of your own).",
)
@click.option(
    "--block-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A file of words or phrases, one a line: messages holding any are left out.",
)
@click.option(
    "--phone-region",
    "phone_regions",
    multiple=True,
    metavar="CC",
    help="Also read phone numbers written without a country code as this "
    "country's (ISO code, e.g. JP; repeatable). "
    f"Default: {' '.join(corpus.DEFAULT_PHONE_REGIONS)}.",
)
@click.option(
    "--canaries",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Insert made-up secrets (a phone number, an e-mail address, a 6-digit "
    "code, a random word), each this many times, for `mimical eval` to measure "
    "their exposure.",
)
def corpus_command(
    messages: Path,
    output: Path,
    me: str | None,
    gap_minutes: float,
    val_fraction: float,
    persona_only: bool,
    keep_personal_data: bool,
    block_file: Path | None,
    phone_regions: tuple[str, ...],
    canaries: int,
) -> None:
    """Turn Message JSON lines into pairs, training text and a held-out split,
    with personal data replaced by placeholders."""
    with user_errors():
        privacy = corpus.PrivacySettings(
            keep_personal_data=keep_personal_data,
            blocked=corpus.read_block_file(block_file) if block_file else (),
            phone_regions=corpus.DEFAULT_PHONE_REGIONS
            + tuple(region.upper() for region in phone_regions),
        )
        built = corpus.build_corpus(
            corpus.read_messages(messages),
            output,
            me=me,
            gap=timedelta(minutes=gap_minutes),
            val_fraction=val_fraction,
            persona_only=persona_only,
            privacy=privacy,
            canaries=canaries,
        )
    stats = built.manifest["stats"]
    assert isinstance(stats, dict)
    click.echo(f"persona: {built.persona}")
    for name, value in stats.items():
        click.echo(f"  {name}: {value}")
    click.echo(_privacy_line(built.manifest))


def _privacy_line(manifest: dict[str, object]) -> str:
    """What was done with personal data, in one line."""
    report = manifest["privacy"]
    assert isinstance(report, dict)
    if report["personal_data"] == "kept":
        done = "personal data KEPT as it is"
    else:
        replaced = ", ".join(f"{n} {kind}" for kind, n in report["replaced"].items())
        done = f"personal data replaced: {replaced}"
    line = f"privacy: {done}; {report['blocked_messages']} messages blocked"
    inserted = manifest.get("canaries") or []
    assert isinstance(inserted, list)
    if inserted:
        line += f"; {len(inserted)} canaries inserted x{inserted[0]['repeats']}"
    return line


@click.command("train")
@click.argument(
    "corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Model folder to write (artifact + checkpoint).",
)
@click.option("--minutes", default=2.0, show_default=True, help="Training time budget.")
@click.option(
    "--resume", is_flag=True, help="Continue from the model folder's checkpoint."
)
@click.option("--max-steps", type=int, default=None, help="Stop after this many steps.")
@click.option(
    "--from-scratch",
    is_flag=True,
    help="Start from random weights instead of the shipped base chat model.",
)
@click.option(
    "--base",
    "base_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Start from this base model folder instead of the shipped one.",
)
def train_command(
    corpus_dir: Path,
    output: Path,
    minutes: float,
    resume: bool,
    max_steps: int | None,
    from_scratch: bool,
    base_dir: Path | None,
) -> None:
    """Train a persona model on a corpus folder, fine-tuning the base chat model."""
    if from_scratch and base_dir is not None:
        raise click.UsageError("give --from-scratch or --base, not both")
    with user_errors():
        settings = {"minutes": minutes, "max_steps": max_steps}
        config = training.persona_train_config(not from_scratch, settings)
        loaded = corpus.load_corpus(corpus_dir)  # fail before the progress bar shows
        base = None if from_scratch else training.load_base_model(base_dir)
        result = training.train(
            loaded,
            output,
            config,
            resume=resume,
            on_progress=training.tqdm_progress("training"),
            base=base,
        )
    click.echo(
        f"validation: {result.val_bpc:.3f} bits/char after "
        f"{result.chars_seen:,} chars in {result.wall_s:.0f} s -> {output}"
    )


@click.command("sample")
@click.argument(
    "model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option("--prompt", default=None, help="One message to answer.")
@click.option(
    "--prompts",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="A file of prompts, one per line, each answered on its own.",
)
@click.option("--n", "count", default=1, show_default=True, help="Replies per prompt.")
@click.option("--temperature", default=training.DEFAULT_TEMPERATURE, show_default=True)
@click.option(
    "--candidates",
    default=training.DEFAULT_CANDIDATES,
    show_default=True,
    help="Replies sampled for each answer; the best by the rerank score is kept.",
)
@click.option("--seed", type=int, default=None, help="Make sampling repeatable.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per reply.")
def sample_command(
    model_dir: Path,
    prompt: str | None,
    prompts: click.utils.LazyFile | None,
    count: int,
    temperature: float,
    candidates: int,
    seed: int | None,
    as_json: bool,
) -> None:
    """Answer prompts with a trained model."""
    if (prompt is None) == (prompts is None):
        raise click.UsageError("give exactly one of --prompt or --prompts")
    lines = [prompt] if prompt is not None else [ln.rstrip("\n") for ln in prompts]
    with user_errors():
        model = training.PersonaModel.load(model_dir)
        for index, text in enumerate(line for line in lines if line.strip()):
            for k in range(count):
                reply_seed = None if seed is None else seed + index * count + k
                reply = model.reply(
                    [Turn("user", False, text)],
                    temperature=temperature,
                    seed=reply_seed,
                    candidates=candidates,
                )
                if as_json:
                    record = {"prompt": text, "reply": reply}
                    click.echo(json.dumps(record, ensure_ascii=False))
                else:
                    click.echo(f"> {text}\n{reply}\n")
    sys.stdout.flush()


@click.command("eval")
@click.argument(
    "model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.argument(
    "corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="JSON file for the figures (default: MODEL_DIR/eval.json).",
)
@click.option(
    "--samples",
    default=100,
    show_default=True,
    help="Held-out replies to generate for the style and copy figures.",
)
@click.option("--seed", default=0, show_default=True, help="Sampling seed.")
def eval_command(
    model_dir: Path, corpus_dir: Path, output: Path | None, samples: int, seed: int
) -> None:
    """Score a model on held-out replies against a Kneser-Ney baseline; its style;
    what it memorised (copies of others' words, canary exposure)."""
    with user_errors():
        result = training.evaluate(model_dir, corpus_dir, n_samples=samples, seed=seed)
    target = output or model_dir / "eval.json"
    target.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    click.echo(training.format_eval_table(result))
    click.echo(f"figures -> {target}")
