"""The data side of `lrx report`: per job, the lexicon and the pseudo data its `lexicon` and `synthesize` stages
made (from their markers), so that a sweep of data stages alone (`conf/experiment/gatitos_all.yaml`) has a
per-language table too, with what each language cost."""

from __future__ import annotations

import json
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# the run directory's marker folder (lrx.adapt.run.context.MARKERS; not imported: the report reads files only)
MARKERS = "stages"


@dataclass(frozen=True)
class DataRow:
    """One job's (or one language of a joint job's) lexicon and pseudo data."""

    language: str
    source: str
    entries: int | None
    english_sentences: int | None
    pseudo_sentences: int | None
    # share of the English tokens replaced by a translation, and of those the lexicon had no entry for
    translated: float | None
    unknown: float | None
    seconds: float
    job: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _marker(job: Path, stage: str) -> dict[str, Any] | None:
    path = job / MARKERS / f"{stage}.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def read_data_rows(directory: str | Path) -> list[DataRow]:
    """A row per run directory under `directory` whose lexicon stage finished, in path order."""
    rows = []
    for marker_dir in sorted(Path(directory).rglob(MARKERS)):
        job = marker_dir.parent
        lexicon = _marker(job, "lexicon")
        if lexicon is None:
            continue
        stats = lexicon.get("result", {})
        synthesize = _marker(job, "synthesize") or {}
        synthesis = synthesize.get("result", {})
        tokens = synthesis.get("tokens_in") or 0
        unknown = synthesis.get("paths", {}).get("unknown")
        rows.append(
            DataRow(
                language=str(stats.get("tgt", job.name)),
                source=str(stats.get("source", "?")),
                entries=stats.get("entries"),
                english_sentences=synthesis.get("english_sentences"),
                pseudo_sentences=synthesis.get("sentences"),
                translated=synthesis.get("replaced_ratio"),
                unknown=round(unknown / tokens, 4) if tokens and unknown is not None else None,
                seconds=round(float(lexicon.get("seconds", 0)) + float(synthesize.get("seconds", 0)), 3),
                job=str(job.relative_to(directory)) if job != Path(directory) else ".",
            )
        )
    return rows


def _percent(value: float | None) -> str:
    return f"{100 * value:.1f}" if value is not None else "-"


def data_markdown(rows: list[DataRow]) -> str:
    """The per-language table, then the totals: languages, median entries and coverage, seconds per language."""
    lines = [
        "| language | lexicon | entries | English sentences | pseudo sentences | translated % | unknown % | s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.language} | {row.source} | {row.entries if row.entries is not None else '-'} | "
            f"{row.english_sentences if row.english_sentences is not None else '-'} | "
            f"{row.pseudo_sentences if row.pseudo_sentences is not None else '-'} | {_percent(row.translated)} | "
            f"{_percent(row.unknown)} | {row.seconds:.1f} |"
        )
    translated = sorted(row.translated for row in rows if row.translated is not None)
    seconds = [row.seconds for row in rows]
    if rows:
        median = f"{100 * translated[len(translated) // 2]:.1f}%" if translated else "-"
        lines += [
            "",
            f"{len(rows)} languages; median share of English tokens translated {median}; lexicon + synthesis "
            f"{sum(seconds):.0f} s of compute in all, {sum(seconds) / len(rows):.1f} s per language.",
        ]
    return "\n".join(lines)
