"""Imaging modality: what kind of picture a dataset holds, and what kind a prompt says its image is.

A model knows its targets by name, but a name does not say where it was learnt: a "right lung"
trained on chest radiographs says nothing of a CT slice, a "polyp" trained on colonoscopy nothing
of a nasal endoscopy. The trainer records, per target, the modalities of the data it was trained
on (:attr:`medvlseg.models.record.ModelRecord.modalities`), and the prompt resolver refuses a
prompt that places its target in a picture of another kind ("Segment the left lung on this axial
CT slice"), while a user's own CT-trained "right lung" is read there.

A dataset's modality comes from, first found:

1. a ``modality`` column of its ``manifest.csv`` (per row: a mixed dataset may hold several), or a
   DICOM series' own Modality tag (``Sample.meta["modality"]``, :func:`medvlseg.data.io.read_volume`);
2. ``modality`` in a ``dataset.json`` beside it (a string, or nnU-Net's ``{"0": "CT"}``; nnU-Net v2's
   ``channel_names`` too);
3. the name of a published dataset (:data:`KNOWN_DATASETS`: ``jsrt`` is chest radiographs).

Anything else has no recorded modality, and the resolver then judges by words alone.

Kinds are canonical names (:data:`KINDS`); some have a parent they are a kind of ("colonoscopy" is an
"endoscopy", "dermoscopy" a "photograph", "ct" a "tomography"). Two kinds are compatible when one is
the other or an ancestor of it: "this endoscopy frame" may be a colonoscopy, "this gastroscopy" is not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .dataset import Sample

__all__ = ["CODES", "KINDS", "KNOWN_DATASETS", "canonical", "compatible", "dataset_modality", "kind_of", "kinds_in_prompt", "kinds_of",
           "target_modalities"]

# kind -> (parent kind or None, the words and phrases that name it; regular expressions, lower case)
KINDS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    # (a bare "photo" or "pic" is any picture: "outline the heart in this photo" of a screen)
    "photograph": (None, (r"(?:clinical|wound|digital|colou?r|skin|foot)\s+(?:photo(?:graph)?|pic(?:ture)?)s?", r"(?:skin|foot)\s+images?", r"photographic",
                          # ("on this photo of a diabetic foot")
                          r"(?:photo(?:graph)?|pic(?:ture)?)s?\s+of\s+(?:a\s+|the\s+|his\s+|her\s+|my\s+)?(?:diabetic\s+)?(?:foot|feet|heel|toes?|sole|skin)",
                          r"selfies?", r"(?:smart)?phone\s+(?:image|picture|photo|pic|snap)s?", r"camera\s+phone")),
    "dermoscopy": ("photograph", (r"derm[ao]?t?oscop(?:y|ic|es?)", r"dermoscop(?:y|ic|es?)", r"dermatoscop(?:y|ic|es?)",
                                  # (as a lay person says it: "this skin scope picture")
                                  r"skin[\s-]?scope(?:\s+(?:frames?|images?|views?|pictures?|pics?|photos?|shots?))?",
                                  # ("from the skin doctors scope picture", "the dermatologist's scope photo")
                                  r"(?:skin\s+doctor|dermatologist|derm)(?:['\u2019]?s|s['\u2019]?)?\s+(?:magnifying\s+)?scope(?:\s+(?:frames?|images?|views?|pictures?|pics?|photos?|shots?))?",
                                  r"epiluminescence(?:\s+microscopy)?",
                                  # (the dermoscopy archives: "an ISIC-style image", "PH2 IMD002 GT lesion boundary")
                                  r"isic(?:\s*20\d\d)?", r"ham\s*10000", r"ph2(?![.\d])", r"ph\u00b2", r"derm7pt")),
    # ("this scope frame": an endoscope's; not a microscope's, a word of its own)
    "endoscopy": (None, (r"endoscop(?:y|ic|es?)", r"(?<!skin\s)(?<!skin-)(?:endo)?scope\s+(?:frames?|images?|views?|pictures?|stills?|videos?|shots?|footage)",
                         # (as a patient says it: "during the camera test", "the tube camera")
                         r"camera\s+(?:test|exam|examination|check|procedure)s?", r"tube\s+camera",
                         # ("on the camera pictures from his bowel test", "the camera video from inside the gut")
                         r"camera\s+(?:pictures?|pics?|photos?|images?|videos?|footage|shots?|stills?)\s+(?:from|of)\s+(?:inside\s+)?(?:the\s+|his\s+|her\s+|my\s+|their\s+)?"
                         r"(?:bowels?|guts?|colon|intestines?|tummy|stomach)(?:\s+(?:test|exam|check))?")),
    # (a swallowed camera's frames: another optic, light and resolution than a colonoscope's)
    "capsule endoscopy": ("endoscopy", (r"(?:video\s+|wireless\s+)?capsule\s+endoscop(?:y|ic|es?)", r"vce", r"pillcam",
                                        r"(?:video|wireless|endoscopy)\s+capsules?")),
    # (and the colonoscopy archives: "PolypGen GT polyp", "CVC-ColonDB frame")
    "colonoscopy": ("endoscopy", (r"colonoscop(?:y|ic|es?)", r"kvasir(?:[\s-]seg)?", r"cvc[\s-]?(?:clinic\s?db|colon\s?db|300|612)", r"polypgen",
                                  r"etis(?:[\s-]larib)?", r"endoscene", r"coloscop(?:y|ic|es?)", r"sigmoidoscop(?:y|ic|es?)",
                                  r"lower\s+gi\s+endoscopy",
                                  # (as a patient says it: "the camera up his bowel", "my bowel camera test")
                                  r"camera\s+(?:(?:test|exam|examination|check|procedure)\s+)?(?:up|in|inside|into|through)\s+(?:my|his|her|the|their|your)\s+(?:bowels?|colon|intestines?|gut|bum|bottom|backside|rear\s+end|back\s+passage)",
                                  r"(?:bowel|colon|bum|bottom|butt|gut)[\s-]+camera(?:\s+(?:test|exam|examination|check|procedure|video|pictures?|photos?|pics?))?",
                                  # (a frame said by where in the colon it was taken: "NBI frame from the descending colon")
                                  r"(?:(?:nbi|narrow[\s-]band|white[\s-]light)\s+)?(?:frames?|stills?|views?)\s+from\s+(?:inside\s+)?the\s+"
                                  r"(?:(?:ascending|descending|transverse|sigmoid|right|left|proximal|distal)\s+)?(?:colon|rectum|caecum|cecum)")),
    "upper gi endoscopy": ("endoscopy", (r"gastroscop(?:y|ic|es?)", r"egd", r"o?esophagogastroduodenoscop(?:y|ic|es?)",
                                         r"upper\s+(?:gi\s+)?endoscop(?:y|ic|es?)")),
    "nasal endoscopy": ("endoscopy", (r"nasal\s+endoscop(?:y|ic|es?)", r"nasendoscop(?:y|ic|es?)", r"rhinoscop(?:y|ic|es?)",
                                      r"sinus\s+endoscop(?:y|ic|es?)", r"sinonasal\s+endoscop(?:y|ic|es?)")),
    "bronchoscopy": ("endoscopy", (r"bronchoscop(?:y|ic|es?)",)),
    "cystoscopy": ("endoscopy", (r"cystoscop(?:y|ic|es?)",)),
    "laryngoscopy": ("endoscopy", (r"laryngoscop(?:y|ic|es?)",)),
    "arthroscopy": ("endoscopy", (r"arthroscop(?:y|ic|es?)",)),
    "radiograph": (None, (r"x[\s-]?rays?", r"radiographs?", r"radiographic", r"cxrs?", r"(?:chest|plain|lung)\s*films?", r"chest(?:x-?rays?|xrays?)")),
    # the view of a chest film: a model trained on frontal films has never seen a lateral one (a
    # record that says only "radiograph" accepts either)
    "frontal radiograph": ("radiograph", (r"(?:pa|ap|frontal|posteroanterior|postero-anterior|anteroposterior|antero-posterior)\s+"
                                          r"(?:chest\s+|upright\s+|erect\s+|supine\s+)?(?:films?|radiographs?|x[\s-]?rays?|cxrs?|projections?)",
                                          r"(?:pa|ap|frontal)\s+(?:views?|images?|pictures?)",
                                          # (the part before its view, as a file or an order names it: "chest_pa_033.png", "CHEST PA")
                                          r"chest\s+(?:pa|ap)(?![\w-])",
                                          # (the film called by its view and part alone: "foot ulcer on the PA chest")
                                          r"(?:pa|ap)\s+chest\b(?![\s-]+(?:films?|radiographs?|x[\s-]?rays?|cxrs?|"
                                          r"projections?|views?|images?|pictures?|wall|tubes?|drains?)\b)")),
    "lateral radiograph": ("radiograph", (r"(?:lateral|lat)\s+(?:chest\s+)?(?:films?|radiographs?|x[\s-]?rays?|cxrs?)",
                                          r"lateral\s+chest\s+(?:views?|projections?)", r"(?:chest\s+)?(?:x[\s-]?ray|radiograph|film|cxr)\s*,?\s+lateral\s+(?:view|projection)")),
    # a film of another part of the body ("AP shoulder radiograph", "foot x-ray"): no chest film
    "other radiograph": ("radiograph", (r"(?:(?:ap|pa|lateral|oblique)\s+)?(?:shoulder|knee|hand|wrist|elbow|ankle|hip|pelvi[cs]|skull|spine|"
                                        r"lumbar|cervical|abdomen|abdominal|foot|feet|femur|tibia|humerus|forearm)\s+(?:x[\s-]?rays?|radiographs?|films?)",)),
    "mammography": (None, (r"mammo(?:gram|graphy|graphic)s?",)),
    "angiography": (None, (r"angiogra(?:m|ms|phy|phic)", r"fluoroscop(?:y|ic|es?)", r"dsa")),
    "tomography": (None, (r"(?:axial|coronal|sagittal|transverse|short[\s-]axis|long[\s-]axis)\s+(?:slices?|sections?|cuts?|views?)",
                          r"tomograph(?:y|ic)")),
    "ct": ("tomography", (r"ct", r"cta", r"hrct", r"cbct", r"computed\s+tomography", r"cat\s+scans?",
                          r"ct\s+colonograph(?:y|ic)", r"virtual\s+colonoscop(?:y|ic|ies)")),
    "mri": ("tomography", (r"mri", r"mr\s+(?:image|scan|slice)s?", r"magnetic\s+resonance", r"t[12][\s-]?(?:weighted|w)",
                           r"flair", r"cine\s+(?:mr|mri)")),
    "ultrasound": (None, (r"ultrasounds?", r"ultrasonograph(?:y|ic)", r"sonograms?", r"sonograph(?:y|ic)",
                          r"echo(?:cardiogram|cardiography)?s?", r"doppler",
                          # (as the Romance languages spell it: "la ecocardiografía", "the ecocardiography of yesterday")
                          r"ecocardiogra(?:m|ms|phy|fia|f\u00eda|fie|mma|mme)s?")),
    "nuclear medicine": (None, (r"pet[\s/-]?ct", r"pet\s+(?:scan|image|slice|study)s?", r"fdg[\s-]pet", r"spect", r"scintigra(?:m|phy)", r"bone\s+scan")),
    "histology": (None, (r"histolog(?:y|ical)", r"histopatholog(?:y|ical)", r"microscop(?:y|es?)", r"micrographs?",
                         r"h\s*&\s*e", r"whole[\s-]slide\s+images?", r"wsi", r"(?:biopsy|pathology|glass)\s+slides?")),
    "fundus": (None, (r"fundus\s+(?:photo(?:graph)?|image|picture|camera)s?", r"fundoscop(?:y|ic|es?)", r"ophthalmoscop(?:y|ic|es?)", r"retinal\s+(?:photo|image|picture)s?")),
    "thermography": (None, (r"thermal\s+(?:\(?flir\)?\s+)?(?:image|photo|photograph|camera|picture|scan)s?", r"thermograph(?:y|ic|s)?",
                            r"thermograms?", r"infrared\s+(?:image|photo|camera|picture)s?", r"flir")),
    "oct": (None, (r"oct\s+(?:scan|image|b-scan|slice|volume)s?", r"optical\s+coherence\s+tomography")),
}

# published datasets by the name of their folder (lower case), for data without a modality column
KNOWN_DATASETS: dict[str, str] = {
    **dict.fromkeys(("fuseg", "medetec", "azh", "dfuc", "dfuc2021", "dfuc2022"), "photograph"),
    **dict.fromkeys(("ph2", "isic", "isic2016", "isic2017", "isic2018", "ham10000"), "dermoscopy"),
    **dict.fromkeys(("polypgen", "kvasir", "kvasir-seg", "cvc-clinicdb", "cvc-colondb", "etis", "etis-larib", "bkai",
                     "bkai-igh"), "colonoscopy"),
    # (the chest-film sets are frontal films: posteroanterior, a few anteroposterior)
    **dict.fromkeys(("jsrt", "scr", "montgomery", "shenzhen", "qata-cov19", "chestx-det"), "frontal radiograph"),
}

_WORDS = {kind: re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE) for kind, (_, words) in KINDS.items()}
# longest patterns first, so that "nasal endoscopy" is read before "endoscopy"
_ANY = re.compile(r"\b(?:" + "|".join(sorted((w for _, ws in KINDS.values() for w in ws), key=len, reverse=True)) + r")\b",
                  re.IGNORECASE)
# a kind word that says what the image at hand is: "on this axial CT slice", "in the MRI", "this
# dermoscopy image", "CT slice", "modality: CT"; not one that names another picture ("the prior CT",
# "compared with last week's x-ray", "not a CT")
# (or a possessive: "the polyp on grandpa's chest x-ray", "on dad's x-ray")
_DETERMINER = r"(?:this|the|a|an|that|my|these|those|his|her|our|their|your|attached|current|each|every|all(?:\s+the)?|[a-z]+['\u2019]s)"
_PICTURE = r"(?:image|images|picture|pictures|photo|photos|pic|pics|photograph|photographs|frame|frames|film|films|slice|slices|scan|scans|view|views|still|study|shot|video|videos|clip|clips)"
# a kind said after "on" or "in" with no article ("outline the heart on CT", "polyp on CT colonography segment
# it"), the picture at hand where it ends the prompt or comes before a request, and its clause tells no history
# ("the effusion was worse on CT", "it measured 8 mm on CT colonography", "mass seen on CT")
# ... with the body part the picture is of before it ("mole on chest x-ray", "polyp in abdominal CT") or after it, as a
# translation word by word leaves it ("melanoma on x-ray chest" of Czech "na rentgenu hrudníku", "the wound on foot on X-ray of chest" of
# Tagalog "sa X-ray ng dibdib")
_BODY_PART = r"(?:chest|cardiac|thoracic|thorax|lungs?|feet|abdominal|abdomen|pelvic|head|brain|skull|spine|spinal|knee|hip|hand|foot|dental|liver|hepatic|renal|kidneys?|pancreas|pancreatic|neck|pelvis|prostate|breast|lumbar|cervical)"
_BARE_LEAD = re.compile(rf"\b(?:on|in)\s+(?:{_BODY_PART}\s+)?$")
# (with the picture's number after it: "foot ulcer mask on chest radiograph #12"; a picture's word: "find the mole in colonoscopy video";
# a "please" or "this" that ends it: "show the polyp on chest x-ray please", "... kha chest x-ray iyi" as translated; its plane:
# "Delineate the heart on cardiac MRI short axis")
_BARE_REST = re.compile(rf"(?:\s+(?:of\s+(?:the\s+)?)?{_BODY_PART}){{0,2}}(?:\s+(?:short|long)[\s-]axis|\s+(?:axial|coronal|sagittal|cine|four[\s-]chamber))?(?:\s+{_PICTURE})?(?:\s*(?:#|no\.?\s*|nr\.?\s*|number\s+)?\d+)?\s*(?:(?:,?\s*(?:please|pls|plz|thanks|thank\s+you|thx|this|here|now)\b)*[.!?]?\s*$|,?\s*(?:please\s+|pls\s+|(?:can|could)\s+(?:you\s+|u\s+)?)?(?:segment|outline|mask|trace|draw|delineate|highlight|contour|mark|label|find|show|locate)\b)")
_HISTORY = re.compile(r"\b(?:was|were|had|has|have|been|looked|looks|measured|measures|known|also|previously|prior|earlier|seen|shown|"
                      r"noted|found|visible|detected|identified|confirmed|demonstrated|based|same|as|than|\d+)\b")
# what says, after the kind word, that it was another picture, done before or to come ("CT-confirmed",
# "echo showed LVH", "histology pending", "ultrasound guided", "the CT images from last year")
# (within its clause or field: "Brain MRI attached: segment the tumour like you did for the lungs last time" is this MRI;
# "the heart on this dermoscopy photo? show me" is this dermoscopy)
# (not what is still to come: "Segmentation of the polyp on the attached chest x-ray is to be performed.")
# (not a purpose: "on this chest film for my report")
_OTHER_AFTER = re.compile(r"^[^.;,:()|?!]*?\b(?<!\bbe\s)(?:showed|shows|showing|show|was|were|confirmed|pending|scheduled|planned|booked|guided|not|unavailable|"
                          r"(?<!\bfor\smy\s)(?<!\bfor\sthe\s)(?<!\bfor\sa\s)(?<!\bfor\sour\s)(?:report|reports)|reported|done|performed|ordered|requested|revealed|demonstrated|ago|last|from\s+(?:19|20)\d\d|"
                          r"in\s+(?:19|20)\d\d|before|earlier|tomorrow|next\s+week)\b", re.IGNORECASE)
_OTHER_PICTURE = re.compile(r"\b(?:prior|previous|earlier|old|older|last|yesterday|recent|follow[\s-]?up|baseline|other|"
                            r"not|no|never|instead|versus|vs|than|unlike|without)\b", re.IGNORECASE)


# what a field holds on its own: DICOM's Modality codes, MR sequences (nnU-Net's channel_names), and
# words that in a sentence mean something else (October, an animal, a photograph of anything)
CODES: dict[str, str] = {
    **dict.fromkeys(("cr", "dx", "xr", "rg"), "radiograph"), "mg": "mammography", **dict.fromkeys(("pt", "nm", "pet"), "nuclear medicine"),
    **dict.fromkeys(("xa", "rf"), "angiography"), "es": "endoscopy", **dict.fromkeys(("xc", "photo", "photograph", "photographs"), "photograph"),
    "sm": "histology", **dict.fromkeys(("us", "us image"), "ultrasound"), "oct": "oct", "op": "fundus",
    **dict.fromkeys(("mr", "mr image", "mr images", "t1", "t2", "t1w", "t2w", "t1ce", "t1gd", "t1c", "adc", "dwi", "pd",
                     "flair"), "mri"),
}


def kinds_of(text: str) -> set[str]:
    """Every canonical kind ``text`` names ("CT and MRI" -> {"ct", "mri"}; "CT" -> {"ct"}, "chest
    radiographs (grey-scale)" -> {"radiograph"}, "DX" -> {"radiograph"}), each as specific as it is
    said ("nasal endoscopy" -> {"nasal endoscopy"}, not also "endoscopy"); empty when it names none."""
    text = str(text).strip().lower()
    if text in KINDS:
        return {text}
    if text in CODES:
        return {CODES[text]}
    kinds = {k for m in _ANY.finditer(text) for k, rx in _WORDS.items() if rx.fullmatch(m.group(0).lower())}
    words = re.findall(r"[a-z0-9]+", text)
    if len(words) <= 4:  # codes in a short field ("CT, PT"), not in a sentence
        # (outside the kinds' words: the "photograph" of "fundus photograph" is no second kind)
        kinds |= {CODES[w] for w in re.findall(r"[a-z0-9]+", _ANY.sub(" ", text)) if w in CODES}
    return {k for k in kinds if not any(o != k and k in _ancestors(o) for o in kinds)}


def without_kinds(text: str) -> str:
    """``text`` without the words that name a kind of picture ("ISIC-style image" -> " -style image")."""
    return _ANY.sub(" ", str(text))


def kind_of(text: str) -> str | None:
    """The one canonical kind ``text`` names ("CT" -> "ct", "wound photographs" -> "photograph",
    "MR" -> "mri"), or None when it names none or several (:func:`kinds_of`)."""
    kinds = kinds_of(text)
    return next(iter(kinds)) if len(kinds) == 1 else None


def canonical(kinds: Iterable[str]) -> frozenset[str] | None:
    """``kinds`` as canonical kinds (a record's, a user's: "CT" -> "ct"), or None where one of them is
    none: what a picture of an unknown kind was, no one can say."""
    out = [kinds_of(k) for k in kinds]
    return None if not out or any(len(k) != 1 for k in out) else frozenset(k for ks in out for k in ks)


def _ancestors(kind: str) -> list[str]:
    out, parent = [], KINDS[kind][0]
    while parent is not None:
        out.append(parent)
        parent = KINDS[parent][0]
    return out


def compatible(asked: str, trained: str) -> bool:
    """A picture of kind ``asked`` may be one of kind ``trained``: the same kind, or one is a kind of
    the other ("endoscopy" and "colonoscopy", "photograph" and "dermoscopy"); never two siblings
    ("gastroscopy" and "colonoscopy", "ct" and "mri")."""
    return asked == trained or asked in _ancestors(trained) or trained in _ancestors(asked)


DICOM_FIELD = re.compile(r"\b(?:modality|series\s*description|study\s*description|image\s*type|protocol\s*name)\s*[:=]\s*"
                         r"(?P<value>[A-Za-z0-9][\w ]{0,30}?)\s*(?=[,;|/\n]|$)", re.IGNORECASE)


def kinds_in_prompt(prompt: str) -> set[str]:
    """The kinds of picture ``prompt`` says its image is ("Segment the left lung on this axial CT
    slice" -> {"ct"}; "the polyp in this nasal endoscopy image" -> {"nasal endoscopy"}): a kind word
    after a preposition and a determiner, after "this", before a word for a picture, or in a
    ``modality`` field; not one that names another picture ("as on the prior CT", "not a CT"). A kind after
    a bare "on" or "in" ("outline the heart on CT") only where it ends the prompt or comes before a request,
    its clause tells no history, and no other kind is said."""
    kinds: set[str] = set()
    bare: set[str] = set()  # said after "on" or "in" alone ("outline the heart on CT"): only where no other picture is said
    for m in _ANY.finditer(prompt):
        before = prompt[max(0, m.start() - 60): m.start()].lower()
        rest = prompt[m.end(): m.end() + 80].lower()
        after = rest[:30]
        # the words between the kind word and the preposition or determiner that introduces it
        lead = re.search(r"(?:\b(?:on|in|from|of|at|with|using|under|during|is|s)\s+" + _DETERMINER + r"|\b(?:this|these|current|attached)|"
                         # ("the polyp seen on gastroscopy"; not a history: "mass seen on CT")
                         r"\b(?:the|this|that)\s+[\w-]+\s+(?:seen|taken|captured|imaged|shown|visible|spotted|viewed)\s+"
                         r"(?:on|in|at|during|by|with)\s+(?:a\s+|an\s+)?|"
                         r"\bmodality\s*[:=]?\s*[\"']?)\s*((?:[\w'-]+\s+){0,3})$", before)
        said = lead is not None and not _OTHER_PICTURE.search(lead.group(1) or "") and \
            not re.search(r"\b(?:not|no|instead\s+of|than|versus|vs)\s+(?:(?:on|in|from|at|with)\s+)?(?:a|an|the|this|that)?\s*$", before)
        pictured = (re.match(r"\s*(?:[\w-]+\s+){0,2}?" + _PICTURE + r"\b", after) is not None
                    or re.search(r"\b" + _PICTURE + r"$", m.group(0).lower()) is not None) and \
            not _OTHER_PICTURE.search(before[-25:])
        # a field of its own ("CT: segment the liver", "right lung, CT", "(colonoscopy)", "CT of the chest, segment ...")
        # (a patient's camera test, said as what was had: "Mum had the camera up the back passage")
        # (what "they showed her" after it is the picture at hand, no history of it)
        # (or as the patient's own: "my aunt and her camera test up the back passage found a growth")
        # (the possessive only with the camera's way in said: not "his camera test last year was clear")
        had_camera = m.group(0).lower().startswith(("camera", "tube camera")) and (
            re.search(r"\b(?:had|has|have|having|got|getting)\s+(?:the|a|an|this|that)\s+$", before) is not None
            or re.search(r"\b(?:my|his|her|their|your)\s+$", before) is not None and re.search(r"\b(?:up|in|inside|into|through)\b", m.group(0).lower()) is not None)
        # (or, at a terse prompt's start, after its target: "polyp chest x-ray find, mask"; "dermoscopy polyp చూపించు")
        # (not a picture done before: "55M, previous colonoscopy with adenomas, knee OA")
        field = (re.search(r"(?:^|[(\[,;:|])\s*(?:[\w-]+\s+)?$", before) is not None
                 and not _OTHER_PICTURE.search(re.split(r"[(\[,;:|]", before)[-1])
                 or re.fullmatch(r"\s*(?:[\w-]+\s+){0,2}", prompt[: m.start()]) is not None
                 # (or three, which are no place, no history and no denial: "Inverted greyscale chest radiograph up, ..."; not "in chest
                 # image x-ray", "Patient had prior CT; ...", "It is not MRI, ...")
                 or re.fullmatch(r"\s*(?:(?!(?:in|on|at|of|from|for|with|under|during|had|has|have|prior|previous|earlier|old|last|not|no|"
                                 r"is|was|isn['\u2019]?t|wasn['\u2019]?t)\b)[\w-]+\s+){3}", prompt[: m.start()]) is not None) and \
            (re.match(r"\s*(?:[^\s:)\],;.|?!]+\s*){0,4}(?:[:)\],;.|]|[-\u2013\u2014]\s|$)", after) is not None
             # (what it shows, said after it: "brain MRI with a bright round lesion, outline it")
             or re.match(r"\s+with\s+(?:[\w-]+\s+){0,5}?[\w-]+\s*(?:[,;:]|$)", rest) is not None) or \
            (re.fullmatch(r"\s*(?:[\w'-]+\s+){0,3}", before) is not None and re.match(r"[^.;,:]{0,40}:", after) is not None)
        # (... or a label before a colon: "cardiac MRI short-axis cine: segment the heart")
        if (said or pictured or field) and not _OTHER_AFTER.match(rest) or had_camera:
            kinds |= kinds_of(m.group(0))
        elif _BARE_LEAD.search(before) and _BARE_REST.match(rest) and not _HISTORY.search(re.split(r"[.;,:()\[\]|-]", before)[-1]):
            bare |= kinds_of(m.group(0))
    kinds = kinds or bare
    # a DICOM header's field pasted with the request ("Modality=MG, BodyPartExamined=BREAST, outline the mass",
    # "SeriesDescription=DERMOSCOPY, segment the left lung"): its code or its words
    for m in DICOM_FIELD.finditer(prompt):
        kinds |= kinds_of(m.group("value"))
    # "axial CT slice": the CT, not a generic slice, once the more specific kind is named
    return {k for k in kinds if not any(o != k and k in _ancestors(o) for o in kinds)}


def dataset_modality(root: str | Path | None, name: str | None = None) -> set[str]:
    """The modalities a dataset folder says it holds as a whole: a ``dataset.json``'s ``modality`` (a
    string, or nnU-Net's ``{"0": "CT"}``) or ``channel_names``, else :data:`KNOWN_DATASETS` by
    ``name`` (the folder's name by default); empty when neither says."""
    meta = Path(root) / "dataset.json" if root is not None else None
    if meta is not None and meta.is_file():
        try:
            raw = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}  # a broken dataset.json is named by the label-map reader; here it says nothing
        for key in ("modality", "channel_names"):
            value = raw.get(key) if isinstance(raw, dict) else None
            values = value.values() if isinstance(value, dict) else [value] if isinstance(value, str) else []
            kinds = {k for v in values for k in kinds_of(str(v))}
            if kinds:
                return kinds
    if name is None and root is not None:
        name = Path(root).resolve().name
    known = KNOWN_DATASETS.get((name or "").strip().lower())
    return {known} if known else set()


def target_modalities(samples: Iterable[Sample], roots: Mapping[str, str | Path],
                      name_of: Callable[[Sample], str] = lambda s: s.target) -> dict[str, list[str]]:
    """Per target (``name_of`` a sample, lower case; the trainer gives each sample's class name, so a
    folder of ``fuseg`` is the "foot ulcer"), the kinds of picture ``samples`` hold: a sample's
    ``modality`` manifest column, else its dataset's (:func:`dataset_modality`; ``roots``: dataset
    name -> folder). A target one of whose samples has none gets no entry: what its unknown pictures
    were, no one can say."""
    by_dataset: dict[str, set[str]] = {}
    out: dict[str, set[str]] = {}
    unknown: set[str] = set()
    for s in samples:
        target = name_of(s).strip().lower()
        kinds = kinds_of(s.meta.get("modality") or "")
        if not kinds:
            if s.dataset not in by_dataset:
                by_dataset[s.dataset] = dataset_modality(roots.get(s.dataset), s.dataset)
            kinds = by_dataset[s.dataset]
        if not kinds:
            unknown.add(target)
        out.setdefault(target, set()).update(kinds)
    return {t: sorted(k) for t, k in sorted(out.items()) if t not in unknown}
