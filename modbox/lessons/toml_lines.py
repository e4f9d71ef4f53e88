"""Find the line of a key in a TOML file, so validation errors can say ``file:line``.

``tomllib`` returns plain dicts without positions. This scanner reads the text once and records,
for each table header and each ``key =`` line, the line where it starts. Paths use the same
shape as the parsed data: ``("predictions", 1, "choices", 0, "correct")`` is the ``correct``
key of the first ``[[predictions.choices]]`` under the second ``[[predictions]]``. Keys inside
inline tables and arrays are not located; their enclosing key's line is used instead.
"""

from __future__ import annotations

import re

Path = tuple  # of str and int


def key_lines(text: str) -> dict[Path, int]:
    lines: dict[Path, int] = {}
    arrays: dict[Path, int] = {}  # array-of-tables path -> how many entries so far
    table: Path = ()
    in_multiline: str | None = None  # the closing delimiter while inside ''' or """
    depth = 0  # open [ and { of a value spanning lines
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline is None and depth == 0:
            stripped = line.strip()
            if stripped.startswith("[["):
                parts = _split_key(stripped[2 : stripped.find("]]")])
                path = _resolve(parts[:-1], arrays) + (parts[-1],)
                index = arrays.get(path, 0)
                arrays[path] = index + 1
                table = path + (index,)
                lines.setdefault(table, number)
                lines.setdefault(path, number)
                continue
            if stripped.startswith("["):
                parts = _split_key(stripped[1 : stripped.find("]")])
                table = _resolve(parts[:-1], arrays) + (parts[-1],)
                lines.setdefault(table, number)
                continue
            equals = _find_equals(stripped)
            if equals < 0:
                continue
            lines.setdefault(table + tuple(_split_key(stripped[:equals])), number)
            line = stripped[equals + 1 :]
        in_multiline, depth = _scan_value(line, in_multiline, depth)
    return lines


def line_of(lines: dict[Path, int], path: Path) -> int:
    """The line of ``path``, or of its closest located ancestor; 1 when nothing is known."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


def _resolve(parts: list[str], arrays: dict[Path, int]) -> Path:
    """Turn header parts into a data path: a name that is an array of tables means its last entry."""
    path: Path = ()
    for part in parts:
        path += (part,)
        if path in arrays:
            path += (arrays[path] - 1,)
    return path


def _split_key(key: str) -> list[str]:
    parts, current, quote = [], "", None
    for ch in key.strip():
        if quote:
            if ch == quote:
                quote = None
            else:
                current += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return parts


def _find_equals(line: str) -> int:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return -1
        elif ch == "=":
            return i
    return -1


_INTERESTING = re.compile(r"\"\"\"|'''|[\"'#\[\]{}]")


def _scan_value(text: str, in_multiline: str | None, depth: int) -> tuple[str | None, int]:
    """Follow strings and brackets through ``text``; return the state at its end."""
    i = 0
    while True:
        if in_multiline:
            end = text.find(in_multiline, i)
            while end > 0 and in_multiline == '"""' and _escaped(text, end):
                end = text.find(in_multiline, end + 1)
            if end < 0:
                return in_multiline, depth
            i, in_multiline = end + 3, None
            continue
        match = _INTERESTING.search(text, i)
        if match is None:
            return None, max(depth, 0)
        token, i = match.group(), match.end()
        if len(token) == 3:
            in_multiline = token
        elif token in "\"'":
            while i < len(text) and text[i] != token:
                i += 2 if token == '"' and text[i] == "\\" else 1
            i += 1
        elif token == "#":
            return None, max(depth, 0)
        else:
            depth += 1 if token in "[{" else -1


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` follows an odd number of backslashes."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1
