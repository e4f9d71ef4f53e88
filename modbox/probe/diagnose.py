"""Why a model fails or does not learn: findings from what the run did, each at the module at fault.

- ``shape_mismatch``: a forward failed on a shape (see ``shapes``).
- ``nan_or_inf``: the first module whose output held NaN or Inf although its inputs did not; in
  the learner's own ``forward``, the operations there that make them.
- ``dead_activation``: a ReLU whose outputs were all zero in its latest calls; why, from the
  layer before it.
- ``vanishing_gradient`` / ``exploding_gradient``: from the output layer back to the input layer,
  the gradients (relative to the weights) shrink or grow by orders of magnitude.
- ``no_gradient``: trainable parameters that never got a gradient although backward passes
  reached the rest of the model: a module never called, run under ``torch.no_grad()``, or cut
  off by ``.detach()`` / ``.data``.
"""

from __future__ import annotations

import ast
import linecache
import math

import torch
from torch import nn

from modbox.probe import tree
from modbox.probe.describe import View
from modbox.probe.findings import _Context, _common_path, _listed
from modbox.probe.shapes import explain

# A ReLU is dead when at least this fraction of its outputs were exactly 0 in each of its
# latest DEAD_CALLS calls with statistics. A healthy ReLU passes about half its values (a
# freshly initialised layer gives zero-mean pre-activations); even a sparse, well-trained one
# keeps far more than 1% alive, while a ReLU after a bias pushed far below zero, or after a
# learning rate that sent the weights negative, gives exactly 0 everywhere.
DEAD_FRACTION = 0.99
DEAD_CALLS = 3
DEAD_MIN_VALUES = 32  # fewer values than this in those calls say too little
_RELUS = (nn.ReLU, nn.ReLU6, nn.Threshold)

# Gradients vanish when, from the output layer back to the input layer, the typical gradient of
# one weight (||grad|| / sqrt(numel), which does not depend on a layer's size) falls by more
# than VANISH times; they explode when it grows by more than EXPLODE times. Healthy MLPs, CNNs,
# ResNets, LSTMs, GRUs and transformers (tests/test_probe_why.py) stay within 20x after a few
# steps (the input layer gets 0.05x to 0.5x of the output layer's); 12 sigmoid layers already
# give 1e-5 and 24 reach 1e-21.
VANISH = 1e-3
EXPLODE = 1e3
# In a plain feed-forward stack, weights that are too large make every layer's gradient huge
# at once (the growth going back is matched by the activations' growth going forward, so the
# profile stays flat): an input-side layer whose gradient is over EXPLODE_ABS times its weights
# explodes too. One SGD step with a learning rate of 1e-3 would move each of its weights a
# thousand times its own size. Healthy models measure below 1 there. Unscaled data is large at
# the output layer but shrinks on the way back (targets around 5,000 from inputs up to 100:
# 1e6 at the output, 5e4 at the input layer; Adam still trains it), while weights 2x too large
# in 16 ReLU layers give 3e8 at the input layer and a recurrent weight too large 2e11.
EXPLODE_ABS = 1e6
MIN_LAYERS = 3  # depth to speak of gradients vanishing or exploding across
# Layers are ordered by their first forward call, which is their depth only in a chain; a model
# with side branches (one calls several layers on the same input, or whose output ignores some
# of them) has no such order. So a change counts as vanishing or exploding only when it is a
# trend: in at least TREND of the steps from one layer to the next, the ratio moves the same way.
TREND = 0.8


def diagnose(view: View, session) -> list[dict]:
    ctx = _Context(view, session.facts)
    found: list[dict] = []
    for check in (_shape, _nan, _dead, _dead_inputs, _gradients, _no_gradient):
        try:
            check(ctx, session, found)
        except Exception:  # one check that cannot read this model leaves the others
            pass
    return found


def _finding(kind: str, path: str, message: str, line: int | None) -> dict:
    return {"kind": kind, "severity": "warning", "path": path, "message": message, "line": line}


def _path(ctx: _Context, module) -> str | None:
    paths = ctx.view.paths.get(id(module))
    return paths[0] if paths else None


def _who(ctx: _Context, path: str) -> str:
    return f"`{ctx.where(path)}`"


