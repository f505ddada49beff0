"""Detectors: one per file, all behind the `Detector` protocol in `base`.

Presidio is imported in exactly one module (`gateway.detect.presidio_engine`).
"""
