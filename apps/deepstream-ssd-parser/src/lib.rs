//! deepstream-ssd-parser's parsing code, as the Python sample keeps it in `ssd_parser.py` and
//! `nms.py`: usable on its own (the tests compare it with ds-infer's YOLO path).

pub mod nms;
pub mod ssd_parser;
