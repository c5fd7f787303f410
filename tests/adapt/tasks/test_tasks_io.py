"""Task data readers and writers on the real files of the mirror: exact round trips, counts checked against
plain independent counting, the errors malformed files give, signatures, synthesized sentences, Bibles."""

from __future__ import annotations

import re
from pathlib import Path

import conllu
import pytest
from conftest import MIRROR_DIR
from lrx.adapt.tasks import TASKS
from lrx.adapt.tasks import TaskFileTooLargeError
from lrx.adapt.tasks import read_bible
from lrx.adapt.tasks import read_pretokenised_text
from lrx.adapt.tasks import read_signature
from lrx.adapt.tasks import read_task
from lrx.adapt.tasks import read_verses
from lrx.adapt.tasks import tokenize
from lrx.adapt.tasks import write_task

from lrx.core.errors import FormatError
from lrx.core.errors import UnknownNameError
from lrx.core.sentence import Sentence

GH = "raw.githubusercontent.com"
CONLL2003 = f"{GH}/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391/data/conll_2003_en"
XSID = f"{GH}/mainlp/xsid/761d926c3f2e9f6bea13192d2f39cec1d04d9777/data/xSID-0.7"
BIBLES = f"{GH}/christos-c/bible-corpus/44e5fca1bfb369a5da2ee23ebc6f421c88489c5c/bibles"
EWT_DEV = f"{GH}/UniversalDependencies/UD_English-EWT/15d613d8447b3478787d4c278730a1e48a945efb/en_ewt-ud-dev.conllu"
# xSID 0.7's de-muc.valid has token lines whose intent is not the sentence's (lines 1001 and 2056)
XSID_BAD = f"{XSID}/de-muc.valid.conll"
SIGNATURE = "lrx:0.1|lex:gatitos|pair:eng-ewe|task:ner"


def _found(pattern: str) -> list[str]:
    """Mirror-relative paths of the files matching `pattern` (globbed at collection; the tests open them
    through the `mirror_dir` fixture, which fails loudly when the mirror is missing)."""
    return sorted(str(p.relative_to(MIRROR_DIR)) for p in MIRROR_DIR.glob(pattern))


NER_FILES = _found(f"{GH}/masakhane-io/masakhane-ner/*/data/conll_2003_en/*.txt") + _found(
    f"{GH}/masakhane-io/masakhane-ner/*/MasakhaNER2.0/data/*/*.txt"
)
POS_FILES = _found(f"{GH}/UniversalDependencies/*/*/*.conllu")
XSID_FILES = _found(f"{GH}/mainlp/xsid/*/data/xSID-0.7/*.conll")
XSID_GOOD = [f for f in XSID_FILES if f != XSID_BAD]


def _ids(files: list[str]) -> list[str]:
    return [f.split("/", 3)[-1] for f in files]


def test_the_mirror_has_the_task_files(mirror_dir: Path) -> None:
    # the parametrisations below come from globbing the mirror: they must not be silently empty
    assert sorted(Path(f).name for f in NER_FILES if "/conll_2003_en/" in f) == ["dev.txt", "test.txt", "train.txt"]
    assert len(NER_FILES) >= 3 + 20
    assert len(POS_FILES) >= 50
    assert len(XSID_FILES) >= 36
    assert XSID_BAD in XSID_FILES
    assert all((mirror_dir / f).is_file() for f in NER_FILES + POS_FILES + XSID_FILES)


# -- independent counting -------------------------------------------------------------------------------------