# -- shape_mismatch ---------------------------------------------------------------------


def _shape(ctx: _Context, session, found: list) -> None:
    failure = session.facts.failure
    if failure is None:
        return
    finding = explain(failure, ctx, session.filename)
    if finding is not None:
        found.append(finding)


# -- nan_or_inf -------------------------------------------------------------------------

# Operations that make NaN or Inf from finite inputs, and how.
_UNSAFE = {
    "log": "log of 0 is -inf and of a negative number NaN",
    "log2": "log of 0 is -inf and of a negative number NaN",
    "log10": "log of 0 is -inf and of a negative number NaN",
    "sqrt": "sqrt of a negative number is NaN",
    "rsqrt": "rsqrt of 0 is inf and of a negative number NaN",
    "pow": "a fractional power of a negative number is NaN",
    "exp": "exp overflows to inf above about 88 in float32",
    "div": "division by 0 gives inf (0/0 NaN)",
    "true_divide": "division by 0 gives inf (0/0 NaN)",
    "reciprocal": "1/0 is inf",
    "acos": "acos outside [-1, 1] is NaN",
    "asin": "asin outside [-1, 1] is NaN",
    "atanh": "atanh outside (-1, 1) is NaN or inf",
}


def _nan(ctx: _Context, session, found: list) -> None:
    origin = session.facts.nan_origin
    loss = session.facts.loss_nan
    if loss is not None and (origin is None or (origin["step"] > loss["step"]
                                                and not _outputs_grew(ctx, session, loss["step"]))):
        # the loss went bad while the outputs were finite and had not blown up: its own code did
        _loss_nan(ctx, session, loss, found)
        return
    if origin is None:
        return
    module = origin["module"]
    path = _path(ctx, module)
    if path is None:
        return
    who = _who(ctx, path)
    bad = []
    if origin["nan"]:
        bad.append(f"{origin['nan']:,} NaN")
    if origin["inf"]:
        bad.append(f"{origin['inf']:,} Inf")
    what = f"{' and '.join(bad)} of its {origin['numel']:,} output values"
    when = f"in call {origin['call'] + 1}" + (f", after {origin['step']} optimizer steps" if origin["step"] else "")
    if origin["bad_params"]:
        params = _listed([f"{path}.{n}" if path else n for n in origin["bad_params"]])
        first = ""
        if loss is not None and loss["step"] < origin["step"]:
            at = f" (line {loss['line']})" if loss["line"] else ""
            first = (f" The loss given to backward(){at} was already NaN or Inf after "
                     f"{loss['step']} steps, and its gradients spread it into the weights.")
        message = (f"{who} output {what} {when} because {params} already held NaN or Inf: an "
                   f"optimizer step wrote them.{first} Lower the learning rate, scale the inputs "
                   f"and targets, or clip the gradients (torch.nn.utils.clip_grad_norm_).")
        found.append(_finding("nan_or_inf", path, message, origin["line"]))
        return
    if origin["bad_inputs"]:
        message = (f"The input of {who} already held NaN or Inf {when} (its output had {' and '.join(bad)}): "
                   f"they come from the data or from code before the model; check with "
                   f"torch.isfinite(x).all().")
        found.append(_finding("nan_or_inf", path, message, origin["line"]))
        return
    ops = _unsafe_ops(module, session.filename)
    inside = origin["inside"]
    if inside is not None:
        child = inside[2]
        child_who = _who(ctx, child) if _path(ctx, inside[0]) is not None else f"`{inside[3]}`"
        made = (f"NaN or Inf first appeared inside {who}'s own forward {when}, from finite inputs: "
                f"its code made them before {child_who}, whose input held them")
    else:
        made = (f"{who} ({type(module).__name__}) output {what} {when} from finite inputs and "
                f"parameters")
    if ops:
        listed = "; ".join(f"line {line} `{code}` ({why})" for line, code, why in ops[:3])
        message = (f"{made}. In its forward: {listed}. Keep the argument in range (e.g. "
                   f"torch.log(x.clamp_min(1e-8)), or F.log_softmax for the log of a softmax).")
        found.append(_finding("nan_or_inf", path, message, ops[0][0]))
        return
    steps = (" The weights grew with the optimizer steps before: lower the learning rate."
             if origin["step"] else "")
    message = (f"{made}: its values overflow or it divides by zero; "
               f"scale the inputs down or check its configuration.{steps}")
    found.append(_finding("nan_or_inf", path, message, ctx.line(path) or origin["line"]))


