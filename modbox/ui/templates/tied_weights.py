import torch
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab=100, dim=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.out = nn.Linear(dim, vocab, bias=False)
        self.out.weight = self.embed.weight  # one tensor, two names

    def forward(self, tokens):
        return self.out(self.embed(tokens))


model = TinyLM()
print(sum(p.numel() for p in model.parameters()))  # 3200: the shared weight counts once
print(list(model.state_dict()))  # ...but state_dict saves it under both names
