//! Starts topicdesk: settings, logging, then the application until SIGTERM.

use std::process::ExitCode;

use topicdesk::config::Settings;
use topicdesk::startup::Application;
use topicdesk::telemetry;

#[tokio::main]
async fn main() -> ExitCode {
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("topicdesk: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(
        settings.log_format,
        settings.log_filter.as_deref(),
        telemetry::stdout,
    );

    let application = match Application::build(settings).await {
        Ok(application) => application,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "startup failed");
            eprintln!("topicdesk: startup failed: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    match application.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "stopped with an error");
            eprintln!("topicdesk: {error:#}");
            ExitCode::FAILURE
        }
    }
}
