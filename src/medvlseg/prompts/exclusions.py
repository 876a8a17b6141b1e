"""What a prompt asks for once what it leaves out is taken away.

"Without the heart, the clavicles, the spine or the left lung: the patient's right lung"; "The collarbone
that isn't the left one"; "Of the two lungs, the one that is NOT on the patient's left"; "Neither the lungs
nor the heart nor the right collarbone; only the patient's left clavicle". Such a prompt names more targets
than it asks for, often the one it wants only by the side left over, so a reader that weighs the words it
names ends on a target it was told to leave out.

The prompt is read as sets: each target it names (by a head word: "lung", "collarbones", "heart") or each
side it names alone ("the right", "the left one", "on the patient's left", standing for the pair named
nearest) is asked or left out, by whether it stands in the scope of a word that leaves out ("without",
"not", "neither ... nor", "no need for", "skip", "ignore", "leave out", "minus", "other than" ...; the scope
runs to the next mark, "but", a request or a new clause). Of a pair, the sides said as asked are asked
("of the two lungs keep only the left"), or both where only the noun is ("the collarbone that isn't the
left one"); what is left out is then taken away. What is left is :attr:`Kept.asked`: one target, several
("Lungs minus heart": no one mask), or none.

Only the words are read here; :class:`~medvlseg.prompts.resolve.PromptResolver` decides what to make of it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

SIDES = ("left", "right")

# a negation of a negation asks ("don't not include the heart")
DOUBLE_NEGATION = re.compile(r"\b(?:do\s+not|does\s+not|never|not)\s+not\s+(?=\w)", re.IGNORECASE)
# nothing left out, which leaves out nothing ("Left clavicle, right clavicle, neither to be left out.", "Both lungs,
# minus nothing, plus the heart."): read as asking for what is listed
NOTHING_LEFT_OUT = re.compile(
    r"\b(?:neither|none)(?:\s+of\s+(?:them|the\s+\w+|these|those))?(?:\s+(?:one|bone|side))?\s+(?:is\s+|are\s+|to\s+be\s+|should\s+be\s+|"
    r"must\s+be\s+|gets?\s+|may\s+be\s+)?(?:left\s+out|excluded|omitted|skipped|dropped|missed)\b"
    r"|\b(?:minus|without|excluding|except|leaving\s+out|skipping|omitting)\s+(?:nothing|none|anything\s+at\s+all)\b", re.IGNORECASE)
# everything left out but one thing asks for that thing ("Save for the open sore, leave everything out",
# "other than the diabetic ulcer itself, nothing should end up in the mask"): "only ..."
ALL_BUT = re.compile(
    r"\b(?:save\s+for|other\s+than|except(?:\s+for)?|apart\s+from|aside\s+from|but\s+for|besides)\s+"
    r"(?P<kept>(?:the|this|that|its|his|her|their|a|an)\s+[^,;:.!?\u2014\u2013]{1,60}?)\s*,\s*(?:please\s+)?"
    r"(?:(?:leave|keep|take|disregard|exclude|ignore|drop)\s+(?:everything|all|anything)(?:\s+else)?(?:\s+out)?"
    r"|nothing(?:\s+else)?\s+(?:should|must|may|can|is\s+to|goes|belongs)\b[^;:.!?\u2014\u2013]*)", re.IGNORECASE)

# ... as is "nothing but" it ("nothing except the polyp", "none other than the heart")
NOTHING_BUT = re.compile(r"\b(?:nothing|none)(?:\s+else)?\s+(?:except(?:\s+for)?|but|other\s+than|apart\s+from|besides|save(?:\s+for)?)\s+",
                         re.IGNORECASE)

# ... and "do not segment anything except" it
NOT_ANYTHING_BUT = re.compile(r"\b(?:do\s+not|never|not)\s+((?:\w+\s+){0,2}?)(?:anything|any\s+thing)(?:\s+else)?\s+(?:except(?:\s+for)?|but|"
                              r"other\s+than|apart\s+from|besides|save(?:\s+for)?)\s+", re.IGNORECASE)

# ... and "leave out anything that isn't" it
ALL_THAT_IS_NOT = re.compile(r"\b(?:leave\s+out|leaving\s+out|exclude|excluding|ignore|ignoring|disregard|remove|drop|mask\s+out|omit)\s+"
                             r"(?:anything|everything|whatever|all)(?:\s+else)?\s+(?:that\s+|which\s+)?(?:is|are)\s+not\s+", re.IGNORECASE)

# the words that leave out what follows them, to the end of their scope (SCOPE_END)
LEAVES_OUT = re.compile(
    r"\b(?:without|no\s+need\s+(?:for|of)|nothing\s+of(?=\s+(?:the|its|this|that|their|it)\b)|neither|nor|not|skip(?:ping)?|ignor(?:e|ing)|disregard(?:ing)?|leav(?:e|ing)\s+out|"
    r"exclud(?:e|ing)|except(?:\s+for)?|minus|other\s+than|apart\s+from|aside\s+from|rather\s+than|instead\s+of|omit(?:ting)?|"
    r"no(?!\s+(?:the|a|an|this|that|my|his|her|its|their)\b)|"
    # ("everything but the heart", "all but the polyp")
    r"(?<=\beverything\s)but|(?<=\ball\s)but)\b(?!\s*[,.;:!?])", re.IGNORECASE)
# ... not where it leaves nothing out ("not only", "not entirely sure", "whether or not", "no longer")
KEEPS = re.compile(r"\bnot\s+(?:\w+ly\s+)?(?:only|just|merely|sure|certain|clear|convinced|confident|known|yet)\b"
                   # ... not a verb of seeing or knowing ("I can't tell where the brown spot ends")
                   r"|\bnot\s+(?:\w+ly\s+)?(?:tell|see|know|find|distinguish|say|understand|decide|figure|judge|remember|make\s+out|work\s+out)\b"
                   r"[^,;:.!?\u2014\u2013]*"
                   r"|\b(?:whether\s+or|if|or)\s+not\b|\bno\s+(?:longer|doubt)\b"
                   # ... a negated leaving out, which keeps ("do not miss the small polyp", "never leave out the heart")
                   r"|\b(?:not|never)\s+(?:miss|leave\s+out|leaving\s+out|exclud|skip|ignor|forget|omit|overlook|drop|lose|disregard)\w*"
                   # ... and what is not there ("in case there is no polyp, return nothing")
                   r"|\b(?:is|are|was|were|be|for)\s+no\b|['\u2019]s\s+no\b|\bno\s+[\w-]+(?:\s+[\w-]+)?\s+(?:is|are|was|were)\s+"
                   r"(?:present|seen|visible|found|there|detected|shown)\b"
                   # ... or says a condition ("when no polyp is present, return an empty mask")
                   r"|\b(?:if|when|whenever|unless|in\s+case|should|where)\b[^,;:.!?\u2014\u2013]*", re.IGNORECASE)
# a prompt that corrects itself ("the right lung wait no the left one") is read by the resolver's corrections
CORRECTS = re.compile(r"\b(?:wait|actually|sorry|oops|scratch|correction|i\s+mean|make\s+that|no\s+no)\b", re.IGNORECASE)
# where a scope ends: a mark, a word that asks, a comma that opens no further item of a list, an "and" that opens
# a clause of its own ("No effusion and the left lung is clear")
HARD_END = re.compile(r"[;:.!?()\[\]\u2014\u2013]|\s-+\s")
SCOPE_END = re.compile(
    r"[;:.!?()\[\]\u2014\u2013]|\s-+\s|\b(?:but|only|just|instead|rather|keep|segment|outline|draw|mask|trace|give|show|want|"
    r"include|i|we|please|find|mark|highlight|label|delineate|contour|annotate|isolate|extract|get|locate|detect|identify|return|pick)\b|,"
    r"|\band\b(?=(?:(?![,;:.!?\u2014\u2013]|\s-+\s).)*?\b(?:is|are|was|were|looks?|seems?|appears?)\b)|\b(?:and|but)\s+(?:also|then|instead)\b"
    r"|\bas\s+well\s+as\b", re.IGNORECASE)
# a comma goes on with the list where the clause lists on ("without the heart, the clavicles, the spine or the left lung"),
# not where it says what is asked instead ("Not the lungs, the heart."; "Not the left one, the other lung please.")
LISTS_ON = re.compile(r"\b(?:and|or|nor)\s+(?!(?:not|no|nothing|never|also|then|just|only|please|do|take|segment|outline|keep|include|mask|"
                      r"draw|give|show)\b)", re.IGNORECASE)
# the verbs that leave out a list without an "and" ("Ignore both lungs, both clavicles.", "skip heart, right lung, clavicles")
VERB_CUES = re.compile(r"skip|ignor|disregard|leav|exclud|omit", re.IGNORECASE)
ITEM = re.compile(r",\s*(?:and\s+|or\s+)?(?!(?:segment|outline|draw|mask|trace|give|show|keep|include|just|only|then|so|of|that|which|"
                  r"please|i|we)\b)[a-z]", re.IGNORECASE)
# a pair said as both ("both lungs", "the two collarbones", "either clavicle"), or as the one not said
BOTH = frozenset({"both", "two", "either", "each", "bilateral", "pair"})
OTHER = frozenset({"other", "opposite", "remaining", "second", "contralateral"})
# the words that may stand between a pair's noun and its side said before it ("the patient's left collarbone")
MODIFIERS = frozenset({*SIDES, *BOTH, *OTHER, "patient", "s", "side", "sided", "hand", "upper", "lower", "whole", "entire", "first"})
# the words an item of what is left out may say before its name ("the patient's left", "both"), a side said alone
# ("not on the patient's left"), "of" after a quantity ("neither of the lungs"), and the words after its name
# (else the name places or describes another thing: "no cardiac enlargement", "no polyps in the sigmoid")
ITEM_WORDS = frozenset({"the", "a", "an", "both", "either", "any", "all", "two", "patient", "s", "his", "her", "its", "their", "my",
                        "this", "that", "these", "those", "whole", "entire", "other", "remaining", "opposite", "second", "left",
                        "right", "each", "one", "neither", "nor", "also", "even"})
# ... and after a name that asks ("the polyp at 3 o'clock", "the left lung please")
ASKED_ENDS = frozenset({"in", "of", "with", "near", "from", "to", "is", "are", "was", "were", "only", "just", "who", "where", "i", "we",
                        "you", "for", "then", "so", "lobes", "lobe", "without", "not", "except", "minus", "excluding", "apart", "rather",
                        "instead", "leaving", "ignoring", "no", "neither", "nor", "together", "combined", "jointly"})
SIDE_PHRASE = frozenset({"on", "at", "to", "in", "side", "sided", "of", "that", "is", "which", "lies", "sits", "one"})
SOME = frozenset({"neither", "none", "any", "either", "all", "each", "both", "one", "some"})
ITEM_ENDS = frozenset({"and", "or", "nor", "but", "on", "at", "itself", "themselves", "either", "too", "please", "alone", "entirely",
                       "completely", "shadow", "shadows", "silhouette", "outline", "outlines", "border", "borders", "contour",
                       "area", "region", "field", "fields", "mask", "masks", "as", "which", "that", "one", "ones", "bone", "bones"})
# what asks for no mask, in the words that ask ("Don't segment the left lung; tell me if the right one is clear")
ASKS_NO_MASK = re.compile(r"\b(?:tell|whether|if|is\s+there|are\s+there|how|measure\w*|count\w*|classif\w*|grad(?:e|ing)|describe|report|"
                          r"explain|why|size|volume|diameter|cancel\w*|nevermind|forget|abort|withdraw\w*|undo)\b", re.IGNORECASE)
# a question asks for no mask unless it asks for a drawing ("Could you segment the lung that isn't the right one?")
DRAWING = re.compile(r"\b(?:segment\w*|outline|mask|draw|trace|delineate|contour|mark|highlight|show|give|label|annotate|extract|isolate|"
                     r"keep|include|paint|shade|colou?r|fill)\b", re.IGNORECASE)
# a side of the picture or of the one who looks, not of the patient ("the left of the image", "as I look at the screen")
SIDE_OF_PICTURE = re.compile(r"\b(?:image|screen|viewer|monitor|picture|film|display|my|your|our)(?:['\u2019]?s)?\s+(?:left|right)\b"
                             r"|\b(?:left|right)\s+(?:\w+\s+){0,2}?(?:of|on|in)\s+(?:the\s+)?(?:image|screen|viewer|monitor|picture|film|display)\b"
                             r"|\bas\s+(?:i|you|we)\s+(?:look|see|view)\b|\bfrom\s+(?:my|your|our)\s+(?:side|view|point)\b", re.IGNORECASE)
# the words of a name said alone, or with a request ("the right.", "the patient's right lung", "keep only the left"):
# where the words that ask say nothing else, a refusal the resolver gave for no reason of its own (it read the
# whole prompt) is no reason to refuse what is left
PHRASE_WORDS = frozenset({"the", "a", "an", "patient", "s", "one", "only", "just", "please", "other", "remaining", "and", "but",
                          "of", "two", "both", "on", "side", "sided", "that", "is", "this", "then", "so", "instead", "rather", "pls",
                          "do", "i", "want", "me", "keep", "include", "segment", "outline", "mask", "draw", "trace", "give", "show"})


@dataclass(frozen=True)
class Kept:
    asked: frozenset[str]  # the targets asked for once those left out are taken away
    left_out: frozenset[str]  # the targets the prompt leaves out
    asking: str  # the prompt without the scopes that leave out: the words that ask
    said_alone: bool  # ``asking`` says nothing but names, sides and a request ("- the right.", "keep only the left")


def asks_no_mask(asking: str) -> bool:
    """The words that ask (:attr:`Kept.asking`) ask for no mask: a question without a drawing, a measure, a take-back."""
    return bool(ASKS_NO_MASK.search(asking)) or ("?" in asking and not DRAWING.search(asking))


def rewrite(text: str) -> str:
    """``text`` with a double negation and nothing left out read as asking, and everything-but-one read as "only" that one."""
    text = NOTHING_BUT.sub("only ", NOT_ANYTHING_BUT.sub(r"\1only ", DOUBLE_NEGATION.sub("", NOTHING_LEFT_OUT.sub("all of them", text))))
    text = ALL_THAT_IS_NOT.sub("only ", text)
    return ALL_BUT.sub(lambda m: f"only {m.group('kept')}", text)


def _scopes(text: str) -> list[tuple[int, int, int]]:
    """The spans of ``text`` that leave out (:data:`LEAVES_OUT`), each to its end: (start, end of the word that
    leaves out, end)."""
    keeps = [m.span() for m in KEEPS.finditer(text)]
    scopes = []
    for m in LEAVES_OUT.finditer(text):
        if any(a <= m.start() < b for a, b in keeps):
            continue
        at = m.end()
        while (end := SCOPE_END.search(text, at)) is not None and end.group() == ",":
            # (a comma lists on where an "and", "or" or "nor" and an item follow before the clause ends, none came
            # before it, and the next item is no request; after a verb, an item said as "both", "all" ...)
            hard = HARD_END.search(text, end.end())
            rest = text[end.end() : hard.start() if hard else len(text)]
            listed = LISTS_ON.search(rest) and not re.search(r"\b(?:and|or|nor)\b", text[m.end() : end.start()], re.IGNORECASE)
            if not (ITEM.match(text, end.start()) and (listed or VERB_CUES.match(m.group()))):
                break
            at = end.end()
        scopes.append((m.start(), m.end(), end.start() if end else len(text)))
    return [(a, c, b) for a, c, b in scopes if len(re.findall(r"[a-z0-9]+", text[a:b].lower())) > 1]


def left_out_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` leaves out what it says ("not the raised thing on the wall"): (start, end) of each scope."""
    return [(a, b) for a, _, b in _scopes(text)]


