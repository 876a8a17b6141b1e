"""English words written in another script, read back as the English words they are.

A Hindi speaker types "राइट लंग का मास्क", a Korean "레프트 클래비클 아웃라인", a Japanese "フットアルサーのマスク", an
Egyptian "سيجمنت الهارت": the English clinical word, spelt as it sounds in the letters of the writer's own language. No
glossary can list every such spelling (each script spells each word several ways), but each is the word's sound in
other letters. Romanised (``anyascii``; Hangul as it is said), with the sounds scripts do not tell apart merged (p, b,
f and v; k and g; r and l in Japanese and Korean, which also drop the r after a vowel) and its vowels dropped, it
leaves the consonants of the English word as it is said; its first vowel tells apart words of the same consonants
("फुट", foot; "फोटो", photo). :func:`read_loanwords` replaces each word of a non-Latin script whose consonants and
first vowel are those of one word of :data:`LOANWORDS`, and leaves every other word as it was. Scripts written
without spaces (Japanese katakana, Korean Hangul, Thai) are read as runs that split whole into such words
("レフトラング": left lung), with a Korean particle after them ("렁을"). Hebrew, which writes neither its short vowels
nor its long a, and Chinese characters and Japanese hiragana, which write no loanwords, are not read.

What is read is only ever a reading: the resolver keeps it where the prompt as written gives no target and the
prompt read so does, and leaves to the glossary the words it reads (:meth:`PromptResolver._resolve`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

import jellyfish
from anyascii import anyascii

# English words a user writes in another script, each with how it is said, spelt plainly in Latin letters (one or two
# ways: the r after a vowel said or not, "haat"/"hart"); from the words that name the targets, their pictures and the
# requests of the catalogue. Only words of two consonants or more once the key is made (:func:`_key`).
LOANWORDS: dict[str, tuple[str, ...]] = {
    "right": ("rait",),
    "left": ("left",),
    "lung": ("lang", "lung", "lanj"),  # (Egypt's Arabic writes g as j: "لنج")
    "lungs": ("langs",),
    "heart": ("hart", "haat"),
    "clavicle": ("klavikl", "klavikel", "klevikl"),
    "collarbone": ("kolarbon", "kolabon", "kalarbon"),
    "collar": ("kolar",),  # (not "kalar": Hindi "कलर" is colour)
    "bone": ("bon",),
    "polyp": ("polip",),
    "polyps": ("polips",),
    "ulcer": ("alsar", "alsa"),
    "wound": ("wund", "vund"),
    "foot": ("fut",),
    "diabetic": ("daiabetik",),
    "skin": ("skin",),
    "lesion": ("lizan", "lijan"),
    "mole": ("mol",),
    "nevus": ("nivas", "nevas"),
    "melanoma": ("melanoma",),
    "cardiac": ("kardiak", "kaadiak"),
    "shadow": ("shado", "shedo"),
    "silhouette": ("siluet",),
    "segment": ("segment",),
    "segmentation": ("segmenteshan", "segmentatsia"),  # (Russian and Georgian "-ация", "-აცია")
    "mask": ("mask",),
    "outline": ("autlain",),
    "contour": ("kontur", "konta"),
    "highlight": ("hailait",),
    "chest": ("chest",),
    "x-ray": ("eksre",),
    "dermoscopy": ("dermoskopi", "daamoskopi", "darmoskopi"),
    "colonoscopy": ("kolonoskopi",),
    "patient": ("peshent",),
    "pigmented": ("pigmented",),
    "mark": ("mark", "maak"),
    "photo": ("foto",),
    "image": ("imej",),
    "film": ("film",),
    "scan": ("skan",),
    # (what a prompt asks instead of a mask, for the resolver to refuse: "ਹਾਰਟ ਦਾ ਸਾਈਜ਼ ਨਾਰਮਲ ਹੈ?", "فٹ السر کی گریڈنگ")
    "normal": ("normal", "nomal", "naarmal"),
    "grading": ("greding",),
    "resect": ("risekt",),
    "cancer": ("kensar", "kansar"),
    "diagnosis": ("daiagnosis",),
    "volume": ("volyum",),
    "benign": ("binain",),
    "malignant": ("malignant",),
}
# the letters each script's romanisation writes for one sound, then the sounds scripts do not tell apart (Thai writes
# English g as k; j is a hissing sound, as in "lesion": Russian "лежн", Korean "리전"); and r and l, which Japanese and
# Korean do not tell apart (:data:`_NO_R_OR_L`), and other scripts do (Arabic "أرسل", send, is no "ألسر", ulcer)
_DIGRAPHS = (("ph", "f"), ("th", "t"), ("dh", "d"), ("kh", "k"), ("gh", "g"), ("bh", "b"), ("ck", "k"), ("sh", "s"),
             ("zh", "s"), ("ch", "c"), ("gk", "g"))
_MERGED = str.maketrans({"b": "p", "f": "p", "v": "p", "g": "k", "c": "k", "q": "k", "z": "s", "j": "s", "x": "ks"})
_NO_R_OR_L = re.compile(r"[\u30a0-\u30ff\uac00-\ud7af]")
# a nasal written as a mark over its syllable (Devanagari's and Bengali's anusvara), which romanises as "m": the "ng" of "lung"
_ANUSVARA = re.compile("[\u0902\u0982\u0a02\u0a70\u0a82\u0b02\u0b82\u0c02\u0c82\u0d02]")
# scripts written without spaces between words (Thai, Japanese kana, Korean Hangul): a run is split into words
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u30a0-\u30ff\uac00-\ud7af]")
# ... of which Thai writes its own words in the same run as the loanwords (เซกเมนต์ฮาร์ทในฟิล์ม: segment heart in film)
THAI = re.compile(r"[\u0e00-\u0e7f]")
# Korean particles after a noun ("렁을": the lung, as object; "클래비클만": the clavicle only)
_KOREAN_PARTICLES = ("에서", "으로", "을", "를", "이", "가", "은", "는", "의", "에", "만", "도", "로")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_SUFFIXED = re.compile(r"[\u0530-\u058f\u10a0-\u10ff\u0900-\u0dff\u1200-\u137f]")  # (Armenian, Georgian, Indic, Ethiopic)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# the Arabic article and "for the" before a noun ("الهارت": the heart; "للمريض"), and its long a, which ``anyascii`` leaves out
_ARABIC_ARTICLE = re.compile(r"^(?:ال|لل)(?=[\u0621-\u064a]{2})")
_ARABIC_A = re.compile("[\u0627\u0623\u0625\u0622\u0649\u0629]")
_KATAKANA = re.compile(r"[\u30a0-\u30ff]")
_R_AFTER_VOWEL = re.compile(r"(?<=[aeiou])r(?![aeiou])")
# the vowel katakana adds after a consonant English says bare: u, and o after t and d
_KANA_VOWEL = re.compile(r"(?<=[bcfghkmprsz])u(?![aeiou])|(?<=[td])o(?![aeiou])")


def _said(latin: str, no_r_or_l: bool = False) -> str:
    """A word as it is said, in Latin letters, the sounds scripts do not tell apart merged (vowels kept); r as l too,
    where the script does not tell them apart."""
    s = re.sub(r"[^a-z]", "", latin.lower())
    for pair, one in _DIGRAPHS:
        s = s.replace(pair, one)
    s = s.translate(_MERGED)
    return re.sub(r"(.)\1+", r"\1", s.replace("r", "l") if no_r_or_l else s)


def _key(said: str) -> str:
    """The consonants of a word as it is said (:func:`_said`): what a word keeps in every script."""
    head, rest = said[:1], said[1:]
    return re.sub(r"(.)\1+", r"\1", (head if head not in "aeiouyw" else "") + re.sub(r"[aeiouywh]", "", rest))


def _vowel(said: str) -> str:
    """The first vowel of a word as it is said, its class: a, e (e and i), o or u."""
    m = re.search(r"[aeiouyw]", said)
    return {"i": "e", "y": "e", "w": "u"}.get(m.group(), m.group()) if m else ""


# an Indic word's first syllable written with the long a, as the scripts without a sign for English's short o write it
# (Kannada "ಪಾಲಿಪ್", polyp; Telugu "పాలిప్")
_LONG_A_FIRST = re.compile("^[\u0900-\u0dff][\u093c\u09bc\u0a3c\u0abc\u0b3c\u0cbc]?[\u093e\u09be\u0a3e\u0abe\u0b3e\u0bbe\u0c3e\u0cbe\u0d3e\u0dcf]")


def _vowels_fit(said: str, english: str, arabic: bool) -> bool:
    """The first vowel of ``said`` may be that of ``english`` (as said): the same class, or, for "ai", a or e (Punjabi
    "ਲੈਫਟ", left; "रइट", right); in Arabic script, whose long vowels alone are written, o and u one class too."""
    mine, theirs = _vowel(said), _vowel(english)
    if mine == theirs:
        return True
    if arabic:
        return {mine, theirs} == {"o", "u"}
    first = re.search(r"[aeiouyw]", said)
    return first is not None and said[first.start() : first.start() + 2] == "ai" and theirs in ("a", "e")


@functools.cache
def _by_key(no_r_or_l: bool) -> dict[str, list[tuple[str, str]]]:
    """Each key's English words, with each way the word is said."""
    keys: dict[str, list[tuple[str, str]]] = {}
    for word, spelt in LOANWORDS.items():
        # (Japanese and Korean write the r after a vowel as a long vowel: "ハート", "다크"; "달라고", asking, is no "dark")
        for said in (_said(s, no_r_or_l) for s in spelt if not (no_r_or_l and _R_AFTER_VOWEL.search(s))):
            keys.setdefault(_key(said), []).append((word, said))
    return keys


