"""A finding asked for by an everyday word ("is this spot cancer?", "the growth") is left to the
image: the resolver names the trained targets the word may mean (targets.yaml ``vague_words``), the
Segmenter asks the model for each in one call and answers with the one whose presence score stands
highest above its own threshold. What else the images show, a request for something else, a word
in a landmark phrase or under a negation leaves nothing to the image."""

from __future__ import annotations

import numpy as np
import pytest

import medvlseg
from medvlseg.models.record import ModelRecord
from medvlseg.predict import segment_batch
from medvlseg.prompts.resolve import PromptResolver, Resolution, _heads

from test_prompt_resolve import TARGETS, bag_of_words, lite  # noqa: F401  (lite: the fixture)


def test_the_head_of_what_a_clause_asks_for():
    assert _heads("the brown spot in the centre") == {"spot"}
    assert _heads("is this spot cancer") == {"spot", "cancer"}
    # ("dotted" is a look, one of DESCRIPTIVE_WORDS since session 64: the head is the noun after it)
    assert _heads("the tiny red dotted vessels inside the spot") == {"vessels"}
    assert "spot" in _heads("which part is the spot my mother is worried about")
    assert "spot" in _heads("binary mask of the pigmented spot")
    # what turns the phrase round, or a phrase that says nothing followed by anything but "of" / "is"
    for text in ("the area outside the sore", "all but the spot", "the bit outside the lump", "the area around the growth",
                 "the region near the spot", "the"):
        assert _heads(text) == set(), text


def test_an_everyday_word_for_a_finding_leaves_the_prompt_to_the_image():
    # a bar no bag of words reaches: nothing resolves by similarity, so what is left is the new rule's
    r = PromptResolver(bag_of_words, TARGETS, min_similarity=0.999)
    for prompt, candidates in [("the spot", ("skin lesion",)), ("show me the growth", {"polyp", "skin lesion"}),
                               ("a sore", ("foot ulcer",)), ("this lump", {"polyp", "skin lesion"}),
                               ("segment the tumour", {"polyp", "skin lesion"}), ("where is the tumour?", {"polyp", "skin lesion"})]:
        res = r.resolve(prompt)
        assert (res.target, res.model_prompt) == (None, prompt), prompt
        assert (set(res.candidates) if isinstance(candidates, set) else res.candidates) == candidates, prompt
    for prompt in ("polyp", "the skin around the sore", "no growth here", "orchestra", "segment the toenail, not the spot",
                   "segment the area outside the sore", "segment all but the spot", "Segment the finding: the ruler markings"):
        assert r.resolve(prompt).candidates == (), prompt
    # the words come from the catalogue: without them nothing is left to the image
    from dataclasses import replace

    from medvlseg.prompts.attributes import load_targets

    cat = load_targets()
    bare = replace(cat, targets={k: replace(v, vague_words=()) for k, v in cat.targets.items()})
    assert PromptResolver(bag_of_words, TARGETS, cat, min_similarity=0.999).resolve("the spot").candidates == ("skin lesion",)
    assert PromptResolver(bag_of_words, TARGETS, bare, min_similarity=0.999).resolve("the spot").candidates == ()
    # an untrained target is never a candidate ("the lesion" for a model of polyps alone: the polyp's)
    assert PromptResolver(bag_of_words, ["polyp"], min_similarity=0.999).resolve("the spot").candidates == ()


