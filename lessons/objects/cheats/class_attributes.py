# kind: misconception
# Honest mistake: `Layer.n_in = ...` is believed to store the value on the object; it stores
# it on the class, shared by every Layer.


class Layer:
    def __init__(self, n_in, n_out):
        Layer.n_in = n_in
        Layer.n_out = n_out

    def describe(self):
        return f"{self.n_in} -> {self.n_out}"


layer = Layer(4, 2)
print(layer.describe())
print(sorted(vars(layer)))
