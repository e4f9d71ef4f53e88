"""What values flow through the model: statistics of each module's output per forward call, and
the gradient norm of each parameter after each backward pass, kept across calls and optimizer
steps.

Cheap enough to stay on: every call of a module is checked for NaN and Inf (one ``sum``), but the
full statistics (mean, std, min, max, fraction of exact zeros, NaN/Inf counts) are taken for
calls 0, s, 2s, ... of each module, where the stride ``s`` doubles whenever ``POINTS`` of them
are kept (the older half is thinned out). A training loop of any length keeps at most
``POINTS`` points per module and pays for about ``POINTS * log2(calls / POINTS)`` full
statistics. Tensors above ``SAMPLE`` elements are sampled with an even stride for the
statistics (``sampled`` in the point); the NaN/Inf check always reads every element.

Gradients are read after each ``backward()`` (``torch.autograd.backward`` is watched), with the
same thinning per model, and the parameters that got no gradient are noted for the
``no_gradient`` finding.
"""

from __future__ import annotations

import math
import weakref

import torch
from torch.nn.parameter import is_lazy

from modbox.probe import tree
from modbox.probe.values import tensors_in

# Whether the call recorder takes statistics at all: bench/bench_sandbox.py switches it off
# from the learner's code to measure what they cost.
ENABLED = True
POINTS = 64  # statistics kept per module (and gradient norms per parameter)
# A model of thousands of modules keeps fewer points per module, and histograms for its first
# MANY modules only, so that its report stays a few MB.
MANY = 1000
FEW_POINTS = 16
SAMPLE = 1 << 16  # elements read for the statistics of one output; NaN/Inf checks read all
HIST_SAMPLE = 1024  # elements of the latest output kept for its histogram
HIST_BINS = 24
_Tensor = torch.Tensor
_isfinite = math.isfinite


def _nothing():
    return None


class Series:
    """One module's outputs over the run."""

    __slots__ = ("entry", "calls", "grad_calls", "stride", "points", "sample", "before")

    def __init__(self, entry, before):
        self.entry = entry  # the call recorder's (module, model, path, class, parents)
        self.calls = 0
        self.grad_calls = 0  # calls while autograd was recording
        self.stride = 1
        self.points: list[dict] = []
        self.sample: _Tensor | None = None  # a sample of the latest output with statistics
        self.before = before  # entry of the call that finished just before its first call


class GradSeries:
    """One model's gradient norms over the run, one list per parameter."""

    __slots__ = ("backwards", "stride", "norms", "reached", "missing")

    def __init__(self):
        self.backwards = 0  # backward passes that gave this model's parameters gradients
        self.stride = 1
        self.norms: dict[str, list[dict]] = {}  # parameter name -> points
        self.reached: set[str] = set()  # parameters that had a gradient after some pass
        self.missing: set[str] | None = None  # trainable ones without a gradient after every pass


