//! Studies built from several runs of one scenario, each run held to the same random
//! numbers so that differences between them are not sampling noise: a sweep of one or two
//! fields (`sweep`), the capacity credit of a resource (`credit`), the load-carrying
//! capability against a criterion (`capability`), and the comparison of finished runs
//! (`compare`). They run studies through the library and add no engine of their own.

pub mod capability;
pub mod compare;
pub mod credit;
pub mod sweep;
