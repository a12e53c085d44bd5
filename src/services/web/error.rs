//! What can go wrong with a web desk request, in terms the HTTP door turns
//! into a status and a JSON body. No variant carries a token or a secret.

use sea_orm::DbErr;

use super::principal::Refusal;
use crate::services::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No credentials, or ones that are wrong or expired.
    #[error("{0}")]
    Unauthorized(String),
    /// Valid credentials that may not do this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The request is fine, but the desk is not in a state that allows it.
    #[error("{0}")]
    Conflict(String),
    /// A field of the request is wrong.
    #[error("{field}: {detail}")]
    Invalid { field: &'static str, detail: String },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl WebError {
    pub fn invalid(field: &'static str, detail: impl Into<String>) -> Self {
        WebError::Invalid {
            field,
            detail: detail.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        WebError::NotFound(what.into())
    }
}

impl From<DbErr> for WebError {
    fn from(error: DbErr) -> Self {
        WebError::Service(ServiceError::Db(error))
    }
}

impl From<Refusal> for WebError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::TicketClosed | Refusal::NotOpenYet | Refusal::AlreadyWaiting => {
                WebError::Conflict(refusal.detail().to_owned())
            }
            _ => WebError::Forbidden(refusal.detail().to_owned()),
        }
    }
}

pub type WebResult<T> = Result<T, WebError>;