def test_minilm_leaves_vague_findings_to_the_image_and_nothing_else(lite):  # noqa: F811
    r = PromptResolver(lambda texts: lite.text_features(texts), TARGETS, known_words=lite.tokenizer.get_vocab())
    for prompt, target in [("is this spot cancer? show me the spot", "skin lesion"),
                           ("which part of this picture is the spot my mother is worried about?", "skin lesion"),
                           ("segment the protruding mucosal mass seen during endoscopy, not the normal folds", "polyp")]:
        res = r.resolve(prompt)
        assert res.target is None and res.candidates[0] == target, prompt
    # (an open sore said on the foot is the foot's ulcer by its look: list 42)
    assert r.resolve("open sore on the sole").target == "foot ulcer"
    for prompt in ("bright white spots of light", "Label the dark central lumen of the bowel only; any protruding lesion is background.",
                   "the tiny red dotted vessels inside the spot, not the spot itself", "the metal clip they put on the gut wall after taking out a growth",
                   "Annotate only the hair shafts crossing the image; the pigmented lesion beneath them is background.",
                   "the bleeding spot where they cut the thing out", "the pacemaker generator, the metal lump under the skin",
                   "The ankle joint and malleoli visible at the edge of the foot photograph, the bony bumps on either side above the foot."):
        res = r.resolve(prompt)
        assert res.target is None and res.candidates == (), prompt
    # dictation: two edits in a long unknown word, an unknown word after a completed name
    assert r.resolve("left klavikle").target == "left clavicle"
    assert r.resolve("rite lung pleez").target == "right lung"


class _LeftToImage:
    def __init__(self, candidates):
        self.candidates = candidates

    def resolve(self, prompt):
        return Resolution(prompt, prompt, None, candidates=self.candidates if "spot" in prompt else ())


def _record(model, thresholds):
    return ModelRecord.from_dict({**model.record.model_dump(), "presence_threshold": 0.0, "presence_thresholds": thresholds})


@pytest.mark.parametrize("present_one", ["polyp", "skin lesion"])
def test_the_segmenter_answers_with_the_candidate_the_model_finds_present(present_one):
    model = medvlseg.build_model("clipseg", backbone="tiny").eval()
    image = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    plain = medvlseg.Segmenter(model, presence_threshold=0.0, threshold=0.01, resolve_prompts=False)
    peak = {p: plain.segment(image, p).present for p in ("polyp", "skin lesion")}
    absent_one = "skin lesion" if present_one == "polyp" else "polyp"
    # one candidate above its own threshold, the other just below its own, though its score may be higher
    model.record = _record(model, {present_one: max(0.0, peak[present_one] - 0.2), absent_one: min(1.0, peak[absent_one] + 1e-4)})
    seg = medvlseg.Segmenter(model, threshold=0.01)
    seg.resolver = _LeftToImage(("polyp", "skin lesion"))
    assert seg.asks("the spot") == ("polyp", "skin lesion") and seg.asks("heart") == ("heart",)
    r = seg.segment(image, "the spot")
    direct = seg.segment(image, present_one)
    assert r.model_prompt == present_one and r.prompt == "the spot"
    assert np.allclose(r.probability, direct.probability, atol=1e-6) and (r.mask == direct.mask).all() and r.mask.any()
    # batched with an ordinary prompt: each image keeps its own answer, in order
    other = np.random.default_rng(1).integers(0, 255, (48, 80, 3), dtype=np.uint8)
    batch = segment_batch(seg, [other, image, other], ["heart", "the spot", "the spot"])
    assert [b.model_prompt for b in batch[:2]] == ["heart", present_one]
    alone = seg.segment(other, "the spot")
    assert batch[2].model_prompt == alone.model_prompt and np.allclose(batch[2].probability, alone.probability, atol=1e-5)
    assert np.allclose(batch[1].probability, r.probability, atol=1e-5)
    assert batch[0].mask.shape == (48, 80) and np.allclose(batch[0].probability, seg.segment(other, "heart").probability, atol=1e-5)
    # none present: the one nearest its threshold answers, with an empty mask
    model.record = _record(model, {present_one: min(1.0, peak[present_one] + 1e-4), absent_one: 1.0})
    seg = medvlseg.Segmenter(model, threshold=0.01)  # a Segmenter reads the record when it is made
    seg.resolver = _LeftToImage(("polyp", "skin lesion"))
    empty = seg.segment(image, "the spot")
    assert empty.model_prompt == present_one and not empty.mask.any()


