"""The card gallery: every card the bot can send, as valid Adaptive Card 1.5 under Teams' 28 KB limit."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import adaptive_cards
import pytest
from jsonschema.validators import Draft6Validator

import cards
from bot.cli.main import main

TEAMS_MAX_BYTES = 28 * 1024
SCHEMA = json.loads((Path(adaptive_cards.__file__).parent / "schemas" / "schema-1.5.json").read_text("utf-8"))
# Teams' own extension of the card root (not in the generic schema): full width and @mention entities.
TEAMS_ROOT_KEYS = {"width", "entities"}
MESSAGE_ID = re.compile(r"^[a-z]+\.[a-z0-9_]+$")  # what dialogs.i18n.t returns for a missing message


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, list[dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("cards")
    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{folder / 'cli.db'}")
    try:
        assert main(["cards", "export", str(folder / "out")]) == 0
    finally:
        mp.undo()
    out = folder / "out"
    return out, json.loads((out / "index.json").read_text(encoding="utf-8"))


def _load(out: Path, entry: dict[str, Any]) -> dict[str, Any]:
    return json.loads((out / entry["file"]).read_text(encoding="utf-8"))


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def test_every_cards_module_is_in_the_gallery_in_three_languages(exported):
    out, index = exported
    modules = {f.stem for f in Path(cards.__file__).parent.glob("*.py")} - {"base", "__init__"}
    assert {entry["module"] for entry in index} == modules  # a new cards module needs examples(t)
    by_name: dict[str, set[str]] = {}
    for entry in index:
        by_name.setdefault(entry["name"], set()).add(entry["lang"])
        assert entry["file"] == f"{entry['name']}.{entry['lang']}.json"
        assert (out / entry["file"]).is_file()
    assert all(langs == {"nn", "nb", "en"} for langs in by_name.values()), by_name
    assert {"welcome", "help", "consultation-answer"} <= set(by_name)
    assert len(list(out.glob("*.json"))) == len(index) + 1  # one file per card, plus index.json


def test_every_card_is_valid_adaptive_card_1_5_within_28_kb(exported):
    out, index = exported
    validator = Draft6Validator(SCHEMA)
    problems = []
    for entry in index:
        card = _load(out, entry)
        size = len(json.dumps(card, ensure_ascii=False).encode("utf-8"))
        if size > TEAMS_MAX_BYTES:
            problems.append(f"{entry['file']}: {size} bytes > 28 KB")
        if tuple(int(p) for p in card.get("version", "9").split(".")) > (1, 5):
            problems.append(f"{entry['file']}: version {card.get('version')} (Teams renders up to 1.5)")
        teams_root = card.pop("msteams", {})
        if set(teams_root) - TEAMS_ROOT_KEYS:
            problems.append(f"{entry['file']}: unknown msteams keys {sorted(set(teams_root) - TEAMS_ROOT_KEYS)}")
        for error in validator.iter_errors(card):
            detail = "; ".join(e.message[-120:] for e in (error.context or [])[:2]) or error.message[-200:]
            problems.append(f"{entry['file']} at {'/'.join(map(str, error.absolute_path))}: {detail}")
    assert not problems, "\n".join(problems)


def test_cards_are_translated_and_no_message_id_leaks(exported):
    out, index = exported
    texts: dict[tuple[str, str], str] = {}
    leaks = []
    for entry in index:
        card = _load(out, entry)
        texts[(entry["name"], entry["lang"])] = json.dumps(card, ensure_ascii=False)
        for node in _walk(card):
            for key in ("text", "title", "label", "placeholder", "errorMessage", "fallbackText"):
                if isinstance(node.get(key), str) and MESSAGE_ID.match(node[key]):
                    leaks.append(f"{entry['file']}: {key} = {node[key]!r}")
    assert not leaks, "\n".join(leaks)
    same = sorted(name for (name, lang) in texts if lang == "nn" and texts[(name, "nn")] == texts[(name, "en")])
    assert not same, f"cards that read the same in Nynorsk and English (strings not translated?): {same}"


def test_every_button_reaches_a_registered_action(exported):
    """A card button whose action no dialog handles would answer 'stale card' forever."""
    from dialogs import capabilities, router

    capabilities.load()
    out, index = exported
    missing = set()
    for entry in index:
        for node in _walk(_load(out, entry)):
            if node.get("type") == "Action.Execute":
                name = node.get("verb") or (node.get("data") or {}).get("action")
            elif node.get("type") == "Action.Submit":
                name = (node.get("data") or {}).get("action")
            else:
                continue
            if name and name not in router.CARD_ACTIONS:
                missing.add(f"{entry['name']}: {name}")
    assert not missing, sorted(missing)


def test_export_is_repeatable_and_rejects_a_file_as_folder(exported, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    target = tmp_path / "not-a-folder"
    target.write_text("x")
    assert main(["cards", "export", str(target)]) == 2
    assert "not a folder" in capsys.readouterr().err
    _, index = exported
    out = tmp_path / "again"
    assert main(["cards", "export", str(out), "--lang", "nb"]) == 0
    assert main(["cards", "export", str(out), "--lang", "en"]) == 0  # rewrites the index, same names
    again = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert {e["lang"] for e in again} == {"en"}
    assert {e["name"] for e in again} == {e["name"] for e in index}
