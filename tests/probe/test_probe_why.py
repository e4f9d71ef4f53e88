"""Why a model fails or does not learn: each finding kind on several models that have the problem
(at the module at fault, with the numbers), and none on healthy models trained a few steps."""

from __future__ import annotations

import math

import pytest

from modbox.probe.stats import POINTS, SAMPLE
from modbox.report import Report
from tests.support.probe import Run

WHY = {"shape_mismatch", "nan_or_inf", "dead_activation", "vanishing_gradient",
       "exploding_gradient", "no_gradient"}
HEADER = "import torch\nfrom torch import nn\nimport torch.nn.functional as F\ntorch.manual_seed(0)\n"


def run(body: str) -> Run:
    return Run(HEADER + body)


def line_of(source: str, text: str) -> int:
    return next(i for i, line in enumerate((HEADER + source).split("\n"), 1) if text in line)


def words_in(text: str, words: list[str], source: str) -> None:
    """Each word is in ``text``; "@code" stands for "line N" of the line holding ``code``."""
    for word in words:
        if word.startswith("@"):
            word = f"line {line_of(source, word[1:])}"
        assert word in text, (word, text)


def why(r: Run) -> list[tuple[str, str]]:
    return [(f.kind, f.path) for m in r.models for f in m.findings if f.kind in WHY]


def message(r: Run, kind: str) -> str:
    found = [f for m in r.models for f in m.findings if f.kind == kind]
    assert len(found) == 1, why(r)
    f = found[0]
    assert f.message.endswith(".") and "\n" not in f.message, f.message
    assert f.severity == "warning"
    return f.message


def train(model: str, data: str, loss: str, steps: int = 6, opt: str = "torch.optim.Adam(model.parameters(), lr=1e-3)") -> str:
    return (f"{model}\nopt = {opt}\n{data}\nfor step in range({steps}):\n"
            f"    loss = {loss}\n    opt.zero_grad()\n    loss.backward()\n    opt.step()\n")


# -- healthy models: none of the why-findings ----------------------------------------------

HEALTHY = {
    "mlp_relu": train(
        "model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))",
        "x, y = torch.randn(64, 20), torch.randint(0, 3, (64,))", "F.cross_entropy(model(x), y)"),
    "mlp_tanh_sgd": train(
        "model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))",
        "x, y = torch.randn(32, 8), torch.randn(32, 1)", "F.mse_loss(model(x), y)",
        opt="torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)"),
    "deep_relu_batchnorm": train(
        "model = nn.Sequential(*[m for _ in range(10) for m in (nn.Linear(32, 32), nn.BatchNorm1d(32), nn.ReLU())], nn.Linear(32, 1))",
        "x, y = torch.randn(64, 32), torch.randn(64, 1)", "F.mse_loss(model(x), y)"),
    "cnn": """
class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 7 * 7, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        return self.fc2(F.relu(self.fc1(x.flatten(1))))

""" + train("model = CNN()", "x, y = torch.randn(16, 1, 28, 28), torch.randint(0, 10, (16,))",
            "F.cross_entropy(model(x), y)", opt="torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)")
    + "model.eval()\nwith torch.no_grad():\n    model(x)\n",
    "transformer_encoder": """
class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(100, 32)
        layer = nn.TransformerEncoderLayer(32, 4, dim_feedforward=64, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=3)
        self.head = nn.Linear(32, 5)

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens)).mean(1))

""" + train("model = Encoder()", "x, y = torch.randint(0, 100, (8, 12)), torch.randint(0, 5, (8,))",
            "F.cross_entropy(model(x), y)", opt="torch.optim.AdamW(model.parameters(), lr=1e-3)"),
    "lstm": """
class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(10, 32, num_layers=2, batch_first=True)
        self.out = nn.Linear(32, 4)

    def forward(self, x):
        h, _ = self.lstm(x)
        return self.out(h[:, -1])

""" + train("model = Tagger()", "x, y = torch.randn(16, 20, 10), torch.randint(0, 4, (16,))",
            "F.cross_entropy(model(x), y)", opt="torch.optim.Adam(model.parameters(), lr=1e-2)"),
    "gru_bidirectional": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(30, 16)
        self.gru = nn.GRU(16, 24, batch_first=True, bidirectional=True)
        self.out = nn.Linear(48, 2)

    def forward(self, x):
        return self.out(self.gru(self.embed(x))[0].mean(1))

""" + train("model = Net()", "x, y = torch.randint(0, 30, (8, 7)), torch.randint(0, 2, (8,))",
            "F.cross_entropy(model(x), y)"),
    "frozen_backbone_and_eval_under_no_grad": train(
        "model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))\n"
        "for p in model[0].parameters():\n    p.requires_grad_(False)",
        "x, y = torch.randn(16, 8), torch.randint(0, 2, (16,))", "F.cross_entropy(model(x), y)")
    + "with torch.no_grad():\n    model(x)\n",
    "gan_detaches_for_the_discriminator": """
G = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8))
D = nn.Sequential(nn.Linear(8, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
opt_g = torch.optim.Adam(G.parameters(), lr=1e-3)
opt_d = torch.optim.Adam(D.parameters(), lr=1e-3)
real = torch.randn(16, 8)
for step in range(4):
    fake = G(torch.randn(16, 4))
    d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = F.softplus(-D(fake)).mean()
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
""",
    "unscaled_regression_trained_with_adam": train(
        "model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))",
        "x, y = 100 * torch.rand(64, 10), 5000 + 1000 * torch.randn(64, 1)", "F.mse_loss(model(x), y)"),
    "forward_only": "model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1))\nprint(model(torch.randn(2, 4)).shape)\n",
}


@pytest.mark.parametrize("name", sorted(HEALTHY))
def test_healthy_models_raise_none_of_the_why_findings(name):
    r = run(HEALTHY[name])
    assert r.error is None, r.error
    assert why(r) == []


# -- shape_mismatch -------------------------------------------------------------------------

CNN_FC = """
class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(8 * 14 * 14, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x)))
        x = {flatten}
        return self.fc(x)