@pytest.mark.parametrize("tta", ["none", "flip"])
def test_the_choice_is_made_once_on_a_plain_pass_then_sampled_and_augmented(tta):
    """A stochastic model with test-time augmentation: the text is chosen on one deterministic plain
    pass (the same answer with uncertainty on or off), then only that text is sampled."""
    import torch

    model = medvlseg.build_model("medclipseg", backbone="tiny").eval()
    image = np.random.default_rng(2).integers(0, 255, (40, 56, 3), dtype=np.uint8)
    plain = medvlseg.Segmenter(model, presence_threshold=0.0, resolve_prompts=False)
    peak = {p: plain.segment(image, p).present for p in ("polyp", "skin lesion")}
    model.record = _record(model, {"polyp": min(1.0, peak["polyp"] + 1e-4), "skin lesion": max(0.0, peak["skin lesion"] - 0.1)})
    seg = medvlseg.Segmenter(model, tta=tta)
    seg.resolver = _LeftToImage(("polyp", "skin lesion"))
    torch.manual_seed(0)
    sampled = seg.segment(image, "the spot", uncertainty=True, samples=4)
    again = seg.segment(image, "the spot")
    assert sampled.model_prompt == again.model_prompt == "skin lesion"
    assert sampled.entropy.shape == sampled.mask.shape == sampled.mutual_information.shape == (40, 56)
    batch = segment_batch(seg, [image, image], ["heart", "the spot"], uncertainty=True, samples=3)
    assert [b.model_prompt for b in batch] == ["heart", "skin lesion"] and batch[1].entropy.shape == (40, 56)


def test_a_names_only_model_refuses_a_prompt_that_names_its_target_as_something_else():
    """A model trained on names alone reads the name in "the healthy skin around the ulcer" and answers
    with the ulcer; the resolver knows the prompt asks for something else, so it is called absent."""
    names = PromptResolver(bag_of_words, TARGETS, min_similarity=0.999, names_only=True)
    for prompt in ("the healthy skin around the ulcer, excluding the ulcer itself", "the rib just below the left clavicle",
                   "no polyp in this frame", "the normal mucosa around the polyp, not the polyp itself",
                   "the normal surrounding skin only, leave out the mole"):
        res = names.resolve(prompt)
        assert res.refused and res.target is None, prompt
    for prompt in ("polyp", "Left Lung", "heart and left lung", "one small pink polyp in the upper left", "do not miss the small polyp",
                   "the spot"):
        assert not names.resolve(prompt).refused, prompt
    # what a second review found refused or lost: a request in a clause that holds it, plurals,
    # one negated target beside an asked one, fields that carry the target
    for prompt in ("segment the lungs", "Produce a mask that covers the heart", "outline the heart but not the left lung",
                   "Segment all pixels that belong to the left lung", "Quick question, which bone is the right clavicle?"):
        assert not names.resolve(prompt).refused, prompt
    from medvlseg.prompts.resolve import _expand

    assert _expand("{'type': 'polyp', 'modality': 'colonoscopy'}") == "polyp"
    assert _expand("{'modality': 'dermoscopy', 'view': 'PA'}") == "dermoscopy PA"  # nothing else to read
    # a model that reads sentences reads them itself
    assert not PromptResolver(bag_of_words, TARGETS, min_similarity=0.999).resolve("no polyp in this frame").refused


def test_the_segmenter_calls_a_refused_prompt_absent():
    model = medvlseg.build_model("clipseg", backbone="tiny").eval()
    image = np.random.default_rng(3).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    seg = medvlseg.Segmenter(model, threshold=0.01, presence_threshold=0.0)

    class Refusing:
        def resolve(self, prompt):
            return Resolution(prompt, prompt, None, refused="around" in prompt)

    seg.resolver = Refusing()
    assert seg.segment(image, "the skin").mask.any()  # everything is present at these thresholds
    r = seg.segment(image, "the skin around the ulcer")
    assert not r.mask.any() and r.model_prompt == "the skin around the ulcer" and seg.refuses("the skin around the ulcer")


