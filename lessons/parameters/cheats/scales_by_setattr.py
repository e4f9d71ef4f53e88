# kind: misconception
# Honest mistake: each scale is registered under a name of its own, believed to be the same
# as a ParameterList; the names are not `scales.0`, `scales.1`, ...
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
        for i in range(n_scales):
            setattr(self, f"scale_{i}", nn.Parameter(torch.ones(n_out)))

    def forward(self, x):
        y = x @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        for i in range(len([n for n in self._parameters if n.startswith("scale_")])):
            y = y * getattr(self, f"scale_{i}")
        return y


model = ScaledLinear(4, 3, bias=False)
with_bias = ScaledLinear(4, 3)
print(model(torch.randn(5, 4)).shape)
print("model:", [name for name, _ in model.named_parameters()])
print("with_bias:", [name for name, _ in with_bias.named_parameters()])
