"""English words written in another script (prompts/loanwords.py): read back as the English words they are, and every
other word left as it was."""

import pytest

from medvlseg.prompts.loanwords import LOANWORDS, _R_AFTER_VOWEL, _loanword, _nearest, _said, read_loanwords


@pytest.mark.parametrize("written, english", [
    ("राइट लंग का मास्क", "right lung का mask"),  # Hindi: an anusvara before a consonant is "n"
    ("লেফট লাং আউটলাইন", "left lung outline"),  # Bengali: an anusvara at a word's end is "ng"
    ("обведи райт клавикл", "обведи right clavicle"),  # Russian, its verb left to the glossary
    ("سيجمنت الرايت لنج", "segment right lung"),  # Arabic: no short vowels, the article left out, g written j
    ("레프트 클래비클 아웃라인", "left clavicle outline"),  # Korean: a last ㅅ said t ("아웃")
    ("엑스레이에서 하트 영역", "x-ray heart 영역"),  # ... a particle after the word ("에서")
    ("レフトラング セグメンテーション", "left lung segmentation"),  # Japanese katakana, a run split whole
    ("胸部X線でハートの輪郭を", "胸部X線で heart の輪郭を"),  # ... between kanji and hiragana, which stay
    ("σέγκμεντ τη ράιτ κλάβικλ", "segment τη right clavicle"),  # Greek "γκ" for g
    ("ฟุตอัลเซอร์", "foot ulcer"),  # Thai: g written k, a run split whole
    ("ஃபுட் அல்சர்", "foot ulcer"),  # Tamil: ஃப is f, ச is s
    ("റൈറ്റ് ക്ലാവിക്കിൾ", "right clavicle"),  # Malayalam: റ്റ is tt
    ("ਲੈਫਟ ਲੰਗ", "left lung"),  # Punjabi: ai for the e of "left"
    ("ჰარტის სეგმენტაცია", "heart segmentation"),  # Georgian: a case ending left out
    ("Райт лангты", "right lung"),  # Kazakh: a Cyrillic ending, the stem said as the word
    ("Къде е хартът?", "Къде е heart?"),  # Bulgarian: Cyrillic х is h
    ("ಎಡ ಕಾಲರ್\u200cಬೋನ್", "ಎಡ collarbone"),  # Kannada: a zero-width non-joiner inside the word
    ("ପଲିପ୍ ସେଗମେଣ୍ଟ", "polyp segment"),  # Odia: a consonant's own vowel is o
    ("পলিপ সেগমেন্ট করুন", "polyp segment করুন"),  # ... and Bengali's
    ("ಕರುಳಿನ ಪಾಲಿಪ್ಸ್ ಮಾಸ್ಕ್", "ಕರುಳಿನ polyps mask"),  # Kannada: a long a for English's short o
    ("ಡರ್ಮೋಸ್ಕೋಪಿ ಚಿತ್ರದಲ್ಲಿ", "dermoscopy ಚಿತ್ರದಲ್ಲಿ"),  # "der" said "dar"
])
def test_english_words_in_other_scripts_are_read_as_english(written, english):
    assert read_loanwords(written) == english


@pytest.mark.parametrize("native", [
    "물",  # Korean water: "mul" has the consonants of "mole" and the wrong vowel
    "أرسل",  # Arabic "I send": the consonants of "ulcer" but with r, which Arabic tells from l
    "مری",  # Persian oesophagus: two consonants and no vowel written are too few to read
    "달라고",  # Korean "asking": no English word of the table
    "הלב",  # Hebrew is not read
    "алаңды",  # Kazakh "of the square": a Cyrillic stem read only as said, its first vowel not dropped ("alang" is no "lang")
    "половины",  # Russian "halves": "polov" is no "polip"
    "कलर",  # Hindi "colour" (kalar) is no "collar"
    "ডান দিক",  # Bengali "right side": "dik" is no "dark"
    "だけ",  # Japanese hiragana ("only") is never a loanword
    "右の鎖骨",  # Chinese characters neither
    "갈색 사진에서",  # Korean "brown", "in the photo"
    "pulmón derecho",  # Latin letters are the glossary's
    "ಮಾಲ್",  # Kannada "mall": a long a is a short o only in a word of three consonants (no "mole")
])
def test_native_words_stay_as_they_are(native):
    assert read_loanwords(native) == native


def test_the_first_vowel_tells_words_of_the_same_consonants_apart():
    assert _loanword("फुट") == "foot" and _loanword("फोटो") == "photo"  # "pt": u against o
    assert _loanword("скан") == "scan" and _loanword("скин") == "skin"  # "skn": a against i
    assert _loanword("हार्ट") == "heart" and _loanword("हाइलाइट") == "highlight"
    assert _loanword("ハート") == "heart" and _loanword("하트") == "heart"  # the r after a vowel not written


def test_every_way_a_loanword_is_said_reads_back_as_that_word():
    """No two words of the table collide unnoticed: each of a word's ways of being said gives that word."""
    for word, spellings in LOANWORDS.items():
        for spelt in spellings:
            assert _nearest(_said(spelt)) == word, spelt
            if not _R_AFTER_VOWEL.search(spelt):  # (as Japanese and Korean spell it: r and l one sound, no r after a vowel)
                assert _nearest(_said(spelt, True), True) == word, spelt


def test_latin_letters_are_never_read():
    assert read_loanwords("rait lang, segment the hart") == "rait lang, segment the hart"
