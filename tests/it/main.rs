//! poolscan's integration tests, in one binary (one link step): the CLI
//! (`cli`, `fleet`), real samples with their expected results (`fixtures`),
//! hostile and mutated input (`hostile`, `mutations`), generated logs read
//! back to their truth (`roundtrip`), and the library's layering (`layers`).

mod cli;
mod fixtures;
mod fleet;
mod hostile;
mod layers;
mod mutations;
mod roundtrip;
mod util;
