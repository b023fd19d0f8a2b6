//! Integration tests: the real handler, over real HTTP, against the stand-in org on loopback.

mod bootstrap;
mod channels;
mod edges;
mod failures;
mod first_leg;
mod jwt;
mod legs;
mod lockout;
mod logs;
mod matching;
mod metrics;
mod ownership;
mod people;
mod properties;
mod repeat_callers;
mod setup_check;
mod tls;
mod transfer_leg;
mod voice;
