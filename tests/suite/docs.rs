//! The manual in `docs/` kept true: its commands run as written and its field reference
//! matches the parser. Each part of the manual that can drift has a module here.

mod figures;
mod links;
mod reference;
mod walkthrough;