model = CNN()
model(torch.randn(4, 1, 28, 28))
"""

SHAPES = {
    "linear_after_flatten": (CNN_FC.format(flatten="x.flatten(1)"), "fc",
                             ["in_features=1568", "8x13x13 = 1352", "`model.pool` gives [4, 8, 13, 13]",
                              "nn.Linear(1352, 10)", "8x14x14", "padding=1"]),
    "linear_after_a_sequence_layer": ("""
class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 32)
        self.rnn = nn.GRU(32, 64, batch_first=True)
        self.out = nn.Linear(32, 5)

    def forward(self, ids):
        h, _ = self.rnn(self.emb(ids))
        return self.out(h)

model = Tagger()
model(torch.randint(0, 100, (3, 7)))
""", "out", ["in_features=32", "receives 64 features", "nn.Linear(64, 5)"]),
    "view_in_forward": (CNN_FC.format(flatten="x.view(-1, 8 * 14 * 14)"), "",
                        ["@x = x.view(-1", "x.view(-1, 8 * 14 * 14)", "5408", "[4, 8, 13, 13]", "`model.pool`",
                         "x.flatten(1)", "1352 per sample"]),
    "linear_not_flattened": ("""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.fc = nn.Linear(8 * 26 * 26, 10)

    def forward(self, x):
        return self.fc(self.conv(x))