# The model's outputs grew this many times over the steps before a loss went NaN or Inf: the
# steps blew them up (a learning rate too high), not the loss's own code.
GREW = 100.0


def _outputs_grew(ctx: _Context, session, step: int) -> bool:
    series = session.values.series.get(id(ctx.view.model))
    points = [p for p in series.points if p["max"] is not None and p["step"] <= step] if series else []
    if len(points) < 2:
        return False
    size = [max(abs(p["min"]), abs(p["max"])) for p in points]
    return size[0] > 0 and size[-1] >= GREW * size[0]


def _loss_nan(ctx: _Context, session, loss: dict, found: list) -> None:
    series = session.values.grads.get(ctx.view.name)
    if series is None or not series.backwards:
        return  # the bad loss did not come from this model
    after = f" after {loss['step']} optimizer steps" if loss["step"] else ""
    at = f" on line {loss['line']}" if loss["line"] else ""
    message = (f"The loss given to backward(){at} was NaN or Inf{after}, while every output of "
               f"`{ctx.view.name}` was finite: the loss computation made it (a log of 0, a division "
               f"by 0, a softmax's log taken by hand). Use F.cross_entropy or F.log_softmax, or clamp "
               f"the argument; its gradients would make the weights NaN.")
    found.append(_finding("nan_or_inf", "", message, loss["line"]))


def _unsafe_ops(module, filename: str) -> list[tuple[int, str, str]]:
    """Calls in the learner's ``forward`` of ``module`` that can make NaN or Inf."""
    forward = getattr(type(module), "forward", None)
    code = getattr(forward, "__code__", None)
    if code is None or code.co_filename != filename:
        return []
    tree_ = _function_ast(filename, code.co_firstlineno)
    if tree_ is None:
        return []
    out = []
    for node in ast.walk(tree_):
        name = None
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            name = "div"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            name = "pow"
        if name in _UNSAFE:
            line = node.lineno
            out.append((line, linecache.getline(filename, line).strip(), _UNSAFE[name]))
    out.sort()
    seen, unique = set(), []
    for item in out:
        if item[0] not in seen:
            seen.add(item[0])
            unique.append(item)
    return unique


def _function_ast(filename: str, first_line: int):
    """The function defined at ``first_line`` of the learner's file (decorators included)."""
    try:
        source = "".join(linecache.getlines(filename))
        module = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if start == first_line or node.lineno == first_line:
                return node
    return None


# -- dead_activation --------------------------------------------------------------------


def _dead(ctx: _Context, session, found: list) -> None:
    values = session.values
    for key, series in values.series.items():
        module = series.entry[0]
        if not isinstance(module, _RELUS):
            continue
        path = _path(ctx, module)
        if path is None:
            continue
        points = [p for p in series.points if p["mean"] is not None]
        latest = points[-DEAD_CALLS:]
        if len(latest) < min(DEAD_CALLS, series.calls) or not latest:
            continue
        if sum(p["numel"] for p in latest) < DEAD_MIN_VALUES:
            continue
        if not all(p["zeros"] >= DEAD_FRACTION for p in latest):
            continue
        share = min(p["zeros"] for p in latest)
        calls = f"its last {len(latest)} calls" if len(latest) > 1 else "its call"
        message = (f"{_who(ctx, path)} ({type(module).__name__}) outputs exactly 0 for "
                   f"{share:.0%} of its values in {calls} (of {series.calls}): its units are dead, "
                   f"so no gradient flows back through it and the layers before it stop learning. "
                   f"{_why_dead(ctx, session, series, points)}")
        found.append(_finding("dead_activation", path, message, ctx.line(path)))


