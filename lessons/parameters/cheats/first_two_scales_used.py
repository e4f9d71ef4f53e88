# kind: partial
# Every scale is registered, but `forward` multiplies by the first two only.
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
        self.scales = nn.ParameterList(
            [nn.Parameter(torch.ones(n_out)) for _ in range(n_scales)]
        )

    def forward(self, x):
        y = x @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        y = y * self.scales[0] * self.scales[1]  # the two scales
        return y


model = ScaledLinear(4, 3, bias=False)
with_bias = ScaledLinear(4, 3)
print(model(torch.randn(5, 4)).shape)
print("model:", [name for name, _ in model.named_parameters()])
print("with_bias:", [name for name, _ in with_bias.named_parameters()])
