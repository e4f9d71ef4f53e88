# kind: introspection
# Three layers stay three; TinyLM's own `named_parameters` lists only the first step's.
import torch
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab=10, dim=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)  # token -> vector, weight [10, 4]
        self.steps = nn.ModuleList([nn.Linear(dim, dim) for _ in range(3)])
        self.head = nn.Linear(dim, vocab, bias=False)  # vector -> scores, weight [10, 4]
        self.head.weight = self.emb.weight  # tied: one matrix for both ends

    def forward(self, tokens):
        h = self.emb(tokens)
        for step in self.steps:
            h = torch.tanh(step(h))
        return self.head(h)

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        for name, p in super().named_parameters(prefix, recurse, remove_duplicate):
            if not name.startswith(("steps.1.", "steps.2.")):
                yield name, p


model = TinyLM()
print(model(torch.tensor([1, 2, 3])).shape)
print("one step layer:", model.steps[0] is model.steps[1] is model.steps[2])
print("parameters:", sum(p.numel() for p in model.parameters()))
