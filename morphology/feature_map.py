"""English feature bundle -> a bundle the target language's inflector knows.

`FeatureMapper(target_bundles)` is built from the bundles seen in the target's training data (a list, with
repeats counted, or a `{bundle: count}` mapping; frequency breaks ties). `map("V;PST")` returns one of those
bundles, exactly as it was given (so the inflector finds it), or None when the target has nothing that
carries what the English form means (then leave the translated lemma uninflected).

Design:

1. Normalise. Bundles are compared as sets of atoms, order-free: top-level tags (`split_bundle`), aliases
   applied (`DEFAULT_ALIASES`: PRES -> PRS, PAST -> PST, SUBJ -> SBJV, INST -> INS, NDEF -> INDF, LSSPEC<n> ->
   LGSPEC<n>, V.PTCP.PRS -> V.PTCP + PRS, V.NFIN -> NFIN; `aliases=` adds to or overrides them, and may map
   one language's tag onto another: `{"PFV": "PST"}` lets a language with aspect but no tense take V;PST),
   composite values split (`PST+RCT` gives PST and RCT, `MASC/FEM` both). Argument groups (UniMorph 4,
   SIGMORPHON 2023): a verb's subject group `NOM(3,SG,BANTU1)` and a noun's case group `ACC(PL)` read as their
   head and flat members; other groups (a verb's object, a possessor `PSS(1,SG)`) stay opaque: one extra tag.
   A Bantu noun-class tag (`BANT01`, `BANTU8`) without a person implies 3rd person, and classes 1-10
   without a number imply SG (odd) or PL (even), the classes' pairing (zul `V;BANT02;PRS` is "they").
2. Same part of speech: V (any `V.*` bundle counts as V, so `V;V.PTCP;PST` looks for verbs), N, ADJ.
3. Essential tags must all be present, else there is no mapping (None): tense (PRS, PST, FUT), NFIN,
   comparison (CMPR, SPRL), and number for nouns (N;PL needs a plural noun bundle). So N;PL maps to None in a
   language whose table has no plural nouns (tgl, lug: verbs only; ind: nouns, all singular), V;PST to None
   where no bundle has PST (tgl: aspect, no tense), ADJ;CMPR where no adjective bundle has CMPR.
4. The other tags English states are wishes, dropped from the least essential up, i.e. candidates are
   compared on them lexicographically in this order: finiteness (a finite English form wants a bundle without
   a `V.*` subtype: no participle, converb or masdar), person, number (agreement: what English states, as in
   V;SG;3;PRS, or the caller's `person`/`number`; verbs only), then V.PTCP (and other `V.*` subtypes). For
   person and number a bundle without the dimension beats one with another value (`V;BANT01;PRS` is a better
   3SG than `V;1;SG;PRS`).
5. Dimensions English leaves open get defaults, compared the same way after the wishes: 3rd person, then SG
   for verbs (English V;PST, the participles and V;NFIN say nothing of agreement; pass `person`/`number` from
   a subject pronoun), SG for adjectives.
6. Then the fewest extra tags: tags that are none of the above and not unmarked values (`NEUTRAL`: FIN, IND,
   POS, ACT, DECL, NOM, ABS, MASC, noun class 1 `LGSPEC1`/`BANT01` (the class of a singular human
   subject), 3rd person on nouns), nor an aspect English implies (below). A negative, conditional,
   subjunctive, perfect or class-2 form has an extra tag; an indicative has not.
7. Then aspect: PROG, then IPFV for the -ing participle; PRF for the past participle; PFV, then PRF for the
   simple past and the past participle (both perfective); then the most unmarked values (an IND bundle before
   a necessitative one), then the more frequent bundle, then the shorter, then the string (deterministic).

Choices for the English participles: `V;V.PTCP;PRS` (-ing, mostly the progressive `is running`) takes the
target's present participle where there is one, else a present progressive (lug `V;PROG;3;PRS`), else the
plain finite present 3SG (swc anasoma, "he is reading"; never a progressive with another mood or polarity).
`V;V.PTCP;PST` (-ed/-en, `has taken`, `was taken`) takes a past participle, else a perfect past (swc amesoma,
"he has read"), else the plain past. Neither makes the target say the auxiliary twice: the caller decides what
to do with English `is`/`has` (a word-by-word translation will translate them too).

The result for each English bundle is cached; `table()` lists the mapping of every bundle the English
analyser produces (for a stats JSON), `covered()` says whether a bundle maps at all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import NamedTuple

from lrx.morphology.english import ENGLISH_BUNDLES
from lrx.morphology.inflectors.rules import split_bundle

__all__ = [
    "DEFAULT_ALIASES",
    "ESSENTIAL",
    "NEUTRAL",
    "FeatureMapper",
]

DEFAULT_ALIASES: dict[str, str] = {
    "PRES": "PRS",
    "PAST": "PST",
    "SUBJ": "SBJV",
    "INST": "INS",
    "NDEF": "INDF",
    "LSSPEC1": "LGSPEC1",
    "LSSPEC2": "LGSPEC2",
    "V.PTCP.PRS": "V.PTCP;PRS",
    "V.PTCP.PST": "V.PTCP;PST",
    "V.NFIN": "NFIN",
}
"""Nonstandard spellings in real UniMorph tables (swc PRES/SUBJ, kaz INST/LSSPEC, ben NDEF/V.NFIN, fao
V.PTCP.PRS) -> schema tags; a value with `;` stands for several tags."""

PERSON = frozenset("01234")
NUMBER = frozenset(("SG", "PL", "DU", "TRI", "PAUC", "GRPL", "GPAUC", "INVN"))
TENSE = frozenset(("PRS", "PST", "FUT"))
COMPARISON = frozenset(("CMPR", "SPRL", "EQT"))
ESSENTIAL = TENSE | COMPARISON | {"NFIN"}
"""English tags a target bundle must have (and, for nouns, the number)."""

NEUTRAL = frozenset(("FIN", "IND", "POS", "ACT", "DECL", "NOM", "ABS", "MASC"))
"""Unmarked values: present in a target bundle without counting as extra tags (plus noun class 1)."""

_CLASS_ONE = re.compile(r"(?:LGSPEC|BANTU?)0*1")
_NOUN_CLASS = re.compile(r"BANTU?0*(\d+)")
_POS_TAGS = frozenset(("V", "N", "ADJ"))
_SUBJECT_GROUPS = ("NOM",)

# Aspect English implies: not extra tags, and preferred among otherwise equal bundles (see the module docstring).
_IMPLIED = {
    frozenset(("V.PTCP", "PRS")): ("PROG", "IPFV"),
    frozenset(("V.PTCP", "PST")): ("PRF",),
}
# Tie-breakers after the extra tags, by tense (English simple past and past participle are perfective).
_PREFERRED = {"PST": ("PFV", "PRF")}
_FINITE = "<finite>"  # the wish of a finite English bundle: a target bundle without a V.* subtype


class _Target(NamedTuple):
    bundle: str
    pos: str | None
    atoms: frozenset[str]
    person: frozenset[str]
    number: frozenset[str]
    count: int


class FeatureMapper:
    """Maps English bundles onto the target's bundles (see the module docstring).

    target_bundles: the target's bundles (strings or FeatureBundles), repeats counted, or bundle -> count.
    aliases: tag -> tag(s), on top of DEFAULT_ALIASES (applied to target and English tags alike).
    min_count: ignore target bundles seen fewer times (a bundle of two lemmas may be a tagging slip).
    """

    def __init__(
        self,
        target_bundles: Iterable[Any] | Mapping[Any, int],
        *,
        aliases: Mapping[str, str] | None = None,
        min_count: int = 1,
    ) -> None:
        counts: Counter[str] = Counter()
        if isinstance(target_bundles, Mapping):
            for bundle, count in target_bundles.items():
                counts[str(bundle)] += int(count)
        else:
            counts.update(str(bundle) for bundle in target_bundles)
        self.aliases = {**DEFAULT_ALIASES, **(aliases or {})}
        self.min_count = min_count
        self.targets: list[_Target] = []
        for bundle, count in counts.items():
            if count < min_count:
                continue
            atoms = self._atoms(bundle)
            self.targets.append(_Target(bundle, _pos(atoms), atoms, *_agreement(atoms), count))
        self._cache: dict[tuple[str, str | None, str | None], str | None] = {}

    # -- public

    def map(self, english_feats: str, *, person: str | None = None, number: str | None = None) -> str | None:
        """The target bundle for an English bundle (`V;PST`, `N;PL`, ...), or None. `person`/`number`: the
        subject's agreement (`"1"`, `"PL"`), replacing what the English bundle says or the 3;SG default."""
        key = (english_feats, None if person is None else str(person), number)
        if key not in self._cache:
            self._cache[key] = self._map(english_feats, key[1], number)
        return self._cache[key]

    def covered(self, english_feats: str) -> bool:
        """Whether `english_feats` maps to some target bundle (with the default agreement)."""
        return self.map(english_feats) is not None

    def table(self, english_bundles: Iterable[str] = ENGLISH_BUNDLES) -> dict[str, str | None]:
        """English bundle -> target bundle (or None) for every bundle the English analyser produces."""
        return {feats: self.map(feats) for feats in english_bundles}

    def stats(self, english_bundles: Iterable[str] = ENGLISH_BUNDLES) -> dict[str, Any]:
        """The table plus counts, JSON-serialisable."""
        table = self.table(english_bundles)
        return {
            "target_bundles": len(self.targets),
            "english_bundles": len(table),
            "covered": sum(value is not None for value in table.values()),
            "table": table,
        }

    # -- the mapping

    def _atoms(self, feats: str) -> frozenset[str]:
        atoms: set[str] = set()
        groups: list[str] = []
        for tag in split_bundle(feats):
            if "(" in tag:
                groups.append(tag)
            else:
                atoms.update(self._expand(tag))
        nominal = _pos(frozenset(atoms)) in ("N", "ADJ")
        for group in groups:
            head, _, rest = group.partition("(")
            head = head.strip()
            if head in _SUBJECT_GROUPS or (nominal and not head.startswith("PSS")):
                # the subject's agreement NOM(3,SG,BANTU1), or a noun's case group ACC(PL): head and flat members
                atoms.update(self._expand(head))
                for member in _split_members(rest[: rest.rfind(")")]):
                    if "(" in member:
                        atoms.add(member)  # a nested group (a possessor): opaque
                    else:
                        atoms.update(self._expand(member))
            else:
                atoms.add(group)  # an object group of a verb: opaque
        return frozenset(atoms)

    def _expand(self, tag: str) -> list[str]:
        out: list[str] = []
        for atom in re.split(r"[+/]", tag):
            atom = atom.strip()
            if not atom:
                continue
            out.extend(a for a in self.aliases.get(atom, atom).split(";") if a)
        return out

    def _map(self, english_feats: str, person: str | None, number: str | None) -> str | None:
        atoms = self._atoms(english_feats)
        pos = _pos(atoms)
        if pos is None:
            return None  # English bundles are verbs, nouns or adjectives
        content = atoms - _POS_TAGS
        required = {a for a in content if a in ESSENTIAL or (pos == "N" and a in NUMBER)}
        # wishes, most essential first: finiteness, person, number, V.* subtypes, the rest (docstring, 4.)
        given_person = person if person is not None else next((a for a in sorted(content) if a in PERSON), None)
        given_number = number if number is not None else next((a for a in sorted(content) if a in NUMBER), None)
        wishes: list[tuple[str, str | None]] = []  # (atom, dimension for conflicts)
        defaults: list[tuple[str, str]] = []
        if pos == "V" and not any(a.startswith("V.") for a in content):
            wishes.append((_FINITE, "finite"))  # a finite English form: no participle, converb, masdar
        if pos != "V":
            pass  # nouns and adjectives: 3rd person is allowed (below), not wished for
        elif given_person is not None:
            wishes.append((given_person, "person"))
        else:
            defaults.append(("3", "person"))
        if pos == "N" and given_number is not None:
            pass  # required (essential) above
        elif given_number is not None:
            wishes.append((given_number, "number"))
        else:
            defaults.append(("SG", "number"))
        rest = content - required - PERSON - NUMBER
        wishes.extend((a, None) for a in sorted(rest) if a.startswith("V."))
        wishes.extend((a, None) for a in sorted(rest) if not a.startswith("V."))
        implied = _IMPLIED.get(frozenset(content & (TENSE | {"V.PTCP"})), ())
        preferred = implied + tuple(a for tense in sorted(required & TENSE) for a in _PREFERRED.get(tense, ()))
        allowed = required | {a for a, _ in wishes} | {a for a, _ in defaults} | set(implied) | _POS_TAGS | NEUTRAL
        if pos != "V":
            allowed.add("3")

        best: tuple[Any, ...] | None = None
        choice: str | None = None
        for target in self.targets:
            if target.pos != pos or not required <= target.atoms:
                continue
            key = (
                tuple(_status(target, atom, dim) for atom, dim in wishes),
                tuple(_status(target, atom, dim) for atom, dim in defaults),
                sum(1 for a in target.atoms if a not in allowed and not _CLASS_ONE.fullmatch(a)),
                tuple(a not in target.atoms for a in preferred),
                -len(target.atoms & NEUTRAL),
                -target.count,
                len(target.atoms),
                target.bundle,
            )
            if best is None or key < best:
                best, choice = key, target.bundle
        return choice


