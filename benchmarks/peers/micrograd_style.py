"""The start-up peer of cg eval: a micrograd-style script that does the same job.

It parses a program of scalar math with Python's own parser (``ast``, no ``eval``), builds
micrograd's ``Value`` graph (each op's forward and backward side by side), runs the
backward pass and prints the value and every input's gradient as JSON:

    python micrograd_style.py "(x+y)*z" x=1 y=3 z=-3
"""

import ast
import json
import sys


class Value:
    """A scalar and its gradient, with the closure that sends the gradient to its inputs."""

    def __init__(self, data, children=()):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = children

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __sub__(self, other):
        return self + other * Value(-1.0)

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # a topological order without recursion
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


OPS = {ast.Add: Value.__add__, ast.Sub: Value.__sub__, ast.Mult: Value.__mul__}


def build(tree, inputs):
    """The Value of an expression tree, inputs by name (a loop over a work stack)."""
    results, stack = [], [(tree, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, ast.Name):
            results.append(inputs[node.id])
        elif isinstance(node, ast.Constant):
            results.append(Value(float(node.value)))
        elif not ready:
            stack.extend([(node, True), (node.right, False), (node.left, False)])
        else:
            right, left = results.pop(), results.pop()
            results.append(OPS[type(node.op)](left, right))
    return results[0]


def main(argv):
    program, *assignments = argv
    inputs = {}
    for assignment in assignments:
        name, _, text = assignment.partition("=")
        inputs[name] = Value(float(text))
    output = build(ast.parse(program, mode="eval").body, inputs)
    output.backward()
    gradient = {name: value.grad for name, value in inputs.items()}
    print(json.dumps({"output": "f", "value": output.data, "gradient": gradient}))


if __name__ == "__main__":
    main(sys.argv[1:])
