"""Softmax with temperature, its log and its Jacobian (numpy only)."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class SoftmaxResult:
    probabilities: Array
    log_probabilities: Array
    jacobian: Array  # jacobian[i, j] = d probabilities[i] / d logits[j]


def softmax(logits: Array, temperature: float = 1.0) -> SoftmaxResult:
    """p = softmax(z / T), log p, and dp/dz = (diag(p) - p p^T) / T.

    Shifting by max(z) before exponentiating is exact (softmax is shift-invariant) and keeps every
    exponent <= 0, so nothing overflows for any finite logits; log p comes from the shifted
    logits directly (log-sum-exp), never from log of a probability that underflowed to 0.
    """
    z = (np.asarray(logits, dtype=np.float64) - np.max(logits)) / temperature
    log_norm = np.log(np.sum(np.exp(z)))
    log_p = z - log_norm
    p = np.exp(log_p)
    jacobian = (np.diag(p) - np.outer(p, p)) / temperature
    return SoftmaxResult(p, log_p, jacobian)