def _loanword(word: str) -> str | None:
    """The English word ``word`` (of a non-Latin script) spells, or None; or, in Georgian, Armenian, Ethiopic and the
    Indic scripts, its stem, with an ending of one to three letters left out, where the stem has three consonants or more
    (Georgian "ჰარტის", of the heart; Gujarati "એક્સરેમાં", in the x-ray); in Cyrillic only a stem said close to the word
    (:func:`_close`). Arabic's ج is g or j ("سيجمنت": segment; "ليجن": lesion), and its article may be the word's own
    letters, read so only where they give three consonants or more ("السر", ulcer; "الزاوية", the angle, is no ulcer)."""
    no_r_or_l, arabic, cyrillic = _NO_R_OR_L.search(word) is not None, _ARABIC.search(word) is not None, _CYRILLIC.search(word) is not None
    ends = range(len(word), max(len(word) - (6 if cyrillic else 4), 1), -1) if _SUFFIXED.search(word) or cyrillic else (len(word),)
    for end in ends:
        stem = word[:end]
        for variant, article in dict.fromkeys(((stem.replace("\u062c", "g"), True), (stem, True), (stem, False))) if arabic else ((stem, True),):
            latin = _romanised(variant, article)
            # (katakana puts a vowel after a consonant English says bare: "クラビクル", kurabikuru; "フット", futto, keeps it)
            for latin in dict.fromkeys((latin, _KANA_VOWEL.sub("", latin) if _KATAKANA.search(word) else latin)):
                said = _said(latin, no_r_or_l)
                if (end == len(word) and article or len(_key(said)) >= 3) \
                        and (english := _nearest(said, no_r_or_l, arabic, _LONG_A_FIRST.match(word) is not None)) is not None \
                        and (end == len(word) or not cyrillic or _close(said, english, len(word) - end)):
                    return english
    return None


