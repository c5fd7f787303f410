"""Apertium: bilingual dictionaries (`.dix` XML) of a rule-based MT platform, one repository per pair.

A bilingual dix maps lemmas with tags, `<e><p><l>dog<s n="n"/></l><r>mbwa<s n="n"/></r></p></e>`, and is
used in both directions unless an entry says `r="LR"` (left-to-right only) or `r="RL"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from xml.etree.ElementTree import Element

from lrx.lexicons.sources.base import LexiconSource
from lrx.lexicons.sources.base import Pair
from lrx.lexicons.sources.base import register_source
from lrx.lexicons.sources.tabular import Record
from lrx.lexicons.sources.xmlstream import iter_xml_elements

from lrx.core.errors import FormatError

# Each pair is its own repository, so the commit is per pair: `{commit}` in the URL template comes from
# the `commits` option, and a pair with no pinned commit reads the default branch (raw.githubusercontent
# resolves `HEAD`), unverified.
DEFAULT_COMMITS = {"eng-lin": "21a5b774e95c9bd7f589049107b8b59e2ea53b24"}
UNPINNED = "HEAD"

# Apertium's first tag is the part of speech; merged lexicons want a few coarse classes. Tags not listed
# pass through unchanged (a Lingala connective stays `conn`) rather than being lost.
COARSE_POS = {
    "n": "n",
    "np": "np",
    "vblex": "v",
    "vbser": "v",
    "vbhaver": "v",
    "vbmod": "v",
    "vbdo": "v",
    "vaux": "v",
    "adj": "adj",
    "adv": "adv",
    "preadv": "adv",
    "pr": "pr",
    "prn": "prn",
    "det": "det",
    "predet": "det",
    "cnjcoo": "cnj",
    "cnjsub": "cnj",
    "cnjadv": "cnj",
    "num": "num",
    "ij": "ij",
}

# Apertium's English analyser gives every personal pronoun the pseudo-lemma `prpers` and tells them apart
# by tags; a lexicon needs the word. Key: (case, person, number or gender). Unresolvable ones are skipped.
_ENGLISH_PRPERS = {
    ("subj", "p1", "sg"): "I",
    ("obj", "p1", "sg"): "me",
    ("pos", "p1", "sg"): "mine",
    ("subj", "p1", "pl"): "we",
    ("obj", "p1", "pl"): "us",
    ("pos", "p1", "pl"): "ours",
    ("subj", "p2", None): "you",
    ("obj", "p2", None): "you",
    ("pos", "p2", None): "yours",
    ("subj", "p3", "m"): "he",
    ("subj", "p3", "f"): "she",
    ("subj", "p3", "nt"): "it",
    ("subj", "p3", "pl"): "they",
    ("obj", "p3", "m"): "him",
    ("obj", "p3", "f"): "her",
    ("obj", "p3", "nt"): "it",
    ("obj", "p3", "pl"): "them",
    ("pos", "p3", "m"): "his",
    ("pos", "p3", "f"): "hers",
    ("pos", "p3", "nt"): "its",
    ("pos", "p3", "pl"): "theirs",
}

_DIRECTIONS = ("LR", "RL")


class _Unusable(Exception):
    """An entry this loader cannot turn into a pair (a reason for `skipped`), not a malformed one."""


@register_source("apertium")
class ApertiumSource(LexiconSource):
    """Apertium bilingual dictionaries; `pairs` lists the `l-r` repositories (e.g. `eng-lin` for
    apertium-eng-lin, whose `<l>` side is English), `commits` pins each one's commit.

    After a parse, `skipped` counts entries left out by reason: `direction` (restricted to the other
    direction), `paradigm` (a `<par>` reference: bidix paradigms are not expanded), `regex` (`<re>`
    punctuation entries), `empty` (one side has no lemma, e.g. Lingala connectives with `<l></l>`),
    `prpers` (an English pronoun whose tags do not say which), `ignored` (`i="yes"`), `duplicate` (the
    same pair and POS again, e.g. `you` as subject and as object)."""

    licence = "GPL-3.0-or-later"
    citation = (
        "Forcada, Ginestí-Rosell, Nordfalk, O'Regan, Ortiz-Rojas, Pérez-Ortiz, Sánchez-Martínez, "
        "Ramírez-Sánchez, Tyers (2011). Apertium: a free/open-source platform for rule-based machine "
        "translation. Machine Translation 25(2):127-144"
    )
    homepage = "https://www.apertium.org/"
    default_url_template = (
        "https://raw.githubusercontent.com/apertium/apertium-{src}-{tgt}/{commit}/apertium-{src}-{tgt}.{src}-{tgt}.dix"
    )

    def __init__(
        self,
        *,
        pairs: Sequence[str] = tuple(DEFAULT_COMMITS),
        commits: Mapping[str, str] = DEFAULT_COMMITS,
        checksums: Mapping[str, str] | str = "apertium.sha256",
        **options,
    ) -> None:
        super().__init__(checksums=checksums, **options)
        self._pairs = [Pair.parse(name) for name in pairs]
        self.commits = dict(commits)

    def pairs(self) -> list[Pair]:
        return list(self._pairs)

    def url(self, pair: Pair) -> str:
        commit = self.commits.get(f"{pair.src}-{pair.tgt}", UNPINNED)
        return self.url_template.format(src=pair.src, tgt=pair.tgt, commit=commit)

    def parse(
        self, path: Path, url: str, pair: Pair | None = None, reverse: bool = False
    ) -> Iterator[Record | FormatError]:
        """`(line, l_lemma, r_lemma, pos)` in the file's l -> r order (the base class swaps when `reverse`),
        only entries usable in that direction (`r="LR"` ones are dropped when reading r -> l, `r="RL"` ones
        when reading l -> r); `pos` is the coarse POS of the side translated from."""
        direction = "RL" if reverse else "LR"
        english = (_is_english(pair.src), _is_english(pair.tgt)) if pair else self._english_sides(url)
        seen: set[tuple[str, str, str | None]] = set()
        for item in iter_xml_elements(path, "e", within="section"):
            if isinstance(item, FormatError):
                yield item
                continue
            line, entry = item
            try:
                record = self._entry(entry, english, direction)
            except _Unusable as reason:
                self.skipped[str(reason)] += 1
                continue
            except ValueError as problem:
                yield FormatError(path, line, str(problem))
                continue
            if record in seen:
                self.skipped["duplicate"] += 1
                continue
            seen.add(record)
            yield (line, *record)

    def _english_sides(self, url: str) -> tuple[bool, bool]:
        """Whether the file's l and r sides are English (for `prpers`), from the pair the URL belongs to."""
        for pair in self._pairs:
            if self.url(pair) == url:
                return _is_english(pair.src), _is_english(pair.tgt)
        return False, False

    def _entry(self, entry: Element, english: tuple[bool, bool], direction: str) -> tuple[str, str, str | None]:
        if entry.get("i") == "yes":
            raise _Unusable("ignored")
        restriction = entry.get("r")
        if restriction is not None and restriction not in _DIRECTIONS:
            raise ValueError(f'<e r="{restriction}">: expected r="LR" or r="RL"')
        if restriction is not None and restriction != direction:
            raise _Unusable("direction")
        left: list[str] = []
        right: list[str] = []
        left_tags: list[str] = []
        right_tags: list[str] = []
        # An entry is a sequence of pairs (<p>), identities (<i>, the same on both sides), paradigm
        # references and regular expressions, concatenated.
        for part in entry:
            if part.tag == "p":
                l_side, r_side = part.find("l"), part.find("r")
                if l_side is None or r_side is None:
                    raise ValueError("<p> needs both <l> and <r>")
                _read_side(l_side, left, left_tags)
                _read_side(r_side, right, right_tags)
            elif part.tag == "i":
                _read_side(part, left, left_tags)
                _read_side(part, right, right_tags)
            elif part.tag == "par":
                raise _Unusable("paradigm")
            elif part.tag == "re":
                raise _Unusable("regex")
            else:
                raise ValueError(f"unexpected <{part.tag}> in <e>")
        l_lemma = _lemma(left, left_tags, english[0])
        r_lemma = _lemma(right, right_tags, english[1])
        tags = left_tags if direction == "LR" else right_tags
        return l_lemma, r_lemma, _coarse_pos(tags)