def _status(target: _Target, atom: str, dimension: str | None) -> int:
    """0: the bundle has the wished value; 1: it is silent on the dimension; 2: it has another value."""
    if dimension == "finite":
        return 2 if any(a.startswith("V.") for a in target.atoms) else 0
    if dimension == "person":
        return 0 if atom in target.person else 2 if target.person else 1
    if dimension == "number":
        return 0 if atom in target.number else 2 if target.number else 1
    return 0 if atom in target.atoms else 1


def _pos(atoms: frozenset[str]) -> str | None:
    if "V" in atoms or any(a.startswith("V.") for a in atoms):
        return "V"
    if "N" in atoms:
        return "N"
    if "ADJ" in atoms:
        return "ADJ"
    return None


def _agreement(atoms: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The person and number values of a bundle. A Bantu noun-class tag without a person implies 3rd person,
    and classes 1-10 without a number imply SG (odd) or PL (even): the classes pair up singular/plural."""
    person = atoms & PERSON
    number = atoms & NUMBER
    classes = [int(m.group(1)) for a in atoms if (m := _NOUN_CLASS.fullmatch(a))]
    if classes and not person:
        person = frozenset("3")
    if len(classes) == 1 and not number and 1 <= classes[0] <= 10:
        number = frozenset(("SG",) if classes[0] % 2 else ("PL",))
    return frozenset(person), frozenset(number)


def _split_members(text: str) -> list[str]:
    """Members of an argument group, `,` or `;` separated, nested groups kept whole."""
    members: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in ",;" and depth == 0:
            members.append(text[start:i].strip())
            start = i + 1
    members.append(text[start:].strip())
    return [m for m in members if m]