def test_a_names_only_model_refuses_what_it_cannot_read(lite):  # noqa: F811
    """Decoys 14 and 15 through the model: a prompt that resolves to nothing went to a names-only
    model as written, and the model read its words ("mask all the intact, healthy skin of the foot
    and leave the diabetic foot ulcer out": the ulcer on 109 of 110 photographs; "the shiny white
    glare spots from the dermatoscope light": masks on 50). Now it is refused unless it is a name or
    asks for a target word; a pronoun request standing for something else is refused too."""
    names = PromptResolver(lambda texts: lite.text_features(texts), TARGETS, known_words=lite.tokenizer.get_vocab(),
                           names_only=True)
    for prompt in ("orchestra", "the shiny white glare spots from the dermatoscope light",
                   "mask all the intact, healthy skin of the foot and leave the diabetic foot ulcer out",
                   "the rib just below what seems to be the left clavicle", "the gauze dressing on the wound",
                   "Mask the fold instead of the polyp.", "Mask the fold rather than the polyp.",
                   "Forget the right lung for now. The tube that runs down the middle into the stomach, the NG tube, draw around that one.",
                   "Leave the cardiac silhouette alone. Just above and to the left of it sits the aortic knob; I want that contoured.",
                   "Mum's foot ulcer is on the outer edge. Her toenails are very thick and yellow though, can you highlight them?",
                   "See the polyp? Now look past it to the dark hole in the middle, the lumen. Mask that.",
                   "There's a shiny spot where the scope light hits the bowel wall. Mask it."):
        res = names.resolve(prompt)
        assert res.refused and res.target is None and not res.candidates, prompt
    for prompt, target in [("Polyp at 3 o'clock, lumen clear. Mask it.", "polyp"),
                           ("Segment the heart. There is a pacemaker too, outline it as well.", "heart"),
                           ("Diabetic ulcer on the heel, toes look fine, please outline it.", "foot ulcer"),
                           ("Is my collarbone broken? The rib looks fine. Show me the left one.", "left clavicle"),
                           ("Please note that the image is a bit dark. Segment the polyp.", "polyp"),
                           ("Never mind, just segment the polyp.", "polyp"), ("Forget the lungs, I only need the heart.", "heart"),
                           ("Leave the hairs out, just the mole please.", "skin lesion"),
                           ("Segment all pixels that belong to the left lung", "left lung"),
                           ("The left lung looks clear, show me the right one", "right lung")]:
        res = names.resolve(prompt)
        assert res.target == target and not res.refused, prompt
    # several targets, or a pair, go to the model as written: it reads target words
    for prompt in ("segment the lungs", "heart and left lung"):
        res = names.resolve(prompt)
        assert res.target is None and not res.refused, prompt
    # a name in other capitals goes as the name itself, whatever the text tower's casing (blind lists 154, 158: "RIGHT LUNG",
    # "HEART"); the name as it is written goes unchanged
    for prompt, target in (("Polyp", "polyp"), ("RIGHT LUNG", "right lung"), ("Heart.", "heart")):
        res = names.resolve(prompt)
        assert res.target == target and res.model_prompt == target and not res.refused, prompt
    res = names.resolve("polyp")
    assert res.target is None and res.model_prompt == "polyp" and not res.refused


def test_a_declined_mask_is_refused_for_a_model_that_reads_sentences():
    """"Just tell me yes or no, don't draw anything" asks for no mask whatever the model reads: the
    resolver refuses it (not only for names-only models) and the segmenter draws nothing, while the
    same model still draws for a request."""
    sentences = PromptResolver(bag_of_words, TARGETS, min_similarity=0.999)
    declined = "Is the heart enlarged? Just tell me yes or no, don't draw anything."
    assert sentences.resolve(declined).refused and not sentences.resolve("segment the heart").refused
    model = medvlseg.build_model("clipseg", backbone="tiny").eval()
    image = np.random.default_rng(4).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    seg = medvlseg.Segmenter(model, threshold=0.01, presence_threshold=0.0)
    seg.resolver = sentences
    assert seg.segment(image, "segment the heart").mask.any()  # everything is present at these thresholds
    r = seg.segment(image, declined)
    assert seg.refuses(declined) and not r.mask.any()
