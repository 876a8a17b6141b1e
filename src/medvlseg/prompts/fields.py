"""A request written as data, read as the sentence it means.

Engineers and their software send prompts as JSON payloads, query strings, YAML or form fields, function
calls, HL7 order segments and slash commands::

    {"task": "segment", "target": null, "exclude": ["heart", "left_lung"]}
    GET /api/v2/segment?target=foot%20ulcer&format=png
    Task: outline the patient's left collarbone\\nNotes: suspected midshaft fracture
    seg_cxr(img, 'clavicle', side='L')
    ORC|CA|ORD5521||SEG^CXR segmentation||||target=LEFT LUNG|status=CANCELLED

:func:`read_fields` parses such a prompt with the parser its form calls for (``json``, ``ast``,
``urllib.parse``; never ``eval``) and reads each field by its role: what is asked ("target",
"structure", "prompt"), its side ("side", "laterality"), what is left out ("exclude", "ignore"), what
was asked before ("previous_target", "last_target": no part of this request), whether the request
stands ("enabled: false", "status: revoked", an HL7 cancel code), the task ("task: classify" asks for
no mask), where the picture comes from ("modality"), and notes and outputs, which ask for nothing.
The result is the request as a sentence ("segment the patient's left clavicle"), which the resolver
reads as it reads any other, or the reason no mask is asked for.
"""

from __future__ import annotations

import ast
import csv
import json
import re
import unicodedata
import urllib.parse
from typing import Any, NamedTuple

import yaml

from ..data.modality import kinds_in_prompt


class FieldReading(NamedTuple):
    """What a prompt written as fields asks: ``sentence`` to read, or ``refusal`` (why no mask is asked)."""

    sentence: str | None
    refusal: str | None = None


# the roles of a field, by the words of its name ("previous_target" -> previous, target)
TARGET_KEYS = frozenset({"target", "targets", "structure", "structures", "organ", "organs", "anatomy", "label", "labels",
                         "class", "classes", "prompt", "text", "query", "roi", "region", "finding", "object", "objects",
                         "lesion", "bone", "part", "bodypart", "tissue", "concept", "seg", "segment", "what", "request"})
SIDE_KEYS = frozenset({"side", "laterality", "lat", "sidedness", "hemithorax"})
EXCLUDE_KEYS = frozenset({"exclude", "excluded", "excludes", "exclusion", "exclusions", "ignore", "ignored", "skip", "omit",
                          "without", "not", "negative", "negatives", "avoid", "except", "mask_out"})
PAST_KEYS = frozenset({"previous", "prev", "last", "prior", "old", "former", "earlier", "history", "done", "completed"})
TASK_KEYS = frozenset({"task", "action", "operation", "op", "command", "cmd"})
STATE_KEYS = frozenset({"status", "state"})
SWITCH_KEYS = frozenset({"enabled", "enable", "active", "run", "execute"})
DRY_KEYS = frozenset({"dry", "dryrun"})
# where the picture comes from: said as "on this <value>" (it may rule a target out: a polyp on a dermoscopy image)
PICTURE_KEYS = frozenset({"modality", "imaging", "study", "exam", "examination"})  # (not a view: "PA", "lateral")
# the output a request asks for, and what says it is a number or a class rather than a mask
OUTPUT_KEYS = frozenset({"output", "outputs", "return", "returns", "result"})
OTHER_OUTPUT = re.compile(r"\b(?:area|size|diameter|length|width|volume|count|number|grade|grading|stage|score|class|classification|"
                          r"diagnosis|probability|risk|yes\s*/\s*no|ratio|ctr|cm|mm)\b|cm\u00b2|mm\u00b2", re.IGNORECASE)
