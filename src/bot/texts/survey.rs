//! Texts of the satisfaction survey.

use super::Texts;

impl Texts {}
