//! poolscan's integration tests, in one binary (one link step): the CLI
//! (`cli`, `fleet`), real samples with their expected results (`fixtures`),
//! hostile and mutated input (`hostile`, `mutations`), generated logs read
//! back to their truth (`roundtrip`), the library's layering (`layers`), and driver
//! binaries scanned for pool tags (`drivers`).

mod capture;
mod cli;
mod drivers;
mod fixtures;
mod fleet;
mod hostile;
mod layers;
mod mutations;
mod roundtrip;
mod util;
