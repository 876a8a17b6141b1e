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
import json
import re
import urllib.parse
from typing import Any, NamedTuple


class FieldReading(NamedTuple):
    """What a prompt written as fields asks: ``sentence`` to read, or ``refusal`` (why no mask is asked)."""

    sentence: str | None
    refusal: str | None = None


# the roles of a field, by the words of its name ("previous_target" -> previous, target)
TARGET_KEYS = frozenset({"target", "targets", "structure", "structures", "organ", "organs", "anatomy", "label", "labels",
                         "class", "classes", "prompt", "text", "query", "roi", "region", "finding", "object", "objects",
                         "lesion", "bone", "part", "bodypart", "tissue", "concept", "seg", "segment", "what"})
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
NULLS = frozenset({"", "~", "null", "none", "nil", "n/a", "na", "-"})
FALSES = frozenset({"false", "no", "0", "off", "n"})
TRUES = frozenset({"true", "yes", "1", "on", "y"})
# a request that no longer stands ("status=CANCELLED", FHIR's "revoked", "request withdrawn by radiologist")
WITHDRAWN = re.compile(r"\b(?:cancel+ed|cancel+ation|revoked|withdrawn|rescinded|retracted|voided|aborted|discontinued|"
                       r"entered[\s-]in[\s-]error|on[\s-]hold)\b", re.IGNORECASE)
# HL7 v2 order control codes that end an order (ORC-1): cancel, discontinue, cancelled, hold, ...
HL7_ENDED = frozenset({"CA", "DC", "OC", "OD", "CR", "DR", "HD", "OH"})
# a task that asks for no mask ("task: classify", "count_polyps(...)")
OTHER_TASKS = frozenset({"classify", "classification", "classifier", "count", "counting", "measure", "measurement", "grade",
                         "grading", "report", "caption", "captioning", "describe", "description", "diagnose", "diagnosis",
                         "stage", "staging", "score", "scoring", "volume", "area", "ratio", "ctr", "qa", "vqa", "answer"})
DRAWING = re.compile(r"^(?:seg|segment\w*|mask\w*|outline\w*|delineat\w*|contour\w*|trace|draw|annotat\w*|label\w*|highlight|"
                     r"find|locate|show|detect\w*|predict\w*|infer\w*|run|get|extract|roi|binary)$", re.IGNORECASE)
# a commit message or a changelog line ("fix(seg): rename left_clavicle -> clavicle_left in config schema")
# (written as commits are, lower case, with a scope or a type no request opens with: not "Fix: segment the right lung",
# "test: segment the polyp")
COMMIT = re.compile(r"^\s*(?:(?:fix|feat|chore|refactor|docs|test|tests|build|ci|perf|style|revert)\([\w./-]+\)|"
                    r"feat|chore|refactor|perf|revert)!?:\s(?!\s*(?:seg|segment|outline|mask|trace|draw|delineate|contour)\b)")
# a log line ("[WARN] queue empty; last_target=right_clavicle; no pending requests")
LOG_LINE = re.compile(r"^\s*(?:\d{4}-\d\d-\d\d[T ][\d:.,]+\S*\s+)?\[?(?:DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL|TRACE)\]?[\s:]",
                      re.IGNORECASE)
FORM_LINE = re.compile(r"^\s*(?:[-*]\s+)?([A-Za-z][\w .()/-]{0,30}?)\s*[:=]\s*(.*?)\s*$")
PAIR = re.compile(r"([A-Za-z_][\w.-]*)=([^&;|\s]*(?:\s(?![A-Za-z_][\w.-]*=)[^&;|\s=]+)*)")
SLASH_COMMAND = re.compile(r"^\s*/([A-Za-z][\w-]*)\s+(.+)$")


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
            out += _flatten(v, (*prefix, *_key_words(str(k))))
        return out
    if isinstance(data, list) and any(isinstance(v, dict) for v in data):
        return [leaf for v in data for leaf in _flatten(v, prefix)]
    return [(list(prefix), data)]


def _parsed(text: str) -> list[tuple[list[str], Any]] | None:
    """The fields of ``text`` where it is written as data, in the form it is written in; None otherwise."""
    s = text.strip()
    if s[:1] in "{[" and s[-1:] in "}]":
        for parse in (json.loads, ast.literal_eval):
            try:
                data = parse(s)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if isinstance(data, dict) and data:
                return _flatten(data)
        return None
    if (call := _call(s)) is not None:
        return call
    if s.startswith(("ORC|", "OBR|", "MSH|")) or re.match(r"^[A-Z]{3}\|", s):
        fields: list[tuple[list[str], Any]] = []
        parts = s.split("|")
        if parts[0] == "ORC" and len(parts) > 1:
            fields.append((["order", "control"], parts[1]))
        fields += [(_key_words(k), v) for p in parts for k, v in PAIR.findall(p)]
        return fields or None
    query = s.split("?", 1)[1] if re.match(r"^(?:(?:GET|POST|PUT)\s+)?\S*\?[A-Za-z_]", s) else s
    if re.fullmatch(r"[A-Za-z_][\w.-]*=[^&\s]*(?:&[A-Za-z_][\w.-]*=[^&\s]*)+", query.split()[0] if query.split() else ""):
        return [(_key_words(k), v) for k, v in urllib.parse.parse_qsl(query.split()[0], keep_blank_values=True)]
    lines = [ln for ln in s.splitlines() if ln.strip()]
    if len(lines) >= 2:
        if any(ln[:1].isspace() for ln in lines[1:]):
            return None  # (nested fields, "target:\n  name: heart": read as written)
        matched = [FORM_LINE.match(re.sub(r"\s+#\s.*$", "", ln)) for ln in lines]
        if sum(m is not None for m in matched) >= 2 and all(m is not None for m in matched[1:]):
            return [(_key_words(m.group(1)), m.group(2)) for m in matched if m is not None]
        return None
    if LOG_LINE.match(s) and (pairs := PAIR.findall(s)):
        return [(["log"], LOG_LINE.sub("", s))] + [(_key_words(k), v) for k, v in pairs]
    return None


