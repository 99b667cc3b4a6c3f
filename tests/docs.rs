//! The manual in `docs/` kept true: its commands run as written and its field reference
//! matches the parser. Each part of the manual that can drift has a module here.

// A crate root's `mod x;` would load `tests/x.rs`, another test binary's root: the modules of
// this crate live in `tests/docs/` and name their files.
#[path = "docs/figures.rs"]
mod figures;
#[path = "docs/links.rs"]
mod links;
#[path = "docs/reference.rs"]
mod reference;
#[path = "docs/walkthrough.rs"]
mod walkthrough;
