"""The torch layer: build and load models, GAN sampling, LM streaming, device and precision.

`train/` (the worker), `generate/` (the generation helper) and `commands/` import it;
it imports none of them, so inference code has one home and no import cycle.
"""
