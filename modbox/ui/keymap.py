"""Key remapping: ``keymap.toml`` in the user config folder maps binding ids to keys.

    # ~/.config/modbox/keymap.toml
    "workspace.run" = "ctrl+r,f5,ctrl+j"
    "play.save" = "ctrl+s"

Every binding in the app has an id (the help screen, F1, lists them); the file is applied with
Textual's ``App.set_keymap``. A file that cannot be read is ignored with a message that says why,
and left where it is: it is the learner's own, and modbox never writes it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from textual.binding import Binding
from textual.keys import REPLACED_KEYS, Keys, key_to_character

from modbox.storage import NotText, config_dir, read_text, toml_parser

MODIFIERS = {"ctrl", "alt", "shift", "super", "meta", "hyper"}
NAMED_KEYS = {k.value for k in Keys if "+" not in k.value}


def keymap_path() -> Path:
    return config_dir() / "keymap.toml"


def load_keymap(
    known_bindings: Callable[[], dict[str, Binding]], path: Path | None = None
) -> tuple[dict[str, str], list[str]]:
    """(binding id -> keys, problems worth telling the learner). A missing file is not a problem.

    ``known_bindings`` (id -> the binding) is called only when there is a file to check: listing
    every binding imports every screen, which an app without a keymap.toml need not pay for at
    start-up."""
    path = path or keymap_path()
    try:
        text = read_text(path)
    except FileNotFoundError:
        return {}, []
    except NotText as exc:
        return {}, [f"{path} was ignored: {exc}."]
    except OSError as exc:
        return {}, [f"{path} was ignored: it could not be read ({exc.strerror or exc}). It should be "
                    "a text file you can read (check its permissions)."]
    tomllib = toml_parser()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, [f"{path} was ignored: {exc}"]
    keymap, problems, known = {}, [], known_bindings()
    for binding_id, keys in _by_dotted_id(data).items():
        if binding_id not in known:
            problems.append(f"{path.name}: no binding has the id {binding_id!r} (F1 lists them)")
        elif not isinstance(keys, str) or not keys.strip():
            problems.append(f"{path.name}: {binding_id!r} needs keys as text, like \"ctrl+r\"")
        elif problem := keys_problem(keys, known[binding_id]):
            problems.append(f"{path.name}: {binding_id!r} = {keys!r} was ignored: {problem}")
        else:
            keymap[binding_id] = keys
    return keymap, problems


def _by_dotted_id(data: dict, prefix: str = "") -> dict:
    """The file's entries by dotted id. Ids have dots ("app.quit"), and TOML reads an unquoted
    ``app.quit = "ctrl+x"`` as a table ``app`` holding ``quit``: both spellings mean the id."""
    flat = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_by_dotted_id(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def keys_problem(keys: str, binding: Binding) -> str:
    """Why ``keys`` (comma-separated) cannot be used for ``binding``, or ""."""
    for key in (k.strip() for k in keys.split(",")):
        *modifiers, base = key.split("+")
        wrong = [m for m in modifiers if m not in MODIFIERS] or len(set(modifiers)) < len(modifiers)
        if not base or wrong or not _is_key_name(base):
            return (f"{key!r} is not a key. Write keys like \"ctrl+r\", \"alt+s\" or \"f5\": "
                    f"modifiers ({', '.join(sorted(MODIFIERS))}) joined by + to one key.")
        plain = set(modifiers) <= {"shift"} and not re.fullmatch(r"f\d+", base)
        if plain and binding.priority:
            # a priority binding sees the key before the focused widget: the editor would never
            # get this letter (or enter, tab, an arrow) again
            return (f"this binding takes its key before the editor does, so {key!r} could never "
                    "be typed or used for editing again. Use a key with ctrl or alt, or a "
                    "function key (f1 to f12).")
    return ""


def _is_key_name(name: str) -> bool:
    """A key Textual can report: one character, a named key (f5, home, …) or a character's name
    (question_mark, slash, …)."""
    return (len(name) == 1 or name in NAMED_KEYS
            or key_to_character(REPLACED_KEYS.get(name, name)) is not None)
