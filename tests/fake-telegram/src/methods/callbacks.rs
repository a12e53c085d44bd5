//! answerCallbackQuery: each query can be answered once; unknown or
//! already-answered ids get Telegram's "query is too old" error.

use serde_json::json;

use crate::api_error::{ApiError, ApiResult};
use crate::inspect::CallbackAnswer;
use crate::params::Params;
use crate::world::World;

impl World {
    pub(crate) fn answer_callback_query(&mut self, p: &Params) -> ApiResult {
        let query_id = p.require_str("callback_query_id")?;
        let too_old = || {
            ApiError::bad_request(
                "query is too old and response timeout expired or query ID is invalid",
            )
        };
        let index = *self.callback_index.get(&query_id).ok_or_else(too_old)?;
        let record = &mut self.callbacks[index];
        if record.answer.is_some() {
            return Err(too_old());
        }
        if p.str("text").is_some_and(|t| t.chars().count() > 200) {
            return Err(ApiError::bad_request("MESSAGE_TOO_LONG"));
        }
        record.answer = Some(CallbackAnswer {
            callback_id: record.id.clone(),
            user_id: record.user_id,
            chat_id: record.chat_id,
            message_id: record.message_id,
            data: record.data.clone(),
            text: p.str("text"),
            show_alert: p.bool("show_alert"),
            url: p.str("url"),
            cache_time: p.i64("cache_time")?,
        });
        Ok(json!(true))
    }
}
