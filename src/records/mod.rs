//! The desk's two logs, kept in the database and read by every layer above:
//! message links (which copy stands for which original, so replies and
//! edits find their counterparts) and the events log (who did what to which
//! ticket). Writing them is plain bookkeeping; deciding *when* is up to the
//! services and the outbox. Beside them, the done mark of the update being
//! handled (`handled`), which the intake writes and a handler's last write
//! may carry.

pub mod events;
pub mod handled;
pub mod links;