def _read_side(side: Element, text: list[str], tags: list[str]) -> None:
    """Append a side's lemma text and tags: `<b/>` is a blank inside a multiword ("Ivory<b/>Coast"), `<g>`
    holds the invariable part of a multiword ("take<g><b/>out</g>"), `<j/>` joins two lexical units (read
    as two words), `<a/>` and `<m/>` are markers without text."""
    text.append(side.text or "")
    for child in side:
        if child.tag == "s":
            tags.append(child.get("n", ""))
        elif child.tag in ("b", "j"):
            text.append(" ")
        elif child.tag == "g":
            _read_side(child, text, tags)
        elif child.tag not in ("a", "m"):
            raise ValueError(f"unexpected <{child.tag}> in <{side.tag}>")
        text.append(child.tail or "")


def _lemma(text: list[str], tags: list[str], english: bool) -> str:
    lemma = " ".join("".join(text).split())
    if not lemma:
        raise _Unusable("empty")
    if lemma == "prpers":
        if not english:
            raise _Unusable("prpers")
        lemma = _english_pronoun(tags) or ""
        if not lemma:
            raise _Unusable("prpers")
    return lemma


def _english_pronoun(tags: list[str]) -> str | None:
    case = next((tag for tag in tags if tag in ("subj", "obj", "pos")), None)
    person = next((tag for tag in tags if tag in ("p1", "p2", "p3")), None)
    if person == "p2":
        detail = None
    elif "pl" in tags:
        detail = "pl"
    elif person == "p1":
        detail = "sg" if "sg" in tags else None
    else:
        detail = next((tag for tag in tags if tag in ("m", "f", "nt")), None)
    return _ENGLISH_PRPERS.get((case, person, detail))


def _coarse_pos(tags: list[str]) -> str | None:
    if not tags or not tags[0]:
        return None
    return COARSE_POS.get(tags[0], tags[0])


def _is_english(code: str) -> bool:
    return code in ("eng", "en")
