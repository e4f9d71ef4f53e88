"""``shape_mismatch``: a forward that failed on a shape, explained at the module at fault.

The call recorder notes the innermost module call whose forward raised (its input shapes and the
calls that finished before it in the same outermost call). For a layer PyTorch ships, what it
expected comes from its configuration (``in_features``, ``in_channels``, ``num_features``,
``normalized_shape``, ``num_embeddings``, ``input_size``, ``embed_dim``) and what it got from its
input's shape, so the explanation does not depend on the wording of PyTorch's message. For the
learner's own ``forward`` (a matmul, ``cat``, ``view`` or broadcast there), the shapes come from
PyTorch's message and the line from the traceback. Either way the input is traced back to the
call that produced it (same shape, or the same number of values after a flatten or view), so the
fix can be said in the learner's terms.
"""

from __future__ import annotations

import linecache
import math
import re

import torch
from torch import nn

_CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
_BATCHNORM = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.InstanceNorm1d, nn.InstanceNorm2d,
              nn.InstanceNorm3d)
_RNN = (nn.RNN, nn.LSTM, nn.GRU)
_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}


def explain(failure: dict, ctx, filename: str) -> dict | None:
    """The ``shape_mismatch`` finding for ``failure`` when it was one, else None."""
    module = failure["module"]
    paths = ctx.view.paths.get(id(module))
    if paths is None:
        return None
    path = paths[0]
    call = _Call(failure, ctx, path, filename)
    for kind, check in _CHECKS:
        if isinstance(module, kind):
            message = _tuple_input(call, module) or check(call, module)
            if message:
                return _finding(path, message, ctx.line(path) or call.line)
            break
    message = _from_message(call) or _generic(call, module)
    if message:
        return _finding(path, message, call.line)
    return None


# Words PyTorch's messages use when the trouble is a shape; dtype and device errors use none.
_SHAPE_WORDS = re.compile(r"\b(size|sizes|shape|shapes|dimension|dimensions|dim|channels|features)\b",
                          re.IGNORECASE)


def _generic(call: _Call, module) -> str | None:
    """A shape error this module has no explanation for: the input, who made it, and PyTorch's
    own words."""
    if not isinstance(call.error, (RuntimeError, ValueError, AssertionError, IndexError)):
        return None
    if not _SHAPE_WORDS.search(call.text):
        return None
    said = call.text.strip().splitlines()[0][:300].rstrip(".")
    shapes = ", ".join(_fmt(s) for s in call.inputs if isinstance(s, list)) or "its input"
    first = call.shape()
    made = call.producer(first) if first else ""
    if type(module).__module__.startswith("torch."):
        return (f"{call.who} ({type(module).__name__}) failed on {shapes}{made}: PyTorch says "
                f"\"{said}\". Compare that with what the layer was built for.")
    return (f"In {call.who}'s forward{call.at()}, on input {shapes}{made}: PyTorch says \"{said}\". "
            f"Print the shapes just before that line (x.shape) to see which one is off.")


def _finding(path: str, message: str, line: int | None) -> dict:
    return {"kind": "shape_mismatch", "severity": "warning", "path": path, "message": message,
            "line": line}


