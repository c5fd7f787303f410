"""Unlabelled target text of any format, detected from the content: Bibles (CES XML, verse TSV), NER CoNLL,
CoNLL-U, xSID and plain text, on the real files of the mirror. A labelled file's labels never come out."""

from __future__ import annotations

from pathlib import Path

import pytest
from lrx.adapt.tasks import read_task
from lrx.adapt.tasks.unlabelled import detect_format
from lrx.adapt.tasks.unlabelled import read_unlabelled

from lrx.core.errors import FormatError

RAW = "raw.githubusercontent.com"
MASAKHANER = f"{RAW}/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391/MasakhaNER2.0/data"
BIBLE = f"{RAW}/christos-c/bible-corpus/44e5fca1bfb369a5da2ee23ebc6f421c88489c5c/bibles/Ewe-NT.xml"
UD = f"{RAW}/UniversalDependencies/UD_Wolof-WTB/575a3ab64619a91de9950f01afb7c9f2d8cd28c4/wo_wtb-ud-dev.conllu"
XSID = f"{RAW}/mainlp/xsid/761d926c2c8fac62fa2a9a11a5fa5a8ab0bbfcbe/data/xSID-0.7/de.valid.conll"


def _xsid(mirror: Path) -> Path:
    found = sorted((mirror / RAW / "mainlp" / "xsid").glob("*/data/xSID-0.7/de.valid.conll"))
    assert found, "xSID's German dev file is in the mirror"
    return found[0]


@pytest.mark.parametrize("language", ["ewe", "lug", "luo", "pcm", "wol"])
def test_a_masakhaner_train_split_is_read_as_tokens_only(mirror_dir, language):
    path = mirror_dir / MASAKHANER / language / "train.txt"
    assert detect_format(path) == "ner"
    unlabelled = read_unlabelled(path)
    labelled = read_task("ner", path)
    # the same sentences and tokens as the NER reader's, and not one label, intent or comment
    assert [s.tokens for s in unlabelled] == [s.tokens for s in labelled if s.tokens]
    assert all(s.labels == [] and s.meta == {} for s in unlabelled)
    # the tokens are the first column alone: no token is a line's tag unless the line's token is that tag
    tags = {label for s in labelled for label in s.labels} - {"O"}
    assert sum(token in tags for s in unlabelled for token in s.tokens) == 0
    assert len(unlabelled) > 2000


def test_each_format_is_detected_from_its_content(mirror_dir, tmp_path):
    bible = mirror_dir / BIBLE
    assert detect_format(bible) == "bible-xml"
    verses = read_unlabelled(bible)
    assert len(verses) > 7000 and verses[0].tokens[:2] == ["Yesu", "Kristo"]
    # a copy without the .xml suffix (a cached URL's name need not keep it) is still read as XML
    renamed = tmp_path / "ewe-bible"
    renamed.write_bytes(bible.read_bytes())
    assert [s.tokens for s in read_unlabelled(renamed)] == [s.tokens for s in verses]

    kjv = mirror_dir.parent / "derived" / "bible" / "English-KJV.tsv"
    assert detect_format(kjv) == "verse-tsv"
    assert read_unlabelled(kjv)[0].tokens[:3] == ["In", "the", "beginning"]

    ud = mirror_dir / UD
    assert detect_format(ud) == "pos"
    assert [s.tokens for s in read_unlabelled(ud)] == [s.tokens for s in read_task("pos", ud) if s.tokens]

    xsid = _xsid(mirror_dir)
    assert detect_format(xsid) == "xsid"
    assert [s.tokens for s in read_unlabelled(xsid)] == [s.tokens for s in read_task("xsid", xsid) if s.tokens]

    text = tmp_path / "news.txt"
    text.write_text("Ame aɖewo va (Accra) me.\n\nEtsɔ, wova.\n", encoding="utf-8")
    assert detect_format(text) == "text"
    assert [s.tokens for s in read_unlabelled(text)] == [["Ame", "aɖewo", "va", "(", "Accra", ")", "me", "."],
                                                         ["Etsɔ", ",", "wova", "."]]  # fmt: skip


def test_bad_bytes_name_the_file_and_line(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_bytes(b"a fine line\n\xff\xfe broken\n")
    with pytest.raises(FormatError, match=r"broken\.txt:2: not UTF-8"):
        read_unlabelled(path)
