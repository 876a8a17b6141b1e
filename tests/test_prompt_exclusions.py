"""What a prompt asks for once what it leaves out is taken away (``medvlseg.prompts.exclusions``): the sets
read from the words, with the catalogue's head words written out here (no text tower)."""

from __future__ import annotations

import pytest

from medvlseg.prompts.exclusions import asks_no_mask, kept_targets, rewrite

HEADS = {"left lung": {"lung", "lungs"}, "right lung": {"lung", "lungs"}, "left clavicle": {"clavicle", "clavicles", "collarbone"},
         "right clavicle": {"clavicle", "clavicles", "collarbone"}, "heart": {"heart", "cardiac"}, "foot ulcer": {"ulcer", "wound"},
         "skin lesion": {"lesion", "mole", "naevus"}, "polyp": {"polyp", "polyps"}}
LUNGS, CLAVICLES = {"left lung", "right lung"}, {"left clavicle", "right clavicle"}


def kept(text: str):
    return kept_targets(text, HEADS, ambiguous={"lesion"}, landmarks={"above", "below", "beside"}, parts={"apex", "base"})


@pytest.mark.parametrize("text, asked, left_out", [
    # what is named in the scope of a word that leaves out is taken away from what is named elsewhere
    ("Without the heart, the clavicles, the spine or the left lung: the patient's right lung.", {"right lung"}, {"heart", *CLAVICLES, "left lung"}),
    ("Neither the lungs nor the heart nor the right collarbone; only the patient's left clavicle.", {"left clavicle"}, {*LUNGS, "heart", "right clavicle"}),
    ("No need for the trachea, no need for the ribs, no need for the right lung; just the patient's left lung.", {"left lung"}, {"right lung"}),
    ("Skip the lungs, the heart and the patient's left collarbone, and segment the remaining clavicle on the patient's right.",
     {"right clavicle"}, {*LUNGS, "heart", "left clavicle"}),
    # a pair's noun said alone asks for the side not left out; a side said alone stands for the pair named nearest
    ("The collarbone that is not the left one.", {"right clavicle"}, {"left clavicle"}),
    ("The clavicle that is not on the patient's right.", {"left clavicle"}, {"right clavicle"}),
    ("Of the two lungs, the one that is not on the patient's left.", {"right lung"}, {"left lung"}),
    ("Not the left lung - the right.", {"right lung"}, {"left lung"}),
    # ... the sides said as asked over the noun ("of the two lungs keep only the left")
    ("Ignore the heart shadow, the spine and both collarbones, and of the two lungs keep only the left.", {"left lung"}, {"heart", *CLAVICLES}),
    # "the other" one left out is the side not asked
    ("the patient's right lung, just that, disregard the heart shadow and the other lung", {"right lung"}, {"heart", "left lung"}),
    # several left once the rest is taken away, or none
    ("Lungs minus heart.", LUNGS, {"heart"}),
    ("Both collarbones and the heart, excluding the lungs.", {*CLAVICLES, "heart"}, LUNGS),
    ("The lung that is not on the left and the lung that is not on the right.", set(), LUNGS),
    ("Neither lung nor the heart nor either clavicle - just the air column of the trachea.", set(), {*LUNGS, "heart", *CLAVICLES}),
    # a comma that lists on, and one that says what is asked instead
    ("Not the lungs, the heart.", {"heart"}, LUNGS),
    ("Exclude both lungs and both collarbones - what I'm after is the heart.", {"heart"}, {*LUNGS, *CLAVICLES}),
])
def test_what_is_left_once_what_is_left_out_is_taken_away(text, asked, left_out):
    found = kept(text)
    assert found is not None and found.asked == asked and found.left_out == left_out, (text, found)


@pytest.mark.parametrize("text", [
    "Segment the right lung.",  # nothing left out
    "Segment the polyp, not the fold.",  # nothing named left out
    "No fracture of the right clavicle; the joint is congruent.",  # what is left out is the fracture, the clavicle its place
    "do not miss the small polyp", "never leave out the heart",  # a negated leaving out keeps
    "Segment the polyp. In case there is no polyp, return nothing.",  # what is not there
    "Not sure which side you count as right: the patient's right clavicle.",
    "the right lung wait no the left one the left lung",  # a correction, read by the resolver
    "the left lung, not the right side of the image",  # the picture's side
    "segment the left lung no the right lung",  # "no the": a correction, not a leaving out
])
def test_nothing_read_where_nothing_named_is_left_out(text):
    assert kept(text) is None, text


def test_an_and_that_opens_a_clause_ends_what_is_left_out():
    found = kept("No effusion and the left lung is clear")
    assert found is None or "left lung" not in found.left_out


def test_a_place_and_a_landmark_are_not_what_is_asked_or_left_out():
    # (the lung below which the clavicle lies asks for nothing)
    found = kept("the clavicle above the left lung, not the heart")
    assert found is not None and found.asked == set() and found.left_out == {"heart"}
    found = kept("the right lung's hilum, not the heart")  # a part of it: the resolver's to read
    assert found is not None and found.asked == set()


def test_the_words_that_ask():
    found = kept("Not the left lung; tell me if the right lung is clear")
    assert found is not None and asks_no_mask(found.asking)
    assert not asks_no_mask(kept("Not the left lung - the right.").asking)
    assert kept("Not the left lung - the right.").said_alone
    assert not kept("Highlight the pneumothorax on the left side - the air, not the lung.").said_alone
    assert asks_no_mask("Is it the right one?") and not asks_no_mask("Could you segment the right one?")


@pytest.mark.parametrize("text, read", [
    ("Do not not include the heart, but do leave out the lungs", "include the heart, but do leave out the lungs"),
    ("Save for the open sore, disregard everything - no callus", "only the open sore - no callus"),
    ("other than the diabetic ulcer itself, nothing should end up in the mask", "only the diabetic ulcer itself"),
    ("Segment the ulcer, not the callus", "Segment the ulcer, not the callus"),
])
def test_rewrite(text, read):
    assert rewrite(text) == read