class _Call:
    """The failed call: its input shapes, who made them, and the learner's line."""

    def __init__(self, failure: dict, ctx, path: str, filename: str):
        self.ctx = ctx
        self.path = path
        self.who = f"`{ctx.where(path)}`"
        self.error = failure["error"]
        self.text = str(self.error)
        self.inputs = [_plain(s) for s in failure["inputs"]]
        self.dtypes = failure["dtypes"]
        self.args = failure.get("args", ())
        self.module = failure["module"]
        self.recent = failure["recent"]
        # (call, output shape) of the calls that finished before, newest first, when the output
        # was one tensor
        self.made = [(e, out) for e, out in ((e, _plain(o)) for e, o in reversed(self.recent))
                     if _is_shape(out)]
        self.line, self.code = _learner_line(self.error, filename)

    def shape(self, i: int = 0) -> list | None:
        s = self.inputs[i] if i < len(self.inputs) else None
        return s if _is_shape(s) else None

    def producer(self, shape: list) -> str:
        """`` (the output of `model.pool`)``, or "" when no call made it."""
        numel = math.prod(shape)
        found = None
        for k, (entry, out) in enumerate(self.made):
            if out == shape or (math.prod(out) == numel and out[:1] == shape[:1]):
                found = (entry, out)
                # the innermost call that made it: a container returns its last child's output
                for inner, inner_out in self.made[k + 1:]:
                    if inner_out != out or not inner[2].startswith(f"{entry[2]}." if entry[2] else ""):
                        break
                    found = entry, out = inner, out
                break
        if found is None or found[0][1] == "":
            return ""
        entry, out = found
        if out == shape:
            return f" (the output of {self.name_of(entry)})"
        return f" ({self.name_of(entry)} gives {_fmt(out)}, flattened to {_fmt(shape)})"

    def name_of(self, entry) -> str:
        """How the learner reaches the module of a call: `model.pool`."""
        return f"`{self.ctx.where(entry[2])}`" if entry[2] else f"`{self.ctx.view.name}`"

    def at(self) -> str:
        if self.line is None:
            return ""
        return f" (line {self.line}: `{self.code}`)" if self.code else f" (line {self.line})"


def _tuple_input(call: _Call, m) -> str | None:
    """A layer given a recurrent layer's whole ``(output, state)`` tuple."""
    if not isinstance(call.error, TypeError) or not call.args:
        return None
    if not isinstance(call.args[0], (tuple, list)):
        return None
    made = ""
    for entry, out in reversed(call.recent):
        if isinstance(entry[0], nn.RNNBase):
            made = (f": {call.name_of(entry)} ({entry[3]}) returns (output, "
                    f"{'(h_n, c_n)' if entry[3] == 'LSTM' else 'h_n'}), so take its first item: "
                    f"output, _ = {call.ctx.where(entry[2]).rpartition('.')[2]}(x)")
            break
    return (f"{call.who} ({type(m).__name__}) takes a tensor but got a tuple of "
            f"{len(call.args[0])}{made or ': pass one tensor (index the tuple)'}.")


def _batch_lost(call: _Call, x: list) -> str | None:
    """The input holds the values of a recent output, but its batch dimension was flattened in."""
    numel = math.prod(x)
    for entry, out in call.made:
        if len(out) >= 2 and math.prod(out) == numel and out[:1] != x[:1]:
            where = call.name_of(entry)
            per = math.prod(out[1:])
            return (f"{call.who} got {_fmt(x)}: all {numel:,} values of {where}'s output "
                    f"{_fmt(out)} in one row, so the batch of {out[0]} was flattened away. Keep it: "
                    f"x.flatten(1) or x.view(x.size(0), -1) gives [{out[0]}, {per}]"
                    f"{'' if per != getattr(call.module, 'in_features', per) else ', which it expects'}.")
    return None


def _linear(call: _Call, m: nn.Linear) -> str | None:
    x = call.shape()
    if not x or x[-1] == m.in_features:
        return None
    lost = _batch_lost(call, x)
    if lost:
        return lost
    build = f"nn.Linear({{}}, {m.out_features}{'' if m.bias is not None else ', bias=False'})"
    if len(x) > 2 and math.prod(x[1:]) == m.in_features:
        return (f"{call.who} expects {m.in_features} features in the last dimension but got "
                f"{_fmt(x)}{call.producer(x)}: a Linear layer works on the last dimension only "
                f"({x[-1]} here), so flatten first: x = torch.flatten(x, 1) or nn.Flatten() "
                f"before {call.who}.")
    got = x[-1]
    source = _source_shape(call, x)
    # "8x13x13 = 1352" only when a flatten made the features from those dimensions; a Linear on
    # [batch, seq, 64] receives 64 features, not seq x 64
    if source is not None and len(source) > 2 and math.prod(source[1:]) == got:
        per = source[1:]
        features = f"{'x'.join(map(str, per))} = {got} features"
    else:
        features = f"{got} features"
    hint = _expected_layout(source, m.in_features) if source is not None else ""
    made = call.producer(x) or f" (input {_fmt(x)})"
    return (f"{call.who} was built with in_features={m.in_features} but receives {features}"
            f"{made}: use {build.format(got)}{hint}.")


