//! Property tests for `seckit::validate`: parsers never panic, parsed
//! values re-parse to themselves, `safe_join` never leaves its root, and
//! sanitizers' output always parses.
#![cfg(feature = "validate")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::{Component, Path};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use seckit::validate::{
    BasicCredentials, Email, Filename, KvKey, OriginAllowList, PositiveId, SqlIdentifier, Tag,
    Tags, Text, UnicodeUsername, UserId, Username, check_uri, html, safe_join,
};

/// Text rich in the characters these parsers care about.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,80}",
        "[a-zA-Z0-9._%+@:/\\\\ -]{0,80}",
        "[.%2eEfF/\\\\:CONULPTcom1¹]{0,40}",
        // Invisible format characters (issue 13, item 8): `\\PC` above
        // excludes them, which is how file names came to accept them.
        "[a-z0-9._\\p{Cf}]{0,40}",
        prop::collection::vec(any::<char>(), 0..40).prop_map(|v| v.into_iter().collect()),
    ]
}

macro_rules! reparses {
    ($ty:ty, $input:expr) => {
        if let Ok(v) = <$ty>::parse($input) {
            let again = <$ty>::parse(v.as_str()).expect(concat!(stringify!($ty), " re-parse"));
            prop_assert_eq!(again, v);
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn every_parser_answers_and_valid_values_reparse(input in hostile()) {
        reparses!(Username, &input);
        reparses!(UserId, &input);
        reparses!(Email, &input);
        reparses!(Text, &input);
        reparses!(Tag, &input);
        reparses!(SqlIdentifier, &input);
        reparses!(Filename, &input);
        reparses!(UnicodeUsername, &input);
        if let Ok(id) = PositiveId::parse(&input) {
            prop_assert_eq!(PositiveId::parse(&id.to_string()).unwrap(), id);
        }
        let _ = Tags::parse_list(&input);
        let _ = BasicCredentials::parse(&input);
        let _ = check_uri(&input, 2048);
        let _ = KvKey::builder().segment(&input);
        let list = OriginAllowList::new().allow("https://app.example").unwrap();
        if list.is_allowed(&input) {
            prop_assert!(input.to_ascii_lowercase().contains("app.example"));
        }
    }

    #[test]
    fn safe_join_never_leaves_root(input in hostile()) {
        let root = Path::new("/srv/root");
        if let Ok(p) = safe_join(root, &input) {
            let rest = p.strip_prefix(root).unwrap();
            for c in rest.components() {
                prop_assert!(matches!(c, Component::Normal(_)), "{:?} in {:?}", c, p);
            }
            prop_assert!(!input.split('/').any(|c| c == ".." || c == "."));
            prop_assert!(!input.contains('\\'));
        }
    }

    #[test]
    fn names_never_hold_format_characters(input in hostile()) {
        use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
        let has_cf = input.chars().any(|c| c.general_category() == GeneralCategory::Format);
        if has_cf {
            prop_assert!(Filename::parse(&input).is_err());
            prop_assert!(safe_join(Path::new("/r"), &input).is_err());
            prop_assert!(KvKey::builder().segment(&input).is_err());
        }
        let clean = Filename::sanitize(&input);
        prop_assert!(!clean.chars().any(|c| c.general_category() == GeneralCategory::Format));
    }

    #[test]
    fn sanitizers_output_always_parses(input in hostile()) {
        let name = Filename::sanitize(&input);
        prop_assert!(Filename::parse(name.as_str()).is_ok(), "{:?} -> {:?}", input, name);
        let text = Text::sanitize(&input);
        prop_assert!(Text::parse(text.as_str()).is_ok());
    }

    #[test]
    fn html_escape_leaves_no_markup(input in hostile()) {
        let out = html::escape(&input);
        prop_assert!(!out.contains(['<', '>', '"', '\'']));
        for (i, _) in out.match_indices('&') {
            let tail = &out[i..];
            prop_assert!(["&amp;", "&lt;", "&gt;", "&quot;", "&#x27;"].iter().any(|e| tail.starts_with(e)));
        }
    }

    #[test]
    fn kv_segments_never_merge(segments in prop::collection::vec(hostile(), 1..5)) {
        let mut b = KvKey::builder();
        let mut accepted = 0;
        for s in &segments {
            if let Ok(next) = b.clone().segment(s) {
                b = next;
                accepted += 1;
            }
        }
        if let Ok(key) = b.build() {
            prop_assert_eq!(key.as_str().split(':').count(), accepted);
            let clean = !key.as_str().contains(['*', '?', '[', ']', '{', '}', ' ']);
            prop_assert!(clean, "glob or brace in {:?}", key);
        }
    }

    #[test]
    fn basic_credentials_round_trip(user in "[^:\\p{Cc}]{1,20}", pass in "[^\\p{Cc}]{0,30}") {
        let header = format!("Basic {}", STANDARD.encode(format!("{user}:{pass}")));
        let c = BasicCredentials::parse(&header).unwrap();
        prop_assert_eq!(c.user_id(), user.as_str());
        prop_assert!(*c.password() == pass.as_str());
    }

    #[test]
    fn every_positive_u64_round_trips(n in 1u64..) {
        prop_assert_eq!(PositiveId::parse(&n.to_string()).unwrap().get(), n);
    }
}