def _call(text: str) -> list[tuple[list[str], Any]] | None:
    """The arguments of a function call ("seg_cxr(img, 'clavicle', side='L')"): its name under "call",
    each string given by position under "target", each keyword under its name; None for no call."""
    text = re.sub(r"^\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*(?=[A-Za-z_][\w.]*\()", "", text).rstrip(";")
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
    fields += [(_key_words(k.arg), k.value.value) for k in node.keywords
               if k.arg and isinstance(k.value, ast.Constant) and isinstance(k.value.value, (str, bool, type(None)))]
    return fields if len(fields) > 1 else None


def read_fields(text: str) -> FieldReading | None:
    """What a prompt written as data asks (module docstring); None where ``text`` is no such prompt, or
    its fields say nothing this reader knows (the resolver then reads it as written)."""
    if COMMIT.match(text):
        return FieldReading(None, "the prompt is a commit message, not a request")
    if (slash := SLASH_COMMAND.match(text)) and DRAWING.match(slash.group(1)):
        # (its words before the flags are what is asked; a command with flags alone is read as a command line)
        side = re.search(r"\s--(?:side|laterality|lat)[\s=]+(\S+)", " " + slash.group(2))
        rest = re.sub(r"\s--?[A-Za-z][\w-]*(?:[\s=]+(?!--?[A-Za-z])\S+)?", " ", " " + slash.group(2)).split()
        said = _side(side.group(1)) if side else None
        return FieldReading(f"segment {'the patient' + chr(39) + 's ' + said + ' ' if said else ''}{' '.join(rest)}") if rest else None
    fields = _parsed(text)
    if not fields:
        return None
    asked: list[str] = []
    left_out: list[str] = []
    side = picture = task = None
    target_field = stated = False
    for words, value in fields:
        leaf = words[-1] if words else ""
        said = " ".join(str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v is not None)
        if words == ["order", "control"] and str(value).upper() in HL7_ENDED:
            return FieldReading(None, f"the order's control code '{value}' ends it")
        if set(words) & DRY_KEYS:  # ("dry_run": true is no request; false asks for a real run)
            if value is True or str(value).strip().lower() in TRUES:
                return FieldReading(None, "the request is a dry run: no mask is made")
            continue
        # (the request's own switch, never one of its options': "run_id: 0", "active_learning: false")
        if len(words) == 1 and leaf in SWITCH_KEYS and (value is False or str(value).strip().lower() in FALSES):
            return FieldReading(None, f"the request is switched off ('{' '.join(words)}: {value}')")
        if len(words) == 1 and (leaf in STATE_KEYS and WITHDRAWN.search(said) and not re.search(r"\bnot\b", said, re.IGNORECASE)
                                or leaf == "reason" and re.match(r"\s*(?:the\s+)?(?:request|order|study)?\s*(?:was\s+|has\s+been\s+)?"
                                                                 + WITHDRAWN.pattern, said, re.IGNORECASE)):
            return FieldReading(None, f"the request no longer stands ('{said}')")
        if set(words) & PAST_KEYS or leaf == "log":
            continue  # (what was asked before, a log's message: no part of this request)
        if leaf == "call":
            named = set(_key_words(str(value)))
            if named & OTHER_TASKS and not any(DRAWING.match(w) for w in named):
                return FieldReading(None, f"the call '{value}' asks for no mask")
            continue
        if set(words) & EXCLUDE_KEYS:
            left_out += _values(value)
            stated = True
        elif leaf in TASK_KEYS:
            task = _value_text(value)
            stated = True
        elif leaf in SIDE_KEYS:
            side = _side(value)
            stated = True
        elif leaf in TARGET_KEYS or (words and words[0] in TARGET_KEYS and leaf in {"name", "text", "value", "display"}):
            target_field = True
            asked += _values(value)
        elif leaf in PICTURE_KEYS and picture is None:
            picture = _value_text(value)
    if task is not None:
        task_words = task.lower().split()
        if task_words[0] in OTHER_TASKS or not DRAWING.match(task_words[0]) and len(task_words) == 1 and set(task_words) & OTHER_TASKS:
            return FieldReading(None, f"the task '{task}' asks for no mask")
        if len(task_words) >= 2 and (DRAWING.match(task_words[0]) or not target_field):
            asked.insert(0, task)  # a task said as a sentence ("outline the ulcer on the sole", "heart mask for CTR calculation")
    if not asked:
        if any(words == ["log"] for words, _ in fields):
            return FieldReading(None, "the prompt is a log line, which asks for nothing")
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
