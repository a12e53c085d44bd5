//! SHEETS_CREDS: the service-account key, given as the JSON itself or as the
//! path of the JSON file Google's console downloads. Error messages never
//! quote the key.

use std::path::Path;

use google_sheets4::yup_oauth2::ServiceAccountKey;

/// Reads the key from `creds`: JSON when it starts with `{`, a file path
/// otherwise.
pub(super) fn load(creds: &str) -> Result<ServiceAccountKey, String> {
    let creds = creds.trim();
    if creds.starts_with('{') {
        return parse(creds);
    }
    let path = Path::new(creds);
    let json = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "expected the service-account key's JSON or the path of its file; cannot read {}: {e}",
            path.display()
        )
    })?;
    parse(&json).map_err(|problem| format!("{}: {problem}", path.display()))
}

fn parse(json: &str) -> Result<ServiceAccountKey, String> {
    let key: ServiceAccountKey = serde_json::from_str(json).map_err(|e| {
        // serde's messages can quote a value, and values here are secret:
        // only the kind of problem and its position are shown.
        let text = e.to_string();
        let what = if text.starts_with("missing field") {
            text.split(" at line").next().unwrap_or("missing field").to_owned()
        } else {
            match e.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    "not valid JSON".to_owned()
                }
                _ => "a field has the wrong type".to_owned(),
            }
        };
        format!(
            "not a service-account key ({what}, at line {} column {}); download a JSON key of type service_account",
            e.line(),
            e.column()
        )
    })?;
    if let Some(kind) = &key.key_type
        && kind != "service_account"
    {
        return Err(format!(
            "the key's type is {kind:?}, expected \"service_account\""
        ));
    }
    if !key.private_key.contains("PRIVATE KEY") {
        return Err("private_key is not a PEM private key".into());
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = r#"{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n","client_email":"bot@p.iam.gserviceaccount.com","token_uri":"https://oauth2.googleapis.com/token"}"#;

    #[test]
    fn json_is_read_as_is_and_a_path_from_its_file() {
        let key = load(&format!("  {KEY}\n")).unwrap();
        assert_eq!(key.client_email, "bot@p.iam.gserviceaccount.com");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.json");
        std::fs::write(&path, KEY).unwrap();
        let key = load(path.to_str().unwrap()).unwrap();
        assert_eq!(key.token_uri, "https://oauth2.googleapis.com/token");
    }

    #[test]
    fn problems_are_named_without_quoting_the_key() {
        let missing = load("/nonexistent/key.json").unwrap_err();
        assert!(
            missing.contains("cannot read /nonexistent/key.json"),
            "{missing}"
        );

        let broken = load(r#"{"private_key": "SECRETSECRET""#).unwrap_err();
        assert!(broken.contains("not valid JSON"), "{broken}");
        assert!(!broken.contains("SECRETSECRET"), "{broken}");

        let wrong_type =
            load(r#"{"private_key": 5, "client_email": "x", "token_uri": "y"}"#).unwrap_err();
        assert!(wrong_type.contains("wrong type"), "{wrong_type}");

        let no_email = load(r#"{"private_key": "SECRETSECRET", "token_uri": "y"}"#).unwrap_err();
        assert!(
            no_email.contains("missing field `client_email`"),
            "{no_email}"
        );
        assert!(!no_email.contains("SECRETSECRET"), "{no_email}");

        let oauth_client = load(&KEY.replace("service_account", "authorized_user")).unwrap_err();
        assert!(oauth_client.contains("authorized_user"), "{oauth_client}");
    }
}
