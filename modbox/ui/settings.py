"""What modbox remembers between launches for the learner: ``settings.json`` in the config folder.

    {"theme": "textual-light"}

Only modbox writes it (the key bindings the learner edits are in keymap.toml). A file that cannot
be read is renamed aside (``settings.json.corrupt-<time>``, ``.unreadable-<time>`` when it cannot
even be opened) with a message, and the defaults apply.
"""

from __future__ import annotations

import json
from pathlib import Path

from modbox.storage import Unreadable, atomic_write_text, config_dir, put_aside, read_kept_file


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load_settings() -> tuple[dict, str]:
    """(the settings, a problem worth telling the learner or ""). A missing file is no problem."""
    path = settings_path()
    try:
        raw = read_kept_file(path)
    except Unreadable as exc:
        return {}, exc.says("Your settings file", "the defaults apply")
    except OSError as exc:
        return {}, f"Your settings in {path} could not be read ({exc.strerror or exc}): the defaults apply."
    if raw is None:
        return {}, ""
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a modbox settings file")
        return data, ""
    except ValueError as exc:
        why = "bytes that are not text" if isinstance(exc, UnicodeDecodeError) else "it is damaged"
        try:
            kept = f"It was kept as {put_aside(path, 'corrupt')}"
        except OSError:
            kept = "It was left where it is"
        return {}, f"Your settings file could not be read ({why}). {kept} and the defaults apply."


def save_setting(key: str, value) -> str:
    """Remember ``key``; returns a problem worth telling the learner, or ""."""
    data, _ = load_settings()
    data[key] = value
    try:
        atomic_write_text(settings_path(), json.dumps(data, indent=1, sort_keys=True))
    except OSError as exc:
        return f"Could not remember the {key} ({exc.strerror or exc}): it applies until you quit."
    return ""
