//! Importing credentials in every form a wallet receives them.

pub mod ob2;
