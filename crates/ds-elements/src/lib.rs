//! ds-elements: see the crate description in Cargo.toml and ../../DESIGN notes (work in progress).
