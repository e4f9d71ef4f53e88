# Lesson: a model is an object.


class Layer:
    def __init__(self, n_in, n_out):
        self.n_in = n_in
        self.n_out = n_out

    def describe(self):
        return f"{self.n_in} -> {self.n_out}"


layer = Layer(4, 2)
print(layer.describe())
print(sorted(vars(layer)))
