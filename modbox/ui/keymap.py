"""Key remapping: ``keymap.toml`` in the user config folder maps binding ids to keys.

    # ~/.config/modbox/keymap.toml
    "workspace.run" = "ctrl+r,f5,ctrl+j"
    "play.save" = "ctrl+s"

Every binding in the app has an id (the help screen, F1, lists them); the file is applied with
Textual's ``App.set_keymap``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

from modbox.storage import config_dir


def keymap_path() -> Path:
    return config_dir() / "keymap.toml"


def load_keymap(
    known_ids: Callable[[], set[str]], path: Path | None = None
) -> tuple[dict[str, str], list[str]]:
    """(binding id -> keys, problems worth telling the learner). A missing file is not a problem.

    ``known_ids`` is called only when there is a file to check: listing every binding imports
    every screen, which an app without a keymap.toml need not pay for at start-up."""
    path = path or keymap_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"{path} was ignored: {exc}"]
    keymap, problems, known = {}, [], known_ids()
    for binding_id, keys in data.items():
        if binding_id not in known:
            problems.append(f"{path.name}: no binding has the id {binding_id!r} (F1 lists them)")
        elif not isinstance(keys, str) or not keys.strip():
            problems.append(f"{path.name}: {binding_id!r} needs keys as text, like \"ctrl+r\"")
        else:
            keymap[binding_id] = keys
    return keymap, problems