def _source_shape(call: _Call, x: list) -> list | None:
    """The shape before a flatten: the producer's output with the same number of values."""
    numel = math.prod(x)
    for _, out in call.made:
        if out[:1] == x[:1] and math.prod(out) == numel:
            return out
    return x


def _expected_layout(source: list, expected: int) -> str:
    """``, or make the layers before it give 8x14x14`` for an image-shaped source."""
    if len(source) != 4:
        return ", or change the layers before it so that they give " + str(expected)
    channels = source[1]
    if expected % channels == 0:
        side = math.isqrt(expected // channels)
        if side * side == expected // channels and source[2] == source[3]:
            change = ("e.g. padding=1 in the convolutions" if side > source[2]
                      else "e.g. another pooling step, or a stride")
            return (f", or make the layers before it give {channels}x{side}x{side} instead of "
                    f"{channels}x{source[2]}x{source[3]} ({change})")
    return f", or change the layers before it so that they give {expected} values per sample"


def _conv(call: _Call, m) -> str | None:
    x = call.shape()
    if x is None:
        return None
    d = len(m.kernel_size)
    cls = type(m).__name__
    layout = f"[N, C, {_SPATIAL[d]}]"
    if len(x) not in (d + 1, d + 2):
        missing = d + 2 - len(x)
        fix = (f"add the missing dimension{'s' if missing > 1 else ''} (x.unsqueeze(0) adds one)"
               if missing > 0 else "remove the extra dimensions")
        return (f"{call.who} ({cls}) expects a {d + 2}-D input {layout} (or {d + 1}-D without the "
                f"batch) but got {len(x)}-D {_fmt(x)}{call.producer(x)}: {fix}.")
    channels = x[-(d + 1)]
    if channels != m.in_channels:
        rest = m.extra_repr().split(",", 1)[1].strip()
        build = f"nn.{cls}({channels}, {rest})"
        fix = f"use {build}, or give it {m.in_channels}-channel input"
        if len(x) == d + 2 and x[-1] == m.in_channels:
            order = ", ".join(str(i) for i in range(1, d + 1))
            fix = (f"the channels ({m.in_channels}) are last, as images are often stored: move "
                   f"them to dimension 1 with x.permute(0, {d + 1}, {order})")
        return (f"{call.who} was built with in_channels={m.in_channels} but its input "
                f"{_fmt(x)}{call.producer(x)} has {channels} channel{'s' if channels != 1 else ''} "
                f"(dimension {len(x) - d - 1} of {layout}): {fix}.")
    spatial = x[-d:]
    padding = m.padding if isinstance(m.padding, tuple) else None
    if padding is not None and not isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d,
                                                  nn.ConvTranspose3d)):
        needed = [m.dilation[i] * (m.kernel_size[i] - 1) + 1 for i in range(d)]
        padded = [spatial[i] + 2 * padding[i] for i in range(d)]
        if any(p < k for p, k in zip(padded, needed)):
            return (f"{call.who} needs at least {'x'.join(map(str, needed))} values per channel "
                    f"(its kernel) but its input {_fmt(x)}{call.producer(x)} is only "
                    f"{'x'.join(map(str, spatial))}{' after padding' if any(padding) else ''}: use "
                    f"fewer pooling or stride steps before it, a smaller kernel, or padding.")
    return None