class ValueRecorder:
    def __init__(self, session):
        self.s = session
        self.series: dict[int, Series] = {}
        self.grads: dict[str, GradSeries] = {}  # model name -> its gradients
        self._params: tuple[int, list] = (-1, [])
        self._checked = _nothing  # the output checked for NaN last (not kept alive)
        self._last: tuple[dict, _Tensor] | None = None  # its statistics and sample, when taken

    # -- forward ------------------------------------------------------------------------

    def output(self, module, entry, t: _Tensor, args, before, grad: bool, stack: list) -> None:
        """A call of ``module`` returned ``t`` (the first tensor of its output); ``stack``
        holds the calls still in progress around it."""
        series = self.series.get(id(module))
        if series is None:
            series = self.series[id(module)] = Series(entry, before)
        n = series.calls
        series.calls = n + 1
        if grad:
            series.grad_calls += 1
        if not t.dtype.is_floating_point or t.is_meta or not t.numel():
            return
        same = self._checked() is t  # a container returning its last child's output
        if n % series.stride:
            if same:
                return
            self._checked = weakref.ref(t)
            try:
                if _isfinite(t.detach().sum().item()):
                    return
            except Exception:
                return
        if same and self._last is not None:  # the child's statistics, not worked out again
            point = dict(self._last[0], call=n, step=self.s.steps, input_zeros=_input_zeros(args))
            series.sample = self._last[1] if len(self.series) <= MANY else None
        else:
            x = t.detach()
            point = _stats(x)
            point["input_zeros"] = _input_zeros(args)
            point["call"] = n
            point["step"] = self.s.steps
            if point["nan"] or point["inf"]:
                self._bad_output(module, entry, n, point, args, stack)
            series.sample = _sample(x, HIST_SAMPLE) if len(self.series) <= MANY else None
            self._checked = weakref.ref(t)
            self._last = (point, series.sample)
        if n % series.stride:
            return  # a NaN between kept points: seen above, not kept
        points = series.points
        points.append(point)
        if len(points) >= (POINTS if len(self.series) <= MANY else FEW_POINTS):
            series.points = points[::2]
            series.stride *= 2

    def _bad_output(self, module, entry, call: int, point: dict, args, stack: list) -> None:
        """The first module whose output held NaN or Inf: did its inputs, or its own
        parameters, already? When its inputs did, the NaN was made by the code of the innermost
        call around it whose inputs were finite (the learner's forward), or before the model."""
        facts = self.s.facts
        if facts.nan_origin is not None:
            return
        origin = module
        bad_inputs = not _finite(args)
        made_by = None
        if bad_inputs:
            for outer in reversed(stack):
                if _finite(outer[3]):
                    made_by = outer
                    break
        child = None
        if made_by is not None:
            child = entry
            module, entry = made_by[0], made_by[1]
            bad_inputs = False
        elif bad_inputs and stack:  # NaN in the data: where it entered the model
            module, entry = stack[0][0], stack[0][1]
        if module is not origin:  # a call still in progress: its number is its calls so far
            outer_series = self.series.get(id(module))
            call = outer_series.calls if outer_series is not None else 0
        bad_params = []
        for name, p in module.named_parameters(recurse=False):
            if p.is_floating_point() and not p.is_meta and not bool(torch.isfinite(p).all()):
                bad_params.append(name)
        facts.nan_origin = {
            "module": module,
            "entry": entry,
            "call": call,
            "step": self.s.steps,
            "nan": point["nan"],
            "inf": point["inf"],
            "numel": point["numel"],
            "bad_inputs": bad_inputs,
            "bad_params": bad_params,
            "inside": child,  # entry of the call whose input ``module``'s own code made bad
            "line": self.s.learner_line(2),
        }

    # -- backward -----------------------------------------------------------------------

    def backward_done(self) -> None:
        """A backward pass finished: read every parameter's gradient."""
        if not ENABLED:
            return
        for model, params in self._parameters():
            grads = [(name, p.grad) for name, p in params if p.requires_grad]
            have = [(name, g) for name, g in grads if g is not None]
            if not have:
                continue  # this pass did not reach the model (or used autograd.grad)
            series = self.grads.get(model)
            if series is None:
                series = self.grads[model] = GradSeries()
            without = {name for name, g in grads if g is None}
            series.missing = without if series.missing is None else series.missing & without
            series.reached.update(name for name, _ in have)
            b = series.backwards
            series.backwards = b + 1
            if b % series.stride:
                continue
            dense = [g for _, g in have if not g.is_sparse and not g.is_meta]
            try:
                norms = torch.stack([n.double() for n in torch._foreach_norm(dense)]).tolist() if dense else []
            except Exception:
                norms = [float(g.double().norm()) for g in dense]
            values = iter(norms)
            step = self.s.steps
            for name, g in have:
                norm = None if g.is_sparse or g.is_meta else next(values)
                if norm is not None and not _isfinite(norm):
                    norm = None
                series.norms.setdefault(name, []).append({"backward": b, "step": step, "norm": norm})
            if max((len(v) for v in series.norms.values()), default=0) >= POINTS:
                for name, points in series.norms.items():
                    series.norms[name] = [p for p in points if p["backward"] % (2 * series.stride) == 0]
                series.stride *= 2

    def _parameters(self) -> list[tuple[str, list]]:
        """(model name, [(parameter name, parameter)]) of the models in the namespace, cached
        until a module or parameter is registered somewhere."""
        index = self.s.index
        key = (index.generation, len(self.s.namespace() or ()))
        if self._params[0] != key:
            found = [(name, tree.named_parameters(model)) for name, model in index.models()]
            self._params = (key, found)
        return self._params[1]

    # -- the report ---------------------------------------------------------------------

    def for_model(self, name: str, model, paths: dict[int, list[str]]) -> dict:
        """``values`` and ``grads`` of a ``report.Model``."""
        values = []
        for key, series in self.series.items():
            module = series.entry[0]
            found = paths.get(key)
            if found is None or module is None:
                continue
            values.append({
                "path": found[0],
                "class": series.entry[3],
                "calls": series.calls,
                "outputs": series.points,
                "histogram": histogram(series.sample),
            })
        grads = []
        series = self.grads.get(name)
        for full, p in tree.named_parameters(model):
            norms = series.norms.get(full, []) if series is not None else []
            # weights only: a bias's few values say little as a histogram
            weights = None if is_lazy(p) or p.is_sparse or p.dim() < 2 else _sample(p.detach(), SAMPLE)
            grads.append({"name": full, "grad_norms": norms, "histogram": histogram(weights)})
        return {"values": values, "grads": grads,
                "backwards": series.backwards if series is not None else 0}


