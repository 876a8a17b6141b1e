"""A request written as data (medvlseg.prompts.fields): each form parsed by its own parser, each field read by its role."""

from __future__ import annotations

import pytest

from medvlseg.prompts.fields import FieldReading, read_fields


@pytest.mark.parametrize(("prompt", "sentence"), [
    # JSON and Python literals: the asked field, its side, what is left out, where the picture comes from
    ('{"task": "segment", "target": "right_lung"}', "segment the right lung"),
    ("{'organ': 'clavicle', 'side': 'patient_left'}", "segment the patient's left clavicle"),
    ('{"structure": "lung", "laterality": "image_right"}', "segment the patient's left lung"),
    ('{"target": "stool residue", "modality": "colonoscopy", "exclude": ["polyp"]}',
     "segment the stool residue, not the polyp, on this colonoscopy"),
    ('{"resourceType": "ServiceRequest", "status": "active", "code": {"text": "Segment heart"}}', "Segment heart"),
    # a query string, its escapes undone
    ("GET /api/v2/segment?target=foot%20ulcer&format=png&patient_id=88213", "segment the foot ulcer"),
    ("structure=clavicle&side=R&modality=CXR", "segment the patient's right clavicle, on this cxr"),
    # form or YAML lines: a task said as a sentence, an earlier target and a comment no part of it, notes unread
    ("Study: wound clinic photo\nModality: digital camera (RGB)\nTask: outline the ulcer on the sole\nNotes: pt diabetic, exclude toenails",
     "outline the ulcer on the sole, on this wound clinic photo"),
    ("task: segmentation\ntarget: ulcer  # diabetic foot\nprevious_target: skin lesion\noutput: rle", "segment the ulcer"),
    ("Study: CXR PA\nTask: heart mask for CTR calculation\nNotes: sternal wires present, ignore",
     "segment the heart mask for CTR calculation, on this CXR PA"),
    # a call: its strings by position and its keywords
    ("seg_cxr(img, 'clavicle', side='L')", "segment the patient's left clavicle"),
    ('mask = model.predict(img, text="left lung")', "segment the left lung"),
    # a slash command: its words before the flags
    ("/segment suspected melanoma --src dermoscopy_0193.jpg", "segment suspected melanoma"),
    # fields named in other languages, a list left out split at its commas, "Region of interest", a request field
    ("Bildtyp: Fußfoto (Diabetiker)\nZielstruktur: Ulkus am Fußballen\nAusschließen: Hornhaut, Maßband\nAusgabe: Binärmaske",
     "segment the Ulkus am Fußballen, not the Hornhaut or the Maßband"),
    ("Region of interest: right lung\nExclude: heart, left lung\nFormat: PNG 1024x1024", "segment the right lung, not the heart or the left lung"),
    ("Requester: Dr. Okafor\nPrevious request: left lung (done)\nCurrent request: heart outline on image 3",
     "segment the heart outline on image 3"),
    ("目标：右肺\n图像：cxr_501.png", "segment the 右肺"),
    # nested YAML: each item's target, an item whose state says it is done no part of the request
    ("targets:\n  - right clavicle\n  - left clavicle\nimage: cxr_330.png", "segment the right clavicle and the left clavicle"),
    ("jobs:\n  - target: skin lesion\n    status: completed\n  - target: polyp\n    status: queued", "segment the polyp"),
    # a CSV table with a target column: every row's; a loop over values: each put in its template
    ("image,target\nISIC_001.jpg,skin lesion\ncolo_03_0101.png,polyp", "segment the skin lesion and the polyp"),
    ('for side in ["left", "right"]:\n    segment(img, f"{side} lung")', "segment the left lung and the right lung"),
    # key=value pairs set apart by spaces; a log line that queues a run asks for it
    ("target=callus image=dfu_33.jpg", "segment the callus"),
    ("[INFO] 2024-05-02T10:11:09Z req=aa91 op=segment target=clavicle_right status=queued", "segment the clavicle right"),
    # a program's panel of fields on one line; its model named by what it segments where no target field is given
    ("Model: colon polyp | Output: mask | Frame 212", "segment the colon polyp"),
    ("Target: heart | Model: medclipseg", "segment the heart"),
])
def test_a_request_written_as_data_is_read_as_its_sentence(prompt, sentence):
    assert read_fields(prompt) == FieldReading(sentence)


@pytest.mark.parametrize(("prompt", "why"), [
    ('{"task": "segment", "target": null, "exclude": ["heart", "left_lung"]}', "no target"),
    ("exclude: [foot ulcer, skin lesion, polyp]\ntarget: ~", "no target"),
    ("enabled: false\ntarget: right_lung\nreason: request withdrawn by radiologist", "switched off"),
    ('{"resourceType": "ServiceRequest", "status": "revoked", "code": {"text": "Segment heart"}}', "no longer stands"),
    ("ORC|CA|ORD5521||SEG^CXR segmentation||||target=LEFT LUNG|status=CANCELLED", "control code 'CA'"),
    ('{"target": "polyp", "dry_run": true}', "dry run"),
    ("Ticket #9921\nStudy: foot photo\nTask: grade the wound (Wagner scale)\nNotes: no outline required", "task 'grade"),
    ("classify_lesion(img, 'mole')", "asks for no mask"),
    ("[WARN] queue empty; last_target=right_clavicle; no pending requests", "log line"),
    ("fix(seg): rename left_clavicle -> clavicle_left in config schema", "commit message"),
    ("ERROR 2024-05-01 12:03:11 seg-worker[311]: target 'right clavicle' failed: FileNotFoundError cxr_88.png", "log line"),
    ("jobs:\n  - target: skin lesion\n    status: completed\n  - target: polyp\n    status: completed", "asked before"),
    ("Structure: heart\nAction: delete existing mask\nReason: wrong patient ID", "task 'delete"),
    ("Request: cancelled\nStructure: heart", "no longer stands"),
    ("2024-03-02 14:22:10 INFO segmentation finished target=polyp dice=0.91", "log line"),
    ('{"target": "left lung", "cancelled": true}', "cancelled"),
    ("target: heart\nstatus: done\nnote: report only, no action", "done already"),
    ("image,target,status\ncxr_9.png,right lung,completed", "asked before"),
    ("/cancel heart", "'/cancel'"),
    ("?action=status&target=heart", "task 'status'"),
    ('{"target": "right clavicle", "run_at": "tomorrow 09:00", "image": "not yet uploaded"}', "not at hand"),
    ("Model: wound | Output: area in cm²", "output asked is no mask"),
    ("target: foot ulcer\noutput: Wagner grade", "output asked is no mask"),
])
def test_fields_that_ask_for_no_mask_say_why(prompt, why):
    found = read_fields(prompt)
    assert found is not None and found.sentence is None and why in found.refusal, found


@pytest.mark.parametrize("prompt", [
    "segment the left lung", "Task: segment the polyp", "ratio=0.5, segment the heart", "{not json at all", "heart | lungs",
    "./segment --image cxr_0087.png --target clavicle_left --laterality patient",  # (a command line: the resolver's own reading)
    "{'a': __import__('os').system('echo unsafe')}",  # (never evaluated: no literal, no fields)
])
def test_anything_else_is_left_to_the_resolver(prompt):
    assert read_fields(prompt) is None


def test_a_call_is_parsed_never_run(tmp_path):
    marker = tmp_path / "ran"
    read_fields(f"open({str(marker)!r}, 'w')")
    read_fields(f"{{'x': open({str(marker)!r}, 'w')}}")
    assert not marker.exists()
