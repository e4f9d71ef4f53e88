# kind: misconception
# Honest mistake: `global` is believed to keep the numbers for later; they live in the module,
# shared by every Layer, so the newest Layer wins.


class Layer:
    def __init__(self, n_in, n_out):
        global n_in_kept, n_out_kept
        n_in_kept = n_in
        n_out_kept = n_out

    def describe(self):
        return f"{n_in_kept} -> {n_out_kept}"


layer = Layer(4, 2)
print(layer.describe())
print(sorted(vars(layer)), n_in_kept, n_out_kept)