MASK_OUTPUT = re.compile(r"\b(?:mask|masks|segmentation|contour|outline|overlay|polygon|png|nii|nifti|label\s*map|binary)\b", re.IGNORECASE)
# an image's field, which may say the kind of picture in place of a file ("image": "cxr")
IMAGE_KEYS = frozenset({"image", "img", "picture", "photo", "input", "source"})
NULLS = frozenset({"", "~", "null", "none", "nil", "n/a", "na", "-"})
FALSES = frozenset({"false", "no", "0", "off", "n"})
TRUES = frozenset({"true", "yes", "1", "on", "y"})
# a request that no longer stands ("status=CANCELLED", FHIR's "revoked", "request withdrawn by radiologist")
WITHDRAWN = re.compile(r"\b(?:cancel+ed|cancel+ation|revoked|withdrawn|rescinded|retracted|voided|aborted|discontinued|"
                       r"entered[\s-]in[\s-]error|on[\s-]hold)\b", re.IGNORECASE)
# HL7 v2 order control codes that end an order (ORC-1): cancel, discontinue, cancelled, hold, ...
DONE_STATES = frozenset({"done", "completed", "complete", "finished", "closed", "resolved", "delivered"})
HL7_ENDED = frozenset({"CA", "DC", "OC", "OD", "CR", "DR", "HD", "OH"})
# what a log line reports of a run that ended ("segmentation finished target=polyp dice=0.91")
LOG_DONE = re.compile(r"\b(?:finished|completed?|done|succeeded|failed|error|saved|written|exported)\b", re.IGNORECASE)
# slash commands that ask for no mask ("/cancel heart", "/status polyp")
OTHER_COMMANDS = frozenset({"cancel", "status", "delete", "remove", "undo", "help", "list", "stop", "abort", "info", "history", "export"})
# a field that says the request was cancelled ("cancelled": true)
CANCEL_KEYS = frozenset({"cancelled", "canceled", "withdrawn", "revoked", "aborted", "deleted", "void", "voided"})
# the picture asked of is not at hand ("image": "not yet uploaded")
PICTURE_NOT_AT_HAND = re.compile(r"\bnot\s+(?:yet\s+)?(?:uploaded|available|attached|acquired|taken|received)\b|\b(?:pending|awaiting)\s+upload\b",
                         re.IGNORECASE)
# a task that asks for no mask ("task: classify", "count_polyps(...)")
OTHER_TASKS = frozenset({"classify", "classification", "classifier", "count", "counting", "measure", "measurement", "grade",
                         "grading", "report", "caption", "captioning", "describe", "description", "diagnose", "diagnosis",
                         "stage", "staging", "score", "scoring", "volume", "area", "ratio", "ctr", "qa", "vqa", "answer",
                         # (a mask edited, moved or checked: "Action: delete existing mask")
                         "delete", "remove", "erase", "discard", "undo", "purge", "archive", "export", "download", "upload",
                         "review", "verify", "validate", "approve", "reject", "rename", "status", "query", "info", "list", "cancel"})
DRAWING = re.compile(r"^(?:seg|segment\w*|mask\w*|outline\w*|delineat\w*|contour\w*|trace|draw|annotat\w*|label\w*|highlight|"
                     r"find|locate|show|detect\w*|predict\w*|infer\w*|run|get|extract|roi|binary)$", re.IGNORECASE)
# a commit message or a changelog line ("fix(seg): rename left_clavicle -> clavicle_left in config schema")
# (written as commits are, lower case, with a scope or a type no request opens with: not "Fix: segment the right lung",
# "test: segment the polyp")
COMMIT = re.compile(r"^\s*(?:(?:fix|feat|chore|refactor|docs|test|tests|build|ci|perf|style|revert)\([\w./-]+\)|"
                    r"feat|chore|refactor|perf|revert)!?:\s(?!\s*(?:seg|segment|outline|mask|trace|draw|delineate|contour)\b)")
# a log line ("[WARN] queue empty; last_target=right_clavicle; no pending requests")
# (the level first too: "ERROR 2024-05-01 12:03:11 seg-worker[311]: target 'right clavicle' failed: ...")
LOG_LINE = re.compile(r"^\s*(?:\d{4}-\d\d-\d\d[T ][\d:.,]+\S*\s+)?\[?(?:DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL|TRACE)\]?"
                      r"(?:[\s:]+\d{4}-\d\d-\d\d[T ][\d:.,]+\S*)?[\s:]", re.IGNORECASE)