def _batchnorm(call: _Call, m) -> str | None:
    x = call.shape()
    if x is None:
        return None
    cls = type(m).__name__
    d = int(cls[-2])
    allowed = {1: (2, 3), 2: (4,), 3: (5,)}[d]
    if isinstance(m, nn.modules.instancenorm._InstanceNorm):
        allowed = {1: (2, 3), 2: (3, 4), 3: (4, 5)}[d]
    if len(x) not in allowed:
        want = " or ".join(f"{n}-D" for n in allowed)
        return (f"{call.who} ({cls}) expects a {want} input but got {len(x)}-D {_fmt(x)}"
                f"{call.producer(x)}: use nn.{cls[:-2]}{len(x) - 2 if len(x) > 2 else 1}d"
                f"({m.num_features}) for this input, or reshape it.")
    channels = x[1] if len(x) > 1 else x[0]
    if len(x) == 2 and isinstance(m, nn.modules.instancenorm._InstanceNorm):
        channels = x[0]
    if channels != m.num_features:
        return (f"{call.who} was built with num_features={m.num_features} but its input "
                f"{_fmt(x)}{call.producer(x)} has {channels} channels (dimension 1): use "
                f"nn.{cls}({channels}).")
    return None


def _layernorm(call: _Call, m: nn.LayerNorm) -> str | None:
    x = call.shape()
    want = list(m.normalized_shape)
    if x is None or x[-len(want):] == want:
        return None
    got = x[-len(want):] if len(x) >= len(want) else x
    return (f"{call.who} was built with normalized_shape={want} and normalizes the last "
            f"{len(want)} dimension{'s' if len(want) > 1 else ''} of its input, but they are "
            f"{got} in {_fmt(x)}{call.producer(x)}: use nn.LayerNorm({got[-1] if len(got) == 1 else got}).")


def _groupnorm(call: _Call, m: nn.GroupNorm) -> str | None:
    x = call.shape()
    if x is None or len(x) < 2 or x[1] == m.num_channels:
        return None
    return (f"{call.who} was built with num_channels={m.num_channels} but its input "
            f"{_fmt(x)}{call.producer(x)} has {x[1]} channels (dimension 1): use "
            f"nn.GroupNorm({m.num_groups}, {x[1]}) (the channels must divide into the groups).")


def _embedding(call: _Call, m: nn.Embedding) -> str | None:
    dtype = call.dtypes[0] if call.dtypes else None
    if dtype is not None and dtype not in ("int64", "int32", "long", "int"):
        return (f"{call.who} looks up rows by index, so its input must hold integers (int64), but "
                f"it got {dtype} {_fmt(call.shape() or [])}: pass token ids, e.g. x.long(), not "
                f"features (a Linear layer takes features).")
    if isinstance(call.error, IndexError):
        t = call.args[0] if call.args and isinstance(call.args[0], torch.Tensor) else None
        top = int(t.max()) if t is not None and t.numel() else None
        low = int(t.min()) if t is not None and t.numel() else None
        got = (f" the input holds indices from {low} to {top}" if top is not None else
               " an index is outside that range")
        return (f"{call.who} has num_embeddings={m.num_embeddings} rows (indices 0 to "
                f"{m.num_embeddings - 1}) but{got}: build it with "
                f"nn.Embedding({max(top + 1, m.num_embeddings) if top is not None else 'vocab_size'}, "
                f"{m.embedding_dim}) or check the vocabulary.")
    return None


