use crate::qa::rules::connectors::fixture;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn versions_past_or_near_their_sunset_are_reported_with_the_days() {
    // Tests run on 2026-11-27 (`testing::today`).
    assert_eq!(
        fixture::check("deprecated_api_version/bad", "CON-001"),
        pairs(&[
            (
                "connectors/airbyte/google-ads.yaml:4:16",
                "Google Ads API v21 was sunset on 2026-08-05 (114 days ago): every request to it fails"
            ),
            (
                "connectors/meta-insights.json:3:19",
                "Meta Graph API v21.0 expires on 2027-01-21, in 55 days"
            ),
            (
                "connectors/meta-insights.json:4:43",
                "Meta Graph API v21.0 expires on 2027-01-21, in 55 days"
            ),
            (
                "scripts/pull_google_ads.py:4:72",
                "Google Ads API v19 was sunset on 2026-02-11 (289 days ago): every request to it fails"
            ),
            (
                "scripts/report.js:2:47",
                "Google Ads API v20 was sunset on 2026-06-10 (170 days ago): every request to it fails"
            ),
        ])
    );
}

#[test]
fn the_finding_near_a_sunset_is_a_warning_and_past_it_an_error() {
    use crate::qa::finding::Severity;
    let files = [
        (
            "a/google_ads.py",
            "client.get_service(\"GoogleAdsService\", version=\"v19\")\n",
        ),
        (
            "b/meta.py",
            "URL = \"https://graph.facebook.com/v21.0/act_1/insights\"\n",
        ),
    ];
    let found = crate::qa::testing::check_with_starter(&files);
    let sev: Vec<Severity> = found
        .iter()
        .filter(|f| f.rule.id == "CON-001")
        .map(|f| f.severity)
        .collect();
    assert_eq!(sev, vec![Severity::Error, Severity::Warning]);
}

#[test]
fn current_unknown_and_unannounced_versions_are_not_reported() {
    assert_eq!(
        fixture::check("deprecated_api_version/good", "CON-001"),
        vec![]
    );
}

#[test]
fn a_repository_table_replaces_the_shipped_one() {
    assert_eq!(
        fixture::check("deprecated_api_version/override", "CON-001"),
        pairs(&[(
            "scripts/pull.py:1:72",
            "Google Ads API v23 is sunset on 2026-12-01, in 4 days"
        )])
    );
}

#[test]
fn a_broken_repository_table_is_reported_where_it_is_wrong() {
    let files = [(
        ".sitewide/api_versions.toml",
        "[[google_ads]]\nversion = \"v23\"\nsunset = \"soon\"\n",
    )];
    let found = crate::qa::testing::check_with_starter(&files);
    let at = crate::qa::testing::at(&found, "CON-001");
    assert_eq!(at, vec![(".sitewide/api_versions.toml".to_string(), 3, 10)]);
}