# (a field's name in any script: "Zielstruktur: ...", "目标：...")
FORM_LINE = re.compile(r"^\s*(?:[-*]\s+)?([^\W\d_][\w .()/-]{0,30}?)\s*[:=\uff1a]\s*(.*?)\s*$")
PAIR = re.compile(r"([A-Za-z_][\w.-]*)=([^&;|\s]*(?:\s(?![A-Za-z_][\w.-]*=)[^&;|\s=]+)*)")
SLASH_COMMAND = re.compile(r"^\s*/([A-Za-z][\w-]*)\s+(.+)$")


# the names of fields in other languages, as the English word of their role (accents folded)
FOREIGN_KEYS = {
    # what is asked
    "ziel": "target", "zielstruktur": "structure", "struktur": "structure", "zielregion": "region",
    "objetivo": "target", "estructura": "structure", "estrutura": "structure", "alvo": "target", "cible": "target",
    "obiettivo": "target", "struttura": "structure", "doel": "target", "structuur": "structure", "organo": "organ",
    "organe": "organ", "orgao": "organ", "目标": "target", "目標": "target", "结构": "structure",
    "構造": "structure", "部位": "structure", "对象": "target", "対象": "target", "대상": "target", "구조": "structure",
    "цель": "target", "структура": "structure", "orgao-alvo": "organ",
    # what is left out
    "ausschliessen": "exclude", "ausgeschlossen": "exclude", "ausschluss": "exclude", "ohne": "without", "excluir": "exclude",
    "excluido": "exclude", "excluidos": "exclude", "exclure": "exclude", "exclu": "exclude",
    "escludere": "exclude", "esclusione": "exclusion", "escluso": "exclude", "uitsluiten": "exclude", "排除": "exclude",
    "除外": "exclude", "제외": "exclude", "исключить": "exclude",
    # the side, the task, the state, what came before, the picture
    "seite": "side", "lado": "side", "cote": "side", "lato": "side", "zijde": "side", "侧": "side", "側": "side",
    "aufgabe": "task", "tarea": "task", "tache": "task", "tarefa": "task", "compito": "task", "taak": "task", "任务": "task",
    "タスク": "task", "estado": "status", "etat": "status", "stato": "status", "状态": "status", "状態": "status",
    "vorherig": "previous", "vorherige": "previous", "anterior": "previous", "precedent": "previous", "precedente": "previous",
    "modalitat": "modality", "modalidad": "modality", "modalite": "modality", "modalita": "modality", "modalidade": "modality",
}


def _field_name(key: str) -> list[str]:
    """A field's name as the words of its role: ``_key_words`` with accents folded, a name in another language as its
    English ("Zielstruktur" -> ["structure"], "Lista de exclusión" -> ["lista", "de", "exclusion"]), "Region of
    interest" as "region"."""
    folded = ("".join(c for c in unicodedata.normalize("NFKD", w.replace("ß", "ss")) if not unicodedata.combining(c)) for w in _key_words(key))
    words = [FOREIGN_KEYS.get(w, w) for w in folded]
    # ("Region of interest", "structure to segment": the role is the first word's)
    return words[:1] if len(words) > 2 and words[1:] in (["of", "interest"], ["to", "segment"]) else words


def _key_words(key: str) -> list[str]:
    """A field's name as words: "previous_target" -> ["previous", "target"], "rightClavicle" -> ["right", "clavicle"]."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key).replace("_", " ").replace("-", " ").replace(".", " ").lower().split()


def _value_text(value: Any) -> str | None:
    """A field's value as words ("right_lung" -> "right lung", "LEFT LUNG" -> "left lung"); None where it is
    empty or null."""
    if value is None or isinstance(value, bool):
        return None
    text = " ".join(_key_words(str(value).strip().strip("'\"")) if re.fullmatch(r"[\w.-]+", str(value).strip().strip("'\""))
                    else str(value).strip().strip("'\"").split())
    return None if text.lower() in NULLS else text


def _values(value: Any) -> list[str]:
    """A field's values: a list's each, a flow list written as text ("[heart, right_lung]") too."""
    if isinstance(value, str) and re.fullmatch(r"\s*\[.*\]\s*", value):
        value = [v for v in value.strip()[1:-1].split(",")]
    items = value if isinstance(value, (list, tuple)) else [value]
    return [t for t in (_value_text(v) for v in items) if t]


def _side(value: Any) -> str | None:
    """The patient's side a side field says ("R", "patient_left", "image_right" -> "left"), or None."""
    words = _key_words(str(value)) if value is not None else []
    sides = [{"r": "right", "rt": "right", "right": "right", "dx": "right", "l": "left", "lt": "left", "left": "left",
              "sin": "left"}.get(w) for w in words]
    sides = [s for s in sides if s]
    if len(set(sides)) != 1:
        return None
    flip = {"image", "viewer", "screen", "display", "radiological"} & set(words)
    return {"right": "left", "left": "right"}[sides[0]] if flip else sides[0]


