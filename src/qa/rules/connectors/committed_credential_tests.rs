use crate::qa::rules::connectors::fixture;

const SECRETS: &[&str] = &[
    "EAAGm0PX4ZCpsBAKx7ZBq9ZCZAe3uKfZBQjW1ZCLyQZAZDZD",
    "1//0gLk3xQv9mZ2pR7tY8uW4eB6nA1cD5fH0jK3lM9oP2qS",
    "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",
    "AbCdEfGhIjKlMnOpQrStUv12",
    "AIzaSyD3x7Qk9L2mN4pR6tV8wY0zB1cE5gH7jK9",
];

#[test]
fn committed_credentials_are_reported_at_the_value() {
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        fixture::check("committed_credential/bad", "CON-002"),
        vec![
            s(
                "connectors/google-ads.yaml:4:22",
                "Google Ads developer token committed in plain text (AbCd…)"
            ),
            s(
                "connectors/google-ads.yaml:5:20",
                "Google OAuth client secret committed in plain text (GOCS…)"
            ),
            s(
                "connectors/google-ads.yaml:6:21",
                "Google OAuth refresh token committed in plain text (1//0…)"
            ),
            s(
                "connectors/google-ads.yaml:7:14",
                "Google API key committed in plain text (AIza…)"
            ),
            s(
                "connectors/meta.json:3:20",
                "Meta access token committed in plain text (EAAG…)"
            ),
            s(
                "index.html:3:35",
                "Meta access token committed in plain text (EAAG…)"
            ),
            s(
                "keys/service-account.json:4:19",
                "private key committed in plain text (----…)"
            ),
        ]
    );
}

#[test]
fn no_finding_hint_or_fix_carries_the_secret() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/qa/connectors/committed_credential/bad");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).expect("fixture");
    let files = [
        (
            "connectors/google-ads.yaml".to_string(),
            read("connectors/google-ads.yaml"),
        ),
        (
            "connectors/meta.json".to_string(),
            read("connectors/meta.json"),
        ),
        ("index.html".to_string(), read("index.html")),
    ];
    let list: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let found = crate::qa::testing::check_with_starter(&list);
    assert!(found.iter().any(|f| f.rule.id == "CON-002"));
    let shown = serde_json::to_string(&found).expect("serialises");
    for secret in SECRETS {
        assert!(!shown.contains(&secret[5..]), "{secret} leaked: {shown}");
        for f in &found {
            assert!(f.fix.is_none() || f.rule.id != "CON-002");
            assert!(!f.hint.clone().unwrap_or_default().contains(&secret[5..]));
        }
    }
}

#[test]
fn placeholders_env_lookups_and_public_keys_are_not_reported() {
    assert_eq!(
        fixture::check("committed_credential/good", "CON-002"),
        vec![]
    );
}
