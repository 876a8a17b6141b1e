"""Imaging modality (medvlseg.data.modality): what kind of picture a dataset holds, what kind a prompt
says its image is, recorded per target by training and read by the prompt resolver, which refuses a
target asked for in a kind of picture it was never trained on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medvlseg.data.dataset import SegmentationDataset
from medvlseg.data.modality import canonical, compatible, dataset_modality, kind_of, kinds_in_prompt, kinds_of, target_modalities
from medvlseg.models.record import ModelRecord
from medvlseg.prompts.resolve import PromptResolver

from test_engine import make_config, make_dataset
from test_prompt_resolve import TARGETS, bag_of_words


def test_kind_of_reads_the_words_datasets_and_users_write():
    cases = {"CT": "ct", "MR": "mri", "T2-weighted MRI": "mri", "chest radiographs (grey-scale)": "radiograph",
             "CXR": "radiograph", "wound photographs": "photograph", "dermoscopy": "dermoscopy",
             "colonoscopy, six centres": "colonoscopy", "nasal endoscopy": "nasal endoscopy", "echocardiogram": "ultrasound",
             "PET-CT": "nuclear medicine", "H&E histology": "histology", "plain words": None, "": None,
             # DICOM's Modality codes and MR sequences (nnU-Net's channel_names)
             "DX": "radiograph", "MG": "mammography", "T2": "mri", "ADC": "mri", "XC": "photograph", "photo": "photograph"}
    for text, kind in cases.items():
        assert kind_of(text) == kind, text
    assert kinds_of("CT and MRI") == {"ct", "mri"} and kind_of("CT and MRI") is None  # two kinds, both kept
    assert canonical(["CT", "radiograph"]) == {"ct", "radiograph"} and canonical(["CT", "holograms"]) is None
    # a kind's own words are no code besides ("fundus photograph" is no photograph too)
    assert kinds_of("fundus photograph") == {"fundus"} and kinds_of("CT, PT") == {"ct", "nuclear medicine"}


def test_compatible_kinds_are_one_kind_or_a_kind_of_the_other():
    assert compatible("endoscopy", "colonoscopy") and compatible("colonoscopy", "endoscopy")
    assert compatible("photograph", "dermoscopy") and compatible("dermoscopy", "photograph")
    assert compatible("tomography", "ct") and compatible("radiograph", "radiograph")
    assert not compatible("nasal endoscopy", "colonoscopy")  # siblings
    # a swallowed camera's frames are no colonoscope's, though both are endoscopies
    assert kind_of("wireless capsule endoscopy") == "capsule endoscopy" and kind_of("PillCam frame") == "capsule endoscopy"
    assert not compatible("capsule endoscopy", "colonoscopy") and compatible("endoscopy", "capsule endoscopy")
    # a short field after a comma, and a picture said by what was seen on it (not a history without a determiner)
    assert kinds_in_prompt("pressure sore on the sacrum, T2 MRI axial") == {"mri"}
    assert kinds_in_prompt("mask the polyp seen on gastroscopy in the gastric antrum") == {"upper gi endoscopy"}
    # (the body part the picture is of, between a bare "on" and the kind: "mole on chest x-ray")
    assert kinds_in_prompt("mole on chest x-ray") == {"radiograph"}
    assert kinds_in_prompt("mole on the chest") == set()
    assert kinds_in_prompt("melanoma on x-ray chest") == {"radiograph"}  # (Czech "na rentgenu hrudníku", word by word)
    assert kinds_in_prompt("the blotchy lesion on this skin scope picture") == {"dermoscopy"}
    assert kinds_in_prompt("the polyp on this scope image") == {"endoscopy"}
    assert kinds_in_prompt("Segment the right lung; mass seen on CT") == set()
    assert not compatible("ct", "mri") and not compatible("ct", "radiograph") and not compatible("ultrasound", "photograph")


def test_a_lateral_chest_film_is_no_frontal_one_but_either_is_a_radiograph():
    assert kinds_in_prompt("Outline the heart on a lateral chest film") == {"lateral radiograph"}
    assert kinds_in_prompt("right clavicle on the LATERAL chest film") == {"lateral radiograph"}
    assert kinds_in_prompt("heart on this PA film") == {"frontal radiograph"}
    assert kinds_in_prompt("PA and lateral chest x-ray: outline the heart on the PA view") == {"frontal radiograph", "lateral radiograph"}
    # "lateral" as a place, or a foot's view, is no film
    assert kinds_in_prompt("segment the lung lateral to the heart") == set()
    assert kinds_in_prompt("the ulcer on this lateral view of the foot") == set()
    # a lateral decubitus film is a frontal projection; a frontal image said beside a lateral one
    assert "lateral radiograph" not in kinds_in_prompt("Segment the right lung on this left lateral decubitus film.")
    assert "frontal radiograph" in kinds_in_prompt("Chest x-ray, lateral view available; segment the heart on the frontal image.")
    # a film of another part of the body is no chest film
    assert kinds_in_prompt("right clavicle on an AP shoulder radiograph") == {"other radiograph"}
    assert not compatible("other radiograph", "frontal radiograph") and not compatible("other radiograph", "photograph")
    r = PromptResolver(bag_of_words, TARGETS, min_similarity=0.3, min_margin=0.05,
                       modalities={**MODALITIES, **{t: ["frontal radiograph"] for t in RADIOGRAPHS}})
    for prompt in ("right clavicle on an AP shoulder radiograph", "draw the foot ulcer on this AP foot x-ray"):
        assert r.resolve(prompt).refused and r.resolve(prompt).target is None, prompt
    assert not compatible("lateral radiograph", "frontal radiograph")
    # a record that says only "radiograph" does not say which view: it accepts either
    assert compatible("lateral radiograph", "radiograph") and compatible("radiograph", "frontal radiograph")
    frontal = PromptResolver(bag_of_words, TARGETS, min_similarity=0.3, min_margin=0.05,
                             modalities={**MODALITIES, **{t: ["frontal radiograph"] for t in RADIOGRAPHS}})
    assert frontal.resolve("Outline the heart on a lateral chest film").refused
    assert "frontal radiograph" in frontal.resolve("Outline the heart on a lateral chest film").reason
    assert not frontal.resolve("outline the heart on this PA chest film").refused
    assert not frontal.resolve("PA and lateral chest x-ray: outline the heart on the PA view").refused
    assert PromptResolver(bag_of_words, TARGETS, min_similarity=0.3, min_margin=0.05,
                          modalities=MODALITIES).resolve("Outline the heart on a lateral chest film").refused is False


def test_kinds_in_prompt_reads_what_the_image_at_hand_is():
    said = {
        "Segment the left lung on this axial CT slice.": {"ct"},
        "Segment the heart on this short-axis cardiac MRI, LV and RV together": {"mri"},
        "um can you do the right lung on this lung ultrasound clip": {"ultrasound"},
        "the polyp in this nasal endoscopy image": {"nasal endoscopy"},
        "outline the mole in this dermoscopy photo": {"dermoscopy"},
        "modality: MRI, target: heart": {"mri"},
        "cardiac MRI short-axis cine: segment the heart and LV myocardium": {"mri"},  # a label before a colon
        "CT: segment the liver": {"ct"},
        "segment the polyp (colonoscopy frame)": {"colonoscopy"},
        "the heart on this CXR, compare with the prior CT": {"radiograph"},  # the prior CT is another picture
        "this is an x-ray, not a CT: segment the heart": {"radiograph"},
    }
    for prompt, kinds in said.items():
        assert kinds_in_prompt(prompt) == kinds, prompt
    for prompt in ("the patient had a CT last week; segment the right lung", "as seen on the previous CT, outline the heart",
                   "segment the polyp in the colon", "a slice of cake", "heart",
                   # a history, a plan or an aside names another picture
                   "Patient with CT-confirmed pneumonia, segment the right lung", "outline the left clavicle; CT scan showed a fracture",
                   "Segment the heart. Note: CT from 2019 was normal.", "the heart, ultrasound guided line placed",
                   "segment the polyp (histology pending)", "outline the heart, echo showed LVH",
                   "The CT images from last year showed a nodule; segment the right lung",
                   # any picture is a photo or a pic; the stomach has a fundus too; a polyp may be microscopic
                   "can you find the polyp in this pic", "outline the heart in this photo", "segment the polyp in the gastric fundus",
                   "find the tiny, almost microscopic polyp"):
        assert kinds_in_prompt(prompt) == set(), prompt
    assert kinds_in_prompt("right lung, CT") == {"ct"} and kinds_in_prompt("the mole in this clinical photo") == {"photograph"}
    # a patient's words for an endoscopy: the bowel's camera, a camera test
    assert kinds_in_prompt("find the growth in my colon camera picture") == {"colonoscopy"}
    assert kinds_in_prompt("they found a growth during the camera test") == {"endoscopy"}
    # ... said as what the patient had, and what "they showed him" after it is the picture at hand
    assert kinds_in_prompt("Dad had the camera up the back passage and they showed him this picture with a lump in it") == {"colonoscopy"}
    assert kinds_in_prompt("the colonoscopy showed a polyp last year; segment the heart on this film") == set()


def test_a_dataset_says_its_modality_by_manifest_column_dataset_json_or_its_published_name(tmp_path):
    assert dataset_modality(tmp_path / "jsrt") == {"frontal radiograph"} and dataset_modality(None, "PolypGen") == {"colonoscopy"}
    assert dataset_modality(tmp_path / "mine") == set()
    (tmp_path / "nn").mkdir()
    (tmp_path / "nn" / "dataset.json").write_text(json.dumps({"channel_names": {"0": "CT"}, "labels": {"background": 0}}))
    assert dataset_modality(tmp_path / "nn") == {"ct"}
    (tmp_path / "nn" / "dataset.json").write_text(json.dumps({"modality": "T1-weighted MR"}))
    assert dataset_modality(tmp_path / "nn") == {"mri"}

    # per row: a column beats the folder's name; a target one of whose pictures nobody named gets nothing
    ds = make_dataset(tmp_path / "jsrt", target="heart")
    rows = (ds / "manifest.csv").read_text().splitlines()
    (ds / "manifest.csv").write_text("\n".join([rows[0] + ",modality"] + [r + ",CT" for r in rows[1:]]) + "\n")
    other = make_dataset(tmp_path / "folder", target="liver")
    samples = [*SegmentationDataset.open(ds), *SegmentationDataset.open(other)]
    assert target_modalities(samples, {"jsrt": ds, "folder": other}) == {"heart": ["ct"]}
    plain = make_dataset(tmp_path / "kvasir", target="polyp")
    assert target_modalities(SegmentationDataset.open(plain), {"kvasir": plain}) == {"polyp": ["colonoscopy"]}


def test_the_record_carries_the_modalities_and_leaves_them_out_when_unknown():
    base = {"model": "unet", "image_size": 32, "image_mean": (0.5,) * 3, "image_std": (0.5,) * 3}
    rec = ModelRecord(**base, modalities={"Right Lung": ["Radiograph", "radiograph"]})
    assert rec.modalities == {"right lung": ["radiograph"]}
    header = json.loads(rec.to_header())
    assert ModelRecord.from_dict(header).modalities == rec.modalities
    # version 3: an older medvlseg, which has no field for them, says to upgrade
    assert header["format"] == "medvlseg-model/3"
    plain = json.loads(ModelRecord(**base).to_header())
    assert "modalities" not in plain and plain["format"] == "medvlseg-model/2"  # as older versions wrote it
    with pytest.raises(Exception, match="upgrade medvlseg"):
        ModelRecord.from_dict({**header, "format": "medvlseg-model/9"})


def test_training_records_each_targets_modality(tmp_path):
    pytest.importorskip("lightning")
    from medvlseg.checkpoints import resolve_model
    from medvlseg.engine.train import train

    data = make_dataset(tmp_path / "ph2", target="skin lesion")  # a published dataset, by its name
    run = train(make_config(data, tmp_path / "runs", "optim.epochs=1"), progress=False)
    assert resolve_model(run)[0].record.modalities == {"skin lesion": ["dermoscopy"]}
    assert json.loads((Path(run) / "metadata.json").read_text())["record"]["modalities"] == {"skin lesion": ["dermoscopy"]}


RADIOGRAPHS = {t: ["radiograph"] for t in ("left lung", "right lung", "left clavicle", "right clavicle", "heart")}
MODALITIES = {"foot ulcer": ["photograph"], "skin lesion": ["dermoscopy"], "polyp": ["colonoscopy"], **RADIOGRAPHS}


def test_a_target_asked_for_in_a_picture_it_was_never_trained_on_is_refused():
    r = PromptResolver(bag_of_words, TARGETS, min_similarity=0.3, min_margin=0.05, modalities=MODALITIES)
    for prompt in ("Segment the left lung on this axial CT slice.", "the heart in this short-axis cardiac MRI",
                   "the polyp in this nasal endoscopy image", "outline the foot ulcer on this x-ray",
                   "find and mask the polyp in this capsule endoscopy frame",
                   "Segmentez le cœur sur cette échographie cardiaque"):  # (an echo, said in French)
        found = r.resolve(prompt)
        assert found.refused and found.target is None and "trained on" in found.reason, prompt
    for prompt in ("the left lung on this chest x-ray", "the polyp in this endoscopy frame", "the skin lesion in this photo",
                   "the left lung (the prior CT showed a nodule)", "Patient with CT-confirmed pneumonia, segment the right lung",
                   "the heart in this pic"):
        found = r.resolve(prompt)
        assert not found.refused and found.reason is None, prompt
    # without a record of the kinds, a target named outright is read on any picture, as before
    unknown = PromptResolver(bag_of_words, TARGETS, min_similarity=0.3, min_margin=0.05)
    assert not unknown.resolve("Segment the left lung on this axial CT slice.").refused


def test_a_findings_everyday_word_on_a_picture_of_another_targets_kind_is_that_target():
    r = PromptResolver(bag_of_words, TARGETS, min_similarity=0.3, min_margin=0.05, modalities=MODALITIES)
    # "lesion" is the skin lesion's alias and a polyp's everyday word: in a colonoscopy frame, the polyp
    assert r.resolve("Segment the lesion in this colonoscopy frame").target == "polyp"
    for prompt in ("segment the lesion on this chest x-ray", "outline the lesion on this MRI", "the mole in this colonoscopy frame"):
        assert r.resolve(prompt).refused and r.resolve(prompt).target is None, prompt


def test_a_model_trained_on_ct_reads_its_target_on_a_ct_and_refuses_it_on_a_radiograph():
    r = PromptResolver(bag_of_words, ["right lung", "left lung"], min_similarity=0.3, min_margin=0.05,
                       modalities={"right lung": ["ct"], "left lung": ["ct"]})
    assert not r.resolve("the right lung on this axial CT slice").refused
    assert r.resolve("the right lung on this chest x-ray").refused


def test_resolver_for_and_the_segmenter_read_the_records_modalities(monkeypatch):
    import medvlseg
    from medvlseg.prompts.resolve import resolver_for
    from medvlseg.segmenter import Segmenter

    model = medvlseg.build_model("medclipseg", backbone="tiny-lite")
    model.record.targets, model.record.modalities = ["right lung", "heart"], {"right lung": ["radiograph"], "heart": ["radiograph"]}
    monkeypatch.setattr(model.backbone, "weight_source", "pip:stand-in", raising=False)
    r = resolver_for(model)
    assert r.resolve("the right lung on this axial CT slice").refused
    assert not r.resolve("the right lung on this chest x-ray").refused
    seg = Segmenter(model)
    assert "radiograph" in seg.refusal_reason("the heart in this cardiac MRI") and seg.refuses("the heart in this cardiac MRI")
    assert seg.refusal_reason("the heart on this PA chest film") is None


def test_calibrate_fills_the_modalities_of_a_run_trained_before_they_were_recorded(tmp_path):
    pytest.importorskip("lightning")
    from medvlseg.checkpoints import resolve_model
    from medvlseg.engine.calibrate import recalibrate_run
    from medvlseg.engine.train import train

    data = make_dataset(tmp_path / "mine", target="liver")
    run = train(make_config(data, tmp_path / "runs", "optim.epochs=1"), progress=False)
    assert resolve_model(run)[0].record.modalities == {}  # nobody said what the pictures were
    rows = (data / "manifest.csv").read_text().splitlines()
    (data / "manifest.csv").write_text("\n".join([rows[0] + ",modality"] + [r + ",CT" for r in rows[1:]]) + "\n")
    recalibrate_run(run, tmp_path / "again")
    assert resolve_model(tmp_path / "again")[0].record.modalities == {"liver": ["ct"]}


def test_the_resolver_keys_kinds_by_class_and_ignores_what_it_cannot_read():
    # a manifest's "wound" is the foot ulcer: its kinds are the class's
    r = PromptResolver(bag_of_words, ["wound", "polyp"], min_similarity=0.3, min_margin=0.05,
                       modalities={"wound": ["photograph"], "polyp": ["colonoscopy"]})
    assert r.resolve("the foot ulcer on this x-ray").refused
    # a kind no one knows (a newer version's, a hand-edited record) leaves that target to the words
    r = PromptResolver(bag_of_words, ["right lung"], min_similarity=0.3, min_margin=0.05, modalities={"right lung": ["hologram"]})
    assert not r.resolve("the right lung on this axial CT slice").refused
    # two names of one class: both must say, and both kinds count
    r = PromptResolver(bag_of_words, ["wound", "foot ulcer"], min_similarity=0.3, min_margin=0.05,
                       modalities={"wound": ["photograph"]})
    assert not r.resolve("the foot ulcer on this x-ray").refused
    r = PromptResolver(bag_of_words, ["wound", "foot ulcer"], min_similarity=0.3, min_margin=0.05,
                       modalities={"wound": ["photograph"], "foot ulcer": ["radiograph"]})
    assert not r.resolve("the foot ulcer on this x-ray").refused and r.resolve("the foot ulcer on this MRI").refused


def test_a_folder_dataset_is_recorded_under_its_class(tmp_path):
    from medvlseg.engine.data import class_name

    data = make_dataset(tmp_path / "fuseg")  # target column "target": the folder names the class
    samples = SegmentationDataset.open(data)
    assert target_modalities(samples, {"fuseg": data}, class_name) == {"foot ulcer": ["photograph"]}


def test_the_segmenter_answers_a_target_on_another_kind_of_picture_with_an_empty_mask():
    """End to end: the same structure on the kind of picture the model was trained on gets a mask, on
    another kind an empty one, reported refused with the reason."""
    import numpy as np

    import medvlseg
    from medvlseg.predict import segment_prompts

    model = medvlseg.build_model("clipseg", backbone="tiny").eval()
    image = np.random.default_rng(3).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    seg = medvlseg.Segmenter(model, threshold=0.01, presence_threshold=0.0)  # everything is present at these thresholds
    seg.resolver = PromptResolver(bag_of_words, TARGETS, min_similarity=0.3, min_margin=0.05, modalities=MODALITIES)
    same, other = "the heart on this chest x-ray", "the heart in this short-axis cardiac MRI"
    (r_same, row_same), (r_other, row_other) = segment_prompts(seg, image, [same, other])
    assert r_same.mask.any() and not row_same["refused"] and row_same["refused_because"] is None
    assert not r_other.mask.any() and row_other["refused"] and "radiograph" in row_other["refused_because"]
    assert not row_other["called_present"]


def test_a_scope_frame_and_an_archive_name_say_the_picture_and_keep_the_candidates_it_can_show():
    assert kinds_of("this scope frame") == {"endoscopy"} and kinds_of("microscope image") != {"endoscopy"}
    assert kinds_of("ISIC-style image") == {"dermoscopy"} and kinds_of("a Kvasir-SEG frame") == {"colonoscopy"}
    r = PromptResolver(bag_of_words, TARGETS, min_similarity=0.3, min_margin=0.05,
                       modalities={**MODALITIES, **{t: ["frontal radiograph"] for t in RADIOGRAPHS}})
    # a word two targets share ("growth": a polyp, a skin lesion) on a picture only one of them is seen in
    found = r.resolve("the growth in this image")
    assert found.target is None and {"polyp", "skin lesion"} <= set(found.candidates)
    assert r.resolve("the growth in this scope frame").target == "polyp"
    assert r.resolve("ISIC-style image, need a binary mask of the lesion vs surrounding skin").target == "skin lesion"
    # a target's head word said as many, on a picture none of those targets was trained on
    for prompt in ("both lungs on an axial CT scan", "the clavicles on a lateral chest film"):
        found = r.resolve(prompt)
        assert found.refused and found.target is None and "frontal radiograph" in found.reason, prompt
    assert not r.resolve("the lungs on this chest film").refused


def test_a_kind_said_after_on_with_no_article_and_ct_colonography_are_pictures_of_their_kind():
    # (decoys 36: "polyp on CT colonography segment it" was read as the polyp)
    assert kinds_in_prompt("polyp on CT colonography segment it") == {"ct"}
    assert kinds_in_prompt("outline the heart on CT") == {"ct"}
    assert kinds_in_prompt("the virtual colonoscopy image, segment the polyp") == {"ct"}
    assert kinds_in_prompt("segment the polyp in colonoscopy") == {"colonoscopy"}
    # a history, not the picture at hand
    assert kinds_in_prompt("mass seen on CT, segment the lung on this x-ray") == {"radiograph"}
    assert kinds_in_prompt("segment the lung based on CT findings") == set()
    for history in ("Segment the left lung; the effusion was worse on CT", "Outline the polyp; it measured 8 mm on CT colonography",
                    "Polyp also on CT colonography - segment it in this frame", "Segment the left lung, same patient as in MRI yesterday"):
        assert kinds_in_prompt(history) == set(), history
    assert kinds_in_prompt("Polyp previously on CT colonography, now segment it on this colonoscopy image") == {"colonoscopy"}
    r = PromptResolver(bag_of_words, TARGETS, min_similarity=0.3, min_margin=0.05,
                       modalities={**MODALITIES, **{t: ["frontal radiograph"] for t in RADIOGRAPHS}})
    for prompt in ("polyp on CT colonography segment it", "outline the heart on CT"):
        found = r.resolve(prompt)
        assert found.refused and found.target is None, prompt
    assert not r.resolve("segment the polyp in colonoscopy").refused
    # (decoys 38: "clavicle fracture on the shoulder CT" was passed on as written) a twin's word with no side
    # names both twins, neither trained on CT
    for prompt in ("clavicle fracture on the shoulder CT, 3D reconstruction", "segment the lung on this MRI"):
        found = r.resolve(prompt)
        assert found.refused and found.target is None and "frontal radiograph" in found.reason, prompt
    assert not r.resolve("segment the clavicle on this chest x-ray").refused


def test_an_archive_style_chooses_the_target_a_word_means_and_refuses_none_named():
    # (list 43: "ISIC-style binary lesion mask" was passed on as written); the style chooses among what a word
    # may mean and never refuses a target named ("save the right lung mask in ISIC-style binary PNG")
    r = PromptResolver(bag_of_words, TARGETS, min_similarity=0.3, min_margin=0.05, names_only=True,
                       modalities={**MODALITIES, **{t: ["frontal radiograph"] for t in RADIOGRAPHS}})
    assert r.resolve("ISIC-style binary lesion mask").target == "skin lesion"
    for prompt, target in (("save the right lung mask in ISIC-style binary PNG", "right lung"), ("Kvasir-format mask for the skin lesion", "skin lesion")):
        assert r.resolve(prompt).target == target, prompt
    # (only where nothing else is said: glare, a ruler, a word of several targets' findings)
    for prompt in ("ISIC-style image, mask the ruler", "dermoscopy image, no lesion here",
                   "the bright spots of glare from the dermoscope light", "paper ruler in the wound photo, need its pixels for calibration"):
        assert r.resolve(prompt).target is None, prompt


def test_a_kind_said_first_with_three_words_before_a_comma_is_a_field():
    # (decoys 40, dictated: "CT of the chest comma segment the left clavicle period" was read as the clavicle)
    assert kinds_in_prompt("CT of the chest, segment the left clavicle.") == {"ct"}
    assert kinds_in_prompt("lung ultrasound, segment the left lung") == {"ultrasound"}
    r = PromptResolver(bag_of_words, TARGETS, min_similarity=0.3, min_margin=0.05,
                       modalities={**MODALITIES, **{t: ["frontal radiograph"] for t in RADIOGRAPHS}})
    for prompt in ("CT of the chest comma segment the left clavicle period", "chest CT comma outline the right lung full stop"):
        found = r.resolve(prompt)
        assert found.refused and found.target is None and "ct" in found.reason, prompt
    # (a history after the kind is still no field of this picture)
    for history in ("CT done last year, segment the left clavicle", "CT of the chest from 2019, segment the left clavicle"):
        assert "ct" not in kinds_in_prompt(history), history
    # (a review: four words before the comma)
    assert kinds_in_prompt("MRI of the left knee, segment the left clavicle") == {"mri"}


def test_a_pic_and_a_skin_image_are_pictures_of_their_kind():
    """(blind lists 102 and 107) "pic" is a word for a picture, whatever follows its kind ("dermoscopy pic of a changing
    mole on upper back"), and a skin or foot image is a photograph."""
    assert kinds_in_prompt("dermoscopy pic of a changing mole on upper back, outline the lesion border") == {"dermoscopy"}
    assert kinds_in_prompt("Could you do that for this skin image?") == {"photograph"}
    assert kinds_in_prompt("outline the ulcer on this foot image") == {"photograph"}
    assert kinds_in_prompt("the image of the skin around it") == set()