def _blocks(path: Path) -> list[list[str]]:
    """Blank-line separated blocks of lines, by a plain loop."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _round_trip(task: str, source: Path, out: Path, sentences: list[Sentence]) -> None:
    write_task(task, sentences, out)
    assert out.read_bytes() == source.read_bytes()


def _synthesized(sentences: list[Sentence]) -> list[Sentence]:
    """The sentences as synthesis gives them: fields copied, no `original`."""
    return [
        Sentence(list(s.tokens), list(s.labels), dict(s.meta), s.where, None, list(s.space_after)) for s in sentences
    ]


# -- NER ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", NER_FILES, ids=_ids(NER_FILES))
def test_ner_real_file(relative: str, mirror_dir: Path, tmp_path: Path) -> None:
    source = mirror_dir / relative
    sentences = read_task("ner", source)
    blocks = _blocks(source)
    assert len(sentences) == len(blocks)
    assert [s.tokens for s in sentences] == [[line.split()[0] for line in b] for b in blocks]
    assert [s.labels for s in sentences] == [[line.split()[1] for line in b] for b in blocks]
    _round_trip("ner", source, tmp_path / "out.txt", sentences)
    # these files are in the canonical form, so writing from the fields alone gives them back too
    _round_trip("ner", source, tmp_path / "fields.txt", _synthesized(sentences))


def test_conll2003_dev_first_sentences(mirror_dir: Path) -> None:
    path = mirror_dir / CONLL2003 / "dev.txt"
    sentences = read_task("ner", path)
    first, second = sentences[0], sentences[1]
    assert first.tokens == "CRICKET - LEICESTERSHIRE TAKE OVER AT TOP AFTER INNINGS VICTORY .".split()
    assert first.labels == ["O", "O", "B-ORG"] + ["O"] * 8
    assert first.where == f"{path}:1"
    assert first.meta == {}
    assert (second.tokens, second.labels, second.where) == (["LONDON", "1996-08-30"], ["B-LOC", "O"], f"{path}:13")
    # and the sentence with "Phil Simmons", the first PER span
    assert sentences[2].tokens[3:5] == ["Phil", "Simmons"] and sentences[2].labels[3:5] == ["B-PER", "I-PER"]


def test_ner_docstart_kept(tmp_path: Path) -> None:
    text = "-DOCSTART- -X- -X- O\n\nEU B-ORG\nrejects O\n\n-DOCSTART- O\n\nPeter B-PER\n\n"
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    sentences = read_task("ner", path)
    assert [s.tokens for s in sentences] == [["EU", "rejects"], ["Peter"]]
    assert [s.meta for s in sentences] == [{"docstart": "-DOCSTART- -X- -X- O"}, {"docstart": "-DOCSTART- O"}]
    assert sentences[0].where == f"{path}:3" and sentences[1].where == f"{path}:8"
    _round_trip("ner", path, tmp_path / "out.txt", sentences)
    # a synthesized copy still starts its document
    _round_trip("ner", path, tmp_path / "fields.txt", _synthesized(sentences))


def test_ner_span_opened_by_i_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "i.txt"
    path.write_text("Simmons I-PER\nsaid O\n", encoding="utf-8")
    (sentence,) = read_task("ner", path)
    assert sentence.labels == ["I-PER", "O"]
    _round_trip("ner", path, tmp_path / "out.txt", [sentence])  # no final blank line: kept so


def _error(task: str, path: Path) -> FormatError:
    with pytest.raises(FormatError) as caught:
        read_task(task, path)
    return caught.value


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("EU B-ORG\nrejects O\n\nGerman B-MISC call\n", 4, "expected 2 columns (token and tag), found 3"),
        ("EU B-ORG\nrejects\n", 2, "expected 2 columns (token and tag), found 1"),
        ("EU B-ORG\n\n\nrejects ORG\n", 4, "tag 'ORG' is not O, B-TYPE or I-TYPE"),
        ("EU B-\n", 1, "tag 'B-' is not O, B-TYPE or I-TYPE"),
        ("EU B-ORG\n-DOCSTART- O\n", 2, "-DOCSTART- inside a sentence (no blank line before it)"),
        (f"# {SIGNATURE}\nEU B-ORG\nrejects O O\n", 3, "expected 2 columns (token and tag), found 3"),
        ("# a comment\n", 1, "expected 2 columns (token and tag), found 3"),  # NER has no comments
    ],
)
def test_ner_malformed(text: str, line: int, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    error = _error("ner", path)
    assert (error.path, error.line, error.problem) == (str(path), line, problem)
    assert str(error) == f"{path}:{line}: {problem}"


# -- POS (CoNLL-U) --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", POS_FILES, ids=_ids(POS_FILES))
def test_pos_real_file(relative: str, mirror_dir: Path, tmp_path: Path) -> None:
    source = mirror_dir / relative
    sentences = read_task("pos", source)
    blocks = _blocks(source)
    assert len(sentences) == len(blocks)
    words = [[line.split("\t") for line in b if line.split("\t")[0].isdigit()] for b in blocks]
    assert [s.tokens for s in sentences] == [[w[1] for w in ws] for ws in words]
    assert [s.labels for s in sentences] == [[w[3] for w in ws] for ws in words]
    assert [s.meta.get("sent_id") for s in sentences] == [
        next((line.split("=", 1)[1].strip() for line in b if re.match(r"#\s*sent_id\s*=", line)), None) for b in blocks
    ]
    _round_trip("pos", source, tmp_path / "out.conllu", sentences)
    # written from the fields: tokens, tags and comments survive, `text` made from the tokens
    fields = tmp_path / "fields.conllu"
    write_task("pos", _synthesized(sentences), fields)
    again = read_task("pos", fields)
    assert [(s.tokens, s.labels) for s in again] == [(s.tokens, s.labels) for s in sentences]
    assert [s.meta for s in again] == [{**s.meta, "text": " ".join(s.tokens)} for s in sentences]


def test_pos_words_not_multiword_tokens_or_empty_nodes(mirror_dir: Path, tmp_path: Path) -> None:
    path = mirror_dir / EWT_DEV
    lines = path.read_text(encoding="utf-8").split("\n")
    ids = [line.split("\t")[0] for line in lines if line and not line.startswith("#")]
    assert sum("-" in i for i in ids) == 359 and sum("." in i for i in ids) == 4  # the file has both kinds
    sentences = read_task("pos", path)
    assert sum(len(s.tokens) for s in sentences) == sum(i.isdigit() for i in ids)
    first = sentences[0]
    assert first.tokens == "From the AP comes this story :".split()
    assert first.labels == ["ADP", "DET", "PROPN", "VERB", "DET", "NOUN", "PUNCT"]
    assert list(first.meta) == ["newdoc id", "sent_id", "newpar id", "text"]
    assert first.meta["text"] == "From the AP comes this story :"
    assert first.meta["sent_id"] == "weblog-blogspot.com_nominations_20041117172713_ENG_20041117_172713-0001"

    small = tmp_path / "mwt.conllu"
    small.write_text(
        "# sent_id = 1\n# newpar\n# text = I don't.\n"
        "1\tI\tI\tPRON\t_\t_\t2\tnsubj\t_\t_\n"
        "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
        "2\tdo\tdo\tAUX\t_\t_\t0\troot\t_\t_\n"
        "3\tn't\tnot\tPART\t_\t_\t2\tadvmod\t_\t_\n"
        "3.1\tgo\tgo\tVERB\t_\t_\t_\t_\t2:conj\t_\n"
        "4\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_\n\n",
        encoding="utf-8",
    )
    (sentence,) = read_task("pos", small)
    assert sentence.tokens == ["I", "do", "n't", "."]
    assert sentence.labels == ["PRON", "AUX", "PART", "PUNCT"]
    assert sentence.meta == {"sent_id": "1", "newpar": "", "text": "I don't."}


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("2\tdog\tdog\tNOUN\t_\t_\t1\tobj\t_", "expected 10 tab-separated columns, found 9"),
        ("2\tdog\tdog\tNOUN\t_\t_\t1\tobj\t_\t_\t_", "expected 10 tab-separated columns, found 11"),
        ("two\tdog\tdog\tNOUN\t_\t_\t1\tobj\t_\t_", "malformed CoNLL-U line: 'two' is not a valid ID."),
        ("_\tdog\tdog\tNOUN\t_\t_\t1\tobj\t_\t_", "malformed CoNLL-U line: ID '_'"),
        ("2\tdog\tdog\tNOUN\t_\t_\tone\tobj\t_\t_", "malformed CoNLL-U line: HEAD: 'one' is not a valid value"),
        ("3\tdog\tdog\tNOUN\t_\t_\t1\tobj\t_\t_", "word ID 3 where 2 was expected"),
    ],
)
def test_pos_malformed(line: str, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.conllu"
    good = "1\tI\tI\tPRON\t_\t_\t0\troot\t_\t_\n"
    path.write_text(f"# sent_id = 1\n{good}\n# sent_id = 2\n{good}{line}\n\n", encoding="utf-8")
    error = _error("pos", path)
    assert (error.path, error.line) == (str(path), 6)
    assert error.problem.startswith(problem)


# -- xSID -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", XSID_GOOD, ids=_ids(XSID_GOOD))
def test_xsid_real_file(relative: str, mirror_dir: Path, tmp_path: Path) -> None:
    source = mirror_dir / relative
    sentences = read_task("xsid", source)
    blocks = _blocks(source)
    assert len(sentences) == len(blocks) == sum(1 for b in blocks for line in b if line.startswith("# intent = "))
    rows = [[line.split("\t") for line in b if not line.startswith("#")] for b in blocks]
    assert [s.tokens for s in sentences] == [[r[1] for r in rs] for rs in rows]
    assert [s.labels for s in sentences] == [[r[3] for r in rs] for rs in rows]
    assert [s.meta["intent"] for s in sentences] == [rs[0][2] for rs in rows]
    _round_trip("xsid", source, tmp_path / "out.conll", sentences)
    fields = tmp_path / "fields.conll"
    write_task("xsid", _synthesized(sentences), fields)
    again = read_task("xsid", fields)
    assert [(s.tokens, s.labels) for s in again] == [(s.tokens, s.labels) for s in sentences]
    expected = [
        {k: (" ".join(s.tokens) if k == "text" else v) for k, v in s.meta.items() if k != "slots"} for s in sentences
    ]
    assert [s.meta for s in again] == expected


def test_xsid_meta_in_file_order(mirror_dir: Path) -> None:
    english = read_task("xsid", mirror_dir / XSID / "en.valid.conll")
    assert list(english[0].meta.items()) == [
        ("text", "Is it going to rain today?"),
        ("intent", "weather/find"),
        ("slots", "15:19:weather/attribute,20:25:datetime"),
    ]
    assert english[0].tokens == ["Is", "it", "going", "to", "rain", "today", "?"]
    assert english[0].labels == ["O", "O", "O", "O", "B-weather/attribute", "B-datetime", "O"]
    (no_slots,) = [s for s in english if s.where.endswith(":61")]
    assert no_slots.meta == {"text": "what alarms do I have set?", "intent": "alarm/show_alarms", "slots": ""}
    german = read_task("xsid", mirror_dir / XSID / "de.test.conll")
    assert list(german[0].meta) == ["id", "text-en", "text", "intent"]
    assert german[0].meta["text-en"] == "show all reminders"
    swiss = read_task("xsid", mirror_dir / XSID / "gsw.test.conll")
    assert list(swiss[0].meta) == ["id", "text-en", "text-de", "text", "intent"]  # `# text-de: ...`
    chinese = read_task("xsid", mirror_dir / XSID / "zh.test.conll")
    (empty,) = [s for s in chinese if s.where.endswith(":2908")]
    assert empty.tokens[2] == "" and empty.meta["id"] == "275"


def test_xsid_real_intent_mismatch_refused(mirror_dir: Path, tmp_path: Path) -> None:
    path = mirror_dir / XSID_BAD
    error = _error("xsid", path)
    assert error.line == 1001
    assert error.problem == "intent 'reminder/set_reminder' is not the sentence's intent 'reminder/cancel_reminder'"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1000] = lines[1000].replace("reminder/set_reminder", "reminder/cancel_reminder")
    fixed = tmp_path / "de-muc.valid.conll"
    fixed.write_text("\n".join(lines), encoding="utf-8")
    assert _error("xsid", fixed).line == 2056  # "earchCreativeWork"


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ("3\tweather\tweather/find\tB-x", "intent 'weather/find' is not the sentence's intent 'alarm/set_alarm'"),
        ("3\tweather\talarm/set_alarm", "expected 4 tab-separated columns (index, token, intent, slot), found 3"),
        ("4\tweather\talarm/set_alarm\tO", "token index '4' where 3 was expected"),
        ("3\tweather\talarm/set_alarm\tX-y", "slot 'X-y' is not O, B-TYPE or I-TYPE"),
    ],
)
def test_xsid_malformed(bad: str, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.conll"
    head = "# text = wake me\n# intent = alarm/set_alarm\n1\twake\talarm/set_alarm\tO\n2\tme\talarm/set_alarm\tO\n"
    path.write_text(f"{head}\n{head}{bad}\n\n", encoding="utf-8")
    error = _error("xsid", path)
    assert (error.path, error.line, error.problem) == (str(path), 10, problem)


def test_xsid_token_before_intent(tmp_path: Path) -> None:
    path = tmp_path / "bad.conll"
    path.write_text("# text = hi\n1\thi\tgreet\tO\n# intent = greet\n", encoding="utf-8")
    assert _error("xsid", path).line == 2


# -- plain text -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The cat  sat .\n\nOn the\tmat\n",
        "one\r\ntwo  three\r\n\r\n",
        "no final newline",
        "\n\n",
        "",
        "which reigned, (this  is\tAhasuerus) provinces:)\n",
    ],
)
def test_text_lines_are_sentences(text: str, tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_bytes(text.encode("utf-8"))
    sentences = read_task("text", path)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    assert [s.tokens for s in sentences] == [tokenize(line) for line in lines]  # a blank line: no tokens
    assert all(not s.labels and not s.meta for s in sentences)
    _round_trip("text", path, tmp_path / "out.txt", sentences)
    write_task("text", _synthesized(sentences), tmp_path / "fields.txt")
    assert (tmp_path / "fields.txt").read_text(encoding="utf-8") == "".join(
        " ".join(line.split()) + "\n" for line in lines
    )


def test_text_from_real_conll2003(mirror_dir: Path, tmp_path: Path) -> None:
    # NER sentences written as plain text (labels are not part of it): read back as pre-tokenised text, the same
    # tokens; read as running text, punctuation at the ends of tokens is split off ("U.S." -> "U.S" ".")
    sentences = read_task("ner", mirror_dir / CONLL2003 / "test.txt")
    write_task("text", sentences, tmp_path / "plain.txt")
    lines = (tmp_path / "plain.txt").read_text(encoding="utf-8").split("\n")
    assert len(lines) == len(sentences) + 1 and lines[-1] == ""
    assert [s.tokens for s in read_pretokenised_text(tmp_path / "plain.txt")] == [s.tokens for s in sentences]
    running = read_task("text", tmp_path / "plain.txt")
    assert [s.tokens for s in running] == [tokenize(" ".join(s.tokens)) for s in sentences]
    assert sum(len(s.tokens) for s in running) > sum(len(s.tokens) for s in sentences)


# -- signatures, size, names, atomic writes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "relative"),
    [("ner", f"{CONLL2003}/dev.txt"), ("pos", EWT_DEV), ("xsid", f"{XSID}/en.test.conll")],
)
def test_signature_written_read_and_skipped(task: str, relative: str, mirror_dir: Path, tmp_path: Path) -> None:
    # plain text keeps its signature beside it, not in it: tests/adapt/tasks/test_plain_text.py
    source = mirror_dir / relative
    assert read_signature(source) is None
    sentences = read_task(task, source)
    signed = tmp_path / "signed"
    write_task(task, sentences, signed, signature=SIGNATURE)
    data = signed.read_bytes()
    assert data == f"# {SIGNATURE}\n".encode() + source.read_bytes()
    assert read_signature(signed) == SIGNATURE
    again = read_task(task, signed)
    assert [(s.tokens, s.labels, s.meta) for s in again] == [(s.tokens, s.labels, s.meta) for s in sentences]
    # line numbers still count the signature line
    assert [s.where.rpartition(":")[2] for s in again] == [str(int(s.where.rpartition(":")[2]) + 1) for s in sentences]
    # read from a signed file, written with its signature: the same bytes
    write_task(task, again, tmp_path / "resigned", signature=read_signature(signed))
    assert (tmp_path / "resigned").read_bytes() == data


@pytest.mark.parametrize("signature", ["gatitos|eng-ewe", "lrx:0.1\nEU B-ORG", " lrx:0.1"])
def test_bad_signature_writes_nothing(signature: str, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("old\n", encoding="utf-8")
    with pytest.raises(ValueError, match="signature"):
        write_task("ner", [Sentence(["EU"], ["B-ORG"])], out, signature=signature)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


@pytest.mark.parametrize(
    ("task", "sentence", "match"),
    [
        ("ner", Sentence(["New York"], ["B-LOC"]), "cannot write token 'New York'"),
        ("ner", Sentence(["York"], ["LOC"]), "tag 'LOC' is not"),
        ("ner", Sentence(["York"]), "needs a tag for every token"),
        ("text", Sentence(["a", ""]), "cannot write token ''"),
        ("pos", Sentence(["a\tb"], ["X"]), "cannot write token"),
        ("pos", Sentence(["dog"], ["NO UN"]), "cannot write UPOS tag"),
        ("xsid", Sentence(["hi"], ["O"]), "needs meta\\['intent'\\]"),
        ("xsid", Sentence(["hi"], ["O"], {"intent": "greet", "text-en": "a\nb"}), "cannot write the comment"),
    ],
)
def test_unwritable_sentence_leaves_old_file(task: str, sentence: Sentence, match: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("old\n", encoding="utf-8")
    good = Sentence(["EU"], ["O"], {"intent": "greet"})
    with pytest.raises(ValueError, match=match):
        write_task(task, [good, sentence], out)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temp file left behind


def test_size_limit_unknown_task_and_encoding(mirror_dir: Path, tmp_path: Path) -> None:
    source = mirror_dir / CONLL2003 / "dev.txt"
    size = source.stat().st_size
    with pytest.raises(TaskFileTooLargeError, match=f"{size} bytes, over the limit max_bytes={size - 1}"):
        read_task("ner", source, max_bytes=size - 1)
    assert len(read_task("ner", source, max_bytes=size)) == 3250
    with pytest.raises(UnknownNameError, match="unknown task 'nerr'"):
        read_task("nerr", source)
    with pytest.raises(UnknownNameError):
        write_task("conll", [], tmp_path / "x")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("EU B-ORG\n\nK\xf6ln B-LOC\n".encode("latin-1"))
    error = _error("ner", latin)
    assert error.line == 3 and error.problem.startswith("not UTF-8")
    assert set(TASKS) == {"ner", "pos", "xsid", "text"}


# -- synthesized and edited sentences -------------------------------------------------------------------------


def test_synthesized_sentences_written_and_read_back(tmp_path: Path) -> None:
    ner = [Sentence(["Kofi", "Annan", "ɖe"], ["B-PER", "I-PER", "O"]), Sentence(["Accra"], ["B-LOC"])]
    write_task("ner", ner, tmp_path / "ner.txt")
    assert (tmp_path / "ner.txt").read_text(encoding="utf-8") == "Kofi B-PER\nAnnan I-PER\nɖe O\n\nAccra B-LOC\n\n"
    assert [(s.tokens, s.labels) for s in read_task("ner", tmp_path / "ner.txt")] == [(s.tokens, s.labels) for s in ner]

    pos = [Sentence(["Mia", "ɖu", "nu", "."], ["PRON", "VERB", "NOUN", "PUNCT"], {"sent_id": "s1", "text": "stale"})]
    write_task("pos", pos, tmp_path / "pos.conllu")
    written = (tmp_path / "pos.conllu").read_text(encoding="utf-8")
    assert written.startswith("# sent_id = s1\n# text = Mia ɖu nu .\n1\tMia\t_\tPRON\t_\t_\t_\t_\t_\t_\n")
    (parsed,) = conllu.parse(written)  # the conllu package reads what we write
    assert [t["form"] for t in parsed] == pos[0].tokens and [t["upos"] for t in parsed] == pos[0].labels
    (back,) = read_task("pos", tmp_path / "pos.conllu")
    assert (back.tokens, back.labels, back.meta) == (
        pos[0].tokens,
        pos[0].labels,
        {"sent_id": "s1", "text": "Mia ɖu nu ."},
    )

    meta = {"id": "7", "text-en": "wake me up at 7", "text": "old", "intent": "alarm/set_alarm", "slots": "0:4:x"}
    xs = [Sentence(["fɔ", "nye", "le", "7"], ["O", "O", "O", "B-datetime"], meta)]
    write_task("xsid", xs, tmp_path / "xsid.conll")
    assert (tmp_path / "xsid.conll").read_text(encoding="utf-8") == (
        "# id = 7\n# text-en = wake me up at 7\n# text = fɔ nye le 7\n# intent = alarm/set_alarm\n"
        "1\tfɔ\talarm/set_alarm\tO\n2\tnye\talarm/set_alarm\tO\n3\tle\talarm/set_alarm\tO\n"
        "4\t7\talarm/set_alarm\tB-datetime\n\n"
    )
    (back,) = read_task("xsid", tmp_path / "xsid.conll")
    assert (back.tokens, back.labels, back.meta["intent"]) == (xs[0].tokens, xs[0].labels, "alarm/set_alarm")
    # without a text comment, one is made
    write_task("xsid", [Sentence(["hi"], ["O"], {"intent": "greet"})], tmp_path / "x2.conll")
    assert (tmp_path / "x2.conll").read_text(encoding="utf-8") == "# text = hi\n# intent = greet\n1\thi\tgreet\tO\n\n"

    write_task("text", [Sentence(["Mia", "ɖu", "nu"], ["O", "O", "O"]), Sentence([])], tmp_path / "t.txt")
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "Mia ɖu nu\n\n"


def test_edited_sentence_written_from_its_fields(mirror_dir: Path, tmp_path: Path) -> None:
    source = mirror_dir / CONLL2003 / "dev.txt"
    sentences = read_task("ner", source)
    sentences[0].tokens[0] = "KRIKETI"  # edited in place: `original` must not be used for it any more
    sentences[1].labels[1] = "B-DATE"
    write_task("ner", sentences, tmp_path / "out.txt")
    expected = source.read_text(encoding="utf-8").replace("CRICKET O\n", "KRIKETI O\n", 1)
    expected = expected.replace("1996-08-30 O\n", "1996-08-30 B-DATE\n", 1)
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == expected

    xsid = read_task("xsid", mirror_dir / XSID / "en.valid.conll")
    xsid[0].meta["intent"] = "weather/other"
    write_task("xsid", xsid[:2], tmp_path / "x.conll")
    first, second = read_task("xsid", tmp_path / "x.conll")
    assert first.meta == {"text": "Is it going to rain today ?", "intent": "weather/other"}
    assert second.meta == xsid[1].meta


def test_sentences_from_different_files_stay_apart(tmp_path: Path) -> None:
    # a last sentence read from a file without a final newline, written before others
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("EU B-ORG", encoding="utf-8")
    b.write_text("Peter B-PER\n\n", encoding="utf-8")
    write_task("ner", read_task("ner", a) + read_task("ner", b), tmp_path / "ab.txt")
    assert (tmp_path / "ab.txt").read_text(encoding="utf-8") == "EU B-ORG\n\nPeter B-PER\n\n"
    a.write_text("one two", encoding="utf-8")
    write_task("text", read_task("text", a) * 2, tmp_path / "t.txt")
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "one two\none two"


# -- Bibles ---------------------------------------------------------------------------------------------------


def test_kjv_and_swahili_new_testament(mirror_dir: Path) -> None:
    kjv_path = mirror_dir.parent / "derived/bible/English-KJV.tsv"
    kjv = read_bible(kjv_path)
    with kjv_path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip()]
    assert len(kjv) == len(lines) == 31_102
    assert kjv[0].meta == {"id": "b.GEN.1.1"}
    assert kjv[0].tokens == "In the beginning God created the heaven and the earth .".split()
    assert [s.meta["id"] for s in kjv] == [line.split("\t")[0] for line in lines]

    swahili_path = mirror_dir / BIBLES / "Swahili-NT.xml"
    swahili = read_verses(swahili_path)
    raw = swahili_path.read_text(encoding="utf-8")
    assert len(swahili) == len(re.findall(r'<seg id="[^"]+" type="verse">', raw)) == 7_853
    assert len(swahili.keys() & {s.meta["id"] for s in kjv}) == 7_853
    assert swahili["b.MAT.1.1"] == (
        "Yesu Kristo alikuwa mzawa wa Daudi, mzawa wa Abrahamu. Hii ndiyo orodha ya ukoo wake:"
    )
    first = read_bible(swahili_path)[0]
    assert first.tokens[:7] == ["Yesu", "Kristo", "alikuwa", "mzawa", "wa", "Daudi", ","]
    assert first.tokens[-2:] == ["wake", ":"]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        (
            "And God said, Let there be light: and",
            ["And", "God", "said", ",", "Let", "there", "be", "light", ":", "and"],
        ),
        ("(mama yao alikuwa Tamari),", ["(", "mama", "yao", "alikuwa", "Tamari", ")", ","]),
        ("don't well-known U.S.", ["don't", "well-known", "U.S", "."]),
        ("ri Ab\u02bcraham xralk\u02bcuwa\u02bclaj", ["ri", "Ab\u02bcraham", "xralk\u02bcuwa\u02bclaj"]),
        ("o\u0323\u0300ro\u0323\u0300?", ["o\u0323\u0300ro\u0323\u0300", "?"]),  # decomposed Yoruba
        ("\u201cWho?\u201d ...", ["\u201c", "Who", "?", "\u201d", ".", ".", "."]),
        ("", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    ("xml", "line", "problem"),
    [
        (
            '<cesDoc><text><body>\n<seg id="b.MAT.1.1" type="verse">a</seg>\n'
            '<seg id="b.MAT.1.1" type="verse">b</seg>\n',
            3,
            "verse 'b.MAT.1.1' appears twice",
        ),
        ('<cesDoc>\n<seg type="verse">a</seg>', 2, "a verse <seg> without an id"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY e "x">]>\n<cesDoc><seg id="a">&e;</seg></cesDoc>',
            2,
            "refused: XML with entity declarations",
        ),
        ('<cesDoc>\n<seg id="a">x</sag></cesDoc>', 2, "malformed XML"),
    ],
)
def test_bible_xml_malformed(xml: str, line: int, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "Bad-NT.xml"
    path.write_text(xml + ("</body></text></cesDoc>" if xml.startswith("<cesDoc><text>") else ""), encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        read_bible(path)
    assert (caught.value.path, caught.value.line) == (str(path), line)
    assert caught.value.problem.startswith(problem)


def test_bible_tsv_malformed(tmp_path: Path) -> None:
    path = tmp_path / "Bad.tsv"
    path.write_text("b.GEN.1.1\tIn the beginning\nb.GEN.1.2 And the earth\n", encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        read_bible(path)
    assert (caught.value.line, caught.value.problem) == (2, "expected 2 tab-separated columns, found 1")
