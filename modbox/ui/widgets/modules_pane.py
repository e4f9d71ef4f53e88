"""The Modules pane: the tree of registered submodules, built lazily, and the selected node's tensors."""

from __future__ import annotations

from collections import defaultdict

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from modbox import formatting as fmt
from modbox.presentation import faults, same_object_as
from modbox.report import WHY_FINDINGS, Model, ModuleRow

_TRAINABLE_BADGE = {"all": ("trainable", "green"), "none": ("frozen", "yellow"), "partial": ("partly frozen", "yellow")}


CHUNK = 500  # children added per step: a Sequential of 10,000 layers still opens at once


def _parent(path: str) -> str:
    return path.rpartition(".")[0] if path else ""


def _ancestors(path: str) -> list[str]:
    """``a.b.c`` -> ``["", "a", "a.b"]``: the paths above a module."""
    parts = path.split(".") if path else []
    return [".".join(parts[:i]) for i in range(len(parts))]


def module_label(row: ModuleRow, name: str | None = None, fault: str = "") -> Text:
    """``name Class  total (own N) badges → output shape``, and ``✗ fault`` for a module a
    why-finding names; ``name`` defaults to the last path part."""
    name = name or row.path.rpartition(".")[2]
    label = Text.assemble((name, "bold"))
    label.append(f" {row.cls}", style="dim")
    label.append(f"  {fmt.count(row.total_params)}")
    if row.own_params and row.own_params != row.total_params:
        label.append(f" (own {fmt.count(row.own_params)})", style="dim")
    if row.total_params:
        word, colour = _TRAINABLE_BADGE.get(row.trainable, (row.trainable, "yellow"))
        if row.trainable != "all":
            label.append(f" {word}", style=colour)
    for badge in row.devices + row.dtypes:
        label.append(f" {badge}", style="cyan")
    if row.output_shape is not None:
        label.append(f" → {fmt.shape(row.output_shape)}", style="magenta")
    label.append(same_object_as(row), style="yellow")
    if fault:
        label.append(f"  ✗ {fault}", style="bold red")
    return label


class ModuleTree(Tree[ModuleRow]):
    """Children are added when their parent is first expanded, so a 10,000-module model opens at once."""

    def __init__(self, **kwargs):
        super().__init__(Text("no model yet"), **kwargs)  # a str is markup: 3 ms of rich's emoji table
        self.show_root = True
        self._children: dict[str, list[ModuleRow]] = {}
        self._filled: set[int] = set()
        self._more: dict[int, tuple[TreeNode[ModuleRow], int]] = {}
        self._faults: dict[str, str] = {}

    def show_model(self, model: Model | None) -> None:
        expanded = self._expanded_paths()
        self.clear()
        self._filled.clear()
        self._more.clear()
        self._children = defaultdict(list)
        self._faults = faults(model) if model is not None else {}
        if model is None or not model.modules:
            self.root.set_label(Text("no nn.Module in this file yet", style="dim"))
            self.root.data = None
            return
        root_row = None
        for row in model.modules:
            if row.path == "" and root_row is None:
                root_row = row
            else:
                self._children[_parent(row.path)].append(row)
        root_row = root_row or ModuleRow(path="", cls=model.cls, depth=0, own_params=0,
                                         total_params=model.total_params, trainable="all", training=True)
        self.root.set_label(module_label(root_row, name=model.name, fault=self._faults.get("", "")))
        self.root.data = root_row
        self._fill(self.root)
        self.root.expand()
        for node in list(self.root.children):
            if node.data is not None and (node.data.path in expanded or len(self.root.children) <= 8):
                self._fill(node)
                node.expand()
        self._open_to_faults()

    def _open_to_faults(self) -> None:
        """Expand the way down to every module a why-finding names, so its mark is in sight."""
        wanted = {p for path in self._faults for p in _ancestors(path)}
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.data is None or node.data.path not in wanted:
                continue
            self._fill(node)
            node.expand()
            stack.extend(node.children)

    def _expanded_paths(self) -> set[str]:
        out = set()
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            if node.is_expanded and node.data is not None:
                out.add(node.data.path)
                stack.extend(node.children)
        return out

    def _fill(self, node: TreeNode[ModuleRow], start: int = 0) -> None:
        """Add ``node``'s children from ``start``, at most CHUNK of them, then a "more" leaf."""
        if node.data is None or (start == 0 and node.id in self._filled):
            return
        self._filled.add(node.id)
        rows = self._children.get(node.data.path, ())
        for row in rows[start : start + CHUNK]:
            label = module_label(row, fault=self._faults.get(row.path, ""))
            if self._children.get(row.path):
                node.add(label, data=row)
            else:
                node.add_leaf(label, data=row)
        left = len(rows) - start - CHUNK
        if left > 0:
            more = node.add_leaf(Text(f"… {fmt.count(left)} more: press enter to show", style="dim italic"))
            self._more[more.id] = (node, start + CHUNK)

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        self._fill(event.node)

    def _on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        pending = self._more.pop(event.node.id, None)
        if pending is not None:
            event.node.remove()
            self._fill(*pending)


class ModulesPane(Vertical):
    """The tree on top; the highlighted module's own parameters and buffers below it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.model: Model | None = None

    def compose(self) -> ComposeResult:
        yield ModuleTree(id="module-tree")
        with VerticalScroll(id="module-detail"):
            yield Static(Text("Select a module to see its parameters and buffers.", style="dim"),
                         id="module-detail-text")

    def show_model(self, model: Model | None) -> None:
        self.model = model
        self.query_one(ModuleTree).show_model(model)
        at_fault = faults(model) if model else {}
        first = next((r for r in model.modules if r.path in at_fault), None) if at_fault else None
        self._show_detail(first or (model.modules[0] if model and model.modules else None))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        event.stop()
        self._show_detail(event.node.data)

    def _show_detail(self, row: ModuleRow | None) -> None:
        detail = self.query_one("#module-detail-text", Static)
        if row is None or self.model is None:
            detail.update(Text("Select a module to see its parameters and buffers.", style="dim"))
            return
        prefix = f"{row.path}." if row.path else ""

        def own(name: str) -> bool:
            return name.startswith(prefix) and "." not in name[len(prefix):]

        text = Text.assemble((row.path or self.model.name, "bold"))
        text.append(f"  ({row.cls})", style="dim")
        text.append("  training" if row.training else "  eval mode", style="dim")
        params = [p for p in self.model.parameters if own(p.name)]
        buffers = [b for b in self.model.buffers if own(b.name)]
        if not params and not buffers:
            text.append("\nno parameters or buffers of its own", style="dim")
        for p in params:
            text.append(f"\n  param  {p.name[len(prefix):]:<16} {fmt.shape(p.shape):<14} "
                        f"{fmt.count(p.numel):>10}  {p.dtype} {p.device}")
            if not p.requires_grad:
                text.append("  frozen", style="yellow")
        for b in buffers:
            text.append(f"\n  buffer {b.name[len(prefix):]:<16} {fmt.shape(b.shape):<14} "
                        f"{'':>10}  {b.dtype} {b.device}")
            if not b.persistent:
                text.append("  not in state_dict", style="yellow")
        for f in self.model.findings:
            if f.path == row.path and f.kind in WHY_FINDINGS:
                text.append(f"\n✗ {f.kind}", style="bold red")
                text.append(f"  {f.message}")
        detail.update(text)