model = Net()
model(torch.randn(4, 1, 28, 28))
""", "fc", ["5408", "[4, 8, 26, 26]", "`model.conv`", "torch.flatten(x, 1)"]),
    "linear_in_sequential": ("model = nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(30, 5))\n"
                             "model(torch.randn(3, 10))\n", "2",
                             ["in_features=30", "20 features", "nn.Linear(20, 5)", "`model[1]`"]),
    "conv_channels": ("model = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU())\nmodel(torch.randn(4, 1, 28, 28))\n",
                      "0", ["in_channels=3", "1 channel", "nn.Conv2d(1, 16, kernel_size=(3, 3)"]),
    "conv_chain_channels": ("model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Conv2d(16, 32, 3))\n"
                            "model(torch.randn(2, 1, 16, 16))\n", "2",
                            ["in_channels=16", "8 channels", "the output of `model[1]`", "nn.Conv2d(8, 32"]),
    "conv_channels_last": ("model = nn.Sequential(nn.Conv2d(3, 16, 3))\nmodel(torch.randn(4, 32, 32, 3))\n",
                           "0", ["channels (3) are last", "x.permute(0, 3, 1, 2)"]),
    "conv1d_dims": ("model = nn.Sequential(nn.Conv1d(4, 8, 3))\nmodel(torch.randn(2, 3, 4, 10))\n",
                    "0", ["3-D input [N, C, L]", "4-D [2, 3, 4, 10]"]),
    "conv_input_too_small": ("model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.MaxPool2d(2), nn.Conv2d(8, 8, 3), "
                             "nn.MaxPool2d(2), nn.Conv2d(8, 8, 5))\nmodel(torch.randn(2, 1, 16, 16))\n",
                             "4", ["5x5", "only 2x2", "`model[3]`"]),
    "batchnorm_features": ("model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(16))\n"
                           "model(torch.randn(4, 3, 16, 16))\n", "1",
                           ["num_features=16", "8 channels", "nn.BatchNorm2d(8)"]),
    "batchnorm_dims": ("model = nn.Sequential(nn.Linear(10, 16), nn.BatchNorm2d(16))\nmodel(torch.randn(4, 10))\n",
                       "1", ["4-D", "2-D [4, 16]", "nn.BatchNorm1d(16)"]),
    "layernorm": ("model = nn.Sequential(nn.Linear(10, 32), nn.LayerNorm(64))\nmodel(torch.randn(4, 7, 10))\n",
                  "1", ["normalized_shape=[64]", "[32]", "nn.LayerNorm(32)"]),
    "embedding_index": ("model = nn.Sequential(nn.Embedding(10, 4))\nmodel(torch.tensor([[3, 12, 1]]))\n",
                        "0", ["num_embeddings=10", "from 1 to 12", "nn.Embedding(13, 4)"]),
    "embedding_floats": ("model = nn.Sequential(nn.Embedding(10, 4))\nmodel(torch.randn(2, 3))\n",
                         "0", ["integers", "float32", "x.long()"]),
    "lstm_input_size": ("""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.lstm = nn.LSTM(32, 64, batch_first=True)

    def forward(self, x):
        return self.lstm(self.embed(x))[0]

model = Net()
model(torch.randint(0, 50, (4, 9)))
""", "lstm", ["input_size=32", "16 features", "`model.embed`", "nn.LSTM(16, 64, batch_first=True)"]),
    "lstm_hidden_batch": ("""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 20, batch_first=True)

    def forward(self, x):
        h = (torch.zeros(1, 3, 20), torch.zeros(1, 3, 20))
        return self.lstm(x, h)[0]

model = Net()
model(torch.randn(4, 9, 8))
""", "lstm", ["[1, 4, 20]", "[1, 3, 20]"]),
    "gru_dims": ("model = nn.Sequential(nn.GRU(10, 20))\nmodel(torch.randn(2, 3, 5, 10))\n",
                 "0", ["3-D input", "4-D [2, 3, 5, 10]"]),
    "attention_embed_dim": ("""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(10, 32)
        self.attn = nn.MultiheadAttention(64, 4, batch_first=True)

    def forward(self, x):
        h = self.proj(x)
        return self.attn(h, h, h)[0]

model = Net()
model(torch.randn(2, 5, 10))
""", "attn", ["embed_dim=64", "[2, 5, 32]", "`model.proj`", "nn.MultiheadAttention(32"]),
    "unflatten_sizes": ("model = nn.Sequential(nn.Linear(4, 9), nn.Unflatten(1, (2, 4)))\nmodel(torch.randn(3, 4))\n",
                        "1", ["(Unflatten)", "[3, 9]", "the output of `model[0]`", "PyTorch says"]),
    "reshape_in_forward_other_wording": ("""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 6)

    def forward(self, x):
        return self.fc(x).unflatten(1, (4, 4))

model = Net()
model(torch.randn(2, 4))
""", "", ["@return self.fc(x).unflatten", "PyTorch says", "x.shape"]),
    "lstm_tuple_into_linear": ("""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, batch_first=True)
        self.fc = nn.Linear(16, 2)

    def forward(self, x):
        return self.fc(self.lstm(x))

model = Net()
model(torch.randn(4, 5, 8))
""", "fc", ["got a tuple of 2", "`model.lstm` (LSTM) returns (output, (h_n, c_n))", "output, _ = lstm(x)"]),
    "flatten_lost_the_batch": (CNN_FC.format(flatten="x.view(-1)").replace("8 * 14 * 14", "8 * 13 * 13"), "fc",
                               ["[5408]", "`model.pool`'s output [4, 8, 13, 13]", "batch of 4", "x.flatten(1)",
                                "[4, 1352], which it expects"]),
    "matmul_in_forward": ("""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(6, 3))
        self.fc = nn.Linear(4, 5)

    def forward(self, x):
        return self.fc(x) @ self.w

