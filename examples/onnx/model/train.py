#!/usr/bin/python3
"""Train a small iris classifier and write it as ONNX: model/iris.onnx and model/reference.json.

Reproducible with Debian 12's packages only (no pip, no network):

    apt-get install -y python3-sklearn python3-onnx
    /usr/bin/python3 examples/onnx/model/train.py

The model is scikit-learn's MLPClassifier (4 inputs, one hidden layer of 8 ReLU units, 3 softmax
outputs) behind a StandardScaler, trained on the 150 iris flowers that ship with scikit-learn.
skl2onnx is not packaged in Debian, so the graph is written by hand with onnx's helper API from the
trained weights:

    features[N,4] -> Sub(mean) -> Div(scale) -> Gemm(W1,b1) -> Relu -> Gemm(W2,b2) -> Softmax -> probabilities[N,3]

reference.json holds scikit-learn's own predict_proba for a few flowers: the example's tests check
that ONNX Runtime gives the same probabilities, so the hand-written graph is proven faithful.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0
HIDDEN = 8
OPSET = 13  # Softmax over one axis (opset 13 semantics); ONNX Runtime 1.x runs opsets 7 and up

iris = load_iris()
X, y = iris.data, iris.target
class_names = [str(n) for n in iris.target_names]

# Held-out accuracy first (reported), then the shipped model on all 150 flowers.
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=SEED, stratify=y)


def fit(features, labels):
    pipeline = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation='relu', solver='lbfgs',
                      alpha=1e-3, max_iter=5000, random_state=SEED),
    )
    return pipeline.fit(features, labels)


held_out = fit(X_train, y_train).score(X_test, y_test)
pipeline = fit(X, y)
scaler, mlp = pipeline.steps[0][1], pipeline.steps[1][1]
print(f'held-out accuracy (70/30 split): {held_out:.3f}; training accuracy (all 150): {pipeline.score(X, y):.3f}')


def const(name, value):
    return numpy_helper.from_array(np.asarray(value, dtype=np.float32), name)


(w1, w2), (b1, b2) = mlp.coefs_, mlp.intercepts_
initializers = [
    const('mean', scaler.mean_), const('scale', scaler.scale_),
    const('W1', w1), const('b1', b1), const('W2', w2), const('b2', b2),
]
nodes = [
    helper.make_node('Sub', ['features', 'mean'], ['centred']),
    helper.make_node('Div', ['centred', 'scale'], ['scaled']),
    helper.make_node('Gemm', ['scaled', 'W1', 'b1'], ['hidden_in']),
    helper.make_node('Relu', ['hidden_in'], ['hidden']),
    helper.make_node('Gemm', ['hidden', 'W2', 'b2'], ['logits']),
    helper.make_node('Softmax', ['logits'], ['probabilities'], axis=1),
]
graph = helper.make_graph(
    nodes, 'iris_mlp',
    inputs=[helper.make_tensor_value_info('features', TensorProto.FLOAT, ['N', 4])],
    outputs=[helper.make_tensor_value_info('probabilities', TensorProto.FLOAT, ['N', 3])],
    initializer=initializers,
)
model = helper.make_model(
    graph, producer_name='fastify-seldon examples/onnx/model/train.py',
    opset_imports=[helper.make_opsetid('', OPSET)],
    doc_string='Iris species probabilities from sepal length, sepal width, petal length, petal width (cm). '
               'scikit-learn MLPClassifier, exported with the onnx helper API.',
)
model.ir_version = 7  # what ONNX Runtime releases of the last years all read
helper.set_model_props(model, {'class_names': json.dumps(class_names)})
onnx.checker.check_model(model, full_check=True)
onnx.save(model, os.path.join(HERE, 'iris.onnx'))

# One flower of each species and a few from the borders between versicolor and virginica.
rows = [0, 50, 100, 70, 77, 83, 106, 119, 133, 134]
reference = {
    'classNames': class_names,
    'features': X[rows].tolist(),
    'probabilities': pipeline.predict_proba(X[rows]).tolist(),
    'labels': y[rows].tolist(),
}
with open(os.path.join(HERE, 'reference.json'), 'w') as f:
    f.write('{\n' + ',\n'.join(
        f'  {json.dumps(key)}: ' + ('[\n' + ',\n'.join(f'    {json.dumps(row)}' for row in value) + '\n  ]'
                                   if isinstance(value[0], list) else json.dumps(value))
        for key, value in reference.items()) + '\n}\n')
print(f'wrote iris.onnx ({os.path.getsize(os.path.join(HERE, "iris.onnx"))} bytes) and reference.json')
