//! The manual in `docs/` kept true: its commands run as written and its field reference
//! matches the parser. Each part of the manual that can drift has a module here.

// A crate root's modules resolve next to it (tests/), so each names its file in tests/docs/.
#[path = "docs/walkthrough.rs"]
mod walkthrough;