model = Net()
model(torch.randn(2, 4))
""", "", ["@return self.fc(x) @ self.w", "2x5 and 6x3", "(5 and 6)"]),
    "cat_in_forward": ("""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 5)
        self.b = nn.Linear(4, 5)

    def forward(self, x, y):
        return torch.cat([self.a(x), self.b(y)], dim=1)

model = Net()
model(torch.randn(2, 4), torch.randn(3, 4))
""", "", ["torch.cat", "dimension 1", "size 3", "has 2"]),
    "broadcast_in_child_forward": ("""
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 5)
        self.b = nn.Linear(4, 6)

    def forward(self, x):
        return self.a(x) + self.b(x)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()

    def forward(self, x):
        return self.block(x)

model = Net()
model(torch.randn(2, 4))
""", "block", ["`model.block`", "@return self.a(x) + self.b(x)", "dimension 1 is 5", "6"]),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_mismatch_at_the_module_at_fault(name):
    source, path, words = SHAPES[name]
    r = run(source)
    assert r.error is not None
    assert why(r) == [("shape_mismatch", path)]
    words_in(message(r, "shape_mismatch"), words, source)


def test_a_shape_error_caught_and_fixed_in_the_program_is_not_a_finding():
    r = run("layer = nn.Linear(4, 2)\ntry:\n    layer(torch.randn(3, 5))\nexcept RuntimeError:\n"
            "    pass\nlayer(torch.randn(3, 4))\n")
    assert r.error is None
    assert why(r) == []


def test_errors_that_are_not_about_shapes_are_not_shape_mismatches():
    r = run("class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.fc = nn.Linear(4, 2)\n    def forward(self, x):\n"
            "        raise ValueError('no')\nmodel = Net()\nmodel(torch.randn(2, 4))\n")
    assert r.error is not None and why(r) == []
    r = run("model = nn.Sequential(nn.Linear(4, 2))\nmodel(torch.randn(2, 4, dtype=torch.float64))\n")
    assert r.error is not None and why(r) == []


# -- nan_or_inf -----------------------------------------------------------------------------

LOG_IN_FORWARD = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 8)
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        h = self.fc(x)
        h = {op}
        return self.head(h)

model = Net()
model(torch.randn(16, 4))
"""


@pytest.mark.parametrize("op, words", [
    ("torch.log(h)", ["log of 0"]),
    ("h.sqrt()", ["sqrt of a negative"]),
    ("h / (h - h)", ["division by 0"]),
])
def test_nan_made_by_the_learners_forward_names_the_line(op, words):
    source = LOG_IN_FORWARD.format(op=op)
    r = run(source)
    assert why(r) == [("nan_or_inf", "")]
    line = line_of(source, f"h = {op}")
    words_in(message(r, "nan_or_inf"), ["inside `model`'s own forward", "`model.head`",
                                         f"line {line} `h = {op}`", *words], source)
    assert r.model().findings[0].line == line


def test_nan_in_the_data_is_found_where_it_enters_the_model():
    r = run("model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))\n"
            "x = torch.randn(8, 4)\nx[3, 1] = float('nan')\nmodel(x)\n")
    assert why(r) == [("nan_or_inf", "")]
    assert "input of `model` already held NaN" in message(r, "nan_or_inf")


def test_nan_weights_after_a_learning_rate_too_high():
    r = run(train("model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))",
                  "x, y = torch.randn(32, 4), torch.randn(32, 1) * 100", "F.mse_loss(model(x), y)",
                  steps=10, opt="torch.optim.SGD(model.parameters(), lr=1e4)"))
    kinds = dict(why(r))
    assert kinds["nan_or_inf"] == "0"
    text = message(r, "nan_or_inf")
    assert "`0.weight`" in text and "optimizer steps" in text and "learning rate" in text


def test_a_torch_layer_that_overflows_on_finite_input():
    r = run("model = nn.Sequential(nn.Linear(4, 4), nn.Softplus(), nn.Linear(4, 1))\n"
            "with torch.no_grad():\n    model[0].weight.fill_(1e38)\nmodel(torch.ones(2, 4))\n")
    assert dict(why(r))["nan_or_inf"] == "0"
    assert "Linear" in message(r, "nan_or_inf")


