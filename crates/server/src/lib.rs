//! Tessera's server: the JSON API under `/api/v1`, the built web app, and the
//! back-office command line.

pub mod app;
pub mod audit;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod csv;
pub mod demo;
pub mod device;
pub mod error;
pub mod exposure;
pub mod hashing;
pub mod json;
pub mod license_file;
pub mod mail;
pub mod notices;
pub mod openapi;
pub mod routes;
pub mod security;
pub mod session;
pub mod startup;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod throttle;
pub mod web;
