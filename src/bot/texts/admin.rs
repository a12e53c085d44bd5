//! Texts of the manager commands.

use super::Texts;

impl Texts {}
