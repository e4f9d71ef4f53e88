# kind: partial
# Only `n_in` is kept on the object; `n_out` lives on the class and follows the newest Layer.


class Layer:
    def __init__(self, n_in, n_out):
        self.n_in = n_in
        Layer.n_out = n_out  # the same for every layer anyway

    def describe(self):
        return f"{self.n_in} -> {self.n_out}"


layer = Layer(4, 2)
print(layer.describe())
print(sorted(vars(layer)))