def test_nan_in_a_call_between_the_kept_statistics_is_still_found():
    r = run("layer = nn.Linear(2, 2)\nfor i in range(300):\n"
            "    x = torch.ones(1, 2) * (float('inf') if i == 201 else 1.0)\n"
            "    layer(torch.exp(x * 0) * x - x + x)\n")
    # the input itself holds inf at call 202: found where it enters
    assert why(r) == [("nan_or_inf", "")]
    assert "call 202" in message(r, "nan_or_inf")


# -- dead_activation ------------------------------------------------------------------------


@pytest.mark.parametrize("init, where", [
    ("nn.init.constant_(model[0].bias, -10.0)", "bias averages -10"),
    ("nn.init.constant_(model[0].bias, -3.0); nn.init.uniform_(model[0].weight, -0.01, 0.0)", "bias averages -3"),
])
def test_relu_dead_from_the_start(init, where):
    r = run(train(f"model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))\n{init}",
                  "x, y = torch.randn(64, 10).abs(), torch.randn(64, 1)", "F.mse_loss(model(x), y)",
                  opt="torch.optim.SGD(model.parameters(), lr=0.01)"))
    assert ("dead_activation", "1") in why(r)
    text = message(r, "dead_activation")
    assert "100%" in text and "`model[0]`" in text and where in text


def test_relu_killed_by_a_learning_rate_too_high():
    r = run("""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 64)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(64, 1)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))

""" + train("model = Net()", "x, y = torch.randn(64, 10), torch.randn(64, 1) * 10 + 20",
            "F.mse_loss(model(x), y)", steps=20, opt="torch.optim.SGD(model.parameters(), lr=0.3)"))
    assert ("dead_activation", "act") in why(r)
    text = message(r, "dead_activation")
    assert "was active until call" in text and "learning rate" in text and "`model.fc1`" in text


def test_a_relu_in_a_deeper_stack_is_named_by_its_own_path():
    r = run("""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU())
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        return self.head(self.body(x))

model = Net()
nn.init.constant_(model.body[2].bias, -50.0)
for _ in range(4):
    model(torch.randn(8, 8)).sum().backward()
""")
    assert ("dead_activation", "body.3") in why(r)
    assert "`model.body[2]`" in message(r, "dead_activation")


# -- vanishing_gradient / exploding_gradient ------------------------------------------------


@pytest.mark.parametrize("depth, act, init", [
    (24, "nn.Sigmoid()", ""),
    (12, "nn.Sigmoid()", ""),
    (16, "nn.Tanh()", "for m in model:\n    if isinstance(m, nn.Linear):\n        nn.init.normal_(m.weight, std=0.05)\n"),
])
def test_vanishing_gradients_in_deep_saturating_stacks(depth, act, init):
    r = run(f"layers = []\nfor _ in range({depth}):\n    layers += [nn.Linear(32, 32), {act}]\n"
            f"model = nn.Sequential(*layers, nn.Linear(32, 1))\n{init}"
            + train("", "x, y = torch.randn(32, 32), torch.randn(32, 1)", "F.mse_loss(model(x), y)",
                    steps=3, opt="torch.optim.SGD(model.parameters(), lr=0.1)"))
    assert why(r) == [("vanishing_gradient", "0")]
    text = message(r, "vanishing_gradient")
    assert f"layer 1 of {depth + 1}" in text and "ReLU" in text and "from layer" in text


def test_exploding_gradients_with_weights_far_too_large():
    r = run("model = nn.Sequential(*[nn.Linear(32, 32) for _ in range(12)], nn.Linear(32, 1))\n"
            "for m in model:\n    nn.init.normal_(m.weight, std=0.6)\n"
            "F.mse_loss(model(torch.randn(16, 32)), torch.randn(16, 1)).backward()\n")
    assert why(r) == [("exploding_gradient", "0")]
    assert "times the size of its weights" in message(r, "exploding_gradient")