def _dead_inputs(ctx: _Context, session, found: list) -> None:
    """An activation applied in the learner's forward (F.relu, torch.relu) that zeroes every
    value between two layers: the layer after it gets only zeros."""
    values = session.values.series
    reported = {f["path"] for f in found if f["kind"] == "dead_activation"}
    for series in values.values():
        before = series.before
        if before is None or isinstance(series.entry[0], _RELUS) or isinstance(before[0], _RELUS):
            continue
        latest = [p for p in series.points if p.get("input_zeros") is not None][-DEAD_CALLS:]
        if len(latest) < min(DEAD_CALLS, series.calls) or not latest:
            continue
        if not all(p["input_zeros"] >= DEAD_FRACTION for p in latest):
            continue
        made = values.get(id(before[0]))
        if made is None:
            continue
        outs = [p for p in made.points if p["max"] is not None][-DEAD_CALLS:]
        if not outs or any(p["zeros"] >= 0.5 or p["max"] > 0 for p in outs):
            continue  # zeros it made itself, or values a ReLU would have kept
        path, after = _path(ctx, before[0]), _path(ctx, series.entry[0])
        if path is None or after is None or path in reported:
            continue
        reported.add(path)
        top = max(p["max"] for p in outs)
        message = (f"{_who(ctx, path)} gives only values <= 0 (its largest output was {top:.3g}) and "
                   f"the activation applied to them before {_who(ctx, after)} (F.relu or torch.relu in "
                   f"forward) turns every one into 0, so {_who(ctx, after)} gets only zeros and no "
                   f"gradient flows back. {_bias_hint(before[0])}")
        found.append(_finding("dead_activation", path, message, ctx.line(path)))


def _bias_hint(layer) -> str:
    bias = getattr(layer, "bias", None)
    if isinstance(bias, torch.Tensor) and bias.numel() and bias.is_floating_point():
        mean = float(bias.detach().float().mean())
        if mean < 0:
            return (f"Its bias averages {mean:.3g}, far below zero: initialise it near 0 "
                    f"(nn.init.zeros_) or use F.leaky_relu.")
    return "Check its initialisation and the scale of its inputs, or use F.leaky_relu."


def _why_dead(ctx: _Context, session, series, points: list) -> str:
    before = series.before
    layer = before[0] if before is not None else None
    before_path = _path(ctx, layer) if layer is not None else None
    name = _who(ctx, before_path) if before_path is not None else "The layer before it"
    alive = [p for p in points if p["zeros"] < DEAD_FRACTION]
    if alive and alive[0]["call"] < points[-1]["call"]:
        step = next(p["step"] for p in points if p["call"] > alive[-1]["call"])
        return (f"It was active until call {alive[-1]['call'] + 1} and dead from optimizer step "
                f"{step} on: a learning rate too high pushed {name}'s weights or bias negative; "
                f"lower it (or use nn.LeakyReLU).")
    bias = getattr(layer, "bias", None) if layer is not None else None
    outs = session.values.series.get(id(layer)) if layer is not None else None
    top = max((p["max"] for p in outs.points if p["max"] is not None), default=None) if outs else None
    seen = f" (its largest output was {top:.3g})" if top is not None else ""
    if isinstance(bias, torch.Tensor) and bias.numel() and bias.is_floating_point():
        mean = float(bias.detach().float().mean())
        if mean < 0:
            return (f"{name} gives only values <= 0{seen}: its bias averages {mean:.3g}, far "
                    f"below zero; initialise it near 0 (nn.init.zeros_) or use nn.LeakyReLU.")
    return (f"{name} gives only values <= 0{seen}: check its initialisation and the scale of its "
            f"inputs, or use nn.LeakyReLU.")


# -- vanishing_gradient / exploding_gradient ---------------------------------------------


