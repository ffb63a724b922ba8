"""Reference for the dashboard's smoothing slider (static/js/smooth.js).

TensorBoard smooths scalars with an exponential moving average started at 0
and divided by its bias, 1 - w^n after n points. Here the same curve comes from
SciPy's IIR filter, y[n] = (1 - w) x[n] + w y[n - 1], and the bias is the same
filter applied to a series of ones: an independent computation of the same
definition.

    python3 tools/make_smoothing_fixture.py > tests/fixtures/smoothing_ema.json
"""
import json

import numpy as np
from scipy.signal import lfilter

rng = np.random.default_rng(7)
epochs = np.arange(1, 31)
# A test-accuracy-like curve: a saturating rise plus noise.
series = {
    "accuracy": (0.8 - 0.6 * np.exp(-epochs / 6) + rng.normal(0, 0.03, epochs.size)).tolist(),
    "loss": (2.3 * np.exp(-epochs / 8) + 0.2 + np.abs(rng.normal(0, 0.05, epochs.size))).tolist(),
}
cases = []
for name, x in series.items():
    for w in [0.0, 0.3, 0.6, 0.9, 0.99]:
        x = np.asarray(x)
        ema = lfilter([1 - w], [1, -w], x)
        bias = lfilter([1 - w], [1, -w], np.ones_like(x))
        cases.append({"series": name, "weight": w, "input": x.tolist(),
                      "smoothed": (ema / bias).tolist()})
print(json.dumps({"source": "tools/make_smoothing_fixture.py (scipy.signal.lfilter)",
                  "cases": cases}))