def _flatten(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[list[str], Any]]:
    """A parsed payload's leaves as (the words of their field's names, outermost first; value)."""
    if isinstance(data, dict):
        out = []
        for k, v in data.items():
            out += _flatten(v, (*prefix, *_field_name(str(k))))
        return out
    if isinstance(data, list) and any(isinstance(v, dict) for v in data):
        # (an item whose state says it is done is what was asked before: "- target: polyp\\n  status: completed")
        return [leaf for v in data for leaf in _flatten(v, prefix + (("done",) if isinstance(v, dict) and any(
            set(_key_words(str(k))) & STATE_KEYS and str(x).strip().lower() in DONE_STATES for k, x in v.items()) else ()))]
    return [(list(prefix), data)]


def _parsed(text: str) -> list[tuple[list[str], Any]] | None:
    """The fields of ``text`` where it is written as data, in the form it is written in; None otherwise."""
    s = text.strip()
    if s[:1] in "{[" and s[-1:] in "}]":
        # (YAML's flow mapping too, its values unquoted: "{roi: suspected melanoma, output: binary mask}")
        for parse in (json.loads, ast.literal_eval, yaml.safe_load):
            try:
                data = parse(s)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, yaml.YAMLError):
                continue
            # (a flow mapping's keys are field names, each with a value: not "{left lung}", a target in braces)
            if isinstance(data, dict) and data and (parse is not yaml.safe_load or all(
                    isinstance(k, str) and re.fullmatch(r"[A-Za-z_][\w-]*", k) and v is not None for k, v in data.items())):
                return _flatten(data)
        return None
    if (call := _call(s)) is not None:
        return call
    if s.startswith(("ORC|", "OBR|", "MSH|")) or re.match(r"^[A-Z]{3}\|", s):
        fields: list[tuple[list[str], Any]] = []
        parts = s.split("|")
        if parts[0] == "ORC" and len(parts) > 1:
            fields.append((["order", "control"], parts[1]))
        fields += [(_field_name(k), v) for p in parts for k, v in PAIR.findall(p)]
        return fields or None
    query = s.split("?", 1)[1] if re.match(r"^(?:(?:GET|POST|PUT)\s+)?\S*\?[A-Za-z_]", s) else s
    if re.fullmatch(r"[A-Za-z_][\w.-]*=[^&\s]*(?:&[A-Za-z_][\w.-]*=[^&\s]*)+", query.split()[0] if query.split() else ""):
        return [(_field_name(k), v) for k, v in urllib.parse.parse_qsl(query.split()[0], keep_blank_values=True)]
    if (listed := re.fullmatch(r"([A-Za-z_][\w.-]*)\s*=\s*\[([^\[\]]*)\]", s)) is not None:
        # (one field given a list: "seg_target=[right_lung, left_lung, heart]")
        return [(_field_name(listed.group(1)), [v.strip(" '\"") for v in listed.group(2).split(",") if v.strip(" '\"")])]
    if re.fullmatch(r"(?:[A-Za-z_][\w.-]*=[\w.,/-]+\s+)+[A-Za-z_][\w.-]*=[\w.,/-]+", s):
        return [(_field_name(k), v) for k, v in re.findall(r"([A-Za-z_][\w.-]*)=([\w.,/-]+)", s)]  # ("target=callus image=dfu_33.jpg")
    lines = [ln for ln in s.splitlines() if ln.strip()]
    if len(lines) == 1 and len(parts := re.split(r"\s*;\s*", s.rstrip("; "))) >= 2:
        # fields on one line parted by semicolons, each a key and its value ("roi: right hemidiaphragm; image: frontal chest film;
        # return: contour", "target_side=patient left (right side of the film); organ=lung; modality=CXR")
        matched = [FORM_LINE.match(p) for p in parts]
        if all(m is not None and re.fullmatch(r"[A-Za-z_][\w-]*", m.group(1).strip()) for m in matched) and "?" not in s:
            return [(_field_name(m.group(1)), m.group(2)) for m in matched if m is not None]
    if len(lines) == 1 and len(parts := re.split(r"\s+\|\s+", s)) >= 2:
        # fields on one line, as a program's panel shows them ("Model: colon polyp | Output: mask | Frame 212")
        matched = [FORM_LINE.match(p) for p in parts]
        # (not one that asks a question: "Exam: dermoscopy | Request: is this melanoma?", read as written)
        if matched[0] is not None and sum(m is not None for m in matched) >= 2 and "?" not in s:
            return [(_field_name(m.group(1)), m.group(2)) for m in matched if m is not None]
    if len(lines) >= 2 and (table := _table(lines)) is not None:
        return table
    if len(lines) >= 2:
        if any(ln[:1].isspace() for ln in lines[1:]):
            # nested fields ("targets:\n  - right clavicle\n  - left clavicle"; "jobs:\n  - target: polyp\n    status: done")
            try:
                data = yaml.safe_load(s)
            except yaml.YAMLError:
                return None
            return _flatten(data) if isinstance(data, dict) and data else None
        matched = [FORM_LINE.match(re.sub(r"\s+#\s.*$", "", ln)) for ln in lines]
        if sum(m is not None for m in matched) >= 2 and all(m is not None for m in matched[1:]):
            return [(_field_name(m.group(1)), m.group(2)) for m in matched if m is not None]
        return None
    if LOG_LINE.match(s) and ((pairs := PAIR.findall(s)) or re.match(r"^\s*(?:ERROR|CRITICAL|FATAL)\b", s)):
        return [(["log"], LOG_LINE.sub("", s))] + [(_field_name(k), v) for k, v in pairs]
    return None


