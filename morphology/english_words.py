"""English word lists and bundle strings of `lrx.morphology.english` (see its docstring): the canonical
UniMorph strings the analyser produces, the order of table readings, forms of `be`, irregular plurals and
comparatives, the gradable adjectives the -er/-est rules accept, common irregular verbs, and invariant words."""

from __future__ import annotations

# Canonical strings (as lrx.morphology.features writes them) of the bundles `lrx.morphology.english` produces.
V_NFIN = "V;NFIN"
V_PST = "V;PST"
V_PTCP_PST = "V;V.PTCP;PST"
V_PTCP_PRS = "V;V.PTCP;PRS"
V_3SG_PRS = "V;SG;3;PRS"
V_1SG_PRS = "V;SG;1;PRS"
V_PL_PRS = "V;PL;PRS"
V_PL_PST = "V;PL;PST"
N_PL = "N;PL"
ADJ_CMPR = "ADJ;CMPR"
ADJ_SPRL = "ADJ;SPRL"
ENGLISH_BUNDLES: tuple[str, ...] = (
    V_NFIN,
    V_PST,
    V_PTCP_PST,
    V_PTCP_PRS,
    V_3SG_PRS,
    V_1SG_PRS,
    V_PL_PRS,
    V_PL_PST,
    N_PL,
    ADJ_CMPR,
    ADJ_SPRL,
)
"""Every bundle `analyse` can return (V;SG;1;PRS, V;PL;PRS and V;PL;PST only for forms of `be`)."""

SOURCES = ("unimorph", "rule", "lemma")

# Table readings of one form: V;PST before the participle (put, cut), V;NFIN (a spelling variant) last.
_BUNDLE_ORDER = {V_PST: 0, V_3SG_PRS: 1, V_PTCP_PRS: 2, V_PTCP_PST: 3, V_NFIN: 4}

_BE = {
    "am": (V_1SG_PRS,),
    "is": (V_3SG_PRS,),
    "are": (V_PL_PRS,),
    "was": (V_PST,),
    "were": (V_PL_PST,),
    "being": (V_PTCP_PRS,),
    "been": (V_PTCP_PST,),
}

_IRREGULAR_PLURALS = {
    "men": "man",
    "women": "woman",
    "children": "child",
    "feet": "foot",
    "teeth": "tooth",
    "geese": "goose",
    "mice": "mouse",
    "lice": "louse",
    "dice": "die",
    "oxen": "ox",
    "people": "person",
    "brethren": "brother",
    "wolves": "wolf",
    "knives": "knife",
    "wives": "wife",
    "lives": "life",
    "leaves": "leaf",
    "thieves": "thief",
    "halves": "half",
    "shelves": "shelf",
    "selves": "self",
    "calves": "calf",
    "loaves": "loaf",
    "elves": "elf",
    "scarves": "scarf",
    "hooves": "hoof",
    "sheaves": "sheaf",
    "wharves": "wharf",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "analyses": "analysis",
    "crises": "crisis",
    "theses": "thesis",
    "hypotheses": "hypothesis",
    "diagnoses": "diagnosis",
    "oases": "oasis",
    "parentheses": "parenthesis",
    "syntheses": "synthesis",
    "indices": "index",
    "matrices": "matrix",
    "appendices": "appendix",
    "vertices": "vertex",
    "cacti": "cactus",
    "fungi": "fungus",
    "nuclei": "nucleus",
    "stimuli": "stimulus",
    "radii": "radius",
    "alumni": "alumnus",
    "syllabi": "syllabus",
    "bacteria": "bacterium",
    "curricula": "curriculum",
    "memoranda": "memorandum",
    "buses": "bus",
    "quizzes": "quiz",
}

_IRREGULAR_ADJECTIVES = {
    "better": ("good", ADJ_CMPR),
    "best": ("good", ADJ_SPRL),
    "worse": ("bad", ADJ_CMPR),
    "worst": ("bad", ADJ_SPRL),
    "further": ("far", ADJ_CMPR),
    "furthest": ("far", ADJ_SPRL),
    "farther": ("far", ADJ_CMPR),
    "farthest": ("far", ADJ_SPRL),
}

COMMON_ADJECTIVES = frozenset(
    """
    able angry bad big black bold brave brief bright broad brown busy calm cheap clean clear clever close cold
    cool crazy cruel cute damp dark deadly dear deep dirty dry dull early easy empty fair faint fancy far fast fat
    few fierce fine firm fit flat fond free fresh friendly full funny gentle glad good grand great green grey gray
    grim gross guilty hairy handsome happy hard harsh healthy heavy high holy hot huge humble hungry icy kind large
    late lazy light likely little lively lonely long loose loud lovely low lucky mad mean merry messy mighty mild
    moist narrow nasty near neat new nice noble noisy odd old pale plain pleasant polite poor pretty proud pure
    quick quiet rapid rare raw ready red rich ripe rough round rude sad safe salty scary shallow sharp short shy
    sick silly simple slim slow small smart smooth soft solid sore sour spicy steep stiff still strange strict
    strong stupid sunny sure sweet tall tame tasty thick thin tidy tight tiny tough true ugly vague warm weak
    wealthy weird wet white wide wild windy wise witty yellow young
    """.split()
)
"""Adjectives the -er/-est rules may analyse (see the module docstring for why the rules need a list)."""

# Common irregular verbs: among the table's lemmas for one form (went: go, gan, wend, ween) these come first.
_COMMON_IRREGULAR_VERBS = frozenset(
    """
    arise awake be bear beat become begin bend bet bind bite bleed blow break breed bring build burn burst buy
    cast catch choose cling come cost creep cut deal dig do draw dream drink drive eat fall feed feel fight find
    flee fling fly forbid forget forgive freeze get give go grind grow hang have hear hide hit hold hurt keep
    kneel know lay lead lean leap learn leave lend let lie light lose make mean meet mistake overcome pay prove
    put quit read ride ring rise run saw say see seek sell send set sew shake shed shine shoot show shrink shut
    sing sink sit slay sleep slide sling slit smell sow speak speed spell spend spill spin spit split spoil
    spread spring stand steal stick sting stink stride strike string strive swear sweep swell swim swing take
    teach tear tell think throw thrust tread understand undergo undertake wake wear weave weep wet win wind
    withdraw wring write
    """.split()
)

# Words that get no analysis at all: closed-class words and invariant words that look like -s/-ed/-ing/-er
# forms (the table lists some as verb forms: news <- "new", V;SG;3;PRS).
_INVARIANT = frozenset(
    """
    a an the this these those that his hers its ours yours theirs us as yes thus plus always
    perhaps towards afterwards backwards forwards upwards downwards besides whereas sometimes nowadays unless
    news series species means physics mathematics economics politics ethics athletics gymnastics linguistics
    electronics measles diabetes herpes rabies mumps billiards thanks chaos ethos pathos cosmos kudos lens
    tennis chess during nothing something anything everything morning evening ceiling pudding sibling darling
    herring shilling awning lightning sterling duckling dumpling seedling earring offspring viking king thing
    hundred sacred naked wicked rugged ragged kindred hatred indeed
    never ever over under after other either neither rather whether water paper number order
    """.split()
)

# -s words that are no noun plurals (the table's or the built-in verb readings stay)
_NOT_PLURAL = frozenset("is was has does goes".split())
