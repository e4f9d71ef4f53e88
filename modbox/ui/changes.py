"""What changed between two good runs, said in one short line (parameter delta, modules added/removed)."""

from __future__ import annotations

from modbox.report import Model
from modbox import formatting as fmt


def describe_change(old: Model | None, new: Model | None, limit: int = 3) -> str:
    """"" when nothing a learner would notice changed; otherwise e.g. ``params -96 · removed: layers.1``."""
    if old is None or new is None or old.name != new.name:
        return ""
    parts = []
    delta = new.total_params - old.total_params
    if delta:
        parts.append(f"params {fmt.signed(delta)} (now {fmt.count(new.total_params)})")
    before = {m.path for m in old.modules}
    after = {m.path for m in new.modules}
    for word, paths in (("added", after - before), ("removed", before - after)):
        if paths:
            names = sorted(paths)
            more = f" +{len(names) - limit} more" if len(names) > limit else ""
            parts.append(f"{word}: {', '.join(names[:limit])}{more}")
    return " · ".join(parts)