def layer_profile(ctx: _Context, session) -> tuple[list, int] | None:
    """The weight layers (leaf modules' parameters of 2 or more dimensions, embeddings left
    out) in the order their forward first finished, each with its gradient in the latest
    backward pass that gave all of them a norm: ([(path, parameter name, rms, ratio)], pass).
    ``rms`` is ||grad|| / sqrt(numel), the typical size of one weight's gradient; ``ratio`` is
    ||grad|| / ||weight||, how far one SGD step with learning rate 1 would move the weights
    (None for weights that are all zero)."""
    series = session.values.grads.get(ctx.view.name)
    if series is None:
        return None
    order = {key: i for i, key in enumerate(session.values.series)}
    layers = []
    for row in ctx.view.rows:
        m = row.module
        if isinstance(m, (nn.Embedding, nn.EmbeddingBag)) or id(m) not in order or m._modules:
            continue
        if _path(ctx, m) != row.path:
            continue
        for pname, p in list(m._parameters.items()):
            if p is None or p.dim() < 2 or not p.requires_grad or p.is_meta:
                continue
            name = f"{row.path}.{pname}" if row.path else pname
            if name in series.norms:
                layers.append((order[id(m)], row.path, name, p))
    if len(layers) < MIN_LAYERS:
        return None
    layers.sort(key=lambda item: item[0])
    common = None
    for _, _, name, _ in layers:
        passes = {pt["backward"] for pt in series.norms[name]}
        common = passes if common is None else common & passes
    if not common:
        return None
    last = max(common)
    profile = []
    for _, path, name, p in layers:
        norm = next(pt["norm"] for pt in series.norms[name] if pt["backward"] == last)
        if norm is None:  # an Inf or NaN gradient
            norm = math.inf
        weight = float(p.detach().double().norm())
        ratio = norm / weight if weight and math.isfinite(weight) else None
        profile.append((path, name, norm / math.sqrt(p.numel()), ratio))
    return profile, last


def _gradients(ctx: _Context, session, found: list) -> None:
    result = layer_profile(ctx, session)
    if result is None:
        return
    profile, last = result
    out = profile[-1][2]
    first_path, first_name, first, first_ratio = profile[0]
    n = len(profile)
    where = f"backward pass {last + 1}"
    if out == 0 or not math.isfinite(out):
        return  # nothing reached the output layer (no_gradient's case, a zero loss), or NaN's
    rising = sum(a[2] <= b[2] for a, b in zip(profile, profile[1:])) / (n - 1)
    if first <= out * VANISH and rising >= TREND:
        crossing = _run_from_input(profile, lambda r: r <= out * VANISH)
        message = (f"Gradients vanish from the output back to the input: `{first_name}` (layer 1 of "
                   f"{n}) gets a gradient {_times(first, out)} the output layer's "
                   f"`{profile[-1][1]}` (typical size per weight {first:.2g} against {out:.2g}, "
                   f"{where}); below 1/{1 / VANISH:.0f} of it from layer {crossing + 1} "
                   f"(`{profile[crossing][0]}`) down to the input, so those layers barely learn. "
                   f"Use ReLU (or GELU) instead of sigmoid/tanh with He initialisation, add "
                   f"normalisation (nn.BatchNorm1d, nn.LayerNorm) or residual connections.")
        found.append(_finding("vanishing_gradient", first_path, message, ctx.line(first_path)))
        return
    grows = first >= out * EXPLODE and 1 - rising >= TREND
    huge = first_ratio is not None and first_ratio >= EXPLODE_ABS
    if not (grows or huge):
        return
    if grows:
        crossing = _run_from_input(profile, lambda r: r >= out * EXPLODE)
        how = (f"`{first_name}` (layer 1 of {n}) gets a gradient {first / out:.2g} times the "
               f"output layer's `{profile[-1][1]}` (typical size per weight {first:.2g} against "
               f"{out:.2g}, {where}); over {EXPLODE:.0f}x from layer {crossing + 1} "
               f"(`{profile[crossing][0]}`) down to the input")
    else:
        crossing = 0
        while crossing + 1 < n and (profile[crossing + 1][3] or 0) >= EXPLODE_ABS:
            crossing += 1
        how = (f"`{first_name}` (layer 1 of {n}) gets a gradient {first_ratio:.2g} times the size "
               f"of its weights ({where}), and so does every layer up to layer {crossing + 1} "
               f"(`{profile[crossing][0]}`), so any usual learning rate throws the weights far off "
               f"in one step")
    message = (f"Gradients explode: {how}. Initialise the weights smaller (the default init or "
               f"nn.init.kaiming_normal_), add normalisation, scale the inputs and targets, or "
               f"clip the gradients (torch.nn.utils.clip_grad_norm_).")
    found.append(_finding("exploding_gradient", first_path, message, ctx.line(first_path)))


