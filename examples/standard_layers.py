# One of each common torch.nn layer, each run once and each reaching the loss: a clean model
# must give no warnings.
import torch
from torch import nn

torch.manual_seed(0)


class Zoo(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 8)
        self.bilinear = nn.Bilinear(8, 8, 4)
        self.conv1 = nn.Conv1d(2, 4, 3)
        self.conv2 = nn.Conv2d(2, 4, 3)
        self.conv3 = nn.Conv3d(2, 4, 3)
        self.deconv = nn.ConvTranspose2d(4, 2, 3)
        self.bn1 = nn.BatchNorm1d(8)
        self.bn2 = nn.BatchNorm2d(4)
        self.ln = nn.LayerNorm(8)
        self.gn = nn.GroupNorm(2, 4)
        self.inorm = nn.InstanceNorm2d(4, affine=True, track_running_stats=True)
        self.rms = nn.RMSNorm(8)
        self.emb = nn.Embedding(10, 8, padding_idx=0)
        self.bag = nn.EmbeddingBag(10, 8)
        self.lstm = nn.LSTM(8, 8, batch_first=True)
        self.gru = nn.GRU(8, 8, batch_first=True, bidirectional=True)
        self.rnn = nn.RNN(8, 8)
        self.cell = nn.LSTMCell(8, 8)
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.transformer = nn.Transformer(8, 2, 1, 1, 16, batch_first=True)
        self.prelu = nn.PReLU()
        self.acts = nn.Sequential(nn.ReLU(), nn.GELU(), nn.SiLU(), nn.Tanh(), nn.Sigmoid(),
                                  nn.LeakyReLU(), nn.ELU(), nn.Softmax(dim=-1), nn.Dropout(0.1))
        self.pools = nn.ModuleDict({"max": nn.MaxPool2d(2), "avg": nn.AvgPool2d(2),
                                    "adaptive": nn.AdaptiveAvgPool2d(1)})
        self.upsample = nn.Upsample(scale_factor=2)
        self.pixel = nn.PixelShuffle(2)
        self.flatten = nn.Flatten()
        self.unflatten = nn.Unflatten(1, (2, 4))
        self.identity = nn.Identity()
        self.alpha = nn.Parameter(torch.ones(1))
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(8)) for _ in range(2)])

    def forward(self, x):
        seq = x.view(2, 4, 8)
        out = self.acts(self.ln(self.linear(x))) + self.bilinear(x, x).sum()
        out = self.bn1(out) * self.alpha * self.scales[0] + self.rms(out) * self.scales[1]
        side = [self.conv1(torch.randn(2, 2, 8))]
        images = self.bn2(self.conv2(torch.randn(2, 2, 8, 8)))
        side += [self.gn(images), self.inorm(images), self.deconv(images), self.prelu(images)]
        side.append(self.conv3(torch.randn(1, 2, 4, 4, 4)))
        side += [pool(images) for pool in self.pools.values()]
        side.append(self.pixel(self.upsample(images)))
        side.append(self.unflatten(self.flatten(images[:, :2, :2, :2])))
        tokens = torch.randint(1, 10, (2, 4))
        side += [self.emb(tokens), self.bag(tokens)]
        side += [self.lstm(seq)[0], self.gru(seq)[0], self.rnn(seq.transpose(0, 1))[0], self.cell(x[:2])[0]]
        side.append(self.attn(seq, seq, seq)[0])
        side.append(self.transformer(seq, seq))
        return self.identity(out) + sum(t.mean() for t in side)

model = Zoo()
x = torch.randn(8, 8)
model(x).sum().backward()
model.eval()
with torch.no_grad():
    model(x)
print(sum(p.numel() for p in model.parameters()), "parameters")