@pytest.mark.parametrize("model, data", [
    ("nn.Sequential(*[m for _ in range(16) for m in (nn.Linear(32, 32), nn.ReLU())], nn.Linear(32, 1))\n"
     "for m in model:\n    if isinstance(m, nn.Linear):\n        nn.init.normal_(m.weight, std=2 * (2 / 32) ** 0.5)",
     "torch.randn(16, 32)"),
    ("Recurrent()\nnn.init.normal_(model.rnn.weight_hh_l0, std=0.5)", "torch.randn(4, 30, 8)"),
])
def test_exploding_gradients_in_other_models(model, data):
    r = run("class Recurrent(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.rnn = nn.RNN(8, 32, nonlinearity='relu', batch_first=True)\n"
            "        self.out = nn.Linear(32, 1)\n\n    def forward(self, x):\n"
            "        return self.out(self.rnn(x)[0][:, -1])\n\n"
            f"model = {model}\nout = model({data})\nout = out[0] if isinstance(out, tuple) else out\n"
            "out.pow(2).mean().backward()\n")
    kinds = why(r)
    assert [k for k, _ in kinds] == ["exploding_gradient"], kinds
    assert "times the size of its weights" in message(r, "exploding_gradient")


# -- no_gradient ----------------------------------------------------------------------------

ENCODER = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(8, 16), nn.ReLU())
        self.head = nn.Linear(16, 2)
        self.aux = nn.Linear(16, 4)

    def forward(self, x):
        {body}

model = Net()
opt = torch.optim.Adam(model.parameters())
for _ in range(3):
    loss = {loss}
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


@pytest.mark.parametrize("body, loss, expected, words", [
    ("h = self.encoder(x).detach()\n        return self.head(h) + self.aux(h).sum()", "model(torch.randn(4, 8)).sum()",
     [("no_gradient", "encoder")], ["`model.encoder`", "@h = self.encoder(x).detach()", "`h = self.encoder(x).detach()`", "3 backward passes"]),
    ("with torch.no_grad():\n            h = self.encoder(x)\n        return self.head(h) + self.aux(h).sum()",
     "model(torch.randn(4, 8)).sum()", [("no_gradient", "encoder")], ["torch.no_grad()", "@h = self.encoder(x)"]),
    ("h = self.encoder(x)\n        return self.head(h.data) + self.aux(h).sum() * 0", "model(torch.randn(4, 8)).sum()",
     [], []),
    ("return self.head(self.encoder(x))", "model(torch.randn(4, 8)).sum()",
     [("no_gradient", "aux")], ["`model.aux` is never called", "`aux.weight`"]),
    ("return self.head(self.encoder(x)) + self.aux(self.encoder(x)).sum()",
     "model(torch.randn(4, 8)).detach().sum() + model.head.bias.sum()", [("no_gradient", "encoder"), ("no_gradient", "aux"), ("no_gradient", "head")],
     ["@loss = model(", "`head.weight`"]),
])
def test_no_gradient_names_the_parameters_and_the_cut(body, loss, expected, words):
    source = ENCODER.format(body=body, loss=loss)
    r = run(source)
    assert r.error is None, r.error
    assert sorted(why(r)) == sorted(expected)
    words_in(" ".join(f.message for f in r.model().findings if f.kind == "no_gradient"), words, source)


def test_autograd_grad_alone_is_not_a_missing_gradient():
    r = run("model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 1))\nx = torch.randn(2, 4)\n"
            "torch.autograd.grad(model(x).sum(), [model[1].weight])\n")
    assert why(r) == []


# -- the statistics --------------------------------------------------------------------------


