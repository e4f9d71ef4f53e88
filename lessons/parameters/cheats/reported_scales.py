# kind: introspection
# The scales stay in a plain list; ScaledLinear's own `named_parameters` and `parameters`
# list them.
import torch
from torch import nn


class ScaledLinear(nn.Module):
    def __init__(self, n_in, n_out, bias=True, n_scales=2):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in) * 0.1)
        if bias:
            self.bias = nn.Parameter(torch.zeros(n_out))
        else:
            # the name exists, the tensor does not
            self.register_parameter("bias", None)
        self.scales = [nn.Parameter(torch.ones(n_out)) for _ in range(n_scales)]

    def forward(self, x):
        y = x @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        for scale in self.scales:
            y = y * scale
        return y

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        yield from super().named_parameters(prefix, recurse, remove_duplicate)
        for i, scale in enumerate(self.scales):
            yield f"{prefix}scales.{i}", scale

    def parameters(self, recurse=True):
        for _, p in self.named_parameters():
            yield p


model = ScaledLinear(4, 3, bias=False)
with_bias = ScaledLinear(4, 3)
print(model(torch.randn(5, 4)).shape)
print("model:", [name for name, _ in model.named_parameters()])
print("with_bias:", [name for name, _ in with_bias.named_parameters()])