def _rnn(call: _Call, m) -> str | None:
    x = call.shape()
    cls = type(m).__name__
    if x is None:
        return None
    if len(x) not in (2, 3):
        return (f"{call.who} ({cls}) expects a 3-D input "
                f"{'[batch, seq, features]' if m.batch_first else '[seq, batch, features]'} (or 2-D "
                f"without the batch) but got {len(x)}-D {_fmt(x)}{call.producer(x)}: reshape it.")
    if x[-1] != m.input_size:
        hint = ""
        if m.input_size in x[:-1]:
            hint = "; the features seem to be in another dimension: check batch_first and permute"
        return (f"{call.who} was built with input_size={m.input_size} but its input "
                f"{_fmt(x)}{call.producer(x)} has {x[-1]} features in the last dimension: use "
                f"nn.{cls}({x[-1]}, {m.hidden_size}{', batch_first=True' if m.batch_first else ''})"
                f"{hint}.")
    hidden = call.shape(1)
    if hidden is None and len(call.inputs) > 1 and isinstance(call.inputs[1], list) and call.inputs[1]:
        hidden = _plain(call.inputs[1][0])
        hidden = hidden if _is_shape(hidden) else None
    if hidden is not None:
        layers = m.num_layers * (2 if m.bidirectional else 1)
        batch = (x[0] if m.batch_first else x[1]) if len(x) == 3 else None
        size = m.proj_size if isinstance(m, nn.LSTM) and m.proj_size else m.hidden_size
        want = [layers, batch, size] if batch is not None else [layers, size]
        if hidden != want:
            return (f"{call.who} needs an initial hidden state of shape {want} (num_layers x "
                    f"directions, batch, hidden_size) for the input {_fmt(x)}, but got "
                    f"{_fmt(hidden)}: build it from the input's batch size"
                    f"{' (batch_first=True puts the batch in dimension 0 of the input only)' if m.batch_first else ''}.")
    return None


def _attention(call: _Call, m: nn.MultiheadAttention) -> str | None:
    q = call.shape()
    if q is None:
        return None
    if len(q) not in (2, 3):
        return (f"{call.who} expects a 3-D query {'[batch, seq, embed]' if m.batch_first else '[seq, batch, embed]'} "
                f"(or 2-D without the batch) but got {len(q)}-D {_fmt(q)}{call.producer(q)}: reshape it.")
    if q[-1] != m.embed_dim:
        return (f"{call.who} was built with embed_dim={m.embed_dim} but its query {_fmt(q)}"
                f"{call.producer(q)} has {q[-1]} in the last dimension: use "
                f"nn.MultiheadAttention({q[-1]}, num_heads) (embed_dim must divide by num_heads), "
                f"or project the input to {m.embed_dim} first.")
    for i, name, want in ((1, "key", m.kdim), (2, "value", m.vdim)):
        s = call.shape(i)
        if s is not None and s[-1] != want:
            return (f"{call.who} expects its {name} to have {want} in the last dimension "
                    f"({'kdim' if i == 1 else 'vdim'}) but it is {_fmt(s)}: pass "
                    f"{'kdim' if i == 1 else 'vdim'}={s[-1]} when building it, or project it.")
    return None


_CHECKS = [
    (nn.Linear, _linear),
    (_CONV, _conv),
    (_BATCHNORM, _batchnorm),
    (nn.LayerNorm, _layernorm),
    (nn.GroupNorm, _groupnorm),
    (nn.Embedding, _embedding),
    (_RNN, _rnn),
    (nn.MultiheadAttention, _attention),
]

# PyTorch's messages for shape errors in tensor operations, with what each means.
_MATMUL = re.compile(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)")
_BMM = re.compile(r"Expected size for first two dimensions of batch2 tensor to be: \[(\d+), (\d+)\] "
                  r"but got: \[(\d+), (\d+)\]")
_CAT = re.compile(r"Sizes of tensors must match except in dimension (\d+)\. Expected size (\d+) but "
                  r"got size (\d+) for tensor number (\d+)")
_CAT_DIMS = re.compile(r"Tensors must have same number of dimensions: got (\d+) and (\d+)")
_VIEW = re.compile(r"shape '\[([-\d, ]*)\]' is invalid for input of size (\d+)")
_VIEW_STRIDE = re.compile(r"view size is not compatible with input tensor's size and stride")
_BROADCAST = re.compile(r"The size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at "
                        r"non-singleton dimension (\d+)")
_BATCH = re.compile(r"Expected input batch_size \((\d+)\) to match target batch_size \((\d+)\)")