def _table(lines: list[str]) -> list[tuple[list[str], Any]] | None:
    """The rows of a CSV table whose header names a target column ("image,target\\nISIC_001.jpg,skin lesion"),
    each row's cells under their column's name; None for no such table."""
    header = next(csv.reader([lines[0]]))
    if len(header) < 2 or not all(re.fullmatch(r"\s*[^\W\d][\w .-]{0,30}", h) for h in header):
        return None  # (column names, not a field's value: "exclude: [foot ulcer, skin lesion, polyp]")
    names = [_field_name(h) for h in header]
    rows = [r for r in csv.reader(lines[1:]) if len(r) == len(header)]
    if not any(n and n[-1] in TARGET_KEYS for n in names) or not rows:
        return None
    # (a row whose state says it is done is what was asked before: "cxr_9.png,right lung,completed")
    states = [i for i, n in enumerate(names) if n and n[-1] in STATE_KEYS]
    return [((["done"] if any(r[i].strip().lower() in DONE_STATES for i in states) else []) + n, cell)
            for r in rows for n, cell in zip(names, r)]


LOOP = re.compile(r"^\s*for\s+(\w+)\s+in\s+[\[(]([^\])]*)[\])]\s*:\s*(.+)$", re.DOTALL)


def _loop(text: str) -> list[str] | None:
    """What a loop over values asks, each value put in its template ("for side in ['left', 'right']:\\n
    segment(img, f'{side} lung')" -> ["left lung", "right lung"]); None for no such loop."""
    if (m := LOOP.match(text)) is None:
        return None
    try:
        values = ast.literal_eval(f"[{m.group(2)}]")
    except (ValueError, SyntaxError, RecursionError, MemoryError):
        return None
    template = re.search(r"f(['\"])(.*?\{" + re.escape(m.group(1)) + r"\}.*?)\1", m.group(3))
    if template is None or not all(isinstance(v, str) for v in values):
        return None
    return [template.group(2).replace("{" + m.group(1) + "}", v) for v in values]


