# kind: misconception
# Honest mistake: the three layers share their weights' memory through `.data`, believed to
# tie them; they are still three pairs of parameters.
import torch
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab=10, dim=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)  # token -> vector, weight [10, 4]
        self.steps = nn.ModuleList([nn.Linear(dim, dim) for _ in range(3)])
        for layer in self.steps[1:]:
            layer.weight.data = self.steps[0].weight.data  # one matrix in memory
            layer.bias.data = self.steps[0].bias.data
        self.head = nn.Linear(dim, vocab, bias=False)  # vector -> scores, weight [10, 4]
        self.head.weight = self.emb.weight  # tied: one matrix for both ends

    def forward(self, tokens):
        h = self.emb(tokens)
        for step in self.steps:
            h = torch.tanh(step(h))
        return self.head(h)


model = TinyLM()
print(model(torch.tensor([1, 2, 3])).shape)
print("one step layer:", model.steps[0] is model.steps[1] is model.steps[2])
print("parameters:", sum(p.numel() for p in model.parameters()))