def kept_targets(text: str, heads: Mapping[str, Collection[str]], ambiguous: Collection[str] = frozenset(),
                 landmarks: Collection[str] = frozenset(), parts: Collection[str] = frozenset()) -> Kept | None:
    """The targets ``text`` asks for once what it leaves out is taken away; None where it leaves out no
    target it names, asks for none, corrects itself or speaks of the picture's sides.

    ``heads``: each target's head words ("lung", "lungs"); two targets alike but for a side word
    ("left lung", "right lung") are a pair. ``ambiguous``: head words that may mean another target
    ("lesion": a polyp on a colonoscopy frame), not read here. A name that asks, after one of
    ``landmarks`` ("below") or a part's noun of ``parts`` and "of" ("the apex of the right lung"), in
    its clause and eight words at most before it, asks for nothing."""
    if SIDE_OF_PICTURE.search(text) or CORRECTS.search(text) or not (scopes := _scopes(text)):
        return None
    words = [(m.group(), m.start()) for m in re.finditer(r"[a-z0-9]+", text.lower())]
    scope_of = [next(((a, c, b) for a, c, b in scopes if a <= start < b), None) for _, start in words]
    out = [scope is not None for scope in scope_of]

    pair_of: dict[str, dict[str, str]] = {}  # head word -> side -> target, for a pair
    single: dict[str, set[str]] = {}  # head word -> the targets it names, elsewhere
    for target, ws in heads.items():
        side = [w for w in re.findall(r"[a-z]+", target.lower()) if w in SIDES]
        for w in ws:
            for form in {w, w + "s"} - set(ambiguous):
                if len(side) == 1:
                    pair_of.setdefault(form, {})[side[0]] = target
                else:
                    single.setdefault(form, set()).add(target)

    def apart(a: int, b: int) -> bool:  # a mark between words a < b ("not the left, the right lung")
        return bool(re.search(r"[,;:.!?()\u2014\u2013]", text[words[a][1] : words[b][1]]))

    def landmark(i: int) -> bool:
        return any(not apart(k, i) and (words[k][0] in landmarks or words[k][0] in parts and words[k + 1][0] == "of")
                   for k in range(max(0, i - 8), i))

    def left_out_itself(i: int, side: bool) -> bool:
        """The name at word ``i``, in what is left out, is what is left out: an item of its list ("no need for the
        trachea, the ribs or the right lung"), not the place or the kind of another thing ("no fracture of the
        right clavicle", "no cardiac enlargement", "no stool obscuring the polyp", "no effusion on the left")."""
        start, cue_end, end = scope_of[i]
        k = i - 1
        while k >= 0 and words[k][1] >= cue_end and words[k][0] not in ("and", "or", "nor") and not apart(k, k + 1):
            if not (words[k][0] in ITEM_WORDS or side and words[k][0] in SIDE_PHRASE or words[k][0] == "of" and k and words[k - 1][0] in SOME):
                return False
            k -= 1
        nxt = i + 1
        return side or nxt >= len(words) or words[nxt][1] >= end or apart(i, nxt) or words[nxt][0] in ITEM_ENDS

    # each name: (index of the word, its targets, kind, left out); kind: "side" one side said, "both" a pair as
    # two, "any" one of a pair not said which, "other" the one not said ("the other lung")
    mentions: list[tuple[int, frozenset[str], str, bool]] = []
    nouns: list[tuple[int, dict[str, str]]] = []  # where a pair is named, for a side said alone
    sided: set[int] = set()  # the side words said of a named pair
    for i, (w, _) in enumerate(words):
        if words[i + 1 : i + 2] and words[i + 1][0] == "s" and text[words[i + 1][1] - 1] in "'\u2019":
            continue  # a part of it ("the right lung's hilum"), read by the resolver
        if w in pair_of and len(pair_of[w]) == 2:
            nouns.append((i, pair_of[w]))
            k, said, before = i - 1, [], set()
            while k >= 0 and i - k <= 4 and not apart(k, i) and words[k][0] in MODIFIERS:
                said += [k] if words[k][0] in SIDES else []
                before.add(words[k][0])
                k -= 1
            after = " ".join(v for v, _ in words[i + 1 : i + 9])
            if not said and (m := re.match(r"(?:(?:which|that)\s+(?:is|lies|sits)\s+)?(?:(?:on|of|at)\s+the\s+(?:patient\s+s\s+)?)?(left|right)\b"
                                            r"(?!\s+(?:lung|clavicle|collarbone))", after)) \
                    and not apart(i, i + len(m.group().split())):
                said = [i + len(m.group().split())]
            sided.update(said)
            sides = {words[k][0] for k in said}
            kind = "both" if before & BOTH or w.endswith("s") and w[:-1] in pair_of and not sides else \
                "side" if len(sides) == 1 else "other" if before & OTHER else "any" if not sides else "both"
            if kind == "side":
                mentions.append((i, frozenset({pair_of[w][sides.pop()]}), kind, out[i]))
            else:
                mentions.append((i, frozenset(pair_of[w].values()), kind, out[i]))
        elif w in single and w not in pair_of:
            mentions.append((i, frozenset(single[w]), "side", out[i]))
    for i, (w, _) in enumerate(words):
        # a side said alone ("the right.", "the left one", "on the patient's left") stands for the pair named
        # nearest, before it where one is; not a side of something else ("the left hilum")
        follows = words[i + 1][0] if i + 1 < len(words) and not apart(i, i + 1) else None
        of_patient = follows == "of" and "patient" in [v for v, _ in words[i + 2 : i + 4]]  # ("the right of the patient")
        if follows in ("side", "sided", "half") and i + 2 < len(words) and not apart(i + 1, i + 2) \
                and words[i + 2][0] not in ITEM_ENDS | {"of", "please", "only"}:
            continue  # (the side of another thing: "no left-sided effusion")
        if w in SIDES and i not in sided and nouns and (of_patient or follows in (None, "one", "side", "sided", "half", "and", "or", "nor", "but",
                                                                                  "please", "only")):
            near = min(nouns, key=lambda n: (n[0] > i, abs(n[0] - i)))
            mentions.append((i, frozenset({near[1][w]}), "side", out[i]))
        elif w == "one" and i and words[i - 1][0] in OTHER and nouns:  # "the other one"
            near = min(nouns, key=lambda n: (n[0] > i, abs(n[0] - i)))
            mentions.append((i, frozenset(near[1].values()), "other", out[i]))
    def names_itself(i: int) -> bool:  # a name that asks, not the kind of another thing ("the cardiac pacemaker")
        nxt = i + 1
        return words[i][0] in SIDES or nxt >= len(words) or apart(i, nxt) or words[nxt][0] in ITEM_ENDS | ASKED_ENDS

    mentions = [m for m in mentions if (not landmark(m[0]) and names_itself(m[0]) if not m[3] else left_out_itself(m[0], words[m[0]][0] in SIDES))]
    if not any(m[3] for m in mentions):
        return None

    def taken(left_out: bool) -> set[str]:
        """What the names asked (or left out) say, a pair's sides said over its noun said alone."""
        found: set[str] = set()
        for pair in {frozenset(p.values()) for _, p in nouns} | {ts for _, ts, _, _ in mentions if len(ts) == 1}:
            these = [(ts, kind) for _, ts, kind, o in mentions if o == left_out and ts <= pair]
            said = {t for ts, kind in these if kind == "side" for t in ts}
            # (a pair's noun said alone is both where it is left out: "neither lung"; where it is asked, read below)
            found |= said or {t for ts, kind in these if kind == "both" or left_out and kind == "any" for t in ts}
        return found

    asked_said = taken(False)
    # (a target of no pair, the only one asked and left out too, is one of several of its kind, or its part: "the
    # polyp at 3 o'clock, not the polyp at 9 o'clock", "the ulcer, not the wound edge")
    left_out = taken(True)
    if len(asked_said) == 1 and not any(asked_said <= set(p.values()) for _, p in nouns):
        left_out -= asked_said
    # (a pair left out as a whole, one of whose sides is asked by its side, leaves out the two together, not that side:
    # "output the mask for the patient's right lung only. EDIT: not both lungs, just the right one.")
    for pair in {frozenset(p.values()) for _, p in nouns}:
        if any(o and ts == pair and kind == "both" for _, ts, kind, o in mentions) \
                and not any(o and len(ts) == 1 and ts <= pair for _, ts, _, o in mentions) and len(asked_said & pair) == 1:
            left_out -= asked_said & pair
    asked = set(asked_said)
    for _, ts, kind, o in mentions:
        if len(ts) == 2 and o and kind == "other" and len(ts & asked_said) == 1:
            left_out |= ts - asked_said  # "the patient's right lung ..., leave the other lung out"
    for _, ts, kind, o in mentions:
        if len(ts) == 2 and not o and kind in ("any", "other") and not ts & asked_said and len(ts - left_out) == 1:
            asked |= ts - left_out  # "the collarbone that isn't the left one"
    asking = "".join(ch for k, ch in enumerate(text) if not any(a <= k < b for a, _, b in scopes))
    asking = re.sub(r"\s+", " ", asking).strip()
    alone = not set(re.findall(r"[a-z0-9]+", asking.lower())) - PHRASE_WORDS - set(SIDES) - set(pair_of) - set(single)
    return Kept(frozenset(asked - left_out), frozenset(left_out), asking, alone)