def _close(said: str, english: str, dropped: int) -> bool:
    """A Cyrillic stem read as ``english`` (Kazakh "лангты", Tajik "лангро", Bulgarian "хартът"): said as one of its ways,
    or but for one vowel ("алаңды", of the square, is no "lung"; "половины", halves, no "polyp"), and an ending of more
    than three letters only after a stem of four consonants ("сегменттеңіз")."""
    def vowel_apart(a: str, b: str) -> bool:  # (the same but for one vowel written or not, not the first: "лижн", lisn, and "lisan")
        longer, shorter = (a, b) if len(a) > len(b) else (b, a)
        return len(longer) == len(shorter) + 1 and any(longer[k] in "aeiouy" and longer[:k] + longer[k + 1:] == shorter for k in range(1, len(longer)))

    return (dropped <= 3 or len(_key(said)) >= 4) and any(spelt == said or vowel_apart(said, spelt) for spelt in map(_said, LOANWORDS[english]))


def _nearest(said: str, no_r_or_l: bool = False, arabic: bool = False, long_a: bool = False) -> str | None:
    """The English word whose consonants ``said`` has (:func:`_key`) and its first vowel too ("फोटो", photo, is no
    "फुट", foot; Russian "правая", right, no "polyp"), the nearest as said where several have them ("हाइलाइट":
    highlight, "हार्ट": heart); None: none, or no single nearest. A word written without vowels (Arabic script writes
    no short ones) needs three consonants ("مری", oesophagus, is no mole)."""
    key, vowel = _key(said), _vowel(said)
    # (a word of three consonants or more written without its first vowel, or in Arabic script, whose first vowel written
    # may be a later one: "درموسکوپی", dermoscopy, is matched on its consonants)
    # (a long a may be a short o (``long_a``: :data:`_LONG_A_FIRST`) in a word of three consonants: "ಪಾಲಿಪ್ಸ್", polyps)
    words = [(w, s) for w, s in _by_key(no_r_or_l).get(key, [])
             if (len(key) >= 3 and (arabic or not vowel or long_a and vowel == "a" and _vowel(s) == "o")) or _vowels_fit(said, s, arabic)] \
        if len(key) >= (2 if vowel else 3) else []
    near = sorted((jellyfish.levenshtein_distance(said, s), w) for w, s in words)
    return near[0][1] if near and (len(near) == 1 or near[0][0] < near[1][0] or near[0][1] == near[1][1]) else None


