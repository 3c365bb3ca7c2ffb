//! Helpers shared by integration tests (`mod common;`).
#![allow(dead_code)]

pub mod fixture;
pub mod git;
