use super::*;
use crate::qa::page::{Engine, Format};

fn found(text: &str, engine: Engine) -> Vec<(TagKind, TagId, Placement)> {
    let d = Document::parse("a.html", text.to_string(), engine, Format::Html);
    tags(&d, crate::qa::tagging::values::SiteValues::none())
        .iter()
        .map(|t| (t.kind, t.id.clone(), t.placement))
        .collect()
}

fn lit(s: &str) -> TagId {
    TagId::Literal(s.into())
}

/// The snippets as Google publishes them in "Install Google Tag Manager".
#[test]
fn the_published_gtm_head_and_body_snippets_are_one_container() {
    let head = r#"<!-- Google Tag Manager -->
<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':
new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],
j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=
'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);
})(window,document,'script','dataLayer','GTM-ABC1234');</script>
<!-- End Google Tag Manager -->
<!-- Google Tag Manager (noscript) -->
<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-ABC1234"
height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>"#;
    assert_eq!(
        found(head, Engine::Html),
        [
            (TagKind::Gtm, lit("GTM-ABC1234"), Placement::Loader),
            (TagKind::Gtm, lit("GTM-ABC1234"), Placement::Noscript),
        ]
    );
}

#[test]
fn gtag_loader_and_config_calls_give_ga4_and_ua_ids() {
    let t = r#"<script async src="https://www.googletagmanager.com/gtag/js?id=G-XYZ987"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());
  gtag('config', 'G-XYZ987');
  gtag('config', 'UA-1234-1');
  // gtag('config', 'G-OLD');
</script>"#;
    assert_eq!(
        found(t, Engine::Html),
        [
            (TagKind::Gtag, lit("G-XYZ987"), Placement::Loader),
            (TagKind::Gtag, lit("G-XYZ987"), Placement::Config),
            (TagKind::Ua, lit("UA-1234-1"), Placement::Config),
        ]
    );
}

#[test]
fn universal_analytics_and_ga_js_snippets_are_ua() {
    let t = r#"<script>
(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;i[r]=i[r]||function(){
(i[r].q=i[r].q||[]).push(arguments)},i[r].l=1*new Date();a=s.createElement(o),
m=s.getElementsByTagName(o)[0];a.async=1;a.src=g;m.parentNode.insertBefore(a,m)
})(window,document,'script','https://www.google-analytics.com/analytics.js','ga');
ga('create', 'UA-XXXXX-Y', 'auto');
ga('send', 'pageview');
</script>
<script>var _gaq = _gaq || []; _gaq.push(['_setAccount', 'UA-7777-1']);</script>"#;
    let kinds = found(t, Engine::Html);
    assert_eq!(
        kinds,
        [
            (TagKind::Ua, lit("UA-XXXXX-Y"), Placement::Config),
            (TagKind::Ua, lit("UA-7777-1"), Placement::Config),
        ]
    );
}

#[test]
fn segment_meta_linkedin_and_tiktok_snippets_give_their_ids() {
    let t = r#"<script>!function(){var analytics=window.analytics=window.analytics||[];analytics.load("wrKey123");analytics.page();}();</script>
<script>!function(f,b,e,v,n,t,s){n=f.fbq=function(){};t.src=v;}(window, document,'script','https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '1234567890');
fbq('track', 'PageView');</script>
<noscript><img height="1" width="1" style="display:none" src="https://www.facebook.com/tr?id=1234567890&ev=PageView&noscript=1"/></noscript>
<script type="text/javascript">_linkedin_partner_id = "555111"; window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || [];</script>
<script>!function (w, d, t) { ttq.load('CABC123'); ttq.page(); }(window, document, 'ttq');</script>"#;
    assert_eq!(
        found(t, Engine::Html),
        [
            (TagKind::Segment, lit("wrKey123"), Placement::Config),
            (TagKind::MetaPixel, lit("1234567890"), Placement::Config),
            (TagKind::MetaPixel, lit("1234567890"), Placement::Noscript),
            (TagKind::LinkedinInsight, lit("555111"), Placement::Config),
            (TagKind::TiktokPixel, lit("CABC123"), Placement::Config),
        ]
    );
}

#[test]
fn onetrust_and_cookiebot_loaders_carry_their_ids() {
    let t = r#"<script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="00000000-aaaa" type="text/javascript" async></script>
<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" type="text/javascript" charset="UTF-8" data-domain-script="1111-2222"></script>
<script src="https://cdn.segment.com/analytics.js/v1/KEY9/analytics.min.js"></script>"#;
    assert_eq!(
        found(t, Engine::Html),
        [
            (TagKind::Cookiebot, lit("00000000-aaaa"), Placement::Loader),
            (TagKind::Onetrust, lit("1111-2222"), Placement::Loader),
            (TagKind::Segment, lit("KEY9"), Placement::Loader),
        ]
    );
}

#[test]
fn ids_written_as_template_expressions_name_config_keys() {
    let t = r#"<script async src="https://www.googletagmanager.com/gtag/js?id={{ site.google_analytics }}"></script>
<script>gtag('config', '{{ site.google_analytics }}'); gtag('config', measurementId);</script>"#;
    let key = TagId::Config {
        key: "site.google_analytics".into(),
        value: None,
    };
    assert_eq!(
        found(t, Engine::Liquid),
        [
            (TagKind::Gtag, key.clone(), Placement::Loader),
            (TagKind::Gtag, key, Placement::Config),
            (TagKind::Gtag, TagId::Dynamic, Placement::Config),
        ]
    );
}

#[test]
fn hugos_embedded_analytics_template_is_a_gtag_install_from_the_site_config() {
    let key = || TagId::Config {
        key: "site.Config.Services.GoogleAnalytics.ID".into(),
        value: None,
    };
    let head = "<head>\n<meta charset=\"utf-8\">\n{{ template \"_internal/google_analytics.html\" . }}\n</head>";
    assert_eq!(
        found(head, Engine::Hugo),
        [(TagKind::Gtag, key(), Placement::Loader)]
    );
    let partial = "<meta charset=\"utf-8\">\n{{- partial \"google_analytics.html\" . -}}\n";
    assert_eq!(
        found(partial, Engine::Hugo),
        [(TagKind::Gtag, key(), Placement::Loader)]
    );
    let comment = "<head>{{/* template \"_internal/google_analytics.html\" . */}}</head>";
    assert_eq!(found(comment, Engine::Hugo), []);
}