# Hangul's letters as they are said (a syllable's last consonant as it sounds there: "웃" ut, "풋" put), for
# :func:`_romanised`; ``anyascii`` writes a last ㅅ as "s"
_HANGUL_FIRST = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h")
_HANGUL_VOWEL = ("a", "ae", "ya", "yae", "a", "e", "ya", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "",
                 "ui", "i")  # (ㅓ, "eo", is the u of "lung": "렁"; ㅡ, "eu", a vowel put where English has none: "클래비클")
_HANGUL_LAST = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t",
                "t", "k", "t", "p", "t")


# letters an Indic script writes for an English sound that ``anyascii`` romanises otherwise: Tamil's ஃப (f: "ஃபுட்"), ச (s:
# "அல்சர்") and ங (ng: "லங்"); Malayalam's റ്റ (tt: "റൈറ്റ്") and ന്റ (nt: "സെഗ്മെന്റ്")
_INDIC_SOUNDS = (("\u0b83\u0baa", "f"), ("\u0b83", ""), ("\u0b9a", "s"), ("\u0b99", "ng"), ("\u0d31\u0d4d\u0d31", "tt"),
                 ("\u0d28\u0d4d\u0d31", "nt"))


def _romanised(word: str, article: bool = True) -> str:
    """``word`` in Latin letters: Hangul as said (:data:`_HANGUL_LAST`), an Indic consonant with the vowel it holds where no
    vowel sign or virama follows it ("कलर", kalar; ``anyascii`` writes "klr"; in Bengali and Odia o), a nasal mark as the sound it stands for, the
    Arabic article left out (unless ``article`` is False: Urdu "السر", ulcer, is no article); everything else by
    ``anyascii``."""
    word = _ARABIC_A.sub("a", _ANUSVARA.sub(_anusvara, _ARABIC_ARTICLE.sub("", word) if article else word))
    word = word.replace("\u0445", "h").replace("\u0425", "h")  # (Cyrillic х is English h: "харт"; ``anyascii`` writes "kh")
    for letters, sound in _INDIC_SOUNDS:
        word = word.replace(letters, sound)
    out = []
    for k, c in enumerate(word):
        if "\uac00" <= c <= "\ud7a3":
            n = ord(c) - 0xAC00
            out.append(_HANGUL_FIRST[n // 588] + _HANGUL_VOWEL[n % 588 // 28] + _HANGUL_LAST[n % 28])
            continue
        out.append(anyascii(c))
        if "\u0900" <= c <= "\u0dff" and "LETTER" in unicodedata.name(c, "") and " VOWEL" not in unicodedata.name(c, "") \
                and not re.search(r"[aeiou]", out[-1]) and k + 1 < len(word) and unicodedata.category(word[k + 1])[0] != "M" \
                and word[k + 1] not in "aeiou":  # (nor at a word's end, where it is not said, nor before a nasal mark read "an")
            out.append("o" if "\u0980" <= c <= "\u09ff" or "\u0b00" <= c <= "\u0b7f" else "a")  # (Bengali's and Odia's is o: "ପଲିପ୍", polip)
    return "".join(out)


def _anusvara(m: re.Match[str]) -> str:
    """A nasal mark, with the vowel its letter holds where no vowel sign is written before it: "ang" at a word's end
    ("লাং", lung), "an" before a consonant ("लंग"; "सेगमेंट", with its e)."""
    vowel = "" if m.start() and unicodedata.category(m.string[m.start() - 1])[0] == "M" else "a"
    return vowel + ("ng" if m.end() == len(m.string) else "n")


_LONGEST = 12  # the most letters of a run one loanword spans ("セグメンテーション": 9)


def _split(run: str) -> list[str] | None:
    """A run of a script written without spaces, split whole into English words (the fewest), a Korean particle
    allowed at its end; None where it does not split so."""
    for particle in ("", *(p for p in _KOREAN_PARTICLES if run.endswith(p) and len(run) > len(p) + 1)):
        body = run[: len(run) - len(particle)]
        best: list[list[str] | None] = [[]] + [None] * len(body)
        for end in range(1, len(body) + 1):
            for start in range(max(0, end - _LONGEST), end):
                if best[start] is not None and (word := _loanword(body[start:end])) is not None \
                        and (best[end] is None or len(best[start]) + 1 < len(best[end])):
                    best[end] = [*best[start], word]
        if best[-1]:
            return best[-1]
    return None


def _script(c: str, before: str) -> str:
    """The script of a character: the first word of its Unicode name ("KATAKANA", "HANGUL", "DEVANAGARI"); "" for
    what no loanword is read in (Latin letters, digits, spaces, punctuation, Chinese characters, Japanese hiragana,
    Hebrew); a mark, the kana's length mark, a hyphen or a zero-width joiner, the script of the letter before it."""
    if unicodedata.category(c)[0] == "M" or c in "-\u30fc\u200c\u200d":
        return before  # (and the joiners Indic and Persian typing puts inside a word: "ಕಾಲರ್\u200cಬೋನ್", collarbone)
    if unicodedata.category(c)[0] != "L":
        return ""
    name = unicodedata.name(c, "").split(" ")[0]
    return "" if name in ("LATIN", "CJK", "HIRAGANA", "HEBREW") else name


def _pieces(text: str) -> list[str]:
    """``text`` cut into its words of scripts a loanword is written in, a word ending where its script changes
    (Japanese writes a loanword in katakana between kanji and hiragana: "胸部X線でハートの輪郭を"), and what stands
    between them, marked by a leading NUL."""
    pieces: list[tuple[str, list[str]]] = []
    script = ""
    for c in text:
        now = _script(c, script)
        if pieces and now == pieces[-1][0]:
            pieces[-1][1].append(c)
        else:
            pieces.append((now, [c]))
        script = now
    return [("" if script else "\0") + "".join(cs) for script, cs in pieces]


def read_loanwords(text: str, known: Callable[[str], bool] = lambda word: False) -> str:
    """``text`` with each word of a non-Latin script that spells an English word of :data:`LOANWORDS` as that word
    ("एक्स-रे में राइट लंग का मास्क" -> "x-ray में right lung का mask"); every other word as it was, and every word
    ``known`` already (a glossary's: "マスク" is read there, in its own sentence)."""

    def read(word: str) -> str:
        if known(word):
            return word
        if (one := _loanword(word)) is not None:
            return f" {one} "
        if _UNSPACED.search(word) and (words := _split(word)) is not None:
            return f" {' '.join(words)} "
        return word

    out = "".join(read(word) if word[0] != "\0" else word[1:] for word in _pieces(text))
    return re.sub(r"\s{2,}", " ", re.sub(r"\s+([,.;:?!])", r"\1", out)).strip() if out != text else text