def _run_from_input(profile: list, holds) -> int:
    """The last layer of the run of layers, from the input layer on, for which ``holds``."""
    i = 0
    while i + 1 < len(profile) and holds(profile[i + 1][2]):
        i += 1
    return i


def _times(small: float, big: float) -> str:
    if small == 0:
        return "of exactly 0, nothing of"
    return f"{big / small:.2g} times smaller than"


# -- no_gradient --------------------------------------------------------------------------

_CUTS = ("detach", "detach_", "data", "no_grad", "inference_mode", "set_grad_enabled")


def _no_gradient(ctx: _Context, session, found: list) -> None:
    series = session.values.grads.get(ctx.view.name)
    if series is None or not series.backwards or not series.missing:
        return
    missing = set(series.missing)
    # the largest modules whose trainable parameters all missed out: one finding each
    view = ctx.view
    under = [[f"{row.path}.{name}" if row.path else name
              for name, p in tree.named_parameters(row.module) if p.requires_grad]
             for row in view.rows]
    chosen: list[int] = []
    for i, row in enumerate(view.rows):
        names = under[i]
        if not names or not all(n in missing for n in names) or row.path == "":
            continue
        if any(view.rows[c].path == "" or row.path.startswith(view.rows[c].path + ".") for c in chosen):
            continue
        chosen.append(i)
    covered = {n for i in chosen for n in under[i]}
    groups = [(view.rows[i].path, view.rows[i].module, under[i]) for i in chosen]
    rest = sorted(missing - covered)
    if rest:  # parameters held directly by a module that also has parameters with gradients
        groups.append((_common_path([n.rpartition(".")[0] for n in rest]), None, rest))
    calls = session.values.series
    for path, module, names in groups:
        who = _who(ctx, path) if path else f"`{ctx.view.name}`"
        passes = ("in the backward pass" if series.backwards == 1 else
                  f"in any of the {series.backwards} backward passes")
        got = f"got no gradient {passes} that reached the rest of `{ctx.view.name}`"
        params = _listed(names)
        line = None
        if module is not None and (id(module) not in calls or not calls[id(module)].calls):
            why = (f"{who} is never called in forward, so its parameters ({params}) {got}: call it "
                   f"where it belongs, or remove it.")
            line = ctx.line(path)
        elif module is not None and id(module) in session.facts.no_grad_lines and not calls[id(module)].grad_calls:
            line = session.facts.no_grad_lines[id(module)]
            why = (f"{who}'s parameters ({params}) {got}: it ran under torch.no_grad() (or "
                   f"inference_mode) on line {line}, which records nothing to backpropagate. If it "
                   f"should learn, move it out of there; if it should stay fixed, say so with "
                   f"requires_grad_(False) on its parameters.")
        else:
            cuts = _cut_lines(session.filename)
            if cuts:
                line = cuts[0][0]
                listed = "; ".join(f"line {n} `{code}`" for n, code in cuts[:3])
                why = (f"{who}'s parameters ({params}) {got}: something cut its output from the "
                       f"loss, most likely {listed}. .detach() and .data give a tensor without "
                       f"history: use the tensor itself, or, if it should stay fixed, call "
                       f"requires_grad_(False) on its parameters.")
            else:
                why = (f"{who}'s parameters ({params}) {got}: its output does not reach the loss "
                       f"(cut by .detach(), .data or torch.no_grad(), or an unused branch).")
        found.append(_finding("no_gradient", path, why, line))


def _cut_lines(filename: str) -> list[tuple[int, str]]:
    """Lines of the learner's file that cut the autograd graph, inside a ``forward`` first."""
    try:
        module = ast.parse("".join(linecache.getlines(filename)))
    except (SyntaxError, ValueError):
        return []
    in_forward: set[int] = set()
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "forward":
            in_forward.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    lines = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Attribute) and node.attr in _CUTS:
            lines.add(node.lineno)
    ranked = sorted(lines, key=lambda n: (n not in in_forward, n))
    return [(n, linecache.getline(filename, n).strip()) for n in ranked]