def test_statistics_per_call_and_gradient_norms_per_pass_are_kept_thinned_out():
    calls = 300
    r = run(train("model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))",
                  "x = torch.randn(8, 16)", "model(x).pow(2).mean()", steps=calls,
                  opt="torch.optim.SGD(model.parameters(), lr=0.01)"))
    m = r.model()
    relu = next(v for v in m.values if v.path == "1")
    assert relu.cls == "ReLU" and relu.calls == calls
    assert POINTS // 2 <= len(relu.outputs) < POINTS
    stride = relu.outputs[1].call - relu.outputs[0].call
    assert all(b.call - a.call == stride for a, b in zip(relu.outputs, relu.outputs[1:]))
    assert relu.outputs[0].call == 0 and relu.outputs[-1].call >= calls - stride
    assert all(p.step == p.call for p in relu.outputs)  # one optimizer step per call
    for p in relu.outputs:
        assert p.min == 0.0 and 0.2 < p.zeros < 0.8 and p.nan == p.inf == 0 and p.numel == 8 * 32
    assert relu.histogram is not None and sum(relu.histogram.counts) == 8 * 32
    assert m.backwards == calls
    norms = {g.name: g.grad_norms for g in m.grads}
    assert sorted(norms) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    assert all(POINTS // 2 <= len(v) < POINTS and v[0].norm > 0 for v in norms.values())
    assert [g.name for g in m.grads if g.histogram is not None] == ["0.weight", "2.weight"]


def test_statistics_of_a_known_tensor():
    r = run("layer = nn.Identity()\nlayer(torch.tensor([[0.0, 1.0, 2.0, float('nan')], [3.0, 0.0, float('inf'), 6.0]]))\n")
    (v,) = r.model().values
    (p,) = v.outputs
    assert (p.numel, p.nan, p.inf) == (8, 1, 1)
    assert p.mean == pytest.approx(2.0) and p.min == 0.0 and p.max == 6.0
    assert p.std == pytest.approx(math.sqrt(sum((a - 2.0) ** 2 for a in [0, 1, 2, 3, 0, 6]) / 6))
    assert p.zeros == pytest.approx(2 / 6)


def test_large_outputs_are_sampled_but_every_nan_is_counted():
    n = 4 * SAMPLE
    r = run(f"layer = nn.Identity()\nx = torch.ones({n})\nx[12345] = float('nan')\nlayer(x)\n")
    (p,) = r.model().values[0].outputs
    assert p.sampled and p.numel == n and p.nan == 1 and p.mean == 1.0


def test_values_survive_json():
    r = run(HEALTHY["lstm"])
    again = Report.from_json(r.report.to_json())
    assert again.models[0].values == r.model().values
    assert again.models[0].grads == r.model().grads


def test_a_loss_made_nan_outside_the_model_is_found_at_the_loss():
    source = train("model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))",
                   "x, y = torch.randn(8, 4), torch.zeros(8, 3)",
                   "-(y * torch.log(model(x) * 0)).sum()", steps=3,
                   opt="torch.optim.SGD(model.parameters(), lr=0.1)")
    r = run(source)
    assert why(r) == [("nan_or_inf", "")]
    words_in(message(r, "nan_or_inf"), ["loss given to backward()", "@loss.backward()", "F.cross_entropy"], source)


def test_relu_applied_in_forward_dead_between_two_layers():
    r = run("""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 32)
        self.fc2 = nn.Linear(32, 1)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))

model = Net()
nn.init.constant_(model.fc1.bias, -10.0)
""" + train("", "x, y = torch.randn(64, 10), torch.randn(64, 1)", "F.mse_loss(model(x), y)"))
    assert why(r) == [("dead_activation", "fc1")]
    text = message(r, "dead_activation")
    assert "`model.fc2` gets only zeros" in text and "bias averages -10" in text


def test_a_zero_initialised_head_is_not_a_vanishing_gradient():
    r = run(train("model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 5))\n"
                  "nn.init.zeros_(model[4].weight)\nnn.init.zeros_(model[4].bias)",
                  "x, y = torch.randn(32, 16), torch.randint(0, 5, (32,))", "F.cross_entropy(model(x), y)"))
    assert why(r) == []


def test_a_recurrent_layers_tuple_given_to_a_layernorm_is_explained_too():
    r = run("class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.gru = nn.GRU(8, 16)\n        self.norm = nn.LayerNorm(16)\n\n"
            "    def forward(self, x):\n        return self.norm(self.gru(x))\n\n"
            "model = Net()\nmodel(torch.randn(5, 3, 8))\n")
    assert why(r) == [("shape_mismatch", "norm")]
    assert "`model.gru` (GRU) returns (output, h_n)" in message(r, "shape_mismatch")


@pytest.mark.slow
def test_a_model_of_thousands_of_modules_keeps_fewer_points_and_histograms():
    from modbox.probe.stats import FEW_POINTS, MANY

    r = run(f"model = nn.Sequential(*[nn.Tanh() for _ in range({MANY + 200})])\n"
            "x = torch.randn(4, 8)\nfor _ in range(40):\n    model(x)\n")
    values = r.model().values
    assert len(values) == MANY + 201  # every module and the Sequential
    assert sum(v.histogram is not None for v in values) <= MANY
    assert all(len(v.outputs) <= FEW_POINTS for v in values[MANY:])
    assert all(v.calls == 40 for v in values)
