//! The one error type of the services. A caller asks it whether the problem
//! is an outage (the database or the store out of reach, which passes) or
//! something about the request itself; nothing downcasts by type name.

use sea_orm::DbErr;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    /// The database or the store could not be reached: the same request may
    /// well succeed once they are back.
    pub fn is_outage(&self) -> bool {
        match self {
            ServiceError::Db(error) => database_unreachable(error),
            ServiceError::Store(error) => error.is_unavailable(),
        }
    }
}

fn database_unreachable(error: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(
                e.as_ref(),
                Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed
            )
        }
        _ => false,
    }
}

/// A stand-in for `error` for each of the callers who shared the statement
/// that failed (a grouped read answers them all with one error, which
/// cannot be cloned): it keeps the message and whether the database was
/// out of reach, which decides whether the update is retried patiently.
pub(crate) fn shared_db_error(error: &DbErr) -> DbErr {
    if database_unreachable(error) {
        DbErr::Conn(sea_orm::RuntimeErr::Internal(error.to_string()))
    } else {
        DbErr::Custom(error.to_string())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