def _call(text: str) -> list[tuple[list[str], Any]] | None:
    """The arguments of a function call ("seg_cxr(img, 'clavicle', side='L')"): its name under "call",
    each string given by position under "target", each keyword under its name; None for no call."""
    text = re.sub(r"^\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*(?=[A-Za-z_][\w.]*\()", "", text)
    text = re.sub(r"(?<=\))\s*;?\s+(?:#|//)\s.*$", "", text.strip()).rstrip(";")  # (a comment after it: "measure_area(...)  # cm2")
    if not re.match(r"^[A-Za-z_][\w.]*\(.*\)$", text, re.DOTALL):
        return None
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not isinstance(node, ast.Call):
        return None
    name = ast.unparse(node.func).split(".")[-1]
    fields: list[tuple[list[str], Any]] = [(["call"], name)]
    fields += [(["target"], a.value) for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    fields += [(_field_name(k.arg), k.value.value) for k in node.keywords
               if k.arg and isinstance(k.value, ast.Constant) and isinstance(k.value.value, (str, bool, type(None)))]
    return fields if len(fields) > 1 else None


def read_fields(text: str) -> FieldReading | None:
    """What a prompt written as data asks (module docstring); None where ``text`` is no such prompt, or
    its fields say nothing this reader knows (the resolver then reads it as written)."""
    if COMMIT.match(text):
        return FieldReading(None, "the prompt is a commit message, not a request")
    if (slash := SLASH_COMMAND.match(text)) and slash.group(1).lower() in OTHER_COMMANDS:
        return FieldReading(None, f"the command '/{slash.group(1)}' asks for no mask")
    if (slash := SLASH_COMMAND.match(text)) and DRAWING.match(slash.group(1)):
        # (its words before the flags are what is asked; a command with flags alone is read as a command line)
        side = re.search(r"\s--(?:side|laterality|lat)[\s=]+(\S+)", " " + slash.group(2))
        rest = re.sub(r"\s--?[A-Za-z][\w-]*(?:[\s=]+(?!--?[A-Za-z])\S+)?", " ", " " + slash.group(2)).split()
        said = _side(side.group(1)) if side else None
        return FieldReading(f"segment {'the patient' + chr(39) + 's ' + said + ' ' if said else ''}{' '.join(rest)}") if rest else None
    if (each := _loop(text)) is not None:
        return FieldReading("segment " + " and ".join(f"the {v}" for v in each))
    fields = _parsed(text)
    if not fields:
        return None
    asked: list[str] = []
    left_out: list[str] = []
    side = picture = task = None
    target_field = stated = past = False
    if any(words == ["log"] and (re.match(r"\s*(?:ERROR|CRITICAL|FATAL)\b", text.strip(), re.IGNORECASE) or LOG_DONE.search(str(value)))
           for words, value in fields):
        # (a log line that reports a run finished or failed: its target= was asked before; not "op=segment ... status=queued")
        return FieldReading(None, "the prompt is a log line, which asks for nothing")
    for words, value in fields:
        leaf = words[-1] if words else ""
        said = " ".join(str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v is not None)
        if len(words) == 1 and leaf in CANCEL_KEYS and (value is True or str(value).strip().lower() in TRUES):
            return FieldReading(None, f"the request is cancelled ('{leaf}: {value}')")
        if len(words) == 1 and leaf in STATE_KEYS and said.strip().lower() in DONE_STATES:
            return FieldReading(None, f"the request is done already ('{leaf}: {said}')")
        if isinstance(value, str) and PICTURE_NOT_AT_HAND.search(value):
            return FieldReading(None, f"the picture asked of is not at hand ('{' '.join(words)}: {value}')")
        if words == ["order", "control"] and str(value).upper() in HL7_ENDED:
            return FieldReading(None, f"the order's control code '{value}' ends it")
        if set(words) & DRY_KEYS:  # ("dry_run": true is no request; false asks for a real run)
            if value is True or str(value).strip().lower() in TRUES:
                return FieldReading(None, "the request is a dry run: no mask is made")
            continue
        # (the request's own switch, never one of its options': "run_id: 0", "active_learning: false")
        if len(words) == 1 and leaf in SWITCH_KEYS and (value is False or str(value).strip().lower() in FALSES):
            return FieldReading(None, f"the request is switched off ('{' '.join(words)}: {value}')")
        if len(words) == 1 and (leaf in STATE_KEYS | {"request"} and WITHDRAWN.search(said) and not re.search(r"\bnot\b", said, re.IGNORECASE)
                                or leaf == "reason" and re.match(r"\s*(?:the\s+)?(?:request|order|study)?\s*(?:was\s+|has\s+been\s+)?"
                                                                 + WITHDRAWN.pattern, said, re.IGNORECASE)):
            return FieldReading(None, f"the request no longer stands ('{said}')")
        if set(words) & PAST_KEYS or leaf == "log":
            past = past or leaf in TARGET_KEYS
            continue  # (what was asked before, a log's message: no part of this request)
        if leaf == "call":
            named = set(_key_words(str(value)))
            if named & OTHER_TASKS and not any(DRAWING.match(w) for w in named):
                return FieldReading(None, f"the call '{value}' asks for no mask")
            continue
        if set(words) & EXCLUDE_KEYS:
            left_out += [x for v in _values(value) for x in re.split(r"\s*[,;\u3001]\s*", v) if x]  # ("Exclude: heart, left lung")
            stated = True
        elif leaf in TASK_KEYS:
            task = _value_text(value)
            stated = True
        elif leaf in SIDE_KEYS:
            side = _side(value)
            stated = True
        elif leaf in TARGET_KEYS or (words and words[0] in TARGET_KEYS and leaf in {"name", "text", "value", "display"}):
            if leaf == "request" and re.fullmatch(r"\w+", said.strip()) and DRAWING.match(said.strip()):
                continue  # (a request field that names the task alone: "Request: segmentation | Structure: lung, right")
            target_field = True
            asked += _values(value)
        elif leaf in PICTURE_KEYS and picture is None:
            picture = _value_text(value)
        elif leaf in IMAGE_KEYS and picture is None and kinds_in_prompt(text := _value_text(value)) and not re.search(r"\.\w{2,5}$|\d", text):
            picture = text  # (an image field that says its kind, not its file: "image": "cxr")
    for words, value in fields:
        # (an output that is a number or a class, not a mask: "Model: wound | Output: area in cm²", "Output: Wagner grade")
        if words and words[-1] in OUTPUT_KEYS and OTHER_OUTPUT.search(said := _value_text(value)) and not MASK_OUTPUT.search(said):
            return FieldReading(None, f"the output asked is no mask ('{' '.join(words)}: {said}')")
    if not target_field and (models := [value for words, value in fields if words == ["model"]]):
        # (a program's model chosen by what it segments, with no target field: "Model: cardiac shadow | Output: mask")
        target_field = True
        asked += [v for value in models for v in _values(value)]
    if task is not None:
        task_words = task.lower().split()
        if task_words[0] in OTHER_TASKS or not DRAWING.match(task_words[0]) and len(task_words) == 1 and set(task_words) & OTHER_TASKS:
            return FieldReading(None, f"the task '{task}' asks for no mask")
        if len(task_words) >= 2 and (DRAWING.match(task_words[0]) or not target_field):
            asked.insert(0, task)  # a task said as a sentence ("outline the ulcer on the sole", "heart mask for CTR calculation")
    if not asked:
        if any(words == ["log"] for words, _ in fields):
            return FieldReading(None, "the prompt is a log line, which asks for nothing")
        if past:
            return FieldReading(None, "the fields name only what was asked before")
        if target_field or (stated and left_out):
            return FieldReading(None, "the fields name no target to segment" + (f" (only what to leave out: {', '.join(left_out)})"
                                                                                 if left_out else ""))
        return None
    if side and not re.search(r"\b(?:left|right)\b", " ".join(asked), re.IGNORECASE):
        asked = [f"patient's {side} {a}" for a in asked]
    request = asked[0] if len(asked) == 1 and DRAWING.match(asked[0].split()[0]) else "segment " + " and ".join(f"the {a}" for a in asked)
    if left_out:
        request += ", not " + " or ".join(f"the {x}" for x in left_out)
    if picture:
        request += f", on this {picture}"
    return FieldReading(request)
