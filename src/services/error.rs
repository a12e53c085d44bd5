//! The one error type of the services. A caller asks it whether the problem
//! is an outage (the database or the store out of reach, which passes) or
//! something about the request itself; nothing downcasts by type name.

use sea_orm::DbErr;

use crate::database;
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
            ServiceError::Db(error) => database::is_unreachable(error),
            ServiceError::Store(error) => error.is_unavailable(),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