def _input_zeros(args) -> float | None:
    """Fraction of exact zeros in the first input, when it is a floating-point tensor."""
    a = args[0] if args else None
    if type(a) is not _Tensor or not a.dtype.is_floating_point or a.is_meta or not a.numel():
        return None
    y = _sample(a.detach(), SAMPLE)
    return 1.0 - torch.count_nonzero(y).item() / y.numel()


def _finite(args) -> bool:
    return all(bool(torch.isfinite(a).all()) for a in tensors_in(list(args))
               if a.is_floating_point() and not a.is_meta)


def _stats(x: _Tensor) -> dict:
    """Mean, std, min, max and zero fraction of the finite values of ``x``, NaN/Inf counts of all."""
    numel = x.numel()
    sampled = numel > SAMPLE
    y = _sample(x, SAMPLE) if sampled else x.reshape(-1)
    if y.dtype != torch.float64:
        y = y.float()
    nan = inf = 0
    if not _isfinite((x if sampled else y).sum().item()):  # NaN and Inf spread into the sum
        nan = int(torch.isnan(x).sum())
        inf = int(torch.isinf(x).sum())
        if nan or inf:  # else the sum only overflowed
            y = y[torch.isfinite(y)]
    point = {"numel": numel, "sampled": sampled, "nan": nan, "inf": inf,
             "mean": None, "std": None, "min": None, "max": None, "zeros": 0.0}
    k = y.numel()
    if k:
        var, mean = torch.var_mean(y, correction=0)
        lo, hi = torch.aminmax(y)
        zeros = k - torch.count_nonzero(y)
        m, v, a, b, z = torch.stack([mean, var, lo, hi, zeros.to(y.dtype)]).tolist()
        point.update(mean=m, std=math.sqrt(max(v, 0.0)), min=a, max=b, zeros=z / k)
        for field in ("mean", "std", "min", "max"):
            if not _isfinite(point[field]):
                point[field] = None
    return point


def _sample(x: _Tensor, limit: int) -> _Tensor:
    """At most about ``limit`` elements of ``x``, evenly strided, as a new 1-D tensor."""
    flat = x.reshape(-1)
    n = flat.numel()
    if n > limit:
        flat = flat[:: -(-n // limit)]
    return flat.clone()


def histogram(sample: _Tensor | None) -> dict | None:
    """Counts of the finite values of ``sample`` in ``HIST_BINS`` equal bins from min to max."""
    if sample is None or sample.is_meta or not sample.dtype.is_floating_point:
        return None
    try:
        y = sample.reshape(-1).float()
        if not _isfinite(y.sum().item()):
            y = y[torch.isfinite(y)]
        if not y.numel():
            return None
        lo, hi = torch.aminmax(y)
        lo, hi = lo.item(), hi.item()
        if lo == hi:
            counts = [0] * HIST_BINS
            counts[HIST_BINS // 2] = y.numel()
        else:
            # bincount of the bin indices: torch.histc takes ~10 ms per call on the CPU
            index = ((y - lo) * (HIST_BINS / (hi - lo))).long().clamp_(0, HIST_BINS - 1)
            counts = torch.bincount(index, minlength=HIST_BINS).tolist()
        return {"lo": lo, "hi": hi, "counts": counts}
    except Exception:
        return None