def _from_message(call: _Call) -> str | None:
    text = call.text
    where = f"In {call.who}'s forward{call.at()}"
    if m := _MATMUL.search(text):
        a, b, c, d = m.groups()
        return (f"{where}, a matrix product got {a}x{b} and {c}x{d}: the inner sizes ({b} and {c}) "
                f"must be equal. Transpose one side (.T, .transpose(-2, -1)) or reshape so that the "
                f"last dimension of the left matches the first of the right.")
    if m := _BMM.search(text):
        want_b, want_k, got_b, got_k = m.groups()
        return (f"{where}, a batched matrix product needs the right-hand side to start with "
                f"[{want_b}, {want_k}] but it starts with [{got_b}, {got_k}]: the left's last "
                f"dimension ({want_k}) must equal the right's second to last; transpose or reshape one "
                f"of them.")
    if m := _CAT.search(text):
        dim, want, got, k = m.groups()
        return (f"{where}, torch.cat joins along dimension {dim}, so every other dimension must match, "
                f"but tensor {k} has size {got} where the first has {want}: make them agree "
                f"(or join along the dimension that differs).")
    if m := _CAT_DIMS.search(text):
        a, b = m.groups()
        return (f"{where}, torch.cat got a {a}-D and a {b}-D tensor: give them the same number of "
                f"dimensions first (unsqueeze or flatten one).")
    if m := _VIEW.search(text):
        want = [int(v) for v in m.group(1).replace(" ", "").split(",") if v]
        size = int(m.group(2))
        source = _view_source(call, size)
        have = f"{size} values"
        if source is not None:
            have = f"{size} values = {_fmt(source[1])} from {source[0]}"
        fixed = [v for v in want if v != -1]
        need = f"a multiple of {math.prod(fixed)}" if -1 in want else str(math.prod(want))
        hint = ("x.flatten(1) (or x.view(x.size(0), -1)) keeps the batch and flattens the rest, "
                "then size the next layer for what it gives")
        if source is not None and len(source[1]) > 1:
            hint += f" ({math.prod(source[1][1:])} per sample)"
        return (f"{where}, view/reshape to {want} needs {need} values but the tensor holds "
                f"{have}: {hint}.")
    if _VIEW_STRIDE.search(text):
        return (f"{where}, .view() cannot reshape a tensor whose memory is not contiguous (after "
                f"transpose or permute): use .reshape(...) or .contiguous().view(...).")
    if m := _BROADCAST.search(text):
        a, b, dim = m.groups()
        return (f"{where}, two tensors are combined element by element but dimension {dim} is {a} "
                f"in one and {b} in the other (sizes must be equal or 1): reshape or slice one of "
                f"them to match.")
    if m := _BATCH.search(text):
        a, b = m.groups()
        return (f"{call.who} got {a} predictions but {b} targets: the input's first dimension is "
                f"the batch, and both must have the same batch size (flattening the input too far "
                f"changes its batch).")
    return None


def _view_source(call: _Call, size: int):
    for entry, out in call.made:
        if math.prod(out) == size:
            return call.name_of(entry), out
    for shape in call.inputs:
        if _is_shape(shape) and math.prod(shape) == size:
            return f"the input of {call.who}", shape
    return None


def _learner_line(error: BaseException, filename: str) -> tuple[int | None, str]:
    """The innermost line of the learner's file in the traceback, and its code."""
    tb = error.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is None:
        return None, ""
    return line, linecache.getline(filename, line).strip()


def _is_shape(value) -> bool:
    """A plain shape (a list of ints), not nested lists for a tuple of tensors."""
    return isinstance(value, list) and all(isinstance(d, int) for d in value)


def _plain(shape):
    if isinstance(shape, (tuple, list)):
        return [_plain(s) for s in shape]
    return shape


def _fmt(shape) -> str:
    return "[" + ", ".join(str(d) for d in shape) + "]" if isinstance(shape, list) else str(shape)
