#!/usr/bin/env python3
"""Make the batch, height and width of an ONNX model's inputs and outputs symbolic.

CenterFace's graph declares a fixed 10x3x32x32 input; ONNX Runtime enforces declared shapes,
so scripts/setup.sh runs this once to let it take any N x 3 x H x W (H, W divisible by 32).
Usage: onnx_dynamic_dims.py in.onnx out.onnx
"""
import sys

import onnx


def main(src, dst):
    model = onnx.load(src)
    for vi in list(model.graph.input) + list(model.graph.output):
        dims = vi.type.tensor_type.shape.dim
        if len(dims) != 4:
            continue
        for i, name in ((0, "N"), (2, "H" if vi in model.graph.input else f"{vi.name}_H"),
                        (3, "W" if vi in model.graph.input else f"{vi.name}_W")):
            dims[i].ClearField("dim_value")
            dims[i].dim_param = name
    # Shapes inferred for the fixed size are wrong now: drop them.
    del model.graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print(f"{dst}: inputs {[i.name for i in model.graph.input]} made N x C x H x W")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: onnx_dynamic_dims.py in.onnx out.onnx")
    main(*sys.argv[1:])
