//! Short-lived shared state (dedup keys, locks, caches, conversation state).
